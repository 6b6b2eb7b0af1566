"""Fault injection: kills at random instants, concurrent writers, full and failing disks,
read-only folders, hostile symlinks. Marked `faults`; CI runs them too."""

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ipt_cli.errors import StorageIOError, UnsafeFileError
from ipt_cli.store import files as courses
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.format import load_course_file
from tests.conftest import concurrent_sessions

pytestmark = pytest.mark.faults

WRITER = """
import datetime as dt, sys
from pathlib import Path
from ipt_cli.core.models import Addendum
from ipt_cli.store.courses import CourseStore
store = CourseStore(Path(sys.argv[1]))
start = int(sys.argv[2])
for n in range(start, start + 1000):
    store.update("ab", lambda c, n=n: c.sessions[0].addenda.append(
        Addendum(date=dt.date(2026, 1, 1), text=f"addendum {n}")))
    print(n, flush=True)
"""


def _make_course(ipt_bin, *extra: str) -> None:
    ipt_bin(
        "new-course",
        "ab",
        "--client",
        "A.B.",
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        *extra,
    )


def test_two_hundred_kills_during_writes_lose_nothing(ipt_bin, data_home: Path) -> None:
    """A writer process appends and acknowledges addenda; it is SIGKILLed at random
    instants. Every file must load afterwards and hold every acknowledged addendum."""
    _make_course(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--note", "the original")
    rng = random.Random(2026)
    acknowledged: list[int] = []
    kills, next_n = 0, 0
    while kills < 200:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_home), str(next_n)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # writes are under way, whatever the machine's speed
        time.sleep(rng.uniform(0.0, 0.05))  # then a random instant among the next writes
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        kills += 1
        acknowledged += [int(line) for line in (first + out).split()]
        next_n = (acknowledged[-1] + 1 if acknowledged else next_n) + 1000
        course = load_course_file(data_home / "courses" / "ab.toml")  # never partial
        saved = {a.text for a in course.sessions[0].addenda}
        assert {f"addendum {n}" for n in acknowledged} <= saved
        assert course.sessions[0].note == "the original"
    assert kills >= 200 and len(acknowledged) > 200


def test_four_writers_times_twenty_five_sessions(ipt_bin, data_home: Path) -> None:
    _make_course(ipt_bin, "--sessions", "4")
    for day in (5, 12, 19, 26):
        ipt_bin("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    ipt_bin("maintenance", "ab", "--sessions", "100", "--cadence", "weekly")
    failures = concurrent_sessions(ipt_bin, writers=4, each=25, date="2026-03-01")
    assert failures == []
    course = load_course_file(data_home / "courses" / "ab.toml")
    assert course.maintenance is not None
    notes = sorted(s.note or "" for s in course.maintenance.sessions)
    assert len(notes) == 100
    assert notes == sorted(f"w{i}-{n}" for i in range(4) for n in range(25))


class _FailingFile:
    """Stands in for the temp file: every write fails like a dying disk."""

    def __init__(self, handle: object, code: int) -> None:
        self.handle, self.code = handle, code

    def __enter__(self) -> "_FailingFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()  # type: ignore[attr-defined]

    def fileno(self) -> int:
        return self.handle.fileno()  # type: ignore[attr-defined]

    def write(self, data: bytes) -> int:
        raise OSError(self.code, os.strerror(self.code))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_disk_errors_keep_the_original(
    new_course, run_ipt, data_home: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    before = path.read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        courses.os, "fdopen", lambda fd, *a, **k: _FailingFile(real_fdopen(fd, *a, **k), code)
    )
    result = run_ipt("session", "ab", "--note", "will not fit", exit_code=7)
    assert os.strerror(code) in result.stderr and "cannot write" in result.stderr
    assert str(data_home) in result.stderr
    assert "will not fit" not in result.stderr
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_read_only_data_folder_is_a_clear_error(
    new_course, run_ipt, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_course()
    before = (data_home / "courses" / "ab.toml").read_bytes()

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(courses.tempfile, "mkstemp", read_only)
    result = run_ipt("session", "ab", "--note", "x", exit_code=7)
    assert "Read-only file system" in result.stderr
    monkeypatch.undo()
    assert (data_home / "courses" / "ab.toml").read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a 0500 folder")
def test_read_only_folder_for_real(new_course, run_ipt, data_home: Path) -> None:
    new_course()
    (data_home / "courses").chmod(0o500)
    try:
        result = run_ipt("session", "ab", exit_code=7)
        assert "Permission denied" in result.stderr
    finally:
        (data_home / "courses").chmod(0o700)


def _other_user() -> int:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    return 65534  # nobody


def test_symlink_to_another_users_file_is_refused(
    new_course, run_ipt, data_home: Path, tmp_path: Path
) -> None:
    new_course()
    theirs = tmp_path / "theirs.toml"
    theirs.write_bytes((data_home / "courses" / "ab.toml").read_bytes())
    os.chown(theirs, _other_user(), _other_user())
    link = data_home / "courses" / "cd.toml"
    link.symlink_to(theirs)
    result = run_ipt("report", "cd", exit_code=8)
    assert "symlink to another user's file" in result.stderr
    rows = json.loads(run_ipt("list", "--json").stdout)
    assert [r for r in rows if r["course_id"] == "cd"][0]["damaged"] is True
    with pytest.raises(UnsafeFileError):
        CourseStore(data_home).update("cd", lambda c: None)
    assert theirs.read_bytes() == (data_home / "courses" / "ab.toml").read_bytes()


def test_data_folder_owned_by_another_user_is_refused(run_ipt, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    os.chown(foreign, _other_user(), _other_user())
    result = run_ipt(
        "--data-dir",
        str(foreign),
        "new-course",
        "ab",
        "--client",
        "X",
        "--problem-area",
        "grief",
        exit_code=8,
    )
    assert "belongs to another user" in result.stderr
    assert not (foreign / "courses").exists()


def test_own_symlinked_data_folder_works(run_ipt, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    run_ipt("--data-dir", str(link), "new-course", "ab", "--client", "X", "--problem-area", "grief")
    assert (real / "courses" / "ab.toml").exists()


def test_permissions_are_never_widened_and_loose_ones_warned(run_ipt, tmp_path: Path) -> None:
    data = tmp_path / "shared"
    data.mkdir(mode=0o750)
    data.chmod(0o750)
    result = run_ipt(
        "--data-dir", str(data), "new-course", "ab", "--client", "X", "--problem-area", "grief"
    )
    assert oct(data.stat().st_mode & 0o777) == "0o750"  # left as the user set it
    assert "can be read by other users" in result.stderr
    assert oct((data / "courses").stat().st_mode & 0o777) == "0o700"


def test_lock_left_by_a_killed_process_never_blocks(ipt_bin, data_home: Path) -> None:
    _make_course(ipt_bin)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\nfrom pathlib import Path\n"
                "from ipt_cli.store.courses import CourseStore\n"
                "with CourseStore(Path(sys.argv[1])).locked('ab'):\n"
                "    print('held', flush=True)\n    time.sleep(60)\n"
            ),
            str(data_home),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    # the kernel dropped the dead holder's lock: the next writer goes straight in (a wait for
    # the lock's timeout would end in exit 7 "busy", which ipt_bin reports as a failure)
    ipt_bin("session", "ab", "--note", "after the kill")


def test_write_error_type_is_storage_io(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        courses.os,
        "replace",
        lambda *a: (_ for _ in ()).throw(OSError(errno.EIO, "Input/output error")),
    )
    target = tmp_path / "x.toml"
    target.write_text("old")
    with pytest.raises(StorageIOError, match="Input/output error"):
        courses.atomic_write(target, b"new")
    assert target.read_text() == "old"
