"""The sync remote is untrusted (issue 25; docs/threat-model.md): through the real `ipt`,
two data folders and a real bare repository, whatever is pushed runs no code here,
changes no trust file silently, plants no symbolic link, and a killed sync never leaves
reads short of local sessions."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ipt_command

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
    reason="needs git",
)

Ipt = Callable[..., subprocess.CompletedProcess[str]]
START = ("--start", "2026-01-05", "--problem-area", "grief", "--no-input")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def runner(tmp_path: Path) -> Ipt:
    def ipt(
        folder: str, *args: str, code: int | None = 0, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*ipt_command(), "--data-dir", str(tmp_path / folder), *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if code is not None:
            assert done.returncode == code, f"ipt {' '.join(args)}\n{done.stdout}\n{done.stderr}"
        return done

    return ipt


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    return bare


@pytest.fixture
def ipt(tmp_path: Path) -> Ipt:
    return runner(tmp_path)


def two_machines(ipt: Ipt, remote: Path, encrypted: bool = False) -> None:
    """A starts a course and publishes it; B joins by cloning (the same identity)."""
    ipt("a", "new-course", "ab", "--client", "A.B.", *START)
    if encrypted:
        ipt("a", "init", "--encrypt")
    ipt("a", "sync", "--init", str(remote))
    ipt("a", "sync")
    ipt("b", "sync", "--init", str(remote))


def notes(ipt: Ipt, folder: str) -> list[str]:
    exported = json.loads(ipt(folder, "export", "ab", "--plain").stdout)
    return sorted(s.get("note", "") for s in exported["sessions"])


# Item 1: the merge driver runs no code from the folder -------------------------------


def test_a_pushed_python_package_never_runs_when_courses_merge(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    two_machines(ipt, remote)
    marker = tmp_path / "ran"
    package = tmp_path / "b" / "ipt_cli"
    package.mkdir()
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('pwned')\n")
    (package / "__main__.py").write_text("")
    ipt("b", "session", "ab", "--date", "2026-01-13", "--note", "From B")
    ipt("b", "sync")
    ipt("a", "session", "ab", "--date", "2026-01-12", "--note", "From A")
    # A planted driver in A's own config is replaced by the sync before it could run.
    git(tmp_path / "a", "config", "merge.ipt.driver", f"touch {tmp_path / 'planted'} %A")
    ipt("a", "sync")
    assert (tmp_path / "a" / "ipt_cli" / "__init__.py").exists()  # it came in, and stayed inert
    assert not marker.exists() and not (tmp_path / "planted").exists()
    assert notes(ipt, "a") == ["From A", "From B"]  # the driver merged the two sessions
    driver = git(tmp_path / "a", "config", "merge.ipt.driver").strip()
    assert driver.startswith("/") and driver.endswith("merge-driver %O %A %B")


def test_doctor_reports_a_merge_driver_ipt_did_not_write(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    two_machines(ipt, remote)
    assert "merge driver" not in ipt("a", "doctor", "--json").stdout
    git(tmp_path / "a", "config", "merge.evil.driver", "sh -c 'id' %A")
    found = ipt("a", "doctor", "--json", code=None)
    assert found.returncode != 0
    assert "merge driver not written by ipt: merge.evil.driver" in found.stdout


def test_git_ignores_repository_settings_inherited_from_the_environment(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    two_machines(ipt, remote)
    decoy = tmp_path / "decoy"
    git(tmp_path, "init", "-q", str(decoy))
    env = {
        "GIT_DIR": str(decoy / ".git"),
        "GIT_WORK_TREE": str(decoy),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.hooksPath",
        "GIT_CONFIG_VALUE_0": str(tmp_path),
    }
    ipt("a", "session", "ab", "--date", "2026-01-12", "--note", "Here", env=env)
    assert "session 1 recorded for ab" in git(tmp_path / "a", "log", "-1", "--format=%s")
    assert not git(decoy, "rev-list", "--all")  # nothing was committed in the other repo


# Item 2: trust files are not taken from the remote -----------------------------------


def _append_age_key(folder: Path) -> None:
    import pyrage

    key = str(pyrage.x25519.Identity.generate().to_public())
    with (folder / "recipients.txt").open("a") as handle:
        handle.write(key + "\n")


def _add_signer(folder: Path) -> None:
    with (folder / "allowed_signers").open("a") as handle:
        handle.write("mallory@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMallory\n")


CHANGES = {
    "recipients.txt": (True, _append_age_key),
    "encryption.toml": (True, lambda folder: (folder / "encryption.toml").unlink()),
    "allowed_signers": (False, _add_signer),
    ".gitignore": (False, lambda folder: (folder / ".gitignore").write_text("")),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_pulled_change_to_a_trust_file_stops_the_sync_until_accepted(
    ipt: Ipt, remote: Path, tmp_path: Path, name: str
) -> None:
    encrypted, change = CHANGES[name]
    a, b = tmp_path / "a", tmp_path / "b"
    if name == "allowed_signers":
        a.mkdir(mode=0o700)
        (a / "allowed_signers").write_text("me@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n")
    two_machines(ipt, remote, encrypted)
    change(b)
    ipt("b", "sync")  # a change made here is the user's own: it goes out
    before = {p: p.read_bytes() for p in a.iterdir() if p.is_file()}
    head = git(a, "rev-parse", "HEAD")
    stopped = ipt("a", "sync", code=10)
    assert name in stopped.stderr and "ipt sync --accept-settings" in stopped.stderr
    assert "nothing was changed here" in stopped.stderr
    assert ("+" if name != "encryption.toml" else "-") in stopped.stderr  # the diff is shown
    assert {p: p.read_bytes() for p in a.iterdir() if p.is_file()} == before
    assert git(a, "rev-parse", "HEAD") == head
    ipt("a", "sync", code=10)  # still stopped: nothing is taken by trying again
    accepted = ipt("a", "sync", "--accept-settings")
    assert f"Accepted the remote's {name}" in accepted.stdout
    assert (a / name).exists() == (b / name).exists()
    if (b / name).exists():
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert "Accepted" not in ipt("a", "sync").stdout  # accepted once, not asked again


def test_recipients_accept_takes_only_the_recipients(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    two_machines(ipt, remote, encrypted=True)
    _append_age_key(b)
    (b / ".gitignore").write_text("")
    ipt("b", "sync")
    stopped = ipt("a", "sync", code=10)
    assert "recipients.txt" in stopped.stderr and ".gitignore" in stopped.stderr
    shown = ipt("a", "recipients", "accept")
    assert "Accepted the remote's recipients.txt" in shown.stdout and "age1" in shown.stderr
    stopped = ipt("a", "sync", code=10)
    assert "changed .gitignore;" in stopped.stderr or "changed .gitignore " in stopped.stderr
    assert "recipients.txt" not in stopped.stderr.splitlines()[-1]
    ipt("a", "sync", "--accept-settings")
    assert (a / "recipients.txt").read_bytes() == (b / "recipients.txt").read_bytes()


def test_a_trust_file_pulled_by_hand_is_reported_and_still_stops_the_sync(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    two_machines(ipt, remote)
    (b / ".gitignore").write_text("")
    ipt("b", "sync")
    git(a, "pull", "-q", "--rebase", "origin", git(a, "branch", "--show-current").strip())
    found = ipt("a", "doctor", "--json", code=None)
    assert "taken without ipt's check" in found.stdout
    assert ".gitignore" in ipt("a", "sync", code=10).stderr
    ipt("a", "sync", "--accept-settings")
    assert "taken without ipt's check" not in ipt("a", "doctor", "--json", code=None).stdout


# Item 8: a committed symbolic link is never checked out ------------------------------


def test_a_pushed_symlink_stops_the_sync_and_is_never_checked_out(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    two_machines(ipt, remote)
    ipt("other", "new-course", "xy", "--client", "X.Y.", *START)
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", str(remote), str(evil))
    (evil / "courses" / "ev.toml").symlink_to(tmp_path / "other" / "courses" / "xy.toml")
    git(evil, "add", "-A")
    git(evil, "-c", "user.name=m", "-c", "user.email=m@x", "commit", "-qm", "link")
    git(evil, "push", "-q", "origin", "HEAD")
    stopped = ipt("a", "sync", code=10)
    assert "symbolic link" in stopped.stderr and "courses/ev.toml" in stopped.stderr
    assert not (tmp_path / "a" / "courses" / "ev.toml").is_symlink()
    assert not (tmp_path / "a" / "courses" / "ev.toml").exists()
    joined = ipt("c", "sync", "--init", str(remote), code=10)
    assert "symbolic link" in joined.stderr
    assert not any(p.is_symlink() for p in (tmp_path / "c").rglob("*"))
    assert not any((tmp_path / "c").iterdir())  # left empty, as it was
    assert git(tmp_path / "a", "config", "core.symlinks").strip() == "false"


def test_a_pushed_backup_or_index_stops_the_sync(ipt: Ipt, remote: Path, tmp_path: Path) -> None:
    """A remote that commits a file where ipt keeps machine-private state (a backup that
    `ipt restore` would put back, an index) is refused like a link: nothing changes here."""
    two_machines(ipt, remote)
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", str(remote), str(evil))
    planted = evil / "backups" / "ab" / "0000000099-20260101T000000000000Z.toml"
    planted.parent.mkdir(parents=True)
    planted.write_text((tmp_path / "a" / "courses" / "ab.toml").read_text())
    git(evil, "add", "-f", "-A")
    git(evil, "-c", "user.name=m", "-c", "user.email=m@x", "commit", "-qm", "backup")
    git(evil, "push", "-q", "origin", "HEAD")
    stopped = ipt("a", "sync", code=10)
    assert "backups/ab/" in stopped.stderr and "private to one machine" in stopped.stderr
    assert not (tmp_path / "a" / "backups" / "ab" / planted.name).exists()


def test_an_emptied_gitignore_never_sends_private_files(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    """ipt's own commits leave out backups, locks, the index and temp files whatever
    .gitignore says: emptied (by a careless hand or a pulled change), nothing private goes."""
    two_machines(ipt, remote)
    b = tmp_path / "b"
    (b / ".gitignore").write_text("")
    ipt("b", "session", "ab", "--date", "2026-01-12", "--note", "Here")  # a backup, a lock
    ipt("b", "list")  # the index
    assert any((b / "backups").rglob("*.toml")) and (b / "index.json").exists()
    ipt("b", "sync")
    pushed = git(remote, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert "courses/ab.toml" in pushed and ".gitignore" in pushed
    assert not [n for n in pushed if n.startswith(("backups/", "locks/", "index.json"))]


# Item 12: reads after a killed sync ---------------------------------------------------


def test_reads_after_a_sync_killed_mid_rebase_show_every_local_session(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    a = tmp_path / "a"
    two_machines(ipt, remote)
    ipt("b", "session", "ab", "--date", "2026-01-06", "--note", "B")
    ipt("b", "sync")
    for day, note in (("12", "A1"), ("19", "A2"), ("26", "A3")):
        ipt("a", "session", "ab", "--date", f"2026-01-{day}", "--note", note)
    git(a, "fetch", "-q", "origin")
    branch = git(a, "branch", "--show-current").strip()
    # The state a sync killed after replaying one of three local commits leaves behind.
    subprocess.run(
        ["git", "rebase", "-q", "--exec", "false", f"origin/{branch}"], cwd=a, capture_output=True
    )
    assert (a / ".git" / "rebase-merge").exists()
    assert "A3" not in (a / "courses" / "ab.toml").read_text()
    ipt("a", "report", "ab")
    assert notes(ipt, "a") == ["A1", "A2", "A3"]
    assert not (a / ".git" / "rebase-merge").exists()
    ipt("a", "sync")
    assert notes(ipt, "a") == ["A1", "A2", "A3", "B"]


# The folder lock, git identity, messages ---------------------------------------------


def test_sync_waits_for_writers_holding_the_folder_lock(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    two_machines(ipt, remote)
    ipt("b", "session", "ab", "--date", "2026-01-13", "--note", "From B")
    ipt("b", "sync")
    fd = os.open(tmp_path / "a" / "locks" / ".folder.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)  # as a writer holds it
    releasing = threading.Event()

    def release() -> None:
        releasing.set()  # before the lock goes: a sync that waited ends after this
        os.close(fd)

    timer = threading.Timer(1.5, release)
    timer.start()
    ipt("a", "sync")
    assert releasing.is_set()  # the rebase waited for the writer (not a clock's reading)
    timer.join()
    assert notes(ipt, "a") == ["From B"]


def test_commits_carry_the_users_git_identity_once_set(
    ipt: Ipt, remote: Path, tmp_path: Path
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("")
    env = {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}

    def author(folder: str) -> str:
        return subprocess.run(
            ["git", "log", "-1", "--format=%an <%ae>"],
            cwd=tmp_path / folder,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        ).stdout.strip()

    ipt("a", "new-course", "ab", "--client", "A.B.", *START, env=env)
    ipt("a", "sync", "--init", str(remote), env=env)
    ipt("a", "sync", env=env)
    ipt("b", "sync", "--init", str(remote), env=env)
    ipt("b", "session", "ab", "--date", "2026-01-13", "--note", "B", env=env)
    ipt("b", "sync", env=env)
    ipt("a", "session", "ab", "--date", "2026-01-12", "--note", "A", env=env)
    ipt("a", "sync", env=env)  # a rebase commits too: git knows no one, ipt stands in
    assert author("a") == "ipt <ipt@localhost>"
    config.write_text("[user]\n\tname = Dr Test\n\temail = dr@example.org\n")
    ipt("a", "session", "ab", "--date", "2026-01-19", "--note", "x", env=env)
    assert author("a") == "Dr Test <dr@example.org>"


def test_sync_files_are_private_and_a_missing_remote_names_the_real_command(
    ipt: Ipt, tmp_path: Path
) -> None:
    ipt("a", "new-course", "ab", "--client", "A.B.", *START)
    ipt("a", "sync", "--init")
    for name in (".gitignore", ".gitattributes"):
        assert (tmp_path / "a" / name).stat().st_mode & 0o777 == 0o600
    said = ipt("a", "sync", code=10).stderr
    assert f"git -C {tmp_path / 'a'} remote add origin URL" in said


# Item 13: no traceback ----------------------------------------------------------------


def test_resolve_keep_theirs_with_an_invalid_remote_course_is_one_line(
    ipt: Ipt, tmp_path: Path
) -> None:
    ipt("a", "new-course", "ab", "--client", "A.B.", *START)
    course = tmp_path / "a" / "courses" / "ab.toml"
    course.write_text(
        course.read_text()
        + '\n[[conflicts]]\nwhere = "*"\n\n[conflicts.theirs]\nid = "ab"\nclient = 5\n'
    )
    before = course.read_bytes()
    done = ipt("a", "resolve", "ab", "--keep", "theirs", code=4)
    assert "not a valid course" in done.stderr and len(done.stderr.splitlines()) == 1
    assert course.read_bytes() == before


def test_merge_driver_run_by_hand_with_missing_files_is_one_line(ipt: Ipt, tmp_path: Path) -> None:
    done = ipt("a", "merge-driver", "x", "y", "z", code=3)
    assert done.stderr.startswith("ipt: error: no file 'x'")
