"""Pydantic's errors in words a user can act on: the field, never the value typed."""

from __future__ import annotations

import re

from pydantic import ValidationError

SAFE_KEY = re.compile(r"[a-z_][a-z0-9_-]{0,39}")  # the shape of our field names


def describe_validation(error: ValidationError) -> list[str]:
    """One 'field.path: message' line per problem; the input value is never echoed, nor a
    key that does not look like a field name (it could be a fragment of a note)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ""
        for part in problem["loc"]:
            if isinstance(part, int):
                where += f"[{part}]"
                continue
            name = part if SAFE_KEY.fullmatch(part) else "<unknown key>"
            where += f".{name}" if where else name
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where or 'course'}: {message}")
    return lines
