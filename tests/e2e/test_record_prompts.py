"""The structured risk review and the fidelity walk-through on a real terminal (a pty), and
their flags for scripts, through the installed `ipt`."""

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PHQ9_RISK, ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def start(*args: str) -> Terminal:
    env = {k: v for k, v in os.environ.items() if k != "IPT_INTERACTIVE"}
    return Terminal([*ipt_command(), *args], env)


def test_risk_review_and_fidelity_are_asked_for_on_a_terminal(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start",
              "2026-01-05")  # fmt: skip
    for day in ("2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"):
        ipt_setup("session", "ab", "--date", day, "--phq9", PHQ9_RISK)
    term = start("risk-review", "ab", "--session", "1", "--plan", "Plan written")
    term.answer("Thoughts of death or suicide", "passive")
    term.answer("A plan made?", "no")
    term.answer("Intent to act?", "")  # skipped
    term.answer("Access to means?", "yes")
    term.answer("Protective factor", "Her dog")
    term.answer("Protective factor", "")
    term.answer("Risk level", "high")
    term.answer("What was done", "GP informed")
    term.answer("What was done", "")
    term.answer("Outcome of the review", "Passive thoughts, no plan")
    term.expect("Risk level: high.")
    assert term.finish() == 0
    review = tomllib.loads((data_home / "courses" / "ab.toml").read_text())["sessions"][0][
        "risk_reviews"
    ][0]
    assert review.pop("recorded_at").tzinfo is not None  # when it was written (schema 7)
    assert {k: v for k, v in review.items() if k != "date"} == {
        "note": "Passive thoughts, no plan",
        "plan": "Plan written",
        "ideation": "passive",
        "plan_made": False,
        "means": True,
        "protective": ["Her dog"],
        "level": "high",
        "actions": ["GP informed"],
    }
    assert "HIGH RISK" in ipt_bin("agenda", "ab").stdout
    term = start("fidelity", "ab", "4")
    screen = term.answer("1/12 Opened with how things have been", "d")
    assert "Fidelity of session 4 (2026-02-02) (middle phase)" in screen
    term.answer("2/12", "n")
    term.answer("3/12", "p")
    for number in range(4, 13):
        term.answer(f"{number}/12", "x" if number == 12 else "")
    term.expect(  # over the session's items, the skipped ones unrated (issue 26, defect 13)
        "Fidelity of session 4 (2026-02-02) of ab rated: 1 of 11 applicable item(s) done (9%) "
        "(3 rated; 8 unrated)"
    )
    assert term.finish() == 0
    rating = tomllib.loads((data_home / "courses" / "ab.toml").read_text())["sessions"][3][
        "fidelity"
    ][0]
    assert rating["items"] == {
        "mid-opening": "done",
        "mid-rating": "not-done",
        "mid-event": "partly",
        "grief-fid-involvement": "na",
    }
    piped = ipt_bin(  # no terminal: no prompts, and the outcome is needed
        "risk-review",
        "ab",
        "--session",
        "2",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
        check_code=2,
        stdin=subprocess.DEVNULL,
    )
    assert "give the outcome of the review with --note" in piped.stderr
