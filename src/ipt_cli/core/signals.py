"""The measurement-based-care signals a list row carries (core/tracking.py computes them).
Light on purpose, like core/course_row.py: no pydantic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipt_cli.core.structs import struct

NOT_ON_TRACK_ADVICE = (
    "revisit the problem area and the formulation, review medication, and consider "
    "another treatment at the ending if there is still no response (Weissman, Markowitz & "
    "Klerman 2018)"
)
SIGN_WITHIN_DAYS = 3  # [record] sign_within_days


@struct(frozen=True)
class NotOnTrack:
    instrument: str  # the measure's name, e.g. "PHQ-9"
    baseline: int
    latest: int
    session: int  # the session number of the latest score
    needed: int  # the reliable-change points the measure needs

    @property
    def text(self) -> str:
        return (
            f"not on track: {self.instrument} {self.baseline} -> {self.latest} at session "
            f"{self.session}, no reliable improvement ({self.needed} points) at or after "
            f"the middle of the course: {NOT_ON_TRACK_ADVICE}"
        )

    def to_cache(self) -> list[Any]:
        return [self.instrument, self.baseline, self.latest, self.session, self.needed]

    @classmethod
    def from_cache(cls, data: list[Any]) -> NotOnTrack:
        instrument, baseline, latest, session, needed = data
        return cls(instrument, baseline, latest, session, needed)


def days_over(gap: tuple[dt.date, int], today: dt.date) -> int | None:
    """The days waited since `gap`'s date when they exceed its allowance, else None."""
    last, allowed = gap
    waited = (today - last).days
    return waited if waited > allowed else None


def overdue_text(gap: tuple[dt.date, int], waited: int) -> str:
    # "appointment": the date may be a missed one (the rule counts from the last held or
    # missed); "no session since" a missed appointment's date read as the last one held
    return (
        f"no appointment, held or missed, for {waited} days since {gap[0].isoformat()} "
        f"(the cadence allows {gap[1]})"
    )


def overdue_signatures(
    unsigned: list[int], today: dt.date, within_days: int = SIGN_WITHIN_DAYS
) -> list[str]:
    """The sessions in `unsigned` (see `pack_unsigned`) held more than `within_days` before
    today, as ipt's commands name them: "3", or "m1" for maintenance session 1."""
    if not unsigned:
        return []
    first, pairs = unsigned[0], unsigned[1:]
    waited = today.toordinal() - first
    return [
        session_label(pairs[n])
        for n in range(0, len(pairs), 2)
        if waited - pairs[n + 1] > within_days
    ]


def session_label(number: int) -> str:
    """A packed session number as commands take it: 3 -> "3", -1 -> "m1" (maintenance)."""
    return str(number) if number > 0 else f"m{-number}"


def pack_unsigned(sessions: list[tuple[int, dt.date]]) -> list[int]:
    """Unsigned sessions (number, date) as the list index keeps them: the earliest date as
    a day number, then each session's number (maintenance session N as -N) and its days
    after that date."""
    if not sessions:
        return []
    first = min(held for _, held in sessions).toordinal()
    return [first, *(n for number, held in sessions for n in (number, held.toordinal() - first))]
