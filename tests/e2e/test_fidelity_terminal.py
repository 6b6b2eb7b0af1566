"""`ipt fidelity --format json` (and --json) on a real terminal (a pty): the JSON a person
asked for, never the walk-through (the note-fidelity round)."""

import json
import os

import pytest

from tests.conftest import ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def start(*args: str) -> Terminal:
    env = {k: v for k, v in os.environ.items() if k != "IPT_INTERACTIVE"}
    return Terminal([*ipt_command(), *args], env)


@pytest.mark.parametrize("asked", [["--format", "json"], ["-f", "json"], ["--json"]])
def test_json_on_a_terminal_is_json_not_the_walk_through(ipt_setup, asked: list[str]) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start",
              "2026-01-05", "--sessions", "8", "--no-input")  # fmt: skip
    for day in ("2026-01-12", "2026-01-19", "2026-01-26"):
        ipt_setup("session", "ab", "--date", day, "--note", "n")
    ipt_setup("fidelity", "ab", "3", "--item", "mid-opening=done")
    term = start("fidelity", "ab", "3", *asked)
    try:
        assert term.finish(timeout=20) == 0  # no prompt waited for an answer
    finally:
        if term.proc.poll() is None:  # the walk-through waits for a person: end it
            term.proc.kill()
    assert "1/12" not in term.screen and "Enter skips" not in term.screen
    data = json.loads(term.screen)
    assert (data["session"], data["phase"]) == ("session 3", "middle")
    assert data["adherence"]["percent"] == 8 and data["adherence"]["unrated"] == 11
