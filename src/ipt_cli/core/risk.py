"""The risk state of a course, computed once; and structured risk reviews in words.

`risk_state(course, today)` is the one place ipt decides what a clinician must see about
risk: the flags no review has answered (each with its source, severity and the days it has
waited), the standing level from the review recorded last, the high-risk banner and the last
review. Every view (list, agenda, plan, report, note, the interactive session, the group
report) renders that object and computes nothing of its own (issue 26).

A review's structured fields (ipt-domain.md section 8, *Structured risk review*): thoughts of
death or suicide (none, passive, active), a plan, intent, access to means, protective
factors, the clinician's level (low, moderate, high) and what was done. A review judged
high keeps a banner on every view until a review recorded later lowers the level.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ipt_cli.core import vocabulary
from ipt_cli.core.safety import (
    SafetyFlag,
    review_command,
    sitting_where,
    sittings_in_order,
    unreviewed,
)
from ipt_cli.core.structs import replace, struct

if TYPE_CHECKING:  # `ipt guide` reads the catalogue without the models
    from ipt_cli.core.models import Course, RiskReview

YES_NO = {True: "yes", False: "no"}
_IDEATION_DESCRIBED: dict[vocabulary.IdeationId, str] = {
    "none": "no thoughts of death or suicide",
    "passive": "passive thoughts of death",
    "active": "active suicidal thoughts",
}
IDEATION_WORDS: dict[str, str] = dict(_IDEATION_DESCRIBED.items())


# What a review must hold to answer a flag (issue 26, defect 2): the option that gives it.
REQUIRED_JUDGEMENT = {"ideation": "--ideation", "level": "--level", "actions": "--action"}


def missing_judgement(fields: dict[str, Any]) -> list[str]:
    """The options of the judgement a review lacks (none: it may be recorded)."""
    return [option for key, option in REQUIRED_JUDGEMENT.items() if not fields.get(key)]


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
    """The level of the review recorded last that judged one, where and when."""

    level: str
    reviewed: dt.date
    where: str  # "session 3 (2026-01-26)"
    by: str | None
    written_on: dt.date | None = None  # a late review: the day it was written

    @property
    def dated(self) -> str:
        """'2026-01-12', or '2026-01-12 (recorded 2026-01-14)' for a late review."""
        late = self.written_on is not None and self.written_on != self.reviewed
        written = f" (recorded {self.written_on.isoformat()})" if late and self.written_on else ""
        return self.reviewed.isoformat() + written

    @property
    def banner(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return (
            f"HIGH RISK: judged high on {self.dated}{by}, in the review of "
            f"{self.where}; it stands until a later risk review lowers it"
        )

    @property
    def line(self) -> str:
        """'Standing risk level: moderate, judged 2026-01-26 by Dr K. in the review of
        session 3 (2026-01-26)'."""
        level = self.level.upper() if self.level == "high" else self.level
        by = f" by {self.by}" if self.by else ""
        return (
            f"Standing risk level: {level}, judged {self.dated}{by} in the review of {self.where}"
        )


def _recorded_order(review: RiskReview, date: dt.date, order: int) -> tuple[Any, ...]:
    """The order reviews were written in: by `recorded_at` (schema 7); reviews of older files
    have none and were written before every review that has one, so they come first, by
    date and then as the file lists them (never by the session they belong to alone)."""
    if review.recorded_at is None:
        return (0, date, order)
    at = review.recorded_at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return (1, at, order)


def _reviews_in_order(course: Course) -> list[tuple[dt.date, str, RiskReview]]:
    """Every review of the course as (date, where, review), in the order they were recorded
    (issue 26, defect 1: sorting by session let a review of session 0 written later be
    overridden by an earlier review of session 1)."""
    numbered = [(sitting_where(m, n), s) for m, n, s in sittings_in_order(course)]
    # A withdrawn session's reviews still count (hazard HAZ-36): a judgement recorded, a HIGH
    # level above all, stands until a later review, whatever became of the session.
    for session in course.withdrawn():
        number = session.withdrawn.number if session.withdrawn else None
        numbered.append((f"withdrawn session {number or ''}".rstrip(), session))
    found = []
    order = 0
    for label, sitting in numbered:
        for review in sitting.risk_reviews:
            order += 1
            key = _recorded_order(review, review.date, order)
            found.append((key, review.date, f"{label} ({sitting.date.isoformat()})", review))
    found.sort(key=lambda row: row[0])
    return [(date, where, review) for _, date, where, review in found]


def standing_risk(course: Course) -> StandingRisk | None:
    """The level of the review recorded last that gave one (reviews without a level leave it
    as it was); None when no review gave a level."""
    latest = None
    for reviewed, where, review in _reviews_in_order(course):
        if review.level is not None:
            latest = StandingRisk(review.level, reviewed, where, review.by, review.written_on)
    return latest


def high_risk(course: Course) -> StandingRisk | None:
    """The standing risk when it is high (prefer `risk_state(...).high`)."""
    standing = standing_risk(course)
    return standing if standing is not None and standing.level == "high" else None


@struct(frozen=True)
class LastReview:
    """The review recorded last: when, of which sitting, its level (None: not judged)."""

    date: dt.date
    where: str
    level: str | None
    by: str | None
    written_on: dt.date | None = None  # a late review: the day it was written


@struct(frozen=True)
class OpenFlag:
    """A flag no review has answered, with the days it has waited (from its sitting's date)."""

    flag: SafetyFlag
    days: int

    @property
    def severity(self) -> str:
        return "URGENT" if self.flag.urgent else "flag"

    @property
    def source(self) -> str:
        """'PHQ-9 item 9 at session 2 (2026-01-19)'."""
        return self.flag.label

    @property
    def label(self) -> str:
        """'PHQ-9 item 9 = 2 URGENT at session 2 (2026-01-19), waiting 3 days'."""
        return f"{self.flag.label}, {waiting(self.days)}"


def waiting(days: int) -> str:
    if days < 0:
        return "dated after today"
    if days == 0:
        return "raised today"
    return f"waiting {days} day{'s' * (days != 1)}"


@struct(frozen=True)
class RiskState:
    """What every view shows about a course's risk on a given day (see the module doc)."""

    today: dt.date
    flags: list[OpenFlag]  # unreviewed, oldest first
    standing: StandingRisk | None
    last_review: LastReview | None
    commands: list[str]  # one review command per flagged sitting
    # a missed appointment at moderate or high standing risk with no session or contact
    # since (issue 29): "missed session 6 on 2026-02-09 at HIGH risk: contact the client"
    follow_up: str | None = None

    @property
    def level(self) -> str | None:
        return self.standing.level if self.standing else None

    @property
    def high(self) -> StandingRisk | None:
        return self.standing if self.standing and self.standing.level == "high" else None

    @property
    def banner(self) -> str | None:
        return self.high.banner if self.high else None

    @property
    def urgent(self) -> bool:
        return any(f.flag.urgent for f in self.flags)

    @property
    def oldest_flag_days(self) -> int | None:
        return max((max(f.days, 0) for f in self.flags), default=None)

    @property
    def labels(self) -> list[str]:
        return [f.label for f in self.flags]

    @property
    def newer_flag(self) -> OpenFlag | None:
        """An unreviewed flag raised on or after the day the standing level was judged: the
        level is out of date until it is reviewed (a flag still unreviewed was not weighed by
        that review, even on its day; the first URGENT one, else the first). None without."""
        if self.standing is None:
            return None
        newer = [f for f in self.flags if f.flag.date >= self.standing.reviewed]
        return next((f for f in newer if f.flag.urgent), newer[0] if newer else None)

    @property
    def level_line(self) -> str:
        """The standing level in one line, also when no review judged one; out of date, and
        said so, while a flag raised after it is unreviewed ('Standing risk level: low,
        judged 2026-09-14 ... - not weighing the unreviewed URGENT flag of 2026-09-21')."""
        if self.standing is None:
            return "Standing risk level: not yet judged (no risk review gave a level)"
        newer = self.newer_flag
        if newer is None:
            return self.standing.line
        urgent = " URGENT" if newer.flag.urgent else ""
        return (
            f"{self.standing.line} — not weighing the unreviewed{urgent} flag of "
            f"{newer.flag.date.isoformat()} (out of date until it is reviewed)"
        )

    def without_sitting(self, course_id: str, number: int, maintenance: bool) -> RiskState:
        """The state without the flags of one sitting (session `number`, 0 the baseline;
        a maintenance session's with `maintenance`) and their review commands: what is
        still open elsewhere when a session is recorded, whose own flags its SAFETY notice
        names (the clinician's walk-through of the risk views)."""
        kept = [
            f for f in self.flags if (f.flag.maintenance, f.flag.session) != (maintenance, number)
        ]
        commands = list(dict.fromkeys(review_command(course_id, f.flag) for f in kept))
        return replace(self, flags=kept, commands=commands)

    @property
    def status_lines(self) -> list[str]:
        """The standing level, then the follow-up a missed appointment at risk owes."""
        return [self.level_line, *([f"FOLLOW-UP: {self.follow_up}"] if self.follow_up else [])]


def _last_review(course: Course) -> LastReview | None:
    reviews = _reviews_in_order(course)
    if not reviews:
        return None
    date, where, review = reviews[-1]
    return LastReview(date, where, review.level, review.by, review.written_on)


def risk_state(course: Course, today: dt.date, flags: list[SafetyFlag] | None = None) -> RiskState:
    """The course's risk state on `today`: the one object every view renders. `flags`: the
    course's safety_flags when the caller has them already (a report of 2,000 sessions
    spent a fifth of its time finding them three times)."""
    waiting = sorted(unreviewed(course, flags), key=lambda f: (f.date, f.maintenance, f.session))
    open_flags = [OpenFlag(f, (today - f.date).days) for f in waiting]
    return RiskState(
        today=today,
        flags=open_flags,
        standing=standing_risk(course),
        last_review=_last_review(course),
        commands=list(dict.fromkeys(review_command(course.id, f) for f in waiting)),
        follow_up=missed_at_risk(course, waiting),
    )


FOLLOW_UP_LEVELS = ("moderate", "high")


def missed_at_risk(course: Course, waiting: list[SafetyFlag] | None = None) -> str | None:
    """The follow-up a missed appointment owes while the standing risk is moderate or high,
    or a flag waits unreviewed (a risk signal no one has judged yet: the client it was
    raised for did not come back to have it reviewed): named until a later session is held
    or a contact is recorded on or after its date."""
    standing = standing_risk(course)
    judged = standing is not None and standing.level in FOLLOW_UP_LEVELS
    flags = unreviewed(course) if waiting is None else waiting
    if not course.missed or not (judged or flags):
        return None
    missed = max(course.missed, key=lambda m: m.date)
    held = [s.date for s in course.all_sessions()]
    if any(day > missed.date for day in held) or any(
        c.date >= missed.date for c in course.contacts
    ):
        return None
    which = missed_session_words(course, missed.date, missed.number)
    waiting_words = (
        f"with {'an URGENT' if any(f.urgent for f in flags) else 'a'} risk flag unreviewed"
    )
    if standing is not None and judged:
        level = standing.level.upper() if standing.level == "high" else standing.level
        # a flag still waiting is named beside the level: "at moderate risk" alone read as
        # the whole state while an URGENT flag waited
        at = f"at {level} risk" + (f", {waiting_words}" if flags else "")
    else:
        at = waiting_words
    return (
        f"missed {which} on {missed.date.isoformat()} {at}: contact the client "
        f"(then: ipt contact {course.id} --date DATE --note TEXT)"
    )


def missed_session_words(course: Course, date: dt.date, number: int | None) -> str:
    """The session a missed appointment on `date` was: the number it takes (a member's
    missed group session), a maintenance session once the acute course was complete and
    the maintenance contract had begun, else the acute session after the last one held
    before it ('session 3', 'maintenance session 2')."""
    if number is not None:
        return f"session {number}"
    contract = course.maintenance
    acute = [n for n, s in course.numbered_sessions() if s.date <= date]
    complete = course.sessions_used >= course.planned_sessions and len(acute) == len(
        course.sessions
    )  # every acute session held by then
    if contract is not None and complete and date >= contract.start_date:
        return f"maintenance session {sum(s.date <= date for s in contract.sessions) + 1}"
    return f"session {max(acute, default=0) + 1}"
