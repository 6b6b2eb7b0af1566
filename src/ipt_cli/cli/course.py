"""`ipt new-course`, `ipt contract` and `ipt maintenance`: a course's contracts."""

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipt_cli.cli import common
from ipt_cli.cli.choices import (
    Adaptation,
    Cadence,
    Condition,
    CourseKind,
    DisputeStage,
    ProblemArea,
)
from ipt_cli.cli.sealing import recorded_now
from ipt_cli.core.catalogue import ADAPTATIONS, DEFAULT_ADAPTATION, phase_span_words
from ipt_cli.core.safety import safety_notice
from ipt_cli.errors import ConflictError, InputError
from ipt_cli.store.paths import check_new_course_id

if TYPE_CHECKING:
    from ipt_cli.core.models import Course
    from ipt_cli.store.drafts import DraftStore
    from ipt_cli.views.output import Output


def _adapted(field: str) -> str:
    """The adaptations whose new courses take another default for `field` ("brief 8,
    adolescent 12"), from the catalogue: the help names what `--adaptation` sets."""
    standard = getattr(ADAPTATIONS[DEFAULT_ADAPTATION], field)
    return ", ".join(
        f"{a.id} {getattr(a, field)}"
        for a in ADAPTATIONS.values()
        if getattr(a, field) not in (None, standard)
    )


NEW_COURSE_EPILOG = """Examples:

  ipt new-course ab-2026 --client A.B. --problem-area grief

  ipt new-course cd-2026 --client C.D. --start 2026-01-05 --sessions 12
  --problem-area role-dispute --problem-area role-transition --dispute-stage impasse
  --phq9 2,2,1,2,1,1,1,0,0 --no-input
"""


@common.with_score_options(after="consent_reason")
def new_course(
    ctx: typer.Context,
    course_id: common.CourseId,
    client: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT", help="Client alias: a pseudonym or initials, never a real name."
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Date of session 1 (default: today).")
    ] = None,
    sessions: Annotated[
        int | None,
        typer.Option(
            "--sessions",
            metavar="N",
            show_default=False,
            help=f"Planned sessions, 4-30 (default "
            f"{ADAPTATIONS[DEFAULT_ADAPTATION].planned_sessions}; {_adapted('planned_sessions')}; "
            "acute IPT usually runs 12-16).",
        ),
    ] = None,
    cadence: Annotated[
        Cadence | None, typer.Option(help="How often sessions are held (default weekly).")
    ] = None,
    kind: Annotated[
        CourseKind | None,
        typer.Option(
            help="clinician-led (default), or self-guided (adds crisis guidance to safety "
            "notices).",
        ),
    ] = None,
    problem_area: Annotated[
        list[ProblemArea] | None,
        typer.Option(
            "--problem-area",
            help="Give it twice for a secondary area (primary first).",
        ),
    ] = None,
    dispute_stage: Annotated[
        DisputeStage | None, typer.Option(help="For a role dispute: its stage.")
    ] = None,
    condition: Annotated[
        Condition | None,
        typer.Option(
            help="The condition profile: what is measured and said (default depression; "
            "see `ipt guide conditions`).",
        ),
    ] = None,
    initial_sessions: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Phase override: sessions 1..N are the initial phase (default "
            f"{phase_span_words()}; {_adapted('initial_sessions')}).",
        ),
    ] = None,
    termination_sessions: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Phase override: the last N sessions are termination (default "
            f"{phase_span_words()}; {_adapted('termination_sessions')}).",
        ),
    ] = None,
    adaptation: Annotated[
        Adaptation | None,
        typer.Option(
            help="How IPT is delivered (default standard); sets the defaults, see "
            "`ipt guide adaptations`.",
            show_default=False,
        ),
    ] = None,
    guardian: Annotated[
        str | None,
        typer.Option(metavar="ALIAS", help="Adolescent courses: the parent or guardian's alias."),
    ] = None,
    consent_by: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Adolescent courses (required): who consented to treatment.",
        ),
    ] = None,
    consent_date: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="Adolescent courses: when consent was given."),
    ] = None,
    consent_reason: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Adolescent courses without --guardian: why consent was given without a "
            "guardian (recorded).",
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from", metavar="FILE.toml", help="Read the whole assessment from a TOML file."
        ),
    ] = None,
    no_input: common.NoInput = False,
    discard_draft: Annotated[
        bool,
        typer.Option(
            "--discard-draft",
            help="Throw away the wizard's saved draft of this course and start again.",
        ),
    ] = False,
    **score_options: Any,
) -> None:
    """Start a course: alias, dates, problem areas, baseline.

    On a terminal, missing values start a step-by-step assessment (inventory, timeline,
    problem areas, formulation, goals, contract). --from reads a whole assessment from a
    TOML file (see examples/assessment-template.toml). The baseline measures count as
    session 0; goals are prefilled from the chosen areas.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes, dates

    store = common.store(ctx)
    if store.exists(check_new_course_id(course_id)):
        raise ConflictError(f"course {course_id!r} already exists; it was left untouched")
    scores = common.MeasureOptions.of(score_options)
    given: dict[str, Any] = {
        "client": client,
        "start_date": dates.parse_date(start, "--start") if start else None,
        "planned_sessions": sessions,
        "cadence": common.word(cadence),
        "kind": common.word(kind),
        "problem_areas": common.words(problem_area) or None,
        "dispute_stage": common.word(dispute_stage),
        "condition": common.word(condition),
        "initial_sessions": initial_sessions,
        "termination_sessions": termination_sessions,
        "baseline_measures": scores.fields() or None,
        "adaptation": common.word(adaptation),
        "guardian": changes.guardian_fields(
            guardian,
            consent_by,
            dates.parse_date(consent_date, "--consent-date") if consent_date else None,
            consent_reason,
        ),
    }
    given = {k: v for k, v in given.items() if v is not None}
    if from_file is not None:
        course = _from_file(course_id, from_file, given)
    elif common.interactive(no_input) and (client is None or not problem_area):
        course = _from_wizard(ctx, course_id, given, discard_draft)
    else:
        course = _from_flags(course_id, given)
    changes.check_consent(course)
    path = store.create(course)
    if from_file is None:
        _drafts(ctx).discard(course_id)  # the course is saved: its draft has done its job
    _announce_new(common.output(ctx), course, path)


def _from_file(course_id: str, path: Path, given: dict[str, Any]) -> "Course":
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.core.assessment import course_from_assessment
    from ipt_cli.store.format import read_toml

    now = dt.datetime.now(dt.UTC)
    return course_from_assessment(read_toml(path), path, course_id, now, common.today(), given)


def _drafts(ctx: typer.Context) -> "DraftStore":
    # lazy: keeps store.drafts (8 modules) off start-up
    from ipt_cli.store.drafts import DraftStore

    store = common.store(ctx)
    return DraftStore(store.paths, store.cipher)


def _from_wizard(
    ctx: typer.Context, course_id: str, given: dict[str, Any], discard: bool
) -> "Course":
    """The assessment wizard, saving a draft after each step; a draft left by an earlier
    run is offered to resume (store/drafts.py)."""
    # lazy: keeps the models (pydantic) and Rich off start-up
    from ipt_cli.core import changes
    from ipt_cli.interact import prompts, wizard

    drafts = _drafts(ctx)
    if discard:
        drafts.discard(course_id)
    draft = drafts.load(course_id)
    resumed = None
    if draft is not None:
        when = draft.saved.astimezone().strftime("%Y-%m-%d %H:%M")
        question = (
            f"A draft of {course_id} saved {when} has steps 1-{draft.step} of 9 answered. "
            "Resume it? (no: start again and discard it)"
        )
        if prompts.confirm(question, default=True):
            resumed = (draft.step, draft.fields)
        else:
            drafts.discard(course_id)

    def save(step: int, fields: dict[str, Any]) -> None:
        drafts.save(course_id, step, fields, dt.datetime.now(dt.UTC))

    root = common.store(ctx).paths.root  # where an edit's working copy is kept
    try:
        fields = wizard.run(given, common.today(), root, save, resumed, output=common.output(ctx))
    except KeyboardInterrupt:
        if os.path.lexists(drafts.path(course_id)):
            common.output(ctx).message(
                f"\nThe answers so far are kept as a draft: `ipt new-course {course_id}` "
                "resumes it (--discard-draft starts again)."
            )
        raise
    return changes.build_course(course_id, fields, dt.datetime.now(dt.UTC))


def _from_flags(course_id: str, given: dict[str, Any]) -> "Course":
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    if "client" not in given:
        raise InputError("missing --client (a pseudonym or initials)")
    if "problem_areas" not in given:
        raise InputError(
            "missing --problem-area (grief, role-dispute, role-transition "
            "or interpersonal-deficits)"
        )
    return changes.build_course(course_id, given, dt.datetime.now(dt.UTC), common.today())


def _announce_new(out: "Output", course: "Course", path: Path) -> None:
    """The confirmation, any notes and safety notice, and the first session's agenda."""
    # lazy: keeps the models (pydantic) and Rich off start-up
    from ipt_cli.core import changes
    from ipt_cli.views import terminal

    note = changes.planned_count_note(course.planned_sessions)
    if note:
        out.notice(note)
    if course.baseline and course.baseline.risk_scores():
        notice = safety_notice(course.id, "baseline", course.baseline, "0", course=course)
        out.safety(notice, course.kind == "self-guided")
    if course.baseline:
        # lazy: keeps the models (pydantic) off start-up
        from ipt_cli.core.tracking import recorded_alerts

        for alert in recorded_alerts(course.baseline, "baseline"):  # a MANIA ALERT
            out.alert(alert.text)
    # lazy: keeps core.planning off `ipt --help` (which loads every command's module)
    from ipt_cli.core.planning import build_agenda, contract_dates

    planned = contract_dates(course.start_date, course.cadence, course.planned_sessions)
    adapted = "" if course.adaptation == "standard" else f" ({course.adaptation})"
    out.done(
        f"Created course {course.id}{adapted} for {course.client}: {course.planned_sessions} "
        f"{course.cadence} sessions, {planned[0].isoformat()} to {planned[-1].isoformat()}.\n"
        f"Saved to {path}"
    )
    agenda = build_agenda(course, 1, planned[0])
    out.show(terminal.agenda_view(agenda, course.kind == "self-guided"))


def contract(
    ctx: typer.Context,
    course_id: common.CourseId,
    sessions: Annotated[
        int, typer.Option("--sessions", metavar="N", help="The new number of sessions.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why the count changes (kept).")
    ],
    maintenance: Annotated[
        bool,
        typer.Option(
            "--maintenance", help="Renegotiate the maintenance contract, not the acute one."
        ),
    ] = False,
    cadence: Annotated[
        Cadence | None,
        typer.Option(help="With --maintenance: a new cadence.", show_default=False),
    ] = None,
    date: common.ActDateOption = None,
) -> None:
    """Renegotiate the number of sessions (history kept); --maintenance: the maintenance
    contract's.

    Dated today, or --date: the day it was agreed (never after today).
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    today, made, recorded = common.today(), common.act_date(date), recorded_now()
    if maintenance:
        change = common.store(ctx).update(
            course_id,
            lambda c: changes.change_maintenance_contract(
                c,
                sessions,
                reason,
                common.word(cadence),
                today,
                made=made,
                recorded_at=recorded,
            ),
        )
        how = f", now {change.cadence}" if change.cadence else ""
        common.output(ctx).done(
            f"Maintenance contract for {course_id}: {change.old} -> {change.new} "
            f"sessions{how}.{common.dated(made)}"
        )
        return
    if cadence is not None:
        raise InputError("--cadence changes only a maintenance contract: add --maintenance")
    change = common.store(ctx).update(
        course_id,
        lambda course: changes.change_contract(
            course, sessions, reason, today, made=made, recorded_at=recorded
        ),
    )
    note = changes.planned_count_note(sessions)
    if note:
        common.output(ctx).notice(note)
    common.output(ctx).done(
        f"Contract for {course_id}: {change.old} -> {change.new} sessions.{common.dated(made)}"
    )


def maintenance(
    ctx: typer.Context,
    course_id: common.CourseId,
    sessions: Annotated[
        int, typer.Option("--sessions", metavar="N", help="Maintenance sessions, 1-500.")
    ] = 12,
    cadence: Annotated[Cadence, typer.Option(help="How often.")] = "monthly",
    start: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="First maintenance session (default: one interval after the last acute session).",
        ),
    ] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="Open maintenance although the course has no response (the manuals advise "
            "another treatment); needed when no one is asked.",
        ),
    ] = False,
    no_input: common.NoInput = False,
) -> None:
    """Open a maintenance contract after the acute course.

    Sessions dated from its start are recorded and reported apart from the acute ones.
    To change an open contract: ipt contract COURSE_ID --maintenance --sessions N --reason TEXT.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes, dates

    today = common.today()
    first = dates.parse_date(start, "--start") if start else None
    course = common.store(ctx).load(course_id)
    if course.maintenance is None and course.sessions_used >= course.planned_sessions:
        # lazy: keeps the models (pydantic) and Rich off start-up
        from ipt_cli.core.progress import ending_gate
        from ipt_cli.interact.ending import confirm_despite_non_response

        gate = ending_gate(course, common.scoring_rules(ctx))
        if gate is not None:
            confirm_despite_non_response(
                common.output(ctx),
                gate.advice,
                "maintenance",
                confirm,
                common.interactive(no_input),
                gate.reason,
            )
    plan = common.store(ctx).update(
        course_id, lambda c: changes.open_maintenance(c, sessions, str(cadence), first, today)
    )
    common.output(ctx).done(
        f"Maintenance for {course_id}: {plan.planned_sessions} {plan.cadence} sessions from "
        f"{plan.start_date.isoformat()}."
    )


def register(app: typer.Typer) -> None:
    app.command("new-course", epilog=NEW_COURSE_EPILOG)(new_course)
    app.command(
        epilog="Examples:\n\n  ipt contract ab-2026 --sessions 20 --reason "
        "'Slower start after a bereavement'\n\n  ipt contract ab-2026 --maintenance "
        "--sessions 24 --reason 'Second year agreed'"
    )(contract)
    app.command(
        epilog="Examples:\n\n  ipt maintenance ab-2026\n\n  ipt maintenance ab-2026 "
        "--sessions 24 --cadence monthly --start 2026-07-01"
    )(maintenance)
