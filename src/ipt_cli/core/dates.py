"""Dates typed by people."""

from __future__ import annotations

import datetime as dt

from ipt_cli.errors import InputError


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None


def parse_time(text: str, what: str = "time") -> dt.time:
    """A clock time typed as HH:MM (24-hour)."""
    try:
        parsed = dt.datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise InputError(f"{what} {text!r} is not a time in the form HH:MM (24-hour)") from None
    return parsed.time()
