"""`ipt session` (record, backfill, amend or mark missed) and `ipt risk-review`."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common, completion

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.changes import Recorded
    from ipt_cli.core.measures import ScoringRules
    from ipt_cli.core.models import Course, SessionRecord
    from ipt_cli.store.courses import CourseStore

SESSION_EPILOG = """Examples:

  ipt session ab-2026 --phq9 1,1,1,1,1,0,1,0,0 --mood 6 --technique role-play
  --goal grief-mourning=4 --task 'Call my sister' --note 'Talked about the funeral'

  ipt session ab-2026 --date 2026-02-02 --missed 'Client unwell'

  ipt session ab-2026 --amend 3 --note 'Correction: the call was on Friday'
"""


def _note_text(note: str | None, note_file: Path | None, edit: bool) -> str | None:
    from ipt_cli.errors import InputError, NotFoundError
    from ipt_cli.interact.editor_command import edit_text

    given = [
        name
        for name, value in (("--note", note), ("--note-file", note_file), ("--edit", edit or None))
        if value is not None
    ]
    if len(given) > 1:
        raise InputError(f"give only one of {', '.join(given)}")
    if note_file is not None:
        try:
            return note_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"{note_file}: no such file") from None
        except (OSError, UnicodeDecodeError):
            raise InputError(f"{note_file}: cannot be read as UTF-8 text") from None
    if edit:
        return edit_text("").strip() or None  # an empty note only means no note
    return note


def session(
    ctx: typer.Context,
    course_id: common.CourseId,
    date: common.DateOption = None,
    phq9: common.Phq9Option = None,
    phq9_difficulty: common.Phq9DifficultyOption = None,
    gad7: common.Gad7Option = None,
    hamd17: common.Hamd17Option = None,
    bdi2_total: common.Bdi2TotalOption = None,
    bdi2_item9: common.Bdi2Item9Option = None,
    mood: Annotated[int | None, typer.Option(metavar="0-10", help="Mood rating 0-10.")] = None,
    events: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Mood and events since the last session.")
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option(
            metavar="AREA", help="Problem area worked on.", autocompletion=completion.problem_areas
        ),
    ] = None,
    technique: Annotated[
        list[str] | None,
        typer.Option(
            "--technique",
            metavar="ID",
            help="Technique used (repeatable), e.g. role-play.",
            autocompletion=completion.techniques,
        ),
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
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Role-dispute stage now: renegotiation, impasse or dissolution.",
            autocompletion=completion.dispute_stages,
        ),
    ] = None,
    task: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Between-session task agreed.")
    ] = None,
    task_outcome: Annotated[
        str | None, typer.Option(metavar="TEXT", help="How last session's task went.")
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
    no_input: common.NoInput = False,
) -> None:
    """Record a session: measures, mood, goals, task, note.

    Sessions may be backfilled: they are kept in date order and numbered 1.. in that order.
    """
    from ipt_cli.core import changes, dates, inputs
    from ipt_cli.errors import InputError

    today = common.today()
    when = dates.parse_date(date, "--date") if date else today
    text = _note_text(note, note_file, edit)
    store = common.store(ctx)
    details = {
        "--mood": mood,
        "--events": events,
        "--focus": focus,
        "--technique": technique,
        "--strategy": strategy,
        "--goal": goal,
        "--dispute-stage": dispute_stage,
        "--task": task,
        "--task-outcome": task_outcome,
        "--phq9": phq9,
        "--phq9-difficulty": phq9_difficulty,
        "--gad7": gad7,
        "--hamd17": hamd17,
        "--bdi2-total": bdi2_total,
        "--bdi2-item9": bdi2_item9,
    }
    given = [name for name, value in details.items() if value not in (None, [])]
    if amend is not None:
        if given or missed:
            raise InputError("--amend takes only --note, --note-file or --edit")
        _amend(store, course_id, amend, text, today)
    elif missed is not None:
        if given:
            raise InputError(
                f"--missed records an appointment that was not held; drop {', '.join(given)}"
            )
        store.update(course_id, lambda c: changes.add_missed(c, when, missed))
        common.emit_text(f"Recorded a missed appointment on {when.isoformat()} for {course_id}.\n")
    elif not given and text is None and date is None and common.interactive(no_input):
        from ipt_cli.interact.session import ask_session

        course = store.load(course_id)
        if course.maintenance is None:
            changes.check_room(course)  # before the questions, not after them
        answers = ask_session(course, today)
        record = changes.session_record(answers.pop("date"), **answers)
        _record(store, course_id, record, common.scoring_rules(ctx))
    else:
        _record(
            store,
            course_id,
            changes.session_record(
                when,
                note=text,
                measure_options=changes.measure_fields(
                    phq9, phq9_difficulty, gad7, hamd17, bdi2_total, bdi2_item9
                ),
                mood=mood,
                events=events,
                focus=focus,
                techniques=technique or [],
                strategies=strategy or [],
                goal_ratings=[inputs.parse_goal_rating(g) for g in goal or []],
                dispute_stage=dispute_stage,
                task=task,
                task_outcome=task_outcome,
            ),
            common.scoring_rules(ctx),
        )


def _amend(
    store: "CourseStore", course_id: str, ref: str, text: str | None, today: "dt.date"
) -> None:
    from ipt_cli.core import changes
    from ipt_cli.errors import InputError

    if not text:
        raise InputError("--amend needs the addendum text: --note, --note-file or --edit")
    where = store.update(course_id, lambda c: changes.amend_session(c, ref, text, today))
    common.emit_text(f"Added an addendum to {where.described} of {course_id}.\n")


def _record(
    store: "CourseStore", course_id: str, record: "SessionRecord", rules: "ScoringRules"
) -> None:
    from ipt_cli.core import changes

    def record_it(course: "Course") -> tuple["Recorded", "Course"]:
        return changes.record_session(course, record), course

    done, course = store.update(course_id, record_it)
    common.emit_text(describe_recorded(course, done, record) + "\n")
    _warn_of_outcomes(course, record, rules)


def _warn_of_outcomes(course: "Course", record: "SessionRecord", rules: "ScoringRules") -> None:
    """A reliable deterioration or a relapse that this session's scores show, at once."""
    from ipt_cli.core.progress import build_report
    from ipt_cli.views import terminal

    if record.instruments():
        for alert in build_report(course, record.date, rules).alerts:
            if alert.date == record.date:
                terminal.notice(f"warning: {alert.text}", style="bold dark_orange")


def describe_recorded(course: "Course", done: "Recorded", record: "SessionRecord") -> str:
    """The confirmation line, and a safety notice on stderr when a risk item is scored."""
    from ipt_cli.core.safety import notice_lines
    from ipt_cli.views import terminal

    held = (
        course.maintenance.sessions if done.maintenance and course.maintenance else course.sessions
    )
    planned = (
        course.maintenance.planned_sessions
        if done.maintenance and course.maintenance
        else course.planned_sessions
    )
    lines = [f"Recorded {done.label} of {planned} for {course.id} ({record.date.isoformat()})."]
    if done.number < len(held):
        lines.append(f"Backfilled: later sessions are now numbered from {done.number + 1}.")
    if record.risk_scores():
        terminal.safety_notice(notice_lines(done.label, record), course.kind == "self-guided")
    return " ".join(lines)


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
    note: Annotated[str, typer.Option(metavar="TEXT", help="Outcome of the review.")],
    plan: Annotated[str | None, typer.Option(metavar="TEXT", help="Safety plan agreed.")] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who reviewed (kept).")
    ] = None,
) -> None:
    """Record a risk review of a session's safety flags.

    Every review is kept, in order: a later review adds to the history, never replaces it.
    Reviewed flags stay in the record, marked reviewed, and leave the top of reports.
    """
    from ipt_cli.core import changes

    today = common.today()
    _, where = common.store(ctx).update(
        course_id, lambda c: changes.review_risk(c, session_ref, note, plan, today, by=by)
    )
    count = len(where.sitting.risk_reviews)
    common.emit_text(
        f"Risk review recorded for {where.described} of {course_id}"
        + (f" (review {count} of that session; earlier ones are kept).\n" if count > 1 else ".\n")
    )


def register(app: typer.Typer) -> None:
    app.command(epilog=SESSION_EPILOG)(session)
    app.command(
        "risk-review",
        epilog="Example:\n\n  ipt risk-review ab-2026 --session 3 "
        "--note 'Passive thoughts, no plan or intent' --plan 'Safety plan updated'",
    )(risk_review)
