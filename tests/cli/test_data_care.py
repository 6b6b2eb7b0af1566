"""`ipt doctor` and `ipt restore`: checking and repairing the data folder, backups."""

import json
import stat
from pathlib import Path

from tests.conftest import RunIpt


def test_backups_rotate_and_restore(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    for n in range(7):
        run_ipt("session", "ab", "--date", f"2026-01-{n + 5:02d}", "--note", f"n{n}")
    folder = data_home / "backups" / "ab"
    backups = sorted(folder.glob("*.toml"))
    assert len(backups) == 5  # only the newest five are kept
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in backups)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    listing = run_ipt("restore", "ab", "--list").stdout
    assert listing.splitlines()[0].startswith("1  ") and len(listing.splitlines()) == 5
    run_ipt("restore", "ab", "--from", "1")  # the version before the last session
    data = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert data["sessions_recorded"] == 6
    run_ipt("restore", "ab", "--from", "1")  # the current file was backed up: undo works
    assert json.loads(run_ipt("report", "ab", "--format", "json").stdout)["sessions_recorded"] == 7
    assert "no backup 9" in run_ipt("restore", "ab", "--from", "9", exit_code=3).stderr
    assert "--list" in run_ipt("restore", "ab", exit_code=2).stderr


def test_delete_removes_the_backups_and_the_lock(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    """`ipt delete` says it cannot be undone: no backup (with every note) is left behind,
    and `ipt restore` cannot bring the course back."""
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--note", "private words")
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "more private words")
    assert list((data_home / "backups" / "ab").iterdir())
    run_ipt("delete", "ab", "--yes")
    assert not (data_home / "courses" / "ab.toml").exists()
    assert not (data_home / "backups" / "ab").exists()
    assert not (data_home / "locks" / "ab.lock").exists()
    leftovers = [p for p in data_home.rglob("*") if p.is_file()]
    assert not [p for p in leftovers if b"private words" in p.read_bytes()]
    assert "No backups of ab" in run_ipt("restore", "ab", "--list").stdout
    run_ipt("restore", "ab", "--from", "1", exit_code=3)
    run_ipt("report", "ab", exit_code=3)
    new_course()  # the id is free again, with a fresh history
    assert "No backups of ab" in run_ipt("restore", "ab", "--list").stdout


def test_doctor_reports_and_fixes_only_what_is_safe(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    courses = data_home / "courses"
    (courses / "ab.toml").chmod(0o644)
    (courses / ".ab.toml.abc123.tmp").write_text("partial")
    (courses / "broken.toml").write_text("x = = 1")
    (courses / "broken.toml").chmod(0o600)
    (data_home / "locks" / "gone.lock").write_text("")
    result = run_ipt("doctor", "--json", exit_code=4)  # a damaged course: exit 4
    findings = {(Path(f["path"]).name, f["status"]): f for f in json.loads(result.stdout)}
    assert ("ab.toml", "ok") in findings and ("ab.toml", "warning") in findings
    assert "0644" in findings[("ab.toml", "warning")]["problem"]
    assert ("broken.toml", "error") in findings
    assert ("gone.lock", "warning") in findings
    assert (".ab.toml.abc123.tmp", "warning") in findings
    assert all(f["fixed"] is None for f in findings.values())
    fixed = json.loads(run_ipt("doctor", "--fix", "--json", exit_code=4).stdout)
    assert {Path(f["path"]).name: f["fixed"] for f in fixed if f["fixed"]} == {
        "ab.toml": "set to 0600",
        ".ab.toml.abc123.tmp": "removed",
        "gone.lock": "removed",
    }
    assert stat.S_IMODE((courses / "ab.toml").stat().st_mode) == 0o600
    assert (courses / "broken.toml").read_text() == "x = = 1"  # never "repaired"
    assert not (courses / ".ab.toml.abc123.tmp").exists()
    text = run_ipt("doctor", exit_code=4).stdout
    assert "broken.toml" in text and "ipt doctor" in text


def test_doctor_leaves_a_temp_file_of_a_running_writer(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    from ipt_cli.store.courses import CourseStore

    new_course()
    temp = data_home / "courses" / ".ab.toml.live.tmp"
    temp.write_text("being written")
    with CourseStore(data_home).locked("ab"):
        found = json.loads(run_ipt("doctor", "--fix", "--json").stdout)
    assert temp.exists()
    assert [f for f in found if f["path"].endswith(".tmp")][0]["fixed"] is None


def test_doctor_fix_removes_the_report_cache_of_an_older_ipt(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    old = data_home / "cache"
    old.mkdir(mode=0o700)
    (old / "ab.report.json").write_text('{"variants": {"json": "old clinical text"}}')
    assert "report cache left by an older ipt" in run_ipt("doctor").stdout
    run_ipt("doctor", "--fix")
    assert not old.exists()
    assert (data_home / "courses" / "ab.toml").exists()
