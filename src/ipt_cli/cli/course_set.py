"""`ipt course COURSE_ID set`: change a course's settings after it started, each change
validated and kept in the course's change history."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipt_cli.cli import common
from ipt_cli.cli.choices import DisputeStage, ProblemArea
from ipt_cli.errors import InputError

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.corrections import SettingsChanged
    from ipt_cli.core.models import Course

COURSE_EPILOG = """Examples:

  ipt course ab-2026 set --problem-area role-transition

  ipt course ab-2026 set --medication 'sertraline 100 mg' --termination-sessions 3

  ipt course cd-2026 set --warning-sign-mania 'Sleeping 5 hours and not tired'

Each change is kept with its old and new value and the date (see `ipt report`). An empty
--sick-role '' or --medication '' clears it."""


def course(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[str, typer.Argument(metavar="set", help="What to do: set.")],
    problem_area: Annotated[
        list[ProblemArea] | None,
        typer.Option(
            "--problem-area",
            help="The new problem area (repeat for a secondary one).",
            show_default=False,
        ),
    ] = None,
    dispute_stage: Annotated[
        DisputeStage | None,
        typer.Option(help="Role-dispute stage now.", show_default=False),
    ] = None,
    sick_role: Annotated[
        str | None, typer.Option(metavar="TEXT", help="The sick role as given to the client.")
    ] = None,
    medication: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Medication alongside IPT.")
    ] = None,
    initial_sessions: Annotated[
        int | None, typer.Option(metavar="N", help="Sessions in the initial phase (1-10).")
    ] = None,
    termination_sessions: Annotated[
        int | None, typer.Option(metavar="N", help="Sessions in the termination phase (1-10).")
    ] = None,
    client: Annotated[
        str | None, typer.Option(metavar="ALIAS", help="The client's alias or initials.")
    ] = None,
    warning_sign_depression: common.WarningSignDepressionOption = None,
    warning_sign_mania: common.WarningSignManiaOption = None,
) -> None:
    """Change a course's settings; each change is kept in its history."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import corrections

    if action != "set":
        if course_id == "set":  # `ipt course set ID`: the order of git's and most CLIs
            raise InputError(f"the course id comes first: `ipt course {action} set ...`")
        raise InputError(f"unknown action {action!r}: use `ipt course {course_id} set ...`")
    given: dict[str, Any] = {
        "problem_areas": common.words(problem_area) if problem_area else None,
        "dispute_stage": common.word(dispute_stage),
        "sick_role": sick_role,
        "medication": medication,
        "initial_sessions": initial_sessions,
        "termination_sessions": termination_sessions,
        "client": client,
    }
    given = {k: v for k, v in given.items() if v is not None}
    poles = {
        "warning_signs_depression": warning_sign_depression or [],
        "warning_signs_mania": warning_sign_mania or [],
    }
    today = common.today()
    done = common.store(ctx).update(course_id, lambda c: _set(c, given, poles, today))
    out = common.output(ctx)
    for change in done.changes:
        out.done(f"Changed {change.what} of {course_id}: {change.old} -> {change.new}.")
    if done.dispute_stage_cleared:
        out.done("The dispute stage was cleared: the course has no role-dispute area now.")
    if done.added_areas:
        out.done(f"The remaining agendas now follow the new area: ipt agenda {course_id}")
        course_now = common.store(ctx).load(course_id)
        for area, goal_id, text in corrections.offered_goals(course_now, done.added_areas):
            out.done(
                f"Goal offered for {area}: ipt goal add {course_id} --id {goal_id} "
                f"--area {area} --text '{text}'"
            )


def _set(
    course: "Course", given: dict[str, Any], poles: dict[str, list[str]], today: "dt.date"
) -> "SettingsChanged":
    """The settings and any warning signs of each pole, in one write (all or nothing)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes, corrections

    changes.check_pole_signs(course, poles)  # before any change is made
    if given or not any(poles.values()):
        done = corrections.set_course(course, given, today)
    else:
        done = corrections.SettingsChanged([], [], False)
    made = changes.add_pole_signs(course, poles, today)
    return corrections.SettingsChanged(
        done.changes + made, done.added_areas, done.dispute_stage_cleared
    )


def register(app: typer.Typer) -> None:
    app.command("course", epilog=COURSE_EPILOG)(course)
