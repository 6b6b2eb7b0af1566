"""History and sync through git: the `git` command, run without a shell; ipt keeps no
network code of its own. A data folder is synced when it holds a `.git` folder; without one
nothing here runs.

Every ipt write is a commit whose message names the command, the course and the session
number, never note text or the client alias. Nothing is pushed unless the user runs
`ipt sync`. Course files merge through `ipt merge-driver` (core/merge.py), registered in
the repository's own config and .gitattributes, so no pull ever leaves conflict markers.

The remote is untrusted (docs/threat-model.md): git runs with no inherited repository
settings, the merge driver is this ipt by absolute path (never code from the folder), a
pulled symbolic link stops the sync, and a pulled change to a trust file (TRUST_FILES:
who can read, who may sign, what is synced) stops it until the user accepts it. The remote
commit whose trust files this machine accepted is kept in the local ref TRUSTED_REF.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tomli

from ipt_cli.core.merge import merge_documents
from ipt_cli.core.structs import field, struct
from ipt_cli.errors import (
    ConflictError,
    DataError,
    IdentityError,
    InputError,
    IptError,
    NotFoundError,
    SyncError,
    UnsafeFileError,
)
from ipt_cli.store.config import load_signing
from ipt_cli.store.crypto import cipher_for, is_age
from ipt_cli.store.files import LOCK_TIMEOUT_SECONDS, folder_lock
from ipt_cli.store.paths import DataPaths

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


# Who can read the data, who may sign, what is synced and how files merge: a change the
# remote makes to one of these is shown and waits for the user's yes (trust on first use).
TRUST_FILES = (
    "recipients.txt",
    "encryption.toml",
    "identity.age",  # a passphrase folder's identity: a swapped one would lock the folder
    "allowed_signers",
    "config.toml",
    ".gitignore",
    ".gitattributes",
)
RECIPIENT_FILES = ("recipients.txt", "encryption.toml")  # what `ipt recipients accept` takes
TRUSTED_REF = "refs/ipt/trusted"  # local only: fetch and push never touch refs/ipt/
ACCEPTED = "ipt-accepted"  # in .git: remote versions of trust files accepted before a sync
_DEFAULT_NAME, _DEFAULT_EMAIL = "ipt", "ipt@localhost"  # when git knows no identity

# Settings a parent process (a git hook, `git -c`, a shell) may leave in the environment
# that would point ipt's git at another repository, index or configuration.
_REDIRECTING = {
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_EXTERNAL_DIFF",
    "GIT_QUARANTINE_PATH",
    "GIT_ATTR_SOURCE",
}
_KEPT_CONFIG = {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_SYSTEM"}


def is_repo(root: Path) -> bool:
    return DataPaths(root).synced


def git_env() -> dict[str, str]:
    """The environment git runs in: the user's, without inherited repository settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _REDIRECTING and (not name.startswith("GIT_CONFIG") or name in _KEPT_CONFIG)
    }
    env.update(GIT_TERMINAL_PROMPT="0", GIT_EDITOR="true", LC_ALL="C")
    return env


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            env=git_env(),
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
    """How git calls ipt back to merge a course file: this ipt by absolute path, so that
    nothing in the data folder (git's working directory) is imported. The console script
    puts its own folder on sys.path, not the working directory; without one, Python runs
    isolated (-I: no working directory, no PYTHON* variables)."""
    python = os.path.abspath(sys.executable)
    script = shutil.which("ipt", path=os.path.dirname(python))
    runner = [os.path.abspath(script)] if script else [python, "-I", "-m", "ipt_cli"]
    return " ".join(shlex.quote(part) for part in runner) + " merge-driver %O %A %B"


def _configure(root: Path) -> None:
    """(Re)write ipt's settings in the repository's own config: the merge driver (a stale
    or planted entry is replaced on every sync), no symbolic links checked out, and the
    user's own git identity rather than ipt's old stand-in."""
    git(root, "config", "merge.ipt.name", "ipt: merge courses by session")
    git(root, "config", "merge.ipt.driver", driver_command())
    git(root, "config", "core.symlinks", "false")
    for key, stand_in in (("user.email", _DEFAULT_EMAIL), ("user.name", _DEFAULT_NAME)):
        if git(root, "config", "--local", key, check=False).stdout.strip() == stand_in:
            git(root, "config", "--local", "--unset", key, check=False)
    for name, text in ((".gitignore", GITIGNORE), (".gitattributes", GITATTRIBUTES)):
        _write_private(root / name, text)


def _write_private(path: Path, text: str) -> None:
    """A file of ipt's own, 0600, written only if missing (never through a link); an
    existing regular file is made private."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
        os.chmod(path, 0o600)


_identities: dict[Path, list[str]] = {}


def _identity(root: Path) -> list[str]:
    """`-c` options naming ipt as the author when git knows no user (once per process):
    the user's own name and email, when set, sign every commit."""
    if root not in _identities:
        options = []
        for key, stand_in in (("user.name", _DEFAULT_NAME), ("user.email", _DEFAULT_EMAIL)):
            if not git(root, "config", key, check=False).stdout.strip():
                options += ["-c", f"{key}={stand_in}"]
        _identities[root] = options
    return _identities[root]


def init(root: Path, remote: str | None) -> str:
    """Make the data folder a repository, or clone REMOTE into an empty one; what was done."""
    if is_repo(root):
        raise ConflictError(f"{root} is already a git repository; run ipt sync")
    empty = not root.exists() or not any(root.iterdir())
    if remote and empty:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        # No checkout until the tree is known to hold no links; what it holds is trusted
        # from here on (trust on first use).
        git(root, "clone", "-q", "--no-checkout", "-c", "core.symlinks=false", remote, ".")
        if git(root, "rev-parse", "-q", "--verify", "HEAD", check=False).returncode == 0:
            try:
                _refuse_links(root, "HEAD")
            except SyncError:
                # Left as it was (empty): a clone with nothing checked out would commit
                # the deletion of every file at the next sync.
                shutil.rmtree(root / ".git")
                raise
            git(root, "reset", "-q", "--hard", "HEAD")
            git(root, "update-ref", TRUSTED_REF, "HEAD")
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
    """Stage and commit every change, but never what is private to this machine, whatever
    .gitignore says (a remote that emptied it must not get backups, locks or the index)."""
    git(root, "add", "-A")
    private = [f":(glob){p}**" for p in PRIVATE_FOLDERS]
    private += [f":(glob){p}" for p in (*PRIVATE_FILES, "**/*.tmp")]
    git(root, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", *private)
    if git(root, "diff", "--cached", "--quiet", check=False).returncode == 0:
        return False  # nothing staged (untracked private files do not count)
    git(root, *_identity(root), "commit", "-q", "--no-verify", "-m", message)
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
    """Before any command reads or writes a synced folder (cli/common.data_dir, and the
    store before a write): a sync killed mid-pull leaves the files half-rebased (some local
    sessions missing), so it is undone first; a sync still running is waited for. Cheap
    when there is nothing to do: two stats. Never called by `ipt merge-driver`: git runs
    that under the git lock."""
    if _rebasing(root) or (root / ".git" / "index.lock").exists():
        with _git_lock(root):
            _recover(root)


@struct
class SyncResult:
    came_in: list[str] = field(default_factory=list)
    went_out: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # trust files taken from the remote
    difference: str = ""  # their diff, shown before they were taken


class TrustChangeError(SyncError):
    """The remote changed a trust file; nothing was changed here until the user accepts."""

    def __init__(self, message: str, difference: str) -> None:
        super().__init__(message)
        self.difference = difference


def _rebasing(root: Path) -> bool:
    return (root / ".git" / "rebase-merge").exists() or (root / ".git" / "rebase-apply").exists()


def _subjects(root: Path, span: str) -> list[str]:
    found = git(root, "log", "--reverse", "--format=%s", span).stdout
    return [line for line in found.splitlines() if line.strip()]


def sync(root: Path, accept_settings: bool = False) -> SyncResult:
    """Commit what is pending, pull with rebase, push; what came in and what went out.

    The fetch and the push hold only the git lock; the checks and the rebase, which
    rewrite files, hold the folder lock exclusive too (always taken first: a writer holds
    it shared and then takes the git lock to commit)."""
    if not is_repo(root):
        raise SyncError(f"{root} is not synced yet: run ipt sync --init [REMOTE_URL]")
    with _git_lock(root):
        _recover(root)  # an earlier sync killed mid-pull starts again from the top
        _configure(root)
        remote_ref = _fetch(root)
    locks = DataPaths(root).locks
    with folder_lock(locks, exclusive=True, timeout=LOCK_TIMEOUT_SECONDS, busy="ipt sync"):
        with _git_lock(root):
            _recover(root)
            _commit_pending(root, "ipt: sync (pending changes)")
            result = _pull(root, remote_ref, accept_settings)
            _trust_remote(root)
    if result.went_out:
        with _git_lock(root):
            _push(root)
            _trust_remote(root)  # what this machine pushed is its own
    return result


def _trust_remote(root: Path) -> None:
    """The remote branch as it now stands is accepted: its trust files are in HEAD."""
    remote_ref = f"refs/remotes/origin/{_branch(root)}"
    if git(root, "rev-parse", "-q", "--verify", remote_ref, check=False).returncode == 0:
        git(root, "update-ref", TRUSTED_REF, remote_ref)
    (root / ".git" / ACCEPTED).unlink(missing_ok=True)


def _branch(root: Path) -> str:
    return git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()


def _fetch(root: Path) -> str | None:
    """Fetch the remote; its branch's ref, or None while it has none."""
    if "origin" not in git(root, "remote").stdout.split():
        raise SyncError(
            "no remote to sync with: "
            f"git -C {shlex.quote(str(root))} remote add origin URL, then ipt sync"
        )
    git(root, "fetch", "-q", "origin")
    remote_ref = f"refs/remotes/origin/{_branch(root)}"
    found = git(root, "rev-parse", "--verify", "-q", remote_ref, check=False).returncode == 0
    return remote_ref if found else None


def _pull(root: Path, remote_ref: str | None, accept_settings: bool) -> SyncResult:
    result = SyncResult()
    if remote_ref is None:
        result.went_out = _subjects(root, "HEAD")
        return result
    # Trust files first: an emptied .gitignore is the cause of the private files that
    # come with it, and the message the user needs.
    changed = pending_trust_changes(root, remote_ref)
    if changed:
        difference = trust_difference(root, remote_ref, changed)
        if not accept_settings:
            raise TrustChangeError(
                f"the remote changed {', '.join(changed)} (who can read the data, who may "
                "sign, or what is synced); nothing was changed here. If you trust the "
                "change above, run ipt sync --accept-settings",
                difference,
            )
        result.accepted, result.difference = changed, difference
    _refuse_links(root, remote_ref)
    result.came_in = _subjects(root, f"HEAD..{remote_ref}")
    result.went_out = _subjects(root, f"{remote_ref}..HEAD")
    pulled = git(root, *_identity(root), "rebase", "-q", remote_ref, check=False)
    if pulled.returncode != 0:
        git(root, "rebase", "--abort", check=False)
        said = [x.strip() for x in (pulled.stdout + pulled.stderr).splitlines() if x.strip()]
        where = [x for x in said if x.startswith("CONFLICT")] or said[-1:]
        raise SyncError(
            "the changes from the remote could not be merged; nothing was changed here"
            + (f" (git: {where[0]})" if where else "")
        )
    return result


def _push(root: Path) -> None:
    pushed = git(root, "push", "-q", "-u", "origin", _branch(root), check=False)
    if pushed.returncode != 0:
        lines = [x for x in pushed.stderr.strip().splitlines() if x.strip()]
        raise SyncError(
            "the remote refused the push ("
            + (lines[-1].strip() if lines else "no reason given")
            + "); your changes are kept and committed here: run ipt sync again"
        )


# Trust ------------------------------------------------------------------------------


# What is private to one machine (GITIGNORE): a remote that commits one of these anyway
# could plant a backup for `ipt restore`, a lock, or an index.
PRIVATE_FILES = ("index.json", "index.json.age")
PRIVATE_FOLDERS = ("locks/", "backups/", "cache/", "edit/", "edits/")


def _refuse_links(root: Path, revision: str) -> None:
    """A symbolic link (or a submodule) in the remote's tree could point a write, or a
    copy of another folder's notes, outside the data folder; a file where ipt keeps what
    is private to this machine (backups, locks, the index, edit copies) could be restored
    or trusted as ipt's own: either stops the sync."""
    tree = git(root, "ls-tree", "-r", "-z", "--full-tree", revision).stdout
    for entry in tree.split("\0"):
        mode, _, rest = entry.partition(" ")
        name = rest.partition("\t")[2]
        if mode in ("120000", "160000"):
            raise SyncError(
                f"the remote holds {name!r} as a symbolic link (or submodule); ipt never "
                "takes links from the remote, and nothing was changed here: remove it "
                "there (git rm) and run ipt sync again"
            )
        if name in PRIVATE_FILES or name.startswith(PRIVATE_FOLDERS) or name.endswith(".tmp"):
            raise SyncError(
                f"the remote holds {name!r}, where ipt keeps what is private to one machine "
                "(backups, locks, the index, edit copies); nothing was changed here: remove "
                "it there (git rm --cached) and run ipt sync again"
            )


def trust_files(root: Path) -> list[str]:
    """TRUST_FILES, and the allowed signers file config.toml names if it is in the folder."""
    names = list(TRUST_FILES)
    try:
        signers = load_signing(DataPaths(root).config).allowed_signers
    except IptError:
        return names  # a config.toml ipt cannot read: the default names only
    try:
        inside = os.path.relpath(os.path.abspath(signers), os.path.abspath(root))
    except ValueError:
        return names
    if not inside.startswith(".."):
        names.append(Path(inside).as_posix())
    return list(dict.fromkeys(names))


def _incoming(root: Path, remote_ref: str) -> list[str]:
    """What `git diff` compares to see what the remote changed: since the remote commit
    this machine last accepted (the trusted ref), else since the common ancestor (a
    change made here is the user's own), else, for unrelated histories (two folders
    joining), what the remote would bring in."""
    if _is_ancestor(root, TRUSTED_REF, remote_ref):
        return [TRUSTED_REF, remote_ref]
    if git(root, "merge-base", "HEAD", remote_ref, check=False).returncode == 0:
        return [f"HEAD...{remote_ref}"]
    return ["--diff-filter=d", "HEAD", remote_ref]


def _changed_since(root: Path, remote_ref: str, names: list[str]) -> list[str]:
    span = _incoming(root, remote_ref)
    found = git(root, "diff", "--no-ext-diff", "--name-only", *span, "--", *names).stdout
    return [line for line in found.splitlines() if line]


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    return git(root, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def _blob(root: Path, revision: str, name: str) -> str:
    found = git(root, "rev-parse", "-q", "--verify", f"{revision}:{name}", check=False)
    return found.stdout.strip() or "deleted"


def _accepted(root: Path) -> set[str]:
    try:
        return set((root / ".git" / ACCEPTED).read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return set()


def pending_trust_changes(root: Path, remote_ref: str) -> list[str]:
    """The trust files the remote changed that the user has not accepted yet."""
    changed = _changed_since(root, remote_ref, trust_files(root))
    accepted = _accepted(root)
    return [n for n in changed if f"{_blob(root, remote_ref, n)} {n}" not in accepted]


def trust_difference(root: Path, remote_ref: str, names: list[str]) -> str:
    """What the remote changed in these trust files (they hold keys and settings, never
    note text)."""
    span = _incoming(root, remote_ref)
    return git(
        root, "diff", "--no-ext-diff", "--no-textconv", "--no-color", *span, "--", *names
    ).stdout


def accept_recipients(root: Path) -> tuple[list[str], str]:
    """`ipt recipients accept`: fetch, and accept the remote's recipients.txt and
    encryption.toml as they are now (the next `ipt sync` takes them); which were accepted
    and their difference. Other trust files still stop the sync."""
    if not is_repo(root):
        raise SyncError(f"{root} is not synced: there is no remote change to accept")
    with _git_lock(root):
        remote_ref = _fetch(root)
        if remote_ref is None:
            return [], ""
        changed = [n for n in pending_trust_changes(root, remote_ref) if n in RECIPIENT_FILES]
        if not changed:
            return [], ""
        difference = trust_difference(root, remote_ref, changed)
        lines = _accepted(root) | {f"{_blob(root, remote_ref, n)} {n}" for n in changed}
        path = root / ".git" / ACCEPTED
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in sorted(lines)))
        return changed, difference


def unchecked_trust_changes(root: Path) -> list[str]:
    """For `ipt doctor`: trust files that came in from the remote without ipt's check (a
    `git pull` by hand): changed between the trusted ref and a remote branch HEAD holds."""
    if not is_repo(root):
        return []
    remote_ref = f"refs/remotes/origin/{_branch(root)}"
    exists = git(root, "rev-parse", "-q", "--verify", TRUSTED_REF, check=False).returncode == 0
    if not exists or not _is_ancestor(root, remote_ref, "HEAD"):
        return []
    return _changed_since(root, remote_ref, trust_files(root))


def foreign_merge_drivers(root: Path) -> list[str]:
    """For `ipt doctor`: merge drivers in the repository's own config that ipt did not
    write (git would run them during a pull)."""
    if not is_repo(root):
        return []
    found = git(root, "config", "--local", "--get-regexp", r"^merge\..*\.driver$", check=False)
    entries = [line.partition(" ") for line in found.stdout.splitlines() if line]
    return [
        f"{key} = {value}"
        for key, _, value in entries
        if key != "merge.ipt.driver" or value != driver_command()
    ]


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
    if not is_repo(root):
        raise SyncError(f"{root} keeps no history yet: run ipt sync --init")
    if not revision or revision.startswith("-") or any(c in revision for c in " :\n"):
        raise InputError(f"{revision[:40]!r} is not a commit: give a hash from ipt history")
    done = subprocess.run(
        ["git", "show", "--no-textconv", f"{revision}:{relative}"],
        cwd=root,
        capture_output=True,
        env=git_env(),
    )
    if done.returncode != 0:
        raise NotFoundError(f"no {relative} in commit {revision[:40]!r}; see ipt history")
    return done.stdout


def _document(path: Path, root: Path) -> tuple[dict[str, Any], bool]:
    """A course file's raw TOML table (decrypted in memory), and whether it was sealed."""
    # lazy: keeps the models (pydantic) and tomli_w off start-up
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
    # lazy: keeps the models (pydantic) and tomli_w off start-up
    from pydantic import ValidationError

    from ipt_cli.core.models import Course
    from ipt_cli.store.format import dump_course, seal_text

    for given in (base, ours, theirs):
        if given.is_symlink():
            raise UnsafeFileError(f"{given} is a symlink; git gives ipt merge-driver files")
        if not given.is_file():
            raise NotFoundError(
                f"no file {str(given)!r}: git runs ipt merge-driver during ipt sync, "
                "with three files (BASE OURS THEIRS)"
            )
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
        try:
            course = Course.model_validate({**mine, "conflicts": kept})
        except ValidationError as error:  # ours is no course either: nothing to keep
            # lazy: keeps pydantic off start-up
            from ipt_cli.core.validation import describe_validation

            raise DataError(ours, describe_validation(error)[:3]) from None
        count = 1
    text = dump_course(course)
    ours.write_bytes(seal_text(text, cipher_for(root) if sealed else None))
    return count
