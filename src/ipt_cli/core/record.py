"""Changes to the clinical record that keep signed sessions sealed.

A signed session takes no change: it only grows by entries (an addendum, a risk review, a
supervision entry, a fidelity rating), and each entry added to a signed session is sealed
as a link of the course's signature chain (core/signing.py). These functions make a change
and seal it; the CLI calls them inside CourseStore.update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipt_cli.core import changes, fidelity, safety_plan, signing, supervision
from ipt_cli.core.changes import Located
from ipt_cli.core.fidelity import Adherence
from ipt_cli.core.models import Course, RiskReview, SessionRecord
from ipt_cli.core.signing import ChainCheck
from ipt_cli.core.structs import struct
from ipt_cli.core.supervision import SupervisionSummary
from ipt_cli.errors import ConflictError


def session_of(where: Located) -> SessionRecord:
    assert isinstance(where.sitting, SessionRecord)
    return where.sitting


def amend(
    course: Course,
    ref: str,
    text: str,
    today: dt.date,
    at: dt.datetime,
    by: str | None = None,
    sealer: signing.Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
) -> Located:
    """Add a dated addendum; to a signed session, a sealed one."""
    where = changes.amend_session(course, ref, text, today, by=by)
    session = session_of(where)
    signing.seal_entry(course, session, "addenda", session.addenda[-1], by, at, sealer, wall=wall)
    return where


def review(
    course: Course,
    ref: str,
    note: str,
    plan: str | None,
    today: dt.date,
    at: dt.datetime,
    by: str | None = None,
    structured: dict[str, Any] | None = None,
    sealer: signing.Sealer | None = None,
    recorded_at: dt.datetime | None = None,
    date: dt.date | None = None,
) -> tuple[RiskReview, Located]:
    """Add a risk review; to a signed session, a sealed one. `recorded_at` is when it was
    written (the standing level is the level of the review recorded last); `date` the day a
    late review was made (default today)."""
    _, where = changes.review_risk(
        course,
        ref,
        note,
        plan,
        today,
        by=by,
        structured=structured,
        recorded_at=recorded_at,
        date=date,
    )
    added = where.sitting.risk_reviews[-1]
    if isinstance(where.sitting, SessionRecord):
        signing.seal_entry(course, where.sitting, "risk_reviews", added, by, at, sealer)
    return added, where


def sign(
    course: Course,
    ref: str,
    by: str,
    at: dt.datetime,
    sealer: signing.Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
) -> Located:
    """Sign one session: its recorded fields can no longer change."""
    where = changes.locate_session(course, ref)
    signing.sign_session(course, session_of(where), where.label, by, at, sealer, wall=wall)
    return where


def sign_all(
    course: Course,
    by: str,
    at: dt.datetime,
    sealer: signing.Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
) -> list[str]:
    """Sign every unsigned session, in the order of the record; their labels."""
    done = []
    for label, session in signing.numbered_sessions(course):
        if session.signature is None:
            signing.sign_session(course, session, label, by, at, sealer, wall=wall)
            done.append(f"{label} ({session.date.isoformat()})")
    if not done:
        held = len(course.all_sessions())
        raise ConflictError(
            f"nothing to sign in {course.id!r}: "
            + ("every session is already signed" if held else "no session is recorded")
        )
    return done


@struct(frozen=True)
class RecordSummary:
    """The parts of the clinical record a report shows beside the outcomes."""

    safety_plan: str | None  # "version 2 of 2026-02-02"
    supervision: SupervisionSummary
    adherence: Adherence
    chain: ChainCheck


def summarise(course: Course) -> RecordSummary:
    return RecordSummary(
        safety_plan=safety_plan.version_label(course),
        supervision=supervision.summary(course),
        adherence=fidelity.adherence(course),
        chain=signing.verify_chain(course),
    )
