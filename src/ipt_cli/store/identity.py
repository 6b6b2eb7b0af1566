"""A file's cheap identity, on which the `ipt list` index keys its rows."""

from __future__ import annotations

import os

NO_FILE = [None, None, None, None]  # the identity of what cannot be stat'ed (a dangling link)


def file_identity(path: str | os.PathLike[str], folder: int | None = None) -> list[int] | None:
    """Inode, size, modification and change times (a same-size edit with a restored
    mtime still moves the change time); None when there is no such file. `folder`: an open
    folder that `path` is relative to."""
    try:
        info = os.stat(path, dir_fd=folder)
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
