"""When a session may be dated: rules that catch a mistyped date before it moves the plan.

A held session or a missed appointment is refused when it is dated before 1900, before the
course started or after today, and when it falls on the day of another held session (or a
held and a missed one share a day) unless the clinician says a second sitting that day is
intended (`--same-day`). See docs/clinical-rules.md.
"""

from __future__ import annotations

import datetime as dt

from ipt_cli.core.dates import EARLIEST
from ipt_cli.core.models import Course
from ipt_cli.errors import InputError


def check_date(
    course: Course,
    date: dt.date,
    today: dt.date,
    *,
    same_day: bool = False,
    missed: bool = False,
    what: str = "--date",
) -> None:
    """Raise InputError (exit 2) when `date` cannot be the date of a sitting of `course`."""
    check_bounds(course, date, today, what)
    if same_day:
        return
    clash = same_day_clash(course, date, missed)
    if clash:
        raise InputError(
            f"{clash} is already recorded on {date.isoformat()}; if another one that day is "
            "intended, add --same-day"
        )


def check_bounds(course: Course, date: dt.date, today: dt.date, what: str = "--date") -> None:
    """Not before 1900, not before the course started, not after today."""
    shown = date.isoformat()
    if date < EARLIEST:
        raise InputError(f"{what} {shown} is before 1900: check the year")
    if date > today:
        raise InputError(
            f"{what} {shown} is after today ({today.isoformat()}): record a session, or a "
            "missed appointment, on or after its day"
        )
    if date < course.start_date:
        raise InputError(
            f"{what} {shown} is before the course started ({course.start_date.isoformat()})"
        )


def same_day_clash(course: Course, date: dt.date, missed: bool = False) -> str | None:
    """What already sits on `date` and clashes: a held session (with a session or a missed
    appointment), or a missed appointment (with a held session)."""
    for number, session in course.numbered_sessions():
        if session.date == date:
            return f"session {number}"
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            if session.date == date:
                return f"maintenance session {number}"
    if not missed and any(m.date == date for m in course.missed):
        return "a missed appointment"
    return None
