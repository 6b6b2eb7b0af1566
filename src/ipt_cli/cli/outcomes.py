"""`ipt outcomes`: the service's outcomes over every course (core/outcomes.py), read from
the list index so that a large caseload costs little more than `ipt list`."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.report import cached_course_rows
from ipt_cli.core.dates import parse_date
from ipt_cli.errors import InputError
from ipt_cli.views.output import Content, to_json  # loaded by the root callback anyway

if TYPE_CHECKING:
    from ipt_cli.core.outcome_record import CourseOutcome
    from ipt_cli.core.outcomes import Judged, OutcomeGroup

OUTCOMES_EPILOG = """Examples:

  ipt outcomes

  ipt outcomes --since 2026-01-01 --until 2026-06-30 --condition depression

  ipt outcomes --group-by signer --json

  ipt outcomes --format html -o outcomes.html

Definitions (NHS Talking Therapies): a course finished treatment when it has ended and
has at least two sittings with paired scores; a case scores PHQ-9 >= 10 or GAD-7 >= 8;
recovery is a case at the first score and not a case on either measure at the last;
reliable improvement is a fall of 6 (PHQ-9) or 4 (GAD-7) points on one measure without a
reliable rise on the other. Courses still in treatment or with one score are counted in
their own row, never dropped. See ipt guide outcomes.
"""


class OutcomesFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    html = "html"


class GroupBy(StrEnum):
    condition = "condition"
    adaptation = "adaptation"
    signer = "signer"


def outcomes(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Courses whose last score is on or after DATE."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="Courses whose last score is on or before DATE."
        ),
    ] = None,
    condition: Annotated[
        str | None, typer.Option("--condition", help="Only courses of this condition.")
    ] = None,
    adaptation: Annotated[
        str | None, typer.Option("--adaptation", help="Only courses of this adaptation.")
    ] = None,
    signer: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="SIGNER",
            help="Only courses whose latest signed session SIGNER signed; groups by signer.",
        ),
    ] = None,
    group_by: Annotated[
        list[GroupBy] | None,
        typer.Option(
            "--group-by",
            help="Groups after all courses (repeatable; default: condition and adaptation).",
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include archived courses.")] = False,
    names: Annotated[
        bool,
        typer.Option(
            "--names", help="List each course with its client alias and what it counted as."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    output_format: Annotated[
        OutcomesFormat | None,
        typer.Option("--format", "-f", help="text, json, csv or html (printable)."),
    ] = None,
    output: common.OutputOption = None,
) -> None:
    """The service's outcomes: finished courses, recovery, reliable improvement and
    deterioration, overall and by condition, adaptation or signer.

    Built from the list index (a progress bar on stderr while a cold index is read). No
    note text in any format, and no client alias unless --names.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.outcomes import Selection, judge, outcome_definitions, outcome_groups

    chosen = common.chosen_format(
        OutcomesFormat, output_format, as_json, output, OutcomesFormat.text
    )
    selection = Selection(
        since=parse_date(since, "--since") if since else None,
        until=parse_date(until, "--until") if until else None,
        condition=condition,
        adaptation=adaptation,
        signer=signer,
        archived=show_all,
    )
    if selection.since and selection.until and selection.since > selection.until:
        raise InputError("--since is after --until: nothing could be selected")
    rules = common.scoring_rules(ctx)
    every = _course_outcomes(ctx)
    groupings = [g.value for g in group_by] if group_by else ["condition", "adaptation"]
    if signer is not None and "signer" not in groupings:
        groupings.append("signer")
    groups = outcome_groups(every, selection, rules, groupings)
    definitions = outcome_definitions(rules)
    listed = [(o, judge(o, rules)) for o in every if selection.admits(o)] if names else None
    _deliver(ctx, chosen, groups, definitions, listed, output)


def _course_outcomes(ctx: typer.Context) -> "list[CourseOutcome]":
    """Every course's outcome record, from the list index (rebuilt where stale)."""
    rows = cached_course_rows(ctx)
    rows.reverse()
    found = []
    while rows:  # each row let go as its record is made: never all rows and all records
        outcome = rows.pop().outcome()
        if outcome is not None:
            found.append(outcome)
    return found


def _deliver(
    ctx: typer.Context,
    chosen: OutcomesFormat,
    groups: "list[OutcomeGroup]",
    definitions: dict[str, str],
    listed: "list[tuple[CourseOutcome, Judged | None]] | None",
    output: Path | None,
) -> None:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.views import outcomes as views

    out = common.output(ctx)
    if chosen is OutcomesFormat.json:
        text = to_json(views.outcomes_json(groups, definitions, listed))
        common.deliver(ctx, text, output, content=Content.SAFE)
    elif chosen is OutcomesFormat.csv:
        common.deliver(ctx, views.outcomes_csv(groups), output, content=Content.EXACT)
    elif chosen is OutcomesFormat.html:
        generated = common.today().isoformat()
        common.deliver(ctx, views.outcomes_html(groups, definitions, listed, generated), output)
    else:
        ascii_only = not out.encoding.startswith("utf")
        common.deliver(ctx, views.outcomes_text(groups, definitions, listed, ascii_only), output)


def register(app: typer.Typer) -> None:
    app.command("outcomes", epilog=OUTCOMES_EPILOG)(outcomes)
