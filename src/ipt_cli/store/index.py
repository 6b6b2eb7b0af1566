"""A summary index for `ipt list`: one row per course, reused while the file is unchanged.

Never the source of truth, and never stale: each row is keyed on its file's inode, size,
modification and change times, and the whole index on ipt's version and the scoring rules.
Never trusted unless it is a regular file of this user's that no one else can write (a
forged index owned by someone else, or left writable to all, is ignored and rebuilt).
A missing or damaged index is rebuilt; it is written atomically with mode 0600.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipt_cli import __version__
from ipt_cli.core.course_row import CACHE_FIELDS, CourseRow
from ipt_cli.errors import DataError, IdentityError, IptError
from ipt_cli.store.identity import NO_FILE, file_identity
from ipt_cli.store.ownership import COURSE_LIMIT, check_folder, open_private, read_fd
from ipt_cli.store.paths import DataPaths
from ipt_cli.store.workers import Progress, map_shared

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

INDEX_VERSION = 11  # 2: outcome alerts; 3: an entry is one list; 4: outcome and follow-ups;
# 5: the risk state's level, urgency and oldest unreviewed flag (issue 26); 9: one entry a
# line, read a line at a time; 10: the outcome's other depression screen (PHQ-A, EPDS);
# 11: how many unreviewed flags are URGENT (the Flags cell's '2 (1 URGENT)')
KEY_LENGTH = 4  # inode, size, modification and change times (store.identity)
HEAD = '{"fingerprint": '
ENTRIES = ', "entries": {'
END = "}}"


def index_text(fingerprint: str, entries: Iterable[tuple[str, list[Any]]]) -> str:
    """The index as stored: one JSON document, `{"fingerprint": ..., "entries": {name:
    entry, ...}}`, laid out one entry a line (so that it is read a line at a time, never
    held whole; a 10,000-course index parsed whole took 15 MiB)."""
    lines = [f"{HEAD}{json.dumps(fingerprint)}{ENTRIES}"]
    lines += [f"{json.dumps(name)}: {json.dumps(entry)}," for name, entry in entries]
    if len(lines) > 1:
        lines[-1] = lines[-1].removesuffix(",")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _read_index(path: Path, fingerprint: str, cipher: Cipher | None) -> Iterator[Entry]:
    """The index's entries, in its order, read a line at a time; none when it is not ours
    to trust (missing, a link, a FIFO, another user's, writable by others), belongs to
    another fingerprint or is not laid out as index_text lays it out (then rebuilt). A
    damaged line ends the entries there."""
    try:
        fd = open_private(path, follow=False)
    except IptError:
        return  # missing, a link, a FIFO, another user's: rebuilt
    try:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) & 0o022 or info.st_size > COURSE_LIMIT:
            return  # others could have written it; or it is no index of ours
        if cipher is not None:
            try:
                opened = cipher.decrypt(read_fd(fd), path)
            except (DataError, IdentityError):
                # damaged or truncated (age says "cannot decrypt" then too): rebuilt; a
                # wrong identity is still refused, by the first course file read
                return
            yield from _entries(io.BytesIO(opened), fingerprint)
        else:
            with os.fdopen(fd, "rb", buffering=1 << 16, closefd=False) as lines:
                yield from _entries(lines, fingerprint)
    except OSError:
        return
    finally:
        os.close(fd)


Entry = tuple[str, Any]


def _entries(lines: Iterable[bytes], fingerprint: str) -> Iterator[Entry]:
    """(name, entry) of each line between the head and the end (see index_text)."""
    lines = iter(lines)
    head = next(lines, b"").decode("ascii", "replace").rstrip("\n")
    if not (head.startswith(HEAD) and head.endswith(ENTRIES)):
        return
    scan = _DECODER.raw_decode  # one JSON value at a position: the name, then the entry
    try:
        if json.loads(head[len(HEAD) : -len(ENTRIES)]) != fingerprint:
            return
        for raw in lines:
            line = raw.decode("utf-8").rstrip("\n")
            if line == END:
                return
            name, end = scan(line, 0)
            if not isinstance(name, str) or line[end : end + 2] != ": ":
                return
            entry, end = scan(line, end + 2)
            if line[end:] not in ("", ","):
                return
            yield name, entry
    except (ValueError, RecursionError):
        return


_DECODER = json.JSONDecoder()


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

    The index is read a line at a time beside the sorted names (it is written in their
    order): only the rows are held, never the whole index (an encrypted one is decrypted
    whole first). An entry out of that order, or
    of a file that is gone, is not used, and the index is written again.

    In an encrypted folder (`cipher` given) the course files end in .toml.age and the index
    itself is age-encrypted: the client alias and scores never rest in plain text. (Its
    files are read in this process only: the decryption library is not forked.)"""
    if not courses.is_dir():
        return []
    fingerprint = f"{INDEX_VERSION}:{__version__}:{rules_fingerprint}"
    names, keys = _course_files(courses, suffix)
    rows: list[CourseRow | None] = [None] * len(names)
    n, stale = 0, False  # the next name to match; an entry was not used
    words: dict[str, str] = {}
    for name, cached in _read_index(index_path, fingerprint, cipher):
        while n < len(names) and names[n] < name:
            n += 1
        if n == len(names) or names[n] != name:
            stale = True  # a file that is gone, or an entry out of order
            continue
        if type(cached) is list and cached[:KEY_LENGTH] == keys[n]:
            try:  # the id is the file's: a row always describes the file it is filed under
                data = cached[KEY_LENGTH:]
                _share(data, words)
                rows[n] = CourseRow.from_cache(name[: -len(suffix)], data)
            except (TypeError, ValueError):
                pass
        n += 1
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
    done = [row for row in rows if row is not None]
    if missing or stale:
        entries = (
            (name, [*key, *row.to_cache()])
            for name, key, row in zip(names, keys, done, strict=True)
        )
        _write_index(index_path, index_text(fingerprint, entries), cipher)
    return done


# Where a row's words are (CACHE_FIELDS): its phase, primary measure and risk level, and
# the measures and bands of its latest scores.
_WORDS = tuple(CACHE_FIELDS.index(name) for name in ("phase", "primary", "risk_level"))
_LATEST = CACHE_FIELDS.index("latest")


def _share(data: list[Any], words: dict[str, str]) -> None:
    """Make the words of a cached row (a phase, a measure, a band) one object for every row
    that holds them, not one each as the JSON decoder makes them: 3 MiB of 10,000 rows."""
    if len(data) != len(CACHE_FIELDS):
        return  # not a row: from_cache says so
    for at in _WORDS:
        word = data[at]
        if type(word) is str:
            data[at] = words.setdefault(word, word)
    for score in data[_LATEST] if type(data[_LATEST]) is list else ():
        if type(score) is list and len(score) == 3:
            measure, _, band = score
            if type(measure) is str:
                score[0] = words.setdefault(measure, measure)
            if type(band) is str:
                score[2] = words.setdefault(band, band)


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


def _write_index(path: Path, text: str, cipher: Cipher | None) -> None:
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
            raw = text.encode("ascii")
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
