"""Issue 27 item 14: in a 60-column terminal no word is broken across lines (the report's
measures table read `Measu/re`, `-57.1/4%`, `reco/very`; the plan's focus `Baselin/e`;
`ipt list` was 95 columns wide), and percentages are whole numbers in text views while
JSON keeps the exact value.

The check that no word is broken: every word of the 60-column output is a word of the same
output drawn at 200 columns (where nothing wraps), or a label of the narrow layouts. A word
cut in two leaves pieces (`Measu`, `re`) that the wide output never holds."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "ipt_cli" / "examples"
Bin = Callable[..., subprocess.CompletedProcess[str]]
COURSES = ("grief-parent", "transition-retirement", "binge-eating-move", "ptsd-assault")
TODAY = "2026-06-10"  # after every example's last session
NARROW_LABELS = {"Baseline", "Response", "Remission", "Latest", "Flags", "held", "next"}
DRAWING = re.compile(r"^[\W_]*$|^[█·]+$")  # borders, rules and chart bars: not words


def _words(text: str) -> set[str]:
    """The words of `text`, without the punctuation a layout may put after one."""
    return {w.rstrip(",:") for w in text.split() if not DRAWING.match(w)}


def _imported(setup: Bin) -> dict[str, str]:
    """The examples, imported in-process (set-up); every view is then the binary's."""
    env = {"IPT_TODAY": TODAY}
    for course in COURSES:
        setup("import", str(EXAMPLES / f"{course}.toml"), env=env)
    return env


def _narrow(ipt_bin: Bin, env: dict[str, str], *args: str) -> str:
    return ipt_bin("--no-pager", *args, env={**env, "COLUMNS": "60"}).stdout


def _both(ipt_bin: Bin, env: dict[str, str], *args: str) -> tuple[str, str]:
    wide = ipt_bin("--no-pager", *args, env={**env, "COLUMNS": "200"}).stdout
    return _narrow(ipt_bin, env, *args), wide


def _assert_fits_unbroken(narrow: str, wide: str, what: str) -> None:
    long = [line for line in narrow.splitlines() if len(line) > 60]
    assert not long, f"{what}: lines over 60 columns: {long}"
    broken = _words(narrow) - _words(wide) - NARROW_LABELS
    assert not broken, f"{what}: words broken across lines: {sorted(broken)}"


@pytest.mark.parametrize("command", ["report", "plan", "agenda"])
def test_no_word_is_broken_in_60_columns(ipt_bin: Bin, ipt_setup: Bin, command: str) -> None:
    env = _imported(ipt_setup)
    for course in COURSES:
        narrow, wide = _both(ipt_bin, env, command, course)
        _assert_fits_unbroken(narrow, wide, f"ipt {command} {course}")


def test_the_report_in_60_columns_has_a_block_per_measure_and_whole_percentages(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    env = _imported(ipt_setup)
    narrow = _narrow(ipt_bin, env, "report", "grief-parent")
    block = narrow[narrow.index("Measures") : narrow.index("PHQ-9 by session")].splitlines()
    assert [line.split() for line in block[:-1] if line.strip()] == [
        ["Measures"],
        ["PHQ-9"],
        ["Baseline", "18"],
        ["Now", "3"],
        ["Change", "-83%"],
        ["Severity", "minimal"],
        ["Response", "yes"],
        ["Remission", "yes"],
        ["Reliable", "recovery"],
    ]
    for fmt in ("text", "markdown"):
        shown = ipt_bin("report", "grief-parent", "--format", fmt, env=env).stdout
        assert "-83%" in shown and "-83.33" not in shown
    report = json.loads(ipt_bin("report", "grief-parent", "--json", env=env).stdout)
    assert report["measures"]["phq9"]["change_percent"] == -83.33  # JSON: the exact value


def test_the_plan_focus_wraps_at_words_in_60_columns(ipt_bin: Bin, ipt_setup: Bin) -> None:
    env = _imported(ipt_setup)
    narrow = _narrow(ipt_bin, env, "plan", "grief-parent")
    lines = narrow.splitlines()
    first = next(n for n, line in enumerate(lines) if "2026-03-02" in line)
    assert lines[first].split() == ["1", "2026-03-02", "initial", "held"]
    focus = " ".join(" ".join(lines[first + 1 : first + 3]).split())
    assert focus == "Baseline, symptom review, psychoeducation; already done: sick role, medication"


def test_list_fits_60_columns_on_a_terminal_and_in_a_pipe(ipt_bin: Bin, ipt_setup: Bin) -> None:
    env = _imported(ipt_setup)
    narrow, wide = _both(ipt_bin, env, "list")
    _assert_fits_unbroken(narrow, wide, "ipt list")
    assert "transition-retirement  B.O." in narrow.splitlines()  # nothing cut
    screen = dict(os.environ, **env)
    screen.pop("NO_COLOR", None)
    term = Terminal([*ipt_command(), "list"], screen, columns=60)
    term.expect("transition-retirement")
    assert term.finish() == 0
    shown = [line.rstrip() for line in term.screen.splitlines()]
    assert shown == narrow.splitlines()  # the terminal draws the same lines, coloured
    assert max(map(len, shown)) <= 60


def test_a_whole_percent_never_shows_a_response_that_was_not_met(tmp_path: Path) -> None:
    """Cut toward zero, not rounded: -49.6% reads -49%, so a shown -50% always means the
    50% response rule was met (docs/clinical-rules.md)."""
    from ipt_cli.views.wording import whole_percent

    assert [whole_percent(v) for v in (-83.33, -57.14, -49.6, -50.0, 66.67, 0.4, 0.0, None)] == [
        "-83%",
        "-57%",
        "-49%",
        "-50%",
        "+66%",
        "+<1%",
        "+0%",
        "n/a",
    ]
    for baseline in range(1, 28):
        for latest in range(0, 28):
            percent = round((latest - baseline) / baseline * 100, 2)
            assert (whole_percent(percent) in {f"-{n}%" for n in range(50, 101)}) is (
                latest * 2 <= baseline
            )


def test_a_note_on_a_60_column_terminal_wraps_at_words_and_names_who_attended(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """`ipt note` broke words at the terminal's edge ('Passive thou|ghts'); its header said
    only 'Attended: yes' when the session recorded who came."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief",
            "--start", "2026-01-05")  # fmt: skip
    words = "The client described passive thoughts of not wanting to wake up " * 3
    ipt_setup("session", "ab", "--date", "2026-01-12", "--attendee", "client",
              "--attendee", "partner", "--note", words.strip())  # fmt: skip
    piped = ipt_bin("--no-pager", "note", "ab", "1").stdout
    assert "Attended: yes (client, partner)" in piped
    assert words.strip() in piped  # a pipe or a file keeps each line whole, for programs
    term = Terminal([*ipt_command(), "--no-pager", "note", "ab", "1"], dict(os.environ),
                    columns=60)  # fmt: skip
    term.expect("Signature")
    assert term.finish() == 0
    shown = [line.rstrip() for line in term.screen.splitlines() if line.strip()]
    assert max(map(len, shown)) <= 60
    text = " ".join(line.strip() for line in shown)
    assert " ".join(words.split()) in text  # every word whole, in order
