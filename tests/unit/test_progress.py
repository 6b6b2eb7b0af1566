"""The report model (core/progress.py), from courses built in memory with `today` given.

Outcomes are checked against docs/clinical-rules.md (ipt-domain.md §5, §8) written out
independently here: each instrument's baseline is its first rating (the intake score when
there is one); one score is not an outcome; one sitting (one date) has one score; response
is a fall of at least 50% from a positive baseline; remission is PHQ-9 < 5, HAM-D-17 <= 7,
BDI-II <= 13 (GAD-7 <= 4); reliable change is 6 points on the PHQ-9 and 4 on the GAD-7, none
by default for the HAM-D-17 and BDI-II, and has a direction (improvement, deterioration, and
recovery: an improvement from caseness, PHQ-9 >= 10, GAD-7 >= 8, to below it); maintenance
scores are also measured from the end of the acute course, for relapse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipt_cli.core.catalogue import EPISODES
from ipt_cli.core.measures import INSTRUMENTS, ScoringRules
from ipt_cli.core.models import Baseline, Course, Ending, Maintenance, RiskReview
from ipt_cli.core.planning import default_span
from ipt_cli.core.progress import (
    build_report,
    course_row,
    review_history,
    sittings,
    summarise_measure,
)
from tests.unit.builders import (
    INTAKE,
    START,
    TODAY,
    bdi2,
    course,
    full_course,
    gad7,
    hamd17,
    held,
    phq9,
    scored,
    session,
    sessions,
    week,
)

REMITTED_AT_OR_BELOW = {"phq9": 4, "gad7": 4, "hamd17": 7, "bdi2": 13}
RELIABLE_POINTS = {"phq9": 6, "gad7": 4, "hamd17": None, "bdi2": None}
CASENESS = {"phq9": 10, "gad7": 8, "hamd17": None, "bdi2": None}
TOP = {"phq9": 27, "gad7": 21, "hamd17": 52, "bdi2": 63}


def report_of(c: Course, today: dt.date = TODAY, rules: ScoringRules | None = None) -> Any:
    return build_report(c, today, rules)


# --- baseline, latest, change, percent -----------------------------------------------------


def test_sittings_number_the_baseline_zero() -> None:
    c = held(2, baseline=Baseline(date=START, phq9=phq9(9)))
    assert [n for n, _ in sittings(c)] == [0, 1, 2]
    assert sittings(c)[0][1] is c.baseline
    assert [n for n, _ in sittings(held(2))] == [1, 2]
    assert sittings(course()) == []


def test_baseline_against_latest_on_the_phq9() -> None:
    m = report_of(scored([15, None, 8], baseline=18)).measures["phq9"]
    assert (m.baseline, m.baseline_session, m.latest, m.change, m.change_percent) == (
        18,
        0,  # the intake score
        8,
        -10,
        -55.56,
    )
    assert (m.severity, m.response, m.remission, m.reliable_change) == ("mild", True, False, True)
    assert (m.reliable_improvement, m.reliable_deterioration, m.reliable_recovery) == (
        True,
        False,
        True,  # from a case (18 >= 10) to below it
    )
    assert [(p.session, p.date, p.total, p.severity) for p in m.series] == [
        (0, INTAKE, 18, "moderately severe"),
        (1, week(1), 15, "moderately severe"),
        (3, week(3), 8, "mild"),  # session 2 gave no PHQ-9: no point, and no gap filled
    ]


def test_without_a_baseline_sitting_session_one_is_the_baseline() -> None:
    m = report_of(scored([12, 5])).measures["phq9"]
    assert (m.baseline, m.latest, m.change, m.change_percent) == (12, 5, -7, -58.33)
    assert [p.session for p in m.series] == [1, 2]
    assert m.baseline_session == 1


def test_a_first_score_after_session_one_is_that_instruments_baseline() -> None:
    m = report_of(scored([None, 14, 6])).measures["phq9"]
    assert m.first_point is not None and m.latest_point is not None
    assert (m.baseline, m.baseline_session, m.first_point.date) == (14, 2, week(2))
    assert (m.latest, m.latest_point.session, m.severity) == (6, 3, "mild")
    assert (m.change, m.change_percent, m.response, m.remission) == (-8, -57.14, True, False)
    assert (m.reliable_improvement, m.reliable_recovery) == (True, True)


def test_each_instrument_keeps_its_own_baseline() -> None:
    c = course(
        baseline=Baseline(date=START, phq9=phq9(16)),
        sessions=[
            session(week(1), gad7=gad7(11)),  # the baseline's sitting: another instrument
            session(week(2), phq9=phq9(14), gad7=gad7(6), hamd17=hamd17(20)),
            session(week(3), hamd17=hamd17(12)),
        ],
    )
    measures = report_of(c).measures
    assert [(k, m.baseline, m.baseline_session, m.latest) for k, m in measures.items()] == [
        ("phq9", 16, 0, 14),
        ("gad7", 11, 1, 6),
        ("hamd17", 20, 2, 12),
    ]  # the BDI-II, never given, is not in the report


def test_phq9_is_always_reported_even_when_never_given() -> None:
    measures = report_of(course()).measures
    assert list(measures) == ["phq9"]
    m = measures["phq9"]
    assert (m.baseline, m.latest, m.severity, m.response, m.remission) == (None,) * 5
    assert m.series == []


def test_a_deterioration_is_a_reliable_deterioration_with_a_positive_percent() -> None:
    report = report_of(scored([16], baseline=10))
    m = report.measures["phq9"]
    assert (m.change, m.change_percent, m.response) == (6, 60.0, False)
    # Reliable change has a direction: a rise of 6 is no improvement (reliable_change, which
    # scripts read, means improvement) but a reliable deterioration, and a warning.
    assert (m.reliable_change, m.reliable_improvement, m.reliable_recovery) == (False,) * 3
    assert m.reliable_deterioration is True
    assert [(a.instrument, a.kind, a.date) for a in report.alerts] == [
        ("phq9", "deterioration", week(1))
    ]
    assert report.alerts[0].text == (
        "PHQ-9 reliable deterioration: 10 at baseline (2025-12-29) to 16 at session 1 "
        "(2026-01-05), +6 points (reliable change: 6)"
    )
    assert report_of(scored([15], baseline=10)).alerts == []  # +5: within the noise


@pytest.mark.parametrize(
    ("baseline", "latest", "response"),
    [
        (20, 10, True),  # exactly half: a response
        (20, 11, False),
        (15, 7, True),  # odd baseline: half is 7.5
        (15, 8, False),
        (1, 0, None),  # never a case (issue 26, defect 6): no response to judge
        (2, 1, None),
        (3, 2, None),
    ],
)
def test_the_fifty_percent_response_rule(baseline: int, latest: int, response: bool | None) -> None:
    assert report_of(scored([latest], baseline=baseline)).measures["phq9"].response is response


def test_a_zero_baseline_has_no_percent_and_no_response() -> None:
    m = report_of(scored([3], baseline=0)).measures["phq9"]
    assert (m.change, m.change_percent, m.response) == (3, None, None)
    assert m.remission is None and m.case_at_baseline is False  # 0 was never a case
    assert m.reliable_change is False
    assert (m.reliable_deterioration, m.reliable_recovery) == (False, False)


@pytest.mark.parametrize(
    ("measure", "remitted", "not_remitted"),
    [("phq9", 4, 5), ("gad7", 4, 5), ("hamd17", 7, 8), ("bdi2", 13, 14)],
)
def test_remission_thresholds(measure: str, remitted: int, not_remitted: int) -> None:
    yes = report_of(scored([remitted], baseline=TOP[measure] - 1, measure=measure))
    no = report_of(scored([not_remitted], baseline=TOP[measure] - 1, measure=measure))
    assert yes.measures[measure].remission is True
    assert no.measures[measure].remission is False


@pytest.mark.parametrize(
    ("measure", "edges"),
    [
        ("phq9", [(4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                  (15, "moderately severe"), (19, "moderately severe"), (20, "severe"),
                  (27, "severe")]),
        ("gad7", [(4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                  (15, "severe"), (21, "severe")]),
        ("hamd17", [(7, "none"), (8, "mild"), (16, "mild"), (17, "moderate"), (23, "moderate"),
                    (24, "severe"), (52, "severe")]),
        ("bdi2", [(13, "minimal"), (14, "mild"), (19, "mild"), (20, "moderate"),
                  (28, "moderate"), (29, "severe"), (63, "severe")]),
    ],
)  # fmt: skip
def test_band_edges_by_session(measure: str, edges: list[tuple[int, str]]) -> None:
    m = report_of(scored([t for t, _ in edges], measure=measure)).measures[measure]
    assert [(p.total, p.severity) for p in m.series] == edges
    assert m.severity == edges[-1][1]


def test_hamd17_alternative_bands_reach_the_report() -> None:
    c = scored([13, 14, 23], measure="hamd17", baseline=30)
    default = report_of(c).measures["hamd17"]
    alternative = report_of(c, rules=ScoringRules(hamd17_bands="alternative")).measures["hamd17"]
    assert [p.severity for p in default.series] == ["severe", "mild", "mild", "moderate"]
    assert [p.severity for p in alternative.series] == [
        "very severe",
        "mild",
        "moderate",
        "very severe",
    ]
    assert (default.severity, alternative.severity) == ("moderate", "very severe")


@pytest.mark.parametrize(
    ("measure", "baseline", "just", "short"),
    [("phq9", 15, 9, 10), ("gad7", 12, 8, 9)],
)
def test_reliable_change_points(measure: str, baseline: int, just: int, short: int) -> None:
    def summary(latest: int) -> Any:
        return report_of(scored([latest], baseline=baseline, measure=measure)).measures[measure]

    assert summary(just).reliable_change and summary(just).reliable_improvement
    assert not summary(short).reliable_change and not summary(short).reliable_improvement
    # The same number of points the other way is a reliable deterioration.
    worse, not_worse = baseline + (baseline - just), baseline + (baseline - short)
    assert summary(worse).reliable_deterioration is True
    assert summary(not_worse).reliable_deterioration is False
    assert summary(worse).reliable_change is False


@pytest.mark.parametrize(
    ("measure", "baseline", "latest", "recovery"),
    [
        ("phq9", 15, 9, True),  # 6 points, from a case (>= 10) to below it
        ("phq9", 20, 14, False),  # 6 points, still a case
        ("phq9", 9, 3, False),  # never a case: no recovery
        ("phq9", 10, 4, True),  # caseness is "at or above"
        ("gad7", 14, 10, False),  # 4 points, still a case (>= 8)
        ("gad7", 11, 7, True),
        ("gad7", 7, 0, False),
    ],
)
def test_reliable_recovery_is_a_reliable_improvement_out_of_caseness(
    measure: str, baseline: int, latest: int, recovery: bool
) -> None:
    m = report_of(scored([latest], baseline=baseline, measure=measure)).measures[measure]
    assert m.reliable_improvement is True
    assert m.reliable_recovery is recovery


@pytest.mark.parametrize("measure", ["hamd17", "bdi2"])
def test_no_reliable_change_by_default_where_no_convention_exists(measure: str) -> None:
    c = scored([2], baseline=30, measure=measure)
    m = report_of(c).measures[measure]
    assert (m.reliable_change, m.reliable_improvement, m.reliable_deterioration) == (None,) * 3
    assert m.reliable_recovery is None
    rules = ScoringRules(reliable_change={measure: 9})
    m = report_of(c, rules=rules).measures[measure]
    assert (m.reliable_change, m.reliable_deterioration) == (True, False)
    assert m.reliable_recovery is None  # no caseness for it: recovery is not judged
    cased = ScoringRules(reliable_change={measure: 9}, caseness={measure: 20})
    assert report_of(c, rules=cased).measures[measure].reliable_recovery is True


def test_reliable_change_threshold_from_settings_reaches_the_report() -> None:
    c = scored([10], baseline=15)  # 5 points
    assert report_of(c).measures["phq9"].reliable_change is False
    rules = ScoringRules(reliable_change={"phq9": 5})
    assert report_of(c, rules=rules).measures["phq9"].reliable_change is True
    worse = scored([20], baseline=15)
    assert report_of(worse).alerts == []
    assert [a.kind for a in report_of(worse, rules=rules).alerts] == ["deterioration"]


def test_caseness_from_settings_reaches_the_report() -> None:
    c = scored([8], baseline=14)  # 6 points, from a case to below it
    assert report_of(c).measures["phq9"].reliable_recovery is True
    rules = ScoringRules(caseness={"phq9": 15})  # 14 was never a case
    assert report_of(c, rules=rules).measures["phq9"].reliable_recovery is False


def totals_for(measure: str) -> st.SearchStrategy[int]:
    return st.integers(0, TOP[measure])


@st.composite
def scored_courses(draw: Callable[..., Any]) -> tuple[str, int | None, list[int | None]]:
    measure = draw(st.sampled_from(sorted(TOP)))
    baseline = draw(st.none() | totals_for(measure))
    totals = draw(st.lists(st.none() | totals_for(measure), min_size=1, max_size=8))
    return measure, baseline, totals


@settings(deadline=None, max_examples=150)
@given(scored_courses())
def test_outcomes_follow_the_published_rules(
    case: tuple[str, int | None, list[int | None]],
) -> None:
    measure, baseline_score, totals = case
    m = report_of(scored(totals, measure=measure, baseline=baseline_score)).measures.get(measure)
    rated = ([(0, baseline_score)] if baseline_score is not None else []) + [
        (n, t) for n, t in enumerate(totals, 1) if t is not None
    ]  # (sitting, score): the intake is a sitting of its own here
    if not rated:
        assert m is None or m.latest is None  # only the PHQ-9 is listed when never given
        return
    assert m is not None
    (first_at, baseline), (latest_at, latest) = rated[0], rated[-1]
    assert [(p.session, p.total) for p in m.series] == rated
    assert (m.baseline, m.baseline_session) == (baseline, first_at)  # the first rating
    assert m.severity == m.series[-1].severity  # the band of the most recent score
    outcome = (
        m.latest,
        m.change,
        m.change_percent,
        m.response,
        m.remission,
        m.reliable_change,
        m.reliable_improvement,
        m.reliable_deterioration,
        m.reliable_recovery,
    )
    if len(rated) == 1:
        assert outcome == (None,) * 9  # one score is never an outcome
        assert m.latest_point is None
        return
    assert m.latest_point is not None and m.latest_point.session == latest_at
    assert m.latest == latest
    assert m.change == latest - baseline
    case = CASENESS[measure]  # a case at baseline; with no caseness, not yet remitted
    was_case = baseline >= case if case is not None else baseline > REMITTED_AT_OR_BELOW[measure]
    assert m.case_at_baseline is was_case
    if not was_case:  # issue 26, defect 6: nothing to respond or remit from
        assert (m.response, m.remission) == (None, None)
    else:
        assert m.remission is (latest <= REMITTED_AT_OR_BELOW[measure])
    if baseline == 0:
        assert (m.change_percent, m.response) == (None, None)
    else:
        assert m.change_percent == round(100 * (latest - baseline) / baseline, 2)
        if was_case:
            assert m.response is (baseline - latest >= baseline / 2)
            assert m.response is (m.change_percent <= -50)  # the two readings agree
    points, caseness = RELIABLE_POINTS[measure], CASENESS[measure]
    if points is None:
        assert outcome[5:] == (None,) * 4
        return
    improved, worse = baseline - latest >= points, latest - baseline >= points
    assert (m.reliable_change, m.reliable_improvement, m.reliable_deterioration) == (
        improved,
        improved,
        worse,
    )
    assert caseness is not None
    assert m.reliable_recovery is (improved and baseline >= caseness > latest)
    assert not (m.reliable_recovery and m.reliable_deterioration)


def test_a_single_score_is_never_an_outcome() -> None:
    report = report_of(held(0, baseline=Baseline(date=START, phq9=phq9(3))))
    m = report.measures["phq9"]
    assert (m.baseline, m.baseline_session, m.severity) == (3, 0, "minimal")  # the present
    assert (m.latest, m.change, m.change_percent) == (None, None, None)
    assert (m.response, m.remission, m.reliable_change) == (None, None, None)  # no "remission"
    assert (m.reliable_improvement, m.reliable_deterioration, m.reliable_recovery) == (None,) * 3
    later = report_of(scored([None, None, 22])).measures["phq9"]  # one score, at session 3
    assert (later.baseline, later.baseline_session, later.latest, later.severity) == (
        22,
        3,
        None,
        "severe",
    )
    assert report.alerts == []


def test_one_sitting_has_one_score_even_in_an_older_file() -> None:
    """The baseline and a session 1 on its day are one sitting; a file written before that
    was refused may hold a score at each. Only the first is charted and measured, and the
    sitting has one flag, with the higher score, reviewed when either record was."""
    c = course(
        baseline=Baseline(date=START, phq9=phq9(15, item9=1)),
        sessions=[
            session(week(1), phq9=phq9(14, item9=2), risk_reviews=[{"date": START, "note": "n"}]),
            session(week(2), phq9=phq9(7)),
        ],
    )
    report = report_of(c)
    m = report.measures["phq9"]
    assert [(p.session, p.total) for p in m.series] == [(0, 15), (2, 7)]
    assert (m.baseline, m.latest, m.change) == (15, 7, -8)
    assert [(f.session, f.score, f.reviewed) for f in report.flags] == [(0, 2, True)]
    assert report.unreviewed_flags == []


# --- phase at each point of a course -------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "overrides", "expected"),
    [
        (16, {}, ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3 + ["completed"]),
        (12, {}, ["initial"] * 3 + ["middle"] * 6 + ["termination"] * 3 + ["completed"]),
        (8, {}, ["initial"] * 2 + ["middle"] * 4 + ["termination"] * 2 + ["completed"]),
        # 4-5 sessions: 1 and 1, so that a middle phase is left (docs/clinical-rules.md)
        (4, {}, ["initial"] + ["middle"] * 2 + ["termination"] + ["completed"]),
        (
            16,
            {"initial_sessions": 4, "termination_sessions": 2},
            ["initial"] * 4 + ["middle"] * 10 + ["termination"] * 2 + ["completed"],
        ),
        (4, {"initial_sessions": 10}, ["initial"] * 4 + ["completed"]),
    ],
)
def test_phase_at_each_point_of_a_course(
    planned: int, overrides: dict[str, int], expected: list[str]
) -> None:
    phases = [report_of(held(n, planned=planned, **overrides)).phase for n in range(planned + 1)]
    assert phases == expected


@settings(deadline=None, max_examples=60)
@given(
    planned=st.integers(4, 30),
    initial=st.none() | st.integers(1, 10),
    termination=st.none() | st.integers(1, 10),
)
def test_phases_run_in_order_and_the_checklist_comes_with_termination(
    planned: int, initial: int | None, termination: int | None
) -> None:
    base = course(planned=planned, initial_sessions=initial, termination_sessions=termination)
    phases = []
    for n in range(planned + 1):
        base.sessions = sessions(n)
        report = report_of(base)
        phases.append(report.phase)
        assert bool(report.checklist) is (report.phase in ("termination", "completed"))
        assert report.completed is (n == planned)
        assert report.sessions_recorded == n
    order = ["initial", "middle", "termination", "completed"]
    assert phases == sorted(phases, key=order.index), "phases went backwards"
    assert phases[0] == "initial" and phases[-1] == "completed"
    default = default_span(planned)
    assert phases.count("initial") == min(initial or default, planned)
    assert phases.count("completed") == 1


# --- missed sessions and dates --------------------------------------------------------------


def test_missed_appointments_are_not_sessions_but_move_the_next_date() -> None:
    without = held(3)
    with_missed = held(3, missed=[{"date": week(4), "reason": "Ill"}])
    a, b = report_of(without), report_of(with_missed)
    assert (a.sessions_recorded, a.phase) == (b.sessions_recorded, b.phase) == (3, "middle")
    assert a.next_date == week(4)
    assert b.next_date == week(5)  # counted on from the missed appointment


def test_a_missed_first_appointment_moves_the_start() -> None:
    c = course(missed=[{"date": START, "reason": "Ill"}])
    assert report_of(c).next_date == week(2)
    assert report_of(course()).next_date == START


def test_a_missed_appointment_before_the_last_session_changes_nothing() -> None:
    c = held(3, missed=[{"date": week(2) + dt.timedelta(days=2), "reason": "Ill"}])
    assert report_of(c).next_date == week(4)


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        ("weekly", dt.date(2026, 2, 7)),
        ("fortnightly", dt.date(2026, 2, 14)),
        ("monthly", dt.date(2026, 2, 28)),  # clamped to the end of February
    ],
)
def test_next_date_by_cadence(cadence: str, expected: dt.date) -> None:
    c = course(cadence=cadence, sessions=[session(dt.date(2026, 1, 31))])
    assert report_of(c).next_date == expected


def test_next_date_does_not_depend_on_today() -> None:
    c = held(2)
    assert report_of(c, today=START).next_date == report_of(c, today=TODAY).next_date == week(3)
    assert report_of(c, today=START).today == START


def test_a_completed_course_has_no_next_date_until_maintenance() -> None:
    c = held(8, planned=8)
    assert report_of(c).next_date is None
    c.maintenance = Maintenance(
        opened=week(8), start_date=week(12), planned_sessions=3, cadence="monthly"
    )
    assert report_of(c).next_date == week(12)
    c.maintenance.sessions = [session(week(12))]
    assert report_of(c).next_date == dt.date(2026, 4, 23)  # a month after it


# --- flags -----------------------------------------------------------------------------------


def test_flags_from_every_risk_item_and_sitting() -> None:
    c = course(
        baseline=Baseline(date=START, phq9=phq9(12, item9=1)),
        sessions=[
            session(week(1), hamd17=hamd17(20, item3=2), gad7=gad7(21)),
            session(week(2), hamd17=hamd17(20, item3=3), bdi2=bdi2(30, item9=2)),
            session(week(3), phq9=phq9(27)),
        ],
    )
    flags = report_of(c).flags
    assert [(f.session, f.instrument, f.item, f.score, f.urgent) for f in flags] == [
        (0, "phq9", 9, 1, False),
        (1, "hamd17", 3, 2, False),
        (2, "hamd17", 3, 3, True),  # HAM-D item 3 >= 3 is urgent
        (2, "bdi2", 9, 2, True),  # BDI-II item 9 >= 2, by analogy (docs/clinical-rules.md)
        (3, "phq9", 9, 3, True),  # PHQ-9 item 9 >= 2 is urgent (issue 26)
    ]
    assert [f.label for f in flags][:3] == [
        "PHQ-9 item 9 = 1 at baseline (2026-01-05)",
        "HAM-D-17 item 3 = 2 at session 1 (2026-01-05)",
        "HAM-D-17 item 3 = 3 URGENT at session 2 (2026-01-12)",
    ]
    assert not any(f.reviewed for f in flags)


def test_no_flag_without_a_risk_score() -> None:
    c = course(
        baseline=Baseline(date=START, phq9=phq9(24), gad7=gad7(21)),
        sessions=[session(week(1), hamd17=hamd17(48), bdi2=bdi2(63))],
    )
    assert report_of(c).flags == []


def test_a_review_marks_its_sitting_reviewed_and_keeps_the_flag() -> None:
    review = RiskReview(date=week(2), note="n")
    c = course(
        sessions=[
            session(week(1), phq9=phq9(10, item9=1), risk_reviews=[review]),
            session(week(2), phq9=phq9(10, item9=2)),
        ]
    )
    report = report_of(c)
    assert [(f.session, f.reviewed) for f in report.flags] == [(1, True), (2, False)]
    assert [(f.session_id, f.session) for f in report.flags] == [(1, 1), (2, 2)]
    assert [f.flag.session for f in report.unreviewed_flags] == [2]


def test_every_review_of_a_sitting_is_kept_in_order() -> None:
    first = RiskReview(date=week(1), note="Passive thoughts", plan="Safety plan", by="Dr K.")
    second = RiskReview(date=week(2), note="Eased")
    c = course(
        baseline=Baseline(date=START, phq9=phq9(12, item9=1), risk_reviews=[first, second]),
        sessions=[session(week(2), hamd17=hamd17(20, item3=3))],
    )
    (history,) = review_history(c)
    assert (history.where, history.date, history.session_id) == ("baseline", START, None)
    assert history.flags == ["PHQ-9 item 9 = 1"]
    assert history.reviews == [first, second]
    c.sessions[0].risk_reviews = [RiskReview(date=week(3), note="Seen")]
    assert [(h.where, h.session_id, h.flags) for h in review_history(c)] == [
        ("baseline", None, ["PHQ-9 item 9 = 1"]),
        ("session 1", 1, ["HAM-D-17 item 3 = 3 URGENT"]),
    ]
    assert report_of(c).unreviewed_flags == []


def test_maintenance_flags_are_marked_as_such() -> None:
    report = report_of(full_course())
    flag = report.flags[-1]
    assert (flag.session, flag.maintenance, flag.instrument) == (2, True, "bdi2")
    assert flag.label == "BDI-II item 9 = 1 at maintenance session 2 (2026-04-20)"
    assert [f.label.split(" at ")[1] for f in report.unreviewed_flags] == [
        "session 2 (2026-01-12), waiting 48 days",
        "maintenance session 2 (2026-04-20), dated after today",
    ]


# --- goals, techniques, tasks, dispute stage, checklist -------------------------------------


def test_goal_ratings_in_session_order() -> None:
    c = course(
        goals=[
            {"id": "a", "text": "First"},
            {"id": "b", "text": "Second"},
            {"id": "c", "text": "Never rated"},
        ],
        sessions=[
            session(week(1), goal_ratings={"a": 2}),
            session(week(2)),
            session(week(3), goal_ratings={"a": 5, "b": 0}),
            session(week(4), goal_ratings={"a": 4}),
        ],
    )
    goals = report_of(c).goals
    assert [(g.id, g.text, g.ratings, g.latest) for g in goals] == [
        ("a", "First", [2, 5, 4], 4),  # the latest, not the best
        ("b", "Second", [0], 0),  # a rating of 0 is a rating
        ("c", "Never rated", [], None),
    ]


def test_techniques_are_counted_most_used_first() -> None:
    c = course(
        sessions=[
            session(week(1), techniques=["exploration"]),
            session(week(2), techniques=["role-play", "clarification"]),
            session(week(3), techniques=["role-play", "clarification"]),
            session(week(4), techniques=["clarification"]),
        ]
    )
    assert list(report_of(c).techniques.items()) == [
        ("clarification", 3),
        ("role-play", 2),
        ("exploration", 1),
    ]


def test_tasks_take_their_outcome_from_the_next_session() -> None:
    c = course(
        sessions=[
            session(week(1), task="Call Ken"),
            session(week(2), task_outcome="Called", task="Walk"),
            session(week(3)),
            session(week(4), task="Write"),
        ]
    )
    rows = report_of(c).tasks
    assert [(t.session, t.date, t.task, t.outcome) for t in rows] == [
        (1, week(1), "Call Ken", "Called"),
        (2, week(2), "Walk", None),  # the next session recorded no outcome
        (4, week(4), "Write", None),  # nothing held after it yet
    ]


def test_dispute_stage_is_the_latest_recorded() -> None:
    c = course(areas=["role-dispute"], dispute_stage="impasse", sessions=sessions(2))
    assert report_of(c).dispute_stage == "impasse"
    c.sessions[0].dispute_stage = "renegotiation"
    assert report_of(c).dispute_stage == "renegotiation"
    assert report_of(course()).dispute_stage is None


def test_termination_checklist_is_marked_from_the_record() -> None:
    c = held(13, planned=16)  # the next session is the first of termination
    checklist = report_of(c).checklist
    assert [i.id for i in checklist] == [
        "review-change",
        "warning-signs",
        "ending-feelings",
        "remaining-issues",
        "next-steps",
    ]
    assert not any(i.done for i in checklist)
    c.sessions = sessions(14)
    c.ending = Ending(warning_signs=["Sleep"], remaining_issues="", decision="end")
    report = report_of(c)
    assert {i.id: i.done for i in report.checklist} == {
        "review-change": False,  # held, but no review recorded (issue 26, defect 15)
        "warning-signs": True,
        "ending-feelings": False,
        "remaining-issues": True,
        "next-steps": True,
    }
    assert [i.id for i in report.open_items] == ["review-change", "ending-feelings"]
    assert report_of(held(12, planned=16)).checklist == []  # not yet in termination


# --- maintenance ----------------------------------------------------------------------------


def test_maintenance_is_reported_apart_against_the_acute_baseline() -> None:
    report = report_of(full_course())
    acute, kept = report.measures["phq9"], report.maintenance_measures["phq9"]
    assert (acute.baseline, acute.latest, acute.response) == (20, 6, True)
    assert (kept.baseline, kept.latest, kept.change, kept.change_percent) == (20, 12, -8, -40.0)
    assert [(p.session, p.total) for p in kept.series] == [(1, 5), (2, 12)]
    assert (kept.response, kept.remission, kept.reliable_change) == (False, False, True)
    assert sorted(report.maintenance_measures) == ["bdi2", "phq9"]  # only what was given there
    bdi2_kept = report.maintenance_measures["bdi2"]
    assert (bdi2_kept.baseline, bdi2_kept.baseline_session, bdi2_kept.latest) == (12, 8, 15)
    # A phase of its own; the acute course stays completed.
    assert (report.phase, report.completed, report.sessions_recorded) == ("maintenance", True, 8)


def test_a_measure_given_later_or_only_in_maintenance_is_reported() -> None:
    """Only the instruments given are summarised; one added to a record after it was made
    (as `ipt session --fix` does) counts as given."""
    course = full_course()
    assert course.maintenance is not None
    course.maintenance.sessions[0].gad7 = gad7(9)
    course.sessions[3].hamd17 = None
    report = report_of(course)
    assert sorted(report.maintenance_measures) == ["bdi2", "gad7", "phq9"]
    assert [p.total for p in report.maintenance_measures["gad7"].series] == [9]
    assert [p.session for p in report.measures["hamd17"].series] == [2, 8]


def test_maintenance_is_measured_from_the_end_of_the_acute_course() -> None:
    report = report_of(full_course())
    kept = report.maintenance_measures["phq9"]
    assert (kept.end_of_acute, kept.change_from_end_of_acute) == (6, 6)
    assert kept.relapse is True and kept.relapse_point is not None
    assert (kept.relapse_point.session, kept.relapse_point.total) == (2, 12)
    assert [(a.instrument, a.kind, a.date) for a in report.alerts] == [
        ("phq9", "relapse", dt.date(2026, 4, 20))
    ]
    assert report.alerts[0].text == (
        "PHQ-9 relapse: 12 at maintenance session 2 (2026-04-20), a case again (>= 10) and a "
        "reliable deterioration (+6) from 6 at the end of the acute course"
    )
    bdi = report.maintenance_measures["bdi2"]
    assert (bdi.end_of_acute, bdi.change_from_end_of_acute, bdi.relapse) == (12, 3, None)


def remitted(*maintenance_scores: int | None) -> Course:
    """A completed 4-session course, PHQ-9 16 at intake ending at 4; then monthly
    maintenance with these scores."""
    c = scored([12, 8, 6, 4], baseline=16, planned=4)
    first = dt.date(2026, 3, 2)
    c.maintenance = Maintenance(
        opened=week(4),
        start_date=first,
        planned_sessions=6,
        cadence="monthly",
        sessions=[
            session(first + dt.timedelta(days=28 * n), **({} if t is None else {"phq9": phq9(t)}))
            for n, t in enumerate(maintenance_scores)
        ],
    )
    return c


@pytest.mark.parametrize(
    ("scores", "relapse", "at", "reasons"),
    [
        ((6, 8), False, None, None),  # +4 and still below caseness
        ((6, 12, 8), True, 2, "a case again (>= 10) and a reliable deterioration (+8)"),
        ((10,), True, 1, "a case again (>= 10) and a reliable deterioration (+6)"),
        ((9,), False, None, None),  # +5, below caseness
        ((None, 10), True, 2, "a case again (>= 10) and a reliable deterioration (+6)"),
    ],
)
def test_relapse_is_a_return_to_caseness_or_a_reliable_deterioration(
    scores: tuple[int | None, ...], relapse: bool, at: int | None, reasons: str | None
) -> None:
    report = report_of(remitted(*scores))
    kept = report.maintenance_measures["phq9"]
    assert (kept.end_of_acute, kept.relapse) == (4, relapse)
    assert kept.latest == [t for t in scores if t is not None][-1]
    if not relapse:
        assert kept.relapse_point is None and report.alerts == []
        return
    # The first maintenance score that shows it is named; it stays flagged after a fall.
    assert kept.relapse_point is not None and kept.relapse_point.session == at
    (alert,) = report.alerts
    assert alert.kind == "relapse" and alert.date == kept.relapse_point.date
    assert alert.text.endswith(f", {reasons} from 4 at the end of the acute course")


def test_a_reliable_deterioration_alone_is_a_relapse() -> None:
    c = scored([12, 11, None, None], baseline=16, planned=4)  # ends at 11: still a case
    c.maintenance = Maintenance(
        opened=week(4),
        start_date=week(8),
        planned_sessions=2,
        cadence="monthly",
        sessions=[session(week(8), phq9=phq9(17))],
    )
    kept = report_of(c).maintenance_measures["phq9"]
    assert (kept.end_of_acute, kept.relapse) == (11, True)
    alerts = report_of(c).alerts
    assert [a.kind for a in alerts] == ["relapse", "not-on-track"]  # 16 -> 11 by session 2
    alert = alerts[0]
    assert alert.text == (
        "PHQ-9 relapse: 17 at maintenance session 1 (2026-02-23), a reliable deterioration "
        "(+6) from 11 at the end of the acute course"  # 17 was a case already: no "again"
    )


def test_an_instrument_first_rated_in_maintenance_names_that_sitting() -> None:
    c = remitted(6, 5)
    assert c.maintenance is not None
    c.maintenance.sessions[0].gad7 = gad7(5)
    c.maintenance.sessions[1].gad7 = gad7(12)
    (alert,) = report_of(c).alerts
    assert alert.kind == "deterioration"
    assert "GAD-7 reliable deterioration in maintenance: 5 at session 1" not in alert.text
    assert "5 at maintenance session 1 (2026-03-02)" in alert.text


def test_no_maintenance_no_maintenance_measures() -> None:
    assert report_of(held(8, planned=8)).maintenance_measures == {}
    c = held(8, planned=8)
    c.maintenance = Maintenance(
        opened=week(8), start_date=week(9), planned_sessions=3, cadence="monthly"
    )
    assert report_of(c).maintenance_measures == {}  # opened, nothing scored yet


def test_summarise_measure_for_maintenance_without_a_contract_is_the_acute_one() -> None:
    c = scored([9, 7], baseline=12)
    rules = ScoringRules()
    acute = summarise_measure(c, INSTRUMENTS["phq9"], rules)
    kept = summarise_measure(c, INSTRUMENTS["phq9"], rules, maintenance=True)
    assert (kept.baseline, kept.latest, kept.change, kept.series) == (
        acute.baseline,
        acute.latest,
        acute.change,
        acute.series,
    )
    assert (kept.response, kept.remission, kept.reliable_improvement) == (
        acute.response,
        acute.remission,
        acute.reliable_improvement,
    )


def test_summarise_measure_for_maintenance_without_a_contract_has_no_relapse() -> None:
    c = scored([9, 7], baseline=12)
    kept = summarise_measure(c, INSTRUMENTS["phq9"], ScoringRules(), maintenance=True)
    assert (kept.end_of_acute, kept.relapse, kept.relapse_point) == (None, None, None)


# --- the list row ---------------------------------------------------------------------------


def test_course_row_sums_up_the_course() -> None:
    c = full_course()
    row = course_row(c)
    assert (row.course_id, row.client, row.phase, row.recorded, row.planned) == (
        "ab",
        "A.B.",
        "maintenance",  # a phase of its own while it has sessions to hold
        8,
        8,
    )
    assert row.next_date == dt.date(2026, 5, 20)  # the next maintenance session
    assert row.latest == {
        "phq9": (12, "moderate"),  # the latest maintenance score
        "gad7": (4, "minimal"),  # not given in maintenance: the last acute score
        "hamd17": (7, "none"),
        "bdi2": (15, "mild"),
    }
    assert row.unreviewed_flags == 2  # maintenance flags count too
    assert row.alerts == [report_of(c).alerts[0].text]  # the relapse
    assert row.archived is False and row.damaged is None
    assert row.is_overdue(dt.date(2026, 5, 21)) and not row.is_overdue(dt.date(2026, 5, 20))
    c.archived = TODAY
    assert course_row(c).archived is True


def test_course_row_phase_after_maintenance() -> None:
    c = full_course()
    assert c.maintenance is not None
    c.maintenance.planned_sessions = 2  # both held
    row = course_row(c)
    assert (row.phase, row.next_date) == ("completed", None)
    assert report_of(c).phase == "completed"


def test_course_row_shows_an_intake_score_alone() -> None:
    row = course_row(course(baseline=Baseline(date=START, phq9=phq9(4), gad7=gad7(9))))
    assert row.latest == {"phq9": (4, "minimal"), "gad7": (9, "mild")}  # a state
    assert row.alerts == []


def test_course_row_of_a_new_course() -> None:
    row = course_row(course())
    assert (row.phase, row.recorded, row.next_date, row.latest, row.unreviewed_flags) == (
        "initial",
        0,
        START,
        {},
        0,
    )


def test_course_row_latest_includes_maintenance_sessions() -> None:
    c = remitted(6, 3)
    assert course_row(c).latest["phq9"] == (3, "minimal")
    assert c.maintenance is not None
    c.maintenance.sessions = c.maintenance.sessions[:1]
    assert course_row(c).latest["phq9"] == (6, "mild")
    c.maintenance.sessions = []
    assert course_row(c).latest["phq9"] == (4, "minimal")  # the end of the acute course


def _row_as_the_report_has_it(c: Course) -> tuple[dict[str, tuple[int, str | None]], list[str]]:
    """The latest score of every instrument and the alerts, read off the whole report."""
    report = report_of(c)
    latest = {}
    for instrument in [*report.measures, *report.maintenance_measures]:
        acute = report.measures.get(instrument)
        kept = report.maintenance_measures.get(instrument)
        series = (kept.series if kept else []) or (acute.series if acute else [])
        if series:
            latest[instrument] = (series[-1].total, series[-1].severity)
    return latest, [a.text for a in report.alerts]


def _row_courses() -> list[Course]:
    from ipt_cli.store.examples import example_names, load_example

    return [
        full_course(),
        remitted(6, 3),
        remitted(12, 19),  # relapse in maintenance
        remitted(None, 9),
        scored([15, None, 8], baseline=18),
        scored([9, 21]),  # reliable deterioration
        course(baseline=Baseline(date=START, phq9=phq9(4), gad7=gad7(9))),
        course(),
        *(load_example(name) for name in example_names()),
    ]


def test_the_list_row_shows_what_the_report_shows() -> None:
    """The row summarises only the instruments a course has scores for; what it shows is
    what the whole report shows: each latest score and every outcome alert, in order."""
    for c in _row_courses():
        row = course_row(c)
        latest, alerts = _row_as_the_report_has_it(c)
        assert {k: v for k, v in row.latest.items() if k != EPISODES} == latest
        assert row.alerts[: len(alerts)] == alerts
