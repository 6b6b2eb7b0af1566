"""Pydantic's errors in words a user can act on: the option or field (and, in a stored file,
its line), never the value typed or stored.

The models hold the rules (ranges, choices, cross-field checks); this module only says what
broke, naming the command-line option the user typed when there is one
(`--sessions: must be 4-30`) and the stored field otherwise (`baseline.phq9.items: ...`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

SAFE_KEY = re.compile(r"[a-z_][a-z0-9_-]{0,39}")  # the shape of our field names
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")

Loc = Sequence[str | int]

# Stored field -> the option that sets it, for the commands that build whole records.
COURSE_OPTIONS = {
    "client": "--client",
    "start_date": "--start",
    "planned_sessions": "--sessions",
    "cadence": "--cadence",
    "kind": "--kind",
    "problem_areas": "--problem-area",
    "dispute_stage": "--dispute-stage",
    "condition": "--condition",
    "initial_sessions": "--initial-sessions",
    "termination_sessions": "--termination-sessions",
    "adaptation": "--adaptation",
    "guardian": "--guardian",
}
SESSION_OPTIONS = {
    "date": "--date",
    "note": "--note",
    "mood": "--mood",
    "events": "--events",
    "focus": "--focus",
    "techniques": "--technique",
    "strategies": "--strategy",
    "goal_ratings": "--goal",
    "dispute_stage": "--dispute-stage",
    "task": "--task",
    "task_outcome": "--task-outcome",
    "attendees": "--attendee",
}
MAINTENANCE_OPTIONS = {
    "planned_sessions": "--sessions",
    "cadence": "--cadence",
    "start_date": "--start",
}
RISK_REVIEW_OPTIONS = {
    "note": "--note",
    "plan": "--plan",
    "by": "--by",
    "ideation": "--ideation",
    "plan_made": "--plan-made",
    "intent": "--intent",
    "means": "--means",
    "protective": "--protective",
    "level": "--level",
    "actions": "--action",
}
GOAL_OPTIONS = {"id": "--id", "text": "--text", "area": "--area"}
PERSON_OPTIONS = {
    "name": "--name",
    "relationship": "--relationship",
    "ring": "--ring",
    "contact": "--contact",
    "satisfying": "--satisfying",
    "unsatisfying": "--unsatisfying",
    "changes_wanted": "--changes-wanted",
    "tags": "--tag",
}


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


TYPE_WORDS = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "must be a date (YYYY-MM-DD) without a time",
    "datetime_type": "must be a date and time",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "missing": "is required",
    "extra_forbidden": "is not a field ipt knows",
    "string_pattern_mismatch": "has a line break or characters not allowed here",
    "string_too_short": "must not be empty",
}


def describe_validation(
    error: ValidationError,
    model: type[BaseModel] | None = None,
    options: Mapping[str, str] | None = None,
    text: str | None = None,
) -> list[str]:
    """One 'where: what' line per problem. `model` lets a range name both of its ends;
    `options` names the option a top-level field came from; `text`, the stored document
    validated, adds the field's line. The input value is never echoed, nor a key that does
    not look like a field name (it could be part of a note)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        loc = problem["loc"]
        where = _where(loc, options or {})
        field = loc[0] if len(loc) == 1 and isinstance(loc[0], str) else None
        line = toml_line(text, loc) if text is not None and loc else None
        at = f" (line {line})" if line else ""
        what = _what(problem, _bounds(model, field))
        if problem["type"] == "extra_forbidden" and model is not None:
            what += _did_you_mean(model, loc)
        lines.append(f"{where}: {what}{at}")
    return lines


def _did_you_mean(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """'; did you mean signer?' for a misspelt key, from the fields of the table it is in."""
    typed = loc[-1] if loc else None
    if not isinstance(typed, str) or not SAFE_KEY.fullmatch(typed):
        return ""
    table: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(table, type) and issubclass(table, BaseModel)):
            return ""
        info = table.model_fields.get(part)
        if info is None:
            return ""
        table = _model_in(info.annotation)
    if not (isinstance(table, type) and issubclass(table, BaseModel)):
        return ""
    near = difflib.get_close_matches(typed, list(table.model_fields), n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


def _model_in(annotation: Any) -> Any:
    """The model class inside `X`, `X | None`, `list[X]` or `dict[str, X]`, else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _where(loc: tuple[int | str, ...], options: Mapping[str, str]) -> str:
    if loc and isinstance(loc[0], str) and loc[0] in options:
        return options[loc[0]]  # the option names the field; an index into it adds nothing
    where = ""
    for part in loc:
        if isinstance(part, int):
            where += f"[{part}]"
            continue
        name = part if SAFE_KEY.fullmatch(part) else "<unknown key>"
        where += f".{name}" if where else name
    return where or "course"


def _bounds(model: type[BaseModel] | None, field: str | None) -> tuple[Any, Any]:
    """The (low, high) a model's numeric field allows, from its Field(ge=, le=)."""
    if model is None or field is None or field not in model.model_fields:
        return None, None
    low = high = None
    annotation = model.model_fields[field]
    metadata = list(annotation.metadata)
    for arg in getattr(annotation.annotation, "__args__", ()):  # `X | None`
        metadata += getattr(arg, "__metadata__", ())
    for nested in [m for m in metadata if isinstance(m, FieldInfo)]:
        metadata += nested.metadata
    for item in metadata:
        if isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Le):
            high = item.le
    return low, high


def _what(problem: Any, bounds: tuple[Any, Any]) -> str:
    kind = problem["type"]
    context = problem.get("ctx") or {}
    low, high = bounds
    if kind in ("greater_than_equal", "less_than_equal") and low is not None and high is not None:
        return f"must be {low}-{high}"
    if kind == "greater_than_equal":
        return f"must be at least {context.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {context.get('le')}"
    if kind == "literal_error":
        return f"must be one of {context.get('expected')}"
    if kind == "too_short":
        return f"needs at least {context.get('min_length')}"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters"
    if kind == "too_long":
        return f"takes at most {context.get('max_length')}"
    if kind in TYPE_WORDS:
        return TYPE_WORDS[kind]
    return str(problem["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
