"""The adaptations' measures (issue 28), scored band edge by band edge against their sources
(docs/clinical-rules.md "The adaptations' measures"): the EPDS, the PHQ-A and the ASRM."""

import pytest

from ipt_cli.core import catalogue
from ipt_cli.core.measures import (
    ASRM,
    EPDS,
    INSTRUMENTS,
    PHQ9,
    PHQA,
    ScoringRules,
    check_items,
    outcome,
    screen,
    severity,
)
from ipt_cli.core.models import Asrm, Baseline
from ipt_cli.core.safety import is_urgent, risk_label
from ipt_cli.core.tracking import screen_alerts
from tests.unit.builders import START, scored, spread

RULES = ScoringRules()


def epds(total: int, item10: int = 0) -> list[int]:
    """Ten EPDS items summing to `total`, item 10 as given."""
    rest = total - item10
    items = [min(3, max(0, rest - 3 * n)) for n in range(9)]
    assert sum(items) == rest, "total does not fit"
    return [*items, item10]


@pytest.mark.parametrize(
    ("total", "shown"),
    [
        (0, "below the cut-off for possible depression (10)"),
        (9, "below the cut-off for possible depression (10)"),
        (10, "possible depression (10 or more)"),
        (12, "possible depression (10 or more)"),
        (13, "probable depression (13 or more)"),
        (30, "probable depression (13 or more)"),
    ],
)
def test_epds_cutoffs_at_every_edge(total: int, shown: str) -> None:
    assert screen(EPDS, total) == shown


def test_epds_is_ten_items_0_to_3_total_30_without_bands_or_remission() -> None:
    assert (EPDS.item_count, set(EPDS.item_max), EPDS.total_max) == (10, {3}, 30)
    assert EPDS.bands == () and EPDS.remission_max is None and not EPDS.response_rule
    assert (EPDS.cutoff, [c.score for c in EPDS.cutoffs]) == (10, [10, 13])
    check_items(EPDS, [3] * 10)
    with pytest.raises(ValueError, match="EPDS item 10 must be 0-3, got 4"):
        check_items(EPDS, [0] * 9 + [4])
    with pytest.raises(ValueError, match="EPDS needs 10 item scores, got 9"):
        check_items(EPDS, [0] * 9)


@pytest.mark.parametrize(
    ("item10", "flagged", "urgent"),
    [(0, False, False), (1, True, False), (2, True, True), (3, True, True)],
)
def test_epds_item_10_flags_from_1_and_is_urgent_from_2(
    item10: int, flagged: bool, urgent: bool
) -> None:
    sitting = Baseline.model_validate({"date": START, "epds": {"items": epds(12, item10)}})
    scores = sitting.risk_scores()
    assert bool(scores) is flagged
    if flagged:
        assert scores == [("epds", 10, item10)]
        assert is_urgent("epds", item10, 10) is urgent
        assert risk_label("epds", 10, item10) == f"EPDS item 10 = {item10}" + " URGENT" * urgent


@pytest.mark.parametrize(
    ("baseline", "latest", "improvement", "deterioration"),
    [(14, 11, False, False), (14, 10, True, False), (10, 13, False, False), (10, 14, False, True)],
)
def test_epds_reliable_change_is_4_points_either_way(
    baseline: int, latest: int, improvement: bool, deterioration: bool
) -> None:
    result = outcome(EPDS, baseline, latest, RULES)
    assert (result.reliable_improvement, result.reliable_deterioration) == (
        improvement,
        deterioration,
    )
    assert result.response is None and result.remission is None  # no sourced rule for either
    assert result.reliable_recovery is None  # no caseness convention


def test_epds_reliable_change_is_a_setting() -> None:
    rules = ScoringRules(reliable_change={"epds": 5})
    assert outcome(EPDS, 14, 10, rules).reliable_improvement is False
    assert outcome(EPDS, 14, 9, rules).reliable_improvement is True


def test_a_perinatal_depression_course_offers_the_epds_first() -> None:
    assert catalogue.offered_measures("depression", "perinatal")[:2] == ("epds", "phq9")
    assert catalogue.offered_measures("depression", "standard")[0] == "phq9"
    assert catalogue.offered_measures("ptsd", "perinatal")[:3] == ("pcl5", "epds", "phq9")
    assert "EPDS" in catalogue.symptom_review("depression", "perinatal")
    assert "EPDS" not in catalogue.symptom_review("depression", "standard")
    assert INSTRUMENTS["epds"].option == "--epds"


PHQA_BANDS = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
              (14, "moderate"), (15, "moderately severe"), (19, "moderately severe"),
              (20, "severe"), (27, "severe")]  # fmt: skip


@pytest.mark.parametrize(("total", "band"), PHQA_BANDS)
def test_phqa_is_banded_as_the_phq9_at_every_edge(total: int, band: str) -> None:
    assert severity(total, PHQA.bands) == band == severity(total, PHQ9.bands)


def test_phqa_scores_as_the_phq9_nine_items_0_to_3() -> None:
    assert (PHQA.item_count, set(PHQA.item_max), PHQA.total_max) == (9, {3}, 27)
    assert (PHQA.remission_max, PHQA.reliable_change, PHQA.caseness) == (4, 6, 10)
    assert PHQA.response_rule and PHQA.risk_item == 9 and PHQA.urgent_risk == 2
    assert outcome(PHQA, 20, 10, RULES).response is True  # a 50% fall
    assert outcome(PHQA, 20, 11, RULES).response is False
    assert outcome(PHQA, 12, 4, RULES).remission is True
    assert outcome(PHQA, 12, 5, RULES).remission is False
    assert outcome(PHQA, 12, 6, RULES).reliable_improvement is True  # 6 points
    assert outcome(PHQA, 12, 7, RULES).reliable_improvement is False
    assert outcome(PHQA, 6, 12, RULES).reliable_deterioration is True


def phqa_sitting(item9: int, thoughts: bool | None = None, attempt: bool | None = None) -> Baseline:
    entry: dict[str, object] = {"items": [1] * 8 + [item9]}
    entry.update(
        {k: v for k, v in (("suicidal_thoughts", thoughts), ("attempt", attempt)) if v is not None}
    )
    return Baseline.model_validate({"date": START, "phqa": entry})


@pytest.mark.parametrize(
    ("item9", "thoughts", "attempt", "expected"),
    [
        (0, None, None, []),
        (0, False, False, []),
        (1, False, False, [("phqa", 9, 1, "PHQ-A item 9 = 1")]),
        (2, None, None, [("phqa", 9, 2, "PHQ-A item 9 = 2 URGENT")]),
        (
            0,
            True,
            None,
            [
                (
                    "phqa",
                    10,
                    1,
                    "PHQ-A serious thoughts of ending life in the past month = yes URGENT",
                )
            ],
        ),
        (0, None, True, [("phqa", 11, 1, "PHQ-A suicide attempt ever = yes")]),
    ],
)
def test_phqa_item_9_or_either_yes_raises_the_flag(
    item9: int,
    thoughts: bool | None,
    attempt: bool | None,
    expected: list[tuple[str, int, int, str]],
) -> None:
    sitting = phqa_sitting(item9, thoughts, attempt)
    found = [(i, n, s, risk_label(i, n, s)) for i, n, s in sitting.risk_scores()]
    assert found == expected


def test_an_ipt_a_course_offers_the_phqa_in_place_of_the_phq9() -> None:
    offered = catalogue.offered_measures("depression", "adolescent")
    assert offered[0] == "phqa" and "phq9" not in offered
    assert catalogue.primary_measure("depression", "adolescent") == "phqa"
    assert catalogue.primary_measure("depression", "standard") == "phq9"
    assert "phqa" in catalogue.offered_measures("ptsd", "adolescent")


@pytest.mark.parametrize(
    ("total", "shown"),
    [
        (0, "below the cut-off for possible (hypo)mania (6)"),
        (5, "below the cut-off for possible (hypo)mania (6)"),
        (6, "possible (hypo)mania (6 or more)"),
        (20, "possible (hypo)mania (6 or more)"),
    ],
)
def test_asrm_cutoff_at_its_edge(total: int, shown: str) -> None:
    assert screen(ASRM, total) == shown


def test_asrm_is_five_items_0_to_4_with_no_flag_and_no_invented_thresholds() -> None:
    assert (ASRM.item_count, set(ASRM.item_max), ASRM.total_max) == (5, {4}, 20)
    assert ASRM.risk_item is None and not ASRM.risk_questions  # a mania alert, not a flag
    assert (ASRM.bands, ASRM.remission_max, ASRM.reliable_change, ASRM.caseness) == (
        (),
        None,
        None,
        None,
    )
    result = outcome(ASRM, 2, 12, RULES)
    assert (result.response, result.reliable_deterioration) == (None, None)
    assert outcome(ASRM, 2, 12, ScoringRules(reliable_change={"asrm": 5})).reliable_deterioration
    with pytest.raises(ValueError, match="ASRM item 5 must be 0-4, got 5"):
        check_items(ASRM, [0, 0, 0, 0, 5])


@pytest.mark.parametrize(("total", "alerted"), [(5, False), (6, True)])
def test_the_mania_alert_follows_the_most_recent_asrm(total: int, alerted: bool) -> None:
    course = scored([8], baseline=10)
    assert course.baseline is not None
    course.baseline.asrm = Asrm(items=[4, 4, 0, 0, 0])
    course.sessions[-1].asrm = Asrm(items=spread(total, ASRM.item_max))
    found = screen_alerts(course)
    assert bool(found) is alerted  # the baseline's 8 no longer counts
    if alerted:
        assert found[0].text.startswith(
            f"MANIA ALERT: ASRM {total} at session 1 (2026-01-05), possible (hypo)mania (6 or "
            "more): contact the prescriber; check sleep and the social rhythm"
        )
