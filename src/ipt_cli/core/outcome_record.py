"""One course's outcome record, as the list index keeps it (core/outcomes.py judges and
counts them). Light on purpose, like core/course_row.py: no pydantic, so that
`ipt outcomes` served from the index never pays for the models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipt_cli.core.structs import struct


@struct(frozen=True)
class CourseOutcome:
    """What `ipt outcomes` needs of one course: its first and last paired scores."""

    course_id: str
    client: str
    condition: str
    adaptation: str
    archived: bool
    signer: str | None  # who signed its latest signed session
    start: dt.date
    held: int  # sessions held (acute and maintenance)
    paired: int  # sittings with paired scores
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    depression_first: int | None = None  # PHQ-9
    depression_last: int | None = None
    anxiety: str | None = None  # the anxiety measure's id, when the course uses one
    anxiety_first: int | None = None
    anxiety_last: int | None = None
    # the course has ended: an ending recorded, archived, or every planned acute session
    # held (a course still in treatment has not "finished treatment")
    ended: bool = True
    # the depression screen it was measured with instead of the PHQ-9, when it has no PHQ-9
    # score at all ("PHQ-A" for an adolescent, "EPDS" for a perinatal course): the adult
    # definitions do not count it, and the counts say so
    other_screen: str | None = None

    @property
    def finished(self) -> bool:
        return self.ended and self.paired >= 2

    @property
    def in_treatment(self) -> bool:
        """Two paired scores or more, but the course goes on: not yet an outcome."""
        return not self.ended and self.paired >= 2

    @property
    def end(self) -> dt.date:
        """The date a course counts under for --since/--until: its last paired score, or
        its start when it has none."""
        return self.last_date or self.start

    def to_cache(self) -> list[Any]:
        return [
            self.client,
            self.condition,
            self.adaptation,
            self.archived,
            self.signer,
            self.start.isoformat(),
            self.held,
            self.paired,
            _iso(self.first_date),
            _iso(self.last_date),
            self.depression_first,
            self.depression_last,
            self.anxiety,
            self.anxiety_first,
            self.anxiety_last,
            self.ended,
            self.other_screen,
        ]

    @classmethod
    def from_cache(cls, course_id: str, data: list[Any]) -> CourseOutcome:
        (client, condition, adaptation, archived, signer, start, held, paired, first, last,
         d_first, d_last, anxiety, a_first, a_last, ended, other_screen) = data  # fmt: skip
        return cls(
            course_id, client, condition, adaptation, bool(archived), signer,
            dt.date.fromisoformat(start), held, paired, _date(first), _date(last),
            d_first, d_last, anxiety, a_first, a_last, bool(ended), other_screen,
        )  # fmt: skip


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
