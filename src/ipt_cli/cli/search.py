"""`ipt search`: find text in notes, addenda, tasks, formulations, inventory and timeline."""

from enum import StrEnum
from typing import Annotated

import typer

from ipt_cli.cli import common, completion
from ipt_cli.errors import InputError
from ipt_cli.views.output import Content  # loaded by the root callback anyway


class Field(StrEnum):
    note = "note"
    task = "task"
    formulation = "formulation"
    inventory = "inventory"
    timeline = "timeline"
    all = "all"


def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(metavar="TEXT", help="What to look for (any case, not a pattern).")
    ],
    course_id: Annotated[
        str | None,
        typer.Option(
            "--course",
            metavar="COURSE_ID",
            help="Search this course only (archived or not).",
            autocompletion=completion.course_ids,
        ),
    ] = None,
    fields: Annotated[
        list[Field] | None,
        typer.Option(
            "--field",
            help="Where to look (repeatable): note (notes, addenda, events, risk reviews with "
            "their actions and protective factors), task (tasks and outcomes), formulation, "
            "inventory, timeline or all (default).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    every: Annotated[bool, typer.Option("--all", help="Include archived courses.")] = False,
) -> None:
    """Search every course's notes, addenda, tasks, formulation, inventory and timeline.

    Prints the course, session, date and each matching line, the match highlighted on a
    terminal. Case does not matter; TEXT is plain text, not a pattern.
    """
    # lazy: keeps tomli off start-up, and the search's modules off `ipt --help`
    from ipt_cli.core.search import FIELDS, hits
    from ipt_cli.store.search import entries_for
    from ipt_cli.views.search import hit_chunks, hits_json, styled

    if not query.strip() or "\n" in query or "\r" in query:
        raise InputError("give the text to search for, on one line")
    chosen = FIELDS if not fields or Field.all in fields else tuple(f.value for f in fields)
    out = common.output(ctx)
    paths = common.data_paths(ctx)  # no models: a file is parsed only if it must be
    ids = [course_id] if course_id is not None else paths.course_ids()
    archived = every or course_id is not None
    found = entries_for(paths, query, ids, archived, out.warn)
    if course_id is not None and found.problems:
        raise found.problems[0]
    for problem in found.problems:
        out.warn(f"skipped: {problem.message} (see ipt doctor)")
    matches = hits(found.entries, query, chosen)
    if as_json:
        out.json(hits_json(list(matches)))
        return

    printed = False
    drawn = styled(out.stdout)  # styled lines neutralise the user's text themselves
    content = Content.DRAWN if drawn else Content.PLAIN
    for chunk in hit_chunks(matches, drawn):  # written in chunks, not one string
        out.data(chunk, content=content)
        printed = True
    if not printed:
        out.warn("no match")


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt search funeral\n\n  ipt search 'Ken' --course ab-2026 "
        "--field task\n\n  ipt search sister --field inventory --field timeline --all\n\n  "
        "ipt search funeral --json | jq '.[].course_id'"
    )(search)
