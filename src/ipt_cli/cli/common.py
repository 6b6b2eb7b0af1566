"""Options shared by several commands, and small helpers to reach the core.

Kept light: heavy modules (pydantic models, storage, Rich) are imported inside functions so
that `ipt --help` stays fast.
"""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipt_cli.cli import completion

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.measures import ScoringRules
    from ipt_cli.store.courses import CourseStore
    from ipt_cli.store.paths import DataPaths


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


CourseId = Annotated[
    str,
    typer.Argument(
        help="The course id, e.g. grief-2026-ab.",
        metavar="COURSE_ID",
        show_default=False,
        autocompletion=completion.course_ids,
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
NoInput = Annotated[
    bool, typer.Option("--no-input", help="Never prompt; a missing value is an error.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically, mode 0600)."),
]
DateOption = Annotated[
    str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Date (default: today).")
]

# Measure options, shared by `new-course` (baseline) and `session`.
Phq9Option = Annotated[
    str | None, typer.Option("--phq9", metavar="'i1,...,i9'", help="PHQ-9: nine item scores 0-3.")
]
Phq9DifficultyOption = Annotated[
    int | None,
    typer.Option(
        "--phq9-difficulty",
        metavar="0-3",
        help="PHQ-9 'how difficult' answer (stored, never summed).",
    ),
]
Gad7Option = Annotated[
    str | None, typer.Option("--gad7", metavar="'i1,...,i7'", help="GAD-7: seven item scores 0-3.")
]
Hamd17Option = Annotated[
    str | None,
    typer.Option(
        "--hamd17",
        metavar="'i1,...,i17'",
        help="HAM-D-17: items 1,2,3,7-11,15 scored 0-4; the rest 0-2.",
    ),
]
Bdi2TotalOption = Annotated[
    int | None,
    typer.Option("--bdi2-total", metavar="0-63", help="BDI-II total (the items are copyrighted)."),
]
Bdi2Item9Option = Annotated[
    int | None,
    typer.Option("--bdi2-item9", metavar="0-3", help="BDI-II item 9 (suicidal thoughts)."),
]


def data_dir(ctx: typer.Context) -> Path:
    """The data folder, resolved once per command (a relative IPT_HOME warns once)."""
    from ipt_cli.store.paths import resolve_data_dir

    obj = ctx.find_root().obj
    if not isinstance(obj, dict):
        obj = ctx.find_root().obj = {}
    if "resolved_data_dir" not in obj:
        obj["resolved_data_dir"] = resolve_data_dir(obj.get("data_dir"), warn=warn)
    resolved: Path = obj["resolved_data_dir"]
    return resolved


def data_paths(ctx: typer.Context) -> "DataPaths":
    """The data folder's layout, without loading storage (and so the models)."""
    from ipt_cli.store.paths import DataPaths

    return DataPaths(data_dir(ctx))


def store(ctx: typer.Context) -> "CourseStore":
    from ipt_cli.store.courses import CourseStore

    return CourseStore(data_dir(ctx), warn=warn)


def today() -> "dt.date":
    """Today's date; IPT_TODAY=YYYY-MM-DD pins it (for tests, demos and backdated work).
    The one clock: the core is always handed the date."""
    import datetime as dt
    import os

    from ipt_cli.core.dates import parse_date

    pinned = os.environ.get("IPT_TODAY")
    return parse_date(pinned, "IPT_TODAY") if pinned else dt.date.today()


def warn(message: str) -> None:
    from ipt_cli.views.text_safety import terminal_safe

    sys.stderr.write(f"ipt: {terminal_safe(message)}\n")


def scoring_rules(ctx: typer.Context) -> "ScoringRules":
    from ipt_cli.store.config import load_rules

    return load_rules(data_paths(ctx).config)


def interactive(no_input: bool) -> bool:
    """Prompts only when the user allows them and a person is at a terminal (or
    IPT_INTERACTIVE=1 asks for prompts on a pipe, for expect-style scripts and tests)."""
    import os

    return not no_input and (sys.stdin.isatty() or os.environ.get("IPT_INTERACTIVE") == "1")


def emit_json(data: Any) -> None:
    from ipt_cli.views.documents import to_json

    sys.stdout.write(to_json(data))


def emit_text(text: str, drawn: bool = False) -> None:
    """Text to stdout. Plain text (Markdown, HTML, confirmations) carries no escape codes
    of ipt's own, so every control character in it is neutralised; `drawn` text comes from
    the views' SafeConsole, whose user text is neutralised already."""
    from ipt_cli.views.text_safety import terminal_safe

    sys.stdout.write(text if drawn else terminal_safe(text))


def emit_or_write(text: str, output: Path | None, drawn: bool = False) -> None:
    """Print to stdout (also for `-o -`), or write FILE: a regular file atomically with mode
    0600 (notes are private); through a symlink to its target; to a device as it is."""
    if output is None or str(output) == "-":
        emit_text(text, drawn)
        return
    from ipt_cli.store.courses import write_output
    from ipt_cli.views.text_safety import terminal_safe

    written = write_output(output, text.encode("utf-8"))
    sys.stderr.write(f"Wrote {terminal_safe(str(written))}\n")
