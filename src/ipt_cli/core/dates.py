"""Dates typed by people."""

from __future__ import annotations

import datetime as dt

from ipt_cli.errors import InputError

# The dates a record can hold (models.Day): anything outside is a typing slip.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        date = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
    if date < EARLIEST:
        raise InputError(f"{what} {date.isoformat()} is before 1900: check the year")
    if date > LATEST:
        raise InputError(f"{what} {date.isoformat()} is after 2199: check the year")
    return date


def parse_time(text: str, what: str = "time") -> dt.time:
    """A clock time typed as HH:MM (24-hour)."""
    try:
        parsed = dt.datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise InputError(f"{what} {text!r} is not a time in the form HH:MM (24-hour)") from None
    return parsed.time()
