"""Reading a stored text file. Light on purpose (no models, no TOML writer), so that a
command that only looks through files, such as `ipt search`, starts fast."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipt_cli.errors import DataError, NotFoundError, StorageIOError

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher


def read_opened(path: Path, cipher: Cipher | None) -> str:
    """read_text, decrypting an age file of an encrypted folder in memory."""
    if cipher is None or not path.name.endswith(".age"):
        return read_text(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    try:
        return cipher.decrypt(raw, path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, [f"not UTF-8 text (byte {error.start})"]) from None


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, [f"not UTF-8 text (byte {error.start})"]) from None
