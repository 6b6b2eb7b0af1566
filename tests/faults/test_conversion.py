"""Folder-wide conversions (`ipt encrypt`, `decrypt`, `recipients add|remove`) through the
real ipt: writes racing them are all kept and written in the new form, a conversion killed
at any point is named by `ipt doctor` and finished by running it again, a removed key opens
nothing, and an editor's plain working copy never leaves the data folder's private area.
(issue 25, items 3, 4, 10 and 13)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from tests.conftest import ipt_command

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

NOTE = "Spoke about the hospital night with her sister"

# Loaded by every ipt started with this folder on PYTHONPATH: with IPT_TEST_DIE set to
# "write:N" the process dies (as a kill would: no cleanup) before its Nth atomic write;
# with "unlink:N" before the Nth removal of a converted original (.toml or .age).
HOOK = """
import os, pathlib
_spec = os.environ.get("IPT_TEST_DIE", "")
if _spec:
    _kind, _, _n = _spec.partition(":")
    _count = [0]

    def _tick():
        _count[0] += 1
        if _count[0] >= int(_n):
            os._exit(9)

    if _kind == "write":
        from ipt_cli.store import files
        _write = files.atomic_write

        def atomic_write(path, data, **kwargs):
            _tick()
            return _write(path, data, **kwargs)

        files.atomic_write = atomic_write
    else:
        _unlink = pathlib.Path.unlink

        def unlink(self, missing_ok=False):
            if self.name.endswith((".toml", ".age")) and not self.name.startswith("."):
                _tick()
            return _unlink(self, missing_ok=missing_ok)

        pathlib.Path.unlink = unlink
"""


class Folder:
    """One data folder driven through the real binary."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "data"
        self.config = tmp_path / "config"
        hook = tmp_path / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(HOOK)
        self.tmpdir = tmp_path / "tmp"
        self.tmpdir.mkdir()
        self.env = {
            **os.environ,
            "IPT_HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.config),
            "IPT_TODAY": "2026-03-01",
            "NO_COLOR": "1",
            "PYTHONPATH": str(hook),
            "TMPDIR": str(self.tmpdir),
        }
        for name in ("IPT_IDENTITY", "IPT_PASSPHRASE", "VISUAL", "EDITOR", "IPT_TEST_DIE"):
            self.env.pop(name, None)

    @property
    def identity(self) -> Path:
        return self.config / "ipt" / "identity.txt"

    def run(self, *args: str, code: int | None = 0, **env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*ipt_command(), *args],
            capture_output=True,
            text=True,
            env={**self.env, **env},
            timeout=120,
        )
        if code is not None and done.returncode != code:
            raise AssertionError(
                f"ipt {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def make_courses(self) -> list[str]:
        """Two courses with sessions (so backups too); the notes recorded."""
        notes = []
        for course in ("ab", "cd"):
            self.run("new-course", course, "--client", "A.B.", "--start", "2026-01-05",
                     "--problem-area", "grief", "--no-input")  # fmt: skip
            for day in (12, 19):
                note = f"{NOTE} {course} {day}"
                self.run("session", course, "--date", f"2026-01-{day}", "--note", note)
                notes.append(note)
        return notes

    def add_copies(self, count: int) -> None:
        """`count` more courses (copies of cd under new ids), so that a conversion takes
        long enough for writers to run beside it."""
        text = (self.root / "courses" / "cd.toml").read_text()
        for n in range(count):
            copy = self.root / "courses" / f"copy{n:02d}.toml"
            copy.write_text(text.replace('id = "cd"', f'id = "copy{n:02d}"', 1))
            copy.chmod(0o600)

    def notes(self, *courses: str) -> list[str]:
        found = []
        for course in courses:
            exported = json.loads(self.run("export", course, "--plain").stdout)
            found += [s.get("note", "") for s in exported["sessions"]]
        return found

    def doctor(self, *args: str) -> str:
        """Every finding of `ipt doctor --json` as one line each: path, problem, fix."""
        found = json.loads(self.run("doctor", "--json", *args, code=None).stdout)
        return "\n".join(f"{f['path']}: {f['problem']} [{f['fixed']}]" for f in found)

    def files(self) -> list[Path]:
        """Every file of the data folder ipt keeps records in."""
        return sorted(
            p
            for folder in ("courses", "groups", "backups")
            for p in (self.root / folder).rglob("*")
            if p.is_file()
        )

    def assert_all_sealed(self) -> None:
        assert (self.root / "encryption.toml").exists()
        plain = [p for p in self.files() if not p.name.endswith(".age")]
        assert plain == [], f"plain files left in an encrypted folder: {plain}"
        for path in self.files():
            assert NOTE.encode() not in path.read_bytes(), path

    def assert_all_plain(self) -> None:
        assert not (self.root / "encryption.toml").exists()
        sealed = [p for p in self.files() if p.name.endswith(".age")]
        assert sealed == [], f"age files left in a decrypted folder: {sealed}"


def race(folder: Folder, conversion: list[str], writers: int = 5) -> list[str]:
    """Sessions recorded by `writers` processes, one after another each, from before
    `conversion` starts until after it ends; the notes acknowledged (exit 0)."""
    acknowledged: list[str] = []
    converted = threading.Event()
    wrote = threading.Event()  # a writer got a session through: they are running

    def writer(index: int) -> None:
        n = 0
        while True:
            last = converted.is_set()  # one more after the conversion ends
            note = f"racing writer {index}-{n}"
            done = folder.run("session", "ab", "--date", "2026-02-02", "--same-day", "--note",
                              note, code=None)  # fmt: skip
            assert "Traceback" not in done.stderr, done.stderr
            if done.returncode == 0:
                acknowledged.append(note)
                wrote.set()
            n += 1
            if last:
                return

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    try:
        assert wrote.wait(timeout=60), "no writer got a session through before the conversion"
        folder.run(*conversion)
    finally:
        converted.set()
        for thread in threads:
            thread.join()
    return acknowledged


@pytest.mark.parametrize("round_", range(2))
def test_writes_racing_encrypt_and_decrypt_are_all_kept(tmp_path: Path, round_: int) -> None:
    folder = Folder(tmp_path)
    notes = folder.make_courses()
    folder.add_copies(40)  # ab is converted first, then these while writers write ab
    acknowledged = race(folder, ["encrypt"])
    assert acknowledged, "no writer got through: the race tested nothing"
    folder.assert_all_sealed()
    assert set(notes + acknowledged) <= set(folder.notes("ab", "cd"))
    folder.run("doctor")
    # The encrypt race filled the course's 16 sessions: without room, every writer of the
    # decrypt race was refused and that race tested nothing.
    folder.run("contract", "ab", "--sessions", "30", "--reason", "Room for the decrypt race")
    decrypting = race(folder, ["decrypt"])
    assert decrypting, "no writer got through: the race tested nothing"
    acknowledged += decrypting
    folder.assert_all_plain()
    assert set(notes + acknowledged) <= set(folder.notes("ab", "cd"))
    # every backup opens in the folder's form, the sessions written after the switch too
    backups = folder.run("restore", "ab", "--list").stdout
    assert len(backups.strip().splitlines()) >= 3
    folder.run("doctor")


def _plain_count(folder: Folder) -> int:
    return len([p for p in folder.files() if not p.name.endswith(".age")])


@pytest.mark.parametrize("die", ["write:3", "write:last", "unlink:2"])
def test_a_killed_encrypt_is_named_by_doctor_and_finished_by_a_rerun(
    tmp_path: Path, die: str
) -> None:
    folder = Folder(tmp_path)
    notes = folder.make_courses()
    files = _plain_count(folder)
    # writes: the journal, each file, recipients.txt, encryption.toml (the switch)
    die = die.replace("last", str(files + 3))
    killed = folder.run("encrypt", code=9, IPT_TEST_DIE=die)
    assert killed.returncode == 9
    assert folder.run("doctor", code=None).returncode != 0
    doctor = folder.doctor()
    assert "interrupted `ipt encrypt`" in doctor and "run `ipt encrypt` again" in doctor
    if die.startswith("unlink"):  # after the switch: the plain originals are leftovers
        assert "cd.toml: plain text copy of cd.toml.age" in doctor, doctor
        assert "[removed" in folder.doctor("--fix")
        assert _plain_count(folder) == 0
    # until it is finished, a write is refused (it would be in the form about to change)
    refused = folder.run("session", "ab", "--date", "2026-02-02", "--note", "x", code=5)
    assert "run `ipt encrypt` again" in refused.stderr
    assert "run `ipt encrypt` again" in folder.run("list").stderr  # reads say so
    finished = folder.run("encrypt")
    assert "Finished the interrupted `ipt encrypt`" in finished.stdout + finished.stderr
    folder.assert_all_sealed()
    assert not (folder.root / "locks" / ".conversion.json").exists()
    assert set(notes) <= set(folder.notes("ab", "cd"))
    assert "interrupted" not in folder.doctor()
    folder.run("session", "ab", "--date", "2026-02-02", "--note", "after")


@pytest.mark.parametrize("die", ["write:3", "write:last", "unlink:2"])
def test_a_killed_decrypt_is_named_by_doctor_and_finished_by_a_rerun(
    tmp_path: Path, die: str
) -> None:
    folder = Folder(tmp_path)
    notes = folder.make_courses()
    folder.run("encrypt")
    files = len(folder.files())
    die = die.replace("last", str(files + 1))  # the journal, then each file: the last one
    folder.run("decrypt", code=9, IPT_TEST_DIE=die)
    doctor = folder.doctor()
    assert "run `ipt decrypt` again" in doctor
    if die.startswith("write"):  # before the switch: plain twins in an encrypted folder
        assert "plain text copy of" in doctor, doctor
    finished = folder.run("decrypt")
    assert "Finished the interrupted `ipt decrypt`" in finished.stdout + finished.stderr
    folder.assert_all_plain()
    assert set(notes) <= set(folder.notes("ab", "cd"))
    assert "interrupted" not in folder.doctor()


def _new_identity(tmp_path: Path, name: str) -> tuple[x25519.Identity, str]:
    identity = x25519.Identity.generate()
    (tmp_path / name).write_text(f"{identity}\n")
    return identity, str(identity.to_public())


def test_a_removed_key_opens_nothing_even_with_writers_racing(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.make_courses()
    folder.add_copies(120)
    folder.run("group", "new", "g-2026", "--facilitator", "F.A.", "--start", "2026-02-02")
    folder.run("encrypt")
    theirs, key = _new_identity(tmp_path, "theirs.txt")
    folder.run("recipients", "add", key)
    folder.run("session", "ab", "--date", "2026-01-26", "--note", "for both keys")
    folder.run("list")  # an index sealed for both keys
    race(folder, ["recipients", "remove", key])
    assert key not in (folder.root / "recipients.txt").read_text()
    sealed = [p for p in folder.root.rglob("*") if p.is_file() and p.name.endswith(".age")]
    assert len(sealed) >= 8 and any("groups" in p.parts for p in sealed)
    mine = [x25519.Identity.from_str(line) for line in folder.identity.read_text().splitlines()
            if line.startswith("AGE-SECRET")]  # fmt: skip
    for path in sealed:
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(path.read_bytes(), [theirs])
        pyrage.decrypt(path.read_bytes(), mine)
    folder.run("list")
    index = folder.root / "index.json.age"
    if index.exists():
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(index.read_bytes(), [theirs])


def test_keys_differing_in_letter_case_are_one_key(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.make_courses()
    folder.run("encrypt")
    theirs, key = _new_identity(tmp_path, "theirs.txt")
    folder.run("recipients", "add", key.upper())
    again = folder.run("recipients", "add", key)
    assert "already a recipient" in again.stdout + again.stderr
    listed = folder.run("recipients", "list").stdout.split()
    assert listed.count(key) == 1 and key.upper() not in listed
    folder.run("recipients", "remove", key.upper())
    assert key not in folder.run("recipients", "list").stdout.lower()
    for path in folder.files():
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(path.read_bytes(), [theirs])
    # a hand-written upper-case duplicate in recipients.txt is still one key
    with (folder.root / "recipients.txt").open("a") as handle:
        handle.write(f"{key}\n{key.upper()}\n")
    assert folder.run("recipients", "list").stdout.lower().split().count(key) == 1


def test_a_bad_line_in_recipients_is_one_clear_line(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.make_courses()
    folder.run("encrypt")
    with (folder.root / "recipients.txt").open("a") as handle:
        handle.write("\nnot-a-key\n")
    for args in (["session", "ab", "--date", "2026-02-02", "--note", "x"], ["report", "ab"]):
        done = folder.run(*args, code=8)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, done.stderr
        assert "recipients.txt, line 4" in lines[0] and "not an age public key" in lines[0]


def test_encrypting_a_synced_folder_says_history_keeps_the_plain_notes(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.make_courses()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    folder.run("sync", "--init", str(remote))
    folder.run("sync")
    said = folder.run("encrypt")
    text = " ".join((said.stdout + said.stderr).split())
    assert "history" in text and "plain notes" in text
    assert "rm -rf" in text and "ipt sync --init" in text


EDITOR_WAITS = """#!/bin/sh
echo "$1" > "{seen}"
exec sleep 60
"""


def _start_edit(folder: Folder, tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    seen = tmp_path / "seen"
    editor = tmp_path / "editor.sh"
    editor.write_text(EDITOR_WAITS.format(seen=seen))
    editor.chmod(0o700)
    proc = subprocess.Popen(
        [*ipt_command(), "edit", "ab"],
        env={**folder.env, "EDITOR": str(editor)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not (seen.exists() and seen.read_text().strip()):
        assert time.monotonic() < deadline and proc.poll() is None, "the editor never started"
        time.sleep(0.05)
    return proc, Path(seen.read_text().strip())


def test_a_killed_edit_leaves_its_plain_copy_only_where_doctor_finds_it(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.make_courses()
    folder.run("encrypt")
    proc, copy = _start_edit(folder, tmp_path)
    assert copy.is_relative_to(folder.root / "edits"), copy
    assert list(folder.tmpdir.iterdir()) == []  # nothing in the shared temporary folder
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert copy.exists()  # a SIGKILL cannot be caught: the copy is where doctor looks
    doctor = folder.doctor()
    assert f"{copy.parent}: working copy left by an interrupted edit" in doctor
    folder.run("doctor", "--fix")
    assert not copy.parent.exists() and list((folder.root / "edits").iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_an_edit_stopped_by_a_signal_removes_its_plain_copy(
    tmp_path: Path, signum: signal.Signals
) -> None:
    folder = Folder(tmp_path)
    folder.make_courses()
    folder.run("encrypt")
    proc, copy = _start_edit(folder, tmp_path)
    proc.send_signal(signum)  # ipt only; it stops its editor itself
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and b"Traceback" not in err
    assert not copy.exists() and not copy.parent.exists()
    assert list((folder.root / "edits").iterdir()) == []
    assert list(folder.tmpdir.iterdir()) == []
    assert sys.executable  # (the hook folder is on PYTHONPATH: same interpreter)
