"""`ipt formulation` (the interpersonal formulation) and `ipt edit` (the course file in an
editor)."""

from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.sealing import recorded_now


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
    date: common.ActDateOption = None,
    no_input: common.NoInput = False,
) -> None:
    """Show or change the interpersonal formulation and the client's agreement (dated
    --date: the day it was written or agreed)."""
    # lazy: keeps the models (pydantic) and Rich off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.assessment import draft_formulation
    from ipt_cli.views import terminal

    store = common.store(ctx)
    course = store.load(course_id)
    today, made = common.today(), common.act_date(date)
    if made is not None:  # a wrong --date is refused before the editor or the questions
        changes.course_act_date(course, made, today)
    current = course.formulation.text if course.formulation else ""
    if draft or not current:
        current = draft_formulation(
            list(course.problem_areas), course.inventory, course.timeline, course.start_date, today
        )
    if edit:
        # lazy: keeps interact.editor_command (11 modules) off start-up
        from ipt_cli.interact.editor_command import edit_text

        text = edit_text(text or current, root=store.paths.root).strip()
    elif text is None and draft:
        text = current  # --draft alone saves the draft
    if text is None and agreed is None:
        if not common.interactive(no_input):
            common.output(ctx).show(terminal.formulation_view(course))
            return
        # lazy: keeps Rich and the models (pydantic) off start-up
        from ipt_cli.interact import wizard

        text, agreed = wizard.ask_formulation(current, store.paths.root)
    saved = store.update(
        course_id,
        lambda c: changes.set_formulation(
            c, text, agreed, today, made=made, recorded_at=recorded_now()
        ),
    )
    common.output(ctx).done(saved.describe(course_id) + common.dated(made))


def edit_course(
    ctx: typer.Context,
    course_id: common.CourseId,
) -> None:
    """Edit the course file in $VISUAL/$EDITOR, safely.

    You edit a private copy; the real file is replaced only when your text validates.
    On an error you see the problems and can edit again or abort (the course is unchanged
    and the copy removed).
    """
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.interact.editor import edit_course_file

    out = common.output(ctx)

    def ask_retry(problems: list[str]) -> bool:
        for problem in problems:
            out.notice(problem, "red")
        if not common.interactive(no_input=False):
            return False
        # Rich: prompts only on a terminal
        from ipt_cli.interact import prompts

        return prompts.confirm("Edit again? (no: abort and keep the original)", default=True)

    path = edit_course_file(common.store(ctx), course_id, retry=ask_retry)
    out.done(f"Saved {path}" if path else "No change.")


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt formulation ab-2026\n\n  ipt formulation ab-2026 "
        "--draft --edit --agreed\n\n  ipt formulation ab-2026 --agreed --date 2026-01-19"
    )(formulation)
    app.command("edit", epilog="Example:\n\n  EDITOR=nano ipt edit ab-2026")(edit_course)
