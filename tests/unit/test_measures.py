"""Scoring checked against the published rules (../shared/ipt-domain.md §5), edge by edge."""

import pytest

from ipt_cli.core import measures
from ipt_cli.core.measures import BDI2, GAD7, HAMD17, PHQ9, ScoringRules, outcome, severity

# (instrument, total, expected band): both sides of every band edge.
BAND_EDGES = [
    (PHQ9, 0, "minimal"),
    (PHQ9, 4, "minimal"),
    (PHQ9, 5, "mild"),
    (PHQ9, 9, "mild"),
    (PHQ9, 10, "moderate"),
    (PHQ9, 14, "moderate"),
    (PHQ9, 15, "moderately severe"),
    (PHQ9, 19, "moderately severe"),
    (PHQ9, 20, "severe"),
    (PHQ9, 27, "severe"),
    (GAD7, 0, "minimal"),
    (GAD7, 4, "minimal"),
    (GAD7, 5, "mild"),
    (GAD7, 9, "mild"),
    (GAD7, 10, "moderate"),
    (GAD7, 14, "moderate"),
    (GAD7, 15, "severe"),
    (GAD7, 21, "severe"),
    (HAMD17, 0, "none"),
    (HAMD17, 7, "none"),
    (HAMD17, 8, "mild"),
    (HAMD17, 16, "mild"),
    (HAMD17, 17, "moderate"),
    (HAMD17, 23, "moderate"),
    (HAMD17, 24, "severe"),
    (HAMD17, 52, "severe"),
    (BDI2, 0, "minimal"),
    (BDI2, 13, "minimal"),
    (BDI2, 14, "mild"),
    (BDI2, 19, "mild"),
    (BDI2, 20, "moderate"),
    (BDI2, 28, "moderate"),
    (BDI2, 29, "severe"),
    (BDI2, 63, "severe"),
]


@pytest.mark.parametrize(("instrument", "total", "band"), BAND_EDGES)
def test_band_edges(instrument: measures.Instrument, total: int, band: str) -> None:
    assert severity(total, instrument.bands) == band


@pytest.mark.parametrize("instrument", [PHQ9, GAD7, HAMD17, BDI2])
def test_bands_cover_every_total_once(instrument: measures.Instrument) -> None:
    covered = [t for band in instrument.bands for t in range(band.low, band.high + 1)]
    assert covered == list(range(instrument.total_max + 1))


def test_hamd17_alternative_bands_are_configurable() -> None:
    rules = ScoringRules(hamd17_bands="alternative")
    bands = rules.bands(HAMD17)
    assert [severity(t, bands) for t in (7, 8, 13, 14, 18, 19, 22, 23, 52)] == [
        "none",
        "mild",
        "mild",
        "moderate",
        "moderate",
        "severe",
        "severe",
        "very severe",
        "very severe",
    ]


def test_item_shapes_follow_the_published_forms() -> None:
    assert PHQ9.item_max == (3,) * 9 and PHQ9.total_max == sum(PHQ9.item_max)
    assert GAD7.item_max == (3,) * 7 and GAD7.total_max == sum(GAD7.item_max)
    wide = [n for n, top in enumerate(HAMD17.item_max, 1) if top == 4]
    assert wide == [1, 2, 3, 7, 8, 9, 10, 11, 15]
    assert HAMD17.total_max == sum(HAMD17.item_max) == 52
    assert BDI2.item_count == 0  # copyrighted: no items stored


@pytest.mark.parametrize(
    ("instrument", "items", "message"),
    [
        (PHQ9, [0] * 8, "PHQ-9 needs 9 item scores, got 8"),
        (PHQ9, [0] * 8 + [4], "PHQ-9 item 9 must be 0-3, got 4"),
        (GAD7, [0, -1, 0, 0, 0, 0, 0], "GAD-7 item 2 must be 0-3, got -1"),
        (HAMD17, [0] * 3 + [3] + [0] * 13, "HAM-D-17 item 4 must be 0-2, got 3"),
        (HAMD17, [5] + [0] * 16, "HAM-D-17 item 1 must be 0-4, got 5"),
    ],
)
def test_wrong_items_are_named(
    instrument: measures.Instrument, items: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        measures.check_items(instrument, items)


def test_hamd17_accepts_four_on_wide_items_only() -> None:
    items = [4 if top == 4 else 2 for top in HAMD17.item_max]
    measures.check_items(HAMD17, items)
    assert sum(items) == 52


RULES = ScoringRules()


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "response", "remission"),
    [
        (PHQ9, 20, 10, True, False),  # exactly 50%: a response
        (PHQ9, 20, 11, False, False),
        (PHQ9, 10, 4, True, True),  # remission is < 5
        (PHQ9, 10, 5, True, False),
        (GAD7, 12, 4, True, True),
        (GAD7, 12, 5, True, False),
        (HAMD17, 20, 7, True, True),  # remission is <= 7
        (HAMD17, 20, 8, True, False),
        (BDI2, 30, 13, True, True),  # remission is <= 13
        (BDI2, 30, 14, True, False),
        (BDI2, 30, 16, False, False),
    ],
)
def test_response_and_remission(
    instrument: measures.Instrument, baseline: int, latest: int, response: bool, remission: bool
) -> None:
    result = outcome(instrument, baseline, latest, RULES)
    assert (result.response, result.remission) == (response, remission)


def test_change_percent_and_reliable_change() -> None:
    result = outcome(PHQ9, 18, 12, RULES)
    assert result.change == -6
    assert result.change_percent == -33.33
    assert result.reliable_change is True  # PHQ-9: >= 6 points
    assert outcome(PHQ9, 18, 13, RULES).reliable_change is False
    assert outcome(GAD7, 10, 6, RULES).reliable_change is True  # GAD-7: >= 4 points
    assert outcome(GAD7, 10, 7, RULES).reliable_change is False
    assert outcome(HAMD17, 20, 2, RULES).reliable_change is None  # no published default


def test_reliable_change_threshold_is_configurable() -> None:
    rules = ScoringRules(reliable_change={"phq9": 5, "bdi2": 9})
    assert outcome(PHQ9, 18, 13, rules).reliable_change is True
    assert outcome(BDI2, 30, 21, rules).reliable_change is True


def test_zero_baseline_gives_no_percent_or_response() -> None:
    zero = outcome(PHQ9, 0, 3, RULES)
    assert zero.change_percent is None and zero.response is None
    # never a case: no remission is claimed (issue 26 defect 6)
    assert zero.remission is None and zero.case_at_baseline is False and zero.change == 3


@pytest.mark.parametrize(("baseline", "latest"), [(4, None), (None, 12), (None, None)])
def test_one_score_is_not_an_outcome(baseline: int | None, latest: int | None) -> None:
    """A baseline of 4 is not a remission: without a later score nothing is judged."""
    result = outcome(PHQ9, baseline, latest, RULES)
    assert result.baseline == baseline
    assert (result.latest, result.change, result.change_percent) == (None, None, None)
    assert (result.response, result.remission) == (None, None)
    assert result.reliable_improvement is None and result.reliable_deterioration is None
    assert result.reliable_recovery is None and result.reliable_change is None


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "improvement", "deterioration", "recovery"),
    [
        (PHQ9, 8, 15, False, True, False),  # worse by 7: deterioration, never "reliable: yes"
        (PHQ9, 8, 14, False, True, False),  # exactly 6 points
        (PHQ9, 8, 13, False, False, False),  # 5 points: not reliable
        (PHQ9, 15, 9, True, False, True),  # a case (>= 10) to below caseness, by 6
        (PHQ9, 15, 10, False, False, False),  # 5 points: below the reliable threshold
        (PHQ9, 16, 10, True, False, False),  # reliable, but still a case (10)
        (PHQ9, 9, 2, True, False, False),  # reliable, but never a case: no recovery
        (GAD7, 8, 4, True, False, True),  # GAD-7 caseness is >= 8, reliable is 4
        (GAD7, 11, 8, False, False, False),
        (GAD7, 7, 11, False, True, False),
        (GAD7, 12, 8, True, False, False),  # 8 is still a case
    ],
)
def test_reliable_change_has_a_direction(
    instrument: measures.Instrument,
    baseline: int,
    latest: int,
    improvement: bool,
    deterioration: bool,
    recovery: bool,
) -> None:
    result = outcome(instrument, baseline, latest, RULES)
    assert result.reliable_improvement is improvement
    assert result.reliable_deterioration is deterioration
    assert result.reliable_recovery is recovery
    assert result.reliable_change is improvement  # the old key means improvement


def test_hamd_and_bdi_have_no_reliable_categories_unless_configured() -> None:
    assert outcome(HAMD17, 20, 30, RULES).reliable_deterioration is None
    assert outcome(BDI2, 30, 10, RULES).reliable_recovery is None
    rules = ScoringRules(reliable_change={"hamd17": 8}, caseness={"hamd17": 15})
    worse = outcome(HAMD17, 10, 18, rules)
    assert worse.reliable_deterioration is True and worse.reliable_improvement is False
    better = outcome(HAMD17, 20, 7, rules)
    assert better.reliable_recovery is True
    # A threshold without a caseness gives the direction, but no recovery.
    only_points = outcome(BDI2, 30, 10, ScoringRules(reliable_change={"bdi2": 9}))
    assert only_points.reliable_improvement is True and only_points.reliable_recovery is None


def test_bdi2_total_below_item9_is_refused() -> None:
    measures.check_bdi2(3, 3)
    with pytest.raises(ValueError, match="BDI-II total 2 is below its item 9"):
        measures.check_bdi2(2, 3)
