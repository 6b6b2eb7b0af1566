"""Later changes to the assessment: inventory, timeline, goals, formulation, and `ipt edit`."""

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common

if TYPE_CHECKING:
    from ipt_cli.core.changes import FormulationSaved


class InventoryAction(StrEnum):
    add = "add"
    list = "list"
    edit = "edit"


class ListOrAdd(StrEnum):
    add = "add"
    list = "list"


Tags = Annotated[
    list[str] | None,
    typer.Option(
        "--tag", metavar="TAG", help="support, conflict, recent-change or lost (repeatable)."
    ),
]


def inventory(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[InventoryAction, typer.Argument(help="add, list or edit.")],
    name: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Name or alias of the person.")
    ] = None,
    person: Annotated[
        int | None, typer.Option(metavar="N", help="For edit: the person's number in `list`.")
    ] = None,
    relationship: Annotated[
        str | None, typer.Option(metavar="TEXT", help="e.g. partner, mother.")
    ] = None,
    ring: Annotated[
        int | None, typer.Option(metavar="1-3", help="Closeness: 1 inner to 3 outer.")
    ] = None,
    contact: Annotated[
        str | None, typer.Option(metavar="TEXT", help="How often you are in contact.")
    ] = None,
    satisfying: Annotated[
        str | None, typer.Option(metavar="TEXT", help="What is satisfying.")
    ] = None,
    unsatisfying: Annotated[str | None, typer.Option(metavar="TEXT", help="What is not.")] = None,
    expectations_met: Annotated[
        bool | None,
        typer.Option("--expectations-met/--expectations-unmet", help="Are expectations met?"),
    ] = None,
    changes_wanted: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Changes wanted.")
    ] = None,
    tag: Tags = None,
    no_input: common.NoInput = False,
    as_json: Annotated[bool, typer.Option("--json", help="For list: print JSON.")] = False,
) -> None:
    """Add, list or edit people in the interpersonal inventory."""
    from ipt_cli.core import changes
    from ipt_cli.views import terminal

    store = common.store(ctx)
    if action is InventoryAction.list:
        course = store.load(course_id)
        if as_json:
            from ipt_cli.views.documents import inventory_json

            common.emit_json(inventory_json(course))
        else:
            terminal.print_inventory(course.inventory)
        return
    fields = {
        "name": name,
        "relationship": relationship,
        "ring": ring,
        "contact": contact,
        "satisfying": satisfying,
        "unsatisfying": unsatisfying,
        "expectations_met": expectations_met,
        "changes_wanted": changes_wanted,
        "tags": tag,
    }
    given = {k: v for k, v in fields.items() if v is not None}
    if action is InventoryAction.add:
        if common.interactive(no_input) and ("name" not in given or "ring" not in given):
            from ipt_cli.interact import wizard

            given = wizard.ask_person(given)
        added = store.update(course_id, lambda c: changes.add_person(c, given))
        terminal.out().print(
            f"Added {added.name} to the inventory of {course_id} (ring {added.ring})."
        )
        return
    from ipt_cli.errors import InputError

    if person is None:
        raise InputError("edit needs --person N (the number shown by `list`)")
    changed = store.update(course_id, lambda c: changes.edit_person(c, person, given))
    terminal.out().print(f"Updated {changed.name} in the inventory of {course_id}.")


def timeline(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[ListOrAdd, typer.Argument(help="add or list.")],
    date: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="When it happened.")
    ] = None,
    event: Annotated[str | None, typer.Option(metavar="TEXT", help="What happened.")] = None,
    mood: Annotated[
        str | None, typer.Option(metavar="TEXT", help="How mood was around it.")
    ] = None,
    no_input: common.NoInput = False,
) -> None:
    """Add or list life events against mood (the timeline)."""
    from ipt_cli.core import changes, dates
    from ipt_cli.views import terminal

    store = common.store(ctx)
    if action is ListOrAdd.list:
        terminal.print_timeline(store.load(course_id).timeline)
        return
    if common.interactive(no_input) and (date is None or event is None):
        from ipt_cli.interact import wizard

        entry = wizard.ask_event(date, event, mood)
    else:
        entry = changes.timeline_event(
            dates.parse_date(date, "--date") if date else None, event, mood
        )
    store.update(course_id, lambda c: changes.add_event(c, entry))
    terminal.out().print(f"Added an event on {entry.date.isoformat()} to {course_id}.")


def goal(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[ListOrAdd, typer.Argument(help="add or list.")],
    goal_id: Annotated[
        str | None,
        typer.Option(
            "--id", metavar="GOAL_ID", help="A short id that sessions rate, e.g. walk-group."
        ),
    ] = None,
    text: Annotated[str | None, typer.Option(metavar="TEXT", help="The goal in words.")] = None,
    area: Annotated[
        str | None, typer.Option(metavar="AREA", help="The problem area it belongs to.")
    ] = None,
    no_input: common.NoInput = False,
) -> None:
    """Add or list the goals that sessions rate 0-10."""
    from ipt_cli.core import changes
    from ipt_cli.views import terminal

    store = common.store(ctx)
    if action is ListOrAdd.list:
        course = store.load(course_id)
        terminal.print_goals(course)
        return
    if common.interactive(no_input) and (goal_id is None or text is None):
        from ipt_cli.interact import prompts

        text = text or prompts.ask_text("Goal")
        goal_id = goal_id or prompts.ask_text("Goal id (lowercase, digits, hyphens)")
    added = store.update(course_id, lambda c: changes.add_goal(c, goal_id, text, area))
    terminal.out().print(f"Added goal {added.id} to {course_id}.")


def formulation(
    ctx: typer.Context,
    course_id: common.CourseId,
    text: Annotated[str | None, typer.Option(metavar="TEXT", help="The formulation text.")] = None,
    agreed: Annotated[
        bool | None, typer.Option("--agreed/--not-agreed", help="Did the client agree with it?")
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Edit it in $VISUAL/$EDITOR.")] = False,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft", help="Start from a draft built from the areas, inventory and timeline."
        ),
    ] = False,
    no_input: common.NoInput = False,
) -> None:
    """Show or change the interpersonal formulation and the client's agreement."""
    from ipt_cli.core import changes
    from ipt_cli.core.assessment import draft_formulation
    from ipt_cli.views import terminal

    store = common.store(ctx)
    course = store.load(course_id)
    today = common.today()
    current = course.formulation.text if course.formulation else ""
    if draft or not current:
        current = draft_formulation(
            list(course.problem_areas), course.inventory, course.timeline, course.start_date, today
        )
    if edit:
        from ipt_cli.interact.editor_command import edit_text

        text = edit_text(text or current).strip()
    elif text is None and draft:
        text = current  # --draft alone saves the draft
    if text is None and agreed is None:
        if not common.interactive(no_input):
            terminal.print_formulation(course)
            return
        from ipt_cli.interact import wizard

        text, agreed = wizard.ask_formulation(current)
    saved = store.update(course_id, lambda c: changes.set_formulation(c, text, agreed, today))
    terminal.out().print(formulation_saved(course_id, saved))


def formulation_saved(course_id: str, saved: "FormulationSaved") -> str:
    state = "agreed" if saved.formulation.agreed else "not yet agreed"
    message = f"Formulation of {course_id} saved ({state})."
    if saved.agreement_reset:
        message += (
            " The text differs from the one the client agreed, so agreement was reset to "
            "not agreed; the agreed text is kept in the course history. When the client "
            "agrees the new text: ipt formulation " + course_id + " --agreed"
        )
    elif saved.previous_kept:
        message += " The previous text is kept in the course history."
    return message


def edit_course(
    ctx: typer.Context,
    course_id: common.CourseId,
) -> None:
    """Edit the course file in $VISUAL/$EDITOR, safely.

    You edit a temporary copy; the real file is replaced only when your text validates.
    On an error you see the problems and can edit again or abort: nothing is lost.
    """
    from ipt_cli.interact.editor import edit_course_file
    from ipt_cli.views import terminal

    path = edit_course_file(common.store(ctx), course_id, retry=_ask_retry)
    terminal.out().print(f"Saved {path}" if path else "No change.")


def _ask_retry(problems: list[str]) -> bool:
    from ipt_cli.views import terminal

    for problem in problems:
        terminal.notice(problem, "red")
    if not common.interactive(no_input=False):
        return False
    from ipt_cli.interact import prompts

    return prompts.confirm("Edit again? (no: abort and keep the original)", default=True)


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt inventory ab-2026 add --name 'Sister (R.)' "
        "--relationship sister --ring 1 --tag support\n\n  ipt inventory ab-2026 list"
        "\n\n  ipt inventory ab-2026 edit --person 2 --ring 2 --tag conflict"
    )(inventory)
    app.command(
        epilog="Examples:\n\n  ipt timeline ab-2026 add --date 2025-11-14 --event "
        "'Father died' --mood 'numb'\n\n  ipt timeline ab-2026 list"
    )(timeline)
    app.command(
        epilog="Examples:\n\n  ipt goal ab-2026 add --id walk-group --text 'Join the "
        "walking group' --area role-transition\n\n  ipt goal ab-2026 list"
    )(goal)
    app.command(
        epilog="Examples:\n\n  ipt formulation ab-2026\n\n  ipt formulation ab-2026 "
        "--draft --edit --agreed"
    )(formulation)
    app.command("edit", epilog="Example:\n\n  EDITOR=nano ipt edit ab-2026")(edit_course)
