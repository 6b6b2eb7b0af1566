"""Issue 25, through the real `ipt`: groups that deleting or naming cannot break (item 14),
an honest delete in a synced folder (11), git's files private (15), rhythm dates (15)."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Bin = Callable[..., subprocess.CompletedProcess[str]]
START = ("--start", "2026-01-05", "--problem-area", "grief", "--no-input")


def _member(ipt_bin: Bin, course_id: str) -> None:
    ipt_bin("new-course", course_id, "--client", "A.B.", "--adaptation", "group", *START)


def _group(ipt_bin: Bin, group_id: str = "g1", *members: str) -> None:
    ipt_bin("group", "new", group_id, "--facilitator", "F.A.", "--start", "2026-02-02")
    for member in members:
        _member(ipt_bin, member)
        ipt_bin("group", "add", group_id, member)


def _members(ipt_bin: Bin) -> dict[str, list[str]]:
    listed = json.loads(ipt_bin("group", "list", "--format", "json").stdout)
    return {g["group_id"]: g["members"] for g in listed}


def test_a_member_course_is_not_deleted_until_removed_from_its_group(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path
) -> None:
    _group(ipt_setup, "g1", "m1", "m2")
    refused = ipt_bin("delete", "m1", "--yes", check_code=5)
    assert "member of group 'g1'" in refused.stderr and "ipt group remove g1 m1" in refused.stderr
    assert (data_home / "courses" / "m1.toml").exists()
    done = ipt_bin("group", "remove", "g1", "m1")
    assert "Removed m1 from group g1 (1 member left); its course is kept." in done.stdout
    assert _members(ipt_bin) == {"g1": ["m2"]}
    ipt_bin("delete", "m1", "--yes")
    assert not (data_home / "courses" / "m1.toml").exists()
    assert "is not a member" in ipt_bin("group", "remove", "g1", "m1", check_code=3).stderr


def test_a_member_with_recorded_attendance_stays(ipt_bin: Bin, ipt_setup: Bin) -> None:
    _group(ipt_setup, "g1", "m1", "m2")
    ipt_setup("group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2")
    refused = ipt_bin("group", "remove", "g1", "m1", check_code=5)
    assert "recorded in group session(s) 1" in refused.stderr
    assert _members(ipt_bin) == {"g1": ["m1", "m2"]}


def test_one_damaged_group_file_does_not_fail_group_list(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path
) -> None:
    _group(ipt_setup, "g1", "m1")
    _group(ipt_setup, "g2")
    (data_home / "groups" / "g2.toml").write_text("broken = = toml")
    done = ipt_bin("group", "list")
    assert done.stdout.startswith("g1  F.A.") and "g2" in done.stderr
    assert _members(ipt_bin) == {"g1": ["m1"]}


def test_a_group_file_whose_id_is_not_its_name_is_refused(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path
) -> None:
    _group(ipt_setup, "g1", "m1")
    copy = data_home / "groups" / "g9.toml"
    copy.write_bytes((data_home / "groups" / "g1.toml").read_bytes())
    copy.chmod(0o600)
    refused = ipt_bin("group", "report", "g9", check_code=4)
    assert "its id 'g1' is not its file name ('g9')" in refused.stderr
    assert "g9" in ipt_bin("group", "list").stderr
    _member(ipt_setup, "m2")
    ipt_bin("group", "add", "g9", "m2", check_code=4)
    assert _members(ipt_bin) == {"g1": ["m1"]}


@pytest.mark.parametrize("group_id", ["con", "groups", "git", "nul", "lpt1"])
def test_reserved_group_ids_are_refused(ipt_bin: Bin, data_home: Path, group_id: str) -> None:
    done = ipt_bin("group", "new", group_id, "--facilitator", "F.A.", check_code=2)
    assert f"group id {group_id!r} is" in done.stderr
    assert not (data_home / "groups" / f"{group_id}.toml").exists()


def test_rhythm_before_the_course_start_is_refused(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path
) -> None:
    ipt_setup("new-course", "bp", "--client", "B.P.", *START)
    course = (data_home / "courses" / "bp.toml").read_bytes()
    done = ipt_bin("rhythm", "bp", "--date", "2026-01-04", "--mood", "1", check_code=2)
    assert "--date 2026-01-04 is before the course started (2026-01-05)" in done.stderr
    assert (data_home / "courses" / "bp.toml").read_bytes() == course
    ipt_bin("rhythm", "bp", "--date", "2026-01-05", "--mood", "1")


needs_git = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
    reason="needs git",
)


@needs_git
def test_delete_in_a_synced_folder_says_history_keeps_the_course(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    ipt_setup("new-course", "ab", "--client", "A.B.", *START)
    ipt_bin("sync", "--init", str(remote))
    ipt_bin("sync")
    for name in (".gitignore", ".gitattributes"):
        assert stat.S_IMODE((data_home / name).stat().st_mode) == 0o600
    assert "history on this machine and the remote" in " ".join(
        ipt_bin("delete", "--help").stdout.split()
    )
    done = ipt_bin("delete", "ab", "--yes")
    assert "Deleted ab." in done.stdout
    assert "git history on this machine and on the remote still holds ab" in done.stderr


def test_delete_in_a_folder_that_is_not_synced_says_nothing_of_git(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", *START)
    done = ipt_bin("delete", "ab", "--yes")
    assert "git" not in done.stdout + done.stderr
