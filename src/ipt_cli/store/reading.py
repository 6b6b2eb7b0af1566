"""Reading a stored text file. Light on purpose (no models, no TOML writer), so that a
command that only looks through files, such as `ipt search`, starts fast."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipt_cli.errors import DataError, InputError, NotFoundError, StorageIOError
from ipt_cli.store.ownership import COURSE_LIMIT, read_fd, read_private

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher


def decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, [f"not UTF-8 text (byte {error.start})"]) from None


def read_text(path: Path) -> str:
    """A file the user names (an import, an assessment): read as given."""
    try:
        with path.open("rb") as handle:
            raw = read_fd(handle.fileno(), COURSE_LIMIT, path)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file") from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    return decode(raw, path)


def read_stored_bytes(path: Path, *, follow: bool = True, limit: int | None = None) -> bytes:
    """A file of the data folder: a regular file of this user's, never blocking (see
    ownership.open_private); follow=True only for config.toml: a course or group file that is
    a symlink is refused (it could bring another folder's notes into this one). At most
    `limit` bytes (default: ownership.COURSE_LIMIT)."""
    return read_private(path, follow=follow, limit=COURSE_LIMIT if limit is None else limit)


def read_stored_text(path: Path, *, follow: bool = True, limit: int | None = None) -> str:
    return decode(read_stored_bytes(path, follow=follow, limit=limit), path)


def read_opened(path: Path, cipher: Cipher | None, *, follow: bool = False) -> str:
    """A stored file's text (through the ownership gate), an age file of an encrypted
    folder decrypted in memory."""
    raw = read_stored_bytes(path, follow=follow)
    if cipher is not None and path.name.endswith(".age"):
        raw = cipher.decrypt(raw, path)
    return decode(raw, path)
