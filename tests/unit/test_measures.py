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


def test_zero_or_missing_baseline_gives_no_percent_or_response() -> None:
    zero = outcome(PHQ9, 0, 3, RULES)
    assert zero.change_percent is None and zero.response is None
    assert zero.remission is True and zero.severity == "minimal"
    missing = outcome(PHQ9, None, 12, RULES)
    assert missing.change is None and missing.response is None and missing.severity == "moderate"
