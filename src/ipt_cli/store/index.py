"""A summary index for `ipt list`: one row per course, reused while the file is unchanged.

Never the source of truth, and never stale: each row is keyed on its file's inode, size,
modification and change times, and the whole index on ipt's version and the scoring rules.
Never trusted unless it is a regular file of this user's that no one else can write (a
forged index owned by someone else, or left writable to all, is ignored and rebuilt).
A missing or damaged index is rebuilt; it is written atomically with mode 0600.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipt_cli import __version__
from ipt_cli.core.course_row import CourseRow
from ipt_cli.errors import IptError
from ipt_cli.store.identity import NO_FILE, file_identity
from ipt_cli.store.ownership import COURSE_LIMIT, check_folder, open_private, read_fd
from ipt_cli.store.paths import DataPaths
from ipt_cli.store.workers import Progress, map_shared

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

INDEX_VERSION = 8  # 2: outcome alerts; 3: an entry is one list; 4: outcome and follow-ups;
# 5: the risk state's level, urgency and oldest unreviewed flag (issue 26)
KEY_LENGTH = 4  # inode, size, modification and change times (store.identity)


def _read_index(path: Path, fingerprint: str, cipher: Cipher | None) -> dict[str, Any]:
    try:
        fd = open_private(path, follow=False)
    except IptError:
        return {}  # missing, a link, a FIFO, another user's: rebuilt
    try:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) & 0o022 or info.st_size > COURSE_LIMIT:
            return {}  # others could have written it; or it is no index of ours
        raw = read_fd(fd)
        if cipher is not None:
            raw = cipher.decrypt(raw, path)  # a wrong identity is refused, not ignored
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(fd)
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def cached_rows(
    courses: Path,
    index_path: Path,
    rules_fingerprint: str,
    compute: Callable[[Path], CourseRow],
    *,
    suffix: str = ".toml",
    cipher: Cipher | None = None,
    progress: Progress | None = None,
) -> list[CourseRow]:
    """Rows for every course file, in the order of their names; `compute` is called only for
    new or changed files. Many of them (a cold index, as after copying a data folder) are
    shared out over the CPUs (store/workers.py: the same rows and errors as one by one);
    `progress(done, total)` is told after each.

    In an encrypted folder (`cipher` given) the course files end in .toml.age and the index
    itself is age-encrypted: the client alias and scores never rest in plain text. (Its
    files are read in this process only: the decryption library is not forked.)"""
    if not courses.is_dir():
        return []
    fingerprint = f"{INDEX_VERSION}:{__version__}:{rules_fingerprint}"
    old = _read_index(index_path, fingerprint, cipher)
    names, keys = _course_files(courses, suffix)
    entries: list[Any] = []
    rows: list[CourseRow | None] = []
    for name, key in zip(names, keys, strict=True):
        cached = old.get(name)
        row = None
        if type(cached) is list and cached[:KEY_LENGTH] == key:
            try:  # the id is the file's: a row always describes the file it is filed under
                row = CourseRow.from_cache(name[: -len(suffix)], cached[KEY_LENGTH:])
            except (TypeError, ValueError):
                row = None
        entries.append(cached if row is not None else None)  # a hit is kept as it was read
        rows.append(row)
    missing = [n for n, row in enumerate(rows) if row is None]
    try:
        computed = map_shared(
            [courses / names[n] for n in missing],
            compute,
            _row_data,
            _row_of,
            progress=progress,
            processes=1 if cipher is not None else None,
        )
    except BaseException:
        if progress is not None:  # a finished count erases the bar: the error gets a clean line
            progress(len(missing), len(missing))
        raise
    for n, row in zip(missing, computed, strict=True):
        rows[n] = row
        entries[n] = [*keys[n], *row.to_cache()]
    if missing or len(names) != len(old):
        fresh = dict(zip(names, entries, strict=True))
        _write_index(index_path, {"fingerprint": fingerprint, "entries": fresh}, cipher)
    return [row for row in rows if row is not None]


def _row_data(row: CourseRow) -> list[Any]:
    return [row.course_id, *row.to_cache()]


def _row_of(data: list[Any]) -> CourseRow:
    return CourseRow.from_cache(data[0], data[1:])


def _course_files(courses: Path, suffix: str) -> tuple[list[str], list[list[Any]]]:
    """The course files' names, sorted, and their identities (a symlink's target's: what is
    read), stat'ed relative to the folder (10,000 files: about a fifth faster than by path)."""
    names = sorted(n for n in os.listdir(courses) if n.endswith(suffix) and not n.startswith("."))
    try:
        folder = os.open(courses, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return names, [file_identity(courses / n) or NO_FILE for n in names]
    try:
        return names, [file_identity(n, folder) or NO_FILE for n in names]
    finally:
        os.close(folder)


def _write_index(path: Path, data: dict[str, Any], cipher: Cipher | None) -> None:
    """Write the index under its lock (see DataPaths.index_lock); when another process
    holds it, or the folder is read-only, the index is simply not refreshed this time."""
    # lazy: keeps store.files (17 modules) off start-up
    from ipt_cli.store.files import (
        atomic_write,
        holds_folder_lock,
        make_private_dir,
        try_folder_shared,
        try_lock_file,
    )

    paths = DataPaths(path.parent)
    try:
        check_folder(paths.locks)
        make_private_dir(paths.locks)
        # Never beside a folder-wide change (ipt encrypt, decrypt, re-key): the index
        # would be written in the folder's old form after its switch.
        folder = None if holds_folder_lock(paths.locks) else try_folder_shared(paths.locks)
        if folder is None and not holds_folder_lock(paths.locks):
            return
        fd = try_lock_file(paths.index_lock)
        try:
            if fd is None or path != paths.index or (cipher is not None) != paths.encrypted:
                return  # busy, or the folder changed form since this command read it
            raw = json.dumps(data, ensure_ascii=True).encode("utf-8")
            if cipher is not None and cipher.mode == "x25519":
                # lazy: keeps tomli off start-up
                from ipt_cli.store.crypto import cipher_for

                # The recipients as they are now, under the folder lock: never a key that
                # `ipt recipients remove` took out while this command was reading.
                cipher = cipher_for(paths.root) or cipher
            atomic_write(path, raw if cipher is None else cipher.encrypt(raw))
        finally:
            for held in (fd, folder):
                if held is not None:
                    os.close(held)
    except IptError:
        pass  # the index is only a speed-up; a read-only folder must not break `ipt list`
