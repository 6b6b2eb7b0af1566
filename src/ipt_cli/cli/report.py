"""`ipt report` (one course's progress) and `ipt list` (every course at a glance)."""

from typing import Annotated

import typer

from ipt_cli.cli import common


def report(
    ctx: typer.Context,
    course_id: common.CourseId,
    output_format: common.FormatOption = common.Format.text,
) -> None:
    """Print progress: flags, phase, scores, goals.

    Unreviewed safety flags come first. Response, remission and reliable change follow the
    published rules of each measure.
    """
    from ipt_cli import documents, inputs, render
    from ipt_cli.progress import build_report

    built = build_report(common.store(ctx).load(course_id), inputs.today(),
                         common.scoring_rules(ctx))
    if output_format is common.Format.json:
        common.emit_json(documents.report_json(built))
    elif output_format is common.Format.markdown:
        common.emit_text(documents.report_markdown(built))
    else:
        render.print_report(built)


def list_courses(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
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
    ]
    rows = sort_rows(rows)
    if as_json:
        common.emit_json(documents.list_json(rows))
    else:
        render.print_list(rows)


def register(app: typer.Typer) -> None:
    app.command(epilog="Examples:\n\n  ipt report ab-2026\n\n  ipt report ab-2026 --format "
                "markdown > ab-2026.md\n\n  ipt report ab-2026 --format json | jq .measures"
                )(report)
    app.command("list", epilog="Examples:\n\n  ipt list\n\n  ipt list --json")(list_courses)
