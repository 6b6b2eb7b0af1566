"""Supervision: a supervisor's comments on sessions and sign-offs, append-only and dated.

A sign-off is of a signed session (the clinician signs first), and is itself sealed in the
course's signature chain; a comment on a signed session is sealed too.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from ipt_cli.core import changes, signing
from ipt_cli.core.changes import Located
from ipt_cli.core.dates import act_date
from ipt_cli.core.models import Course, SessionRecord, SupervisionEntry
from ipt_cli.core.structs import struct
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import ConflictError, InputError

UNNAMED = "unnamed supervisor"


def supervise(
    course: Course,
    ref: str,
    comment: str | None,
    by: str | None,
    sign_off: bool,
    today: dt.date,
    at: dt.datetime,
    sealer: signing.Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
    made: dt.date | None = None,
    recorded_at: dt.datetime | None = None,
) -> tuple[SupervisionEntry, Located]:
    """Add a supervisor's comment, or sign-off, to one session, dated the day it was made
    (`made`, default today; not before the session) with the time it was written."""
    where = changes.locate_session(course, ref)
    session = where.sitting
    assert isinstance(session, SessionRecord)
    when = act_date(made, today, session.date, f"{where.described}, the session it is about")
    text = comment.strip() if comment else None
    if not text and not sign_off:
        raise InputError("give the supervisor's --comment TEXT, or --sign, or both")
    if sign_off and session.signature is None:
        raise ConflictError(
            f"{where.described} of {course.id!r} is not signed yet: a supervisor signs off a "
            f"signed session; sign it first with: ipt sign {course.id} "
            f"{session.date.isoformat()}"
        )
    if sign_off and not by:
        raise InputError("--sign needs the supervisor's name: --by NAME")
    if sign_off and by and session.signature and _same_person(by, session.signature.by):
        raise ConflictError(
            f"{by} signed {where.described} of {course.id!r} as its clinician; a supervisor's "
            "sign-off is a second person's check: the supervisor signs off with --by NAME"
        )
    try:
        entry = SupervisionEntry.model_validate(
            {
                "date": when,
                "by": by,
                "comment": comment,
                "signed_off": sign_off,
                "recorded_at": recorded_at,
            }
        )
    except ValidationError as error:
        options = {"by": "--by", "comment": "--comment"}
        raise InputError("; ".join(describe_validation(error, None, options))) from None
    session.supervision.append(entry)
    signing.seal_entry(course, session, "supervision", entry, by or UNNAMED, at, sealer, wall=wall)
    return entry, where


def _same_person(a: str, b: str) -> bool:
    """Names compared as people write them: case and spacing aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def signed_off(session: SessionRecord) -> SupervisionEntry | None:
    """The latest sign-off of a session, if any."""
    offs = [e for e in session.supervision if e.signed_off]
    return offs[-1] if offs else None


@struct(frozen=True)
class Unreviewed:
    label: str  # "session 3", "maintenance session 1"
    date: dt.date
    session_id: int | None
    signed: bool


@struct(frozen=True)
class SupervisionSummary:
    reviewed: int  # sessions with at least one supervision entry
    signed_off: int
    unreviewed: list[Unreviewed]
    comments: int

    @property
    def any(self) -> bool:
        return bool(self.reviewed)


def summary(course: Course) -> SupervisionSummary:
    reviewed = offs = comments = 0
    waiting = []
    for label, session in signing.numbered_sessions(course):
        comments += sum(1 for e in session.supervision if e.comment)
        if session.supervision:
            reviewed += 1
            offs += signed_off(session) is not None
        else:
            waiting.append(
                Unreviewed(label, session.date, session.id, session.signature is not None)
            )
    return SupervisionSummary(reviewed, offs, waiting, comments)
