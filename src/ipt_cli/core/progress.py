"""Pure aggregation of a course into a report: phase, measure trends, goals, flags.

The report is one model; text, Markdown and JSON are renderings of it (see render.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from ipt_cli.core import catalogue
from ipt_cli.core.course_row import CourseRow
from ipt_cli.core.measures import INSTRUMENTS, Band, Instrument, ScoringRules, outcome, severity
from ipt_cli.core.models import Administration, Course, Ending
from ipt_cli.core.planning import (
    course_phase,
    course_spans,
    current_dispute_stage,
    next_session_date,
)
from ipt_cli.core.safety import SafetyFlag, safety_flags, unreviewed


@dataclass(frozen=True)
class Point:
    session: int  # 0 is the baseline
    date: dt.date
    total: int
    severity: str


@dataclass(frozen=True)
class MeasureSummary:
    instrument: str
    name: str
    baseline: int | None
    latest: int | None
    change: int | None
    change_percent: float | None
    severity: str | None
    response: bool | None
    remission: bool | None
    reliable_change: bool | None
    series: list[Point]


@dataclass(frozen=True)
class GoalSummary:
    id: str
    text: str
    ratings: list[int]

    @property
    def latest(self) -> int | None:
        return self.ratings[-1] if self.ratings else None


@dataclass(frozen=True)
class TaskRow:
    session: int
    date: dt.date
    task: str
    outcome: str | None  # recorded at the next session


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    done: bool


@dataclass(frozen=True)
class Report:
    course: Course
    today: dt.date
    phase: str
    next_date: dt.date | None
    measures: dict[str, MeasureSummary]
    maintenance_measures: dict[str, MeasureSummary]
    dispute_stage: str | None
    flags: list[SafetyFlag]
    goals: list[GoalSummary]
    techniques: dict[str, int] = field(default_factory=dict)
    tasks: list[TaskRow] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)  # termination phase on

    @property
    def completed(self) -> bool:
        return self.phase == "completed"

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.done]

    @property
    def sessions_recorded(self) -> int:
        return len(self.course.sessions)

    @property
    def unreviewed_flags(self) -> list[SafetyFlag]:
        return [f for f in self.flags if not f.reviewed]


def sittings(course: Course) -> list[tuple[int, Administration]]:
    numbered: list[tuple[int, Administration]] = [(0, course.baseline)] if course.baseline else []
    return numbered + list(enumerate(course.sessions, 1))


def summarise_measure(
    course: Course, instrument: Instrument, rules: ScoringRules, maintenance: bool = False
) -> MeasureSummary:
    """Baseline against latest; for maintenance, its sessions against the acute baseline."""
    bands = rules.bands(instrument)
    acute = _series(sittings(course), instrument, bands)
    # Baseline: the first administration at or before session 1.
    baseline = next((p.total for p in acute if p.session <= 1), None)
    series = acute
    if maintenance and course.maintenance:
        held = list(enumerate(course.maintenance.sessions, 1))
        series = _series(held, instrument, bands)
    latest = series[-1].total if series else None
    result = outcome(instrument, baseline, latest, rules)
    return MeasureSummary(
        instrument=instrument.id, name=instrument.name, series=series, **asdict(result)
    )


def _series(
    numbered: Sequence[tuple[int, Administration]], instrument: Instrument, bands: tuple[Band, ...]
) -> list[Point]:
    points = []
    for number, sitting in numbered:
        total = sitting.total(instrument.id)
        if total is not None:
            points.append(Point(number, sitting.date, total, severity(total, bands)))
    return points


def _used_measures(
    course: Course, rules: ScoringRules, maintenance: bool
) -> dict[str, MeasureSummary]:
    measures = {}
    for instrument in INSTRUMENTS.values():
        summary = summarise_measure(course, instrument, rules, maintenance)
        if summary.series or (instrument.id == "phq9" and not maintenance):
            measures[instrument.id] = summary  # phq9 is always in the acute report
    return measures


def task_rows(course: Course) -> list[TaskRow]:
    rows = []
    sessions = course.sessions
    for index, session in enumerate(sessions):
        if session.task:
            following = sessions[index + 1] if index + 1 < len(sessions) else None
            rows.append(
                TaskRow(
                    index + 1,
                    session.date,
                    session.task,
                    following.task_outcome if following else None,
                )
            )
    return rows


def termination_checklist(course: Course) -> list[ChecklistItem]:
    """The termination tasks, each marked done from what the course records."""
    spans = course_spans(course)
    ending = course.ending or Ending()
    held_in_termination = len(course.sessions) > course.planned_sessions - spans.termination
    done = {
        "review-change": held_in_termination,
        "warning-signs": bool(ending.warning_signs),
        "ending-feelings": ending.feelings_discussed,
        "remaining-issues": ending.remaining_issues is not None,
        "next-steps": ending.decision is not None,
    }
    return [
        ChecklistItem(task.id, task.text, done[task.id])
        for task in catalogue.PHASES["termination"].tasks
    ]


def build_report(course: Course, today: dt.date, rules: ScoringRules | None = None) -> Report:
    rules = rules or ScoringRules()
    goals = [
        GoalSummary(
            g.id, g.text, [s.goal_ratings[g.id] for s in course.sessions if g.id in s.goal_ratings]
        )
        for g in course.goals
    ]
    techniques = Counter(t for s in course.sessions for t in s.techniques)
    phase = course_phase(course)
    return Report(
        course=course,
        today=today,
        phase=phase,
        next_date=next_session_date(course),
        measures=_used_measures(course, rules, maintenance=False),
        maintenance_measures=_used_measures(course, rules, maintenance=True)
        if course.maintenance
        else {},
        dispute_stage=current_dispute_stage(course),
        flags=safety_flags(course),
        goals=goals,
        techniques=dict(techniques.most_common()),
        tasks=task_rows(course),
        checklist=termination_checklist(course) if phase in ("termination", "completed") else [],
    )


def course_row(course: Course, rules: ScoringRules | None = None) -> CourseRow:
    """The list row of a course; nothing in it depends on today (see CourseRow.is_overdue)."""
    rules = rules or ScoringRules()
    latest = {}
    for instrument in INSTRUMENTS.values():
        summary = summarise_measure(course, instrument, rules)
        if summary.latest is not None and summary.severity is not None:
            latest[instrument.id] = (summary.latest, summary.severity)
    return CourseRow(
        course_id=course.id,
        client=course.client,
        phase=course_phase(course),
        recorded=len(course.sessions),
        planned=course.planned_sessions,
        next_date=next_session_date(course),
        archived=course.archived is not None,
        latest=latest,
        unreviewed_flags=len(unreviewed(course)),
    )
