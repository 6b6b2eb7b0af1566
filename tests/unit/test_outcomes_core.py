"""The NHS Talking Therapies outcome definitions (core/outcomes.py), each rule at its edge;
the rates are worked out by hand in each test."""

from __future__ import annotations

import datetime as dt

from ipt_cli.core.measures import ScoringRules
from ipt_cli.core.outcome_record import CourseOutcome
from ipt_cli.core.outcomes import (
    Scored,
    Selection,
    course_outcome,
    judge,
    outcome_groups,
)

RULES = ScoringRules()
DAY = dt.date(2026, 1, 5)


def scored(*totals: tuple[int | None, int | None]) -> list[Scored]:
    """Weekly sittings of (PHQ-9, GAD-7) totals; None where not given."""
    return [
        Scored(DAY + dt.timedelta(weeks=n), phq, {} if gad is None else {"gad7": gad})
        for n, (phq, gad) in enumerate(totals)
    ]


def course(name: str, *totals: tuple[int | None, int | None], **fields: object) -> CourseOutcome:
    base: dict[str, object] = {
        "course_id": name,
        "client": "X.",
        "condition": "depression",
        "adaptation": "standard",
        "archived": False,
        "signer": None,
        "start": DAY,
        "held": max(len(totals) - 1, 0),
        "sittings": scored(*totals),
    }
    return course_outcome(**{**base, **fields})  # type: ignore[arg-type]


def test_recovery_needs_a_case_at_start_and_no_case_on_either_measure_at_the_end() -> None:
    recovered = judge(course("a", (14, 9), (9, 7)), RULES)
    assert recovered and recovered.case_at_start and recovered.recovered
    assert not recovered.reliably_improved  # 14 -> 9 is 5 points: not reliable (6)
    still_anxious = judge(course("b", (14, 9), (9, 8)), RULES)  # GAD-7 8 is a case
    assert still_anxious and not still_anxious.recovered
    edge = judge(course("c", (10, None), (4, None)), RULES)  # PHQ-9 10 is a case; -6 reliable
    assert edge and edge.case_at_start and edge.recovered and edge.reliably_recovered


def test_reliable_change_needs_no_reliable_move_the_other_way() -> None:
    mixed = judge(course("a", (20, 5), (14, 9)), RULES)  # PHQ-9 -6, GAD-7 +4
    assert mixed and not mixed.reliably_improved and not mixed.deteriorated
    worse = judge(course("b", (8, 3), (14, 5)), RULES)  # +6 on PHQ-9, GAD-7 +2 (not reliable)
    assert worse and worse.deteriorated and not worse.case_at_start
    five = judge(course("c", (15, None), (10, None)), RULES)  # -5: not reliable
    assert five and not five.reliably_improved


def test_paired_means_both_measures_at_one_sitting_when_the_course_uses_both() -> None:
    outcome = course("a", (15, 10), (12, None), (8, 6))
    assert outcome.paired == 2 and outcome.depression_last == 8 and outcome.anxiety_last == 6
    only_one = course("b", (15, 10), (12, None))
    assert only_one.paired == 1 and not only_one.finished and judge(only_one, RULES) is None


def test_the_groups_count_every_course_and_the_rates_are_over_the_right_base() -> None:
    caseload = [
        course("recovered", (16, 12), (6, 5)),  # case; -10/-7: reliable recovery
        course("improved", (22, None), (15, None)),  # case; -7 reliable, 15 still a case
        course("worse", (12, None), (19, None)),  # case; +7: deteriorated
        course("never-case", (6, 4), (2, 2)),  # finished, not a case at start
        course("one-score", (18, None)),  # counted apart, never an outcome
        course("archived", (18, None), (4, None), archived=True),
    ]
    [every, *by_condition] = outcome_groups(caseload, Selection(), RULES, ("condition",))
    assert (every.courses, every.finished, every.one_score, every.not_finished) == (5, 4, 1, 1)
    assert (every.cases_at_start, every.not_case_at_start) == (3, 1)
    assert (every.recovered, every.reliably_recovered, every.reliably_improved) == (1, 1, 2)
    assert every.deteriorated == 1
    assert every.recovery_rate == 1 / 3 and every.reliable_recovery_rate == 1 / 3
    assert every.reliable_improvement_rate == 2 / 4 and every.deterioration_rate == 1 / 4
    assert every.median_sessions == 1.0 and every.median_days == 7.0
    assert [g.name for g in by_condition] == ["depression"]
    [with_archived] = outcome_groups(caseload, Selection(archived=True), RULES, ())
    assert with_archived.courses == 6 and with_archived.recovered == 2


def test_since_and_until_select_by_the_last_paired_score() -> None:
    early = course("early", (15, None), (5, None))  # last score a week after DAY
    late = course("late", (15, None), (12, None), (5, None))  # two weeks after
    week = DAY + dt.timedelta(weeks=1)
    [chosen] = outcome_groups([early, late], Selection(until=week), RULES, ())
    assert chosen.courses == 1 and chosen.recovered == 1
    [chosen] = outcome_groups(
        [early, late], Selection(since=week + dt.timedelta(days=1)), RULES, ()
    )
    assert chosen.courses == 1


def test_the_outcome_round_trips_through_the_index_form() -> None:
    outcome = course("a", (15, 10), (8, 6), signer="Dr Ames")
    assert CourseOutcome.from_cache("a", outcome.to_cache()) == outcome
