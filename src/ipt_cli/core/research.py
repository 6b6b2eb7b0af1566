"""A course's scores as research data: one record per sitting (baseline, acute session,
maintenance session), with every instrument's items, total and band. Pure.

Nothing here carries free text: ids, dates, phases, problem areas and numbers only, so that
the CSV and FHIR renderings built on it cannot leak a note.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ipt_cli.core.measures import INSTRUMENTS, ScoringRules, severity
from ipt_cli.core.models import Administration, Course, ItemScores
from ipt_cli.core.planning import course_spans
from ipt_cli.core.structs import struct

Track = Literal["baseline", "acute", "maintenance"]


@struct(frozen=True)
class Score:
    instrument: str  # an id of measures.INSTRUMENTS: phq9, gad7, hamd17, bdi2
    items: tuple[tuple[int, int], ...]  # (1-based item number, score) for each item kept
    total: int
    severity: str | None  # None for an instrument without bands (PCL-5, Mini-SPIN, LSAS-SR)
    # the yes/no risk questions answered (the PHQ-A's): (field, answer)
    answers: tuple[tuple[str, bool], ...] = ()


@struct(frozen=True)
class ResearchRow:
    """One sitting (baseline, acute or maintenance session) as research data: where it falls
    in its course, and every instrument scored at it. A row of the CSV exports, a set of FHIR
    Observations."""

    course_id: str
    adaptation: str
    problem_area: str
    track: Track
    session: int  # 0 for the baseline; numbered within its track
    date: dt.date
    phase: str  # baseline, initial, middle, termination or maintenance
    scores: tuple[Score, ...]

    @property
    def event_name(self) -> str:
        """REDCap's unique event name for this sitting (events labelled "Baseline",
        "Session 1", ..., "Maintenance 1", ... in arm 1)."""
        if self.track == "baseline":
            return "baseline_arm_1"
        prefix = "session" if self.track == "acute" else "maintenance"
        return f"{prefix}_{self.session}_arm_1"

    def score(self, instrument: str) -> Score | None:
        return next((s for s in self.scores if s.instrument == instrument), None)


def adaptation(course: Course) -> str:
    """The course's adaptation: standard, brief, adolescent, perinatal, ipsrt or group. (How
    a course is delivered, clinician-led or self-guided, is not an adaptation: a column of
    that name read "clinician-led" for standard courses; issue 26, defect 15.)"""
    return course.adaptation


def scores(sitting: Administration, rules: ScoringRules) -> tuple[Score, ...]:
    found = []
    for instrument in INSTRUMENTS.values():
        total = sitting.total(instrument.id)
        if total is None:
            continue
        entry = sitting.score(instrument.id)
        items: tuple[tuple[int, int], ...] = ()
        if isinstance(entry, ItemScores):
            items = tuple(enumerate(entry.items, 1))
        elif (number := instrument.risk_item) is not None:  # the BDI-II keeps its item 9
            items = ((number, getattr(entry, f"item{number}")),)
        band = severity(total, rules.bands(instrument))
        answers = tuple(
            (q.field, answer)
            for q in instrument.risk_questions
            if (answer := getattr(entry, q.field)) is not None
        )
        found.append(Score(instrument.id, items, total, band, answers))
    return tuple(found)


def research_rows(course: Course, rules: ScoringRules) -> list[ResearchRow]:
    """A row for every sitting, in order: the baseline, the acute sessions, the maintenance
    ones."""
    area = "+".join(course.problem_areas)
    kind = adaptation(course)
    spans = course_spans(course)

    def make(track: Track, number: int, sitting: Administration, phase: str) -> ResearchRow:
        return ResearchRow(
            course.id, kind, area, track, number, sitting.date, phase, scores(sitting, rules)
        )

    found = [make("baseline", 0, course.baseline, "baseline")] if course.baseline else []
    for number, session in course.numbered_sessions():
        found.append(
            make("acute", number, session, spans.phase_of(number, course.planned_sessions))
        )
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            found.append(make("maintenance", number, session, "maintenance"))
    return found
