"""Editing text in the user's $VISUAL/$EDITOR, on a private working copy.

The copy lives in a fresh 0700 folder under the data folder (store.workdir), never in a
shared $TMPDIR, and is removed when the edit ends, however it ends. Every way an editor can
fail (not set, not parsable, not found, a non-zero exit, the file removed, bytes that are
not UTF-8) is one clear error; nothing is saved.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from ipt_cli.errors import InputError
from ipt_cli.store.workdir import edit_folder


def _variable() -> tuple[str, str]:
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "")
        if value.strip():
            return name, value
    raise InputError("set $VISUAL or $EDITOR to edit text in an editor")


def editor_command() -> list[str]:
    name, value = _variable()
    try:
        command = shlex.split(value)
    except ValueError as error:
        raise InputError(f"${name} does not parse as a command ({error})") from None
    if not command:
        raise InputError(f"${name} is empty; set it to an editor, e.g. nano")
    return command


def run_editor(command: list[str], path: Path) -> None:
    try:
        completed = subprocess.run([*command, str(path)], check=False)
    except OSError as error:
        raise InputError(
            f"cannot start the editor {command[0]!r}: {error.strerror}; nothing was saved"
        ) from None
    if completed.returncode != 0:
        raise InputError(f"the editor exited with status {completed.returncode}; nothing was saved")


def read_edited(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("the editor removed the file it was editing; nothing was saved") from None
    except OSError as error:
        raise InputError(f"cannot read what the editor saved: {error.strerror}") from None


def decode_edited(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the editor saved text that is not UTF-8 (byte {error.start}); nothing was saved"
        ) from None


def write_copy(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def edit_text(initial: str, *, root: Path, suffix: str = ".md") -> str:
    """Open `initial` in the editor and return what was saved. `root` is the data folder,
    which holds the private working copy while the editor runs."""
    command = editor_command()
    with edit_folder(root) as folder:
        path = folder / f"edit{suffix}"
        write_copy(path, initial)
        run_editor(command, path)
        return decode_edited(read_edited(path))
