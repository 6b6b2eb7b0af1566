"""Issue 26 through the real `ipt` binary: one risk state in every view (defects 1, 2, 3,
11 and 14 of the clinician's walk-through)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable

import pytest

Bin = Callable[..., subprocess.CompletedProcess[str]]
PHQ9_ITEM9_2 = "1,1,1,1,1,1,1,1,2"  # total 10, item 9 = 2: URGENT
PHQ9_ITEM9_1 = "1,1,1,1,1,1,1,1,1"
PHQ9_ITEM9_0 = "1,1,1,1,1,1,1,1,0"
JUDGED = ("--ideation", "passive", "--action", "Safety plan reviewed")

pytestmark = pytest.mark.e2e


def new(ipt_bin: Bin, *extra: str, course_id: str = "ab") -> None:
    ipt_bin(
        "new-course", course_id, "--client", "A.B.", "--start", "2026-01-05",
        "--problem-area", "grief", "--no-input", *extra,
    )  # fmt: skip


def views(ipt_bin: Bin) -> dict[str, str]:
    """Every view of course ab, as a user sees it."""
    shown = {
        "list": ipt_bin("list").stdout,
        "agenda": ipt_bin("agenda", "ab").stdout,
        "agenda-md": ipt_bin("agenda", "ab", "--format", "markdown").stdout,
        "plan": ipt_bin("plan", "ab").stdout,
        "report": ipt_bin("report", "ab").stdout,
        "report-md": ipt_bin("report", "ab", "--format", "markdown").stdout,
        "report-html": ipt_bin("report", "ab", "--format", "html").stdout,
        "note": ipt_bin("note", "ab", "1").stdout,
    }
    return shown


def test_defect_1_the_review_recorded_last_stands_whatever_its_session(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    new(ipt_setup, "--phq9", PHQ9_ITEM9_1)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_ITEM9_1, "--note", "x")
    ipt_setup("risk-review", "ab", "--session", "1", "--note", "Seen", "--level", "low", *JUDGED)
    ipt_setup("risk-review", "ab", "--session", "0", "--note", "Worse", "--level", "high", *JUDGED)
    for name, text in views(ipt_bin).items():
        assert "HIGH" in text, name
    report = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    assert report["high_risk"]["where"] == "baseline (2026-01-05)"
    assert report["risk"]["level"] == "high"
    row = json.loads(ipt_bin("list", "--json").stdout)[0]
    assert (row["risk_level"], row["high_risk"]) == ("high", True)
    agenda = json.loads(ipt_bin("agenda", "ab", "--format", "json").stdout)
    assert agenda["high_risk"] == report["high_risk"]
    # A later review lowers it, again whatever its session, once confirmed: lowering HIGH
    # is said and never happens by accident (clinician walk-through).
    eased = ("risk-review", "ab", "--session", "1", "--note", "Eased", "--level", "low", *JUDGED)
    refused = ipt_bin(*eased, check_code=2)
    assert "lowers the standing risk level from HIGH" in " ".join(refused.stderr.split())
    assert "add --confirm" in refused.stderr
    assert json.loads(ipt_bin("list", "--json").stdout)[0]["high_risk"] is True
    ipt_bin(*eased, "--confirm")
    assert json.loads(ipt_bin("report", "ab", "--format", "json").stdout)["high_risk"] is None
    assert "HIGH RISK" not in ipt_bin("agenda", "ab").stdout


def test_defect_2_a_review_without_a_judgement_is_refused_and_the_flag_stays(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    new(ipt_setup)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--note", "x")
    ipt_setup("session", "ab", "--date", "2026-01-19", "--phq9", PHQ9_ITEM9_2, "--note", "y")
    done = ipt_bin("risk-review", "ab", "--session", "2", "--note", ".", "--no-input", check_code=2)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--ideation, --level, --action" in done.stderr
    assert json.loads(ipt_bin("list", "--json").stdout)[0]["unreviewed_flags"] == 1
    assert "PHQ-9 item 9 = 2 URGENT" in ipt_bin("report", "ab").stdout
    partial = ipt_bin(
        "risk-review", "ab", "--session", "2", "--note", ".", "--level", "low", "--no-input",
        check_code=2,
    )  # fmt: skip
    assert "--ideation, --action" in partial.stderr
    ipt_bin("risk-review", "ab", "--session", "2", "--note", "Seen", "--level", "low", *JUDGED)
    assert json.loads(ipt_bin("list", "--json").stdout)[0]["unreviewed_flags"] == 0


def test_defect_3_the_list_names_high_urgent_and_the_oldest_wait(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    new(ipt_setup, "--phq9", PHQ9_ITEM9_1)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_ITEM9_2, "--note", "x")
    row = json.loads(ipt_bin("list", "--json").stdout)[0]
    assert row["unreviewed_flags"] == 2 and row["urgent"] is True
    assert row["oldest_flag_days"] == 55  # 2026-01-05 to IPT_TODAY 2026-03-01
    assert row["risk_level"] is None and row["high_risk"] is False
    # two flags, one URGENT: "2 URGENT" read as both (review of issue 30's fourth session)
    assert "2 (1 URGENT) 55d" in ipt_bin("list").stdout
    ipt_bin("risk-review", "ab", "--session", "0", "--note", "Seen", "--level", "high", *JUDGED)
    row = json.loads(ipt_bin("list", "--json").stdout)[0]
    assert (row["risk_level"], row["unreviewed_flags"], row["oldest_flag_days"]) == ("high", 1, 48)
    assert re.search(r"  HIGH +1 URGENT 48d\n", ipt_bin("list").stdout)  # Risk, then Flags


def test_issue_25_item_15_a_piped_list_never_cuts_an_alias(ipt_bin: Bin) -> None:
    alias = "Client with a rather long alias that does not fit"
    ipt_bin(
        "new-course", "a-rather-long-course-identifier", "--client", alias, "--start",
        "2026-01-05", "--problem-area", "grief", "--no-input",
    )  # fmt: skip
    shown = ipt_bin("list", env={"COLUMNS": "60"}).stdout  # a pipe: captured output
    assert alias in shown and "a-rather-long-course-identifier" in shown
    assert "…" not in shown


def test_defect_11_the_note_says_what_the_risk_screen_found(ipt_bin: Bin, ipt_setup: Bin) -> None:
    new(ipt_setup)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_ITEM9_0, "--note", "x")
    ipt_setup(
        "session", "ab", "--date", "2026-01-19", "--pcl5", ",".join(["1"] * 20), "--note", "y"
    )
    ipt_setup("session", "ab", "--date", "2026-01-26", "--note", "z")
    notes = [ipt_bin("note", "ab", str(n)).stdout for n in (1, 2, 3)]
    assert "Risk screen: screened negative (PHQ-9 item 9 = 0)" in notes[0]
    assert "Risk screen: no risk item asked (only PCL-5 given)" in notes[1]
    assert "Risk screen: no risk item asked (no measures given)" in notes[2]
    for note in notes:
        assert "no risk item scored" not in note
        assert "Standing risk level: not yet judged" in note
    ipt_setup("session", "ab", "--date", "2026-02-02", "--phq9", PHQ9_ITEM9_1, "--note", "w")
    ipt_setup("risk-review", "ab", "--session", "4", "--note", "Seen", "--level", "moderate",
              *JUDGED)  # fmt: skip
    assert "Standing risk level: moderate" in ipt_bin("note", "ab", "1").stdout
    data = json.loads(ipt_bin("note", "ab", "2", "--format", "json").stdout)
    assert data["risk_screen"] == "no risk item asked (only PCL-5 given)"
    assert data["risk"]["level"] == "moderate"


def test_defect_14_a_fix_that_raises_a_risk_item_prints_the_safety_notice(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    new(ipt_setup)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_ITEM9_0, "--note", "x")
    done = ipt_bin("session", "ab", "--fix", "1", "--phq9", PHQ9_ITEM9_2, "--reason", "Misread")
    assert "SAFETY" in done.stderr
    assert "PHQ-9 item 9 = 2 URGENT" in done.stderr
    assert "ipt risk-review ab --session 1" in " ".join(done.stderr.split())
    lowered = ipt_bin("session", "ab", "--fix", "1", "--phq9", PHQ9_ITEM9_1, "--reason", "Again")
    assert "SAFETY" not in lowered.stderr  # lowering a flag creates none
    # ... but takes its URGENT away, and says so (never a silent change; HAZ-48)
    assert (
        "No longer URGENT after this correction, still waiting for review: PHQ-9 item 9 = 1 "
        "at session 1 (2026-01-12)" in " ".join(lowered.stderr.split())
    )
    ipt_setup("session", "ab", "--date", "2026-01-19", "--gad7", "1,1,1,1,1,1,1", "--note", "y")
    other = ipt_bin("session", "ab", "--fix", "2", "--gad7", "2,1,1,1,1,1,1", "--reason", "Typo")
    assert "SAFETY" not in other.stderr  # no risk item changed


def test_a_fix_that_raises_a_reviewed_risk_item_reopens_its_flag(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """A review of item 9 = 1 is not a review of item 9 = 3 (hazard HAZ-19)."""
    new(ipt_setup)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_ITEM9_1, "--note", "x")
    ipt_setup("risk-review", "ab", "--session", "1", "--note", "Seen", "--level", "low", *JUDGED)
    assert json.loads(ipt_bin("list", "--json").stdout)[0]["unreviewed_flags"] == 0
    ipt_bin("session", "ab", "--fix", "1", "--phq9", "1,1,1,1,1,1,1,1,3", "--reason", "Misread")
    row = json.loads(ipt_bin("list", "--json").stdout)[0]
    assert (row["unreviewed_flags"], row["urgent"]) == (1, True)
    assert "PHQ-9 item 9 = 3 URGENT" in ipt_bin("agenda", "ab").stdout
    ipt_bin("session", "ab", "--fix", "1", "--phq9", "1,1,1,1,1,1,1,1,2", "--reason", "Again")
    assert json.loads(ipt_bin("list", "--json").stdout)[0]["unreviewed_flags"] == 1  # lowered
    ipt_bin("risk-review", "ab", "--session", "1", "--note", "Seen", "--level", "high", *JUDGED)
    row = json.loads(ipt_bin("list", "--json").stdout)[0]
    assert (row["unreviewed_flags"], row["risk_level"]) == (0, "high")


def test_defect_12_a_late_review_keeps_its_real_date_and_when_it_was_written(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """`risk-review --date`: the review is dated the day it was made; the day it was written
    (and its wall-clock time) are kept, the latter still ordering reviews (today 2026-03-01)."""
    new(ipt_setup, "--phq9", PHQ9_ITEM9_0)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_ITEM9_2, "--note", "x")
    before = ipt_bin("report", "ab", "--format", "json").stdout
    for date, said in (
        ("2026-03-02", "--date 2026-03-02 is in the future"),
        ("2026-01-11", "--date 2026-01-11 is before session 1 (2026-01-12), the sitting it"),
        ("2026-02-30", "--date"),
    ):
        refused = ipt_bin(
            "risk-review", "ab", "--session", "1", "--note", "Seen", "--level", "low",
            *JUDGED, "--date", date, check_code=2,
        )  # fmt: skip
        assert said in refused.stderr and "Traceback" not in refused.stderr
    assert ipt_bin("report", "ab", "--format", "json").stdout == before
    ipt_bin("risk-review", "ab", "--session", "1", "--note", "Today", "--level", "low", *JUDGED)
    late = ipt_bin(
        "risk-review", "ab", "--session", "1", "--note", "Phoned on the 14th", "--level",
        "high", *JUDGED, "--date", "2026-01-14",
    )  # fmt: skip
    assert "Dated 2026-01-14, recorded 2026-03-01." in late.stdout
    report = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    today, written_late = report["risk_reviews"]
    assert (today["date"], today["written_on"]) == ("2026-03-01", None)
    assert (written_late["date"], written_late["written_on"]) == ("2026-01-14", "2026-03-01")
    assert written_late["recorded_at"] > today["recorded_at"]  # the wall-clock time, kept
    # Written last, the late review stands, though its clinical date is the earlier one.
    assert report["risk"]["level"] == "high" and report["high_risk"]["date"] == "2026-01-14"
    shown = views(ipt_bin)
    for name in ("report", "report-md", "note", "agenda"):
        text = " ".join(shown[name].replace("│", " ").replace("┃", " ").split())
        assert "2026-01-14 (recorded 2026-03-01)" in text, name
    assert "Review 1, 2026-03-01:" in " ".join(shown["report"].split())  # same day: one date
