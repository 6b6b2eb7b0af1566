"""Pydantic's errors in words a user can act on: the option or field, never the value typed.

The models hold the rules (ranges, choices, cross-field checks); this module only says what
broke, naming the command-line option the user typed when there is one
(`--sessions: must be 4-30`) and the stored field otherwise (`baseline.phq9.items: ...`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

SAFE_KEY = re.compile(r"[a-z_][a-z0-9_-]{0,39}")  # the shape of our field names

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
) -> list[str]:
    """One 'where: what' line per problem. `model` lets a range name both of its ends;
    `options` names the option a top-level field came from. The input value is never
    echoed, nor a key that does not look like a field name (it could be part of a note)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        loc = problem["loc"]
        where = _where(loc, options or {})
        field = loc[0] if len(loc) == 1 and isinstance(loc[0], str) else None
        lines.append(f"{where}: {_what(problem, _bounds(model, field))}")
    return lines


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
