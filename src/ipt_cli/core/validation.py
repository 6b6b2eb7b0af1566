"""Pydantic's errors in words a user can act on: the field and its line, never the value."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError

SAFE_KEY = re.compile(r"[a-z_][a-z0-9_-]{0,39}")  # the shape of our field names
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")

Loc = Sequence[str | int]


def _table_path(parts: list[str], arrays: dict[tuple[str, ...], int]) -> tuple[str | int, ...]:
    """The path of a [table] or [[array]] header, with the current index of each array."""
    path: list[str | int] = []
    names: tuple[str, ...] = ()
    for part in parts:
        names += (part,)
        path.append(part)
        if names in arrays:
            path.append(arrays[names])
    return tuple(path)


def toml_line(text: str, loc: Loc) -> int | None:
    """The line of a TOML document that holds the field at `loc` (e.g. ('sessions', 2,
    'strategies', 0)): the deepest key or table header on its path. Best effort: a
    document ipt did not write may give None."""
    arrays: dict[tuple[str, ...], int] = {}
    table: tuple[str | int, ...] = ()
    best, best_depth = None, -1
    in_string: str | None = None
    target = tuple(loc)
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        path: tuple[str | int, ...] | None = None
        header = _HEADER.match(line)
        if header:
            parts = [p.strip() for p in header.group(2).split(".")]
            if header.group(1) == "[[":
                names = tuple(parts)
                arrays[names] = arrays.get(names, -1) + 1
                # A new element forgets the indices of arrays nested in the previous one.
                for nested in [
                    k for k in arrays if len(k) > len(names) and k[: len(names)] == names
                ]:
                    del arrays[nested]
            table = _table_path(parts, arrays)
            path = table
        else:
            key = _KEY.match(line)
            if key:
                path = (*table, key.group(1))
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2:
                        in_string = quote
        if path is not None and len(path) > best_depth and target[: len(path)] == path:
            best, best_depth = number, len(path)
    return best


def describe_validation(error: ValidationError, text: str | None = None) -> list[str]:
    """One 'field.path: message (line N)' line per problem. The input value is never
    echoed, nor a key that does not look like a field name (it could be a fragment of a
    note); `text`, the document validated, gives the line."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ""
        for part in problem["loc"]:
            if isinstance(part, int):
                where += f"[{part}]"
                continue
            name = part if SAFE_KEY.fullmatch(part) else "<unknown key>"
            where += f".{name}" if where else name
        line = toml_line(text, problem["loc"]) if text is not None and problem["loc"] else None
        at = f" (line {line})" if line else ""
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where or 'course'}: {message}{at}")
    return lines
