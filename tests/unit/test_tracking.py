"""Not on track, overdue and unsigned sessions (core/tracking.py), at their edges."""

from __future__ import annotations

import datetime as dt

from ipt_cli.core.measures import ScoringRules
from ipt_cli.core.tracking import check_session, not_on_track, overdue_days, unsigned_overdue
from tests.unit.builders import START, scored, week

RULES = ScoringRules()


def test_the_check_starts_at_the_middle_of_the_contract_rounded_up() -> None:
    assert [check_session(n) for n in (12, 13, 16, 8, 1)] == [6, 7, 8, 4, 1]
    assert check_session(12, 66) == 8 and check_session(12, 100) == 12


def test_no_reliable_improvement_by_the_middle_is_not_on_track() -> None:
    # 12 planned sessions: the check is at session 6. PHQ-9 18 -> 13 is 5 points (needs 6).
    before = scored([17, 16, 15, 14, 13], baseline=18, planned=12)
    assert not_on_track(before, RULES) is None  # session 5: too early to say
    at_middle = scored([17, 16, 15, 14, 13, 13], baseline=18, planned=12)
    alert = not_on_track(at_middle, RULES)
    assert alert is not None and (alert.baseline, alert.latest, alert.session) == (18, 13, 6)
    assert "PHQ-9 18 -> 13 at session 6" in alert.text and "formulation" in alert.text


def test_a_reliable_improvement_clears_it_and_a_later_rise_brings_it_back() -> None:
    improved = scored([17, 16, 15, 14, 13, 12], baseline=18, planned=12)  # -6: reliable
    assert not_on_track(improved, RULES) is None
    slipped = scored([17, 16, 15, 14, 13, 12, 14], baseline=18, planned=12)
    assert not_on_track(slipped, RULES) is not None


def test_a_client_below_caseness_is_not_called_not_on_track() -> None:
    # PHQ-9 12 -> 7 (-5, not reliable) but no longer a case (< 10): no advice to change.
    recovered = scored([11, 10, 9, 8, 7, 7], baseline=12, planned=12)
    assert not_on_track(recovered, RULES) is None
    still_a_case = scored([14, 13, 12, 11, 10, 10], baseline=15, planned=12)  # -5, at 10
    assert not_on_track(still_a_case, RULES) is not None


def test_nothing_is_claimed_without_a_second_score_or_a_reliable_change_rule() -> None:
    one_score = scored([None] * 8, baseline=18, planned=12)
    assert not_on_track(one_score, RULES) is None
    hamd = scored([20] * 8, measure="hamd17", baseline=20, planned=12)
    assert not_on_track(hamd, RULES) is None  # the condition's primary is the PHQ-9: not given
    configured = ScoringRules(reliable_change={"phq9": 3})
    course = scored([17, 16, 15, 15, 15, 15], baseline=18, planned=12)  # -3
    assert not_on_track(course, RULES) is not None and not_on_track(course, configured) is None


def test_an_open_course_is_overdue_after_twice_its_interval() -> None:
    course = scored([12, 11], baseline=14, planned=12)  # last session on week(2)
    last = week(2)
    assert overdue_days(course, last + dt.timedelta(days=14)) is None
    assert overdue_days(course, last + dt.timedelta(days=15)) == 15
    done = scored([12] * 12, baseline=14, planned=12)
    assert overdue_days(done, week(12) + dt.timedelta(days=60)) is None  # nothing owed


def test_unsigned_sessions_past_the_limit_are_named() -> None:
    course = scored([12, 11, 10], baseline=14)
    today = week(3) + dt.timedelta(days=3)
    assert unsigned_overdue(course, today) == ["1", "2"]  # session 3 is 3 days old: within
    assert unsigned_overdue(course, START, within_days=3) == []
