"""The rules of the clinical record, in the core: the standing risk level, the safety plan's
text round-trip, fidelity items per phase and adherence, supervision summaries."""

from __future__ import annotations

import datetime as dt

import pytest

from ipt_cli.core import fidelity, risk, safety_plan, supervision
from ipt_cli.core.changes import Located
from ipt_cli.core.models import Maintenance, RiskReview
from ipt_cli.errors import InputError
from tests.unit.builders import START, held, phq9, session, sessions

AT = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


def review(day: dt.date, level: str | None, by: str | None = None) -> RiskReview:
    return RiskReview(date=day, note="n", level=level, by=by)


def test_the_standing_level_is_the_latest_review_that_gave_one() -> None:
    made = held(3)
    made.sessions[0].risk_reviews = [review(dt.date(2026, 1, 20), "high", "Dr K.")]
    made.sessions[2].risk_reviews = [review(dt.date(2026, 1, 10), "low")]  # earlier review
    standing = risk.high_risk(made)
    assert standing is not None and standing.where == "session 1 (2026-01-05)"
    made.sessions[1].risk_reviews = [review(dt.date(2026, 1, 21), None)]
    assert risk.high_risk(made) is not None  # no level: it stands
    made.sessions[1].risk_reviews.append(review(dt.date(2026, 1, 22), "moderate"))
    assert risk.high_risk(made) is None
    assert risk.standing_risk(made) is not None
    assert risk.standing_risk(made).level == "moderate"  # type: ignore[union-attr]


def test_structured_lines_say_each_field_given() -> None:
    full = RiskReview(
        date=START, note="n", ideation="none", plan_made=False, intent=True, means=None,
        protective=["Dog"], level="high", actions=["GP informed"],
    )  # fmt: skip
    assert risk.structured_lines(full) == [
        "Ideation: none (no thoughts of death or suicide)",
        "Plan, intent, means: plan no; intent yes",
        "Protective factors: Dog",
        "Risk level: HIGH",
        "Action taken: GP informed",
    ]
    assert risk.structured_lines(RiskReview(date=START, note="n")) == []
    assert risk.structured_fields(protective=[" ", "x "], level=None) == {"protective": ["x"]}


def test_the_safety_plan_text_round_trips_and_refuses_unknown_headings() -> None:
    made = held(1)
    safety_plan.revise(made, {"warning_signs": ["Not sleeping"], "helpers": ["Ann"]}, START, None)
    text = safety_plan.plan_text(made)
    assert safety_plan.parse_plan_text(text) == made.safety_plan[-1].sections()
    with pytest.raises(InputError, match="line 2: not a section heading"):
        safety_plan.parse_plan_text("## Warning signs\n## Hobbies\n- x\n")
    with pytest.raises(InputError, match="line 1: an item before the first section heading"):
        safety_plan.parse_plan_text("stray\n")
    assert safety_plan.revise(made, {"helpers": ["Ann"]}, START, None) is None
    with pytest.raises(InputError, match="at least one item"):
        safety_plan.revise(held(1), {"helpers": [" "]}, START, None)


def test_fidelity_items_follow_the_phase_and_the_area() -> None:
    made = held(8, planned=12, areas=("role-dispute", "grief"))
    made.sessions[5].focus = "grief"
    ids = [i.id for i in fidelity.items_for(made, Located(made.sessions[4], 5, False))]
    assert ids[:7] == [i.id for i in fidelity.catalogue.FIDELITY_PHASE_ITEMS["middle"]]
    assert "dispute-fid-stage" in ids and "grief-fid-onset" not in ids  # the primary area
    ids = [i.id for i in fidelity.items_for(made, Located(made.sessions[5], 6, False))]
    assert "grief-fid-onset" in ids  # the session's focus
    first = [i.id for i in fidelity.items_for(made, Located(made.sessions[0], 1, False))]
    assert first[0] == "init-symptoms"


def test_maintenance_sessions_are_rated_against_the_maintenance_items() -> None:
    made = held(4, planned=4)
    made.maintenance = Maintenance(
        opened=dt.date(2026, 2, 1),
        start_date=dt.date(2026, 3, 2),
        planned_sessions=6,
        cadence="monthly",
        sessions=sessions(1, start=dt.date(2026, 3, 2)),
    )
    fidelity.rate(made, "m1", {"maint-risk": "done", "maint-plan": "not-done"}, None, START, AT)
    with pytest.raises(InputError, match="'mid-opening' is not rated in maintenance session 1"):
        fidelity.rate(made, "m1", {"mid-opening": "done"}, None, START, AT)
    found = fidelity.adherence(made)
    assert [(p.phase, p.applicable, p.done, p.unrated, p.percent) for p in found.phases] == [
        ("maintenance", 6, 1, 4, 17)  # over the phase's 6 items, 4 unrated (issue 26)
    ]


def test_a_later_rating_of_a_session_stands_in_for_the_earlier_one() -> None:
    made = held(6)
    fidelity.rate(made, "5", {"mid-opening": "not-done"}, None, START, AT)
    fidelity.rate(made, "5", {"mid-opening": "done", "mid-plan": "na"}, "Dr S.", START, AT)
    [middle] = fidelity.adherence(made).phases
    # 12 items, 1 rated na: 11 applicable, 1 done, 10 unrated (issue 26, defect 13)
    assert (middle.sessions_rated, middle.applicable, middle.done, middle.unrated) == (1, 11, 1, 10)
    assert len(made.sessions[4].fidelity) == 2  # the earlier one is kept
    assert fidelity.adherence(made).most_missed == []
    assert fidelity.parse_item("mid-plan = N/A") == ("mid-plan", "na")


def test_supervision_summary_counts_reviews_and_lists_the_rest() -> None:
    made = held(3)
    made.sessions[0].phq9 = phq9(5)
    supervision.supervise(made, "2026-01-05", "Fine", "Dr S.", False, START, AT)
    found = supervision.summary(made)
    assert (found.reviewed, found.signed_off, found.comments) == (1, 0, 1)
    assert [u.label for u in found.unreviewed] == ["session 2", "session 3"]
    with pytest.raises(InputError, match="give the supervisor's --comment"):
        supervision.supervise(made, "1", "  ", "Dr S.", False, START, AT)
    assert session(START).supervision == []
