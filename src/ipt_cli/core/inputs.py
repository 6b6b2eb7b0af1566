"""Parsing of values typed on the command line or at a prompt. Pure; raises InputError."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from ipt_cli.core import measures
from ipt_cli.errors import InputError


def parse_scores(text: str, instrument: measures.Instrument) -> list[int]:
    """'1,2,0,...' (commas and/or spaces) -> item scores, checked against the instrument."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        items = [int(p) for p in parts]
    except ValueError:
        raise InputError(
            f"{instrument.name} scores must be whole numbers separated by commas, got {text!r}"
        ) from None
    try:
        measures.check_items(instrument, items)
    except ValueError as error:
        raise InputError(str(error)) from None
    return items


def parse_in_range(value: int, what: str, top: int) -> int:
    try:
        measures.check_range(what, value, top)
    except ValueError as error:
        raise InputError(str(error)) from None
    return value


def parse_goal_rating(text: str) -> tuple[str, int]:
    goal_id, sep, rating = text.partition("=")
    if not sep or not goal_id.strip():
        raise InputError(f"goal rating {text!r} must look like GOAL_ID=0..10")
    try:
        value = int(rating)
    except ValueError:
        raise InputError(f"goal rating {text!r}: the rating must be a whole number 0-10") from None
    return goal_id.strip(), parse_in_range(value, f"goal rating for {goal_id.strip()}", 10)


def parse_session_ref(text: str) -> tuple[bool, int]:
    """'3' -> acute session 3 (0 = baseline); 'm2' -> maintenance session 2."""
    cleaned = text.strip().lower()
    maintenance = cleaned.startswith("m")
    digits = cleaned[1:] if maintenance else cleaned
    if not digits.isdigit():
        raise InputError(
            f"session {text!r} must be a number (0 = baseline), mN for maintenance session N, "
            "or a date (YYYY-MM-DD)"
        )
    return maintenance, int(digits)


def check_choice(value: str, known: Collection[str], what: str) -> str:
    if value not in known:
        raise InputError(f"unknown {what} {value!r}; choose from: {', '.join(known)}")
    return value


ID_LENGTH = 40  # a suggested id stays short enough to type (the pattern allows 64)


def suggest_id(text: str, taken: Collection[str] = ()) -> str:
    """An id from words: 'Night Feeds' -> 'night-feeds' (accents dropped, other characters
    as hyphens, cut at a word within ID_LENGTH); '-2', '-3'... when it is taken; '' when
    nothing is left of the words."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    found = ""
    for word in words:
        longer = f"{found}-{word}" if found else word
        if len(longer) > ID_LENGTH:
            break
        found = longer
    if not found and words:
        found = words[0][:ID_LENGTH]
    if not found or found not in taken:
        return found
    number = 2
    while f"{found}-{number}" in taken:
        number += 1
    return f"{found}-{number}"
