"""`ipt safety-plan`: the client's safety plan (Stanley-Brown sections), every version kept."""

from enum import StrEnum
from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.errors import InputError


class PlanAction(StrEnum):
    show = "show"
    edit = "edit"
    history = "history"


def _section(option: str, help_text: str) -> object:
    return typer.Option(option, metavar="TEXT", help=help_text + " (repeatable).")


Items = list[str] | None


def safety_plan(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[
        PlanAction,
        typer.Argument(help="show (default), edit, or history (every version, dated)."),
    ] = PlanAction.show,
    warning_sign: Annotated[Items, _section("--warning-sign", "Warning sign")] = None,
    coping: Annotated[Items, _section("--coping", "Internal coping strategy")] = None,
    distraction: Annotated[
        Items, _section("--distraction", "A person or place that distracts")
    ] = None,
    helper: Annotated[Items, _section("--helper", "A person to ask for help, with contact")] = None,
    professional: Annotated[
        Items, _section("--professional", "A professional or agency, with number")
    ] = None,
    environment: Annotated[
        Items, _section("--environment", "A step to make the environment safe")
    ] = None,
    reason: Annotated[Items, _section("--reason", "A reason for living")] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who wrote this version (kept).")
    ] = None,
    output_format: Annotated[
        common.Format | None,
        typer.Option("--format", "-f", help="text, markdown or json (show and history)."),
    ] = None,
    as_json: common.JsonOption = False,
    no_input: common.NoInput = False,
) -> None:
    """Show, edit or list the versions of the client's safety plan.

    edit adds a new dated version: the sections given as options replace those sections
    (the others are carried over); with no section option, on a terminal, the plan opens in
    $VISUAL/$EDITOR. Earlier versions are kept: see `history`.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.views import record as views

    output_format = common.chosen_format(
        common.Format, output_format, as_json, None, common.Format.text
    )
    given = {
        "warning_signs": warning_sign,
        "coping_strategies": coping,
        "distractions": distraction,
        "helpers": helper,
        "professionals": professional,
        "environment": environment,
        "reasons_for_living": reason,
    }
    changes = {name: items for name, items in given.items() if items is not None}
    if action is not PlanAction.edit:
        if changes or by:
            raise InputError("the section options and --by go with: ipt safety-plan ID edit")
        course = common.store(ctx).load(course_id)
        if output_format is common.Format.json:
            common.output(ctx).json(views.safety_plan_json(course))
        elif output_format is common.Format.markdown:
            history = action is PlanAction.history
            common.output(ctx).data(views.safety_plan_markdown(course, history))
        elif action is PlanAction.history:
            common.output(ctx).data(views.safety_plan_history(course))
        else:
            common.output(ctx).data(views.safety_plan_text(course))
        return
    _edit(ctx, course_id, changes, by, no_input)


def _edit(
    ctx: typer.Context,
    course_id: str,
    changes: dict[str, list[str]],
    by: str | None,
    no_input: bool,
) -> None:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import safety_plan

    store = common.store(ctx)
    if not changes:
        if not common.interactive(no_input):
            raise InputError(
                "give the sections to change (--warning-sign TEXT, --coping TEXT, ... each "
                "repeatable), or run on a terminal to edit the plan in $VISUAL/$EDITOR"
            )
        # lazy: keeps interact.editor_command (12 modules) off start-up
        from ipt_cli.interact.editor_command import edit_text

        changes = safety_plan.parse_plan_text(
            edit_text(safety_plan.plan_text(store.load(course_id)), root=store.paths.root)
        )
    today = common.today()
    version = store.update(course_id, lambda c: safety_plan.revise(c, changes, today, by))
    course = store.load(course_id)
    if version is None:
        common.output(ctx).done(
            f"No change: the safety plan of {course_id} stays at "
            f"{safety_plan.version_label(course)}."
        )
        return
    common.output(ctx).done(
        f"Safety plan of {course_id} saved: {safety_plan.version_label(course)} (earlier "
        "versions are kept: ipt safety-plan " + course_id + " history)."
    )
    for gap in safety_plan.plan_gaps(version):  # Stanley & Brown (2012): steps 5 and 6
        common.output(ctx).warn(f"the safety plan of {course_id} has {gap}")


def register(app: typer.Typer) -> None:
    app.command(
        "safety-plan",
        epilog="Examples:\n\n  ipt safety-plan ab-2026\n\n  ipt safety-plan ab-2026 edit\n\n"
        "  ipt safety-plan ab-2026 edit --warning-sign 'Not sleeping' --helper 'Sister, "
        "07700 900123' --professional 'Crisis line 116 123'\n\n  ipt safety-plan ab-2026 "
        "history",
    )(safety_plan)
