"""The journal of a folder-wide conversion (`ipt encrypt`, `decrypt`, `recipients add|remove`).

Written (0600, atomically) in `<data>/locks/.conversion.json` before the first file is
converted and removed after the last: while it is there and no conversion holds the folder
lock, the folder is half converted. A rerun of a conversion command finishes the job; every
other write is refused until then (it would write in a form about to change), and reads
say so. The journal names the settings the conversion writes (mode, recipients, identity
path), never a secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ipt_cli.core.structs import struct
from ipt_cli.errors import ConflictError, DataError, StorageIOError
from ipt_cli.store.files import atomic_write, fsync_dir, try_folder_shared
from ipt_cli.store.paths import DataPaths

JOURNAL = ".conversion.json"  # in <data>/locks; a dot name is never a course id's lock
OPERATIONS = ("encrypt", "decrypt", "recipients")


@struct(frozen=True)
class Journal:
    operation: str  # encrypt, decrypt, recipients
    command: str  # what to run again to finish it ("ipt encrypt")
    mode: str  # x25519 or passphrase: the folder's cipher during the conversion
    recipients: list[str]
    identity: str | None  # the identity file that opens the files (x25519)
    named_identity: str | None = None  # what encryption.toml names (encrypt)


def journal_path(paths: DataPaths) -> Path:
    return paths.locks / JOURNAL


def read_journal(paths: DataPaths) -> Journal | None:
    path = journal_path(paths)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None
    try:
        data: Any = json.loads(raw.decode("utf-8"))
        journal = Journal(
            operation=str(data["operation"]),
            command=str(data["command"]),
            mode=str(data["mode"]),
            recipients=[str(k) for k in data.get("recipients", [])],
            identity=None if data.get("identity") is None else str(data["identity"]),
            named_identity=None
            if data.get("named_identity") is None
            else str(data["named_identity"]),
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise DataError(path, ["not a conversion journal ipt wrote"]) from None
    if journal.operation not in OPERATIONS or journal.mode not in ("x25519", "passphrase"):
        raise DataError(path, ["not a conversion journal ipt wrote"])
    return journal


def write_journal(paths: DataPaths, journal: Journal) -> None:
    data = {
        "operation": journal.operation,
        "command": journal.command,
        "mode": journal.mode,
        "recipients": journal.recipients,
        "identity": journal.identity,
        "named_identity": journal.named_identity,
    }
    atomic_write(journal_path(paths), json.dumps(data, indent=1).encode("utf-8"))


def remove_journal(paths: DataPaths) -> None:
    journal_path(paths).unlink(missing_ok=True)
    fsync_dir(paths.locks)


def interrupted_message(journal: Journal) -> str:
    verb = "re-keying" if journal.operation == "recipients" else f"`ipt {journal.operation}`"
    return (
        f"an interrupted {verb} left the data folder half converted: run "
        f"`{journal.command}` again to finish it"
    )


def refuse_if_interrupted(paths: DataPaths) -> None:
    """For a writer holding the folder lock shared: a journal now is a conversion that was
    killed (a running one would hold the lock exclusive); nothing is written until it is
    finished."""
    journal = _quick_read(paths)
    if journal is not None:
        raise ConflictError(interrupted_message(journal) + "; nothing was written")


def interrupted(paths: DataPaths) -> Journal | None:
    """The journal of a killed conversion (none while a conversion runs: it holds the
    folder lock), for a warning before a read."""
    if not journal_path(paths).exists():
        return None
    fd = try_folder_shared(paths.locks)
    if fd is None:
        return None  # a conversion is running: reads see the old form or the new one
    try:
        return _quick_read(paths)
    finally:
        os.close(fd)


def _quick_read(paths: DataPaths) -> Journal | None:
    if not journal_path(paths).exists():
        return None
    try:
        return read_journal(paths)
    except (DataError, StorageIOError):
        return Journal("encrypt", "ipt encrypt", "x25519", [], None)
