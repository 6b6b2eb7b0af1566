"""`ipt note`: a session's progress note (or every session's, as one document)."""

from enum import StrEnum
from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.errors import InputError
from ipt_cli.views.output import to_json


class NoteFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


def note(
    ctx: typer.Context,
    course_id: common.CourseId,
    session: Annotated[
        str | None,
        typer.Argument(
            metavar="[SESSION]",
            help="The session: its number (mN = maintenance session N) or its date "
            "(YYYY-MM-DD; the date of a missed appointment gives its note).",
            show_default=False,
        ),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every session's note, in order, as one document.")
    ] = False,
    output_format: Annotated[
        NoteFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown, html (prints cleanly to A4 or Letter) or json.",
        ),
    ] = None,
    as_json: common.JsonOption = False,
    output: common.OutputOption = None,
) -> None:
    """Print a session's progress note: measures, risk, work done, tasks, the note with its
    addenda, the plan for next session and the signature block."""
    output_format = common.chosen_format(
        NoteFormat, output_format, as_json, output, NoteFormat.text
    )
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.notes import all_notes, note_for
    from ipt_cli.views import note as views

    if (session is None) == (not every):
        raise InputError("name one SESSION, or give --all (not both)")
    course = common.store(ctx).load(course_id)
    rules = common.scoring_rules(ctx)
    today = common.today()
    notes = (
        all_notes(course, rules, today) if every else [note_for(course, str(session), rules, today)]
    )
    if output_format is NoteFormat.json:
        text = to_json(views.notes_json(notes) if every else views.note_json(notes[0]))
    elif output_format is NoteFormat.html:
        text = views.notes_html(notes, today)
    elif output_format is NoteFormat.markdown:
        text = views.notes_markdown(notes) if every else views.note_markdown(notes[0])
    else:
        width = common.terminal_width(output)
        text = (
            views.notes_text(notes, width) if notes else f"No session of {course_id} is recorded.\n"
        )
    common.deliver(ctx, text, output, page=every)


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt note ab-2026 3\n\n  ipt note ab-2026 2026-01-26 --format "
        "html -o note.html\n\n  ipt note ab-2026 --all --format markdown > notes.md"
    )(note)
