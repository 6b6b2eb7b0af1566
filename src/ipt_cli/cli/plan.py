"""`ipt plan` (the course week by week) and `ipt agenda` (one session's agenda)."""

from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.core.structs import replace


def plan(
    ctx: typer.Context,
    course_id: common.CourseId,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Show the course week by week, with status."""
    output_format = common.chosen_format(
        common.Format, output_format, as_json, None, common.Format.text
    )
    # lazy: keeps core.planning (8 modules) off start-up
    from ipt_cli.core.planning import build_plan

    built = build_plan(common.store(ctx).load(course_id), common.today())
    if output_format is common.Format.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import plan_json

        common.output(ctx).json(plan_json(built))
    elif output_format is common.Format.markdown:
        # lazy: each format loads only its own rendering (Markdown)
        from ipt_cli.views.markdown import plan_markdown

        common.output(ctx).data(plan_markdown(built))
    else:
        from ipt_cli.views import terminal  # Rich: only to draw the text view

        common.output(ctx).show(terminal.plan_view(built), page=True)
        for note in built.notes:  # stored phase overrides shown clamped: said, never silent
            common.output(ctx).notice(note)


def agenda(
    ctx: typer.Context,
    course_id: common.CourseId,
    week: Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="Session number, or mN for maintenance session N (default: the next one to hold).",
        ),
    ] = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every strategy of every problem area, covered ones too (default: the next "
            "three of the primary area not yet covered).",
        ),
    ] = False,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Show the agenda for one session (default: next).

    It follows the phase, the problem areas, what was covered and last week's task; after
    the acute course, the maintenance contract's sessions. A middle session lists the next
    strategies of the primary area not yet covered, the goals, last week's task and the
    fixed items, for a 50-minute session; --all adds every other strategy.
    """
    output_format = common.chosen_format(
        common.Format, output_format, as_json, None, common.Format.text
    )
    # lazy: keeps core.planning (8 modules) and the models (pydantic) off start-up
    from ipt_cli.core.planning import agenda_for
    from ipt_cli.core.tracking import not_on_track, screen_alerts

    course = common.store(ctx).load(course_id)
    built = agenda_for(course, week, common.today(), show_all)  # with the risk state
    lagging = not_on_track(course, common.scoring_rules(ctx))
    # the next session is where the advice is acted on
    built = replace(
        built,
        screen_alerts=[a.text for a in screen_alerts(course)],  # a mania alert (the ASRM)
        outcome_alerts=[] if lagging is None else [lagging.text],
    )
    if output_format is common.Format.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import agenda_json

        common.output(ctx).json(agenda_json(built))
    elif output_format is common.Format.markdown:
        # lazy: each format loads only its own rendering (Markdown)
        from ipt_cli.views.markdown import agenda_markdown

        common.output(ctx).data(agenda_markdown(built))
    else:
        from ipt_cli.views import terminal  # Rich: only to draw the text view

        common.output(ctx).show(terminal.agenda_view(built, course.kind == "self-guided"))


def register(app: typer.Typer) -> None:
    app.command(epilog="Examples:\n\n  ipt plan ab-2026\n\n  ipt plan ab-2026 --format json")(plan)
    app.command(
        epilog="Examples:\n\n  ipt agenda ab-2026\n\n  ipt agenda ab-2026 --week 14 "
        "--format markdown\n\n  ipt agenda ab-2026 --all"
    )(agenda)
