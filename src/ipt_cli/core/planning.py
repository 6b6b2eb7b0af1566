"""Pure planning: phases of sessions, scheduled dates, the week-by-week plan and agendas.

`today` is always passed in; nothing here reads the clock or the disk.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

from ipt_cli.core import catalogue
from ipt_cli.core.inputs import parse_session_ref
from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.risk import RiskState, risk_state
from ipt_cli.core.structs import field, struct
from ipt_cli.errors import InputError

if TYPE_CHECKING:  # annotations only: `ipt guide` must not pay for the models
    from ipt_cli.core.models import Administration, Course, SessionRecord

ENDING_NOTICE_SESSIONS = 3  # from this many sessions before the end, remind about ending
# A 50-minute middle session's share of strategies (issue 27, item 6): the next ones of the
# primary area not yet covered; `ipt agenda --all` shows every one.
NEXT_STRATEGIES = 3
COVERED_MARK = " (covered)"  # the end of an agenda's line for a strategy already covered


def default_span(planned: int) -> int:
    """Sessions in the initial phase, and in the termination phase, unless overridden
    (catalogue.PHASE_SPANS: 3 from 10 sessions, 2 from 6, else 1)."""
    return next(span for least, span in catalogue.PHASE_SPANS if planned >= least)


def phase_problem(
    planned: int,
    initial: int | None,
    termination: int | None,
    names: tuple[str, str] = ("--initial-sessions", "--termination-sessions"),
) -> str | None:
    """Why these phase overrides leave no middle phase, or None when they fit. `names` are
    the overrides as the user gave them (options, or the fields of a file)."""
    if initial is None and termination is None:
        return None
    first = initial if initial is not None else default_span(planned)
    last = termination if termination is not None else default_span(planned)
    if first + last < planned:
        return None
    given = []
    if initial is not None:
        given.append(f"{names[0]} {initial}")
    if termination is not None:
        given.append(f"{names[1]} {termination}")
    defaults = []
    if initial is None:
        defaults.append(f"the initial phase takes {first} by default")
    if termination is None:
        defaults.append(f"termination takes the last {last} by default")
    why = f" ({'; '.join(defaults)})" if defaults else ""
    return (
        f"{' and '.join(given)} {'leave' if len(given) > 1 else 'leaves'} no middle phase "
        f"in {planned} planned sessions{why}: "
        f"initial and termination sessions together must be at most {planned - 1}"
    )


@struct(frozen=True)
class PhaseSpans:
    initial: int  # sessions 1..initial
    termination: int  # the last `termination` sessions
    clamped: bool = False  # stored overrides that do not fit (a file from an older ipt)

    def phase_of(self, number: int, planned: int) -> str:
        if number <= self.initial:
            return "initial"
        if number > planned - self.termination:
            return "termination"
        return "middle"


def phase_spans(
    planned: int, initial: int | None = None, termination: int | None = None
) -> PhaseSpans:
    """The phases of a course of `planned` sessions (see default_span).

    Overrides that leave no middle phase are refused where they are given (phase_problem);
    a stored file from an older ipt that has them is shown with its spans clamped, and
    `clamped` set so that the plan can say so.
    """
    first = initial if initial is not None else default_span(planned)
    last = termination if termination is not None else default_span(planned)
    if first + last < planned:
        return PhaseSpans(first, last)
    first = min(first, planned)
    return PhaseSpans(first, max(min(last, planned - first), 0), clamped=True)


def course_spans(course: Course) -> PhaseSpans:
    return phase_spans(
        course.planned_sessions, course.initial_sessions, course.termination_sessions
    )


def course_phase(course: Course) -> str:
    """The phase of the next session to hold: `maintenance` while a maintenance contract
    has sessions to hold after the acute course, else `completed` once it is over. A
    missed group session is a session of the course (its number is taken)."""
    held = course.sessions_used
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
    held = course.sessions_used
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
    """The latest dated stage event: a session's, `ipt course set`'s or the assessment's."""
    return _latest_dispute_stage(course)


@struct(frozen=True)
class PlanRow:
    number: int | None  # None for a missed appointment
    date: dt.date
    phase: str
    focus: str
    status: str  # held, missed, upcoming, overdue
    current: bool = False
    maintenance: bool = False  # a session of the maintenance contract (numbered apart)

    @property
    def label(self) -> str:
        if self.number is None:
            return "-"
        return f"m{self.number}" if self.maintenance else str(self.number)


@struct(frozen=True)
class StrategyStatus:
    """One strategy of the course's problem areas and the sessions that recorded it covered
    (`ipt session --strategy ID`), in order; none: not yet covered."""

    area: str
    id: str
    text: str
    sessions: tuple[int, ...] = ()

    @property
    def covered(self) -> bool:
        return bool(self.sessions)


@struct(frozen=True)
class Plan:
    course_id: str
    client: str
    planned: int
    held: int
    rows: list[PlanRow] = field(default_factory=list)
    maintenance_planned: int | None = None  # None: no maintenance contract
    maintenance_held: int = 0
    notes: list[str] = field(default_factory=list)
    risk: RiskState | None = None  # the course's risk state (core/risk.py): views render it
    strategies: list[StrategyStatus] = field(default_factory=list)  # what is covered so far


DIAGNOSTIC_TASKS = 4  # symptom review, psychoeducation, sick role, medication; then the
# interpersonal tasks: inventory, problem area, formulation, contract


def _split(tasks: list[catalogue.Item], count: int) -> list[list[catalogue.Item]]:
    """`tasks` in order over `count` sessions, as evenly as possible, earlier ones taking
    one more when they do not divide evenly."""
    size, extra = divmod(len(tasks), count)
    groups, start = [], 0
    for index in range(count):
        take = size + (1 if index < extra else 0)
        groups.append(tasks[start : start + take])
        start += take
    return groups


def initial_task_groups(initial_span: int) -> list[list[catalogue.Item]]:
    """The eight initial-phase tasks, in their published order, over the initial sessions.

    One session takes them all. Otherwise the interpersonal tasks (inventory, problem area,
    formulation, contract) take the last sessions, one each when there are enough (at most
    four sessions, and always leaving the first to the diagnostic tasks); the diagnostic
    tasks (symptom review, psychoeducation, sick role, medication) take the sessions
    before. Within each, tasks are shared as evenly as possible, earlier sessions taking
    one more. Beyond eight sessions the extra ones, before the contract, continue the
    assessment. Every task appears exactly once.
    """
    tasks = list(catalogue.PHASES["initial"].tasks)
    count = max(initial_span, 1)
    if count == 1:
        return [tasks]
    diagnostic, interpersonal = tasks[:DIAGNOSTIC_TASKS], tasks[DIAGNOSTIC_TASKS:]
    later = min(count - 1, len(interpersonal))
    earlier = min(count - later, len(diagnostic))
    spare: list[list[catalogue.Item]] = [[] for _ in range(count - later - earlier)]
    tail = _split(interpersonal, later)
    return _split(diagnostic, earlier) + tail[:-1] + spare + tail[-1:]


def done_initial_tasks(course: Course) -> dict[str, str]:
    """Initial tasks the record shows as done, each with what the record says."""
    done: dict[str, str] = {}
    if course.sick_role is not None:
        done["sick-role"] = "given" if course.sick_role.given else "considered, not given"
    if course.medication:
        done["medication"] = "considered (see the record)"
    if course.inventory:
        people = len(course.inventory)
        done["inventory"] = f"{people} {'person' if people == 1 else 'people'} recorded"
    done["problem-area"] = " + ".join(catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas)
    if course.formulation and course.formulation.agreed:
        done["formulation"] = f"agreed {course.formulation.date.isoformat()}"
    if course.contract_agreed:
        done["contract"] = f"agreed {course.contract_agreed.isoformat()}"
    return done


def _initial_group(course: Course, number: int) -> list[catalogue.Item]:
    groups = initial_task_groups(course_spans(course).initial)
    return groups[min(number, len(groups)) - 1]


def guardian_sessions(course: Course) -> dict[int, str]:
    """The sessions a parent or guardian joins in an adaptation that involves one (IPT-A):
    the first, the middle one and the last, each with its purpose."""
    if not catalogue.ADAPTATIONS[course.adaptation].guardian:
        return {}
    planned = course.planned_sessions
    start, middle, end = catalogue.GUARDIAN_PURPOSES
    return {1: start, max(2, planned // 2): middle, planned: end}


def week_focus(course: Course, number: int) -> str:
    focus = _week_focus(course, number)
    if number in guardian_sessions(course):
        focus += " (guardian joins)"
    return focus


def _week_focus(course: Course, number: int) -> str:
    spans = course_spans(course)
    phase = spans.phase_of(number, course.planned_sessions)
    if phase == "initial":
        done = done_initial_tasks(course)
        group = _initial_group(course, number)
        labels = ["baseline"] if number == 1 else []
        labels += [t.short for t in group if t.id not in done]
        finished = [t.short for t in group if t.id in done]
        # the tasks already done are named apart: "problem area (done)" at the end of the
        # line read as the week's work, or the session, being done
        focus = ", ".join(labels) or ("" if finished else "continue the assessment")
        if finished:
            focus += ("; " if focus else "") + "already done: " + ", ".join(finished)
        return focus[0].upper() + focus[1:]
    if phase == "termination":
        return "Review, warning signs, ending"
    areas = [catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas]
    if _latest_dispute_stage(course, number) == "dissolution":
        areas = [a + " (dissolution)" if a == "Role dispute" else a for a in areas]
    return " + ".join(areas)


MAINTENANCE_FOCUS = "Review: symptoms, warning signs, problem area, risk"


def build_plan(course: Course, today: dt.date) -> Plan:
    spans = course_spans(course)
    rows: list[PlanRow] = []
    for number, session in course.numbered_sessions():
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
        number_or_none = missed.number
        phase = spans.phase_of(missed.number, course.planned_sessions) if missed.number else ""
        rows.append(
            PlanRow(number_or_none, missed.date, phase, f"Missed: {missed.reason}", "missed")
        )
    held = len(course.sessions)
    for offset, date in enumerate(upcoming_dates(course)):
        number = course.sessions_used + 1 + offset
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
    notes = []
    if spans.clamped:
        notes.append(
            f"The stored phase overrides (initial {course.initial_sessions}, termination "
            f"{course.termination_sessions}) leave no middle phase in "
            f"{course.planned_sessions} sessions; shown here as initial {spans.initial}, "
            f"termination {spans.termination}. Correct them with: ipt edit {course.id}"
        )
    plan = course.maintenance
    if plan is None:
        return Plan(
            course.id,
            course.client,
            course.planned_sessions,
            held,
            rows,
            notes=notes,
            risk=risk_state(course, today),
            strategies=strategy_coverage(course),
        )
    return Plan(
        course.id,
        course.client,
        course.planned_sessions,
        held,
        rows + _maintenance_rows(course, today),
        maintenance_planned=plan.planned_sessions,
        maintenance_held=len(plan.sessions),
        notes=notes,
        risk=risk_state(course, today),
        strategies=strategy_coverage(course),
    )


def _maintenance_rows(course: Course, today: dt.date) -> list[PlanRow]:
    """The maintenance contract's sessions, after the acute ones: held, then to come."""
    plan = course.maintenance
    if plan is None:
        return []
    rows = [
        PlanRow(n, s.date, "maintenance", MAINTENANCE_FOCUS, "held", maintenance=True)
        for n, s in enumerate(plan.sessions, 1)
    ]
    acute_done = len(course.sessions) >= course.planned_sessions
    for offset, date in enumerate(maintenance_upcoming(course)):
        rows.append(
            PlanRow(
                len(plan.sessions) + 1 + offset,
                date,
                "maintenance",
                MAINTENANCE_FOCUS,
                "overdue" if date < today else "upcoming",
                current=acute_done and offset == 0,
                maintenance=True,
            )
        )
    return rows


@struct(frozen=True)
class Agenda:
    course_id: str
    week: int
    date: dt.date
    phase: str
    planned: int
    items: list[str]
    safety: list[str]
    carry_over: list[str]
    done: list[str] = field(default_factory=list)  # tasks the record already shows as done
    review_commands: list[str] = field(default_factory=list)  # one per flagged session
    maintenance: bool = False  # a session of the maintenance contract
    risk: RiskState | None = None  # the course's risk state (core/risk.py): views render it
    # what measurement-based care asks of this session (core/tracking.py): a screen's own
    # alert (the ASRM's MANIA ALERT: a safety matter), then the outcome warnings (not on
    # track); the JSON's `alerts` lists both, the screen's first
    screen_alerts: list[str] = field(default_factory=list)
    outcome_alerts: list[str] = field(default_factory=list)
    # Issue 27, item 6: the items a focused agenda leaves out (`--all` shows them, in these
    # words), and the strategies the record shows covered before this session.
    left_out: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)

    @property
    def alerts(self) -> list[str]:
        return [*self.screen_alerts, *self.outcome_alerts]

    @property
    def left(self) -> int:
        return self.planned - self.week

    @property
    def count(self) -> str:
        what = "maintenance session" if self.maintenance else "session"
        if self.left <= 0:
            return f"{what} {self.week} of {self.planned}, the last"
        return f"{what} {self.week} of {self.planned}, {self.left} left"


def _last_before(course: Course, week: int) -> SessionRecord | None:
    earlier = [s for n, s in course.numbered_sessions() if n < week]
    return earlier[-1] if earlier else None


DISPUTE_STAGE_CHANGE = "dispute-stage"  # the `what` of a CourseChange of the stage


def _stage_of(shown: str) -> str | None:
    return shown if shown in catalogue.DISPUTE_STAGES else None  # "(none)": cleared


def dispute_stage_events(
    course: Course, week: int | None = None
) -> list[tuple[dt.date, int, str | None]]:
    """Every dated stage event, oldest first: the stage set at assessment, each stage a
    session recorded, each `ipt course set --dispute-stage`. On one date a setting changed
    by `course set` comes after the session (it is written afterwards). With `week`, only
    the events known before session `week` was held (its agenda)."""
    numbered = course.numbered_sessions()
    held = course.sessions if week is None else [s for n, s in numbered if n < week]
    limit = None
    this = None if week is None else course.numbered_session(week)
    if this is not None:
        limit = this.date
    changes = [c for c in course.changes if c.what == DISPUTE_STAGE_CHANGE]
    start: str | None = course.dispute_stage
    if changes:  # the assessment's stage is the first change's old value, unless a session
        first = changes[0].date  # had already recorded a stage (then it is not known)
        earlier = any(s.dispute_stage and s.date <= first for s in course.sessions)
        start = None if earlier else _stage_of(changes[0].old)
    events: list[tuple[dt.date, int, str | None]] = [(dt.date.min, 0, start)]
    events += [(s.date, 1, s.dispute_stage) for s in held if s.dispute_stage]
    events += [(c.date, 2, _stage_of(c.new)) for c in changes if limit is None or c.date < limit]
    return sorted(events, key=lambda e: (e[0], e[1]))


def _latest_dispute_stage(course: Course, week: int | None = None) -> str | None:
    """One source of truth: the latest dated stage event, from a session or `course set`."""
    if "role-dispute" not in course.problem_areas:
        return None
    return dispute_stage_events(course, week)[-1][2]


def _area_strategies(area_id: str, stage: str | None) -> list[catalogue.Item]:
    """An area's strategies; at the dissolution stage a role dispute is not renegotiated:
    its strategies are those of ending and mourning the relationship."""
    if area_id == "role-dispute" and stage == "dissolution":
        return list(catalogue.DISSOLUTION_STRATEGIES)
    return list(catalogue.PROBLEM_AREAS[area_id].strategies)


def _covered_in(course: Course, week: int | None = None) -> dict[str, tuple[int, ...]]:
    """strategy id -> the sessions (before `week`, or all) that recorded it covered."""
    found: dict[str, list[int]] = {}
    for number, session in course.numbered_sessions():
        if week is None or number < week:
            for strategy in session.strategies:
                found.setdefault(strategy, []).append(number)
    return {k: tuple(v) for k, v in found.items()}


def strategy_coverage(course: Course, week: int | None = None) -> list[StrategyStatus]:
    """Each strategy of the course's problem areas in the catalogue's order, with the
    sessions (before `week`, or all) that covered it. At the dissolution stage a role
    dispute's strategies are those of ending it; one covered earlier that is no longer
    current is still listed, as covered."""
    covered = _covered_in(course, week)
    stage = _latest_dispute_stage(course, week)
    found: list[StrategyStatus] = []
    for area_id in course.problem_areas:
        current = _area_strategies(area_id, stage)
        every = [*catalogue.PROBLEM_AREAS[area_id].strategies]
        if area_id == "role-dispute":
            every += catalogue.DISSOLUTION_STRATEGIES
        earlier = [s for s in every if s not in current and s.id in covered]
        for strategy in current + earlier:
            sessions = covered.get(strategy.id, ())
            found.append(StrategyStatus(area_id, strategy.id, strategy.text, sessions))
    return found


def _strategy_line(status: StrategyStatus, stage: str | None) -> str:
    area = catalogue.PROBLEM_AREAS[status.area]
    dissolving = status.area == "role-dispute" and stage == "dissolution"
    name = area.name + (" (dissolution)" if dissolving else "")
    mark = COVERED_MARK if status.covered else ""
    return f"{name} strategy [{status.id}]: {status.text}{mark}"


def _strategy_items(course: Course, week: int, full: bool) -> tuple[list[str], list[str]]:
    """(shown, left out). Every strategy of every area, the uncovered first, with `full`;
    else the next NEXT_STRATEGIES not yet covered of the primary area (of the next area
    once the primary's are all covered), the rest left out. The dispute stage is shown."""
    stage = _latest_dispute_stage(course, week)
    statuses = strategy_coverage(course, week)
    current = {s.id for area in course.problem_areas for s in _area_strategies(area, stage)}
    ordered = []
    for area_id in course.problem_areas:  # per area, uncovered first (as before)
        mine = [s for s in statuses if s.area == area_id and s.id in current]
        ordered += sorted(mine, key=lambda s: s.covered)
    chosen = ordered
    if not full:
        next_area = next((s.area for s in ordered if not s.covered), None)
        chosen = [s for s in ordered if s.area == next_area and not s.covered]
        chosen = chosen[:NEXT_STRATEGIES]
    items = [_strategy_line(s, stage) for s in chosen]
    left_out = [_strategy_line(s, stage) for s in ordered if s not in chosen]
    if "role-dispute" in course.problem_areas and stage:
        items.append(f"Dispute stage {stage}: {catalogue.DISPUTE_STAGES[stage].text}")
    return items, left_out


def _goal_items(course: Course, week: int) -> list[str]:
    items = []
    for goal in course.goals:
        if goal.retired is not None:
            continue  # kept in the record, no longer planned
        rating = latest_rating(course, goal.id, week)
        shown = "not yet rated" if rating is None else f"last rated {rating}/10"
        items.append(f"Goal [{goal.id}]: {goal.text} ({shown})")
    return items


def latest_rating(course: Course, goal_id: str, week: int) -> int | None:
    """The goal's last rating in the sessions before session `week`."""
    for session in reversed([s for n, s in course.numbered_sessions() if n < week]):
        if goal_id in session.goal_ratings:
            return session.goal_ratings[goal_id]
    return None


def _baseline_words(course: Course) -> str:
    """The baseline's totals, e.g. 'PHQ-9 10, GAD-7 8 on 2026-01-05'."""
    baseline = course.baseline
    if baseline is None:
        return ""
    given = catalogue.in_shown_order(list(INSTRUMENTS), course.condition, course.adaptation)
    totals = [
        f"{INSTRUMENTS[i].name} {total}" for i in given if (total := baseline.total(i)) is not None
    ]
    if baseline.binges is not None:
        totals.append(f"binges {baseline.binges}")
    if baseline.compensatory is not None:
        totals.append(f"compensatory {baseline.compensatory}")
    if baseline.edeq_global is not None:
        totals.append(f"EDE-Q global {baseline.edeq_global:.2f}")
    return f"{', '.join(totals) or 'no measure'} on {baseline.date.isoformat()}"


def _first_rating(course: Course, date: dt.date) -> tuple[list[str], list[str]]:
    """Session 1's symptom rating, listed once: (to do, done)."""
    baseline = course.baseline
    if baseline is None or baseline.date > date:
        return [catalogue.symptom_review(course.condition, course.adaptation, True)], []
    done = [f"Baseline symptom rating: {_baseline_words(course)}"]
    if baseline.date == date:  # the same sitting: the baseline is this session's rating
        return [], done
    return [_symptom_rating(course)], done


def _symptom_rating(course: Course) -> str:
    """The weekly symptom review in the words of the course's condition profile (a
    depression course's, in its adaptation's: the measures it offers)."""
    return catalogue.symptom_review(course.condition, course.adaptation)


def _task_text(course: Course, task: catalogue.Item) -> str:
    """An initial task's text; psychoeducation and the sick role in the profile's words
    for a condition other than depression."""
    profile = catalogue.CONDITIONS[course.condition]
    if profile.id == "depression":
        return task.text
    if task.id == "name-illness":
        return f"Name the condition and give psychoeducation: {profile.psychoeducation}"
    if task.id == "sick-role":
        return f"Give the sick role: {profile.sick_role}"
    return task.text


def _initial_items(course: Course, week: int, date: dt.date) -> tuple[list[str], list[str]]:
    todo, done = _first_rating(course, date) if week == 1 else ([_symptom_rating(course)], [])
    recorded = done_initial_tasks(course)
    group = _initial_group(course, week)
    for task in group:
        # The adaptation's wording (IPT-A's limited sick role) wins; else the condition's.
        adapted = catalogue.task_text(course.adaptation, task)
        text = adapted if adapted != task.text else _task_text(course, task)
        if task.id in recorded:
            done.append(f"{text}: {recorded[task.id]}")
        else:
            todo.append(text)
    if not group:
        todo.append(catalogue.CONTINUE_ASSESSMENT)
    return todo, done


def _termination_task(course: Course, task: catalogue.Item) -> str:
    """A termination task's text; an IPSRT course's warning signs name both poles and the
    signs already recorded (ipt-domain.md section 10, *IPSRT*)."""
    if task.id != "warning-signs" or not catalogue.ADAPTATIONS[course.adaptation].rhythm_log:
        return task.text
    recorded = [
        f"{pole}: {'; '.join(found)}"
        for pole, found in (
            ("depression", course.warning_signs_depression),
            ("mania", course.warning_signs_mania),
        )
        if found
    ]
    text = (
        "Agree relapse warning signs of both poles, depression and (hypo)mania, and a plan "
        "for each (ipt ending --warning-sign-depression ... --warning-sign-mania ...)"
    )
    return text + (f"; recorded so far: {'; '.join(recorded)}" if recorded else "")


def _closing_items(planned: int, week: int, what: str = "session") -> list[str]:
    left = planned - week
    items = []
    if left <= 0:
        items.append(catalogue.LAST_SESSION)
    elif left <= ENDING_NOTICE_SESSIONS:
        plural = "session" if left == 1 else "sessions"
        items.append(f"{catalogue.ENDING_REMINDER}: {left} {plural} left after this one")
    return items + [f"{catalogue.SUMMARY}: {what} {week} of {planned}"]


def _safety(state: RiskState) -> tuple[list[str], list[str]]:
    return state.labels, list(state.commands)


def _adapted_items(
    course: Course, week: int, date: dt.date, phase: str, items: list[str]
) -> list[str]:
    """What the course's adaptation adds to an agenda: the guardian's part (IPT-A), the
    partner's (perinatal), the review of the social rhythm log (IPSRT)."""
    adaptation = catalogue.ADAPTATIONS[course.adaptation]
    added: list[str] = []
    purpose = guardian_sessions(course).get(week)
    if purpose:
        who = f" ({course.guardian.alias})" if course.guardian else ""
        added.append(f"{catalogue.GUARDIAN_JOINS}{who}: {purpose}")
    if adaptation.partner and phase == "initial":
        added.append(catalogue.PARTNER_MAY_ATTEND)
    if adaptation.rhythm_log and week > 1:
        # lazy: keeps the models (pydantic) and social rhythm off start-up
        from ipt_cli.core.rhythm import review_line

        added.append(review_line(course, date))
    return items[:1] + added + items[1:] if added else items


def build_agenda(
    course: Course, week: int, date: dt.date, today: dt.date | None = None, full: bool = False
) -> Agenda:
    """The agenda for session `week` (1..planned) of the acute course: in the middle phase
    the next few strategies of the primary area, or every strategy with `full`."""
    planned = course.planned_sessions
    phase = course_spans(course).phase_of(week, planned)
    done: list[str] = []
    left_out: list[str] = []
    if phase == "initial":
        items, done = _initial_items(course, week, date)
    elif phase == "middle":
        tasks = {t.id: t.text for t in catalogue.PHASES["middle"].tasks}
        items = [tasks["opening-question"], _symptom_rating(course), tasks["problem-area-work"]]
        strategies, left_out = _strategy_items(course, week, full)
        items += strategies + _goal_items(course, week)
        items.append(tasks["plan-week"])
    else:
        items = [_symptom_rating(course)]
        items += [_termination_task(course, t) for t in catalogue.PHASES["termination"].tasks]
        items += _goal_items(course, week)
    items = _adapted_items(course, week, date, phase, items)
    items += _closing_items(planned, week)
    carry_over = []
    previous = _last_before(course, week)
    if previous and previous.task:
        carry_over.append(f"Review last session's task: {previous.task}")
    state = risk_state(course, today or date)  # days waiting: to today, else the agenda's day
    safety, commands = _safety(state)
    covered = [s.id for s in strategy_coverage(course, week) if s.covered]
    return Agenda(
        course.id,
        week,
        date,
        phase,
        planned,
        items,
        safety,
        carry_over,
        done,
        commands,
        risk=state,
        left_out=left_out,
        covered=covered,
    )


def build_maintenance_agenda(
    course: Course, number: int, date: dt.date, today: dt.date | None = None
) -> Agenda:
    """The agenda of maintenance session `number`: a review of symptoms, warning signs,
    the problem area and risk (not the acute count)."""
    plan = course.maintenance
    if plan is None:
        raise ValueError("the course has no maintenance contract")
    tasks = {t.id: t.text for t in catalogue.MAINTENANCE_PHASE.tasks}
    ending = course.ending
    signs = "; ".join(ending.warning_signs) if ending and ending.warning_signs else ""
    if catalogue.ADAPTATIONS[course.adaptation].rhythm_log:  # IPSRT: both poles
        poles = [
            f"{pole}: {'; '.join(found)}"
            for pole, found in (
                ("depression", course.warning_signs_depression),
                ("mania", course.warning_signs_mania),
            )
            if found
        ]
        signs = "; ".join(([signs] if signs else []) + poles)
    areas = " + ".join(catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas)
    adapted = catalogue.ADAPTATIONS[course.adaptation]
    rating = tasks["symptom-rating"]
    if course.condition != "depression" or adapted.symptom_review is not None:
        rating = _symptom_rating(course)  # its measures: IPSRT's both poles, the EPDS first
    rhythm = []
    if adapted.rhythm_log:  # IPSRT: the log is reviewed in maintenance too (when current)
        # lazy: keeps the models (pydantic) and social rhythm off start-up
        from ipt_cli.core.rhythm import review_line

        rhythm = [review_line(course, date)]
    items = [
        tasks["opening-question"],
        *rhythm,
        rating,
        tasks["warning-signs"]
        + (f": {signs}" if signs else " (none recorded: add them with ipt ending)"),
        f"{tasks['problem-area']} ({areas})",
        tasks["risk"],
        tasks["plan"],
        *_closing_items(plan.planned_sessions, number, "maintenance session"),
    ]
    held = plan.sessions[: number - 1]
    carry_over = [f"Review last session's task: {held[-1].task}"] if held and held[-1].task else []
    state = risk_state(course, today or date)
    safety, commands = _safety(state)
    return Agenda(
        course.id,
        number,
        date,
        "maintenance",
        plan.planned_sessions,
        items,
        safety,
        carry_over,
        [],
        commands,
        maintenance=True,
        risk=state,
    )


def in_maintenance(course: Course) -> bool:
    """The acute course is complete and a maintenance contract is open."""
    return course.maintenance is not None and course.sessions_used >= course.planned_sessions


def next_agenda(course: Course, today: dt.date | None = None, full: bool = False) -> Agenda:
    """The agenda of the next session to hold: acute, else maintenance (the last one
    again when every session is held); `full`: every strategy (build_agenda)."""
    if in_maintenance(course) and course.maintenance is not None:
        number = min(len(course.maintenance.sessions) + 1, course.maintenance.planned_sessions)
        return build_maintenance_agenda(course, number, maintenance_date(course, number), today)
    week = min(course.sessions_used + 1, course.planned_sessions)
    return build_agenda(course, week, scheduled_date(course, week), today, full)


def maintenance_date(course: Course, number: int) -> dt.date:
    """The held date of a maintenance session, else the date it is planned for."""
    plan = course.maintenance
    if plan is None:
        raise ValueError("the course has no maintenance contract")
    if number <= len(plan.sessions):
        return plan.sessions[number - 1].date
    return maintenance_upcoming(course)[number - len(plan.sessions) - 1]


def scheduled_date(course: Course, week: int) -> dt.date:
    """The held date for a past week, else the upcoming date for it."""
    held = course.numbered_session(week)
    if held is not None:
        return held.date
    missed = next((m for m in course.missed if m.number == week), None)
    if missed is not None:
        return missed.date
    used = course.sessions_used
    if week <= used:  # a number before the last used one, neither held nor missed
        return course.sessions[-1].date if course.sessions else course.start_date
    return upcoming_dates(course)[week - used - 1]


def agenda_for(
    course: Course, ref: str | None, today: dt.date | None = None, full: bool = False
) -> Agenda:
    """The agenda `ipt agenda --week REF` asks for: N (acute), mN (maintenance), or the
    next session when REF is None; `full` (`--all`): every strategy."""
    if ref is None:
        return next_agenda(course, today, full)
    maintenance, number = parse_session_ref(ref)
    if maintenance:
        plan = course.maintenance
        if plan is None:
            raise InputError(f"course {course.id!r} has no maintenance contract")
        if not 1 <= number <= plan.planned_sessions:
            raise InputError(
                f"maintenance session {number} is outside the contract: choose "
                f"m1-m{plan.planned_sessions}"
            )
        return build_maintenance_agenda(course, number, maintenance_date(course, number), today)
    planned = course.planned_sessions
    if not 1 <= number <= planned:
        raise InputError(f"week {number} is outside this course: choose 1-{planned}")
    return build_agenda(course, number, scheduled_date(course, number), today, full)


def current_strategies(course: Course) -> list[catalogue.Item]:
    """The strategies of the course's problem areas for the next session (a role dispute at
    the dissolution stage: those of ending and mourning it)."""
    stage = current_dispute_stage(course)
    return [s for area in course.problem_areas for s in _area_strategies(area, stage)]


def instruments_used(course: Course) -> list[str]:
    """The instruments the course has used (baseline, sessions, maintenance) and those its
    condition profile and adaptation offer, in the order they are shown
    (catalogue.offered_measures); the depression and risk screen (the PHQ-9, or the
    adaptation's: an IPT-A course's PHQ-A) always."""
    order = catalogue.offered_measures(course.condition, course.adaptation)
    offered = set(order) - {"hamd17", "bdi2"}  # depression's extra scales: only once used
    if course.condition != "anxiety":
        offered.discard("gad7")
    sittings = _all_sittings(course)
    used = [
        instrument
        for instrument in INSTRUMENTS
        if instrument in offered or any(s.total(instrument) is not None for s in sittings)
    ]
    return sorted(used, key=lambda i: order.index(i) if i in order else len(order))


def _all_sittings(course: Course) -> list[Administration]:
    sittings: list[Administration] = [*course.sessions]
    if course.baseline:
        sittings.append(course.baseline)
    if course.maintenance:
        sittings += course.maintenance.sessions
    return sittings


def primary_of(course: Course) -> str:
    """The course's headline measure (catalogue.primary_measure): the condition's, with the
    adaptation's screen for the PHQ-9. A course that has PHQ-9 scores and none of the
    screen that replaced it (an IPT-A course recorded before the PHQ-A) keeps the PHQ-9."""
    primary = catalogue.primary_measure(course.condition, course.adaptation)
    plain = catalogue.CONDITIONS[course.condition].primary
    if primary == plain:
        return primary
    sittings = _all_sittings(course)
    if not any(s.total(primary) is not None for s in sittings) and any(
        s.total(plain) is not None for s in sittings
    ):
        return plain
    return primary


def agenda_for_week(course: Course, week: int | None) -> Agenda:
    """The agenda of acute session `week`, or of the next session to hold (see agenda_for);
    a week outside the contract is refused."""
    return agenda_for(course, None if week is None else str(week))
