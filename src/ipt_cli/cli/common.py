"""Options shared by several commands, and small helpers to reach the core.

Kept light: heavy modules (pydantic models, storage, Rich) are imported inside functions so
that `ipt --help` stays fast.
"""

import datetime as dt
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer

from ipt_cli.cli import completion
from ipt_cli.core import measures
from ipt_cli.core.dates import parse_date
from ipt_cli.core.measures import ScoreOption
from ipt_cli.core.structs import struct
from ipt_cli.errors import InputError
from ipt_cli.store.paths import DataPaths, resolve_data_dir
from ipt_cli.views.output import Output

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.measures import ScoringRules
    from ipt_cli.store.courses import CourseStore
    from ipt_cli.store.crypto import Cipher
    from ipt_cli.store.paths import DataPaths
    from ipt_cli.views.output import Content, Output


F = TypeVar("F", bound=StrEnum)
W = TypeVar("W", bound=str)


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
FormatOption = Annotated[
    Format | None, typer.Option("--format", "-f", help="Output format (default: text).")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts (the same as --format json).")
]
# An output file's extension chooses the format when --format is not given (issue 27).
# Formats written to files of another format's extension (a REDCap CSV is a .csv).
FORMAT_FILES = {"csv-wide": "csv", "redcap-dictionary": "csv", "fhir": "json"}
EXTENSION_FORMATS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".csv": "csv",
}
# Documents of formats ipt never writes: a file named so is refused even with --format
# (HTML under a .pdf name opens as a broken PDF).
FOREIGN_DOCUMENTS = (".pdf", ".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods")


def chosen_format(
    formats: type[F], given: F | None, as_json: bool, output: Path | None, default: F
) -> F:
    """The format asked for: --json, --format, or the output file's extension (.json, .md,
    .html, .txt, .csv), else `default`; any two that disagree are refused in one line."""
    if as_json:
        if given is not None and given.value != "json":
            raise InputError(f"--json and --format {given.value} disagree: give one of them")
        given = formats("json")
    named = None
    if output is not None and str(output) != "-" and output.suffix:
        value = EXTENSION_FORMATS.get(output.suffix.lower())
        named = formats(value) if value in {f.value for f in formats} else None
        if named is None and given is None:  # r.pdf, r.csv for a report: not what it writes
            writes = ", ".join(sorted({FORMAT_FILES.get(f.value, f.value) for f in formats}))
            raise InputError(
                f"this command writes {writes}, not {output.suffix}: name the file for one of "
                f"them or choose with --format{_pdf_hint(output)}"
            )
    if given is None:
        return named or default
    if output is not None and output.suffix.lower() in FOREIGN_DOCUMENTS:
        asked = "--json" if as_json else f"--format {given.value}"
        raise InputError(
            f"{asked} writes {FORMAT_FILES.get(given.value, given.value)}, not "
            f"{output.suffix}: name the file for what it is{_pdf_hint(output, given.value)}"
        )
    if named is not None and FORMAT_FILES.get(given.value, given.value) != named.value:
        raise InputError(
            f"--format {given.value} and the file name {output.name if output else ''} "
            f"({named.value}) disagree: give one of them"
        )
    return given


def _pdf_hint(output: Path, given: str | None = None) -> str:
    """For a .pdf name: how to make the PDF (HTML printed from a browser)."""
    if output.suffix.lower() != ".pdf":
        return ""
    if given in (None, "html"):
        return " (print the HTML to PDF from a browser)"
    return " (for a PDF, write --format html and print it from a browser)"


def terminal_width(output: Path | None) -> int | None:
    """The width of the terminal a document is shown on, or None when it goes to a file
    or a pipe (left as it is, for programs)."""
    if output is not None or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


WarningSignDepressionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--warning-sign-depression",
        metavar="TEXT",
        help="IPSRT: a warning sign of depression (repeatable; added to those recorded).",
    ),
]
WarningSignManiaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--warning-sign-mania",
        metavar="TEXT",
        help="IPSRT: a warning sign of mania or hypomania (repeatable; added to those recorded).",
    ),
]
NoInput = Annotated[
    bool, typer.Option("--no-input", help="Never prompt; a missing value is an error.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically, mode 0600)."),
]
SessionArgument = Annotated[
    str,
    typer.Argument(
        metavar="SESSION",
        help="The session: its number (mN = maintenance session N) or its date.",
        show_default=False,
    ),
]
DateOption = Annotated[
    str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Date (default: today).")
]


ActDateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar="YYYY-MM-DD",
        help="The day it was done, for one recorded later (default: today; never after "
        "today). The time it is written is kept beside it.",
    ),
]


def act_date(date: str | None) -> "dt.date | None":
    """--date of a dated act, parsed (its bounds are the core's: core/dates.act_date)."""
    return parse_date(date, "--date") if date else None


def dated(made: "dt.date | None") -> str:
    """' Dated D (--date), recorded today.' for a confirmation, when --date was given."""
    if made is None:
        return ""
    return f" Dated {made.isoformat()} (--date), recorded {today().isoformat()}."


def word(choice: W | None) -> W | None:
    """A vocabulary choice as the plain word the core stores: Typer hands over a member of
    cli/choices.py's StrEnum, whose str() is the word (the Literal type checkers see)."""
    return None if choice is None else cast(W, str(choice))


def words(choices: "Sequence[W] | None") -> list[W]:
    return [cast(W, str(choice)) for choice in choices or []]


class Answer(StrEnum):
    """A yes/no answer to a questionnaire's question."""

    yes = "yes"
    no = "no"


# How each kind of score option is typed on the command line (measures.ScoreOption.kind).
SCORE_TYPES: dict[str, Any] = {"text": str | None, "int": int | None, "answer": Answer | None}
C = TypeVar("C", bound=Callable[..., Any])


def score_parameter(option: ScoreOption) -> inspect.Parameter:
    """The Typer parameter of one score option of the registry (core/measures.py)."""
    settings: dict[str, Any] = {"help": option.help}
    if option.metavar is not None:
        settings["metavar"] = option.metavar
    if option.kind == "answer":
        settings["show_default"] = False
    annotated = cast(Any, Annotated)  # made at run time: a value, not a written type
    annotation = annotated[SCORE_TYPES[option.kind], typer.Option(option.flag, **settings)]
    return inspect.Parameter(
        option.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=annotation
    )


def with_score_options(after: str) -> Callable[[C], C]:
    """Give a command (`new-course`, `session`) every score option of the registry
    (measures.score_options), after its parameter `after`: the command takes them as
    `**score_options` (see MeasureOptions.of), and Typer reads the options from the signature."""

    def add(command: C) -> C:
        signature = inspect.signature(command)
        kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        at = [p.name for p in kept].index(after) + 1
        made = [score_parameter(option) for option in measures.score_options()]
        clashing = {p.name for p in made} & {p.name for p in kept}
        if clashing:  # a registered instrument named like one of the command's options
            raise ValueError(f"score options clash with {command.__name__}'s: {clashing}")
        cast(Any, command).__signature__ = signature.replace(
            parameters=[*kept[:at], *made, *kept[at:]]
        )
        return command

    return add


@struct(frozen=True)
class MeasureOptions:
    """The score options of `new-course` (the baseline) and `session`, as typed: by
    parameter name, every option of the registry in its order (measures.score_options),
    None when not given; a yes/no answer as "yes" or "no"."""

    values: dict[str, str | int | None]

    @classmethod
    def of(cls, scores: dict[str, Any]) -> "MeasureOptions":
        """From a command's `**score_options` (the parameters with_score_options gave it)."""
        values: dict[str, str | int | None] = {}
        for option in measures.score_options():
            given = scores.get(option.name)
            values[option.name] = given.value if isinstance(given, StrEnum) else given
        return cls(values)

    def given(self) -> list[str]:
        """The options given, as typed: --phq9, --bdi2-item9."""
        named = {option.name: option.flag for option in measures.score_options()}
        return [named[name] for name, value in self.values.items() if value is not None]

    def fields(self) -> dict[str, Any]:
        """The model fields of the scores given (checked against each instrument)."""
        # lazy: keeps the models (pydantic) off start-up
        from ipt_cli.core.changes import measure_fields

        return measure_fields(**{k: v for k, v in self.values.items() if v is not None})


def data_dir(ctx: typer.Context) -> Path:
    """The data folder, resolved once per command (a relative IPT_HOME warns once)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, dict):
        obj = ctx.find_root().obj = {}
    if "resolved_data_dir" not in obj:
        root = resolve_data_dir(obj.get("data_dir"), warn=output(ctx).warn)
        if DataPaths(root).synced:  # a sync killed mid-pull is undone before any read
            # lazy: keeps tomli off start-up
            from ipt_cli.store.sync import recover

            recover(root)  # (never reached by `ipt merge-driver`, which git runs mid-sync)
        if (root / "locks" / ".conversion.json").exists():
            _warn_if_half_converted(ctx, root)
        obj["resolved_data_dir"] = root
    resolved: Path = obj["resolved_data_dir"]
    return resolved


def _warn_if_half_converted(ctx: typer.Context, root: Path) -> None:
    """A killed `ipt encrypt`, `decrypt` or re-keying: said before anything is read (the
    conversion commands finish it; writes are refused until then: see store/conversion.py)."""
    # lazy: keeps store.conversion (9 modules) off start-up
    from ipt_cli.store.conversion import interrupted, interrupted_message

    words = ctx.command_path.split()
    if len(words) > 1 and words[1] in ("encrypt", "decrypt", "recipients", "init", "doctor"):
        return
    journal = interrupted(DataPaths(root))
    if journal is not None:
        output(ctx).warn("warning: " + interrupted_message(journal))


def data_paths(ctx: typer.Context) -> "DataPaths":
    """The data folder's layout, without loading storage (and so the models)."""
    return DataPaths(data_dir(ctx))


def store(ctx: typer.Context) -> "CourseStore":
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.store.courses import CourseStore

    made = CourseStore(data_dir(ctx), warn=output(ctx).warn)
    made.command = ctx.command_path.removeprefix("ipt ") or "change"  # for git commits
    return made


def today() -> "dt.date":
    """Today's date; IPT_TODAY=YYYY-MM-DD pins it (for tests, demos and backdated work).
    The one clock: the core is always handed the date."""
    pinned = os.environ.get("IPT_TODAY")
    return parse_date(pinned, "IPT_TODAY") if pinned else dt.date.today()


def scoring_rules(ctx: typer.Context) -> "ScoringRules":
    # lazy: keeps store.config off `ipt plan ab`
    from ipt_cli.store.config import load_rules

    return load_rules(data_paths(ctx).config)


def interactive(no_input: bool) -> bool:
    """Prompts only when the user allows them and a person is at a terminal (or
    IPT_INTERACTIVE=1 asks for prompts on a pipe, for expect-style scripts and tests)."""
    return not no_input and (sys.stdin.isatty() or os.environ.get("IPT_INTERACTIVE") == "1")


def output(ctx: typer.Context) -> "Output":
    """The invocation's one way out (made by the root callback in app.py)."""
    found = (ctx.find_root().obj or {}).get("output")
    if found is None:
        found = Output()
    return found


def deliver(
    ctx: typer.Context,
    text: str,
    path: Path | None,
    *,
    content: "Content | None" = None,
    page: bool = False,
) -> None:
    """A finished document to stdout (also for `-o -`), or to FILE: a regular file
    atomically with mode 0600 (notes are private); through a symlink to its target; to a
    FIFO or device as it is. `content`: what the text is, which decides how it reaches
    stdout (see Output.data; None: plain, without loading views/output.py here); `page`:
    a long document on a terminal goes through the pager."""
    if path is None or str(path) == "-":
        out = output(ctx)
        if content is None:
            out.data(text, page=page)
        else:
            out.data(text, content=content, page=page)
        return
    # lazy: keeps store.files (8 modules) off start-up
    from ipt_cli.store.files import write_output

    written = write_output(path, text.encode("utf-8"))
    output(ctx).message(f"Wrote {written}")


def deliver_sealed(ctx: typer.Context, cipher: "Cipher", text: str, path: Path | None) -> None:
    """A document age-encrypted for the folder's recipients: ASCII armor on stdout, or
    binary age to FILE.age (atomically, mode 0600; through a link, to a device as it is)."""
    if path is None or str(path) == "-":
        output(ctx).data(cipher.encrypt(text.encode("utf-8"), armored=True).decode("ascii"))
        return
    # lazy: keeps store.files (8 modules) off start-up
    from ipt_cli.store.files import write_output

    if not path.name.endswith(".age"):
        path = path.with_name(path.name + ".age")
    written = write_output(path, cipher.encrypt(text.encode("utf-8")))
    output(ctx).message(f"Wrote {written} (age-encrypted)")
