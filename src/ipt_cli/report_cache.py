"""Rendered reports kept for reuse, so that a repeated `ipt report` answers without
loading the models.

Never stale and never the source of truth: an entry is used only while everything the
report is drawn from is unchanged (the course file's inode, size, modification and change
times; the config file's; today's date; ipt's code) and only for the same output (format,
and for text the terminal's width, colours and encoding). Every write of a course through
ipt removes its entry, so an old rendering of since-edited notes does not linger. Entries
are written atomically with mode 0600 in <data>/cache; a damaged, foreign or unreadable
entry is ignored and replaced. IPT_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from ipt_cli.identity import code_fingerprint, file_identity
from ipt_cli.paths import DataPaths

CACHE_VERSION = 1
VARIANTS_KEPT = 4  # e.g. the terminal, a pipe, --format json, --format markdown


def enabled() -> bool:
    return os.environ.get("IPT_NO_CACHE", "") in ("", "0")


def source_key(paths: DataPaths, course_id: str, today: str) -> list[Any] | None:
    """What the report is drawn from, or None when there is no course file to key on.

    Take it before reading the course: a write that lands in between then only leaves an
    entry under a key that can never match again.
    """
    course = file_identity(paths.course_file(course_id))
    if course is None:
        return None
    return [CACHE_VERSION, code_fingerprint(), course, file_identity(paths.config), today]


def _read_entry(path: Path) -> dict[str, Any]:
    """The cache file's contents, or {} unless it is a regular file of this user's."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return {}
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    finally:
        os.close(fd)
    return data if isinstance(data, dict) else {}


def lookup(paths: DataPaths, course_id: str, source: list[Any], variant: str) -> str | None:
    entry = _read_entry(paths.report_cache(course_id))
    if entry.get("source") != source:
        return None
    variants = entry.get("variants")
    text = variants.get(variant) if isinstance(variants, dict) else None
    return text if isinstance(text, str) else None


def store(paths: DataPaths, course_id: str, source: list[Any], variant: str,
          text: str) -> None:
    """Keep `text`; a cache that cannot be written is skipped (it is only a speed-up)."""
    from ipt_cli.errors import IptError
    from ipt_cli.ownership import check_ownership
    from ipt_cli.storage import atomic_write, make_private_dir

    path = paths.report_cache(course_id)
    entry = _read_entry(path)
    old = entry.get("variants") if entry.get("source") == source else None
    others = [(k, v) for k, v in old.items() if k != variant] if isinstance(old, dict) else []
    variants = dict(others[-(VARIANTS_KEPT - 1):])  # the most recently stored ones
    variants[variant] = text
    try:
        check_ownership(paths.cache)
        make_private_dir(paths.cache)
        atomic_write(path, json.dumps({"source": source, "variants": variants},
                                      ensure_ascii=False).encode("utf-8"))
    except (IptError, OSError):
        pass


def forget(paths: DataPaths, course_id: str) -> None:
    """Remove a course's rendered reports (its file is being written or deleted)."""
    try:
        paths.report_cache(course_id).unlink(missing_ok=True)
    except OSError:
        pass  # never block a course write; a stale entry's key can no longer match
