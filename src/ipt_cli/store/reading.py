"""Reading a stored text file. Light on purpose (no models, no TOML writer), so that a
command that only looks through files, such as `ipt search`, starts fast."""

from __future__ import annotations

from pathlib import Path

from ipt_cli.errors import DataError, NotFoundError, StorageIOError


def decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, [f"not UTF-8 text (byte {error.start})"]) from None


def read_text(path: Path) -> str:
    """A file the user names (an import, an assessment): read as given."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        from ipt_cli.errors import InputError

        raise InputError(f"{path} is a folder, not a file") from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    return decode(raw, path)


def read_stored_text(path: Path, *, follow: bool = True) -> str:
    """A file of the data folder: a regular file of this user's, never blocking (see
    ownership.open_private); follow=True for course files and config.toml only."""
    from ipt_cli.store.ownership import read_private

    return decode(read_private(path, follow=follow), path)
