"""Editing text in the user's $VISUAL/$EDITOR, on a private temporary file."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from ipt_cli.errors import InputError


def editor_command() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        raise InputError("set $VISUAL or $EDITOR to edit text in an editor")
    return shlex.split(command)


def edit_text(initial: str, suffix: str = ".md") -> str:
    """Open `initial` in the editor and return what was saved. The file is 0600 and removed."""
    command = editor_command()
    with tempfile.TemporaryDirectory(prefix="ipt-edit-") as folder:
        path = Path(folder) / f"edit{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        try:
            completed = subprocess.run([*command, str(path)], check=False)
        except OSError as error:
            raise InputError(f"cannot start the editor {command[0]!r}: {error.strerror}") from None
        if completed.returncode != 0:
            raise InputError(
                f"the editor exited with status {completed.returncode}; nothing was saved"
            )
        return path.read_text(encoding="utf-8")
