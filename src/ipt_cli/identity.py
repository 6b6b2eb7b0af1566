"""Cheap identities for the caches (the `ipt list` index, rendered reports): a file's, and
ipt's own code's, so that a cache is never used across a change to either."""

from __future__ import annotations

import os
from pathlib import Path

from ipt_cli import __version__


def file_identity(path: Path) -> list[int] | None:
    """Inode, size, modification and change times (a same-size edit with a restored
    mtime still moves the change time); None when there is no such file."""
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def code_fingerprint() -> str:
    """ipt's version and its modules' sizes and times: an upgrade, or an edit in a
    development install, is seen."""
    count = size = times = 0
    with os.scandir(Path(__file__).parent) as entries:
        for entry in entries:
            if entry.name.endswith(".py"):
                info = entry.stat()
                count, size, times = count + 1, size + info.st_size, times + info.st_mtime_ns
    return f"{__version__}:{count}:{size}:{times}"
