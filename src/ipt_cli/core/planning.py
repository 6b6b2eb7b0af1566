"""Pure planning: phases of sessions, scheduled dates, the week-by-week plan and agendas.

`today` is always passed in; nothing here reads the clock or the disk.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from ipt_cli.core import catalogue
from ipt_cli.core.models import Course, SessionRecord
from ipt_cli.core.safety import unreviewed
from ipt_cli.errors import InputError

# Which initial-phase week (1-based, clamped to the initial span) each assessment task belongs to.
INITIAL_TASK_WEEK = {
    "symptom-review": 1,
    "name-illness": 1,
    "sick-role": 1,
    "medication": 1,
    "inventory": 1,
    "problem-area": 2,
    "formulation": 2,
    "contract": 3,
}
ENDING_NOTICE_SESSIONS = 3  # from this many sessions before the end, remind about ending


@dataclass(frozen=True)
class PhaseSpans:
    initial: int  # sessions 1..initial
    termination: int  # the last `termination` sessions

    def phase_of(self, number: int, planned: int) -> str:
        if number <= self.initial:
            return "initial"
        if number > planned - self.termination:
            return "termination"
        return "middle"


def phase_spans(
    planned: int, initial: int | None = None, termination: int | None = None
) -> PhaseSpans:
    """Defaults: initial 1-3 and the last 3 as termination; 2 and 2 below 10 sessions.

    Overrides are clamped so that the two spans never overlap.
    """
    default = 2 if planned < 10 else 3
    first = min(initial or default, planned)
    last = min(termination or default, planned - first)
    return PhaseSpans(initial=first, termination=max(last, 0))


def course_spans(course: Course) -> PhaseSpans:
    return phase_spans(
        course.planned_sessions, course.initial_sessions, course.termination_sessions
    )


def course_phase(course: Course) -> str:
    """The phase of the next session to hold: `maintenance` while a maintenance contract
    has sessions to hold after the acute course, else `completed` once it is over."""
    held = len(course.sessions)
    if held >= course.planned_sessions:
        plan = course.maintenance
        if plan is not None and len(plan.sessions) < plan.planned_sessions:
            return "maintenance"
        return "completed"
    return course_spans(course).phase_of(held + 1, course.planned_sessions)


def add_intervals(start: dt.date, cadence: str, count: int) -> dt.date:
    if cadence == "weekly":
        return start + dt.timedelta(weeks=count)
    if cadence == "fortnightly":
        return start + dt.timedelta(weeks=2 * count)
    month_index = start.month - 1 + count
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def contract_dates(start: dt.date, cadence: str, count: int) -> list[dt.date]:
    """The dates the contract schedules: session 1 on the start date, then one per interval."""
    return [add_intervals(start, cadence, n) for n in range(count)]


def upcoming_dates(course: Course) -> list[dt.date]:
    """Dates for the sessions still to hold, counted on from the last held or missed one."""
    held = len(course.sessions)
    remaining = max(course.planned_sessions - held, 0)
    last_seen = [s.date for s in course.sessions] + [m.date for m in course.missed]
    if not last_seen:
        return contract_dates(course.start_date, course.cadence, remaining)
    anchor = max(last_seen)
    return [add_intervals(anchor, course.cadence, n) for n in range(1, remaining + 1)]


def maintenance_upcoming(course: Course) -> list[dt.date]:
    plan = course.maintenance
    if plan is None:
        return []
    remaining = max(plan.planned_sessions - len(plan.sessions), 0)
    if not plan.sessions:
        return contract_dates(plan.start_date, plan.cadence, remaining)
    last = plan.sessions[-1].date
    return [add_intervals(last, plan.cadence, n) for n in range(1, remaining + 1)]


def next_session_date(course: Course) -> dt.date | None:
    """The next acute session, else the next maintenance session, else none."""
    dates = upcoming_dates(course) or maintenance_upcoming(course)
    return dates[0] if dates else None


def current_dispute_stage(course: Course) -> str | None:
    """The latest stage recorded in a session, else the one set at assessment."""
    return _latest_dispute_stage(course, len(course.sessions) + 1)


@dataclass(frozen=True)
class PlanRow:
    number: int | None  # None for a missed appointment
    date: dt.date
    phase: str
    focus: str
    status: str  # held, missed, upcoming, overdue
    current: bool = False


@dataclass(frozen=True)
class Plan:
    course_id: str
    client: str
    planned: int
    held: int
    rows: list[PlanRow] = field(default_factory=list)


def week_focus(course: Course, number: int) -> str:
    spans = course_spans(course)
    phase = spans.phase_of(number, course.planned_sessions)
    if phase == "initial":
        week = _initial_week(number, spans.initial)
        return ", ".join(t.short for t in _initial_tasks(week)).capitalize()
    if phase == "termination":
        return "Review, warning signs, ending"
    areas = [catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas]
    return " + ".join(areas)


def _initial_week(number: int, initial_span: int) -> int:
    """Map session `number` to the assessment week whose tasks it takes."""
    if number == initial_span:
        return max(INITIAL_TASK_WEEK.values())  # the last initial session closes the contract
    return number


def _initial_tasks(week: int) -> list[catalogue.Item]:
    tasks = catalogue.PHASES["initial"].tasks
    return [t for t in tasks if INITIAL_TASK_WEEK[t.id] == week] or list(tasks)


def build_plan(course: Course, today: dt.date) -> Plan:
    spans = course_spans(course)
    rows: list[PlanRow] = []
    for number, session in enumerate(course.sessions, 1):
        rows.append(
            PlanRow(
                number,
                session.date,
                spans.phase_of(number, course.planned_sessions),
                week_focus(course, number),
                "held",
            )
        )
    for missed in course.missed:
        rows.append(PlanRow(None, missed.date, "", f"Missed: {missed.reason}", "missed"))
    held = len(course.sessions)
    for offset, date in enumerate(upcoming_dates(course)):
        number = held + 1 + offset
        rows.append(
            PlanRow(
                number,
                date,
                spans.phase_of(number, course.planned_sessions),
                week_focus(course, number),
                "overdue" if date < today else "upcoming",
                current=offset == 0,
            )
        )
    rows.sort(key=lambda r: (r.date, r.number or 0))
    return Plan(course.id, course.client, course.planned_sessions, held, rows)


@dataclass(frozen=True)
class Agenda:
    course_id: str
    week: int
    date: dt.date
    phase: str
    planned: int
    items: list[str]
    safety: list[str]
    carry_over: list[str]

    @property
    def count(self) -> str:
        left = self.planned - self.week
        return f"session {self.week} of {self.planned}, {left} left"


def _last_before(course: Course, week: int) -> SessionRecord | None:
    earlier = course.sessions[: week - 1]
    return earlier[-1] if earlier else None


def _latest_dispute_stage(course: Course, week: int) -> str | None:
    for session in reversed(course.sessions[: week - 1]):
        if session.dispute_stage:
            return session.dispute_stage
    return course.dispute_stage


def _strategy_items(course: Course, week: int) -> list[str]:
    covered = {s for session in course.sessions[: week - 1] for s in session.strategies}
    items = []
    for area_id in course.problem_areas:
        area = catalogue.PROBLEM_AREAS[area_id]
        ordered = sorted(area.strategies, key=lambda s: s.id in covered)  # uncovered first
        for strategy in ordered:
            mark = " (covered)" if strategy.id in covered else ""
            items.append(f"{area.name} strategy [{strategy.id}]: {strategy.text}{mark}")
    stage = _latest_dispute_stage(course, week)
    if "role-dispute" in course.problem_areas and stage:
        items.append(f"Dispute stage {stage}: {catalogue.DISPUTE_STAGES[stage].text}")
    return items


def _goal_items(course: Course, week: int) -> list[str]:
    items = []
    for goal in course.goals:
        rating = latest_rating(course, goal.id, week)
        shown = "not yet rated" if rating is None else f"last rated {rating}/10"
        items.append(f"Goal [{goal.id}]: {goal.text} ({shown})")
    return items


def latest_rating(course: Course, goal_id: str, week: int) -> int | None:
    """The goal's last rating in the sessions before session `week`."""
    for session in reversed(course.sessions[: week - 1]):
        if goal_id in session.goal_ratings:
            return session.goal_ratings[goal_id]
    return None


def build_agenda(course: Course, week: int, date: dt.date) -> Agenda:
    """The agenda for session `week` (1..planned) of the course."""
    planned = course.planned_sessions
    spans = course_spans(course)
    phase = spans.phase_of(week, planned)
    if phase == "initial":
        items = [t.text for t in _initial_tasks(_initial_week(week, spans.initial))]
        if week == 1:
            items.insert(0, "Baseline symptom rating (PHQ-9), risk item checked first")
    elif phase == "middle":
        tasks = {t.id: t.text for t in catalogue.PHASES["middle"].tasks}
        items = [tasks["opening-question"], tasks["symptom-rating"], tasks["problem-area-work"]]
        items += _strategy_items(course, week) + _goal_items(course, week)
        items += [tasks["plan-week"], f"{tasks['summary']}: session {week} of {planned}"]
    else:
        items = [t.text for t in catalogue.PHASES["termination"].tasks]
        items += _goal_items(course, week)
    if planned - week <= ENDING_NOTICE_SESSIONS:
        left = planned - week
        items.append(f"{catalogue.ENDING_REMINDER}: {left} session(s) left after this one")
    carry_over = []
    previous = _last_before(course, week)
    if previous and previous.task:
        carry_over.append(f"Review last session's task: {previous.task}")
    safety = [f.label for f in unreviewed(course)]
    return Agenda(course.id, week, date, phase, planned, items, safety, carry_over)


def scheduled_date(course: Course, week: int) -> dt.date:
    """The held date for a past week, else the upcoming date for it."""
    held = len(course.sessions)
    if week <= held:
        return course.sessions[week - 1].date
    return upcoming_dates(course)[week - held - 1]


def agenda_for_week(course: Course, week: int | None) -> Agenda:
    """The agenda of session `week`, or of the next session to hold (the last one once all
    are held); a week outside the contract is refused."""
    planned = course.planned_sessions
    number = week if week is not None else min(len(course.sessions) + 1, planned)
    if not 1 <= number <= planned:
        raise InputError(f"week {number} is outside this course: choose 1-{planned}")
    return build_agenda(course, number, scheduled_date(course, number))
