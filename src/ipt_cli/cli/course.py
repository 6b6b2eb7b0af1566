"""`ipt new-course`, `ipt contract` and `ipt maintenance`: a course's contracts."""

from pathlib import Path
from typing import Annotated, Any

import typer

from ipt_cli.cli import common, completion

NEW_COURSE_EPILOG = """Examples:

  ipt new-course ab-2026 --client A.B. --problem-area grief

  ipt new-course cd-2026 --client C.D. --start 2026-01-05 --sessions 12
  --problem-area role-dispute --problem-area role-transition --dispute-stage impasse
  --phq9 2,2,1,2,1,1,1,0,0 --no-input
"""


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
            help="Planned sessions, 4-30 (default 16; acute IPT usually runs 12-16).",
        ),
    ] = None,
    cadence: Annotated[
        str | None, typer.Option(metavar="TEXT", help="weekly (default), fortnightly or monthly.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="clinician-led (default), or self-guided (adds crisis guidance to safety "
            "notices).",
        ),
    ] = None,
    problem_area: Annotated[
        list[str] | None,
        typer.Option(
            "--problem-area",
            metavar="AREA",
            autocompletion=completion.problem_areas,
            help="grief, role-dispute, role-transition or interpersonal-deficits; give it twice "
            "for a secondary area (primary first).",
        ),
    ] = None,
    dispute_stage: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="For a role dispute: renegotiation, impasse or dissolution.",
            autocompletion=completion.dispute_stages,
        ),
    ] = None,
    initial_sessions: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Phase override: sessions 1..N are the initial phase (default 3; "
            "2 below 10 sessions).",
        ),
    ] = None,
    termination_sessions: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Phase override: the last N sessions are termination (default 3; "
            "2 below 10 sessions).",
        ),
    ] = None,
    phq9: common.Phq9Option = None,
    phq9_difficulty: common.Phq9DifficultyOption = None,
    gad7: common.Gad7Option = None,
    hamd17: common.Hamd17Option = None,
    bdi2_total: common.Bdi2TotalOption = None,
    bdi2_item9: common.Bdi2Item9Option = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from", metavar="FILE.toml", help="Read the whole assessment from a TOML file."
        ),
    ] = None,
    no_input: common.NoInput = False,
) -> None:
    """Start a course: alias, dates, problem areas, baseline.

    On a terminal, missing values start a step-by-step assessment (inventory, timeline,
    problem areas, formulation, goals, contract). --from reads a whole assessment from a
    TOML file (see examples/assessment-template.toml). The baseline measures count as
    session 0; goals are prefilled from the chosen areas.
    """
    import datetime as dt

    from ipt_cli.core import changes, dates
    from ipt_cli.core.planning import build_agenda, contract_dates
    from ipt_cli.errors import ConflictError, InputError
    from ipt_cli.store.paths import check_course_id
    from ipt_cli.views import terminal

    course_store = common.store(ctx)
    if course_store.exists(check_course_id(course_id)):
        raise ConflictError(f"course {course_id!r} already exists; it was left untouched")
    now, today = dt.datetime.now(dt.UTC), common.today()
    given: dict[str, Any] = {
        "client": client,
        "start_date": dates.parse_date(start, "--start") if start else None,
        "planned_sessions": sessions,
        "cadence": cadence,
        "kind": kind,
        "problem_areas": list(problem_area) if problem_area else None,
        "dispute_stage": dispute_stage,
        "initial_sessions": initial_sessions,
        "termination_sessions": termination_sessions,
        "baseline_measures": changes.measure_fields(
            phq9, phq9_difficulty, gad7, hamd17, bdi2_total, bdi2_item9
        )
        or None,
    }
    if from_file is not None:
        from ipt_cli.core.assessment import course_from_assessment
        from ipt_cli.store.courses import read_toml

        explicit = {k: v for k, v in given.items() if v is not None}
        course = course_from_assessment(
            read_toml(from_file), from_file, course_id, now, today, explicit
        )
    elif common.interactive(no_input) and (client is None or not problem_area):
        from ipt_cli.interact import wizard

        fields = wizard.run({k: v for k, v in given.items() if v is not None}, today)
        course = changes.build_course(course_id, fields, now)
    else:
        if client is None:
            raise InputError("missing --client (a pseudonym or initials)")
        if not problem_area:
            raise InputError(
                "missing --problem-area (grief, role-dispute, role-transition "
                "or interpersonal-deficits)"
            )
        course = changes.build_course(course_id, given, now, today)
    path = course_store.create(course)
    note = changes.planned_count_note(course.planned_sessions)
    if note:
        terminal.notice(note)
    if course.baseline and course.baseline.risk_scores():
        from ipt_cli.core.safety import notice_lines

        terminal.safety_notice(
            notice_lines("baseline", course.baseline), course.kind == "self-guided"
        )
    planned = contract_dates(course.start_date, course.cadence, course.planned_sessions)
    terminal.out().print(
        f"Created course {course.id} for {course.client}: {course.planned_sessions} "
        f"{course.cadence} sessions, {planned[0].isoformat()} to {planned[-1].isoformat()}.\n"
        f"Saved to {path}"
    )
    terminal.print_agenda(build_agenda(course, 1, planned[0]), course.kind == "self-guided")


def contract(
    ctx: typer.Context,
    course_id: common.CourseId,
    sessions: Annotated[
        int, typer.Option("--sessions", metavar="N", help="The new number of sessions.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why the count changes (kept).")
    ],
) -> None:
    """Renegotiate the number of sessions (history kept)."""
    from ipt_cli.core import changes
    from ipt_cli.views import terminal

    today = common.today()
    change = common.store(ctx).update(
        course_id, lambda course: changes.change_contract(course, sessions, reason, today)
    )
    note = changes.planned_count_note(sessions)
    if note:
        terminal.notice(note)
    terminal.out().print(f"Contract for {course_id}: {change.old} -> {change.new} sessions.")


def maintenance(
    ctx: typer.Context,
    course_id: common.CourseId,
    sessions: Annotated[
        int, typer.Option("--sessions", metavar="N", help="Maintenance sessions, 1-500.")
    ] = 12,
    cadence: Annotated[
        str, typer.Option(metavar="TEXT", help="weekly, fortnightly or monthly.")
    ] = "monthly",
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
    Run it again to change the number of sessions or the cadence.
    """
    from ipt_cli.core import changes, dates
    from ipt_cli.views import terminal

    today = common.today()
    first = dates.parse_date(start, "--start") if start else None
    course = common.store(ctx).load(course_id)
    if course.maintenance is None and len(course.sessions) >= course.planned_sessions:
        from ipt_cli.core.progress import course_non_response
        from ipt_cli.interact.ending import confirm_despite_non_response

        confirm_despite_non_response(
            course_non_response(course, common.scoring_rules(ctx)),
            "maintenance",
            confirm,
            common.interactive(no_input),
        )
    plan = common.store(ctx).update(
        course_id, lambda c: changes.open_maintenance(c, sessions, cadence, first, today)
    )
    terminal.out().print(
        f"Maintenance for {course_id}: {plan.planned_sessions} {plan.cadence} sessions from "
        f"{plan.start_date.isoformat()}."
    )


def register(app: typer.Typer) -> None:
    app.command("new-course", epilog=NEW_COURSE_EPILOG)(new_course)
    app.command(
        epilog="Example:\n\n  ipt contract ab-2026 --sessions 20 --reason "
        "'Slower start after a bereavement'"
    )(contract)
    app.command(
        epilog="Examples:\n\n  ipt maintenance ab-2026\n\n  ipt maintenance ab-2026 "
        "--sessions 24 --cadence monthly --start 2026-07-01"
    )(maintenance)
