"""The `ipt new-course` wizard, driven through a pseudo-terminal as a person would."""

import os
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def start(*args: str) -> Terminal:
    return Terminal([*ipt_command(), *args], dict(os.environ))


def test_wizard_end_to_end(data_home: Path) -> None:
    term = start("new-course", "wz")
    term.answer("Condition", "")
    term.answer("Adaptation", "")
    term.answer("Client alias", "Z.Q.")
    term.answer("Date of session 1", "2026-01-05")
    term.answer("Planned sessions", "12")
    term.answer("Cadence", "")
    term.answer("Kind of course", "2")
    term.answer("Take the PHQ-9 baseline now?", "y")
    screen = term.answer("PHQ-9 1. Little interest", "2")
    assert "0 = not at all" in screen and "3 = nearly every day" in screen
    for reply in ("2", "1", "2", "1", "1", "1", "0"):
        term.answer("PHQ-9", reply)
    term.answer("PHQ-9 9.", "7")  # out of range: asked again
    term.answer("enter a whole number 0-3", "")
    term.answer("PHQ-9 9.", "1")
    screen = term.expect("how difficult")
    assert "SAFETY" in screen and "crisis line" in screen  # shown at once, self-guided
    term.send("2")
    term.answer("Also take the GAD-7?", "n")
    term.answer("Sick role given?", "y")
    term.answer("Note on the sick role", "Off work two weeks")
    term.answer("Medication considered", "")
    term.answer("Add a person?", "y")
    term.answer("Name or alias", "Mother")
    term.answer("Relationship", "mother")
    term.answer("Closeness ring", "1")
    for prompt in (
        "Contact",
        "What is satisfying",
        "What is not",
        "Changes wanted",
        "Expectations met?",
    ):
        term.answer(prompt, "")
    term.answer("Tags", "lost")
    term.answer("Add a person?", "y")
    term.answer("Name or alias", "Partner (T.)")
    term.answer("Relationship", "partner")
    term.answer("Closeness ring", "2")
    for prompt in ("Contact", "What is satisfying", "What is not", "Changes wanted"):
        term.answer(prompt, "")
    term.answer("Expectations met?", "n")
    term.answer("Tags", "conflict")
    term.answer("Add a person?", "n")
    circle = term.expect("Add a life event?")
    assert "inner ring" in circle and "1. Mother [lost]" in circle
    assert "middle ring" in circle and "2. Partner (T.) [conflict]" in circle
    term.send("y")
    term.answer("Date of the event", "2025-02-30")
    term.answer("is not a date", "")
    term.answer("Date of the event", "2025-10-02")
    term.answer("What happened", "Mother died after a stroke")
    term.answer("Mood around it", "numb")
    term.answer("Add a life event?", "n")
    screen = term.answer("Primary problem area", "")  # take the suggestion
    assert "Suggested: grief" in screen and "role-transition:" in screen
    term.answer("Secondary problem area", "role-dispute")
    term.answer("Stage of the dispute", "impasse")
    screen = term.answer("Use the draft", "use")
    assert "Mother died after a stroke" in screen
    term.answer("Did the client agree", "y")
    term.answer("Keep all of these goals as they are?", "n")
    term.answer("Goal grief-mourning", "")  # Enter keeps the catalogue text
    term.answer("Goal grief-reconnect", "See friends again every week")
    term.answer("Goal dispute-identify", "-")  # dropped
    term.answer("Goal dispute-plan", "")
    term.answer("Goal dispute-resolve", "")
    term.answer("Add a goal of your own?", "y")
    term.answer("Goal:", "Talk to T. every Sunday")
    term.answer(
        "Goal id (lowercase letters, digits, hyphens) (talk-to-t-every-sunday):", "Sunday Talk"
    )
    term.answer("use lowercase letters", "sunday-talk")
    term.answer("Add a goal of your own?", "n")
    screen = term.answer("Has the client agreed this contract?", "y")
    assert "12 weekly sessions, 2026-01-05 to 2026-03-23: initial sessions 1-3" in screen
    term.answer("Save this course?", "y")
    agenda = term.expect(
        "Give the sick role: excused from some duties, agreeing to work at recovery: given"
    )
    assert "session 1 of 12" in agenda and "Already done (from the record)" in agenda
    assert term.finish() == 0
    assert "Traceback" not in term.screen
    course = tomllib.loads((data_home / "courses" / "wz.toml").read_text())
    assert course["client"] == "Z.Q." and course["kind"] == "self-guided"
    assert course["problem_areas"] == ["grief", "role-dispute"]
    assert course["dispute_stage"] == "impasse"
    assert course["baseline"]["phq9"] == {"items": [2, 2, 1, 2, 1, 1, 1, 0, 1], "difficulty": 2}
    assert [p["ring"] for p in course["inventory"]] == [1, 2]
    assert course["timeline"][0]["event"] == "Mother died after a stroke"
    assert course["formulation"]["agreed"] is True
    goals = {g["id"]: g["text"] for g in course["goals"]}
    assert list(goals) == [
        "grief-mourning",
        "grief-reconnect",
        "dispute-plan",
        "dispute-resolve",
        "sunday-talk",
    ]
    assert goals["grief-mourning"] == "Help the mourning process along"
    assert goals["grief-reconnect"] == "See friends again every week"
    assert goals["sunday-talk"] == "Talk to T. every Sunday"
    assert course["sick_role"] == {"given": True, "note": "Off work two weeks"}
    assert course["contract_agreed"].isoformat() == "2026-03-01"


@pytest.mark.parametrize("stop", ["ctrl-c", "eof"])
def test_interrupted_wizard_writes_nothing(data_home: Path, stop: str) -> None:
    term = start("new-course", "wz")
    term.answer("Condition", "")
    term.answer("Adaptation", "")
    term.answer("Client alias", "Z.Q.")
    term.expect("Date of session 1")
    if stop == "ctrl-c":
        term.interrupt()
    else:
        os.write(term.master, b"\x04")
    code = term.finish()
    assert code == 130
    assert "nothing more was saved" in term.screen and "Traceback" not in term.screen
    assert not (data_home / "courses" / "wz.toml").exists()


def test_interactive_session_follows_the_agenda(ipt_setup, data_home: Path) -> None:
    ipt_setup(
        "new-course",
        "ab",
        "--client",
        "A.B.",
        "--problem-area",
        "role-dispute",
        "--dispute-stage",
        "impasse",
        "--start",
        "2026-01-05",
    )
    ipt_setup(
        "session",
        "ab",
        "--date",
        "2026-01-05",
        "--task",
        "Ask for a calm talk",
        "--goal",
        "dispute-identify=3",
    )
    term = start("session", "ab")
    screen = term.answer("Date", "2026-01-12")
    assert "session 2 of 16" in screen
    term.answer("Who attended", "")  # the client, by default (issue 27)
    term.answer("Give the PHQ-9 now?", "y")
    for number, reply in enumerate(("1", "1", "1", "1", "1", "1", "1", "0", "0"), 1):
        term.answer(f"PHQ-9 {number}.", reply)  # in the published order, 1 to 9
    screen = term.answer("how difficult", "1")
    assert "PHQ-9 total 7 of 27: mild" in screen
    term.answer("Mood", "6")
    term.answer("Mood and events", "Calmer week")
    term.answer("How did last session's task go? (Ask for a calm talk)", "We talked")
    term.answer("Techniques used", "4, role-play")
    term.answer("Strategies covered", "dispute-clarify")
    screen = term.answer("Progress on 'Identify the dispute' (0-10, last 3", "5")
    term.answer("Progress on 'Choose a plan", "")
    term.answer("Progress on 'Change expectations", "")
    term.answer("Stage of the dispute now", "renegotiation")
    term.answer("Task until next session", "Plan a weekend")
    term.answer("Note", "Private words")
    summary = term.expect("Save this session?")
    assert "Session summary" in summary and "7 (mild), item 9 = 0" in summary
    term.send("y")
    term.expect("Recorded session 2 of 16")
    assert term.finish() == 0
    session = tomllib.loads((data_home / "courses" / "ab.toml").read_text())["sessions"][1]
    assert session["phq9"] == {"items": [1, 1, 1, 1, 1, 1, 1, 0, 0], "difficulty": 1}
    assert session["techniques"] == ["communication-analysis", "role-play"]
    assert session["goal_ratings"] == {"dispute-identify": 5}
    assert session["dispute_stage"] == "renegotiation" and session["task"] == "Plan a weekend"
    assert session["task_outcome"] == "We talked" and session["note"] == "Private words"


def test_interactive_session_shows_flags_whole_agenda_and_every_measure(
    ipt_setup, data_home: Path
) -> None:
    ipt_setup(
        "new-course",
        "rd-1",
        "--client",
        "R.D.",
        "--problem-area",
        "role-dispute",
        "--dispute-stage",
        "impasse",
        "--sessions",
        "8",
        "--start",
        "2026-01-05",
        "--phq9",
        "1,1,1,1,1,1,1,1,1",
        "--gad7",
        "1,1,1,1,1,1,1",
        "--hamd17",
        "2,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
        "--bdi2-total",
        "20",
        "--bdi2-item9",
        "0",
    )
    for day in ("01-05", "01-12", "01-19", "01-26", "02-02", "02-09"):
        ipt_setup("session", "rd-1", "--date", f"2026-{day}", "--attendee", "client")
    ipt_setup("session", "rd-1", "--date", "2026-02-16", "--phq9", "0,0,0,0,0,0,0,0,2")
    term = start("session", "rd-1")
    screen = term.answer("Date", "2026-02-16")
    flags, agenda = screen.split("Agenda for rd-1")
    assert (
        "PHQ-9 item 9 = 1 at baseline" in flags and "PHQ-9 item 9 = 2 URGENT at session 7" in flags
    )
    assert (
        "ipt risk-review rd-1 --session 0 --note ... --ideation ... --level ... --action ..."
        in flags
    )
    assert (
        "ipt risk-review rd-1 --session 7 --note ... --ideation ... --level ... --action ..."
        in flags
    )
    assert "session 8 of 8, the last" in agenda
    assert "This is the last session of the course" in agenda  # item 10 of 11: not cut
    assert "11. Summarise and count the sessions: session 8 of 8" in agenda
    screen = term.answer("Record another sitting that day?", "n")
    assert "Session 7 is already recorded on 2026-02-16" in screen
    term.answer("Date", "2030-01-01")
    term.answer("is after today", "")
    term.answer("Date", "2026-02-23")
    term.answer("Who attended", "")
    term.answer("Give the PHQ-9 now?", "y")
    for number in range(1, 10):
        term.answer(f"PHQ-9 {number}.", "0")
    screen = term.answer("Give the GAD-7 now?", "y")  # all zero: no difficulty question
    assert "PHQ-9 total 0 of 27: minimal" in screen and "how difficult" not in screen
    for number in range(1, 8):
        term.answer(f"GAD-7 {number}.", "2")
    screen = term.answer("Give the HAM-D-17 now?", "y")
    assert "GAD-7 total 14 of 21: moderate" in screen
    ranges = []
    for number in range(1, 18):
        ranges.append(term.answer(f"HAM-D-17 {number}.", "3" if number == 3 else "1"))
    assert "(0-4)" in ranges[1] and "(0-2)" in ranges[4]  # item 1 0-4, item 4 0-2
    assert "HAM-D-17 item 3 = 3 URGENT" in ranges[3]  # shown at once, after item 3
    screen = term.answer("Give the BDI-II now?", "y")
    assert "HAM-D-17 total 19 of 52: moderate" in screen
    term.answer("BDI-II total", "2")
    term.answer("BDI-II item 9, suicidal thoughts (0-2)", "3")
    term.answer("enter a whole number 0-2", "")
    term.answer("BDI-II item 9", "1")
    screen = term.answer("Mood", "")
    assert "BDI-II item 9 = 1" in screen and "BDI-II total 2 of 63: minimal" in screen
    term.answer("Mood and events", "")
    for prompt in ("Techniques used", "Strategies covered", "Progress on", "Progress on"):
        term.answer(prompt, "")
    term.answer("Progress on", "")
    term.answer("Stage of the dispute now", "")
    term.answer("Task until next session", "")
    term.answer("Note", "")
    summary = term.expect("Save this session?")
    for line in ("0 (minimal), item 9 = 0", "14 (moderate)", "19 (moderate), item 3 = 3"):
        assert line in summary
    term.send("y")
    term.expect("Recorded session 8 of 8")
    assert term.finish() == 0 and "Traceback" not in term.screen
    session = tomllib.loads((data_home / "courses" / "rd-1.toml").read_text())["sessions"][7]
    assert session["gad7"]["items"] == [2] * 7 and session["bdi2"] == {"total": 2, "item9": 1}
    assert session["hamd17"]["items"][2] == 3 and "difficulty" not in session["phq9"]


def test_interactive_session_in_maintenance(ipt_setup, data_home: Path) -> None:
    ipt_setup(
        "new-course",
        "ab",
        "--client",
        "A.B.",
        "--problem-area",
        "grief",
        "--sessions",
        "4",
        "--start",
        "2026-01-05",
    )
    for day in ("05", "12", "19", "26"):
        ipt_setup("session", "ab", "--date", f"2026-01-{day}", "--attendee", "client")
    ipt_setup("ending", "ab", "--warning-sign", "Skipping meals")
    ipt_setup("maintenance", "ab", "--sessions", "6")
    term = start("session", "ab")
    screen = term.answer("Date", "2026-02-26")
    assert "maintenance session 1 of 6, 5 left" in screen and "maintenance phase" in screen
    assert "Skipping meals" in screen and "session 4 of 4" not in screen
    term.answer("Who attended", "")
    term.answer("Give the PHQ-9 now?", "n")
    term.answer("Mood", "7")
    term.answer("Mood and events", "")
    term.answer("Techniques used", "")
    term.answer("Strategies covered", "")
    term.answer("Progress on", "")
    term.answer("Progress on", "")
    term.answer("Task until next session", "")
    term.answer("Note", "")
    term.answer("Save this session?", "y")
    term.expect("Recorded maintenance session 1 of 6")
    assert term.finish() == 0


def test_edit_offers_to_edit_again_after_an_invalid_save(
    ipt_setup, data_home: Path, tmp_path: Path
) -> None:
    """First save breaks the file, the user chooses to edit again, the second save fixes
    it: only the valid text reaches the course file."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    counter = tmp_path / "count"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        f"count = pathlib.Path({str(counter)!r})\n"
        "n = int(count.read_text()) if count.exists() else 0\n"
        "count.write_text(str(n + 1))\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "text = p.read_text()\n"
        "if n == 0:\n"
        "    p.write_text(text.replace('planned_sessions = 16', 'planned_sessions = 99'))\n"
        "else:\n"
        "    p.write_text(text.replace('planned_sessions = 99', 'planned_sessions = 14'))\n"
    )
    term = Terminal(
        [*ipt_command(), "edit", "ab"], {**os.environ, "EDITOR": f"{sys.executable} {editor}"}
    )
    screen = term.answer("Edit again?", "y")
    assert "planned_sessions" in screen
    term.expect("Saved")
    assert term.finish() == 0
    course = tomllib.loads((data_home / "courses" / "ab.toml").read_text())
    assert course["planned_sessions"] == 14


def _basics_and_baseline(term: Terminal) -> None:
    term.answer("Condition", "")
    term.answer("Adaptation", "")
    term.answer("Client alias", "Z.Q.")
    term.answer("Date of session 1", "2026-01-05")
    term.answer("Planned sessions", "12")
    term.answer("Cadence", "")
    term.answer("Kind of course", "")
    term.answer("Take the PHQ-9 baseline now?", "y")
    for reply in ("2", "2", "1", "2", "1", "1", "1", "0", "0"):
        term.answer("PHQ-9", reply)
    term.answer("how difficult", "1")
    term.answer("Also take the GAD-7?", "n")


def test_an_interrupted_wizard_keeps_a_draft_that_resumes(data_home: Path) -> None:
    term = start("new-course", "wz")
    _basics_and_baseline(term)
    term.expect("Sick role given?")
    term.interrupt()
    assert term.finish() == 130
    assert "kept as a draft" in term.screen and "Traceback" not in term.screen
    draft = data_home / "edits" / "drafts" / "wz.json"
    assert oct(draft.stat().st_mode & 0o777) == "0o600"
    assert oct(draft.parent.stat().st_mode & 0o777) == "0o700"
    # the draft was the new data folder's first file: every folder it made is private
    for folder in (data_home, data_home / "edits"):
        assert oct(folder.stat().st_mode & 0o777) == "0o700", folder
    assert not (data_home / "courses" / "wz.toml").exists()

    term = start("new-course", "wz")
    screen = term.answer("Resume it?", "y")
    assert "steps 1-2 of 9 answered" in screen
    screen = term.answer("Sick role given?", "y")  # straight to step 3
    assert "Step 3 of 9" in screen and "Condition" not in screen
    term.answer("Note on the sick role", "")
    term.answer("Medication considered", "")
    term.answer("Add a person?", "n")
    term.answer("Add a life event?", "n")
    term.answer("Primary problem area", "grief")
    term.answer("Secondary problem area", "")
    term.answer("Use the draft", "use")
    term.answer("Did the client agree", "y")
    term.answer("Keep all of these goals as they are?", "y")
    term.answer("Add a goal of your own?", "n")
    term.answer("Has the client agreed this contract?", "y")
    term.answer("Save this course?", "y")
    assert term.finish() == 0
    course = tomllib.loads((data_home / "courses" / "wz.toml").read_text())
    assert course["client"] == "Z.Q." and course["start_date"].isoformat() == "2026-01-05"
    assert course["baseline"]["phq9"]["items"] == [2, 2, 1, 2, 1, 1, 1, 0, 0]
    assert not draft.exists()  # saved: the draft has done its job


def test_discard_draft_starts_again(data_home: Path) -> None:
    term = start("new-course", "wz")
    _basics_and_baseline(term)
    term.expect("Sick role given?")
    term.interrupt()
    term.finish()
    term = start("new-course", "wz", "--discard-draft")
    screen = term.expect("Condition")
    assert "Resume it?" not in screen
    term.interrupt()
    term.finish()
    assert not (data_home / "edits" / "drafts" / "wz.json").exists()
