"""The `ipt list` index is a speed-up only: never stale, rebuilt when damaged, private."""

import json
import os
import stat
from pathlib import Path

from tests.conftest import PHQ9_MODERATE, RunIpt


def listed(run_ipt: RunIpt) -> dict[str, dict]:
    return {r["course_id"]: r for r in json.loads(run_ipt("list", "--json").stdout)}


def test_index_is_private_and_follows_every_change(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    assert listed(run_ipt)["ab"]["sessions_recorded"] == 0
    index = data_home / "index.json"
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", "0,0,0,0,0,0,0,0,0")
    row = listed(run_ipt)["ab"]
    assert row["sessions_recorded"] == 1 and row["latest_phq9"] == 0


def test_same_size_edit_with_restored_mtime_is_still_seen(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    assert listed(run_ipt)["ab"]["client"] == "A.B."
    before = path.stat()
    path.write_text(path.read_text().replace('client = "A.B."', 'client = "X.Y."'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == before.st_size
    assert listed(run_ipt)["ab"]["client"] == "X.Y."  # the change time gives it away


def test_damaged_index_is_rebuilt(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    listed(run_ipt)
    for junk in (
        "{not json",
        '{"fingerprint": 1, "entries": []}',
        "[]",
        '{"fingerprint": "x", "entries": {"ab.toml": {"key": 1, "row": 2}}}',
    ):
        (data_home / "index.json").write_text(junk)
        assert listed(run_ipt)["ab"]["client"] == "A.B."
    assert json.loads((data_home / "index.json").read_text())["entries"]["ab.toml"]


def test_deleted_and_damaged_courses_are_never_served_from_the_index(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("ab")
    new_course("cd")
    assert set(listed(run_ipt)) == {"ab", "cd"}
    run_ipt("delete", "cd", "--yes")
    (data_home / "courses" / "ab.toml").write_text("broken = = toml")
    rows = listed(run_ipt)
    assert set(rows) == {"ab"} and rows["ab"]["damaged"] is True


def test_new_scoring_rules_rebuild_the_index(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course("ab", "--hamd17", "3,2,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1")  # total 19
    assert listed(run_ipt)["ab"]["latest"]["hamd17"]["severity"] == "moderate"
    (data_home / "config.toml").write_text('[scoring]\nhamd17_bands = "alternative"\n')
    assert listed(run_ipt)["ab"]["latest"]["hamd17"]["severity"] == "severe"


def test_an_edit_behind_a_symlinked_course_file_is_seen(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    new_course()
    link = data_home / "courses" / "ab.toml"
    target = tmp_path / "elsewhere.toml"
    target.write_text(link.read_text())
    target.chmod(0o600)
    link.unlink()
    link.symlink_to(target)  # the user's own file kept elsewhere
    assert listed(run_ipt)["ab"]["client"] == "A.B."
    target.write_text(target.read_text().replace('client = "A.B."', 'client = "X.Y."'))
    assert listed(run_ipt)["ab"]["client"] == "X.Y."
