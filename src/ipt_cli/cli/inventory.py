"""`ipt inventory add|list|edit COURSE_ID`: the people in the interpersonal inventory."""

from typing import Annotated, Any

import typer

from ipt_cli.cli import common
from ipt_cli.cli.subcommands import sub_app
from ipt_cli.core.vocabulary import PersonTagId, listed

app = sub_app(
    "inventory",
    "Add, list or edit people in the interpersonal inventory.",
    "Examples:\n\n  ipt inventory add ab-2026 --name 'Sister (R.)' --relationship sister "
    "--ring 1 --tag support\n\n  ipt inventory list ab-2026\n\n  ipt inventory edit ab-2026 "
    "--person 2 --ring 2 --tag conflict",
)

Name = Annotated[str | None, typer.Option(metavar="TEXT", help="Name or alias of the person.")]
Relationship = Annotated[str | None, typer.Option(metavar="TEXT", help="e.g. partner, mother.")]
Ring = Annotated[int | None, typer.Option(metavar="1-3", help="Closeness: 1 inner to 3 outer.")]
Contact = Annotated[str | None, typer.Option(metavar="TEXT", help="How often you are in contact.")]
Satisfying = Annotated[str | None, typer.Option(metavar="TEXT", help="What is satisfying.")]
Unsatisfying = Annotated[str | None, typer.Option(metavar="TEXT", help="What is not.")]
ExpectationsMet = Annotated[
    bool | None,
    typer.Option("--expectations-met/--expectations-unmet", help="Are expectations met?"),
]
ChangesWanted = Annotated[str | None, typer.Option(metavar="TEXT", help="Changes wanted.")]
Tags = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        metavar="TAG",
        help=f"{listed(PersonTagId)} (repeatable).",
    ),
]


def _given(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


@app.command("add")
def add(
    ctx: typer.Context,
    course_id: common.CourseId,
    name: Name = None,
    relationship: Relationship = None,
    ring: Ring = None,
    contact: Contact = None,
    satisfying: Satisfying = None,
    unsatisfying: Unsatisfying = None,
    expectations_met: ExpectationsMet = None,
    changes_wanted: ChangesWanted = None,
    tag: Tags = None,
    no_input: common.NoInput = False,
) -> None:
    """Add a person (asks for what is missing on a terminal)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    given = _given(
        name=name, relationship=relationship, ring=ring, contact=contact,
        satisfying=satisfying, unsatisfying=unsatisfying, expectations_met=expectations_met,
        changes_wanted=changes_wanted, tags=tag,
    )  # fmt: skip
    if common.interactive(no_input) and ("name" not in given or "ring" not in given):
        # lazy: keeps Rich and the models (pydantic) off start-up
        from ipt_cli.interact import wizard

        given = wizard.ask_person(given)
    added = common.store(ctx).update(course_id, lambda c: changes.add_person(c, given))
    common.output(ctx).done(
        f"Added {added.name} to the inventory of {course_id} (ring {added.ring})."
    )


@app.command("list")
def list_people(
    ctx: typer.Context,
    course_id: common.CourseId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the closeness circle and the inventory table."""
    course = common.store(ctx).load(course_id)
    out = common.output(ctx)
    if as_json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import inventory_json

        out.json(inventory_json(course))
    else:
        # Rich: only when drawing for a terminal
        from ipt_cli.views import terminal

        out.show(terminal.inventory_view(course.inventory))


@app.command("edit")
def edit(
    ctx: typer.Context,
    course_id: common.CourseId,
    person: Annotated[
        int, typer.Option(metavar="N", help="The person's number in `ipt inventory list`.")
    ],
    name: Name = None,
    relationship: Relationship = None,
    ring: Ring = None,
    contact: Contact = None,
    satisfying: Satisfying = None,
    unsatisfying: Unsatisfying = None,
    expectations_met: ExpectationsMet = None,
    changes_wanted: ChangesWanted = None,
    tag: Tags = None,
) -> None:
    """Change what is recorded about one person."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    given = _given(
        name=name, relationship=relationship, ring=ring, contact=contact,
        satisfying=satisfying, unsatisfying=unsatisfying, expectations_met=expectations_met,
        changes_wanted=changes_wanted, tags=tag,
    )  # fmt: skip
    changed = common.store(ctx).update(course_id, lambda c: changes.edit_person(c, person, given))
    common.output(ctx).done(f"Updated {changed.name} in the inventory of {course_id}.")


def register(root: typer.Typer) -> None:
    root.add_typer(app)
