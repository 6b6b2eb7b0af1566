"""`ipt demo`: a fictional course run end to end in a throwaway data folder."""

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.choices import Adaptation, Condition


def demo(
    ctx: typer.Context,
    example: Annotated[
        str, typer.Option(metavar="TEXT", help="Which shipped example course to replay.")
    ] = "grief-parent",
    adaptation: Annotated[
        Adaptation | None,
        typer.Option(
            help="Replay the example of an adaptation instead (group: the WHO-model group).",
            show_default=False,
        ),
    ] = None,
    condition: Annotated[
        Condition | None,
        typer.Option(help="Replay the shipped example of this condition (e.g. ptsd)."),
    ] = None,
) -> None:
    """Replay a fictional example course, end to end.

    Nothing of yours is read or written; the temporary folder is removed at the end.
    """
    # lazy: keeps the models (pydantic) and core.planning (8 modules) off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.planning import build_agenda, build_plan, next_session_date
    from ipt_cli.core.progress import build_report
    from ipt_cli.store.courses import CourseStore
    from ipt_cli.store.examples import load_example
    from ipt_cli.views import terminal

    if condition is not None:
        # lazy: keeps the models (pydantic) and group IPT off start-up
        from ipt_cli.store.examples import example_for

        example = example_for(str(condition))
    if adaptation == "group":
        _group_demo(ctx)
        return
    if adaptation is not None and adaptation != "standard":
        # lazy: keeps the models (pydantic) and group IPT off start-up
        from ipt_cli.store.examples import ADAPTATION_EXAMPLES

        example = ADAPTATION_EXAMPLES[str(adaptation)]
    source = load_example(example)
    # lazy: keeps tempfile off `ipt --help` (which loads every command's module)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ipt-demo-") as folder:
        store = CourseStore(Path(folder), throwaway=True)
        store.create(source.model_copy(update={"sessions": []}))
        for record in source.sessions:
            store.update(source.id, partial(changes.add_session, record=record))
        course = store.load(source.id)
        today = next_session_date(course) or course.sessions[-1].date
        out = common.output(ctx)
        out.show(
            terminal.rule(
                f"Demo: fictional course {course.id} ({len(course.sessions)} sessions "
                f"recorded in {folder})"
            )
        )
        out.show(terminal.plan_view(build_plan(course, today)))
        if course.sessions_used < course.planned_sessions:
            out.show(terminal.rule("Agenda for the next session"))
            week = len(course.sessions) + 1
            out.show(terminal.agenda_view(build_agenda(course, week, today)))
        else:  # a completed course has no next session: its ending is in the report
            out.show(terminal.rule("No next session"))
            out.data(
                f"All {course.planned_sessions} sessions are held: the course is complete "
                "(its ending is in the report below).\n"
            )
        out.show(terminal.rule("Progress report"))
        out.show(terminal.report_view(build_report(course, today)))
        if course.rhythm:  # IPSRT: the rhythm report beside the targets, and the life chart
            # lazy: keeps the models (pydantic) and social rhythm off start-up
            from ipt_cli.core import rhythm

            out.show(terminal.rule(f"Social rhythm report (ipt rhythm {course.id} report)"))
            out.show(terminal.rhythm_view(rhythm.build_report(course, 1)))
            out.show(terminal.rule(f"Life chart (ipt rhythm {course.id} chart)"))
            out.show(terminal.life_chart_view(rhythm.life_chart(course, rhythm.CHART_WEEKS)))
    out.show(terminal.rule("Your turn"))
    out.data(
        "The demo folder has been removed; nothing of yours was touched.\n"
        "Start your own course with:\n"
        "  ipt new-course my-course --client INITIALS --problem-area grief\n"
        "then record each week with `ipt session my-course ...` and see `ipt --help`.\n"
    )


def _group_demo(ctx: typer.Context) -> None:
    """Replay the WHO-model group: members' courses and the group file, one group session
    at a time, then the group's agenda and report."""
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.group import add_meeting, build_agenda, build_report
    from ipt_cli.store.courses import CourseStore
    from ipt_cli.store.examples import load_group_example
    from ipt_cli.store.groups import GroupStore
    from ipt_cli.views import terminal

    group, members = load_group_example()
    out = common.output(ctx)
    # lazy: keeps tempfile off `ipt --help` (which loads every command's module)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ipt-demo-") as folder:
        courses, groups = CourseStore(Path(folder)), GroupStore(Path(folder))
        for member in members:
            courses.create(member.model_copy(update={"sessions": [], "missed": []}))
        groups.create(group.model_copy(update={"meetings": []}))
        for meeting in group.meetings:
            for member in members:
                for record in [s for s in member.sessions if s.date == meeting.date]:
                    courses.update(member.id, partial(changes.add_session, record=record))
                for missed in [m for m in member.missed if m.date == meeting.date]:
                    courses.update(
                        member.id,
                        partial(changes.add_missed, date=missed.date, reason=missed.reason),
                    )
            groups.update(group.id, partial(add_meeting, meeting=meeting))
        replayed = groups.load(group.id)
        loaded = {m.id: courses.load(m.id) for m in members}
        out.show(
            terminal.rule(
                f"Demo: fictional group {group.id} ({len(members)} members, "
                f"{len(replayed.meetings)} group sessions recorded in {folder})"
            )
        )
        out.show(terminal.group_agenda_view(build_agenda(replayed, loaded, 8)))
        last = replayed.meetings[-1].date if replayed.meetings else replayed.start_date
        out.show(terminal.group_report_view(build_report(replayed, loaded, last)))
    out.data(
        "The demo folder has been removed; nothing of yours was touched.\n"
        "Start your own group with:\n"
        "  ipt group new my-group --facilitator ALIAS --start YYYY-MM-DD\n"
        "then add members' courses (ipt new-course ID --adaptation group ...; ipt group add).\n"
    )


def register(app: typer.Typer) -> None:
    app.command(epilog="Examples:\n\n  ipt demo\n\n  ipt demo --condition ptsd")(demo)
