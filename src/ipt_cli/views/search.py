"""`ipt search` results: one line per match, the match highlighted on a terminal and plain
on a pipe, or JSON for scripts.

Written as text with the two ANSI styles it needs rather than through Rich: a search can
print thousands of lines, which Rich lays out cell by cell, and Rich's import alone costs
a search across a thousand courses a fifth of its time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ipt_cli.core.search import Hit

BOLD, HIGHLIGHT, RESET = "\x1b[1m", "\x1b[1;7m", "\x1b[0m"


def hit_prefix(hit: Hit) -> str:
    entry = hit.entry
    date = entry.date.isoformat() if entry.date else "-"
    return f"{entry.place}  {date}  {entry.label}: "


def hit_line(hit: Hit, styled: bool) -> str:
    """One result: course, place, date, what the text is, and the matching line."""
    if not styled:
        return f"{hit.entry.course_id}  {hit_prefix(hit)}{hit.line}\n"
    parts, done = [f"{BOLD}{hit.entry.course_id}{RESET}  {hit_prefix(hit)}"], 0
    for start, end in hit.spans:
        parts += [hit.line[done:start], HIGHLIGHT, hit.line[start:end], RESET]
        done = end
    parts += [hit.line[done:], "\n"]
    return "".join(parts)


def hits_json(hits: list[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "course_id": hit.entry.course_id,
            "field": hit.entry.field,
            "session": hit.entry.session,
            "maintenance": hit.entry.maintenance,
            "date": hit.entry.date.isoformat() if hit.entry.date else None,
            "label": hit.entry.label,
            "line": hit.line,
            "matches": [list(span) for span in hit.spans],
        }
        for hit in hits
    ]


def styled(stream: IO[str]) -> bool:
    """Highlight on a terminal, as Rich decides for every other command (FORCE_COLOR,
    NO_COLOR, TERM=dumb), without importing Rich for it."""
    environ = os.environ
    if environ.get("NO_COLOR") or environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def hit_chunks(hits: Iterable[Hit], styled: bool, size: int = 500) -> Iterator[str]:
    """The result lines, `size` at a time."""
    chunk: list[str] = []
    for hit in hits:
        chunk.append(hit_line(hit, styled))
        if len(chunk) == size:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
