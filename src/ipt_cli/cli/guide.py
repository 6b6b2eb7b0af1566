"""`ipt guide [TOPIC]`: IPT's phases, problem areas, techniques and measures."""

import sys
from typing import Annotated

import typer

from ipt_cli.cli import common, completion


def guide(
    ctx: typer.Context,
    topic: Annotated[
        str | None,
        typer.Argument(
            help="phases, areas, stages, techniques, measures, conditions, safety or fidelity; "
            "or one area, technique, phase, measure or condition id. Default: everything.",
            autocompletion=completion.guide_topics,
        ),
    ] = None,
) -> None:
    """Read IPT's structure: phases, problem areas, techniques, measures, fidelity items.

    On a terminal the text is rendered (headings, lists); into a pipe or file it is plain
    Markdown.
    """
    # lazy: keeps views.guide (10 modules) off start-up
    from ipt_cli.views.guide import guide as text_of

    text = text_of(topic)
    if sys.stdout.isatty():
        # Rich: only when drawing for a terminal
        from ipt_cli.views import terminal

        common.output(ctx).show(terminal.markdown_view(text), page=True)
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt guide\n\n  ipt guide role-dispute\n\n  ipt guide "
        "measures\n\n  ipt guide communication-analysis"
    )(guide)
