"""Fidelity (adherence): a session rated against the IPT tasks of its phase and problem area.

The items are catalogue data (catalogue.FIDELITY_PHASE_ITEMS and FIDELITY_AREA_ITEMS, read
with `ipt guide fidelity`). Each is rated done, partly, not done or not applicable; a later
rating of a session stands in for an earlier one, which is kept. Adherence per phase is the
share of applicable items (rated, and not "not applicable") that were done.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import ValidationError

from ipt_cli.core import catalogue, changes, signing
from ipt_cli.core.changes import Located
from ipt_cli.core.models import Course, FidelityRating, SessionRecord
from ipt_cli.core.planning import course_spans
from ipt_cli.core.structs import struct
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import InputError

SCORES = tuple(catalogue.FIDELITY_SCORES)
ALIASES = {
    "not_done": "not-done",
    "no": "not-done",
    "n/a": "na",
    "yes": "done",
    "partial": "partly",
}
PHASES = ("initial", "middle", "termination", "maintenance")
MOST_MISSED = 3


def phase_of(course: Course, where: Located) -> str:
    if where.maintenance:
        return "maintenance"
    return course_spans(course).phase_of(where.number, course.planned_sessions)


def area_of(course: Course, session: SessionRecord) -> str:
    """The session's focus, else the course's primary problem area."""
    return session.focus or course.problem_areas[0]


def items_for(course: Course, where: Located) -> tuple[catalogue.Item, ...]:
    assert isinstance(where.sitting, SessionRecord)
    return catalogue.fidelity_items(phase_of(course, where), area_of(course, where.sitting))


def parse_item(text: str) -> tuple[str, str]:
    """'mid-opening=done' -> ('mid-opening', 'done')."""
    item_id, sep, score = text.partition("=")
    score = ALIASES.get(score.strip().lower(), score.strip().lower())
    if not sep or not item_id.strip() or score not in SCORES:
        raise InputError(f"--item: use ITEM_ID=SCORE with a score of {', '.join(SCORES)}")
    return item_id.strip(), score


def _check_applicable(course: Course, where: Located, ratings: dict[str, str]) -> None:
    applicable = {item.id for item in items_for(course, where)}
    known = catalogue.all_fidelity_items()
    for item_id in ratings:
        if item_id not in known:
            raise InputError(f"--item: no fidelity item {item_id!r}; see: ipt guide fidelity")
        if item_id not in applicable:
            raise InputError(
                f"--item: {item_id!r} is not rated in {where.described}; its items are "
                f"listed by: ipt fidelity {course.id} {where.sitting.date.isoformat()}"
            )


def rate(
    course: Course,
    ref: str,
    ratings: dict[str, str],
    by: str | None,
    today: dt.date,
    at: dt.datetime,
    sealer: signing.Sealer | None = None,
) -> tuple[FidelityRating, Located]:
    """Add a fidelity rating to one session (sealed when the session is signed)."""
    where = changes.locate_session(course, ref)
    session = where.sitting
    assert isinstance(session, SessionRecord)
    if not ratings:
        raise InputError("rate at least one item: --item ITEM_ID=SCORE")
    _check_applicable(course, where, ratings)
    try:
        rating = FidelityRating.model_validate({"date": today, "by": by, "items": ratings})
    except ValidationError as error:
        raise InputError("; ".join(describe_validation(error, None, {"by": "--by"}))) from None
    session.fidelity.append(rating)
    signing.seal_entry(course, session, "fidelity", rating, by, at, sealer)
    return rating, where


@struct(frozen=True)
class PhaseAdherence:
    phase: str
    sessions_rated: int
    applicable: int
    done: int
    partly: int
    not_done: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.applicable) if self.applicable else None


@struct(frozen=True)
class MissedItem:
    id: str
    text: str
    not_done: int
    partly: int


@struct(frozen=True)
class Adherence:
    phases: list[PhaseAdherence]
    most_missed: list[MissedItem]

    @property
    def any(self) -> bool:
        return bool(self.phases)


def _located_sessions(course: Course) -> list[Located]:
    found = [changes.Located(s, n, False) for n, s in enumerate(course.sessions, 1)]
    if course.maintenance:
        found += [changes.Located(s, n, True) for n, s in enumerate(course.maintenance.sessions, 1)]
    return found


def adherence(course: Course) -> Adherence:
    """Per phase, the share of applicable items done in the latest rating of each rated
    session; and the items most often not done (then partly done)."""
    scores: dict[str, Counter[str]] = {phase: Counter() for phase in PHASES}
    rated: Counter[str] = Counter()
    missed: dict[str, Counter[str]] = {}
    for where in _located_sessions(course):
        session = where.sitting
        assert isinstance(session, SessionRecord)
        if not session.fidelity:
            continue
        phase = phase_of(course, where)
        rated[phase] += 1
        for item_id, score in session.fidelity[-1].items.items():
            scores[phase][score] += 1
            if score in ("not-done", "partly"):
                missed.setdefault(item_id, Counter())[score] += 1
    phases = [
        PhaseAdherence(
            phase,
            rated[phase],
            sum(n for s, n in scores[phase].items() if s != "na"),
            scores[phase]["done"],
            scores[phase]["partly"],
            scores[phase]["not-done"],
        )
        for phase in PHASES
        if rated[phase]
    ]
    known = catalogue.all_fidelity_items()
    ranked = sorted(missed.items(), key=lambda kv: (-kv[1]["not-done"], -kv[1]["partly"], kv[0]))
    most = [
        MissedItem(item_id, known[item_id].text, counts["not-done"], counts["partly"])
        for item_id, counts in ranked[:MOST_MISSED]
    ]
    return Adherence(phases, most)
