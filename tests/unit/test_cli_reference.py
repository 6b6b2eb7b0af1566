"""The command reference cannot drift (issue 30 item 8): docs/cli.md is what the app's
`--help` prints, and README's command table names every command and no other."""

import re
import subprocess
import sys
from pathlib import Path

from ipt_cli.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def test_docs_cli_md_is_the_apps_help() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/cli_reference.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_table_lists_every_command_and_only_those() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n\n", 3)[2]
    first_cells = re.findall(r"^\| (.+?) \|", table, flags=re.MULTILINE)
    assert len(first_cells) > 30  # the table itself, not a paragraph near it
    named = {m for cell in first_cells for m in re.findall(r"`ipt ([a-z-]+)", cell)}
    assert named == set(COMMANDS), (
        f"missing from README: {sorted(set(COMMANDS) - named)}; "
        f"not commands: {sorted(named - set(COMMANDS))}"
    )
