"""Long output on a terminal goes through a pager, as git and man do: `$PAGER`, else
`less -R` (colours kept). Never into a pipe or a file, never when stdin is not a terminal
(nobody could page), never for output that fits the screen; `ipt --no-pager` or an empty
`PAGER` (or `PAGER=cat`) turns it off."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from typing import TextIO

DEFAULT_PAGER = "less -R"


def pager_command() -> list[str] | None:
    """The pager to run, or None when the user turned paging off."""
    chosen = os.environ.get("PAGER", DEFAULT_PAGER).strip()
    try:
        argv = shlex.split(chosen)
    except ValueError:
        return None
    return None if not argv or argv == ["cat"] else argv


def wants_pager(text: str, stdout: TextIO) -> bool:
    """Whether `text` is longer than the terminal stdout and stdin are."""
    try:
        if not (stdout.isatty() and os.isatty(0)):
            return False
    except (AttributeError, ValueError, OSError):
        return False
    return text.count("\n") >= screen_height(stdout)


def screen_height(stdout: TextIO) -> int:
    """LINES when set, else the terminal's height, else 24 (as shutil reads it)."""
    lines = os.environ.get("LINES", "")
    if lines.isdigit() and int(lines) > 0:
        return int(lines)
    try:
        return os.get_terminal_size(stdout.fileno()).lines or 24
    except (AttributeError, ValueError, OSError):
        return 24


def page(text: str, stdout: TextIO, encoding: str) -> bool:
    """Show `text` through the pager; False (nothing shown) when it could not start. While
    the pager runs, Ctrl-C belongs to it (as in git): ipt ignores it."""
    argv = pager_command()
    if argv is None:
        return False
    stdout.flush()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=stdout.fileno())
    except OSError:
        signal.signal(signal.SIGINT, previous)
        return False
    try:
        assert process.stdin is not None
        try:
            process.stdin.write(text.encode(encoding, "replace"))
            process.stdin.close()
        except BrokenPipeError:
            pass  # the reader quit the pager before the end: nothing more to show
        process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True
