"""Issue 25, the record's own defences, through the real `ipt`: no write follows a link in
the data folder; key signatures are required once keys are in use; no traceback for
hostile argv or hand-run plumbing; groups that cannot be broken by deleting or naming."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ipt_command

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

Bin = Callable[..., subprocess.CompletedProcess[str]]
START = ("--client", "A.B.", "--start", "2026-01-05", "--problem-area", "grief", "--no-input")


def _make(ipt_bin: Bin, course_id: str = "ab") -> None:
    ipt_bin("new-course", course_id, *START)


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("ipt: error:"), done.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# 8. No write follows a symlink --------------------------------------------------------


def test_a_linked_backups_folder_receives_nothing(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(data_home / "backups", ignore_errors=True)
    (data_home / "backups").symlink_to(outside, target_is_directory=True)
    course = (data_home / "courses" / "ab.toml").read_bytes()
    done = ipt_bin("session", "ab", "--date", "2026-01-05", "--note", "private", check_code=8)
    _clean(done)
    assert "symlink" in done.stderr
    assert list(outside.iterdir()) == []
    assert (data_home / "courses" / "ab.toml").read_bytes() == course


def test_a_linked_locks_folder_receives_nothing(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(data_home / "locks")
    (data_home / "locks").symlink_to(outside, target_is_directory=True)
    done = ipt_bin("session", "ab", "--date", "2026-01-05", "--note", "private", check_code=8)
    _clean(done)
    assert list(outside.iterdir()) == []
    _clean(ipt_bin("new-course", "cd", *START, check_code=8))
    assert list(outside.iterdir()) == []
    assert not (data_home / "courses" / "cd.toml").exists()


def test_a_course_file_linked_into_another_folder_is_refused(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    other = tmp_path / "other-client"
    subprocess.run(
        [*ipt_command(), "--data-dir", str(other), "new-course", "ev", *START], check=True
    )
    subprocess.run(
        [*ipt_command(), "--data-dir", str(other), "session", "ev", "--note", "their words"],
        check=True,
    )
    before = _tree(other)
    (data_home / "courses" / "ev.toml").symlink_to(other / "courses" / "ev.toml")
    done = ipt_bin("report", "ev", check_code=8)
    _clean(done)
    assert "symlink" in done.stderr and "their words" not in done.stdout
    _clean(ipt_bin("session", "ev", "--date", "2026-01-12", "--mood", "3", check_code=8))
    assert _tree(other) == before
    assert "their words" not in ipt_bin("export", "ab").stdout
    for backup in (data_home / "backups").rglob("*"):
        assert b"their words" not in (backup.read_bytes() if backup.is_file() else b"")
    assert "their words" not in ipt_bin("search", "their", check_code=None).stdout
    found = json.loads(ipt_bin("doctor", "--json", check_code=None).stdout)
    link = str(data_home / "courses" / "ev.toml")
    assert [f for f in found if f["path"] == link and "symlink" in f["problem"]]


def test_a_linked_backup_folder_of_a_course_receives_nothing(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--note", "first")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(data_home / "backups" / "ab")
    (data_home / "backups" / "ab").symlink_to(outside, target_is_directory=True)
    _clean(ipt_bin("session", "ab", "--date", "2026-01-12", "--note", "second", check_code=8))
    assert list(outside.iterdir()) == []
    found = json.loads(ipt_bin("doctor", "--json", check_code=None).stdout)
    assert [f for f in found if f["path"] == str(data_home / "backups" / "ab")]


# 13. No traceback, ever ---------------------------------------------------------------


def _raw(
    data_home: Path, *args: bytes, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    command = [os.fsencode(word) for word in ipt_command()]
    return subprocess.run(
        [*command, b"--data-dir", os.fsencode(data_home), *args],
        capture_output=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ((b"session", b"ab", b"--note", b"caf\xe9 au lait"), b"--note"),
        ((b"session", b"ab", b"--task", b"\xff"), b"--task"),
        ((b"timeline", b"add", b"ab", b"--date", b"2026-01-01", b"--event", b"\xfe"), b"--event"),
        ((b"session", b"a\xffb"), b"COURSE_ID"),
    ],
)
def test_bytes_that_are_not_utf8_in_argv_are_one_line(
    ipt_bin: Bin, data_home: Path, args: tuple[bytes, ...], option: bytes
) -> None:
    _make(ipt_bin)
    course = (data_home / "courses" / "ab.toml").read_bytes()
    done = _raw(data_home, *args)
    assert done.returncode == 2, done.stderr
    assert b"Traceback" not in done.stderr and done.stderr.count(b"\n") == 1
    assert done.stderr.startswith(b"ipt: error: " + option + b" is not valid UTF-8")
    assert (data_home / "courses" / "ab.toml").read_bytes() == course


def test_a_file_name_that_is_not_utf8_is_still_a_file_name(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    note = os.fsencode(tmp_path) + b"/note-\xff.txt"
    Path(os.fsdecode(note)).write_text("from a file")
    done = _raw(data_home, b"session", b"ab", b"--date", b"2026-01-05", b"--note-file", note)
    assert done.returncode == 0, done.stderr
    assert "from a file" in ipt_bin("export", "ab").stdout


def _conflict(data_home: Path, conflict: str) -> bytes:
    path = data_home / "courses" / "ab.toml"
    path.write_text(path.read_text() + f"conflicts = [ {conflict} ]\n")
    return path.read_bytes()


@pytest.mark.parametrize(
    "conflict",
    [
        '{ where = "*", theirs = { id = "ab", client = 5 } }',
        '{ where = "client.x", theirs = { value = 3 } }',
        '{ where = "client#3", theirs = { id = 3 } }',
    ],
)
def test_resolve_keep_theirs_with_an_invalid_remote_version(
    ipt_bin: Bin, data_home: Path, conflict: str
) -> None:
    _make(ipt_bin)
    before = _conflict(data_home, conflict)
    done = ipt_bin("resolve", "ab", "--keep", "theirs", check_code=4)
    _clean(done)
    assert "not put in place" in done.stderr
    assert (data_home / "courses" / "ab.toml").read_bytes() == before


def test_resolve_keep_theirs_never_puts_another_course_in_place(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    import tomllib

    import tomli_w

    _make(ipt_bin)
    path = data_home / "courses" / "ab.toml"
    document = tomllib.loads(path.read_text())
    other = {**document, "id": "zz", "client": "Z.Z."}
    path.write_text(tomli_w.dumps({**document, "conflicts": [{"where": "*", "theirs": other}]}))
    before = path.read_bytes()
    done = ipt_bin("resolve", "ab", "--keep", "theirs", check_code=4)
    _clean(done)
    assert "'zz'" in done.stderr and path.read_bytes() == before


def test_merge_driver_run_by_hand_never_tracebacks(ipt_bin: Bin, tmp_path: Path) -> None:
    work = tmp_path / "by-hand"
    work.mkdir()
    (work / "base").write_text('schema_version = 1\nid = "ab"\n')
    (work / "ours").write_text('schema_version = 1\nid = "ab"\n')
    (work / "theirs").write_text('schema_version = 1\nid = "ab"\nclient = 3\n')
    (work / "link").symlink_to(work / "theirs")
    (work / "folder").mkdir()
    cases = [
        ((), 2),
        (("base", "missing", "theirs"), 3),
        (("base", "folder", "theirs"), 3),
        (("base", "ours", "link"), 8),
        (("base", "ours", "theirs"), 4),
    ]
    for args, code in cases:
        done = ipt_bin("merge-driver", *args, check_code=code, cwd=work)
        _clean(done)
    assert (work / "ours").read_text() == 'schema_version = 1\nid = "ab"\n'
