"""`ipt doctor`: check every file of a data folder, and repair only what is safe to repair.

Safe repairs: narrowing permissions, and removing what no running ipt can still be using:
temporary files of interrupted writes, locks of deleted courses, working copies of
interrupted edits. Each repair of a course's files is made holding that course's lock (the
index's lock for index files), so a slow writer is never disturbed; no repair follows a
symlink, so nothing outside the data folder is ever changed.

It also verifies every signed session (as `ipt verify` does).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ipt_cli.core.models import Course
from ipt_cli.core.structs import struct
from ipt_cli.errors import DataError, IdentityError, IptError
from ipt_cli.store import sync
from ipt_cli.store.backups import backup_name_parts
from ipt_cli.store.config import ALLOWED_SIGNERS, check_file, load_signing, user_config_path, where
from ipt_cli.store.conversion import JOURNAL, interrupted_message, journal_path, read_journal
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.drafts import DRAFTS
from ipt_cli.store.files import FOLDER_LOCK, read_bytes, try_folder_shared, try_lock_file
from ipt_cli.store.format import load_course_file, open_text
from ipt_cli.store.ownership import check_ownership, kind_of
from ipt_cli.store.paths import COURSE_ID_PATTERN
from ipt_cli.store.ssh_signatures import verify_course
from ipt_cli.store.workdir import in_use

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
GROUPS = "groups"  # backups/groups/ and locks/groups/ hold the Group IPT groups' files
GIT_LOCK = "git.lock"  # held by `ipt sync` (store/sync.py)


@struct
class Finding:
    path: Path
    status: str  # ok, warning, error
    problem: str
    fixed: str | None = None
    # "signature": a signed record that no longer verifies (exit 9); "settings": a config
    # file (exit 4 when it does not load, as a damaged file)
    kind: str = "file"


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:
        return None


def _chmod_no_follow(path: Path, wanted: int) -> None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        os.fchmod(fd, wanted)
    finally:
        os.close(fd)


def _permissions(path: Path, wanted: int, fix: bool) -> Finding | None:
    info = _lstat(path)
    if info is None:
        return None
    if stat.S_ISLNK(info.st_mode):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            return None
        if not mode & 0o077:
            return None
        return Finding(
            path,
            "warning",
            f"a symlink to a file or folder with permissions {mode:04o}: others can read "
            "it; ipt never changes what a link points to",
        )
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return None
    finding = Finding(path, "warning", f"permissions {mode:04o} let other users in")
    if fix and info.st_uid == os.geteuid():
        try:
            _chmod_no_follow(path, wanted)
            finding.fixed = f"set to {wanted:04o}"
        except OSError:
            pass
    return finding


def _signatures(path: Path, course: Course, signers: Path, settings: str) -> list[Finding]:
    """`ipt verify` for one course: a finding only when something is signed."""
    result = verify_course(course, signers, settings=settings)
    if not result.chain.links:
        return []
    notes = [Finding(path, "warning", note, kind="signature") for note in result.notes]
    if result.holds:
        return [
            Finding(
                path,
                "ok",
                f"{result.chain.sessions_signed} signed session(s): the signature chain holds",
                kind="signature",
            ),
            *notes,
        ]
    return [
        Finding(path, "error", f"signature: {problem}", kind="signature")
        for problem in result.problems
    ] + notes


def _course_file(store: CourseStore, path: Path, fix: bool, signers: Path) -> list[Finding]:
    findings = []
    try:
        check_ownership(path)
        course = load_course_file(path, store.cipher)
        findings.append(
            Finding(
                path,
                "ok",
                f"valid, schema {course.schema_version}, {_sessions(len(course.sessions))}",
            )
        )
        findings += _signatures(path, course, signers, where(store.paths.config))
    except DataError as error:
        findings.append(Finding(path, "error", "; ".join(error.problems)))
    except IdentityError:
        raise  # a wrong or missing identity is the user's to fix: exit 8, not per-file errors
    except IptError as error:
        findings.append(Finding(path, "error", error.message))
        return findings
    loose = _permissions(path, PRIVATE_FILE, False)
    if loose and fix and not loose.problem.startswith("a symlink"):
        course_id = path.name.split(".", 1)[0]  # ab.toml or ab.toml.age
        if _with_lock(store, course_id, lambda: _chmod_no_follow(path, PRIVATE_FILE)):
            loose.fixed = f"set to {PRIVATE_FILE:04o}"
    if loose:
        findings.append(loose)
    return findings


def _with_lock(store: CourseStore, course_id: str, repair: Callable[[], object]) -> bool:
    """Run `repair` holding the course's lock; False (nothing done) while a writer holds it
    or the lock cannot be taken safely."""
    try:
        with store.lock_if_free(course_id) as held:
            if held:
                repair()
            return held
    except (IptError, OSError):
        return False


def _remove(path: Path) -> None:
    """Remove a file, or a link itself (never what it points to)."""
    path.unlink(missing_ok=True)


def _conversion(store: CourseStore) -> list[Finding]:
    """A conversion killed half-way (its journal, with no conversion holding the folder)."""
    path = journal_path(store.paths)
    if _lstat(path) is None:
        return []
    fd = try_folder_shared(store.paths.locks)
    if fd is None:
        return [Finding(path, "ok", "a conversion (encrypt, decrypt, re-key) is running")]
    try:
        journal = read_journal(store.paths)
    except IptError as error:
        return [Finding(path, "error", error.message)]
    finally:
        os.close(fd)
    if journal is None:
        return []
    problem = interrupted_message(journal) + "; until then ipt writes nothing"
    return [Finding(path, "error", problem)]


def _plain_leftover(store: CourseStore, path: Path, lock: Path, fix: bool) -> Finding:
    """A plain file in an encrypted folder: ipt never reads it, but it is the notes in plain
    text. With an encrypted twin (a conversion killed half-way), `--fix` removes it once the
    twin opens to the same text; without one it is only reported."""
    twin = path.with_name(path.name + ".age")
    if _lstat(twin) is None:
        return Finding(
            path,
            "error",
            "plain text in an encrypted folder, with no encrypted copy beside it: ipt does "
            "not read it (encrypt it with age, or remove it)",
        )
    finding = Finding(
        path,
        "error",
        f"plain text copy of {twin.name} in an encrypted folder, left by an interrupted "
        "conversion (ipt doctor --fix removes it)",
    )
    if fix and _remove_plain_copy(store, path, twin, lock):
        finding.fixed = "removed (its encrypted copy opens to the same text)"
    return finding


def _remove_plain_copy(store: CourseStore, path: Path, twin: Path, lock: Path) -> bool:
    """Remove `path` holding the folder lock shared (never beside a running conversion)
    and the file's own lock, once `twin` opens to its bytes; False if anything is not so."""
    try:
        folder = try_folder_shared(store.paths.locks)
    except IptError:
        return False
    if folder is None:
        return False
    try:
        held = try_lock_file(lock)
        if held is None:
            return False
        try:
            cipher = store.cipher
            if cipher is None or path.is_symlink() or twin.is_symlink():
                return False
            if cipher.decrypt(read_bytes(twin), twin) != read_bytes(path):
                return False
            _remove(path)
            return True
        finally:
            os.close(held)
    except IdentityError:
        raise
    except (IptError, OSError):
        return False
    finally:
        os.close(folder)


def _stray_temp(store: CourseStore, path: Path, course_id: str | None, fix: bool) -> Finding:
    """A temp file of an interrupted write of `course_id`, removed only under its lock."""
    finding = Finding(path, "warning", "temporary file left by an interrupted write")
    if fix and course_id and COURSE_ID_PATTERN.fullmatch(course_id):
        if _with_lock(store, course_id, lambda: _remove(path)):
            finding.fixed = "removed"
    return finding


def _index_temp(store: CourseStore, path: Path, fix: bool) -> Finding:
    finding = Finding(path, "warning", "temporary file left by an interrupted `ipt list`")
    if fix:
        fd = try_lock_file(store.paths.index_lock)
        if fd is not None:
            try:
                _remove(path)
                finding.fixed = "removed"
            finally:
                os.close(fd)
    return finding


def _old_report_cache(cache: Path, fix: bool) -> Finding:
    """ipt before 0.2 kept rendered reports (clinical text) here; nothing reads them now."""
    finding = Finding(cache, "warning", "report cache left by an older ipt (no longer used)")
    if fix:
        if cache.is_symlink() or not cache.is_dir():
            cache.unlink()
        else:
            shutil.rmtree(cache)
        finding.fixed = "removed"
    return finding


def _folders(store: CourseStore, fix: bool) -> list[Finding]:
    paths = store.paths
    findings = []
    for folder in (paths.root, paths.courses, paths.locks, paths.backups, paths.edits):
        info = _lstat(folder)
        if info is None:
            continue
        try:
            check_ownership(folder)
        except IptError as error:
            findings.append(Finding(folder, "error", error.message))
            continue
        if not stat.S_ISDIR(info.st_mode) and not folder.is_dir():
            findings.append(
                Finding(folder, "error", f"{kind_of(info.st_mode)} where ipt keeps a folder")
            )
            continue
        loose = _permissions(folder, PRIVATE_DIR, fix)
        if loose:
            findings.append(loose)
    return findings


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(folder))
    except OSError:
        return []


def _allowed_signers(store: CourseStore) -> Path:
    try:
        return load_signing(store.paths.config).allowed_signers
    except IptError:  # a damaged config.toml is another finding's business
        return store.paths.root / ALLOWED_SIGNERS


def _courses(store: CourseStore, fix: bool) -> list[Finding]:
    findings: list[Finding] = []
    signers = _allowed_signers(store)
    for path in _entries(store.paths.courses):
        if path.name.endswith(store.paths.course_suffix) and not path.name.startswith("."):
            findings += _course_file(store, path, fix, signers)
        elif store.paths.encrypted and path.suffix == ".toml" and not path.name.startswith("."):
            course_id = path.name.removesuffix(".toml")
            lock = store.paths.locks / f"{course_id}.lock"
            findings.append(_plain_leftover(store, path, lock, fix))
        elif path.name.startswith(".") and path.name.endswith(".tmp"):
            # Temp files are named .<course-id>.toml[.age].<random>.tmp (courses.stage).
            course_id = path.name[1:].split(".toml", 1)[0]
            findings.append(_stray_temp(store, path, course_id, fix))
        else:
            findings.append(Finding(path, "warning", "not a course file"))
    return findings


def _backup_file(
    store: CourseStore, path: Path, course_id: str | None, fix: bool
) -> Finding | None:
    info = _lstat(path)
    if info is None:
        return None
    if path.name.startswith(".") and path.name.endswith(".tmp"):
        return _stray_temp(store, path, course_id, fix)
    if store.paths.encrypted and path.name.endswith(".toml") and stat.S_ISREG(info.st_mode):
        owner = path.parent.name
        lock = store.paths.locks / (f"{owner}.lock" if course_id else f"{GROUPS}/{owner}.lock")
        return _plain_leftover(store, path, lock, fix)
    if backup_name_parts(path.name) is None:
        return Finding(path, "warning", "not a backup ipt wrote; ignored by `ipt restore`")
    if not stat.S_ISREG(info.st_mode):
        return Finding(
            path, "warning", f"{kind_of(info.st_mode)}, not a backup; ignored by `ipt restore`"
        )
    if info.st_uid != os.geteuid():
        return Finding(path, "warning", "belongs to another user; ignored by `ipt restore`")
    return _permissions(path, PRIVATE_FILE, fix)


def _backup_folders(store: CourseStore) -> list[tuple[Path, str | None]]:
    """Each backup folder with the course whose lock guards it: backups/<course-id>/, and
    backups/groups/<group-id>/ (a group's; its temp files are reported, not removed)."""
    folders: list[tuple[Path, str | None]] = []
    for folder in _entries(store.paths.backups):
        if folder.name == GROUPS and folder.is_dir() and not folder.is_symlink():
            folders += [(group, None) for group in _entries(folder)]
        else:
            folders.append((folder, folder.name))
    return folders


def _backups(store: CourseStore, fix: bool) -> list[Finding]:
    findings = []
    for folder, course_id in _backup_folders(store):
        info = _lstat(folder)
        if info is None:
            continue
        if not stat.S_ISDIR(info.st_mode) or not COURSE_ID_PATTERN.fullmatch(folder.name):
            findings.append(Finding(folder, "warning", "not a backup folder ipt made; ignored"))
            continue
        if info.st_uid != os.geteuid():
            findings.append(Finding(folder, "error", "belongs to another user; refused"))
            continue
        loose = _permissions(folder, PRIVATE_DIR, fix)
        if loose:
            findings.append(loose)
        for path in _entries(folder):
            found = _backup_file(store, path, course_id, fix)
            if found:
                findings.append(found)
    return findings


def _locks(store: CourseStore, fix: bool) -> list[Finding]:
    findings = []
    for lock in _entries(store.paths.locks):
        if lock.name in (store.paths.index_lock.name, GROUPS, GIT_LOCK, FOLDER_LOCK, JOURNAL):
            continue  # the index's; the groups'; `ipt sync`'s; the folder's; a conversion's
        course_id = lock.name.removesuffix(".lock")
        if not lock.name.endswith(".lock") or not COURSE_ID_PATTERN.fullmatch(course_id):
            findings.append(Finding(lock, "warning", "not a lock ipt made"))
            continue
        if store.exists(course_id):
            continue
        finding = Finding(lock, "warning", "lock file of a course that does not exist")
        if fix and _with_lock(store, course_id, partial(_remove_orphan_lock, store, lock)):
            finding.fixed = None if lock.exists() else "removed"
        findings.append(finding)
    return findings


def _remove_orphan_lock(store: CourseStore, lock: Path) -> None:
    """Held: a process waiting on this lock opens the new one (see try_lock_file)."""
    if not store.exists(lock.name.removesuffix(".lock")):
        _remove(lock)


def _edits(store: CourseStore, fix: bool) -> list[Finding]:
    findings = []
    for folder in _entries(store.paths.edits):
        if folder.name == DRAFTS or in_use(folder):
            continue  # the wizard's drafts (store/drafts.py) are kept until used or discarded
        finding = Finding(
            folder, "warning", "working copy left by an interrupted edit (a copy of notes)"
        )
        if fix and not folder.is_symlink() and folder.is_dir():
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder)
                finding.fixed = "removed"
            except OSError:
                pass
            finally:
                os.close(fd)
        elif fix:
            _remove(folder)
            finding.fixed = "removed"
        findings.append(finding)
    return findings


def _root_files(store: CourseStore, fix: bool) -> list[Finding]:
    """Index temp files."""
    return [
        _index_temp(store, path, fix)
        for path in _entries(store.paths.root)
        if path.name.startswith(f".{store.paths.index.name}.") and path.name.endswith(".tmp")
    ]


def _settings(data_config: Path) -> list[Finding]:
    """Both config files, named whether they are there or not: the user's, then the data
    folder's, which wins key by key; an error for one that does not load."""
    user = user_config_path()
    findings = []
    for path, whose, read in (
        (user, "your settings", "read; the data folder's config.toml wins over them"),
        (data_config, "the data folder's settings", "read; they win over yours, key by key"),
    ):
        if _lstat(path) is None:
            findings.append(Finding(path, "ok", f"{whose}: none (optional)", kind="settings"))
            continue
        try:
            check_file(path)
        except IptError as error:
            findings.append(Finding(path, "error", error.message, kind="settings"))
        else:
            findings.append(Finding(path, "ok", f"{whose}: {read}", kind="settings"))
    return findings


def _groups(store: CourseStore, fix: bool) -> list[Finding]:
    """Each group file: valid, its members' courses present, private."""
    # lazy: keeps group IPT off start-up
    from ipt_cli.store.groups import parse_group

    findings = []
    if store.paths.encrypted:
        for path in sorted((store.paths.root / "groups").glob("*.toml")):
            lock = store.paths.locks / GROUPS / f"{path.name.removesuffix('.toml')}.lock"
            findings.append(_plain_leftover(store, path, lock, fix))
    for path in sorted((store.paths.root / "groups").glob(f"*{store.paths.course_suffix}")):
        try:
            check_ownership(path)
            group = parse_group(open_text(path, store.cipher), path)
        except DataError as error:
            findings.append(Finding(path, "error", "; ".join(error.problems)))
            continue
        except IptError as error:
            findings.append(Finding(path, "error", error.message))
            continue
        missing = [m for m in group.members if not store.exists(m)]
        if missing:
            findings.append(Finding(path, "error", f"member course missing: {', '.join(missing)}"))
        else:
            findings.append(
                Finding(
                    path,
                    "ok",
                    f"valid group, {len(group.members)} members, {len(group.meetings)} of "
                    f"{group.planned_sessions} sessions held",
                )
            )
        loose = _permissions(path, PRIVATE_FILE, fix)
        if loose:
            findings.append(loose)
    return findings


def examine(store: CourseStore, fix: bool = False) -> list[Finding]:
    """Every finding about the data folder, after repairing what `fix` allows."""
    paths = store.paths
    if not paths.root.exists():
        return [Finding(paths.root, "ok", "no data folder yet"), *_settings(paths.config)]
    findings = _folders(store, fix)
    refused = {f.path for f in findings if f.status == "error"}
    if paths.root in refused:
        return findings  # another user's folder: look no further

    def usable(folder: Path) -> bool:
        return folder not in refused and folder.is_dir()

    findings += _settings(paths.config)
    findings += _root_files(store, fix)
    findings += _conversion(store)
    if usable(paths.courses):
        findings += _courses(store, fix)
    if usable(paths.root / "groups"):
        findings += _groups(store, fix)
    if usable(paths.backups):
        findings += _backups(store, fix)
    if paths.old_report_cache.exists() or paths.old_report_cache.is_symlink():
        findings.append(_old_report_cache(paths.old_report_cache, fix))
    if usable(paths.locks):
        findings += _locks(store, fix)
    if usable(paths.edits):
        findings += _edits(store, fix)
    findings += _sync_trust(paths.root)
    findings += _links(paths.root)
    return findings


def _sync_trust(root: Path) -> list[Finding]:
    """A synced folder: merge drivers in .git/config that ipt did not write (git runs
    them during a pull), and trust files the remote changed that came in without ipt's
    check (a `git pull` by hand)."""
    if not sync.is_repo(root):
        return []
    try:
        drivers = sync.foreign_merge_drivers(root)
        unchecked = sync.unchecked_trust_changes(root)
    except IptError as error:
        return [Finding(root / ".git", "warning", f"git could not be asked: {error.message}")]
    findings = [
        Finding(
            root / ".git" / "config",
            "error",
            f"merge driver not written by ipt: {entry} (git runs it during a pull); "
            "ipt sync rewrites ipt's own, remove any other with git config --unset",
        )
        for entry in drivers
    ]
    findings += [
        Finding(
            root / name,
            "warning",
            "changed by the remote and taken without ipt's check (a git pull by hand?): "
            f"review it with git -C {root} log -p -- {name}",
        )
        for name in unchecked
    ]
    return findings


def _links(root: Path) -> list[Finding]:
    """Every symlink inside the data folder (git's own folder aside): ipt reads and writes
    through none of them (store/files.py), and says so here; never removed by --fix, as
    the link may be the user's own (move the real file or folder in its place)."""
    found: list[Finding] = []
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *files]:
            path = Path(folder) / name
            if path.is_symlink():
                found.append(
                    Finding(
                        path,
                        "error",
                        f"a symlink (to {os.readlink(path)}): ipt never reads or writes "
                        "through a link inside the data folder; put the real file or folder "
                        "here, or remove the link",
                    )
                )
    return found


def _sessions(count: int) -> str:
    return f"{count} session" if count == 1 else f"{count} sessions"
