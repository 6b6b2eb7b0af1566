"""The appointments a course still has to hold: what a calendar shows. Pure.

Each appointment is named by its place in the contract (acute session 5 of 12, maintenance
session 2 of 12), never by anything clinical, so that a calendar can hold it safely.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ipt_cli.core.models import Course
from ipt_cli.core.planning import add_intervals, maintenance_upcoming, upcoming_dates

Track = Literal["acute", "maintenance"]


@dataclass(frozen=True)
class Appointment:
    track: Track
    number: int  # 1-based within its track
    of: int  # the track's planned sessions
    date: dt.date
    cancelled: bool = False  # once contracted, since dropped by a renegotiation

    @property
    def key(self) -> str:
        """Stable within a course: the same session keeps it however its date moves."""
        return f"{self.track}-{self.number}"

    @property
    def title(self) -> str:
        kind = "session" if self.track == "acute" else "maintenance session"
        return f"{kind} {self.number} of {self.of}"


def planned_appointments(course: Course) -> list[Appointment]:
    """Sessions planned and not yet held (acute, then maintenance), in date order, then the
    acute sessions a smaller contract dropped (marked cancelled, so a calendar that holds
    them from an earlier export removes them)."""
    held = len(course.sessions)
    planned = course.planned_sessions
    upcoming = upcoming_dates(course)
    acute = [
        Appointment("acute", held + 1 + offset, planned, date)
        for offset, date in enumerate(upcoming)
    ]
    plan = course.maintenance
    maintenance = []
    if plan is not None:
        done = len(plan.sessions)
        maintenance = [
            Appointment("maintenance", done + 1 + offset, plan.planned_sessions, date)
            for offset, date in enumerate(maintenance_upcoming(course))
        ]
    return acute + maintenance + _dropped(course, upcoming)


def _dropped(course: Course, upcoming: list[dt.date]) -> list[Appointment]:
    """Acute sessions beyond the current contract that an earlier, larger one planned."""
    most = max([c.old for c in course.contract_changes], default=0)
    first = max(course.planned_sessions, len(course.sessions)) + 1
    if most < first:
        return []
    seen = [s.date for s in course.sessions] + [m.date for m in course.missed]
    anchor = upcoming[-1] if upcoming else max(seen, default=course.start_date)
    return [
        Appointment(
            "acute",
            number,
            most,
            add_intervals(anchor, course.cadence, number - first + 1),
            cancelled=True,
        )
        for number in range(first, most + 1)
    ]
