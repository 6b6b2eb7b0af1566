"""A supervisor's walk through fidelity ratings (the note-fidelity round): item ids in
errors, --format json honoured, adherence over the rated items; through the real `ipt`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

Bin = Callable[..., subprocess.CompletedProcess[str]]


def flat(text: str) -> str:
    """Words as a reader sees them, whatever the terminal width wrapped."""
    return " ".join(text.split())


def as_json(ipt_bin: Bin, *args: str) -> Any:
    return json.loads(ipt_bin(*args).stdout)


# Fidelity --------------------------------------------------------------------------------


def middle_sessions(ipt_setup: Bin) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
              "--problem-area", "grief", "--sessions", "8", "--no-input")  # fmt: skip
    for day in ("2026-01-12", "2026-01-19", "2026-01-26"):
        ipt_setup("session", "ab", "--date", day, "--note", "n")


def test_a_wrong_or_missing_item_id_lists_the_sessions_ids_in_one_line(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    middle_sessions(ipt_setup)  # session 3 is in the middle phase, grief
    for given in ("made-up=done", "init-contract=done", "=done", "done"):
        said = ipt_bin("fidelity", "ab", "3", "--item", given, check_code=2).stderr
        [line] = said.splitlines()  # bad input: one clear line
        assert "session 3 (2026-01-26) (middle phase)" in line
        listed = line.split("rated on: ")[1].split(" (their text: ")[0].split(", ")
        assert listed[0] == "mid-opening"
        assert len(listed) == 12 and "init-contract" not in listed
        assert line.endswith("(their text: ipt fidelity ab 3 --no-input)")
        # never a command that starts the walk-through on a terminal
        assert "ipt fidelity ab 2026-01-26" not in said and "Traceback" not in said
    listing = ipt_bin("fidelity", "ab", "3", "--no-input").stdout  # what --help points to
    assert "mid-opening" in listing and "not rated yet" in listing


def test_fidelity_json_is_honoured_with_an_item_and_without(ipt_bin: Bin, ipt_setup: Bin) -> None:
    middle_sessions(ipt_setup)
    rated = ipt_bin("fidelity", "ab", "3", "--item", "mid-opening=done", "--json")
    data = json.loads(rated.stdout)  # the rating as stored, not a line of text
    assert data["items"][0] == {
        "id": "mid-opening",
        "text": "Opened with how things have been; linked mood and events",
        "score": "done",
    }
    assert "rated: 1 of 12 applicable item(s) done (8%) (1 rated; 11 unrated)" in rated.stderr
    assert json.loads(ipt_bin("fidelity", "ab", "3", "--format", "json").stdout) == data
    markdown = ipt_bin("fidelity", "ab", "3", "--format", "markdown").stdout
    assert markdown.startswith("# Fidelity of session 3 (2026-01-26) (middle phase)\n")
    assert "- `mid-opening` **done**:" in markdown


def test_adherence_is_over_the_applicable_items_and_says_how_many_were_rated(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """Issue 26, defect 13: an unrated item is in the base, shown as unrated; the fidelity
    view, its JSON and the report say the same."""
    middle_sessions(ipt_setup)
    done = ipt_bin("fidelity", "ab", "3", "--item", "mid-opening=done", "--item",
                   "mid-rating=not-done", "--item", "mid-event=partly", "--item",
                   "mid-plan=na")  # fmt: skip
    assert done.stdout == (
        "Fidelity of session 3 (2026-01-26) of ab rated: 1 of 11 applicable item(s) done (9%) "
        "(3 rated; 8 unrated).\n"
    )
    shown = ipt_bin("fidelity", "ab", "3").stdout
    assert "Adherence: 1 of 11 applicable item(s) done (9%) (3 rated; 8 unrated)" in shown
    score = as_json(ipt_bin, "fidelity", "ab", "3", "--json")["adherence"]
    assert score == {
        "applicable": 11,
        "rated": 3,
        "done": 1,
        "partly": 1,
        "not_done": 1,
        "unrated": 8,
        "percent": 9,
    }
    report = flat(ipt_bin("report", "ab", "--format", "markdown").stdout)
    assert "Middle: 9% of applicable tasks done (1 of 11; 1 partly, 1 not done, 8 unrated)" in (
        report
    )
    phase = as_json(ipt_bin, "report", "ab", "--format", "json")["adherence"]["by_phase"]
    assert phase["middle"]["percent"] == 9 and phase["middle"]["unrated"] == 8


def test_a_walk_through_with_every_item_skipped_says_so_plainly(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    middle_sessions(ipt_setup)
    skipped = ipt_bin("fidelity", "ab", "3", input="\n" * 12, check_code=2,
                      env={"IPT_INTERACTIVE": "1"})  # fmt: skip
    assert "nothing rated: every item was skipped" in skipped.stderr
    assert "--item ITEM_ID=SCORE" not in skipped.stderr  # the items were just shown, one by one
