"""History and sync through git: the `git` command, run without a shell; ipt keeps no
network code of its own. A data folder is synced when it holds a `.git` folder; without one
nothing here runs.

Every ipt write is a commit whose message names the command, the course and the session
number, never note text or the client alias. Nothing is pushed unless the user runs
`ipt sync`. Course files merge through `ipt merge-driver` (core/merge.py), registered in
the repository's own config and .gitattributes, so no pull ever leaves conflict markers.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tomli

from ipt_cli.core.structs import field, struct
from ipt_cli.errors import ConflictError, DataError, IdentityError, SyncError

GITIGNORE = """\
# ipt: rebuilt or private to this machine; never synced
index.json
index.json.age
locks/
backups/
cache/
edit/
edits/
*.tmp
"""
GITATTRIBUTES = """\
# ipt: course files merge by session (ipt merge-driver), never with conflict markers
courses/*.toml merge=ipt
courses/*.toml.age merge=ipt
"""


def is_repo(root: Path) -> bool:
    return (root / ".git").exists()


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
            check=False,
            umask=0o077,  # what git checks out is private, as ipt's own files are
            pass_fds=_held,  # git holds ipt's git lock too: see _git_lock
        )
    except FileNotFoundError:
        raise SyncError("git is not installed (ipt sync runs the git command)") from None
    if check and done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise SyncError(f"git {args[0]} failed: {why}")
    return done


def driver_command() -> str:
    """How git calls ipt back to merge a course file (this interpreter, this ipt)."""
    return f"{shlex.quote(sys.executable)} -m ipt_cli merge-driver %O %A %B"


def _configure(root: Path) -> None:
    git(root, "config", "merge.ipt.name", "ipt: merge courses by session")
    git(root, "config", "merge.ipt.driver", driver_command())
    if not git(root, "config", "user.email", check=False).stdout.strip():
        git(root, "config", "user.email", "ipt@localhost")
    if not git(root, "config", "user.name", check=False).stdout.strip():
        git(root, "config", "user.name", "ipt")
    for name, text in ((".gitignore", GITIGNORE), (".gitattributes", GITATTRIBUTES)):
        path = root / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")


def init(root: Path, remote: str | None) -> str:
    """Make the data folder a repository, or clone REMOTE into an empty one; what was done."""
    if is_repo(root):
        raise ConflictError(f"{root} is already a git repository; run ipt sync")
    empty = not root.exists() or not any(root.iterdir())
    if remote and empty:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        git(root, "clone", "-q", remote, ".")
        _configure(root)
        commit_all(root, "ipt: sync --init (joined this machine)")
        return f"Cloned {remote} into {root}"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    git(root, "init", "-q")
    _configure(root)
    if remote:
        git(root, "remote", "add", "origin", remote)
    commit_all(root, "ipt: sync --init")
    return f"{root} is now a git repository" + (f" with the remote {remote}" if remote else "")


_held: tuple[int, ...] = ()  # the git lock's descriptor while this process holds it


@contextmanager
def _git_lock(root: Path) -> Iterator[None]:
    """One git writer at a time in this folder (two ipt commands may finish together).

    Every git started under the lock inherits it: if ipt is killed, the lock stays held
    until its orphaned git exits too, so the next sync never runs beside a live git."""
    global _held
    locks = root / "locks"
    locks.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(locks / "git.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held = (fd,)
        yield
    finally:
        _held = ()
        os.close(fd)


def commit_all(root: Path, message: str) -> bool:
    """Commit everything pending; False when there was nothing to commit."""
    with _git_lock(root):
        _recover(root)
        return _commit_pending(root, message)


def _commit_pending(root: Path, message: str) -> bool:
    git(root, "add", "-A")
    if not git(root, "status", "--porcelain").stdout.strip():
        return False
    git(root, "commit", "-q", "--no-verify", "-m", message)
    return True


def _stale_locks(root: Path) -> list[Path]:
    dot_git = root / ".git"
    return [*dot_git.glob("*.lock"), *dot_git.glob("refs/**/*.lock")]


def _recover(root: Path) -> None:
    """Undo what a killed `ipt sync` left (caller holds the git lock): a half-done pull is
    abandoned, so the folder is as it was before that sync began (all its own commits),
    and git's own lock files, which only a killed git leaves, are removed."""
    for stale in _stale_locks(root):
        stale.unlink(missing_ok=True)
    if _rebasing(root):
        git(root, "rebase", "--abort", check=False)


def recover(root: Path) -> None:
    """Before a write in a synced folder: finish off a killed sync (cheap when there is
    nothing to do: two stats)."""
    if _rebasing(root) or (root / ".git" / "index.lock").exists():
        with _git_lock(root):
            _recover(root)


@struct
class SyncResult:
    came_in: list[str] = field(default_factory=list)
    went_out: list[str] = field(default_factory=list)


def _rebasing(root: Path) -> bool:
    return (root / ".git" / "rebase-merge").exists() or (root / ".git" / "rebase-apply").exists()


def _subjects(root: Path, span: str) -> list[str]:
    found = git(root, "log", "--reverse", "--format=%s", span).stdout
    return [line for line in found.splitlines() if line.strip()]


def sync(root: Path) -> SyncResult:
    """Commit what is pending, pull with rebase, push; what came in and what went out."""
    if not is_repo(root):
        raise SyncError(f"{root} is not synced yet: run ipt sync --init [REMOTE_URL]")
    with _git_lock(root):
        _recover(root)  # an earlier sync killed mid-pull starts again from the top
        _configure(root)
        _commit_pending(root, "ipt: sync (pending changes)")
        return _pull_push(root)


def _pull_push(root: Path) -> SyncResult:
    if "origin" not in git(root, "remote").stdout.split():
        raise SyncError("no remote to sync with: git -C DATA_FOLDER remote add origin URL")
    branch = git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    result = SyncResult()
    git(root, "fetch", "-q", "origin")
    remote_ref = f"origin/{branch}"
    has_remote = git(root, "rev-parse", "--verify", "-q", remote_ref, check=False).returncode == 0
    if has_remote:
        result.came_in = _subjects(root, f"HEAD..{remote_ref}")
        result.went_out = _subjects(root, f"{remote_ref}..HEAD")
        pulled = git(root, "rebase", "-q", remote_ref, check=False)
        if pulled.returncode != 0:
            git(root, "rebase", "--abort", check=False)
            said = [x.strip() for x in (pulled.stdout + pulled.stderr).splitlines() if x.strip()]
            where = [x for x in said if x.startswith("CONFLICT")] or said[-1:]
            raise SyncError(
                "the changes from the remote could not be merged; nothing was changed here"
                + (f" (git: {where[0]})" if where else "")
            )
    else:
        result.went_out = _subjects(root, "HEAD")
    if result.went_out:
        pushed = git(root, "push", "-q", "-u", "origin", branch, check=False)
        if pushed.returncode != 0:
            lines = [x for x in pushed.stderr.strip().splitlines() if x.strip()]
            raise SyncError(
                "the remote refused the push ("
                + (lines[-1].strip() if lines else "no reason given")
                + "); your changes are kept and committed here: run ipt sync again"
            )
    return result


def history(root: Path, course_id: str) -> list[str]:
    if not is_repo(root):
        raise SyncError(f"{root} keeps no history yet: run ipt sync --init")
    found = git(
        root,
        "log",
        "--format=%h  %ad  %s",
        "--date=format:%Y-%m-%d %H:%M",
        "--",
        f"courses/{course_id}.toml",
        f"courses/{course_id}.toml.age",
    ).stdout
    return [line for line in found.splitlines() if line.strip()]


def file_at(root: Path, revision: str, relative: str) -> bytes:
    """A file's bytes as committed in `revision` (a hash from `ipt history`, or HEAD~N)."""
    from ipt_cli.errors import InputError, NotFoundError

    if not is_repo(root):
        raise SyncError(f"{root} keeps no history yet: run ipt sync --init")
    if not revision or revision.startswith("-") or any(c in revision for c in " :\n"):
        raise InputError(f"{revision[:40]!r} is not a commit: give a hash from ipt history")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    done = subprocess.run(
        ["git", "show", f"{revision}:{relative}"], cwd=root, capture_output=True, env=env
    )
    if done.returncode != 0:
        raise NotFoundError(f"no {relative} in commit {revision[:40]!r}; see ipt history")
    return done.stdout


def _document(path: Path, root: Path) -> tuple[dict[str, Any], bool]:
    """A course file's raw TOML table (decrypted in memory), and whether it was sealed."""
    from ipt_cli.store.crypto import cipher_for, is_age
    from ipt_cli.store.format import decode_text, migrate

    raw = path.read_bytes()
    if not raw.strip():
        return {}, False  # no common ancestor: git gives an empty file
    sealed = is_age(raw)
    if sealed:
        cipher = cipher_for(root)
        if cipher is None:
            raise IdentityError(f"{path} is age-encrypted but {root} is not")
        raw = cipher.decrypt(raw, path)
    try:
        document = tomli.loads(decode_text(raw, path))
    except tomli.TOMLDecodeError as error:
        raise DataError(path, [f"not valid TOML: {error}"]) from None
    return migrate(document, path), sealed


def merge_files(base: Path, ours: Path, theirs: Path, root: Path) -> int:
    """git's merge driver: the merge of three versions of a course written to `ours`;
    returns how many new conflicts the course now holds."""
    from pydantic import ValidationError

    from ipt_cli.core.merge import merge_documents
    from ipt_cli.core.models import Course
    from ipt_cli.store.crypto import cipher_for
    from ipt_cli.store.format import dump_course, seal_text

    old, _ = _document(base, root)
    mine, sealed = _document(ours, root)
    other, _ = _document(theirs, root)
    rebasing = _rebasing(root)
    if rebasing:  # a rebase replays our commits onto theirs: the sides are swapped
        mine, other = other, mine
    # Sessions already pushed keep their ids; a clashing local one takes the next free id.
    merged, count = merge_documents(old, mine, other, renumber="ours" if rebasing else "theirs")
    try:
        course = Course.model_validate(merged)
    except ValidationError:
        # The merge does not make a valid course: keep ours whole, and theirs whole beside it.
        kept = [*mine.get("conflicts", []), {"where": "*", "theirs": other}]
        course = Course.model_validate({**mine, "conflicts": kept})
        count = 1
    text = dump_course(course)
    ours.write_bytes(seal_text(text, cipher_for(root) if sealed else None))
    return count
