"""`ipt report` (one course's progress) and `ipt list` (every course at a glance)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ipt_cli.cli import common


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
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE (atomically, mode 0600).")
    ] = None,
) -> None:
    """Print progress: flags, phase, scores, goals.

    Unreviewed safety flags come first. Response, remission and reliable change follow the
    published rules of each measure.
    """
    from ipt_cli import documents, inputs, render
    from ipt_cli.progress import build_report

    rules = common.scoring_rules(ctx)
    built = build_report(common.store(ctx).load(course_id), inputs.today(), rules)
    if output_format is ReportFormat.json:
        text = documents.to_json(documents.report_json(built))
    elif output_format is ReportFormat.markdown:
        text = documents.report_markdown(built)
    elif output_format is ReportFormat.html:
        from ipt_cli.html_report import report_html

        text = report_html(built, rules)
    elif output is None:
        render.print_report(built)
        return
    else:
        text = render.report_text(built)
    common.emit_or_write(text, output)


def list_courses(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="Include archived courses.")
                        ] = False,
) -> None:
    """List every course with its phase and scores.

    Sorted by next session date; damaged files show as damaged rows.
    """
    from ipt_cli import documents, inputs, render
    from ipt_cli.progress import CourseRow, course_row, sort_rows

    today = inputs.today()
    rules = common.scoring_rules(ctx)
    rows = [
        course_row(entry.course, today, rules) if entry.course
        else CourseRow(entry.course_id, damaged=entry.problem)
        for entry in common.store(ctx).list_courses()
        if show_all or entry.course is None or entry.course.archived is None
    ]
    rows = sort_rows(rows)
    if as_json:
        common.emit_json(documents.list_json(rows))
    else:
        render.print_list(rows)


def register(app: typer.Typer) -> None:
    app.command(epilog="Examples:\n\n  ipt report ab-2026\n\n  ipt report ab-2026 --format "
                "markdown > ab-2026.md\n\n  ipt report ab-2026 --format html -o ab-2026.html\n\n  "
                "ipt report ab-2026 --format json | jq .measures"
                )(report)
    app.command("list", epilog="Examples:\n\n  ipt list\n\n  ipt list --json")(list_courses)
