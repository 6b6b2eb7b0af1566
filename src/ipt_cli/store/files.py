"""Disk primitives of the data folder: staged atomic writes, private folders, locks.

Two kinds of lock: each course (and group) file has its own exclusive flock, and above
them all one folder lock. Every writer holds the folder lock shared while it holds a file
lock; a folder-wide operation (`ipt encrypt`, `decrypt`, `recipients add|remove`, `sync`
while it rewrites files) holds it exclusive, so no acknowledged write is lost to it and
none is written in the folder's old form after it switches.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ipt_cli.core.structs import struct
from ipt_cli.errors import (
    ConflictError,
    InputError,
    LockTimeoutError,
    NotFoundError,
    StorageIOError,
)
from ipt_cli.store.ownership import COURSE_LIMIT, check_not_linked, kind_of, open_private, read_fd

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
LOCK_TIMEOUT_SECONDS = 10.0
FOLDER_LOCK = ".folder.lock"  # in <data>/locks; a dot name is never a course id's lock


def read_bytes(path: Path, limit: int = COURSE_LIMIT) -> bytes:
    """A file's bytes, at most `limit` (more is refused, never read into memory: a link to
    /dev/zero stops there)."""
    try:
        with path.open("rb") as handle:
            return read_fd(handle.fileno(), limit, path)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage(path: Path, data: bytes) -> Path:
    """The first half of an atomic write: `data` in a temp file beside `path`, flushed
    and fsynced. A write the disk refuses (full, too large, failing) stops here, before
    anything else is touched; the temp file is removed. Neither `path` nor its folder
    may be a symlink: a write never leaves the data folder through a link."""
    check_not_linked(path.parent)
    check_not_linked(path)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise StorageIOError(f"cannot write in {path.parent}: {error.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), PRIVATE_FILE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def commit(tmp: Path, path: Path, *, exclusive: bool = False) -> None:
    """The second half: rename the staged file into place (or link it, if exclusive)."""
    try:
        check_not_linked(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        if exclusive:
            os.link(tmp, path)
            tmp.unlink()
        else:
            os.replace(tmp, path)
        fsync_dir(path.parent)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise ConflictError(f"{path} already exists; it was left untouched") from None
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write via a temp file in the same folder, fsync, then rename (or link, if exclusive).

    Killed at any instant, this leaves the old file or the new one, never a partial one.
    With exclusive=True an existing file is refused and left untouched.
    """
    commit(stage(path, data), path, exclusive=exclusive)


def make_private_dir(directory: Path) -> None:
    """Create a folder readable by its owner only; an existing one is left as it is.
    Never through a link: a symlink inside the data folder is refused, here or above."""
    check_not_linked(directory)
    check_not_linked(directory.parent)
    missing = [directory]
    while not missing[-1].parent.exists() and missing[-1].parent != missing[-1]:
        missing.append(missing[-1].parent)
    # One level at a time: mkdir(parents=True) gives the parents it makes the umask's mode
    # (0755), which left a new data folder readable by others when a draft was its first file.
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not folder.is_dir():
                raise StorageIOError(f"{folder} exists and is not a folder") from None
            continue
        except OSError as error:
            raise StorageIOError(f"cannot create {folder}: {error.strerror}") from None
        folder.chmod(PRIVATE_DIR)  # mkdir's mode is narrowed by the umask, never widened


@contextmanager
def hold_lock(lock_path: Path, timeout: float, busy: str) -> Iterator[None]:
    """Hold an exclusive flock on `lock_path` (created if needed; a regular file of this
    user's, never a link: see try_lock_file), waiting up to `timeout` seconds; `busy`
    names what is locked in the error. Closing the file releases it."""
    deadline = time.monotonic() + timeout
    while (fd := try_lock_file(lock_path)) is None:
        if time.monotonic() >= deadline:
            raise LockTimeoutError(
                f"{busy}: another ipt process has held it for {timeout:.0f} s; try again"
            )
        time.sleep(0.02)
    try:
        yield
    finally:
        os.close(fd)  # closing releases the lock


def try_lock_file(lock_path: Path, mode: int = fcntl.LOCK_EX) -> int | None:
    """The lock at `lock_path`, held (exclusive, or `mode`), as an open descriptor; None
    while another holds it.

    The lock file must be a regular file of this user's (never a link). A lock file
    removed or replaced (by `ipt delete`) while we waited is opened again, so two processes
    never hold two different files as the same lock.
    """
    fd = open_private(lock_path, follow=False, write=True, create=True)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except OSError as error:
        os.close(fd)
        if error.errno not in (errno.EAGAIN, errno.EACCES):
            raise StorageIOError(f"cannot lock {lock_path}: {error.strerror}") from None
        return None
    held = os.fstat(fd)
    try:
        now = lock_path.lstat()
        same = (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return try_lock_file(lock_path, mode)
    return fd


def write_output(path: Path, data: bytes) -> Path:
    """Write an export or report where the user asked (`-o FILE`), returning what was
    written. A regular file is replaced atomically (0600); a symlink is written through to
    its target (the link stays); a device or FIFO (/dev/null, /dev/stdout, a named pipe
    with a reader) is written to as it is, never replaced; a folder is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        target = path.resolve()  # a link to a new file, or a new file in a linked folder
        atomic_write(target, data)
        return target
    except OSError as error:
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path} is a folder; give a file name to write to")
    if stat.S_ISREG(info.st_mode):
        target = path.resolve()  # outside the data folder, the user's links are followed
        atomic_write(target, data)
        return target
    if not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise InputError(f"{path} is {kind_of(info.st_mode)}; ipt writes only to files")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        why = "no program is reading it" if error.errno == errno.ENXIO else error.strerror
        raise StorageIOError(f"cannot write {path}: {why}") from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    except OSError as error:
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    finally:
        os.close(fd)
    return path


@struct
class _FolderHold:
    exclusive: bool
    depth: int = 1


# The folder locks this process holds, by lock folder. flock locks belong to the open
# file, so a second open by the same process would wait on its own exclusive lock: nested
# holders (an `ipt encrypt` converting file by file under course locks) reuse the one held.
_folder_holds: dict[Path, _FolderHold] = {}


@contextmanager
def folder_lock(locks: Path, *, exclusive: bool, timeout: float, busy: str) -> Iterator[None]:
    """Hold the folder lock (`<locks>/.folder.lock`) shared or exclusive, waiting up to
    `timeout` seconds. Within a process an exclusive hold covers any nested request; a
    shared hold cannot become exclusive (refused: it would wait on itself)."""
    key = locks.absolute()
    held = _folder_holds.get(key)
    if held is not None:
        if exclusive and not held.exclusive:
            raise ConflictError(f"{busy}: this process already holds the folder shared")
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + timeout
    while (fd := try_lock_file(locks / FOLDER_LOCK, mode)) is None:
        if time.monotonic() >= deadline:
            raise LockTimeoutError(
                f"{busy}: another ipt process has held the data folder for {timeout:.0f} s "
                "(encrypting, re-keying or syncing it); try again"
            )
        time.sleep(0.02)
    _folder_holds[key] = _FolderHold(exclusive)
    try:
        yield
    finally:
        del _folder_holds[key]
        os.close(fd)


def try_folder_shared(locks: Path) -> int | None:
    """The folder lock held shared now, as a descriptor, or None while a folder-wide
    change holds it (for the list index, which is skipped rather than waited for)."""
    return try_lock_file(locks / FOLDER_LOCK, fcntl.LOCK_SH)


def holds_folder_lock(locks: Path) -> bool:
    return locks.absolute() in _folder_holds
