"""Agendas for every phase length (docs/clinical-rules.md, "Phases, agendas and dates")."""

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ipt_cli.core import catalogue, changes
from ipt_cli.core.models import Formulation, SessionRecord, SickRole
from ipt_cli.core.planning import (
    build_agenda,
    build_plan,
    course_spans,
    initial_task_groups,
    phase_problem,
    phase_spans,
    scheduled_date,
)

NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
START = dt.date(2026, 1, 5)
TASKS = catalogue.PHASES["initial"].tasks


def course_of(planned: int, initial: int | None = None, termination: int | None = None, **more):
    fields = {
        "client": "X.Y.",
        "start_date": START,
        "planned_sessions": planned,
        "problem_areas": ["role-dispute"],
        "initial_sessions": initial,
        "termination_sessions": termination,
        **more,
    }
    return changes.build_course("c1", fields, NOW, START)


def agendas(course):
    return [
        build_agenda(course, n, scheduled_date(course, n))
        for n in range(1, course.planned_sessions + 1)
    ]


def mentions(agenda, text: str) -> int:
    return sum(line.startswith(text) for line in agenda.items + agenda.done)


@settings(max_examples=300, deadline=None)
@given(
    planned=st.integers(4, 30),
    initial=st.none() | st.integers(1, 10),
    termination=st.none() | st.integers(1, 10),
    baseline=st.booleans(),
)
def test_every_length_and_override_keeps_each_initial_task_once(
    planned: int, initial: int | None, termination: int | None, baseline: bool
) -> None:
    assume(phase_problem(planned, initial, termination) is None)
    more = {"baseline_measures": {"phq9": {"items": [1] * 8 + [0]}}} if baseline else {}
    course = course_of(planned, initial, termination, **more)
    every = agendas(course)
    initial_ones = [a for a in every if a.phase == "initial"]
    assert len(initial_ones) == course_spans(course).initial
    for task in TASKS:  # never lost, never repeated (as an item or as done)
        assert sum(mentions(a, task.text) for a in every) == 1, task.id
    for agenda in every:  # a symptom rating in every session, the risk item first
        rating = [line for line in agenda.items + agenda.done if "rating" in line.lower()]
        assert rating, agenda.week
        assert any("risk item first" in line for line in rating) or agenda.week == 1
        assert "0 session" not in "\n".join(agenda.items)
        assert agenda.count.startswith(f"session {agenda.week} of {planned}")
    first = every[0]
    assert sum("baseline" in line.lower() for line in first.items + first.done) == 1
    phases = [a.phase for a in every]
    assert "middle" in phases and phases[0] == "initial" and phases[-1] == "termination"


@pytest.mark.parametrize("count", range(1, 11))
def test_initial_groups_are_the_tasks_in_order(count: int) -> None:
    groups = initial_task_groups(count)
    assert len(groups) == count
    assert [t for g in groups for t in g] == list(TASKS)
    assert groups[-1][-1].id == "contract"  # the contract closes the initial phase
    if count <= len(TASKS):
        assert all(groups)  # every initial session has work of its own


def test_brief_course_asks_for_the_problem_area_and_the_formulation() -> None:
    course = course_of(8)
    second = build_agenda(course, 2, START)
    text = "\n".join(second.items + second.done)
    assert "Choose one main problem area" in text and "interpersonal formulation" in text
    assert "Agree the contract" in text and "interpersonal inventory" in text
    assert second.phase == "initial" and build_agenda(course, 3, START).phase == "middle"


def test_one_initial_session_takes_every_task() -> None:
    first = build_agenda(course_of(16, initial=1), 1, START)
    text = "\n".join(first.items + first.done)
    for task in TASKS:
        assert task.text in text


def test_four_initial_sessions_agree_the_contract_once() -> None:
    course = course_of(16, initial=4)
    texts = ["\n".join(a.items + a.done) for a in agendas(course)[:4]]
    assert sum(t.count("Agree the contract") for t in texts) == 1
    assert "Agree the contract" in texts[3]


def test_tasks_in_the_record_are_shown_as_done() -> None:
    course = course_of(8)
    course.sick_role = SickRole(given=True)
    course.formulation = Formulation(text="Linked to a dispute.", date=START, agreed=True)
    course.contract_agreed = START
    first, second = build_agenda(course, 1, START), build_agenda(course, 2, START)
    assert not any("sick role" in i for i in first.items)
    assert any(d.startswith("Give the sick role") and "given" in d for d in first.done)
    assert any("problem area" in d and "Role dispute" in d for d in second.done)
    assert any("formulation" in d and "agreed 2026-01-05" in d for d in second.done)
    assert any(d.startswith("Agree the contract") for d in second.done)
    assert not any("formulation" in i or "contract" in i for i in second.items)
    assert "already done: " in build_plan(course, START).rows[1].focus
    course.formulation = Formulation(text="Linked to a dispute.", date=START, agreed=False)
    assert any("interpersonal formulation" in i for i in build_agenda(course, 2, START).items)


def test_baseline_listed_once_in_session_one() -> None:
    none = build_agenda(course_of(12), 1, START)
    assert none.items[0] == catalogue.BASELINE_RATING and not none.done
    taken = course_of(12, baseline_measures={"phq9": {"items": [2] * 5 + [0] * 4}})
    same_day = build_agenda(taken, 1, START)
    assert same_day.done == ["Baseline symptom rating: PHQ-9 10 on 2026-01-05"]
    assert not any("rating" in i.lower() for i in same_day.items)
    later = build_agenda(taken, 1, START + dt.timedelta(days=3))
    assert catalogue.SYMPTOM_RATING in later.items and len(later.done) == 1


def test_last_session_is_named_as_such() -> None:
    course = course_of(12)
    last = build_agenda(course, 12, START)
    assert last.count == "session 12 of 12, the last"
    assert catalogue.LAST_SESSION in last.items
    assert "1 session left after this one" in "\n".join(build_agenda(course, 11, START).items)
    assert "2 sessions left after this one" in "\n".join(build_agenda(course, 10, START).items)


def test_dissolution_agenda_shows_ending_and_mourning_not_renegotiation() -> None:
    course = course_of(16)
    changes.add_session(course, SessionRecord(date=START, dispute_stage="dissolution"))
    for n in range(1, 5):
        changes.add_session(course, SessionRecord(date=START + dt.timedelta(weeks=n)))
    text = "\n".join(build_agenda(course, 6, START).items)
    for strategy in catalogue.DISSOLUTION_STRATEGIES:
        assert f"[{strategy.id}]" in text
    assert "dispute-options" not in text and "dispute-techniques" not in text
    assert "Mourn the relationship" in text and "transition ahead" in text
    assert build_plan(course, START).rows[5].focus == "Role dispute (dissolution)"


def test_stored_overrides_that_do_not_fit_are_shown_clamped_and_said() -> None:
    course = course_of(16, initial=4, termination=4)
    course.planned_sessions = 8  # a file from an older ipt
    assert phase_spans(8, 4, 4).clamped
    plan = build_plan(course, START)
    assert plan.notes and "leave no middle phase" in plan.notes[0]
