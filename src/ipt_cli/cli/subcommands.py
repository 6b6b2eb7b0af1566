"""Sub-apps whose actions come first (`ipt goal add ab-2026 ...`), still accepting the
order of earlier releases (`ipt goal ab-2026 add ...`) with a deprecation line on stderr."""

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from ipt_cli.views.text_safety import terminal_safe


class ActionFirstGroup(TyperGroup):
    """Swaps `COURSE_ID ACTION` into `ACTION COURSE_ID`, saying so once on stderr."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if (
            len(args) >= 2
            and args[0] not in self.commands
            and not args[0].startswith("-")
            and args[1] in self.commands
        ):
            action, course_id = args[1], args[0]
            sys.stderr.write(
                terminal_safe(
                    f"ipt: deprecated order; write `ipt {ctx.info_name} {action} {course_id} "
                    "...` (the old order stops working in the next release)\n"
                )
            )
            args = [action, course_id, *args[2:]]
        return super().parse_args(ctx, args)


def sub_app(name: str, help_text: str, epilog: str, **settings: Any) -> typer.Typer:
    return typer.Typer(
        name=name,
        cls=ActionFirstGroup,
        help=help_text,
        epilog=epilog,
        no_args_is_help=True,
        rich_markup_mode=None,
        **settings,
    )
