"""Safety flags: every risk item scored >= 1, until a clinician records a risk review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.models import Administration, Course


@dataclass(frozen=True)
class SafetyFlag:
    session: int  # 0 is the baseline
    date: dt.date
    instrument: str
    item: int
    score: int
    reviewed: bool
    urgent: bool
    maintenance: bool = False

    @property
    def where(self) -> str:
        if self.maintenance:
            return f"maintenance session {self.session}"
        return "baseline" if self.session == 0 else f"session {self.session}"

    @property
    def label(self) -> str:
        name = INSTRUMENTS[self.instrument].name
        urgent = " URGENT" if self.urgent else ""
        return (
            f"{name} item {self.item} = {self.score}{urgent} at {self.where} "
            f"({self.date.isoformat()})"
        )


def _flags_of(number: int, sitting: Administration, maintenance: bool = False) -> list[SafetyFlag]:
    flags = []
    for instrument_id, item, score in sitting.risk_scores():
        urgent_at = INSTRUMENTS[instrument_id].urgent_risk
        flags.append(
            SafetyFlag(
                session=number,
                date=sitting.date,
                instrument=instrument_id,
                item=item,
                score=score,
                reviewed=sitting.risk_review is not None,
                urgent=urgent_at is not None and score >= urgent_at,
                maintenance=maintenance,
            )
        )
    return flags


def safety_flags(course: Course) -> list[SafetyFlag]:
    flags = _flags_of(0, course.baseline) if course.baseline else []
    for number, session in enumerate(course.sessions, 1):
        flags.extend(_flags_of(number, session))
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            flags.extend(_flags_of(number, session, maintenance=True))
    return flags


def unreviewed(course: Course) -> list[SafetyFlag]:
    return [flag for flag in safety_flags(course) if not flag.reviewed]


def review_command(course_id: str, flag: SafetyFlag) -> str:
    """The command that records a review of this flag's session, ready to complete."""
    ref = f"m{flag.session}" if flag.maintenance else str(flag.session)
    return f"ipt risk-review {course_id} --session {ref} --note ..."
