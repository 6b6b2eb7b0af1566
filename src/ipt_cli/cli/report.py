"""`ipt report` (one course's progress) and `ipt list` (every course at a glance)."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.core.course_row import CourseRow, row_json, sort_rows
from ipt_cli.errors import IdentityError, IptError
from ipt_cli.store.config import load_sign_within_days
from ipt_cli.store.ownership import check_ownership
from ipt_cli.views.output import Content, to_json  # loaded by the root callback anyway

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.measures import ScoringRules
    from ipt_cli.store.crypto import Cipher


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


def report(
    ctx: typer.Context,
    course_id: common.CourseId,
    output_format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown (for a supervisor), json (for scripts) or "
            "html (one self-contained page with charts).",
        ),
    ] = None,
    as_json: common.JsonOption = False,
    output: common.OutputOption = None,
    supervision: Annotated[
        bool,
        typer.Option(
            "--supervision", help="Only supervision: the sessions not yet reviewed by a supervisor."
        ),
    ] = False,
) -> None:
    """Print progress: flags, phase, scores, goals.

    Unreviewed safety flags come first. Response, remission and reliable change follow the
    published rules of each measure.
    """
    output_format = common.chosen_format(
        ReportFormat, output_format, as_json, output, ReportFormat.text
    )
    today = common.today()
    if output is not None and str(output) == "-":
        output = None  # `-o -`: standard output, drawn for it
    if supervision:
        text = _supervision(ctx, course_id, output_format)
    else:
        text = _rendered_report(ctx, course_id, output_format, output, today)
    if output_format is ReportFormat.text and not supervision:
        content = Content.DRAWN
    elif output_format is ReportFormat.json:
        content = Content.SAFE  # to_json's: no control character in it
    else:
        content = Content.PLAIN
    common.deliver(ctx, text, output, content=content, page=True)


def _supervision(ctx: typer.Context, course_id: str, output_format: ReportFormat) -> str:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.core.risk import risk_state
    from ipt_cli.core.supervision import summary
    from ipt_cli.core.tracking import unsigned_overdue
    from ipt_cli.views import record as views
    from ipt_cli.views.wording import risk_lines

    course = common.store(ctx).load(course_id)
    found = summary(course)
    within = load_sign_within_days(common.data_paths(ctx).config)
    late = views.LateSignatures(within, unsigned_overdue(course, common.today(), within))
    state = risk_state(course, common.today())  # a supervisor sees the risk first
    if output_format is ReportFormat.json:
        document = {"course_id": course_id, "risk": views.risk_json(state)}
        return to_json({**document, **views.supervision_json(found, late)})
    lines = risk_lines(state) + views.supervision_lines(found, late)
    return f"Supervision of {course_id}\n" + "\n".join(lines) + "\n"


def _rendered_report(
    ctx: typer.Context,
    course_id: str,
    output_format: ReportFormat,
    output: Path | None,
    today: "dt.date",
) -> str:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.progress import build_report

    rules = common.scoring_rules(ctx)
    course = common.store(ctx).load(course_id)
    if course.conflicts:
        common.output(ctx).warn(
            f"warning: {course_id} holds {len(course.conflicts)} sync conflict(s) from "
            f"another machine; see ipt resolve {course_id}"
        )
    built = build_report(course, today, rules)
    if output_format is ReportFormat.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import report_json

        return to_json(report_json(built))
    if output_format is ReportFormat.markdown:
        # lazy: each format loads only its own rendering (Markdown)
        from ipt_cli.views.markdown import report_markdown

        return report_markdown(built)
    if output_format is ReportFormat.html:
        # lazy: each format loads only its own rendering (HTML)
        from ipt_cli.views.html import report_html

        return report_html(built, rules)
    from ipt_cli.views import terminal  # Rich: only to draw the text report

    if output is None:
        return terminal.report_output(built)  # drawn for this terminal, or plain for a pipe
    return terminal.report_text(built)


def list_courses(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    output_format: Annotated[
        common.Format | None,
        typer.Option("--format", "-f", help="text or json (--json is the same as --format json)."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include archived courses.")] = False,
    risk_first: Annotated[
        bool,
        typer.Option(
            "--risk-first",
            help="Courses at risk first: a HIGH level or an URGENT flag, then any flag "
            "waiting, a moderate level or a follow-up owed; each group by next date.",
        ),
    ] = False,
) -> None:
    """List every course with its phase and scores.

    Sorted by next session date (--risk-first: the courses at risk first); damaged files
    show as damaged rows.
    """
    today = common.today()
    out = common.output(ctx)
    within = load_sign_within_days(common.data_paths(ctx).config)
    shown = [r for r in cached_course_rows(ctx) if show_all or not r.archived]
    rows = sort_rows(shown, risk_first)
    if as_json or output_format is common.Format.json:
        out.json_list(row_json(row, today, within) for row in rows)  # 10,000: never held whole
    elif out.draws_for_terminal():  # colours: Rich draws
        # Rich: only when drawing for a terminal
        from ipt_cli.views import terminal

        out.show(terminal.list_view(rows, today, out.console.width, within), soft_wrap=True)
    else:  # a pipe or a file: the same lines, plain, without Rich
        # lazy: keeps views.listing off `ipt list --json`
        from ipt_cli.views.listing import list_text

        ascii_only = not out.encoding.startswith("utf")
        out.data(list_text(rows, today, out.plain_width(), ascii_only, within))


def cached_course_rows(ctx: typer.Context) -> "list[CourseRow]":
    """Every course's list row, archived ones included, from the list index (rebuilt where
    a file changed, with a progress bar on stderr while many are read)."""
    # lazy: keeps store.index off `ipt report ab`
    from ipt_cli.store.index import cached_rows

    paths = common.data_paths(ctx)
    rules = common.scoring_rules(ctx)
    cipher = None
    if paths.encrypted:
        # lazy: the cipher (and tomli) only for an encrypted folder
        from ipt_cli.store.crypto import cipher_for

        cipher = cipher_for(paths.root)
        if cipher is not None:
            cipher.check()
    return cached_rows(
        paths.courses,
        paths.index,
        repr(rules),
        lambda path: _summarise(path, rules, cipher),
        suffix=paths.course_suffix,
        cipher=cipher,
        progress=common.output(ctx).progress("Reading courses"),
    )


def _summarise(path: Path, rules: "ScoringRules", cipher: "Cipher | None") -> "CourseRow":
    """The list row of one course file, or a damaged row saying why it cannot be read."""
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.core.progress import course_row
    from ipt_cli.store.format import load_course_file

    try:
        check_ownership(path)
        return course_row(load_course_file(path, cipher), rules)
    except IdentityError:
        raise  # the whole folder is closed to this identity: exit 8, not damaged rows
    except IptError as error:
        # named after its file, as the index files it (ab.toml, or ab.toml.age)
        return CourseRow(
            path.name.removesuffix(".age").removesuffix(".toml"), damaged=error.message
        )


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt report ab-2026\n\n  ipt report ab-2026 --format "
        "markdown > ab-2026.md\n\n  ipt report ab-2026 --format html -o ab-2026.html\n\n  "
        "ipt report ab-2026 --format json | jq .measures"
    )(report)
    app.command(
        "list", epilog="Examples:\n\n  ipt list\n\n  ipt list --risk-first\n\n  ipt list --json"
    )(list_courses)
