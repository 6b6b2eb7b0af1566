"""Backups of course and group files: the last few versions of each, newest first.

Each replaced version is kept under `<data>/backups/<id>/` as `<sequence>-<UTC time>`
plus the folder's suffix (sealed like the file in an encrypted folder). Written through
store/files.py; read through the ownership gate.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from ipt_cli.core.structs import struct
from ipt_cli.errors import IptError, StorageIOError
from ipt_cli.store.files import atomic_write
from ipt_cli.store.format import open_text, seal_text
from ipt_cli.store.reading import decode, read_stored_bytes

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher


BACKUPS_KEPT = 5


@struct(frozen=True)
class Backup:
    number: int  # 1 is the newest
    path: Path
    taken: dt.datetime  # by the clock at the time: shown, never used for order
    sequence: int = 0  # 0 for the time-named backups of an older ipt


# <sequence>-<UTC time><suffix>, the suffix .toml (or .toml.age in an encrypted folder):
# the sequence orders backups (1 = newest is always the newest, whatever the clock does);
# the time is only shown. Before, <UTC time><suffix>: still read, older than any numbered.
BACKUP_NAME = re.compile(r"(\d{10})-(\d{8}T\d{12}Z)\.toml(?:\.age)?")
OLD_BACKUP_NAME = re.compile(r"(\d{8}T\d{12}Z)\.toml(?:\.age)?")
STAMP = "%Y%m%dT%H%M%S%fZ"


def backup_name_parts(name: str) -> tuple[int, str] | None:
    """(sequence, time) of a backup file name ipt writes (or wrote), else None."""
    new = BACKUP_NAME.fullmatch(name)
    if new:
        return int(new.group(1)), new.group(2)
    old = OLD_BACKUP_NAME.fullmatch(name)
    return (0, old.group(1)) if old else None


def _taken(stamp: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stamp, STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@struct(frozen=True)
class BackupFolder:
    """Where one file's backups are (made and checked by the caller), how they are named
    (`suffix`), sealed for storage and opened again (an encrypted folder's are age)."""

    folder: Path
    suffix: str
    cipher: Cipher | None = None

    def seal(self, text: str) -> bytes:
        return seal_text(text, self.cipher)

    def opened(self, path: Path) -> str | None:
        """A backup's text, None when it cannot be read (it is then left to doctor). Only
        writes call this, under the course's lock: a backup an older ipt sealed with the
        passphrase itself is sealed again to the folder's identity, once, so that later
        writes open it without another scrypt."""
        try:
            if self.cipher is None:
                return open_text(path, None, follow=False)
            raw = read_stored_bytes(path, follow=False)
            plain = self.cipher.decrypt(raw, path)
            if self.cipher.is_older_seal(raw):
                atomic_write(path, self.cipher.encrypt(plain))
            return decode(plain, path)
        except IptError:
            return None


def list_backups(folder: Path, suffix: str = ".toml") -> list[Backup]:
    """The backups ipt wrote in `folder` (checked by the caller), newest first. Anything
    else there (a stray copy, another user's file, a link, a FIFO) is ignored; `ipt
    doctor` reports it."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    except OSError as error:
        raise StorageIOError(f"cannot list {folder}: {error.strerror}") from None
    found = []
    for entry in entries:
        parts = backup_name_parts(entry.name)
        if parts is None or not entry.name.endswith(suffix):
            continue
        if suffix == ".toml" and entry.name.endswith(".age"):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            continue
        taken = _taken(parts[1])
        if taken is not None:
            found.append((parts, Path(entry.path), taken))
    found.sort(key=lambda item: item[0], reverse=True)
    return [Backup(n, path, taken, seq) for n, ((seq, _), path, taken) in enumerate(found, 1)]


def _next_sequence(folder: Path) -> int:
    """One more than any sequence number in the folder (counted from every name that
    looks like a backup, so a stray entry never makes a name collide)."""
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    numbers = [parts[0] for parts in map(backup_name_parts, names) if parts is not None]
    return max(numbers, default=0) + 1


def take_backup(where: BackupFolder, text: str, sealed: bytes | None = None) -> None:
    """Keep `text`, the version about to be replaced, as the newest backup: never a second
    copy of one already kept (that older copy is dropped instead). Compared as text, so an
    encrypted folder's (whose ciphertexts always differ) dedupe too. `sealed`: the file's
    stored bytes, copied as they are (an encrypted folder's backup is never sealed again)."""
    same = [b for b in list_backups(where.folder, where.suffix) if where.opened(b.path) == text]
    if same and same[0].number == 1:
        for older in same[1:]:
            older.path.unlink(missing_ok=True)
        return  # already the newest backup
    stamp = dt.datetime.now(dt.UTC).strftime(STAMP)
    name = f"{_next_sequence(where.folder):010d}-{stamp}{where.suffix}"
    data = sealed if sealed is not None and where.cipher is not None else where.seal(text)
    atomic_write(where.folder / name, data, exclusive=True)
    for older in same:
        older.path.unlink(missing_ok=True)


def rotate_backups(where: BackupFolder, current: str) -> None:
    """After a committed write: drop backups equal to the current version (it is not lost:
    it is the file) and all but the newest BACKUPS_KEPT. Never fails the write."""
    try:
        every = list_backups(where.folder, where.suffix)
        kept = [b for b in every if where.opened(b.path) != current]
        for old in [b for b in every if b not in kept] + kept[BACKUPS_KEPT:]:
            old.path.unlink(missing_ok=True)
    except (IptError, OSError):
        pass  # the next write rotates again; `ipt doctor` shows the folder
