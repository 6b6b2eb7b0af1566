"""Dates typed by people, and the one range every stored date must fall in."""

from __future__ import annotations

import datetime as dt
import re

from ipt_cli.errors import InputError

# The dates a record can hold (models.Day): anything outside is a typing slip, and would
# overflow date arithmetic.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
MONTH = re.compile(r"\d{4}-\d{2}")  # YYYY-MM: a month-only date


def check_in_range(day: dt.date, what: str = "date") -> dt.date:
    """The one rule, and the one message, for a date out of range: options, prompts and
    IPT_TODAY alike."""
    if day < EARLIEST:
        raise InputError(f"{what} {day.isoformat()} is before 1900: check the year")
    if day > LATEST:
        raise InputError(f"{what} {day.isoformat()} is after 2199: check the year")
    return day


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
    return check_in_range(day, what)


def parse_day_or_month(text: str, what: str = "date") -> tuple[dt.date, str | None]:
    """YYYY-MM-DD, or YYYY-MM when only the month is known: (the day, or the 1st of the
    month, and the precision: None for a day, "month" for a month)."""
    cleaned = text.strip()
    if MONTH.fullmatch(cleaned):
        try:
            day = dt.date(int(cleaned[:4]), int(cleaned[5:]), 1)
        except ValueError:
            raise InputError(f"{what} {text!r} is not a month in the form YYYY-MM") from None
        return check_in_range(day, what), "month"
    try:
        day = dt.date.fromisoformat(cleaned)
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not a date in the form YYYY-MM-DD (or YYYY-MM for a month)"
        ) from None
    return check_in_range(day, what), None


def month_or_day(day: dt.date, precision: str | None) -> str:
    """A date as precise as it is known."""
    return day.strftime("%Y-%m") if precision == "month" else day.isoformat()


def act_date(made: dt.date | None, today: dt.date, earliest: dt.date, before_what: str) -> dt.date:
    """The day a dated act (an agreement, a contract change, a rating, a comment) was done:
    `made` (`--date`) or today; never after today, never before `earliest` (the course's
    first sitting, or the session it is about, as `before_what` words it). Without `made`,
    today, unchecked, as before `--date` existed."""
    if made is None:
        return today
    when = made
    if when > today:
        raise InputError(
            f"--date {when.isoformat()} is after today ({today.isoformat()}): record it on or "
            "after the day it was done"
        )
    if when < earliest:
        raise InputError(f"--date {when.isoformat()} is before {before_what}")
    return when


def parse_time(text: str, what: str = "time") -> dt.time:
    """A clock time typed as HH:MM (24-hour)."""
    try:
        parsed = dt.datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise InputError(f"{what} {text!r} is not a time in the form HH:MM (24-hour)") from None
    return parsed.time()
