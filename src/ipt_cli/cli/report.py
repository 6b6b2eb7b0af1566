"""`ipt report` (one course's progress) and `ipt list` (every course at a glance)."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.summary import CourseRow

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.measures import ScoringRules


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


def report(
    ctx: typer.Context,
    course_id: common.CourseId,
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="text, markdown (for a supervisor), json (for scripts) or "
        "html (one self-contained page with charts).")] = ReportFormat.text,
    output: common.OutputOption = None,
) -> None:
    """Print progress: flags, phase, scores, goals.

    Unreviewed safety flags come first. Response, remission and reliable change follow the
    published rules of each measure.
    """
    from ipt_cli import dates, report_cache
    from ipt_cli.ownership import check_course

    today = dates.today()
    paths = common.data_paths(ctx)
    source = None
    if output is None and report_cache.enabled():
        source = report_cache.source_key(paths, course_id, today.isoformat())
    if source is not None:
        variant = _cache_variant(output_format)
        cached = report_cache.lookup(paths, course_id, source, variant)
        if cached is not None:
            check_course(paths, course_id, common.warn, set())  # as a full read would
            common.emit_text(cached)
            return
    text = _rendered_report(ctx, course_id, output_format, output, today)
    common.emit_or_write(text, output)
    if source is not None:
        report_cache.store(paths, course_id, source, variant, text)


def _rendered_report(ctx: typer.Context, course_id: str, output_format: ReportFormat,
                     output: Path | None, today: "dt.date") -> str:
    from ipt_cli import render
    from ipt_cli.progress import build_report

    rules = common.scoring_rules(ctx)
    built = build_report(common.store(ctx).load(course_id), today, rules)
    if output_format is ReportFormat.json:
        from ipt_cli.documents import report_json, to_json

        return to_json(report_json(built))
    if output_format is ReportFormat.markdown:
        from ipt_cli.documents import report_markdown

        return report_markdown(built)
    if output_format is ReportFormat.html:
        from ipt_cli.html_report import report_html

        return report_html(built, rules)
    if output is None:
        return render.report_output(built)  # drawn for this terminal, or plain for a pipe
    return render.report_text(built)


def _cache_variant(output_format: ReportFormat) -> str:
    """Text is drawn for the terminal at hand; the other formats are the same anywhere."""
    if output_format is not ReportFormat.text:
        return output_format.value
    from ipt_cli.console import terminal_fingerprint

    return f"text:{terminal_fingerprint()}"


def list_courses(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    output_format: Annotated[common.Format | None, typer.Option(
        "--format", "-f", help="text or json (--json is the same as --format json).")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include archived courses.")
                        ] = False,
) -> None:
    """List every course with its phase and scores.

    Sorted by next session date; damaged files show as damaged rows.
    """
    from ipt_cli import dates, render
    from ipt_cli.index import cached_rows
    from ipt_cli.summary import list_json, sort_rows

    today = dates.today()
    paths = common.data_paths(ctx)
    rules = common.scoring_rules(ctx)
    rows = cached_rows(paths.courses, paths.index, repr(rules),
                       lambda path: _summarise(path, rules))
    rows = sort_rows([r for r in rows if show_all or not r.archived])
    if as_json or output_format is common.Format.json:
        common.emit_json(list_json(rows, today))
    else:
        render.print_list(rows, today)


def _summarise(path: Path, rules: "ScoringRules") -> "CourseRow":
    """The list row of one course file, or a damaged row saying why it cannot be read."""
    from ipt_cli.errors import IptError
    from ipt_cli.ownership import check_ownership
    from ipt_cli.progress import course_row
    from ipt_cli.storage import load_course_file

    try:
        check_ownership(path)
        return course_row(load_course_file(path), rules)
    except IptError as error:
        return CourseRow(path.stem, damaged=error.message)


def register(app: typer.Typer) -> None:
    app.command(epilog="Examples:\n\n  ipt report ab-2026\n\n  ipt report ab-2026 --format "
                "markdown > ab-2026.md\n\n  ipt report ab-2026 --format html -o ab-2026.html\n\n  "
                "ipt report ab-2026 --format json | jq .measures"
                )(report)
    app.command("list", epilog="Examples:\n\n  ipt list\n\n  ipt list --json")(list_courses)
