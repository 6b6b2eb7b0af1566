"""Issue 27, items 1 and 5, through the installed `ipt`: options without a session's details
never record an empty session (on a terminal they start the questions, filled in); an
unsigned session recorded by mistake is withdrawn, never deleted; the interactive session
asks who attended; session 1's note shows the baseline taken at its sitting."""

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PHQ9_MODERATE, PHQ9_RISK, ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def start(*args: str) -> Terminal:
    env = {k: v for k, v in os.environ.items() if k != "IPT_INTERACTIVE"}
    return Terminal([*ipt_command(), *args], env)


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def new_course(ipt_bin, *extra: str) -> None:
    ipt_bin("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start",
            "2026-01-05", "--no-input", *extra)  # fmt: skip


def test_a_date_alone_starts_the_questions_on_a_terminal_and_is_refused_on_a_pipe(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    new_course(ipt_setup)
    piped = ipt_bin("session", "ab", "--date", "2026-01-12", check_code=2, stdin=subprocess.DEVNULL)
    assert piped.stderr.startswith("ipt: error: nothing to record for 2026-01-12")
    assert "--attendee client" in piped.stderr and "Traceback" not in piped.stderr
    assert "sessions" not in stored(data_home)  # nothing recorded
    late = start("session", "ab", "--date", "2030-01-01")  # refused before any question
    late.expect("--date 2030-01-01 is after today")
    assert late.finish() == 2 and "Who attended" not in late.screen
    term = start("session", "ab", "--date", "2026-01-12")
    screen = term.expect("Date: 2026-01-12 (--date)")  # filled in, not asked
    assert "Agenda for ab" in screen
    term.answer("Who attended", "client, interpreter")
    term.answer("Give the PHQ-9 now?", "n")
    term.answer("Mood", "5")
    term.answer("Mood and events", "")
    term.answer("Techniques used", "")
    term.answer("Strategies covered", "")
    term.answer("Progress on", "")
    term.answer("Progress on", "")
    term.answer("Task until next session", "")
    term.answer("Note", "")
    summary = term.expect("Save this session?")
    assert "Attended" in summary and "client, interpreter" in summary
    term.send("y")
    term.expect("Recorded session 1 of 16 for ab (2026-01-12)")
    assert term.finish() == 0
    [session] = stored(data_home)["sessions"]
    assert (session["date"].isoformat(), session["mood"]) == ("2026-01-12", 5)
    assert session["attendees"] == ["client", "interpreter"]
    report = ipt_bin("report", "ab").stdout  # the attendance table lists the session
    assert "Attendance" in report and "client, interpreter" in report
    ipt_bin("session", "ab", "--date", "2026-01-19", "--attendee", "client")  # deliberate


def test_session_one_note_shows_the_baseline_taken_at_its_sitting(ipt_bin, ipt_setup) -> None:
    new_course(ipt_setup, "--phq9", PHQ9_MODERATE)  # the baseline, dated the start
    ipt_setup("session", "ab", "--date", "2026-01-05", "--mood", "4")  # the same sitting
    ipt_setup("session", "ab", "--date", "2026-01-12", "--mood", "5")
    note = ipt_bin("note", "ab", "1").stdout
    assert "PHQ-9: 10 (moderate) - the baseline, taken at this sitting" in note
    assert "none given" not in note
    assert "Risk screen: screened negative (PHQ-9 item 9 = 0)" in note
    data = json.loads(ipt_bin("note", "ab", "1", "--format", "json").stdout)
    assert data["measures"]["phq9"]["total"] == 10 and data["measures"]["phq9"]["baseline"]
    later = ipt_bin("note", "ab", "2").stdout  # another day: another sitting
    assert "Measures\n--------\n  none given" in later


def test_an_unsigned_session_recorded_by_mistake_is_withdrawn_never_deleted(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    new_course(ipt_setup, "--phq9", PHQ9_MODERATE)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--mood", "4", "--note", "Mine")
    ipt_setup("session", "ab", "--date", "2026-01-19", "--phq9", PHQ9_RISK, "--note", "Not hers")
    ipt_setup("session", "ab", "--date", "2026-01-26", "--mood", "6")
    before = stored(data_home)
    no_reason = ipt_bin("session", "ab", "--withdraw", "2", check_code=2)
    assert "--withdraw needs --reason TEXT" in no_reason.stderr
    mixed = ipt_bin("session", "ab", "--withdraw", "2", "--reason", "x", "--mood", "3",
                    check_code=2)  # fmt: skip
    assert "--withdraw takes only --reason and --by" in mixed.stderr
    # Its safety flag is unreviewed: withdrawing would hide it (hazard HAZ-36)
    flagged = ipt_bin("session", "ab", "--withdraw", "2", "--reason", "Wrong client",
                      check_code=5)  # fmt: skip
    assert (
        flagged.stderr.count("\n") == 1 and "has a safety flag not yet reviewed" in flagged.stderr
    )
    assert "ipt risk-review ab --session 2" in flagged.stderr
    assert stored(data_home) == before
    ipt_setup("risk-review", "ab", "--session", "2", "--note", "Scores of another client",
              "--ideation", "passive", "--level", "high", "--action", "Called the client",
              "--no-input")  # fmt: skip
    done = ipt_bin("session", "ab", "--withdraw", "2026-01-19", "--reason", "Wrong client",
                   "--by", "Dr K.")  # fmt: skip
    assert "Withdrew session 2 (2026-01-19) of ab" in done.stdout
    # Kept in the file, marked, in its place: never deleted
    sessions = stored(data_home)["sessions"]
    assert [s["date"].isoformat() for s in sessions] == ["2026-01-12", "2026-01-19", "2026-01-26"]
    gone = sessions[1]["withdrawn"]
    assert (gone["reason"], gone["by"], gone["number"]) == ("Wrong client", "Dr K.", 2)
    assert gone["date"].isoformat() == "2026-03-01" and gone["recorded_at"].tzinfo is not None
    assert sessions[1]["note"] == "Not hers"
    # Counted nowhere as a session given; its review's HIGH level still stands
    data = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    assert data["sessions_recorded"] == 2
    assert [s["date"] for s in data["sessions"]] == ["2026-01-12", "2026-01-26"]
    assert [p["session"] for p in data["measures"]["phq9"]["series"]] == [0]  # its PHQ-9 gone
    [withdrawn] = data["withdrawn_sessions"]
    assert withdrawn["date"] == "2026-01-19" and withdrawn["withdrawn"]["reason"] == "Wrong client"
    assert data["risk"]["level"] == "high" and data["high_risk"] is not None
    assert [r["withdrawn"] for r in data["risk_reviews"]] == [True]
    assert {"what": "session 2 (2026-01-19)", "old": "recorded", "new": "withdrawn"}.items() <= (
        data["changes"][-1].items()
    )
    [row] = json.loads(ipt_bin("list", "--json").stdout)
    assert row["sessions_recorded"] == 2
    report = ipt_bin("report", "ab").stdout
    assert "session 2 (2026-01-19): recorded -> withdrawn" in " ".join(report.split())
    assert "HIGH RISK" in report
    notes = ipt_bin("note", "ab", "--all").stdout
    assert "Withdrawn session (was session 2), 2026-01-19" in notes
    assert "Withdrawn 2026-03-01 by Dr K.: Wrong client" in notes
    assert "Session 2 of 16, 2026-01-26" in notes  # the next one takes its number
    assert "Withdrawn 2026-03-01" in ipt_bin("note", "ab", "2026-01-19").stdout
    assert "Not hers" not in ipt_bin("search", "hers").stdout
    # A signed session is refused, in one line
    ipt_setup("sign", "ab", "1", "--by", "Dr K.")
    signed = ipt_bin("session", "ab", "--withdraw", "1", "--reason", "x", check_code=5)
    assert (
        signed.stderr.count("\n") == 1 and "a signed session cannot be withdrawn" in signed.stderr
    )
    # The withdrawn session's id is never given again
    ipt_bin("session", "ab", "--date", "2026-02-02", "--mood", "6")
    assert [s["id"] for s in stored(data_home)["sessions"]] == [1, 2, 3, 4]


def test_every_dated_act_takes_a_date_never_after_today_and_keeps_when_it_was_written(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    """Issue 27, item 2: a backfilled act is dated the day it was done; the record keeps the
    time it was written beside it (schema 10). Today is IPT_TODAY (2026-03-01)."""
    new_course(ipt_setup, "--phq9", PHQ9_MODERATE)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--mood", "4")
    acts = [
        ("formulation", "ab", "--text", "Grief after her mother's death", "--agreed"),
        ("contract", "ab", "--sessions", "12", "--reason", "Agreed at assessment"),
        ("ending", "ab", "--warning-sign", "Sleeping badly"),
        ("fidelity", "ab", "1", "--item", "init-symptoms=done"),
        ("supervise", "ab", "1", "--comment", "Good start", "--by", "Dr S."),
    ]
    for act in acts:  # never after today: one line, exit 2, nothing written
        late = ipt_bin(*act, "--date", "2026-03-02", check_code=2, stdin=subprocess.DEVNULL)
        assert late.stderr == (
            "ipt: error: --date 2026-03-02 is after today (2026-03-01): record it on or after "
            "the day it was done\n"
        ), act
    early = ipt_bin(*acts[4], "--date", "2026-01-11", check_code=2)
    assert "--date 2026-01-11 is before session 1 (2026-01-12)" in early.stderr
    before = ipt_bin(*acts[1], "--date", "2025-12-31", check_code=2)
    assert "--date 2025-12-31 is before the course's first sitting (2026-01-05)" in before.stderr
    assert "formulation" not in stored(data_home) and "ending" not in stored(data_home)
    said = [
        ipt_bin(*acts[0], "--date", "2026-01-12").stdout,
        ipt_bin(*acts[1], "--date", "2026-01-12").stdout,
        ipt_bin(*acts[2], "--date", "2026-01-19").stdout,
        ipt_bin(*acts[3], "--date", "2026-01-13").stdout,
        ipt_bin(*acts[4], "--date", "2026-01-14").stdout,
    ]
    for text, day in zip(said, ("12", "12", "19", "13", "14"), strict=True):
        assert f"Dated 2026-01-{day} (--date), recorded 2026-03-01." in text  # echoed back
    data = stored(data_home)
    session = data["sessions"][0]
    dated = {
        "formulation": data["formulation"],
        "contract": data["contract_changes"][0],
        "ending": data["ending"],
        "fidelity": session["fidelity"][0],
        "supervise": session["supervision"][0],
    }
    days = {act: record["date"].isoformat() for act, record in dated.items()}
    assert days == {
        "formulation": "2026-01-12",
        "contract": "2026-01-12",
        "ending": "2026-01-19",
        "fidelity": "2026-01-13",
        "supervise": "2026-01-14",
    }
    for act, record in dated.items():  # written now (the real clock), not on the act's day
        assert record["recorded_at"].tzinfo is not None and record["recorded_at"].year >= 2026, act
    report = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    assert report["formulation"]["date"] == "2026-01-12" and report["formulation"]["agreed"]
    assert report["contract_changes"][0]["date"] == "2026-01-12"
    assert report["contract_changes"][0]["recorded_at"] is not None
    assert report["ending"]["date"] == "2026-01-19"
    text = ipt_bin("report", "ab").stdout
    assert "2026-01-12: 16 -> 12" in text and "Termination work recorded: 2026-01-19" in text
    ipt_bin("contract", "ab", "--sessions", "14", "--reason", "More time")  # default: today
    assert stored(data_home)["contract_changes"][1]["date"].isoformat() == "2026-03-01"


def test_the_interactive_session_takes_scores_as_a_list_and_describes_its_choices(
    ipt_setup, data_home: Path
) -> None:
    """Issue 27, item 4: in `ipt session` at a terminal, an instrument's items are answered
    one by one or the rest at once as a comma list, the risk item's SAFETY notice still at
    once; techniques and strategies are listed once, each with its description."""
    new_course(ipt_setup, "--phq9", PHQ9_MODERATE)
    term = start("session", "ab", "--date", "2026-01-12")
    term.answer("Who attended", "")
    term.answer("Give the PHQ-9 now?", "y")
    screen = term.answer("PHQ-9 1. Little interest or pleasure in doing things (0-3)", "1")
    assert "Type each answer, or all 9 at once separated by commas." in screen
    term.answer("PHQ-9 2.", "1,1,1")  # neither one score nor the other eight
    term.answer("or items 2-9, 8 separated by commas (got 3)", "1,1,1,1,0,1,0,2")
    screen = term.expect("how difficult")
    assert "PHQ-9 3." not in screen  # the rest at once: no item asked again
    assert "SAFETY" in screen and "PHQ-9 item 9 = 2" in screen  # the risk item, at once
    assert "PHQ-9 total 8 of 27: mild" in screen
    term.send("1")
    term.answer("Mood", "5")
    term.answer("Mood and events", "")
    screen = term.answer("Techniques used", "9")  # not a number of the list: asked again
    assert "  1. exploration: Open questions (nondirective exploration)" in screen
    screen = term.answer("is not one of the numbers or ids above", "1, clarification")
    assert "exploration:" not in screen  # the list is printed once, not with each question
    screen = term.answer("Strategies covered", "grief-link-onset")
    assert "  1. grief-link-onset: Link the onset of symptoms to the death" in screen
    term.answer("Progress on", "")
    term.answer("Progress on", "")
    term.answer("Task until next session", "")
    term.answer("Note", "")
    summary = term.expect("Save this session?")
    assert "8 (mild), item 9 = 2" in summary and "exploration, clarification" in summary
    term.send("y")
    term.expect("Recorded session 1 of 16 for ab (2026-01-12)")
    assert term.finish() == 0 and "Traceback" not in term.screen
    [session] = stored(data_home)["sessions"]
    assert session["phq9"]["items"] == [1, 1, 1, 1, 1, 0, 1, 0, 2]
    assert session["techniques"] == ["exploration", "clarification"]
    assert session["strategies"] == ["grief-link-onset"]
