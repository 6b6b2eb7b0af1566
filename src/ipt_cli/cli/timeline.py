"""`ipt timeline add|list COURSE_ID`: life events against mood."""

from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.subcommands import sub_app

app = sub_app(
    "timeline",
    "Add or list life events against mood (the timeline).",
    "Examples:\n\n  ipt timeline add ab-2026 --date 2025-11-14 --event 'Father died' "
    "--mood 'numb'\n\n  ipt timeline add ab-2026 --date 2025-06 --event 'Moved city'\n\n"
    "  ipt timeline list ab-2026",
)


@app.command("add")
def add(
    ctx: typer.Context,
    course_id: common.CourseId,
    date: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD", help="When it happened (YYYY-MM when only the month is known)."
        ),
    ] = None,
    event: Annotated[str | None, typer.Option(metavar="TEXT", help="What happened.")] = None,
    mood: Annotated[
        str | None, typer.Option(metavar="TEXT", help="How mood was around it.")
    ] = None,
    no_input: common.NoInput = False,
) -> None:
    """Add a life event (asks for what is missing on a terminal)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes, dates

    if common.interactive(no_input) and (date is None or event is None):
        # lazy: keeps Rich and the models (pydantic) off start-up
        from ipt_cli.interact import wizard

        entry = wizard.ask_event(date, event, mood)
    else:
        when, precision = dates.parse_day_or_month(date, "--date") if date else (None, None)
        entry = changes.timeline_event(when, event, mood, precision)
    common.store(ctx).update(course_id, lambda c: changes.add_event(c, entry))
    common.output(ctx).done(f"Added an event on {entry.when} to {course_id}.")


@app.command("list")
def list_events(ctx: typer.Context, course_id: common.CourseId) -> None:
    """Show the timeline in date order."""
    # Rich: only when drawing for a terminal
    from ipt_cli.views import terminal

    events = common.store(ctx).load(course_id).timeline
    common.output(ctx).show(terminal.timeline_view(events))


def register(root: typer.Typer) -> None:
    root.add_typer(app)
