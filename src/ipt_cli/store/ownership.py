"""Whose files these are: refuse other users' files, warn about loose permissions.

Light on purpose (no models, no Rich): the cached report path checks a course file with
these before it serves a rendering, exactly as a full read would.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from ipt_cli.errors import UnsafeFileError
from ipt_cli.store.paths import DataPaths


def check_ownership(path: Path) -> None:
    """Refuse a path that is a symlink to, or is itself, another user's file or folder:
    someone else could read or swap what ipt writes there."""
    try:
        link = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(link.st_mode):
        try:
            target = path.stat()
        except FileNotFoundError:
            raise UnsafeFileError(f"{path} is a dangling symlink; refusing to use it") from None
        if target.st_uid != os.geteuid() or link.st_uid != os.geteuid():
            raise UnsafeFileError(
                f"{path} is a symlink to another user's file; refusing to follow it"
            )
    elif link.st_uid != os.geteuid():
        raise UnsafeFileError(f"{path} belongs to another user; refusing to use it")


def too_open(path: Path) -> bool:
    """Readable, writable or listable by anyone but the owner."""
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except OSError:
        return False


def check_private(paths: Iterable[Path], warn: Callable[[str], None], warned: set[Path]) -> None:
    """Ownership is refused outright; loose permissions only earn a warning (once each)."""
    for checked in paths:
        check_ownership(checked)
        if checked not in warned and too_open(checked):
            warned.add(checked)
            warn(
                f"warning: {checked} can be read by other users; run `ipt doctor --fix` to "
                "make it private"
            )


def check_course(
    paths: DataPaths, course_id: str, warn: Callable[[str], None], warned: set[Path]
) -> None:
    """The checks before any use of a course: its data folder, courses folder and file."""
    check_private((paths.root, paths.courses, paths.course_file(course_id)), warn, warned)
