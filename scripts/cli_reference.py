"""Write docs/cli.md, the command reference, from the app itself: every command's and
subcommand's `--help`, as a person sees it at 100 columns.

    python scripts/cli_reference.py          # rewrite docs/cli.md
    python scripts/cli_reference.py --check  # exit 1 when docs/cli.md is out of date

tests/test_cli_reference.py runs the check, so the reference cannot drift from the code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
WIDTH = 100

HEAD = """# Command reference

Generated from the app by `python scripts/cli_reference.py` (a test fails when it is out of
date): every command's `--help` as a terminal shows it. The README's table says the
same in short.
"""


def _help(args: list[str]) -> str:
    from typer.testing import CliRunner

    from ipt_cli.cli.app import app

    env = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
    done = CliRunner().invoke(app, [*args, "--help"], env=env, prog_name="ipt")
    if done.exit_code != 0:
        raise SystemExit(f"ipt {' '.join(args)} --help exited {done.exit_code}")
    return done.stdout.rstrip() + "\n"


def _subcommands(path: list[str]) -> list[str]:
    """The visible subcommands of a command group, in their listed order."""
    import typer

    from ipt_cli.cli.app import app

    command: Any = typer.main.get_command(app)
    context = command.make_context("ipt", [*path, "--help"], resilient_parsing=True)
    for name in path:
        command = command.get_command(context, name)
    if not hasattr(command, "list_commands"):
        return []
    listed = command.list_commands(context)
    return [n for n in listed if not command.get_command(context, n).hidden]


def reference() -> str:
    from ipt_cli.cli.app import COMMANDS

    os.environ.pop("IPT_HOME", None)
    parts = [HEAD, "## ipt\n", "```text", _help([]).rstrip(), "```", ""]
    for name in COMMANDS:
        parts += [f"## ipt {name}\n", "```text", _help([name]).rstrip(), "```", ""]
        for sub in _subcommands([name]):
            parts += [f"### ipt {name} {sub}\n", "```text", _help([name, sub]).rstrip(), "```", ""]
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    text = reference()
    if "--check" in sys.argv[1:]:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
        if current != text:
            print("docs/cli.md is out of date: run python scripts/cli_reference.py")
            return 1
        return 0
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
