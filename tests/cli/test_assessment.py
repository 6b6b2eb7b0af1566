"""Assessment commands: --from files, inventory, timeline, goals, formulation, ipt edit."""

import datetime as dt
import json
import sys
import tomllib
from pathlib import Path

from ipt_cli.core.assessment import draft_formulation, suggest_area
from ipt_cli.core.models import Person, TimelineEvent
from tests.conftest import EXAMPLES, RunIpt

TEMPLATE = EXAMPLES / "assessment-template.toml"


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def test_new_course_from_the_template(run_ipt: RunIpt, data_home: Path) -> None:
    result = run_ipt("new-course", "ab", "--from", str(TEMPLATE), "--sessions", "14")
    assert "Created course ab" in result.stdout
    course = stored(data_home)
    assert course["client"] == "A.B." and course["planned_sessions"] == 14  # the flag wins
    assert course["problem_areas"] == ["role-transition"]
    assert course["baseline"]["date"] == course["start_date"]
    assert course["baseline"]["phq9"]["difficulty"] == 1
    assert [p["ring"] for p in course["inventory"]] == [1, 3]
    assert course["formulation"]["agreed"] is True
    assert [g["id"] for g in course["goals"]] == ["transition-mourn-old", "walk-group"]
    data = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert data["inventory"][0]["ring"] == 1 and data["inventory"][0]["name"] == "Partner (S.)"
    assert data["formulation"]["agreed"] is True and "retired" in data["formulation"]["text"]
    assert data["goals"][1] == {
        "id": "walk-group",
        "text": "Join the Tuesday walking group",
        "latest_rating": None,
        "retired": None,
    }


def test_broken_assessment_files_are_refused(
    run_ipt: RunIpt, tmp_path: Path, data_home: Path
) -> None:
    cases = {
        "bad-toml.toml": ('client = "A.B.\n', "line 1"),
        "bad-area.toml": ('client = "A"\nproblem_areas = ["sadness"]\n', "problem_areas[0]"),
        "bad-ring.toml": (
            'client = "A"\nproblem_areas = ["grief"]\n[[inventory]]\nname = "X"\n'
            'relationship = "x"\nring = 5\n',
            "inventory[0].ring",
        ),
        "sessions.toml": (
            'client = "A"\nproblem_areas = ["grief"]\nsessions = []\n',
            "sessions: not allowed in an assessment file",
        ),
        "no-client.toml": ('problem_areas = ["grief"]\n', "client: is required"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = run_ipt("new-course", "ab", "--from", str(path), exit_code=4)
        assert message in result.stderr and str(path) in result.stderr, result.stderr
    assert not (data_home / "courses" / "ab.toml").exists()
    missing = run_ipt("new-course", "ab", "--from", str(tmp_path / "none.toml"), exit_code=3)
    assert "no such file" in missing.stderr


def test_inventory_add_list_edit(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt(
        "inventory",
        "ab",
        "add",
        "--name",
        "Sister (R.)",
        "--relationship",
        "sister",
        "--ring",
        "1",
        "--tag",
        "support",
        "--expectations-unmet",
        "--contact",
        "weekly",
    )
    run_ipt("inventory", "add", "ab", "--name", "Boss", "--ring", "3", "--tag", "conflict")
    listing = run_ipt("inventory", "list", "ab").stdout
    assert "inner ring" in listing and "1. Sister (R.) [support]" in listing
    assert "outer ring" in listing and "2. Boss [conflict]" in listing
    run_ipt("inventory", "edit", "ab", "--person", "2", "--ring", "2")
    people = json.loads(run_ipt("inventory", "list", "ab", "--json").stdout)
    assert [(p["name"], p["ring"]) for p in people] == [("Sister (R.)", 1), ("Boss", 2)]
    assert people[0]["expectations_met"] is False and people[1]["tags"] == ["conflict"]
    errors = [
        (["add", "--name", "X", "--ring", "4"], "ring"),
        (["add", "--name", "X"], "a person needs --ring"),
        (["add", "--name", "X", "--ring", "1", "--tag", "enemy"], "--tag: must be one of"),
        (["edit", "--ring", "1"], "Missing option '--person'"),
        (["edit", "--person", "9", "--ring", "1"], "no person 9"),
        (["edit", "--person", "1"], "give at least one field"),
    ]
    for args, message in errors:
        assert message in run_ipt("inventory", "ab", *args, exit_code=2).stderr


def test_timeline_and_goals(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt(
        "timeline", "add", "ab", "--date", "2025-11-14", "--event", "Father died", "--mood", "numb"
    )
    run_ipt("timeline", "add", "ab", "--date", "2025-06-01", "--event", "Moved city")
    assert [e["event"] for e in stored(data_home)["timeline"]] == ["Moved city", "Father died"]
    assert "Father died" in run_ipt("timeline", "list", "ab").stdout
    assert (
        "--date and --event" in run_ipt("timeline", "add", "ab", "--event", "x", exit_code=2).stderr
    )
    run_ipt("goal", "add", "ab", "--id", "walk-group", "--text", "Join the walking group")
    run_ipt("session", "ab", "--goal", "walk-group=6")
    assert "walk-group" in run_ipt("goal", "list", "ab").stdout
    assert (
        "already exists"
        in run_ipt("goal", "add", "ab", "--id", "walk-group", "--text", "x", exit_code=5).stderr
    )
    assert "id" in run_ipt("goal", "add", "ab", "--id", "Bad Id", "--text", "x", exit_code=2).stderr
    goals = json.loads(run_ipt("report", "ab", "--format", "json").stdout)["goals"]
    assert goals[-1] == {
        "id": "walk-group",
        "text": "Join the walking group",
        "latest_rating": 6,
        "retired": None,
    }


def test_formulation_draft_text_and_agreement(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    assert "No formulation yet" in run_ipt("formulation", "ab").stdout
    run_ipt("timeline", "add", "ab", "--date", "2025-11-14", "--event", "Father died")
    run_ipt("formulation", "ab", "--draft", "--not-agreed")
    saved = stored(data_home)["formulation"]
    assert "Father died" in saved["text"] and saved["agreed"] is False
    run_ipt("formulation", "ab", "--agreed")
    assert stored(data_home)["formulation"]["agreed"] is True
    assert stored(data_home)["formulation"]["text"] == saved["text"]
    run_ipt("formulation", "ab", "--text", "Linked to grief.")
    assert "Linked to grief." in run_ipt("formulation", "ab").stdout


def test_suggested_area_follows_the_rules() -> None:
    death = [TimelineEvent(date=dt.date(2025, 1, 1), event="Grandmother passed away")]
    conflict = [Person(name="P", relationship="partner", ring=1, tags=["conflict"])]
    change = [Person(name="Job", relationship="work", ring=3, tags=["recent-change"])]
    lone = [Person(name="Old friend", relationship="friend", ring=3)]
    assert suggest_area(conflict, death)[0] == "grief"
    assert suggest_area(conflict + change, [])[0] == "role-dispute"
    assert suggest_area(change, [])[0] == "role-transition"
    assert suggest_area(lone, [])[0] == "interpersonal-deficits"
    draft = draft_formulation(["grief"], conflict, death, dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    assert "linked to grief" in draft and "Grandmother passed away (2025-01-01)" in draft


def write_editor(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / name
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + body)
    return f"{sys.executable} {script}"


def test_edit_replaces_only_valid_text(
    new_course, run_ipt: RunIpt, tmp_path: Path, data_home: Path
) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    good = write_editor(
        tmp_path, "good.py", "p.write_text(p.read_text().replace('A.B.', 'C.D.'))\n"
    )
    assert "Saved" in run_ipt("edit", "ab", EDITOR=good).stdout
    assert stored(data_home)["client"] == "C.D."
    before = path.read_bytes()
    bad = write_editor(
        tmp_path,
        "bad.py",
        "p.write_text(p.read_text().replace('planned_sessions = 16', 'planned_sessions = 99'))\n",
    )
    result = run_ipt("edit", "ab", EDITOR=bad, exit_code=2)  # not a terminal: no retry
    assert "planned_sessions" in result.stderr and "edit aborted" in result.stderr
    assert path.read_bytes() == before
    assert "the edited copy was removed" in result.stderr
    assert not list((data_home / "edits").iterdir())  # no copy of the notes left behind
    same = write_editor(tmp_path, "same.py", "pass\n")
    assert "No change" in run_ipt("edit", "ab", EDITOR=same).stdout
    rename = write_editor(
        tmp_path, "rename.py", "p.write_text(p.read_text().replace('id = \"ab\"', 'id = \"zz\"'))\n"
    )
    assert "must stay 'ab'" in run_ipt("edit", "ab", EDITOR=rename, exit_code=2).stderr


def test_sub_apps_take_the_action_first_and_keep_the_old_order_for_now(
    new_course, run_ipt: RunIpt
) -> None:
    new_course()
    new_order = run_ipt("goal", "add", "ab", "--id", "walk", "--text", "Walk with R.")
    assert "Added goal walk to ab." in new_order.stdout and new_order.stderr == ""
    old_order = run_ipt("goal", "ab", "list")
    assert "walk" in old_order.stdout
    assert "deprecated order; write `ipt goal list ab ...`" in old_order.stderr
    run_ipt("timeline", "add", "ab", "--date", "2025-11-14", "--event", "Moved city")
    assert "Moved city" in run_ipt("timeline", "list", "ab").stdout
    run_ipt("inventory", "add", "ab", "--name", "R.", "--ring", "1")
    assert "R." in run_ipt("inventory", "list", "ab").stdout


def test_each_action_shows_only_its_own_options(run_ipt: RunIpt) -> None:
    listing = run_ipt("inventory", "list", "--help").stdout
    assert "--json" in listing and "--ring" not in listing
    adding = run_ipt("inventory", "add", "--help").stdout
    assert "--ring" in adding and "--json" not in adding and "--person" not in adding
    assert "--person" in run_ipt("inventory", "edit", "--help").stdout
