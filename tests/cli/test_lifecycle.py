"""Course lifecycle: ending, archive, delete, export, import, report --output, list order."""

import json
import stat
from pathlib import Path

from tests.conftest import PHQ9_MODERATE, RunIpt


def test_ending_fills_the_termination_checklist(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4", "--termination-sessions", "2", "--phq9", PHQ9_MODERATE)
    run_ipt(
        "session", "ab", "--date", "2026-01-05", "--attendee", "client"
    )  # the baseline's sitting: no second PHQ-9
    for day in (12, 19):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--phq9", "1,1,1,1,1,0,0,0,0")
    data = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert data["phase"] == "termination"
    # A termination session held is not a review recorded (issue 26, defect 15): no goal
    # rating, no fidelity rating of the review.
    assert [i["done"] for i in data["termination_checklist"]] == [False] * 5
    run_ipt(
        "ending",
        "ab",
        "--warning-sign",
        "Staying in bed",
        "--feelings-discussed",
        "--remaining",
        "Work stress",
        "--decision",
        "referral",
        "--note",
        "To CBT group",
    )
    run_ipt(  # scores and a goal rating: the change is reviewed
        "session", "ab", "--date", "2026-01-26", "--phq9", "1,1,0,0,0,0,0,0,0",
        "--goal", "grief-mourning=6",
    )  # fmt: skip
    data = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert data["completed"] is True and all(i["done"] for i in data["termination_checklist"])
    assert data["ending"]["decision"] == "referral"
    text = run_ipt("report", "ab").stdout
    assert "End of course" in text and "Relapse warning signs: Staying in bed" in text
    assert "1 warning sign(s); decision: end" in run_ipt("ending", "ab", "--decision", "end").stdout
    assert (
        "'later' is not one of 'maintenance'"
        in run_ipt("ending", "ab", "--decision", "later", exit_code=2).stderr
    )


def test_archive_hides_from_list_until_all(new_course, run_ipt: RunIpt) -> None:
    new_course("ab")
    new_course("cd")
    run_ipt("archive", "ab")
    assert [r["course_id"] for r in json.loads(run_ipt("list", "--json").stdout)] == ["cd"]
    every = json.loads(run_ipt("list", "--all", "--json").stdout)
    assert {r["course_id"] for r in every} == {"ab", "cd"}
    assert "already archived" in run_ipt("archive", "ab", exit_code=5).stderr
    run_ipt("archive", "ab", "--undo")
    assert len(json.loads(run_ipt("list", "--json").stdout)) == 2


def test_delete_needs_confirmation(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    assert "refusing to delete without --yes" in run_ipt("delete", "ab", exit_code=2).stderr
    assert path.exists()
    run_ipt("delete", "ab", "--yes")
    assert not path.exists()
    assert "no course 'ab'" in run_ipt("delete", "ab", "--yes", exit_code=3).stderr


def test_export_import_round_trip(
    new_course, run_ipt: RunIpt, tmp_path: Path, data_home: Path
) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "Private 🙂\nsecond line")
    out = tmp_path / "ab.json"
    run_ipt("export", "ab", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["sessions"][0]["note"] == "Private 🙂\nsecond line"
    refused = run_ipt("import", str(out), exit_code=5)
    assert "already exists" in refused.stderr
    run_ipt("import", str(out), "--as", "ab-copy")
    original = (data_home / "courses" / "ab.toml").read_text()
    copy = (data_home / "courses" / "ab-copy.toml").read_text()
    assert copy == original.replace('id = "ab"', 'id = "ab-copy"')
    run_ipt("import", str(data_home / "courses" / "ab.toml"), "--as", "ab-toml")
    markdown = run_ipt("export", "ab", "--format", "markdown").stdout
    assert "## Session notes" in markdown and "Private 🙂" in markdown
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "id": "zz"}')
    result = run_ipt("import", str(bad), exit_code=4)
    assert "bad.json" in result.stderr and "client: is required" in result.stderr
    assert "invalid course id" in run_ipt("import", str(out), "--as", "../x", exit_code=2).stderr


def test_report_output_file_is_private(new_course, run_ipt: RunIpt, tmp_path: Path) -> None:
    new_course()
    for fmt in ("text", "markdown", "json", "html"):
        out = tmp_path / f"r.{fmt}"
        run_ipt("report", "ab", "--format", fmt, "--output", str(out))
        assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.stat().st_size > 100


def test_list_sorted_by_next_date_with_overdue(new_course, run_ipt: RunIpt) -> None:
    run_ipt(
        "new-course",
        "late",
        "--client",
        "L",
        "--problem-area",
        "grief",
        "--start",
        "2026-02-01",
        "--no-input",
    )
    run_ipt(
        "new-course",
        "soon",
        "--client",
        "S",
        "--problem-area",
        "grief",
        "--start",
        "2026-03-03",
        "--no-input",
    )
    run_ipt(
        "new-course",
        "early",
        "--client",
        "E",
        "--problem-area",
        "grief",
        "--start",
        "2026-01-10",
        "--no-input",
    )
    rows = json.loads(run_ipt("list", "--json").stdout)
    assert [r["course_id"] for r in rows] == ["early", "late", "soon"]
    assert [r["overdue"] for r in rows] == [True, True, False]
    assert "2026-01-10 late" in run_ipt("list").stdout


def test_a_course_file_under_another_name_imports(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    """Only files in the courses folder must be named after their id; an import may be
    named anything."""
    new_course()
    copy = tmp_path / "copy of ab.toml"
    copy.write_bytes((data_home / "courses" / "ab.toml").read_bytes())
    run_ipt("import", str(copy), "--as", "ab-copy")
    assert "ab-copy" in run_ipt("list").stdout
