"""`ipt session` (record, backfill, amend or mark missed) and `ipt risk-review`."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipt_cli.cli import common, completion
from ipt_cli.cli.choices import DisputeStage, Ideation, ProblemArea, RiskLevel, Technique
from ipt_cli.core import dates
from ipt_cli.core.risk import high_risk, missing_judgement, risk_state, structured_fields
from ipt_cli.core.safety import lifetime_noes, safety_notice
from ipt_cli.core.structs import struct
from ipt_cli.core.vocabulary import IdeationId, RiskLevelId, words
from ipt_cli.errors import InputError, NotFoundError

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.changes import Located, Recorded
    from ipt_cli.core.corrections import FlagChanges
    from ipt_cli.core.measures import ScoringRules
    from ipt_cli.core.models import Correction, Course, SessionRecord
    from ipt_cli.store.courses import CourseStore
    from ipt_cli.views.output import Output

SESSION_EPILOG = """Examples:

  ipt session ab-2026 --phq9 1,1,1,1,1,0,1,0,0 --mood 6 --technique role-play
  --goal grief-mourning=4 --task 'Call my sister' --note 'Talked about the funeral'

  ipt session ab-2026 --date 2026-02-02 --missed 'Client unwell'

  ipt session ab-2026 --amend 3 --note 'Correction: the call was on Friday'

  ipt session ab-2026 --fix 3 --mood 5 --phq9 1,1,0,1,0,0,1,0,0 --reason 'Scored from the
  wrong form'

  ipt session ab-2026 --withdraw 4 --reason 'Recorded in the wrong course'

On a terminal, `ipt session ab-2026` (or with only --date) asks for the session, following
its agenda.
"""


def _note_text(note: str | None, note_file: Path | None, edit: bool, root: Path) -> str | None:
    # lazy: keeps interact.editor_command (12 modules) off start-up
    from ipt_cli.interact.editor_command import edit_text

    given = [
        name
        for name, value in (("--note", note), ("--note-file", note_file), ("--edit", edit or None))
        if value is not None
    ]
    if len(given) > 1:
        raise InputError(f"give only one of {', '.join(given)}")
    if note_file is not None:
        try:  # bytes, then decoded: CR and CRLF stay exactly as in the file, as with --note
            return note_file.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"{note_file}: no such file") from None
        except (OSError, UnicodeDecodeError):
            raise InputError(f"{note_file}: cannot be read as UTF-8 text") from None
    if edit:
        return edit_text("", root=root).strip() or None  # an empty note only means no note
    return note


@common.with_score_options(after="date")
def session(
    ctx: typer.Context,
    course_id: common.CourseId,
    date: common.DateOption = None,
    mood: Annotated[int | None, typer.Option(metavar="0-10", help="Mood rating 0-10.")] = None,
    events: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Mood and events since the last session.")
    ] = None,
    focus: Annotated[
        ProblemArea | None, typer.Option(help="Problem area worked on.", show_default=False)
    ] = None,
    technique: Annotated[
        list[Technique] | None,
        typer.Option("--technique", help="Technique used (repeatable).", show_default=False),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            metavar="ID",
            help="Strategy covered (repeatable); see `ipt agenda`.",
            autocompletion=completion.strategies,
        ),
    ] = None,
    goal: Annotated[
        list[str] | None,
        typer.Option("--goal", metavar="GOAL_ID=0..10", help="Goal progress rating (repeatable)."),
    ] = None,
    dispute_stage: Annotated[
        DisputeStage | None,
        typer.Option(help="Role-dispute stage now.", show_default=False),
    ] = None,
    task: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Between-session task agreed.")
    ] = None,
    task_outcome: Annotated[
        str | None, typer.Option(metavar="TEXT", help="How last session's task went.")
    ] = None,
    attendee: Annotated[
        list[str] | None,
        typer.Option(
            "--attendee",
            metavar="WHO",
            help="Who attended (repeatable): client, guardian, partner, interpreter or other:NAME.",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Session note (private).")
    ] = None,
    note_file: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Read the note from a UTF-8 file.")
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Write the note in $VISUAL/$EDITOR.")
    ] = False,
    missed: Annotated[
        str | None,
        typer.Option(metavar="REASON", help="Record a missed or cancelled appointment instead."),
    ] = None,
    amend: Annotated[
        str | None,
        typer.Option(
            metavar="N|DATE",
            help="Add a dated addendum (the note) to session N, or to the session held on "
            "DATE (YYYY-MM-DD; mN: maintenance session N); the original stays.",
        ),
    ] = None,
    group_session: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Group IPT: add the note, privately, to this member's record of group "
            "session N (kept in the member's course, never in the group file).",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="NAME",
            help="With --amend or --withdraw: who writes it (default: signer in config.toml).",
        ),
    ] = None,
    fix: Annotated[
        str | None,
        typer.Option(
            metavar="N|DATE",
            help="Correct recorded values (measures, mood, techniques, task...) of session N "
            "or of the session held on DATE; the old values stay in its history.",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="With --fix: why the value was wrong; with --withdraw: why the session was "
            "recorded by mistake.",
        ),
    ] = None,
    withdraw: Annotated[
        str | None,
        typer.Option(
            metavar="N|DATE",
            help="Withdraw an unsigned session recorded by mistake (with --reason): kept in "
            "the file and the history, marked withdrawn, counted nowhere as a session given. "
            "Refused for a signed session, and while its safety flag is unreviewed.",
        ),
    ] = None,
    same_day: Annotated[
        bool,
        typer.Option(
            "--same-day",
            help="A second sitting on a day that already has a session (or a missed one) "
            "is intended.",
        ),
    ] = False,
    no_input: common.NoInput = False,
    **score_options: Any,
) -> None:
    """Record a session: measures, mood, goals, task, note.

    Sessions may be backfilled: they are kept in date order and numbered 1.. in that order.
    """
    out, store, today = common.output(ctx), common.store(ctx), common.today()
    text = _note_text(note, note_file, edit, store.paths.root)
    scores = common.MeasureOptions.of(score_options)
    details = SessionDetails(
        mood, events, common.word(focus), common.words(technique), strategy or [], goal or [],
        common.word(dispute_stage), task, task_outcome, attendee or [],
    )  # fmt: skip
    given = details.given() + scores.given()
    if withdraw is not None:
        others = (text, missed, amend, date, fix, group_session, same_day or None)
        if given or any(o is not None for o in others):
            raise InputError("--withdraw takes only --reason and --by")
        _withdraw(ctx, course_id, withdraw, reason, by)
        return
    if fix is not None or reason is not None:
        others = (text, missed, amend, date, by, group_session, same_day or None)
        conflicting = any(o is not None for o in others)
        _fix(ctx, course_id, details, scores, ref=fix, reason=reason, other=conflicting)
        return
    _check_combination(given + (["--same-day"] if same_day else []), amend, missed)
    if group_session is not None:
        # lazy: keeps cli.group off `ipt session ab --mood 6 --note x`
        from ipt_cli.cli.group import group_session_date

        amend = _group_ref(amend, missed, given, group_session_date(ctx, course_id, group_session))
    if by is not None and amend is None:
        raise InputError("--by names who writes an addendum: it goes with --amend")
    if amend is not None:
        _amend(ctx, course_id, amend, text, by)
    elif missed is not None:
        when = dates.parse_date(date, "--date") if date else today
        _missed(out, store, course_id, when, missed, today=today, same_day=same_day)
    elif not given and text is None:
        # Options without a session's details (--date, --same-day) never record an empty
        # session: on a terminal they start the questions, filled in (issue 27).
        given_day = dates.parse_date(date, "--date") if date else None
        if not common.interactive(no_input):
            day = f" for {given_day.isoformat()}" if given_day else ""
            raise InputError(
                f"nothing to record{day}: give the session's details (e.g. --phq9, --mood, "
                "--note; --attendee client for a session held with nothing else recorded), "
                "or run it at a terminal to be asked"
            )
        preset = Preset(given_day, same_day)
        _ask_and_record(out, store, course_id, today, common.scoring_rules(ctx), preset)
    else:
        when = dates.parse_date(date, "--date") if date else today
        record = details.record(when, text, scores.fields())
        context = RecordingContext(today, same_day, common.scoring_rules(ctx))
        _record(out, store, course_id, record, context)


@struct(frozen=True)
class Preset:
    """What the options already said of a session asked for on a terminal."""

    date: "dt.date | None"
    same_day: bool


@struct(frozen=True)
class RecordingContext:
    """What a recorded session is checked and reported against: today, whether a second
    sitting on one day is intended (--same-day), and the scoring rules."""

    today: "dt.date"
    same_day: bool
    rules: "ScoringRules"


@struct(frozen=True)
class SessionDetails:
    """What a session's options say beyond the measures and the note."""

    mood: int | None
    events: str | None
    focus: str | None
    techniques: list[str]
    strategies: list[str]
    goal_ratings: list[str]
    dispute_stage: str | None
    task: str | None
    task_outcome: str | None
    attendees: list[str]

    def given(self) -> list[str]:
        """The options given, as typed."""
        # lazy: keeps pydantic off start-up
        from ipt_cli.core.validation import SESSION_OPTIONS

        return [
            SESSION_OPTIONS[name] for name, value in vars(self).items() if value not in (None, [])
        ]

    def record(self, when: "dt.date", note: str | None, scores: dict[str, Any]) -> "SessionRecord":
        # lazy: keeps the models (pydantic) off start-up
        from ipt_cli.core import changes, inputs

        return changes.session_record(
            when,
            note=note,
            measure_options=scores,
            mood=self.mood,
            events=self.events,
            focus=self.focus,
            techniques=self.techniques,
            strategies=self.strategies,
            goal_ratings=[inputs.parse_goal_rating(g) for g in self.goal_ratings],
            dispute_stage=self.dispute_stage,
            task=self.task,
            task_outcome=self.task_outcome,
            attendees=self.attendees,
        )


def _fix(
    ctx: typer.Context,
    course_id: str,
    details: "SessionDetails",
    scores: "common.MeasureOptions",
    *,
    ref: str | None,
    reason: str | None,
    other: bool,
) -> None:
    """Correct recorded values of one session (`ref`, as --fix gave it), keeping the old
    ones with date and `reason`; `other`: an option that --fix does not take was given."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.cli import sealing
    from ipt_cli.core import changes, corrections, inputs, safety
    from ipt_cli.core.tracking import recorded_alerts

    if ref is None:
        raise InputError("--reason goes with --fix SESSION")
    if reason is None:
        raise InputError("--fix needs --reason TEXT: why the recorded value was wrong")
    if other:
        raise InputError(
            "--fix takes only the corrected values (measures, --mood, --technique, --task...) "
            "and --reason; a note is corrected with --amend"
        )
    fields: dict[str, Any] = {
        name: value for name, value in vars(details).items() if value not in (None, [])
    }
    if "goal_ratings" in fields:
        fields["goal_ratings"] = dict(inputs.parse_goal_rating(g) for g in fields["goal_ratings"])
    for name in ("techniques", "strategies"):
        if name in fields:
            fields[name] = list(dict.fromkeys(fields[name]))
    fields.update(scores.fields())
    today, recorded = common.today(), sealing.recorded_now()
    raised: list[str] = []
    seen: list[FlagChanges] = []

    def fix(course: "Course") -> "tuple[Located, list[Correction], Course]":
        before = changes.locate_session(course, ref).sitting.model_copy(deep=True)
        waiting = safety.waiting_flags(course)
        where, made = corrections.fix_session(
            course, ref, fields, reason, today, recorded_at=recorded
        )
        raised.extend(safety.raised_risk(before, where.sitting))
        fixed_at = (where.maintenance, where.sitting.date)
        seen.append(corrections.flag_changes(waiting, safety.waiting_flags(course), fixed_at))
        return where, made, course

    where, made, course = common.store(ctx).update(course_id, fix)
    kind = course.kind
    out = common.output(ctx)
    for fixed in made:
        out.done(
            f"Fixed {fixed.field} of {where.described} of {course_id}: {fixed.old} -> {fixed.new}."
        )
    if raised:  # a fix that raises a risk item creates a flag: the notice (defect 14)
        number = f"m{where.number}" if where.maintenance else str(where.number)
        notice = safety.safety_notice(
            course_id, where.label, where.sitting, number, raised, course=course
        )
        out.safety(notice, kind == "self-guided")
    for flag in seen[0].raised:  # e.g. a later "attempt ever = yes" now after a "no": URGENT
        at = changes.locate_session(course, flag.session, flag.maintenance)
        shown = f"m{flag.session}" if flag.maintenance else str(flag.session)
        notice = safety.safety_notice(
            course_id, at.label, at.sitting, shown, [flag.instrument], course=course
        )
        out.safety(notice, kind == "self-guided")
    calmed = [
        f"No longer URGENT after this correction, still waiting for review: {flag.label}"
        for flag in seen[0].calmed
    ]
    out.open_flags(calmed, False)  # never a silent change to a risk signal (HAZ-48)
    _warn_of_lifetime_noes(out, course, where, only=set(fields))  # a fix to "no"
    for alert in recorded_alerts(where.sitting, where.label):  # a corrected ASRM of 6 or more
        if alert.instrument in fields:
            out.alert(alert.text)


def _group_ref(amend: str | None, missed: str | None, given: list[str], date: "dt.date") -> str:
    """--group-session N is an addendum to the member's session on the group's date."""
    if amend is not None or missed is not None or given:
        raise InputError("--group-session takes only --note, --note-file or --edit")
    return date.isoformat()


def _check_combination(given: list[str], amend: str | None, missed: str | None) -> None:
    if amend is not None and (given or missed is not None):
        raise InputError("--amend takes only --note, --note-file or --edit")
    if missed is not None and [g for g in given if g != "--same-day"]:
        raise InputError(
            f"--missed records an appointment that was not held; drop {', '.join(given)}"
        )


def _missed(
    out: "Output",
    store: "CourseStore",
    course_id: str,
    when: "dt.date",
    reason: str,
    *,
    today: "dt.date",
    same_day: bool,
) -> None:
    """Record a missed appointment, its date checked against `today` and --same-day."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.session_dates import check_date

    def add_missed(course: "Course") -> "Course":
        check_date(course, when, today, same_day=same_day, missed=True)
        changes.add_missed(course, when, reason)
        return course

    course = store.update(course_id, add_missed)
    out.done(f"Recorded a missed appointment on {when.isoformat()} for {course_id}.")
    # the moment a missed appointment at risk matters most: the flags still open, and the
    # follow-up it now owes (the contact), as the agenda and list will show them
    out.still_open(
        risk_state(course, today), course.kind == "self-guided", other_sessions=False,
        follow_up=True,
    )  # fmt: skip


def _withdraw(
    ctx: typer.Context, course_id: str, ref: str, reason: str | None, by: str | None
) -> None:
    """Withdraw an unsigned session recorded by mistake; it stays in the file, marked."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.cli import sealing
    from ipt_cli.core.corrections import withdraw_session
    from ipt_cli.core.tracking import recorded_alerts

    if reason is None or not reason.strip():
        raise InputError("--withdraw needs --reason TEXT: why the session was recorded by mistake")
    today, recorded, writer = common.today(), sealing.recorded_now(), sealing.signer(ctx, by)
    where = common.store(ctx).update(
        course_id,
        lambda course: withdraw_session(course, ref, reason, today, writer, recorded),
    )
    out = common.output(ctx)
    out.done(
        f"Withdrew {where.described} of {course_id}: kept in the record as withdrawn, no "
        "longer counted as a session given; later sessions are numbered without it."
    )
    for alert in recorded_alerts(where.sitting, where.label):  # an ASRM of 6 or more
        out.notice(
            f"withdrawn with it, and no longer counted: {alert.text.rstrip('.')}. If that "
            "score was the client's, record it again where it belongs."
        )


def _ask_and_record(
    out: "Output",
    store: "CourseStore",
    course_id: str,
    today: "dt.date",
    rules: "ScoringRules",
    preset: Preset,
) -> None:
    # lazy: keeps the models (pydantic) and Rich off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.session_dates import check_bounds
    from ipt_cli.interact.session import ask_session

    course = store.load(course_id)
    if preset.date is not None:  # a wrong --date is refused before the questions
        check_bounds(course, preset.date, today)
    if course.maintenance is None:
        changes.check_room(course)  # before the questions, not after them
    answers = ask_session(
        course,
        today,
        rules,
        store.paths.root,
        output=out,
        date=preset.date,
        same_day=preset.same_day,
    )
    context = RecordingContext(today, answers.pop("same_day"), rules)
    _record(out, store, course_id, changes.session_record(answers.pop("date"), **answers), context)


def _amend(
    ctx: typer.Context,
    course_id: str,
    ref: str,
    text: str | None,
    by: str | None,
) -> None:
    """An addendum; to a signed session, a signed one (sealed in the course's chain)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.cli import sealing
    from ipt_cli.core import record

    if not text:
        raise InputError("--amend needs the addendum text: --note, --note-file or --edit")
    today, at, seal = common.today(), sealing.now(), sealing.sealer(ctx)
    writer = sealing.signer(ctx, by)

    def add(course: "Course") -> tuple[str, bool]:
        where = record.amend(course, ref, text, today, at, writer, seal, wall=sealing.wall_clock())
        return where.described, record.session_of(where).addenda[-1].signature is not None

    described, sealed = common.store(ctx).update(course_id, add)
    signed = " (the session is signed: the addendum is signed too)" if sealed else ""
    common.output(ctx).done(f"Added an addendum to {described} of {course_id}{signed}.")


def _record(
    out: "Output",
    store: "CourseStore",
    course_id: str,
    record: "SessionRecord",
    context: RecordingContext,
) -> None:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.session_dates import check_date
    from ipt_cli.core.tracking import recorded_alerts

    def record_it(course: "Course") -> tuple["Recorded", "Course"]:
        check_date(course, record.date, context.today, same_day=context.same_day)
        return changes.record_session(course, record), course

    done, course = store.update(course_id, record_it)
    out.done(changes.describe_recorded(course, done, record))
    self_guided, noticed = course.kind == "self-guided", bool(record.risk_scores())
    if noticed:
        ref = f"m{done.number}" if done.maintenance else str(done.number)
        notice = safety_notice(course.id, done.label, record, ref, course=course)
        out.safety(notice, self_guided)
    # the crisis guidance of a self-guided course once: with the notice, else here
    _say_open_flags(out, course, done, context.today, self_guided and not noticed)
    _warn_of_lifetime_noes(out, course, done)
    for alert in recorded_alerts(record, done.label):  # a MANIA ALERT, as its flag's notice
        out.alert(alert.text)
    _warn_of_outcomes(out, course, record, context.rules)


def _say_open_flags(
    out: "Output", course: "Course", done: "Recorded", today: "dt.date", crisis: bool
) -> None:
    """The flags of other sittings still unreviewed, after the confirmation: the agenda,
    report and list show them, and so does the moment a session is recorded (the session's
    own flags are its SAFETY notice's)."""
    others = risk_state(course, today).without_sitting(course.id, done.number, done.maintenance)
    out.still_open(others, crisis)


def _warn_of_lifetime_noes(
    out: "Output",
    course: "Course",
    done: "Recorded | Located",
    only: set[str] | None = None,
) -> None:
    """A lifetime risk answer (the PHQ-A's "suicide attempt ever") that this session gives
    as "no" after an earlier "yes": kept as given, and said in one line (core rule:
    `safety.lifetime_noes`); `only`: the instruments a fix corrected."""
    for found in lifetime_noes(course):
        here = (found.sitting.maintenance, found.sitting.number) == (done.maintenance, done.number)
        if here and (only is None or found.instrument in only):
            out.warn(f"warning: {found.line}")


def _warn_of_outcomes(
    out: "Output", course: "Course", record: "SessionRecord", rules: "ScoringRules"
) -> None:
    """A reliable deterioration or a relapse that this session's scores show, at once (a
    mania alert is said by `_record`, from the session's own score)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.progress import build_report

    if record.instruments():
        for alert in build_report(course, record.date, rules).alerts:
            if alert.date == record.date and alert.kind != "mania":
                out.notice(f"warning: {alert.text}", style="bold dark_orange")


class YesNo(StrEnum):
    yes = "yes"
    no = "no"


def _yes_no(value: YesNo | None) -> bool | None:
    return None if value is None else value is YesNo.yes


def risk_review(
    ctx: typer.Context,
    course_id: common.CourseId,
    session_ref: Annotated[
        str,
        typer.Option(
            "--session",
            metavar="N|DATE",
            help="The session whose flags were reviewed: its number (0 = baseline, mN = "
            "maintenance N) or its date (YYYY-MM-DD).",
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Outcome of the review (asked for on a terminal)."),
    ] = None,
    plan: Annotated[str | None, typer.Option(metavar="TEXT", help="Safety plan agreed.")] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who reviewed (kept).")
    ] = None,
    ideation: Annotated[
        Ideation | None,
        typer.Option(help="Thoughts of death or suicide.", show_default=False),
    ] = None,
    plan_made: Annotated[
        YesNo | None, typer.Option("--plan-made", help="A suicide plan made?", show_default=False)
    ] = None,
    intent: Annotated[YesNo | None, typer.Option(help="Intent to act?", show_default=False)] = None,
    means: Annotated[
        YesNo | None, typer.Option(help="Access to means?", show_default=False)
    ] = None,
    protective: Annotated[
        list[str] | None,
        typer.Option("--protective", metavar="TEXT", help="A protective factor (repeatable)."),
    ] = None,
    level: Annotated[
        RiskLevel | None,
        typer.Option(
            help="The clinician's judgement; high keeps a banner on agenda and report until a "
            "later review lowers it.",
            show_default=False,
        ),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option(
            "--action",
            metavar="TEXT",
            help="What was done, e.g. 'Safety plan reviewed', 'GP informed' (repeatable).",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            help="The day the review was made, for one written later (default: today; not "
            "after today, not before the session it reviews). The time it is written is kept.",
        ),
    ] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="Lower a standing HIGH level without being asked (the review recorded last "
            "sets the level, whichever session it reviews).",
        ),
    ] = False,
    no_input: common.NoInput = False,
) -> None:
    """Record a risk review of a session's safety flags.

    Every review is kept, in order: a later review adds to the history, never replaces it.
    Reviewed flags stay in the record, marked reviewed, and leave the top of reports. A
    review needs the clinician's judgement: --ideation, --level and --action (asked for on a
    terminal). The standing level is the level of the review recorded last.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.cli import sealing
    from ipt_cli.core import dates, record

    made = dates.parse_date(date, "--date") if date else None

    fields = structured_fields(
        common.word(ideation),
        _yes_no(plan_made),
        _yes_no(intent),
        _yes_no(means),
        protective,
        common.word(level),
        action,
    )
    if common.interactive(no_input):
        # Rich: prompts only on a terminal
        from ipt_cli.interact.risk import ask_review

        common.store(ctx).load(course_id)  # a missing course is refused before the questions
        note, fields = ask_review(note, fields)
    if note is None:
        raise InputError("give the outcome of the review with --note")
    missing = missing_judgement(fields)
    if missing:  # a review without a judgement must not clear a flag (issue 26, defect 2)
        raise InputError(
            "a risk review needs the clinician's judgement: give "
            + ", ".join(missing)
            + f" (ideation {'|'.join(words(IdeationId))}, level {'|'.join(words(RiskLevelId))},"
            " what was done)"
        )
    _confirm_lowering(ctx, course_id, fields.get("level"), confirm, no_input)
    today, at, seal = common.today(), sealing.now(), sealing.sealer(ctx)
    recorded = sealing.recorded_now()

    def review_it(course: "Course") -> "tuple[Course, Located]":
        _, where = record.review(
            course, session_ref, note, plan, today, at, by, fields, seal, recorded, made
        )
        return course, where

    course, where = common.store(ctx).update(course_id, review_it)
    count = len(where.sitting.risk_reviews)
    level_said = f" Risk level: {fields['level']}." if "level" in fields else ""
    if made is not None and made != today:
        level_said += f" Dated {made.isoformat()}, recorded {today.isoformat()}."
    out = common.output(ctx)
    out.done(
        f"Risk review recorded for {where.described} of {course_id}"
        + (f" (review {count} of that session; earlier ones are kept)." if count > 1 else ".")
        + level_said
    )
    # the flags of other sittings still waiting: one review closes one sitting's flags
    out.still_open(risk_state(course, today), course.kind == "self-guided")


def _confirm_lowering(
    ctx: typer.Context, course_id: str, level: str | None, confirm: bool, no_input: bool
) -> None:
    """A review that would lower a standing HIGH level says so and is confirmed: a catch-up
    review of an older session must not end a HIGH judgement by accident."""
    # Rich: prompts only on a terminal
    from ipt_cli.interact.ending import confirm_despite_non_response

    standing = high_risk(common.store(ctx).load(course_id))
    if standing is None or level in (None, "high"):
        return
    advice = (
        f"This review lowers the standing risk level from HIGH (judged "
        f"{standing.reviewed.isoformat()} in the review of {standing.where}) to {level}: the "
        "review recorded last sets the level, whichever session it reviews."
    )
    confirm_despite_non_response(
        common.output(ctx),
        advice,
        f"a {level} level",
        confirm,
        common.interactive(no_input),
        "it lowers a standing HIGH risk level",
    )


def register(app: typer.Typer) -> None:
    app.command(epilog=SESSION_EPILOG)(session)
    app.command(
        "risk-review",
        epilog="Examples:\n\n  ipt risk-review ab-2026 --session 3 "
        "--note 'Passive thoughts, no plan or intent' --ideation passive --level low "
        "--action 'Safety plan updated'\n\n"
        "  ipt risk-review ab-2026 --session 2026-01-26 --note 'Reviewed' --ideation passive "
        "--plan-made no --intent no --means no --protective 'Her children' --level low "
        "--action 'Safety plan reviewed' --no-input",
    )(risk_review)
