"""The appointments a course still has to hold: what a calendar shows. Pure.

Each appointment is named by its place in the contract (acute session 5 of 12, maintenance
session 2 of 12), never by anything clinical, so that a calendar can hold it safely.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ipt_cli.core.models import ContractChange, Course
from ipt_cli.core.planning import add_intervals, maintenance_upcoming, upcoming_dates
from ipt_cli.core.structs import struct

Track = Literal["acute", "maintenance"]


@struct(frozen=True)
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
    sessions a smaller contract dropped (marked cancelled, so a calendar that holds them
    from an earlier export removes them)."""
    held = course.sessions_used  # missed group sessions keep their numbers
    upcoming = upcoming_dates(course)
    found = [
        Appointment("acute", held + 1 + offset, course.planned_sessions, date)
        for offset, date in enumerate(upcoming)
    ]
    seen = [s.date for s in course.sessions] + [m.date for m in course.missed]
    last = upcoming[-1] if upcoming else max(seen, default=course.start_date)
    dropped = _dropped(
        "acute", course.planned_sessions, held, course.contract_changes, last, course.cadence
    )
    plan = course.maintenance
    if plan is not None:
        done = len(plan.sessions)
        later = maintenance_upcoming(course)
        found += [
            Appointment("maintenance", done + 1 + offset, plan.planned_sessions, date)
            for offset, date in enumerate(later)
        ]
        last = later[-1] if later else max([s.date for s in plan.sessions], default=last)
        dropped += _dropped(
            "maintenance", plan.planned_sessions, done, plan.contract_changes, last, plan.cadence
        )
    return found + dropped


def _dropped(
    track: Track,
    planned: int,
    held: int,
    changes: list[ContractChange],
    last: dt.date,
    cadence: str,
) -> list[Appointment]:
    """Sessions beyond the current contract that an earlier, larger one planned, dated on
    from the last planned (or held) one."""
    most = max([c.old for c in changes], default=0)
    first = max(planned, held) + 1
    return [
        Appointment(
            track, number, most, add_intervals(last, cadence, number - first + 1), cancelled=True
        )
        for number in range(first, most + 1)
    ]
