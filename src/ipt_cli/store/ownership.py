"""Whose files these are: the one gate for every file ipt reads or writes in a data folder.

Course files, config.toml, the index, backups, locks and edit copies all pass through here:

- another user's file or folder, or a symlink to one, is refused (exit 8): someone else
  could read or swap what ipt writes there;
- anything but a regular file where a file belongs (a FIFO, a device, a socket, a folder)
  is a damaged entry (exit 4) and is never opened in a way that could block: ipt checks
  with lstat/stat first, opens with O_NONBLOCK, and checks the open file again (fstat), so
  a swap between the check and the open is caught too;
- no symlink inside the data folder is followed, folders included (O_NOFOLLOW, lstat):
  a linked `backups`, `locks` or course file could take a write, or another folder's
  notes, across the folder's edge. Only config.toml may be the user's own link, and the
  data folder itself (chosen by the user).

Every read is capped (COURSE_LIMIT for course files, backups and the index; SETTINGS_LIMIT
for settings and key files): a file larger than that, or a link to /dev/zero, is refused,
never read into memory. Settings and key files (`read_trusted`: encryption.toml,
recipients.txt, config.toml, allowed_signers, the age identity) are refused with exit 8;
an identity readable by anyone else is refused as ssh refuses an unprotected key.

Loose permissions of data files only earn a warning. Light on purpose: no models, no Rich.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from ipt_cli.errors import DataError, NotFoundError, StorageIOError, UnsafeFileError
from ipt_cli.store.paths import DataPaths, is_data_root

KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symlink",
}


COURSE_LIMIT = 64 << 20  # bytes: course files, group files, backups, the index
SETTINGS_LIMIT = 1 << 20  # bytes: encryption.toml, recipients.txt, config.toml, keys


def kind_of(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def check_ownership(path: Path) -> None:
    """Refuse a path that is a symlink to, or is itself, another user's file or folder:
    someone else could read or swap what ipt writes there."""
    try:
        link = path.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageIOError(f"cannot check {path}: {error.strerror}") from None
    if stat.S_ISLNK(link.st_mode):
        try:
            target = path.stat()
        except FileNotFoundError:
            raise UnsafeFileError(f"{path} is a dangling symlink; refusing to use it") from None
        except OSError as error:
            raise UnsafeFileError(
                f"{path} is a symlink ipt cannot follow: {error.strerror}"
            ) from None
        if target.st_uid != os.geteuid() or link.st_uid != os.geteuid():
            raise UnsafeFileError(
                f"{path} is a symlink to another user's file; refusing to follow it"
            )
    elif link.st_uid != os.geteuid():
        raise UnsafeFileError(f"{path} belongs to another user; refusing to use it")


def check_folder(path: Path) -> None:
    """A folder of the data folder: ours, and a folder, not a file, FIFO or device; never
    a symlink (only the data folder itself may be the user's own link to a folder of
    theirs): a linked `backups` or `locks` would take ipt's writes out of the folder."""
    check_ownership(path)
    check_not_linked(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageIOError(f"cannot check {path}: {error.strerror}") from None
    if not stat.S_ISDIR(mode):
        raise DataError(path, [f"{kind_of(mode)} where ipt keeps a folder; move it away"])


def check_not_linked(path: Path) -> None:
    """Refuse a symlink inside the data folder (the data folder itself may be one)."""
    if path.is_symlink() and not is_data_root(path):
        raise UnsafeFileError(
            f"{path} is a symlink; ipt never reads or writes through a link inside the data "
            "folder (replace it with the real folder or file)"
        )


def _check_regular(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise DataError(path, [f"{kind_of(info.st_mode)}, not a regular file; move it away"])
    if info.st_uid != os.geteuid():
        raise UnsafeFileError(f"{path} belongs to another user; refusing to use it")


def open_private(path: Path, *, follow: bool, write: bool = False, create: bool = False) -> int:
    """A file descriptor on `path`, checked to be a regular file of this user's.

    follow=False refuses any symlink (ipt's own files); follow=True follows only a
    symlink this user owns to a file this user owns (course files, config.toml).
    Never blocks: a FIFO or device is refused before it is opened, and opened, if swapped
    in meanwhile, with O_NONBLOCK and refused after.
    """
    if follow:
        check_ownership(path)
    try:
        info = path.stat() if follow else path.lstat()
    except FileNotFoundError:
        if not create:
            raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    else:
        if stat.S_ISLNK(info.st_mode):
            raise UnsafeFileError(f"{path} is a symlink; ipt does not follow links here")
        _check_regular(path, info)
    flags = os.O_NONBLOCK | os.O_CLOEXEC | (os.O_RDWR if write else os.O_RDONLY)
    flags |= 0 if follow else os.O_NOFOLLOW
    flags |= os.O_CREAT if create else 0
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFileError(f"{path} is a symlink; ipt does not follow links here") from None
        raise StorageIOError(f"cannot open {path}: {error.strerror}") from None
    try:
        _check_regular(path, os.fstat(fd))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _too_large(path: Path, limit: int) -> DataError:
    return DataError(path, [f"larger than {limit >> 20} MiB; ipt does not read a file this big"])


def read_fd(fd: int, limit: int | None = None, path: Path | None = None) -> bytes:
    """Everything left to read on `fd` (which stays open); more than `limit` bytes is
    refused (DataError naming `path`) without reading the rest."""
    chunks, total = [], 0
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
        total += len(chunk)
        if limit is not None and total > limit:
            raise _too_large(path or Path(f"fd {fd}"), limit)
    return b"".join(chunks)


def read_private(path: Path, *, follow: bool, limit: int = COURSE_LIMIT) -> bytes:
    """The bytes of a regular file of this user's (see `open_private`), at most `limit`."""
    fd = open_private(path, follow=follow)
    try:
        if os.fstat(fd).st_size > limit:
            raise _too_large(path, limit)
        return read_fd(fd, limit, path)
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    finally:
        os.close(fd)


def read_trusted(path: Path, *, secret: bool = False, limit: int = SETTINGS_LIMIT) -> bytes:
    """A settings or key file (encryption.toml, recipients.txt, config.toml,
    allowed_signers, an age identity): a regular file of this user's (or this user's link
    to one), at most `limit` bytes, never blocking. Anything else is refused with exit 8
    (UnsafeFileError): these files decide who can read and sign the record. `secret`: an
    identity, refused when anyone but its owner can read it (as ssh refuses a key)."""
    try:
        fd = open_private(path, follow=True)
    except DataError as error:
        raise UnsafeFileError(error.message) from None
    try:
        info = os.fstat(fd)
        if secret and stat.S_IMODE(info.st_mode) & 0o077:
            raise UnsafeFileError(
                f"{path} can be read by other users (mode {stat.S_IMODE(info.st_mode):04o}); "
                f"a private key must not be: run `chmod 600 {path}`"
            )
        if info.st_size > limit:
            raise UnsafeFileError(_too_large(path, limit).message)
        try:
            return read_fd(fd, limit, path)
        except DataError as error:
            raise UnsafeFileError(error.message) from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    finally:
        os.close(fd)


def too_open(path: Path) -> bool:
    """Readable, writable or listable by anyone but the owner."""
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except OSError:
        return False


def check_private(paths: Iterable[Path], warn: Callable[[str], None], warned: set[Path]) -> None:
    """Ownership is refused outright; loose permissions only earn a warning (once each)."""
    for checked in paths:
        check_ownership(checked)
        if checked not in warned and too_open(checked):
            warned.add(checked)
            warn(
                f"warning: {checked} can be read by other users; run `ipt doctor --fix` to "
                "make it private"
            )


def check_course(
    paths: DataPaths, course_id: str, warn: Callable[[str], None], warned: set[Path]
) -> None:
    """The checks before any use of a course: its data folder, courses folder and file."""
    check_private((paths.root, paths.courses, paths.course_file(course_id)), warn, warned)
    check_folder(paths.courses)
