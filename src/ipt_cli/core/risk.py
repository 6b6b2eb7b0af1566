"""Structured risk reviews: their fields in words, and the standing risk level.

A review's structured fields (ipt-domain.md section 8, *Structured risk review*): thoughts of
death or suicide (none, passive, active), a plan, intent, access to means, protective
factors, the clinician's level (low, moderate, high) and what was done. A review judged
high keeps a banner on the agenda and the report until a later review lowers the level.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipt_cli.core.models import Administration, Course, RiskReview
from ipt_cli.core.structs import struct

YES_NO = {True: "yes", False: "no"}
IDEATION_WORDS = {
    "none": "no thoughts of death or suicide",
    "passive": "passive thoughts of death",
    "active": "active suicidal thoughts",
}


def structured_fields(
    ideation: str | None = None,
    plan_made: bool | None = None,
    intent: bool | None = None,
    means: bool | None = None,
    protective: list[str] | None = None,
    level: str | None = None,
    actions: list[str] | None = None,
) -> dict[str, Any]:
    """The structured fields given, as model fields (blank lines dropped)."""
    fields: dict[str, Any] = {
        "ideation": ideation,
        "plan_made": plan_made,
        "intent": intent,
        "means": means,
        "level": level,
        "protective": [p.strip() for p in protective or [] if p.strip()],
        "actions": [a.strip() for a in actions or [] if a.strip()],
    }
    return {k: v for k, v in fields.items() if v not in (None, [])}


def is_structured(review: RiskReview) -> bool:
    return any(
        value not in (None, [])
        for value in (
            review.ideation,
            review.plan_made,
            review.intent,
            review.means,
            review.level,
            review.protective,
            review.actions,
        )
    )


def structured_lines(review: RiskReview) -> list[str]:
    """The structured fields of a review as short lines ("Ideation: passive ...")."""
    lines = []
    if review.ideation:
        lines.append(f"Ideation: {review.ideation} ({IDEATION_WORDS[review.ideation]})")
    answers = [
        f"{name} {YES_NO[value]}"
        for name, value in (
            ("plan", review.plan_made),
            ("intent", review.intent),
            ("access to means", review.means),
        )
        if value is not None
    ]
    if answers:
        lines.append("Plan, intent, means: " + "; ".join(answers))
    if review.protective:
        lines.append("Protective factors: " + "; ".join(review.protective))
    if review.level:
        lines.append(
            f"Risk level: {review.level.upper() if review.level == 'high' else review.level}"
        )
    if review.actions:
        lines.append("Action taken: " + "; ".join(review.actions))
    return lines


@struct(frozen=True)
class StandingRisk:
    """The level of the latest review that judged one, where and when."""

    level: str
    reviewed: dt.date
    where: str  # "session 3 (2026-01-26)"
    by: str | None

    @property
    def banner(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return (
            f"HIGH RISK: judged high on {self.reviewed.isoformat()}{by}, in the review of "
            f"{self.where}; it stands until a later risk review lowers it"
        )


def _reviews_in_order(course: Course) -> list[tuple[dt.date, int, str, RiskReview]]:
    numbered: list[tuple[str, Administration]] = []
    if course.baseline:
        numbered.append(("baseline", course.baseline))
    numbered += [(f"session {n}", s) for n, s in enumerate(course.sessions, 1)]
    if course.maintenance:
        held = enumerate(course.maintenance.sessions, 1)
        numbered += [(f"maintenance session {n}", s) for n, s in held]
    found = []
    order = 0
    for label, sitting in numbered:
        for review in sitting.risk_reviews:
            order += 1
            found.append((review.date, order, f"{label} ({sitting.date.isoformat()})", review))
    return sorted(found, key=lambda row: (row[0], row[1]))


def standing_risk(course: Course) -> StandingRisk | None:
    """The level of the most recent review that gave one (reviews without a level leave it
    as it was); None when no review gave a level."""
    latest = None
    for reviewed, _, where, review in _reviews_in_order(course):
        if review.level is not None:
            latest = StandingRisk(review.level, reviewed, where, review.by)
    return latest


def high_risk(course: Course) -> StandingRisk | None:
    """The standing risk when it is high: the banner shows on the agenda and the report."""
    standing = standing_risk(course)
    return standing if standing is not None and standing.level == "high" else None
