"""`ipt goal add|list COURSE_ID`: the goals that sessions rate 0-10."""

from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.choices import ProblemArea
from ipt_cli.cli.subcommands import sub_app

# Typer checks the choice, lists it in --help and completes it (cli/choices.py).
ProblemAreaOption = Annotated[
    ProblemArea | None, typer.Option(help="The problem area it belongs to.", show_default=False)
]

app = sub_app(
    "goal",
    "Add, list, retire or reword the goals that sessions rate 0-10.",
    "Examples:\n\n  ipt goal add ab-2026 --id walk-group --text 'Join the walking group' "
    "--area role-transition\n\n  ipt goal list ab-2026",
)


@app.command("add")
def add(
    ctx: typer.Context,
    course_id: common.CourseId,
    goal_id: Annotated[
        str | None,
        typer.Option(
            "--id", metavar="GOAL_ID", help="A short id that sessions rate, e.g. walk-group."
        ),
    ] = None,
    text: Annotated[str | None, typer.Option(metavar="TEXT", help="The goal in words.")] = None,
    area: ProblemAreaOption = None,
    no_input: common.NoInput = False,
) -> None:
    """Add a goal (asks for what is missing on a terminal)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    if common.interactive(no_input) and (goal_id is None or text is None):
        # lazy: keeps Rich and the models (pydantic) off start-up
        from ipt_cli.interact import prompts, wizard

        text = text or prompts.ask_text("Goal")
        if goal_id is None:  # suggested from the goal's words: Enter takes it
            taken = [g.id for g in common.store(ctx).load(course_id).goals]
            goal_id = wizard.ask_goal_id(text, taken)
    area_id = common.word(area)
    added = common.store(ctx).update(
        course_id, lambda c: changes.add_goal(c, goal_id, text, area_id)
    )
    common.output(ctx).done(f"Added goal {added.id} to {course_id}.")


@app.command("list")
def list_goals(ctx: typer.Context, course_id: common.CourseId) -> None:
    """Show each goal with its latest rating."""
    # Rich: only when drawing for a terminal
    from ipt_cli.views import terminal

    course = common.store(ctx).load(course_id)
    common.output(ctx).show(terminal.goals_view(course))


@app.command("retire")
def retire(
    ctx: typer.Context,
    course_id: common.CourseId,
    goal_id: Annotated[str, typer.Argument(metavar="GOAL_ID", help="The goal to retire.")],
) -> None:
    """Retire a goal: kept in the record, no longer rated or planned."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import corrections

    today = common.today()
    common.store(ctx).update(course_id, lambda c: corrections.retire_goal(c, goal_id, today))
    common.output(ctx).done(f"Retired goal {goal_id} of {course_id}: it is no longer rated.")


@app.command("edit")
def edit(
    ctx: typer.Context,
    course_id: common.CourseId,
    goal_id: Annotated[str, typer.Argument(metavar="GOAL_ID", help="The goal to reword.")],
    text: Annotated[str, typer.Option(metavar="TEXT", help="The goal in new words.")],
) -> None:
    """Reword a goal; the old words stay in the course's change history."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import corrections

    today = common.today()
    common.store(ctx).update(course_id, lambda c: corrections.edit_goal(c, goal_id, text, today))
    common.output(ctx).done(f"Changed the text of goal {goal_id} of {course_id}.")


def register(root: typer.Typer) -> None:
    root.add_typer(app)
