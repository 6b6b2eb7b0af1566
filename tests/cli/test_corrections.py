"""Corrections as commands: `ipt course ID set`, `ipt goal retire|edit`, `ipt session --fix`."""

import json
import tomllib
from pathlib import Path

from ipt_cli.core.models import SCHEMA_VERSION
from tests.conftest import RunIpt


def report_json(run_ipt: RunIpt, course_id: str = "ab") -> dict:
    return json.loads(run_ipt("report", course_id, "--format", "json").stdout)


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def test_course_set_changes_the_area_replans_and_keeps_the_history(
    run_ipt: RunIpt, data_home: Path
) -> None:
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "role-dispute", "--dispute-stage", "dissolution", "--no-input",
    )  # fmt: skip
    before = run_ipt("agenda", "ab", "--week", "6").stdout
    assert "Role transition strategy" not in before
    result = run_ipt(
        "course", "ab", "set", "--problem-area", "role-transition", "--medication", "sertraline"
    )
    assert "Changed problem-area of ab: role-dispute -> role-transition." in result.stdout
    assert "Changed dispute-stage of ab: dissolution -> (none)." in result.stdout
    assert "Changed medication of ab: (none) -> sertraline." in result.stdout
    # The new area's catalogue goals are offered, as commands to add them.
    assert "ipt goal add ab --id transition-new-role --area role-transition" in result.stdout
    after = run_ipt("agenda", "ab", "--week", "6").stdout
    assert "Role transition strategy" in after and "Role dispute" not in after
    data = stored(data_home)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["problem_areas"] == ["role-transition"] and "dispute_stage" not in data
    assert [(c["what"], c["old"], c["new"], c["date"].isoformat()) for c in data["changes"]] == [
        ("problem-area", "role-dispute", "role-transition", "2026-03-01"),
        ("dispute-stage", "dissolution", "(none)", "2026-03-01"),
        ("medication", "(none)", "sertraline", "2026-03-01"),
    ]
    report = report_json(run_ipt)
    assert report["changes"][0] == {
        "date": "2026-03-01",
        "what": "problem-area",
        "old": "role-dispute",
        "new": "role-transition",
        "reason": None,
    }
    markdown = run_ipt("report", "ab", "--format", "markdown").stdout
    assert "## History of changes" in markdown
    assert "| 2026-03-01 | problem-area | role-dispute | role-transition |  |" in markdown
    text = run_ipt("report", "ab").stdout
    assert "2026-03-01: medication: (none) -> sertraline" in text


def test_course_set_validates_like_new_course(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    before = stored(data_home)
    bad = run_ipt("course", "ab", "set", "--initial-sessions", "11", exit_code=2)
    assert bad.stderr.startswith("ipt: error: --initial-sessions") and "Traceback" not in bad.stderr
    bad = run_ipt("course", "ab", "set", "--dispute-stage", "impasse", exit_code=2)
    assert "dispute" in bad.stderr and len(bad.stderr.splitlines()) == 1
    bad = run_ipt("course", "ab", "set", "--initial-sessions", "8", "--termination-sessions", "8",
                  exit_code=2)  # fmt: skip
    assert "ipt: error:" in bad.stderr
    nothing = run_ipt("course", "ab", "set", exit_code=2)
    assert "give at least one setting" in nothing.stderr
    same = run_ipt("course", "ab", "set", "--problem-area", "grief", exit_code=2)
    assert "nothing changed" in same.stderr
    assert run_ipt("course", "ab", "unset", exit_code=2).stderr.startswith("ipt: error: unknown")
    swapped = run_ipt("course", "set", "ab", "--client", "A.C.", exit_code=2)
    assert swapped.stderr == "ipt: error: the course id comes first: `ipt course ab set ...`\n"
    assert stored(data_home) == before  # nothing was written
    ok = run_ipt("course", "ab", "set", "--client", "A.C.", "--termination-sessions", "3")
    assert "Changed client of ab: A.B. -> A.C." in ok.stdout
    assert stored(data_home)["termination_sessions"] == 3


def test_goal_retire_keeps_it_unrated_and_unplanned(new_course, run_ipt: RunIpt) -> None:
    new_course()
    run_ipt("goal", "add", "ab", "--id", "walk", "--text", "Join the walking group")
    run_ipt("session", "ab", "--date", "2026-01-05", "--goal", "walk=3")
    assert "[walk]" in run_ipt("agenda", "ab", "--week", "6").stdout
    result = run_ipt("goal", "retire", "ab", "walk")
    assert result.stdout == "Retired goal walk of ab: it is no longer rated.\n"
    assert "[walk]" not in run_ipt("agenda", "ab", "--week", "6").stdout
    refused = run_ipt("session", "ab", "--date", "2026-01-12", "--goal", "walk=5", exit_code=2)
    assert refused.stderr == "ipt: error: goal 'walk' is retired: it is no longer rated\n"
    again = run_ipt("goal", "retire", "ab", "walk", exit_code=5)
    assert "was retired on 2026-03-01" in again.stderr
    report = report_json(run_ipt)
    walk = next(g for g in report["goals"] if g["id"] == "walk")
    assert walk == {"id": "walk", "text": "Join the walking group", "latest_rating": 3,
                    "retired": "2026-03-01"}  # fmt: skip
    assert report["changes"][-1]["what"] == "goal walk"
    assert "Join the walking group (retired 2026-03-01) [walk]" in run_ipt("report", "ab").stdout
    assert "(retired" in run_ipt("goal", "list", "ab").stdout
    assert run_ipt("goal", "retire", "ab", "nope", exit_code=2).stderr.startswith(
        "ipt: error: no goal 'nope'"
    )


def test_goal_edit_rewords_and_keeps_the_old_words(new_course, run_ipt: RunIpt) -> None:
    new_course()
    run_ipt("goal", "add", "ab", "--id", "walk", "--text", "Join the walking group")
    result = run_ipt("goal", "edit", "ab", "walk", "--text", "Walk twice a week")
    assert result.stdout == "Changed the text of goal walk of ab.\n"
    report = report_json(run_ipt)
    assert next(g for g in report["goals"] if g["id"] == "walk")["text"] == "Walk twice a week"
    assert report["changes"][-1] == {
        "date": "2026-03-01",
        "what": "goal walk",
        "old": "Join the walking group",
        "new": "Walk twice a week",
        "reason": None,
    }
    assert "--text" in run_ipt("goal", "edit", "ab", "walk", "--text", " ", exit_code=2).stderr


def test_session_fix_corrects_values_and_keeps_the_old_ones(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--phq9", "1,1,1,1,1,1,1,1,0", "--mood", "4")
    result = run_ipt(
        "session", "ab", "--fix", "2026-01-05", "--mood", "6", "--phq9", "2,2,2,2,2,2,2,2,0",
        "--reason", "scores typed from the wrong form",
    )  # fmt: skip
    assert "Fixed mood of session 1 (2026-01-05) of ab: 4 -> 6." in result.stdout
    session = stored(data_home)["sessions"][0]
    assert session["mood"] == 6 and session["phq9"]["items"] == [2] * 8 + [0]
    assert [(c["field"], c["old"], c["new"]) for c in session["corrections"]] == [
        ("mood", "4", "6"),
        ("phq9", "1,1,1,1,1,1,1,1,0 (total 8)", "2,2,2,2,2,2,2,2,0 (total 16)"),
    ]
    assert session["corrections"][0]["reason"] == "scores typed from the wrong form"
    report = report_json(run_ipt)
    assert report["sessions"][0]["mood"] == 6
    assert report["sessions"][0]["corrections"][0]["old"] == "4"
    assert (
        "| session 1 mood | 4 | 6 | scores typed from the wrong form |"
        in run_ipt("report", "ab", "--format", "markdown").stdout
    )


def test_session_fix_needs_a_reason_and_valid_values(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--mood", "4")
    before = stored(data_home)
    no_reason = run_ipt("session", "ab", "--fix", "1", "--mood", "5", exit_code=2)
    assert no_reason.stderr == (
        "ipt: error: --fix needs --reason TEXT: why the recorded value was wrong\n"
    )
    bad = run_ipt("session", "ab", "--fix", "1", "--mood", "11", "--reason", "x", exit_code=2)
    assert bad.stderr.startswith("ipt: error: --mood") and len(bad.stderr.splitlines()) == 1
    with_note = run_ipt("session", "ab", "--fix", "1", "--note", "x", "--reason", "x", exit_code=2)
    assert "a note is corrected with --amend" in with_note.stderr
    orphan = run_ipt("session", "ab", "--mood", "5", "--reason", "x", exit_code=2)
    assert orphan.stderr == "ipt: error: --reason goes with --fix SESSION\n"
    missing = run_ipt("session", "ab", "--fix", "4", "--mood", "5", "--reason", "x", exit_code=2)
    assert "no session 4" in missing.stderr
    assert stored(data_home) == before


def test_a_signed_session_refuses_a_fix_and_points_to_an_addendum(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--mood", "4")
    run_ipt("sign", "ab", "1", "--by", "Dr X")
    before = stored(data_home)
    refused = run_ipt("session", "ab", "--fix", "1", "--mood", "5", "--reason", "x", exit_code=5)
    assert "signed" in refused.stderr and "an addendum is the way" in refused.stderr
    assert "ipt session ab --amend 1 --note TEXT" in refused.stderr
    assert stored(data_home) == before


def test_a_schema_5_file_is_read_and_gets_an_empty_history(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    path.write_text(path.read_text().replace("schema_version = 7", "schema_version = 5"))
    assert report_json(run_ipt)["changes"] == []
    run_ipt("course", "ab", "set", "--medication", "sertraline", "--sick-role", "Given at s1")
    data = stored(data_home)
    assert data["schema_version"] == SCHEMA_VERSION and data["sick_role"] == {
        "given": True,
        "note": "Given at s1",
    }
    cleared = run_ipt("course", "ab", "set", "--medication", "")
    assert cleared.stdout == "Changed medication of ab: sertraline -> (none).\n"
    assert "medication" not in stored(data_home)


def test_session_fix_of_techniques_by_number(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--technique", "role-play")
    run_ipt("session", "ab", "--fix", "1", "--technique", "clarification", "--technique",
            "exploration", "--reason", "wrong box ticked")  # fmt: skip
    session = stored(data_home)["sessions"][0]
    assert session["techniques"] == ["clarification", "exploration"]
    assert session["corrections"][0]["old"] == "role-play"
    assert session["corrections"][0]["new"] == "clarification, exploration"
