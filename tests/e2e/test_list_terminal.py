"""`ipt list` on a terminal (Rich, coloured) and into a pipe (plain lines, no Rich) shows
the same text; a cold rebuild of many courses shows a progress bar on a terminal only."""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PHQ9_MODERATE, ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e

COURSES = 80  # enough to be shared out over the CPUs and to earn a progress bar


def _courses(setup, data_home: Path) -> None:
    setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--phq9",
          "1,1,1,0,0,0,0,0,0", "--start", "2026-01-05")  # fmt: skip
    setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_MODERATE)  # deterioration
    text = (data_home / "courses" / "ab.toml").read_text()
    for n in range(COURSES):
        copy = data_home / "courses" / f"c{n:03d}.toml"
        copy.write_text(text.replace('id = "ab"', f'id = "c{n:03d}"'))
        copy.chmod(0o600)
    (data_home / "courses" / "c007.toml").write_text("broken = = toml")


def test_the_terminal_list_is_the_piped_list_in_colour(ipt_bin, ipt_setup, data_home: Path) -> None:
    _courses(ipt_setup, data_home)
    (data_home / "index.json").unlink(missing_ok=True)
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    piped = ipt_bin("list", env=env)  # cold: rebuilt, then written plain
    assert piped.stderr == ""  # no progress bar into a pipe
    (data_home / "index.json").unlink()
    term = Terminal([*ipt_command(), "list"], env, columns=100)
    term.expect("c079")
    assert term.finish() == 0
    assert re.search(rf"Reading courses \[#+-*\] \d+/{COURSES + 1}", term.screen)
    shown = term.screen[term.screen.index("Course  ") :]
    assert [line.rstrip() for line in shown.splitlines()] == piped.stdout.splitlines()
    assert piped.stdout.count("! PHQ-9 reliable deterioration") == COURSES
    assert "DAMAGED" in piped.stdout and "not valid TOML" in piped.stdout


def test_a_warm_list_on_a_terminal_draws_no_progress_bar(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    _courses(ipt_setup, data_home)
    ipt_bin("list")  # builds the index
    term = Terminal([*ipt_command(), "list"], dict(os.environ), columns=100)
    term.expect("c079")
    assert term.finish() == 0
    assert "Reading courses" not in term.screen
