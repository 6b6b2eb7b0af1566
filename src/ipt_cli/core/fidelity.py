"""Fidelity (adherence): a session rated against the IPT tasks of its phase and problem area.

The items are catalogue data (catalogue.FIDELITY_PHASE_ITEMS and FIDELITY_AREA_ITEMS, read
with `ipt guide fidelity`). Each is rated done, partly, not done or not applicable; a later
rating of a session stands in for an earlier one, which is kept. Adherence per phase is the
share of the phase's items (each rated session's items, less those rated "not applicable")
that were done; an item left unrated counts as not shown done, and is reported as unrated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import ValidationError

from ipt_cli.core import catalogue, changes, signing
from ipt_cli.core.changes import Located
from ipt_cli.core.dates import act_date
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


def item_choices(course: Course, where: Located, which: bool = False) -> str:
    """The session and the ids a rating of it takes, in one line (an error is one line; the
    ids with their text: `ipt fidelity COURSE SESSION --no-input`): 'session 3 (...)
    (middle phase) is rated on: mid-opening, mid-rating, ...' (`which`: ', which is')."""
    ids = ", ".join(item.id for item in items_for(course, where))
    verb = ", which is" if which else " is"
    shown = f"m{where.number}" if where.maintenance else str(where.number)
    return (
        f"{where.described} ({phase_of(course, where)} phase){verb} rated on: {ids} (their "
        f"text: ipt fidelity {course.id} {shown} --no-input)"
    )


def parse_item(text: str) -> tuple[str, str]:
    """'mid-opening=done' -> ('mid-opening', 'done')."""
    item_id, sep, score = text.partition("=")
    score = ALIASES.get(score.strip().lower(), score.strip().lower())
    if not sep or not item_id.strip() or score not in SCORES:
        raise InputError(f"--item: use ITEM_ID=SCORE with a score of {', '.join(SCORES)}")
    return item_id.strip(), score


def parse_items(texts: list[str], course: Course, where: Located) -> dict[str, str]:
    """Each --item ID=SCORE of a rating of this session; a malformed one, or one without
    an id, is refused with the session's item ids."""
    try:
        return dict(parse_item(text) for text in texts)
    except InputError as error:
        raise InputError(f"{error.message}; {item_choices(course, where)}") from None


def _check_applicable(course: Course, where: Located, ratings: dict[str, str]) -> None:
    applicable = {item.id for item in items_for(course, where)}
    known = catalogue.all_fidelity_items()
    for item_id in ratings:
        if item_id not in known:
            raise InputError(f"--item: no fidelity item {item_id!r}; {item_choices(course, where)}")
        if item_id not in applicable:
            raise InputError(
                f"--item: {item_id!r} is not rated in {item_choices(course, where, which=True)}"
            )


def rate(
    course: Course,
    ref: str,
    ratings: dict[str, str],
    by: str | None,
    today: dt.date,
    at: dt.datetime,
    sealer: signing.Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
    made: dt.date | None = None,
    recorded_at: dt.datetime | None = None,
) -> tuple[FidelityRating, Located]:
    """Add a fidelity rating to one session (sealed when the session is signed), dated the
    day it was made (`made`, default today; not before the session) with the time written."""
    where = changes.locate_session(course, ref)
    session = where.sitting
    assert isinstance(session, SessionRecord)
    when = act_date(made, today, session.date, f"{where.described}, the session it rates")
    if not ratings:
        raise InputError(
            f"rate at least one item: --item ITEM_ID=SCORE; {item_choices(course, where)}"
        )
    _check_applicable(course, where, ratings)
    try:
        rating = FidelityRating.model_validate(
            {"date": when, "by": by, "items": ratings, "recorded_at": recorded_at}
        )
    except ValidationError as error:
        raise InputError("; ".join(describe_validation(error, None, {"by": "--by"}))) from None
    session.fidelity.append(rating)
    signing.seal_entry(course, session, "fidelity", rating, by, at, sealer, wall=wall)
    return rating, where


@struct(frozen=True)
class PhaseAdherence:
    phase: str
    sessions_rated: int
    applicable: int
    done: int
    partly: int
    not_done: int
    unrated: int = 0  # items of the rated sessions that were left unrated

    @property
    def rated(self) -> int:
        """Items rated done, partly or not done."""
        return self.applicable - self.unrated

    @property
    def percent(self) -> int | None:
        """Done of the applicable items: an unrated item is in the base, shown as unrated
        (issue 26, defect 13)."""
        return round(100 * self.done / self.applicable) if self.applicable else None


def session_scores(course: Course, where: Located) -> Counter[str]:
    """The latest rating of a session over all of its items: each item's score, or
    "unrated" for an item the rating left out (issue 26, defect 13)."""
    assert isinstance(where.sitting, SessionRecord)
    latest = where.sitting.fidelity[-1].items if where.sitting.fidelity else {}
    return Counter(latest.get(item.id, "unrated") for item in items_for(course, where))


def session_adherence(course: Course, where: Located) -> PhaseAdherence:
    """One session's adherence, over the items of its phase and area."""
    counts = session_scores(course, where)
    return _phase_adherence(phase_of(course, where), 1, counts)


def _phase_adherence(phase: str, rated: int, counts: Counter[str]) -> PhaseAdherence:
    return PhaseAdherence(
        phase,
        rated,
        sum(n for s, n in counts.items() if s != "na"),
        counts["done"],
        counts["partly"],
        counts["not-done"],
        counts["unrated"],
    )


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


def _rated_sessions(course: Course) -> list[Located]:
    """The sessions with a fidelity rating, located (most sessions have none)."""
    found = [changes.Located(s, n, False) for n, s in course.numbered_sessions() if s.fidelity]
    if course.maintenance:
        held = enumerate(course.maintenance.sessions, 1)
        found += [changes.Located(s, n, True) for n, s in held if s.fidelity]
    return found


def adherence(course: Course) -> Adherence:
    """Per phase, the share of the rated sessions' items (less "na") done in the latest
    rating of each, unrated items counted and shown; and the items most often not done
    (then partly done)."""
    scores: dict[str, Counter[str]] = {phase: Counter() for phase in PHASES}
    rated: Counter[str] = Counter()
    missed: dict[str, Counter[str]] = {}
    for where in _rated_sessions(course):
        session = where.sitting
        assert isinstance(session, SessionRecord)
        phase = phase_of(course, where)
        rated[phase] += 1
        scores[phase] += session_scores(course, where)
        for item_id, score in session.fidelity[-1].items.items():
            if score in ("not-done", "partly"):
                missed.setdefault(item_id, Counter())[score] += 1
    phases = [
        _phase_adherence(phase, rated[phase], scores[phase]) for phase in PHASES if rated[phase]
    ]
    known = catalogue.all_fidelity_items()
    ranked = sorted(missed.items(), key=lambda kv: (-kv[1]["not-done"], -kv[1]["partly"], kv[0]))
    most = [
        MissedItem(item_id, known[item_id].text, counts["not-done"], counts["partly"])
        for item_id, counts in ranked[:MOST_MISSED]
    ]
    return Adherence(phases, most)
