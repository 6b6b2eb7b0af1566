"""Pure aggregation of a course into a report: phase, measure trends, goals, flags.

The report is one model; text, Markdown and JSON are renderings of it (see render.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ipt_cli.core import catalogue
from ipt_cli.core.course_row import CourseRow
from ipt_cli.core.measures import INSTRUMENTS, Band, Instrument, ScoringRules, outcome, severity
from ipt_cli.core.models import Administration, Course, Ending, RiskReview, SessionRecord
from ipt_cli.core.planning import (
    course_phase,
    course_spans,
    current_dispute_stage,
    next_session_date,
)
from ipt_cli.core.record import RecordSummary, summarise
from ipt_cli.core.safety import SafetyFlag, risk_labels, safety_flags, unreviewed


@dataclass(frozen=True)
class Point:
    session: int  # 0 is the baseline
    date: dt.date
    total: int
    severity: str
    maintenance: bool = False  # a maintenance session's number

    @property
    def label(self) -> str:
        if self.maintenance:
            return f"maintenance session {self.session}"
        return "baseline" if self.session == 0 else f"session {self.session}"


@dataclass(frozen=True)
class MeasureSummary:
    """One instrument's outcome: its first score (the baseline) against its latest.

    For the maintenance block, `latest` is the latest maintenance score, still measured
    against the acute baseline, and the end_of_acute fields measure it against the last
    score of the acute course.
    """

    instrument: str
    name: str
    baseline: int | None
    first_point: Point | None  # where the baseline was taken
    latest: int | None  # None with one score: one score is not an outcome
    change: int | None
    change_percent: float | None
    severity: str | None  # the band of the most recent score
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None
    series: list[Point]
    latest_point: Point | None = None
    reliable_points: int | None = None  # the threshold used, when there is one
    caseness: int | None = None
    end_of_acute: int | None = None  # maintenance only
    change_from_end_of_acute: int | None = None
    relapse: bool | None = None
    relapse_point: Point | None = None

    @property
    def reliable_change(self) -> bool | None:
        """Kept for scripts: reliable change means reliable improvement."""
        return self.reliable_improvement

    @property
    def baseline_session(self) -> int | None:
        """0 for the intake score, else the session it was first given at."""
        return None if self.first_point is None else self.first_point.session


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
    record: RecordSummary | None = None  # signatures, supervision, fidelity, standing risk

    @property
    def completed(self) -> bool:
        """The acute course is over (maintenance may follow)."""
        return self.phase in ("completed", "maintenance")

    @property
    def alerts(self) -> list[Alert]:
        return outcome_alerts(self.measures, self.maintenance_measures)

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.done]

    @property
    def sessions_recorded(self) -> int:
        return len(self.course.sessions)

    @property
    def unreviewed_flags(self) -> list[SafetyFlag]:
        return [f for f in self.flags if not f.reviewed]


@dataclass(frozen=True)
class Alert:
    """An outcome a clinician must not miss: a reliable deterioration, or a relapse."""

    instrument: str
    kind: str  # "deterioration" or "relapse"
    text: str
    date: dt.date | None = None  # of the score that shows it


def _where(point: Point | None, maintenance: bool = False) -> str:
    if point is None:
        return ""
    label = f"maintenance session {point.session}" if maintenance else point.label
    return f" at {label} ({point.date.isoformat()})"


def outcome_alerts(
    measures: dict[str, MeasureSummary], maintenance: dict[str, MeasureSummary]
) -> list[Alert]:
    """Reliable deterioration in the acute course or in maintenance, and relapse."""
    alerts = []
    for during, group in ((False, measures), (True, maintenance)):
        for m in group.values():
            if m.relapse and m.relapse_point:
                alerts.append(Alert(m.instrument, "relapse", relapse_text(m), m.relapse_point.date))
            elif m.reliable_deterioration:
                alerts.append(
                    Alert(
                        m.instrument,
                        "deterioration",
                        f"{m.name} reliable deterioration{' in maintenance' if during else ''}: "
                        f"{m.baseline}{_where(m.first_point)} to {m.latest}"
                        f"{_where(m.latest_point, during)}, +{m.change} points (reliable "
                        f"change: {m.reliable_points})",
                        m.latest_point.date if m.latest_point else None,
                    )
                )
    return alerts


def relapse_text(m: MeasureSummary) -> str:
    point = m.relapse_point
    assert point is not None and m.end_of_acute is not None
    reasons = []
    if m.caseness is not None and m.end_of_acute < m.caseness <= point.total:
        reasons.append(f"a case again (>= {m.caseness})")
    if m.reliable_points is not None and point.total - m.end_of_acute >= m.reliable_points:
        reasons.append(f"a reliable deterioration (+{point.total - m.end_of_acute})")
    return (
        f"{m.name} relapse: {point.total}{_where(point, True)}, {' and '.join(reasons)} "
        f"from {m.end_of_acute} at the end of the acute course"
    )


DEPRESSION_MEASURES = ("phq9", "hamd17", "bdi2")  # response is a depression outcome


def non_response(measures: dict[str, MeasureSummary]) -> str | None:
    """'No response on PHQ-9 (17 to 15)' when the depression measures with an outcome show
    no response (a fall of at least 50%); None when one responded or none has an outcome."""
    judged = [measures[i] for i in DEPRESSION_MEASURES if i in measures]
    judged = [m for m in judged if m.response is not None]
    if not judged or any(m.response for m in judged):
        return None
    shown = ", ".join(f"{m.name} ({m.baseline} to {m.latest})" for m in judged)
    return f"No response on {shown}: {catalogue.NON_RESPONSE_ADVICE}."


def course_non_response(course: Course, rules: ScoringRules | None = None) -> str | None:
    """The non-response advice for a course's acute outcome, if it applies."""
    rules = rules or ScoringRules()
    return non_response(_used_measures(course, rules, maintenance=False))


@dataclass(frozen=True)
class ReviewedSitting:
    """A sitting's risk reviews, in the order they were recorded."""

    where: str  # baseline, session N, maintenance session N
    date: dt.date
    maintenance: bool
    number: int
    session_id: int | None
    flags: list[str]  # what was flagged there, e.g. "PHQ-9 item 9 = 1"
    reviews: list[RiskReview]


def review_history(course: Course) -> list[ReviewedSitting]:
    numbered: list[tuple[int, bool, Administration]] = [(n, False, s) for n, s in sittings(course)]
    if course.maintenance:
        numbered += [(n, True, s) for n, s in enumerate(course.maintenance.sessions, 1)]
    history = []
    for number, maintenance, sitting in numbered:
        if not sitting.risk_reviews:
            continue
        where = "baseline" if number == 0 else f"session {number}"
        where = f"maintenance {where}" if maintenance else where
        history.append(
            ReviewedSitting(
                where=where,
                date=sitting.date,
                maintenance=maintenance,
                number=number,
                session_id=sitting.id if isinstance(sitting, SessionRecord) else None,
                flags=risk_labels(sitting),
                reviews=list(sitting.risk_reviews),
            )
        )
    return history


def sittings(course: Course) -> list[tuple[int, Administration]]:
    numbered: list[tuple[int, Administration]] = [(0, course.baseline)] if course.baseline else []
    return numbered + list(enumerate(course.sessions, 1))


def summarise_measure(
    course: Course, instrument: Instrument, rules: ScoringRules, maintenance: bool = False
) -> MeasureSummary:
    """First score against latest. The first administration is the baseline (the intake
    score when there is one); maintenance scores are measured against it and against the
    last score of the acute course."""
    bands = rules.bands(instrument)
    acute = _series(sittings(course), instrument, bands)
    series = acute
    if maintenance and course.maintenance:
        series = _series(list(enumerate(course.maintenance.sessions, 1)), instrument, bands)
    first = acute[0] if acute else (series[0] if series else None)
    if first is not None and not acute and series is not acute:
        first = replace(first, maintenance=True)  # first rated in maintenance
        series = [first, *series[1:]]
    later = series[-1] if series and series[-1] is not first else None
    result = outcome(
        instrument, first.total if first else None, later.total if later else None, rules
    )
    summary = MeasureSummary(
        instrument=instrument.id,
        name=instrument.name,
        baseline=result.baseline,
        first_point=first,
        latest=result.latest,
        change=result.change,
        change_percent=result.change_percent,
        severity=series[-1].severity if series else None,
        response=result.response,
        remission=result.remission,
        reliable_improvement=result.reliable_improvement,
        reliable_deterioration=result.reliable_deterioration,
        reliable_recovery=result.reliable_recovery,
        series=series,
        latest_point=later,
        reliable_points=rules.reliable_change_points(instrument),
        caseness=rules.caseness_of(instrument),
    )
    if maintenance and course.maintenance and acute:  # no contract: nothing to relapse from
        summary = _against_end_of_acute(summary, acute[-1], series)
    return summary


def _against_end_of_acute(
    summary: MeasureSummary, end: Point, series: list[Point]
) -> MeasureSummary:
    """Relapse: a return to caseness, or a reliable deterioration, from the last acute score
    (ipt-domain.md section 8); the first maintenance score that shows it is kept."""
    case, points = summary.caseness, summary.reliable_points
    relapse_point = None
    relapse: bool | None = None
    if series and (case is not None or points is not None):
        relapse_point = next(
            (
                p
                for p in series
                if (case is not None and end.total < case <= p.total)
                or (points is not None and p.total - end.total >= points)
            ),
            None,
        )
        relapse = relapse_point is not None
    return replace(
        summary,
        end_of_acute=end.total,
        change_from_end_of_acute=series[-1].total - end.total if series else None,
        relapse=relapse,
        relapse_point=relapse_point,
    )


def _series(
    numbered: Sequence[tuple[int, Administration]], instrument: Instrument, bands: tuple[Band, ...]
) -> list[Point]:
    """One point per sitting: a second administration on the same date (the baseline and
    a session 1 on its day, in files written before that was refused) is not charted."""
    points: list[Point] = []
    seen: set[dt.date] = set()
    for number, sitting in numbered:
        total = sitting.total(instrument.id)
        if total is not None and sitting.date not in seen:
            seen.add(sitting.date)
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
        checklist=termination_checklist(course)
        if phase in ("termination", "completed", "maintenance")
        else [],
        record=summarise(course),
    )


def course_row(course: Course, rules: ScoringRules | None = None) -> CourseRow:
    """The list row of a course; nothing in it depends on today (see CourseRow.is_overdue)."""
    rules = rules or ScoringRules()
    latest = {}
    acute, maintenance = {}, {}
    for instrument in INSTRUMENTS.values():
        summary = summarise_measure(course, instrument, rules)
        kept = summarise_measure(course, instrument, rules, maintenance=True)
        if summary.series:
            acute[instrument.id] = summary
        if course.maintenance and kept.series:
            maintenance[instrument.id] = kept
        recent = (kept.series or summary.series)[-1:]  # the most recent score, one or more
        for point in recent:
            latest[instrument.id] = (point.total, point.severity)
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
        alerts=[a.text for a in outcome_alerts(acute, maintenance)]
        + (
            [f"{len(course.conflicts)} sync conflict(s): ipt resolve {course.id}"]
            if course.conflicts
            else []
        ),
    )
