"""`ipt export`: a course for a move or a supervisor (json, markdown), or scores for
research and service data (csv, csv-wide, redcap-dictionary, fhir)."""

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common, completion
from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.errors import InputError
from ipt_cli.views.output import Content, to_json  # loaded by the root callback anyway

if TYPE_CHECKING:
    from pathlib import Path

    from ipt_cli.core.models import Course


class ExportFormat(StrEnum):
    json = "json"
    markdown = "markdown"
    csv = "csv"
    csv_wide = "csv-wide"
    redcap_dictionary = "redcap-dictionary"
    fhir = "fhir"


ONE_COURSE = (ExportFormat.json, ExportFormat.markdown, ExportFormat.fhir)
MANY_COURSES = (ExportFormat.csv, ExportFormat.csv_wide)


def export(
    ctx: typer.Context,
    course_id: Annotated[
        str | None,
        typer.Argument(
            help="The course id (csv and csv-wide also take --all instead).",
            metavar="COURSE_ID",
            show_default=False,
            autocompletion=completion.course_ids,
        ),
    ] = None,
    output_format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="json (the full course, re-importable), markdown (the record with session "
            "notes), csv (one row per item score), csv-wide (one row per sitting, for REDCap), "
            "redcap-dictionary (the REDCap data dictionary of csv-wide) or fhir (an HL7 FHIR "
            "R4 Bundle of the scores). Only json and markdown carry notes. Default: from "
            "the output file's extension (.json, .md, .csv), else json.",
        ),
    ] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="csv and csv-wide: every course, archived ones too."),
    ] = False,
    output: common.OutputOption = None,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain", help="In an encrypted folder, write plain text instead of age (warns)."
        ),
    ] = False,
) -> None:
    """Export a course, notes included: for a move, a backup or a supervisor; or its scores,
    without any note, for research and service data.

    From an encrypted folder the export is age-encrypted for the folder's recipients
    (FILE gains .age; stdout gets ASCII armor) unless --plain is given."""
    output_format = common.chosen_format(
        ExportFormat, output_format, False, output, ExportFormat.json
    )
    _check_selection(output_format, course_id, every)
    if output_format is ExportFormat.redcap_dictionary:
        # lazy: keeps the models (pydantic) off start-up
        from ipt_cli.views.csv_export import redcap_dictionary

        common.deliver(ctx, redcap_dictionary(), output, content=Content.EXACT)
        return
    if output_format in MANY_COURSES:
        courses = _every_course(ctx) if every else [common.store(ctx).load(str(course_id))]
        text = _scores_csv(ctx, courses, output_format)
        _deliver(ctx, text, output, plain, content=Content.EXACT)
        return
    course = common.store(ctx).load(str(course_id))
    _deliver(ctx, _one_course(ctx, course, output_format), output, plain)


def _deliver(
    ctx: typer.Context,
    text: str,
    output: "Path | None",
    plain: bool,
    *,
    content: Content | None = None,
) -> None:
    """Course data leaves an encrypted folder age-encrypted, unless --plain (warned)."""
    cipher = common.store(ctx).cipher
    if cipher is not None and not plain:
        common.deliver_sealed(ctx, cipher, text, output)
        return
    if cipher is not None:
        common.output(ctx).warn("warning: --plain: this export is unencrypted course data")
    common.deliver(ctx, text, output, content=content)  # EXACT: CSV for programs


def _check_selection(output_format: ExportFormat, course_id: str | None, every: bool) -> None:
    if output_format is ExportFormat.redcap_dictionary:
        if course_id is not None or every:
            raise InputError("--format redcap-dictionary takes no COURSE_ID and no --all")
    elif output_format in MANY_COURSES:
        if (course_id is None) == (not every):
            raise InputError(f"--format {output_format} takes a COURSE_ID or --all (one of them)")
    elif every:
        raise InputError(f"--format {output_format} exports one course: give its COURSE_ID")
    elif course_id is None:
        raise InputError("give the COURSE_ID of the course to export")


def _every_course(ctx: typer.Context) -> "list[Course]":
    courses, problems = common.store(ctx).load_every()
    for problem in problems:
        common.output(ctx).warn(f"skipped: {problem.message} (see ipt doctor)")
    return courses


def _scores_csv(ctx: typer.Context, courses: "list[Course]", output_format: ExportFormat) -> str:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.research import research_rows
    from ipt_cli.views.csv_export import long_csv, wide_csv

    rules = common.scoring_rules(ctx)
    rows = [r for course in courses for r in research_rows(course, rules)]
    return long_csv(rows) if output_format is ExportFormat.csv else wide_csv(rows)


def _one_course(ctx: typer.Context, course: "Course", output_format: ExportFormat) -> str:
    if output_format is ExportFormat.json:
        return to_json(course.model_dump(mode="json", exclude_none=True))
    if output_format is ExportFormat.markdown:
        # lazy: keeps the models (pydantic) and the Markdown rendering off start-up
        from ipt_cli.core.progress import build_report
        from ipt_cli.views.markdown import report_markdown, session_notes_markdown

        report = build_report(course, common.today(), common.scoring_rules(ctx))
        return report_markdown(report) + "\n" + session_notes_markdown(course)
    return _fhir(ctx, course)


def _fhir(ctx: typer.Context, course: "Course") -> str:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.research import research_rows
    from ipt_cli.views.fhir import exported_instruments, fhir_bundle, fhir_json

    found = research_rows(course, common.scoring_rules(ctx))
    left_out = {s.instrument for row in found for s in row.scores}
    left_out -= set(exported_instruments())
    if left_out:
        names = ", ".join(INSTRUMENTS[i].name for i in INSTRUMENTS if i in left_out)
        common.output(ctx).warn(
            f"note: {names} left out of the FHIR export (no checked LOINC code)"
        )
    stamp = dt.datetime.now(dt.UTC)
    return fhir_json(fhir_bundle(course.id, course.created, found, stamp))


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt export ab-2026 > ab-2026.json\n\n  ipt export "
        "ab-2026 --format markdown --output ab-2026.md\n\n  ipt export --all --format csv "
        "-o scores.csv\n\n  ipt export --all --format csv-wide -o redcap.csv\n\n  ipt export "
        "--format redcap-dictionary -o dictionary.csv\n\n  ipt export ab-2026 --format fhir "
        "-o ab-2026.fhir.json"
    )(export)
