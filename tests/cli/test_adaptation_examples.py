"""Every adaptation example (examples/adaptations/) loads, plans and reports; text and
Markdown reports, and the IPSRT rhythm report, match golden files.

Golden files are updated only on purpose:
IPT_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_adaptation_examples.py
"""

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.cli.test_examples_golden import check_golden
from tests.conftest import EXAMPLES, RunIpt

FOLDER = EXAMPLES / "adaptations"
GROUP = EXAMPLES / "group"
COURSES = sorted(p.stem for p in FOLDER.glob("*.toml"))
TODAY = "2026-06-01"


@pytest.fixture
def imported(run_ipt: RunIpt, data_home: Path) -> RunIpt:
    (data_home / "courses").mkdir(parents=True)
    for name in COURSES:
        shutil.copy(FOLDER / f"{name}.toml", data_home / "courses" / f"{name}.toml")
    return run_ipt


def test_there_is_an_example_of_each_adaptation_built() -> None:
    adaptations = {tomllib.loads((FOLDER / f"{c}.toml").read_text())["adaptation"] for c in COURSES}
    assert adaptations == {"brief", "adolescent", "perinatal", "ipsrt"}
    members = {
        tomllib.loads(p.read_text())["adaptation"] for p in (GROUP / "courses").glob("*.toml")
    }
    assert members == {"group"} and len(list((GROUP / "courses").glob("*.toml"))) == 6


@pytest.mark.parametrize("course", COURSES)
def test_adaptation_examples_plan_and_report(imported: RunIpt, course: str) -> None:
    stored = tomllib.loads((FOLDER / f"{course}.toml").read_text())
    plan = json.loads(imported("plan", course, "--format", "json", IPT_TODAY=TODAY).stdout)
    assert plan["sessions_planned"] == stored["planned_sessions"]
    held = [w for w in plan["weeks"] if w["status"] == "held"]
    assert len(held) == plan["sessions_held"] == len(stored["sessions"])
    agenda = json.loads(imported("agenda", course, "--format", "json", IPT_TODAY=TODAY).stdout)
    assert agenda["items"]
    report = json.loads(imported("report", course, "--format", "json", IPT_TODAY=TODAY).stdout)
    assert report["adaptation"] == stored["adaptation"]
    # the depression and risk screen: the PHQ-9, or the PHQ-A of an adolescent course
    assert report["measures"][report["primary_measure"]]["series"]
    assert any(s["attendees"] for s in report["sessions"])
    text = imported("report", course, IPT_TODAY=TODAY).stdout
    check_golden(f"adaptations/{course}.report.txt", text)
    assert "\x1b[" not in text and max(len(line) for line in text.splitlines()) <= 80
    check_golden(
        f"adaptations/{course}.report.md",
        imported("report", course, "--format", "markdown", IPT_TODAY=TODAY).stdout,
    )


def test_the_brief_example_has_a_two_session_initial_phase(imported: RunIpt) -> None:
    plan = json.loads(imported("plan", "brief-transition", "--format", "json").stdout)
    assert [w["phase"] for w in plan["weeks"]][:3] == ["initial", "initial", "middle"]
    assert len(plan["weeks"]) == 8


def test_the_adaptation_examples_show_their_own_measures(imported: RunIpt) -> None:
    """issue 28: the perinatal example the EPDS first, the adolescent one the PHQ-A, the
    IPSRT one the ASRM with the PHQ-9."""
    perinatal = json.loads(imported("report", "perinatal-transition", "--format", "json").stdout)
    assert list(perinatal["measures"])[:2] == ["epds", "phq9"]
    assert perinatal["measures"]["epds"]["reliable_improvement"] is True
    adolescent = json.loads(imported("report", "adolescent-dispute", "--format", "json").stdout)
    assert adolescent["primary_measure"] == "phqa" and "phq9" not in adolescent["measures"]
    ipsrt = json.loads(imported("report", "ipsrt-rhythms", "--format", "json").stdout)
    assert list(ipsrt["measures"]) == ["phq9", "asrm"]  # both poles
    assert [p["total"] for p in ipsrt["measures"]["asrm"]["series"]][3] == 7


def test_the_adolescent_example_shows_the_guardian_sessions(imported: RunIpt) -> None:
    report = json.loads(imported("report", "adolescent-dispute", "--format", "json").stdout)
    with_guardian = [s["session"] for s in report["sessions"] if "guardian" in s["attendees"]]
    assert with_guardian == [1, 6, 12]
    agenda = imported("agenda", "adolescent-dispute", "--week", "6").stdout
    assert "guardian joins part of this session (Father (P.))" in agenda


def test_the_ipsrt_example_has_six_weeks_of_rhythm_logs(imported: RunIpt) -> None:
    args = ("rhythm", "ipsrt-rhythms", "report", "--weeks", "6")
    data = json.loads(imported(*args, "--format", "json").stdout)
    assert len(data["weeks"]) == 6 and data["days_logged"] == 41  # to the last session
    scores = [w["srm_score"] for w in data["weeks"]]
    assert scores[-1] > scores[0]  # the example grows steadier
    check_golden("adaptations/ipsrt-rhythms.rhythm.txt", imported(*args).stdout)
    check_golden(
        "adaptations/ipsrt-rhythms.rhythm.md", imported(*args, "--format", "markdown").stdout
    )


@pytest.fixture
def group_imported(run_ipt: RunIpt, data_home: Path) -> RunIpt:
    for sub in ("courses", "groups"):
        (data_home / sub).mkdir(parents=True)
        for path in (GROUP / sub).glob("*.toml"):
            shutil.copy(path, data_home / sub / path.name)
    return run_ipt


def test_the_who_group_example_loads_plans_and_reports(group_imported: RunIpt) -> None:
    data = json.loads(
        group_imported("group", "report", "who-group", "--format", "json", IPT_TODAY=TODAY).stdout
    )
    assert len(data["members"]) == 6 and data["sessions_held"] == 8 and data["completed"]
    assert data["response_rate_percent"] == pytest.approx(83.3)
    follow = [m["course_id"] for m in data["members"] if m["follow_up"]]
    assert follow == ["who-g-d"]
    for member in data["members"]:  # every member's course loads, plans and reports alone
        course = member["course_id"]
        plan = json.loads(group_imported("plan", course, "--format", "json").stdout)
        assert [w["phase"] for w in plan["weeks"] if w["session"]][:2] == ["initial", "middle"]
        report = json.loads(group_imported("report", course, "--format", "json").stdout)
        assert report["adaptation"] == "group"
    agenda = group_imported("group", "agenda", "who-group", "--week", "8", IPT_TODAY=TODAY)
    check_golden("adaptations/who-group.agenda.txt", agenda.stdout)
    check_golden(
        "adaptations/who-group.report.txt",
        group_imported("group", "report", "who-group", IPT_TODAY=TODAY).stdout,
    )
    check_golden(
        "adaptations/who-group.report.md",
        group_imported(
            "group", "report", "who-group", "--format", "markdown", IPT_TODAY=TODAY
        ).stdout,
    )


def test_the_private_note_stays_in_the_members_course(group_imported: RunIpt) -> None:
    group_text = (GROUP / "groups" / "who-group.toml").read_text()
    assert "referral to the local team" not in group_text
    assert "referral to the local team" in (GROUP / "courses" / "who-g-d.toml").read_text()


def test_demo_replays_the_group_example(run_ipt: RunIpt) -> None:
    text = run_ipt("demo", "--adaptation", "group", IPT_TODAY=TODAY).stdout
    assert "Demo: fictional group who-group (6 members, 8 group sessions" in text
    assert "Attendance" in text and "who-g-d: not responding" in text
    ipsrt = run_ipt("demo", "--adaptation", "ipsrt", IPT_TODAY=TODAY).stdout
    assert "ipsrt-rhythms" in ipsrt and "Rhythm log" in ipsrt
