"""A group member's course follows the group's numbering (issue 26, defect 8): a missed
group session is a missed session of the member's course at that group session's number
(WHO Group IPT 2016: initial = group session 1, middle 2-7, termination 8), so the member's
numbers, phases, plan, agenda, report and list agree with the group's, and no session is
offered after the group's last. Through the real binary."""

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Bin = Callable[..., subprocess.CompletedProcess[str]]
TODAY = {"IPT_TODAY": "2026-04-01"}
DATES = [f"2026-{d}" for d in ("02-02", "02-09", "02-16", "02-23", "03-02", "03-09", "03-16")]
DATES.append("2026-03-23")
PRE = "2,2,2,2,2,1,1,1,0"


def ipt(run: Bin, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    return run(*args, check_code=code, env=TODAY)


def as_json(run: Bin, *args: str) -> object:
    return json.loads(ipt(run, *args, "--format", "json").stdout)


def hold(run: Bin, number: int) -> None:
    """Group session `number`; m2 is absent from 3 and 4."""
    date = DATES[number - 1]
    if number in (3, 4):
        ipt(run, "group", "session", "g1", "--date", date, "--present", "m1",
            "--absent", "m2:unwell")  # fmt: skip
    else:
        ipt(run, "group", "session", "g1", "--date", date, "--present", "m1,m2",
            "--phq9", "m2=1,1,1,1,1,1,1,0,0")  # fmt: skip


@pytest.fixture
def group(ipt_bin: Bin, ipt_setup: Bin) -> Bin:
    """Group sessions 1 to 7 held, recorded in this process; the tests read the real binary."""
    ipt(ipt_setup, "group", "new", "g1", "--facilitator", "F.A.", "--start", DATES[0])
    for member in ("m1", "m2"):
        ipt(ipt_setup, "new-course", member, "--adaptation", "group", "--client", f"X.{member}",
            "--problem-area", "grief", "--start", "2026-01-26", "--phq9", PRE,
            "--no-input")  # fmt: skip
        ipt(ipt_setup, "group", "add", "g1", member)
    for number in range(1, 8):
        hold(ipt_setup, number)
    return ipt_bin


def row(run: Bin, course_id: str) -> dict:  # type: ignore[type-arg]
    rows = as_json(run, "list")
    assert isinstance(rows, list)
    return next(r for r in rows if r["course_id"] == course_id)


def test_absences_from_group_sessions_3_and_4_are_missed_sessions_3_and_4(group: Bin) -> None:
    plan = as_json(group, "plan", "m2")
    assert isinstance(plan, dict)
    weeks = [(w["session"], w["status"], w["phase"]) for w in plan["weeks"]]
    assert weeks == [
        (1, "held", "initial"), (2, "held", "middle"), (3, "missed", "middle"),
        (4, "missed", "middle"), (5, "held", "middle"), (6, "held", "middle"),
        (7, "held", "middle"), (8, "overdue", "termination"),
    ]  # fmt: skip
    agenda = as_json(group, "agenda", "m2")  # the next session is the group's last, 8
    assert isinstance(agenda, dict)
    assert agenda["week"] == 8 and agenda["phase"] == "termination"
    assert agenda["count"] == "session 8 of 8, the last"
    assert agenda["date"] == DATES[7]
    assert row(group, "m2")["phase"] == "termination"
    report = as_json(group, "report", "m2")
    assert isinstance(report, dict)
    assert [s["session"] for s in report["sessions"]] == [1, 2, 5, 6, 7]
    assert report["phase"] == "termination"


def test_group_session_8_is_the_members_session_8_and_the_last(group: Bin) -> None:
    hold(group, 8)
    report = as_json(group, "report", "m2")
    assert isinstance(report, dict)
    numbered = [(s["session"], s["date"]) for s in report["sessions"]]
    assert numbered[-1] == (8, DATES[7]) and [n for n, _ in numbered] == [1, 2, 5, 6, 7, 8]
    assert report["phase"] == "completed" and report["next_session_date"] is None
    plan = as_json(group, "plan", "m2")
    assert isinstance(plan, dict)
    assert [w["session"] for w in plan["weeks"]] == list(range(1, 9))
    assert plan["weeks"][-1]["phase"] == "termination"
    assert not [w for w in plan["weeks"] if w["status"] in ("upcoming", "overdue")]
    listed = row(group, "m2")
    assert listed["phase"] == "completed" and listed["next_session_date"] is None
    agenda = ipt(group, "agenda", "m2").stdout
    assert "session 8 of 8" in agenda and "session 7 of 8" not in agenda
    refused = ipt(group, "session", "m2", "--date", "2026-03-30", "--note", "x", "--no-input",
                  code=5)  # fmt: skip
    assert "all 8 planned sessions of 'm2' are recorded (2 of them missed" in refused.stderr


def test_a_member_file_from_before_schema_9_gets_its_missed_numbers_back(
    group: Bin, data_home: Path
) -> None:
    path = data_home / "courses" / "m2.toml"
    text = path.read_text()
    assert text.count("number = ") == 2  # missed sessions 3 and 4 keep their numbers
    old = "\n".join(line for line in text.splitlines() if not line.startswith("number = "))
    path.write_text(re.sub(r"schema_version = \d+", "schema_version = 8", old) + "\n")
    agenda = as_json(group, "agenda", "m2")
    assert isinstance(agenda, dict)
    assert agenda["week"] == 8 and agenda["phase"] == "termination"
