"""`ipt doctor`: check every file of a data folder, and repair only what is safe to repair.

It also verifies every signed session (as `ipt verify` does).

Safe repairs: narrowing permissions, and removing temporary files that no running ipt
process can still be writing (their course's lock is free).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from ipt_cli.core.models import Course
from ipt_cli.errors import DataError, IdentityError, IptError
from ipt_cli.store.config import ALLOWED_SIGNERS, load_signing
from ipt_cli.store.courses import CourseStore, load_course_file
from ipt_cli.store.ownership import check_ownership
from ipt_cli.store.ssh_signatures import verify_course

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


@dataclass
class Finding:
    path: Path
    status: str  # ok, warning, error
    problem: str
    fixed: str | None = None
    kind: str = "file"  # "signature": a signed record that no longer verifies (exit 9)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _lock_is_free(store: CourseStore, course_id: str) -> bool:
    lock = store.paths.locks / f"{course_id}.lock"
    if not lock.exists():
        return True
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _permissions(path: Path, wanted: int, fix: bool) -> Finding | None:
    mode = _mode(path)
    if not mode & 0o077:
        return None
    finding = Finding(path, "warning", f"permissions {mode:04o} let other users in")
    if fix:
        path.chmod(wanted)
        finding.fixed = f"set to {wanted:04o}"
    return finding


def _signatures(path: Path, course: Course, signers: Path) -> list[Finding]:
    """`ipt verify` for one course: a finding only when something is signed."""
    result = verify_course(course, signers)
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


def _course_file(path: Path, fix: bool, store: CourseStore, signers: Path) -> list[Finding]:
    findings = []
    try:
        check_ownership(path)
        course = load_course_file(path, store.cipher)
        findings.append(
            Finding(
                path,
                "ok",
                f"valid, schema {course.schema_version}, {len(course.sessions)} sessions",
            )
        )
        findings += _signatures(path, course, signers)
    except DataError as error:
        findings.append(Finding(path, "error", "; ".join(error.problems)))
    except IdentityError:
        raise  # a wrong or missing identity is the user's to fix: exit 8, not per-file errors
    except IptError as error:
        findings.append(Finding(path, "error", error.message))
        return findings
    loose = _permissions(path, PRIVATE_FILE, fix)
    if loose:
        findings.append(loose)
    return findings


def _stray_temp(store: CourseStore, path: Path, fix: bool) -> Finding:
    # Temp files are named .<course-id>.toml.<random>.tmp (see storage.atomic_write).
    course_id = path.name[1:].split(".toml", 1)[0]
    finding = Finding(path, "warning", "temporary file left by an interrupted write")
    if fix and _lock_is_free(store, course_id):
        path.unlink()
        finding.fixed = "removed"
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


def _removable(path: Path, problem: str, fix: bool) -> Finding:
    finding = Finding(path, "warning", problem)
    if fix:
        path.unlink()
        finding.fixed = "removed"
    return finding


def _folders(store: CourseStore, fix: bool) -> list[Finding]:
    paths = store.paths
    findings = []
    for folder in (paths.root, paths.courses, paths.locks, paths.backups):
        loose = _permissions(folder, PRIVATE_DIR, fix) if folder.is_dir() else None
        if loose:
            findings.append(loose)
    return findings


def _allowed_signers(store: CourseStore) -> Path:
    try:
        return load_signing(store.paths.config).allowed_signers
    except IptError:  # a damaged config.toml is another finding's business
        return store.paths.root / ALLOWED_SIGNERS


def _courses(store: CourseStore, fix: bool) -> list[Finding]:
    findings: list[Finding] = []
    signers = _allowed_signers(store)
    for path in sorted(store.paths.courses.iterdir()):
        if path.name.endswith(store.paths.course_suffix) and not path.name.startswith("."):
            findings += _course_file(path, fix, store, signers)
        elif store.paths.encrypted and path.suffix == ".toml" and not path.name.startswith("."):
            findings.append(
                Finding(path, "warning", "plain course file in an encrypted folder: ipt encrypt")
            )
        elif path.name.endswith(".tmp"):
            findings.append(_stray_temp(store, path, fix))
        else:
            findings.append(Finding(path, "warning", "not a course file"))
    return findings


def _backups(store: CourseStore, fix: bool) -> list[Finding]:
    findings = []
    for path in sorted(store.paths.backups.rglob("*")):
        if path.name.endswith(".tmp"):
            findings.append(_stray_temp(store, path, fix))
        elif path.is_file():
            loose = _permissions(path, PRIVATE_FILE, fix)
            if loose:
                findings.append(loose)
    return findings


def _locks(store: CourseStore, fix: bool) -> list[Finding]:
    findings = []
    for lock in sorted(store.paths.locks.glob("*.lock")):
        if not (store.paths.courses / f"{lock.stem}{store.paths.course_suffix}").exists():
            finding = Finding(lock, "warning", "lock file of a course that does not exist")
            if fix and _lock_is_free(store, lock.stem):
                lock.unlink()
                finding.fixed = "removed"
            findings.append(finding)
    return findings


def _groups(store: CourseStore, fix: bool) -> list[Finding]:
    """Each group file: valid, its members' courses present, private."""
    from ipt_cli.store.courses import open_text
    from ipt_cli.store.groups import parse_group

    findings = []
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
        return [Finding(paths.root, "ok", "no data folder yet")]
    findings = _folders(store, fix)
    if paths.courses.is_dir():
        findings += _courses(store, fix)
    if (paths.root / "groups").is_dir():
        findings += _groups(store, fix)
    if paths.backups.is_dir():
        findings += _backups(store, fix)
    if paths.old_report_cache.exists() or paths.old_report_cache.is_symlink():
        findings.append(_old_report_cache(paths.old_report_cache, fix))
    if paths.locks.is_dir():
        findings += _locks(store, fix)
    return findings
