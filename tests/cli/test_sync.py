"""Two machines, one bare repository (all in tmp_path): `ipt sync` keeps every session
either side recorded, never leaves conflict markers, and pushes only when asked."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import RunIpt

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
    reason="needs git",
)

Machine = Callable[..., Result]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    return bare


def machine(run_ipt: RunIpt, folder: Path) -> Machine:
    def run(*args: str, exit_code: int = 0, **env: str) -> Result:
        return run_ipt("--data-dir", str(folder), *args, exit_code=exit_code, **env)

    return run


@pytest.fixture
def two(run_ipt: RunIpt, tmp_path: Path, remote: Path) -> tuple[Machine, Machine]:
    """Machine A starts a course and publishes it; machine B joins by cloning."""
    a, b = machine(run_ipt, tmp_path / "a"), machine(run_ipt, tmp_path / "b")
    a(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
        "--problem-area", "grief", "--no-input",
    )  # fmt: skip
    a("sync", "--init", str(remote))
    assert "out:" in a("sync").stdout
    assert "Cloned" in b("sync", "--init", str(remote)).stdout
    return a, b


def notes(run: Machine, course_id: str) -> list[str]:
    export = run("export", course_id, "--plain").stdout
    import json

    return [s.get("note", "") for s in json.loads(export)["sessions"]]


def assert_whole(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert b"<<<<<<<" not in path.read_bytes(), path


def test_sessions_on_both_sides_and_a_new_course_on_each_are_all_kept(
    two: tuple[Machine, Machine], remote: Path, tmp_path: Path
) -> None:
    a, b = two
    a("session", "ab", "--date", "2026-01-12", "--note", "Recorded on A")
    b("session", "ab", "--date", "2026-01-13", "--note", "Recorded on B")
    a("new-course", "cd", "--client", "C.D.", "--problem-area", "grief", "--no-input")
    b("new-course", "ef", "--client", "E.F.", "--problem-area", "grief", "--no-input")
    log = git(tmp_path / "a", "log", "--format=%s")
    assert "ipt: session 1 recorded for ab" in log and "Recorded" not in log and "A.B." not in log
    before = git(remote, "log", "--format=%s")
    assert "session" not in before  # nothing is pushed until ipt sync
    out = a("sync").stdout
    assert "out: ipt: session 1 recorded for ab" in out
    came = b("sync").stdout
    assert "in:  ipt: session 1 recorded for ab" in came and "out:" in came
    a("sync")
    for run, folder in ((a, tmp_path / "a"), (b, tmp_path / "b")):
        assert sorted(notes(run, "ab")) == ["Recorded on A", "Recorded on B"]
        listed = run("list").stdout
        assert all(course in listed for course in ("ab", "cd", "ef"))
        run("doctor")
        assert_whole(folder)
    history = a("history", "ab").stdout
    assert history.count("session") >= 2


def test_the_same_session_changed_on_both_sides_is_kept_twice_until_resolved(
    two: tuple[Machine, Machine], tmp_path: Path
) -> None:
    a, b = two
    a("session", "ab", "--date", "2026-01-12", "--note", "First version")
    a("sync")
    b("sync")

    def editor(name: str, new: str) -> str:
        script = tmp_path / f"{name}.py"
        script.write_text(
            "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
            f"p.write_text(p.read_text().replace('First version', {new!r}))\n"
        )
        return f"{sys.executable} {script}"

    a("edit", "ab", EDITOR=editor("a", "Changed on A"))
    b("edit", "ab", EDITOR=editor("b", "Changed on B"))
    a("sync")
    b("sync")
    assert notes(b, "ab") == ["Changed on B"]  # the local version stays in place
    warned = b("report", "ab").stderr
    assert "1 sync conflict" in warned and "ipt resolve ab" in warned
    assert "sync conflict" in b("list").stdout
    shown = b("resolve", "ab").stdout
    assert "session id 1 changed on both machines" in shown and "Changed on" not in shown
    b("resolve", "ab", "--keep", "theirs")
    assert notes(b, "ab") == ["Changed on A"]
    assert "sync conflict" not in b("report", "ab").stderr
    b("sync")
    a("sync")
    assert notes(a, "ab") == ["Changed on A"]
    assert "sync conflict" not in a("list").stdout
    assert_whole(tmp_path / "a")
    assert_whole(tmp_path / "b")


def test_an_encrypted_folder_syncs_the_same_way_and_never_pushes_plain_text(
    run_ipt: RunIpt, tmp_path: Path, remote: Path
) -> None:
    a, b = machine(run_ipt, tmp_path / "a"), machine(run_ipt, tmp_path / "b")
    a(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
        "--problem-area", "grief", "--no-input",
    )  # fmt: skip
    a("init", "--encrypt")
    a("sync", "--init", str(remote))
    a("sync")
    b("sync", "--init", str(remote))  # the same identity (one clinician, two machines)
    a("session", "ab", "--date", "2026-01-12", "--note", "Secret on A")
    b("session", "ab", "--date", "2026-01-13", "--note", "Secret on B")
    a("sync")
    b("sync")
    a("sync")
    for run in (a, b):
        assert sorted(notes(run, "ab")) == ["Secret on A", "Secret on B"]
    objects = git(remote, "rev-list", "--objects", "--all").split()
    blobs = [o for o in objects if len(o) == 40]
    for blob in blobs:
        kind = git(remote, "cat-file", "-t", blob).strip()
        if kind == "blob":
            content = subprocess.run(
                ["git", "cat-file", "-p", blob], cwd=remote, capture_output=True, check=True
            ).stdout
            assert b"Secret on" not in content and b"A.B." not in content
    assert "courses/ab.toml.age" in git(remote, "ls-tree", "-r", "--name-only", "HEAD")


def test_a_remote_that_rejects_the_push_loses_nothing(
    two: tuple[Machine, Machine], remote: Path, tmp_path: Path
) -> None:
    a, _ = two
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'quota exceeded' >&2\nexit 1\n")
    hook.chmod(0o755)
    a("session", "ab", "--date", "2026-01-12", "--note", "Kept anyway")
    result = a("sync", exit_code=10)
    assert "refused the push" in result.stderr and "Traceback" not in result.stderr
    assert notes(a, "ab") == ["Kept anyway"]
    assert "session 1 recorded" in git(tmp_path / "a", "log", "--format=%s")
    hook.unlink()
    assert "out: ipt: session 1 recorded for ab" in a("sync").stdout
    assert "session 1 recorded" in git(remote, "log", "--format=%s")


def test_a_folder_without_git_is_as_before_and_sync_says_how_to_start(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "x")
    assert not (data_home / ".git").exists()
    assert "ipt sync --init" in run_ipt("sync", exit_code=10).stderr
    assert "ipt sync --init" in run_ipt("history", "ab", exit_code=10).stderr


@pytest.mark.parametrize("encrypted", [False, True])
def test_restore_reads_git_history(
    new_course, run_ipt: RunIpt, data_home: Path, encrypted: bool
) -> None:
    new_course()
    if encrypted:
        run_ipt("init", "--encrypt")
    run_ipt("sync", "--init")
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "First")
    run_ipt("session", "ab", "--date", "2026-01-19", "--note", "Second")
    lines = run_ipt("history", "ab").stdout.splitlines()
    assert "session 2 recorded for ab" in lines[0] and "session 1 recorded for ab" in lines[1]
    first = lines[1].split()[0]
    assert "1 sessions" in run_ipt("restore", "ab", "--commit", first).stdout
    assert notes(lambda *a, **k: run_ipt(*a, **k), "ab") == ["First"]
    assert "ipt: restore of ab" in git(data_home, "log", "-1", "--format=%s")
    assert "not a commit" in run_ipt("restore", "ab", "--commit", "--help", exit_code=2).stderr
    run_ipt("restore", "ab", "--commit", "0000000", exit_code=3)


def test_two_folders_with_courses_of_their_own_join_one_remote(
    run_ipt: RunIpt, tmp_path: Path, remote: Path
) -> None:
    a, b = machine(run_ipt, tmp_path / "a"), machine(run_ipt, tmp_path / "b")
    a("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--no-input")
    b("new-course", "cd", "--client", "C.D.", "--problem-area", "grief", "--no-input")
    a("sync", "--init", str(remote))
    a("sync")
    b("sync", "--init", str(remote))  # not empty: a repository of its own, then joined
    b("sync")
    a("sync")
    for run, folder in ((a, tmp_path / "a"), (b, tmp_path / "b")):
        listed = run("list").stdout
        assert "ab" in listed and "cd" in listed
        assert_whole(folder)
