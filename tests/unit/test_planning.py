"""Phases, dates, plans and agendas: pure functions, checked by example and by property."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ipt_cli.core import catalogue, changes
from ipt_cli.core.models import Course, SessionRecord
from ipt_cli.core.planning import (
    NEXT_STRATEGIES,
    add_intervals,
    build_agenda,
    build_plan,
    contract_dates,
    phase_problem,
    phase_spans,
    scheduled_date,
)

NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
START = dt.date(2026, 1, 5)


def course_of(area: str = "grief", planned: int = 16, secondary: str | None = None) -> Course:
    areas = [area] + ([secondary] if secondary else [])
    stage = "impasse" if "role-dispute" in areas else None
    return changes.new_course("c1", "X.Y.", START, planned, areas, NOW, dispute_stage=stage)


def test_catalogue_is_complete() -> None:
    assert set(catalogue.PROBLEM_AREAS) == {
        "grief",
        "role-dispute",
        "role-transition",
        "interpersonal-deficits",
        "lost-healthy-self",  # offered in IPSRT courses only
    }
    for area in catalogue.PROBLEM_AREAS.values():
        assert area.goals and area.strategies and area.when_chosen
    assert set(catalogue.DISPUTE_STAGES) == {"renegotiation", "impasse", "dissolution"}
    assert set(catalogue.TECHNIQUES) == {
        "exploration",
        "encouragement-of-affect",
        "clarification",
        "communication-analysis",
        "decision-analysis",
        "role-play",
        "therapeutic-relationship",
        "work-at-home",
    }
    for phase in catalogue.PHASE_ORDER:
        assert catalogue.PHASES[phase].tasks
    ids = [i.id for a in catalogue.PROBLEM_AREAS.values() for i in (*a.goals, *a.strategies)]
    assert len(ids) == len(set(ids)), "goal and strategy ids must be unique"


@pytest.mark.parametrize(
    ("planned", "initial", "termination"),
    [(4, 1, 1), (5, 1, 1), (6, 2, 2), (8, 2, 2), (9, 2, 2), (10, 3, 3), (16, 3, 3), (30, 3, 3)],
)
def test_default_phase_spans(planned: int, initial: int, termination: int) -> None:
    spans = phase_spans(planned)
    assert (spans.initial, spans.termination) == (initial, termination)


def test_phase_override() -> None:
    spans = phase_spans(16, initial=4, termination=4)
    phases = [spans.phase_of(n, 16) for n in range(1, 17)]
    assert phases == ["initial"] * 4 + ["middle"] * 8 + ["termination"] * 4


@given(
    planned=st.integers(4, 30),
    initial=st.none() | st.integers(1, 10),
    termination=st.none() | st.integers(1, 10),
)
def test_phases_are_ordered_and_cover_every_session(
    planned: int, initial: int | None, termination: int | None
) -> None:
    assume(phase_problem(planned, initial, termination) is None)  # refused where given
    spans = phase_spans(planned, initial, termination)
    phases = [spans.phase_of(n, planned) for n in range(1, planned + 1)]
    order = [catalogue.PHASE_ORDER.index(p) for p in phases]
    assert order == sorted(order)
    assert phases[0] == "initial"
    assert phases.count("initial") == spans.initial
    assert phases.count("termination") == spans.termination
    assert "middle" in phases and phases[-1] == "termination" and not spans.clamped


@given(
    start=st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)),
    count=st.integers(4, 30),
    cadence=st.sampled_from(catalogue.CADENCES),
)
def test_contract_dates_are_increasing_and_start_on_the_start(
    start: dt.date, count: int, cadence: str
) -> None:
    dates = contract_dates(start, cadence, count)
    assert len(dates) == count and dates[0] == start
    assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
    if cadence == "weekly":
        assert all((b - a).days == 7 for a, b in zip(dates, dates[1:], strict=False))
    if cadence == "monthly":
        assert all(1 <= d.day <= 31 and d.day <= start.day for d in dates)


def test_monthly_dates_clamp_to_month_end() -> None:
    assert add_intervals(dt.date(2026, 1, 31), "monthly", 1) == dt.date(2026, 2, 28)
    assert add_intervals(dt.date(2026, 1, 31), "monthly", 13) == dt.date(2027, 2, 28)
    assert add_intervals(dt.date(2027, 12, 15), "monthly", 1) == dt.date(2028, 1, 15)


def test_plan_statuses_and_current_week() -> None:
    course = course_of(planned=12)
    changes.add_session(course, SessionRecord(date=START))
    changes.add_session(course, SessionRecord(date=START + dt.timedelta(weeks=1)))
    changes.add_missed(course, START + dt.timedelta(weeks=2), "ill")
    plan = build_plan(course, today=START + dt.timedelta(weeks=3, days=2))
    statuses = [(r.number, r.status) for r in plan.rows]
    assert statuses[:4] == [(1, "held"), (2, "held"), (None, "missed"), (3, "overdue")]
    assert statuses[4] == (4, "upcoming")
    assert [r.number for r in plan.rows if r.current] == [3]
    assert len([r for r in plan.rows if r.number]) == 12


def _all_items(course: Course, week: int) -> str:
    agenda = build_agenda(course, week, scheduled_date(course, week) if week <= 1 else START)
    return "\n".join(agenda.items)


@pytest.mark.parametrize("planned", [12, 16])
@pytest.mark.parametrize("area", sorted(catalogue.areas_offered("standard")))
def test_agendas_by_phase_for_every_area(planned: int, area: str) -> None:
    course = course_of(area, planned)
    first = build_agenda(course, 1, START)
    assert first.phase == "initial" and first.count == f"session 1 of {planned}, {planned - 1} left"
    text = "\n".join(first.items).lower()
    for task in ("baseline", "sick role", "medication"):
        assert task in text
    assert "interpersonal inventory" in "\n".join(build_agenda(course, 2, START).items)
    middle = build_agenda(course, 6, START)
    text = "\n".join(middle.items)
    assert middle.phase == "middle"
    assert "How have things been since we last met" in text.replace("how have", "How have")
    assert "risk item first" in text
    strategies = catalogue.PROBLEM_AREAS[area].strategies
    for strategy in strategies[:NEXT_STRATEGIES]:  # the next ones, for a 50-minute session
        assert strategy.id in text
    for strategy in strategies[NEXT_STRATEGIES:]:  # the others: `ipt agenda --all`
        assert strategy.id not in text and strategy.id in "\n".join(middle.left_out)
    every = "\n".join(build_agenda(course, 6, START, full=True).items)
    assert all(strategy.id in every for strategy in strategies)
    for goal in catalogue.PROBLEM_AREAS[area].goals:
        assert goal.id in text
    assert "end of the course" not in text
    last = build_agenda(course, planned, START)
    text = "\n".join(last.items)
    assert last.phase == "termination" and last.count.endswith("the last")
    for task in ("relapse warning signs", "feelings about ending", "maintenance"):
        assert task in text
    assert "This is the last session of the course" in text
    assert "Raise the coming end" in "\n".join(build_agenda(course, planned - 1, START).items)


@pytest.mark.parametrize(("week", "reminded"), [(12, False), (13, True), (15, True), (16, True)])
def test_ending_reminder_from_three_sessions_before_the_end(week: int, reminded: bool) -> None:
    items = build_agenda(course_of(planned=16), week, START).items
    ending = ("end of the course", "last session of the course")
    assert any(words in item for item in items for words in ending) is reminded


def test_agenda_puts_uncovered_strategies_first_and_carries_the_task() -> None:
    course = course_of("role-dispute", 16)
    for week in range(4):
        changes.add_session(
            course,
            SessionRecord(
                date=START + dt.timedelta(weeks=week),
                strategies=["dispute-link-onset", "dispute-clarify"] if week == 3 else [],
                dispute_stage="renegotiation" if week == 3 else None,
                task="Ask for a calm talk on Sunday" if week == 3 else None,
            ),
        )
    agenda = build_agenda(course, 5, START, full=True)
    strategy_lines = [i for i in agenda.items if "strategy [" in i]
    assert "(covered)" not in strategy_lines[0]
    assert strategy_lines[-1].endswith("(covered)") and strategy_lines[-2].endswith("(covered)")
    assert any(i.startswith("Dispute stage renegotiation") for i in agenda.items)
    focused = build_agenda(course, 5, START)  # the next three not yet covered, and the stage
    shown = [i for i in focused.items if "strategy [" in i]
    assert shown == strategy_lines[:NEXT_STRATEGIES] and "(covered)" not in "".join(shown)
    assert focused.left_out == strategy_lines[NEXT_STRATEGIES:]
    assert focused.covered == ["dispute-link-onset", "dispute-clarify"]
    assert any(i.startswith("Dispute stage renegotiation") for i in focused.items)
    assert agenda.carry_over == ["Review last session's task: Ask for a calm talk on Sunday"]


def test_agenda_lists_unreviewed_safety_flags() -> None:
    course = course_of()
    fields = changes.measure_fields(phq9="0,0,0,0,0,0,0,0,2")
    changes.add_session(course, SessionRecord(date=START, **fields))
    agenda = build_agenda(course, 2, START)
    assert agenda.safety == ["PHQ-9 item 9 = 2 URGENT at session 1 (2026-01-05), raised today"]
    changes.review_risk(course, 1, "No intent; plan agreed", None, START)
    assert build_agenda(course, 2, START).safety == []
