"""`ipt session` in full, safety flags and risk reviews, contracts and maintenance."""

import json
import stat
import sys
import tomllib
from pathlib import Path

from tests.conftest import PHQ9_MODERATE, PHQ9_RISK, RunIpt


def report(run_ipt: RunIpt, course_id: str = "ab") -> dict:
    return json.loads(run_ipt("report", course_id, "--format", "json").stdout)


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def test_every_session_flag_is_stored(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course("ab", "--problem-area", "role-dispute")  # grief + role-dispute
    run_ipt(
        "session",
        "ab",
        "--date",
        "2026-01-12",
        "--phq9",
        PHQ9_MODERATE,
        "--phq9-difficulty",
        "2",
        "--mood",
        "4",
        "--events",
        "Row with partner on Friday",
        "--focus",
        "role-dispute",
        "--technique",
        "communication-analysis",
        "--technique",
        "role-play",
        "--strategy",
        "dispute-clarify",
        "--goal",
        "dispute-identify=3",
        "--goal",
        "grief-mourning=5",
        "--dispute-stage",
        "impasse",
        "--task",
        "Ask for a calm talk",
        "--note",
        "Private note",
    )
    session = stored(data_home)["sessions"][0]
    assert session["phq9"] == {"items": [2, 2, 1, 2, 1, 1, 1, 0, 0], "difficulty": 2}
    assert session["mood"] == 4 and session["focus"] == "role-dispute"
    assert session["events"] == "Row with partner on Friday"
    assert session["techniques"] == ["communication-analysis", "role-play"]
    assert session["strategies"] == ["dispute-clarify"]
    assert session["goal_ratings"] == {"dispute-identify": 3, "grief-mourning": 5}
    assert session["dispute_stage"] == "impasse" and session["task"] == "Ask for a calm talk"
    assert session["note"] == "Private note"
    data = report(run_ipt)
    assert data["sessions"][0]["mood"] == 4
    assert data["sessions"][0]["techniques"] == ["communication-analysis", "role-play"]
    assert data["sessions"][0]["goal_ratings"] == {"dispute-identify": 3, "grief-mourning": 5}
    assert data["sessions"][0]["task"] == "Ask for a calm talk"
    assert data["dispute_stage"] == "impasse"
    assert data["measures"]["phq9"]["baseline"] == 10  # the difficulty answer is never summed
    run_ipt("session", "ab", "--date", "2026-01-19", "--task-outcome", "We talked on Sunday")
    assert stored(data_home)["sessions"][1]["task_outcome"] == "We talked on Sunday"


def test_session_refusals(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    before = (data_home / "courses" / "ab.toml").read_bytes()
    cases = [
        (["--technique", "hypnosis"], "'hypnosis' is not one of 'exploration'"),
        (["--strategy", "nope"], "unknown strategy 'nope'"),
        (["--goal", "grief-mourning=11"], "goal rating for grief-mourning must be 0-10"),
        (["--goal", "grief-mourning"], "must look like GOAL_ID=0..10"),
        (["--goal", "other=2"], "unknown goal 'other'"),
        (["--mood", "12"], "--mood: must be 0-10"),
        (["--focus", "work"], "'work' is not one of 'grief'"),
        (["--dispute-stage", "impasse"], "only for a course with a role-dispute area"),
        (["--dispute-stage", "war"], "'war' is not one of 'renegotiation'"),
        (["--date", "yesterday"], "--date 'yesterday' is not a date"),
        (["--note", "a", "--note-file", "x.txt"], "give only one of --note, --note-file"),
        (["--note-file", "/nonexistent/note.txt"], "no such file"),
        (["--missed", "ill", "--mood", "3"], "--missed records an appointment"),
        (["--missed", "ill", "--mood", "0"], "drop --mood"),  # zero is a value too
        (["--amend", "1", "--phq9-difficulty", "0"], "--amend takes only --note"),
        (["--amend", "1", "--note", "x"], "no session 1 in 'ab'"),
        (["--amend", "1"], "--amend needs the addendum text"),
    ]
    for args, message in cases:
        result = run_ipt("session", "ab", *args, exit_code=result_code(message))
        assert message in result.stderr, (args, result.stderr)
    assert (data_home / "courses" / "ab.toml").read_bytes() == before


def result_code(message: str) -> int:
    return 3 if "no such file" in message else 2


def test_note_from_file_and_from_editor(
    new_course, run_ipt: RunIpt, tmp_path: Path, data_home: Path
) -> None:
    new_course()
    note_file = tmp_path / "note.md"
    note_file.write_text("Line one\nLine two 🙂\n", encoding="utf-8")
    run_ipt("session", "ab", "--date", "2026-01-12", "--note-file", str(note_file))
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('Written in the editor')\n")
    run_ipt("session", "ab", "--date", "2026-01-19", "--edit", EDITOR=f"{sys.executable} {editor}")
    empty = tmp_path / "empty.py"
    empty.write_text("import sys\nopen(sys.argv[1], 'w').write('  ')\n")
    run_ipt(
        "session",
        "ab",
        "--date",
        "2026-01-26",
        "--mood",
        "5",
        "--edit",
        VISUAL=f"{sys.executable} {empty}",
    )
    sessions = stored(data_home)["sessions"]
    assert sessions[0]["note"] == "Line one\nLine two 🙂\n"
    assert sessions[1]["note"] == "Written in the editor"
    assert "note" not in sessions[2] and sessions[2]["mood"] == 5  # empty note: just no note
    result = run_ipt("session", "ab", "--edit", exit_code=2)
    assert "set $VISUAL or $EDITOR" in result.stderr


def test_amend_keeps_the_original(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "Original text")
    run_ipt("session", "ab", "--amend", "1", "--note", "Correction: it was Friday")
    session = stored(data_home)["sessions"][0]
    assert session["note"] == "Original text"
    assert session["addenda"] == [
        {"date": tomllib.loads("d = 2026-03-01")["d"], "text": "Correction: it was Friday"}
    ]
    assert report(run_ipt)["sessions"][0]["addenda"] == 1


def test_missed_appointment_shows_in_plan_and_is_not_counted(new_course, run_ipt: RunIpt) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    run_ipt("session", "ab", "--date", "2026-01-12", "--missed", "Client unwell")
    plan = json.loads(run_ipt("plan", "ab", "--format", "json").stdout)
    missed = [w for w in plan["weeks"] if w["status"] == "missed"]
    assert missed == [
        {
            "session": None,
            "date": "2026-01-12",
            "phase": None,
            "focus": "Missed: Client unwell",
            "status": "missed",
            "current": False,
        }
    ]
    assert plan["sessions_held"] == 1
    current = [w for w in plan["weeks"] if w["current"]]
    assert current[0]["session"] == 2 and current[0]["date"] == "2026-01-19"
    assert report(run_ipt)["sessions_recorded"] == 1


def test_safety_path_end_to_end(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--kind", "self-guided")
    result = run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_RISK)
    assert "SAFETY" in result.stderr and "crisis line" in result.stderr  # self-guided
    flag_line = "PHQ-9 item 9 = 1 at session 1 (2026-01-12)"
    listing = json.loads(run_ipt("list", "--json").stdout)
    assert listing[0]["unreviewed_flags"] == 1
    agenda = run_ipt("agenda", "ab").stdout
    assert "UNREVIEWED SAFETY FLAGS" in agenda and flag_line in agenda
    text = run_ipt("report", "ab").stdout
    assert text.index(flag_line) < text.index("IPT progress report")
    assert report(run_ipt)["safety_flags"][0]["reviewed"] is False

    refused = run_ipt(
        "risk-review",
        "ab",
        "--session",
        "2",
        "--note",
        "x",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
        exit_code=2,
    )
    assert "no session 2" in refused.stderr
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "1",
        "--note",
        "No plan or intent",
        "--plan",
        "Safety plan reviewed",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
    )
    data = report(run_ipt)
    assert data["safety_flags"][0]["reviewed"] is True
    assert data["risk_reviews"][0].pop("recorded_at")  # the wall-clock time it was written
    assert data["risk_reviews"] == [
        {
            "session": 1,
            "maintenance": False,
            "date": "2026-03-01",
            "note": "No plan or intent",
            "plan": "Safety plan reviewed",
            "by": None,
            "session_id": 1,
            "session_date": "2026-01-12",
            "withdrawn": False,  # a withdrawn session's reviews are listed too (schema 10)
            # schema 3's structured fields: the judgement is required (issue 26)
            "ideation": "none",
            "plan_made": None,
            "intent": None,
            "means": None,
            "protective": [],
            "level": "low",
            "actions": ["Reviewed"],
            "written_on": None,  # written the day it is dated (risk-review --date: not)
        }
    ]
    assert json.loads(run_ipt("list", "--json").stdout)[0]["unreviewed_flags"] == 0
    assert "UNREVIEWED" not in run_ipt("agenda", "ab").stdout
    text = run_ipt("report", "ab").stdout
    assert "UNREVIEWED" not in text
    assert "Reviewed: session 1 (2026-01-12): PHQ-9 item 9 = 1" in text
    assert "Review 1, 2026-03-01: No plan or intent. Plan: Safety plan reviewed" in text


def test_clinician_led_notice_has_no_crisis_text(new_course, run_ipt: RunIpt) -> None:
    new_course()
    result = run_ipt("session", "ab", "--hamd17", "0,0,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0")
    assert "HAM-D-17 item 3 = 3" in result.stderr and "crisis line" not in result.stderr
    assert "URGENT" in run_ipt("report", "ab").stdout


def test_maintenance_sessions_are_reported_apart(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4", "--phq9", "3,3,2,2,2,2,1,1,0")  # 16
    early = run_ipt("maintenance", "ab", exit_code=5)
    assert "4 session(s) left" in early.stderr
    run_ipt(
        "session", "ab", "--date", "2026-01-05", "--attendee", "client"
    )  # the baseline's sitting
    for day in (12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--phq9", "1,1,1,1,0,0,0,0,0")
    run_ipt("maintenance", "ab", "--sessions", "2")
    later = {"IPT_TODAY": "2026-06-01"}
    run_ipt("session", "ab", "--date", "2026-02-26", "--phq9", "1,1,1,1,1,1,0,0,1")
    data = report(run_ipt)
    assert data["sessions_recorded"] == 4 and data["phase"] == "maintenance"
    block = data["maintenance"]
    assert block["start_date"] == "2026-02-26" and block["cadence"] == "monthly"
    assert (block["sessions_planned"], block["sessions_recorded"]) == (2, 1)
    assert block["measures"]["phq9"]["baseline"] == 16
    assert block["measures"]["phq9"]["latest"] == 7
    assert data["measures"]["phq9"]["latest"] == 4  # the acute series ends at the acute course
    assert data["next_session_date"] == "2026-03-26"
    flag = data["safety_flags"][0]
    assert flag["maintenance"] is True and flag["session"] == 1
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "m1",
        "--note",
        "Reviewed by phone",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
    )
    assert report(run_ipt)["safety_flags"][0]["reviewed"] is True
    run_ipt("session", "ab", "--date", "2026-03-26", "--attendee", "client", **later)
    full = run_ipt(
        "session", "ab", "--date", "2026-04-26", "--attendee", "client", exit_code=5, **later
    )
    assert "ipt contract ab --maintenance --sessions N --reason TEXT" in full.stderr
    assert "Maintenance" in run_ipt("report", "ab").stdout


def test_contract_refusals(new_course, run_ipt: RunIpt) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    assert (
        "must be 4-30"
        in run_ipt("contract", "ab", "--sessions", "40", "--reason", "x", exit_code=2).stderr
    )
    assert (
        "already has 16"
        in run_ipt("contract", "ab", "--sessions", "16", "--reason", "x", exit_code=2).stderr
    )
    assert (
        "give a reason"
        in run_ipt("contract", "ab", "--sessions", "12", "--reason", " ", exit_code=2).stderr
    )


def test_files_stay_private_after_updates(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt("session", "ab", "--note", "x")
    path = data_home / "courses" / "ab.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
