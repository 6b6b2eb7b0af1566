"""Safety flags: every risk item scored >= 1, until a clinician records a risk review."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ipt_cli.core.catalogue import in_shown_order
from ipt_cli.core.measures import INSTRUMENTS, Instrument, RiskQuestion
from ipt_cli.core.structs import replace, struct

if TYPE_CHECKING:  # `ipt guide` reads the measures without the models
    from ipt_cli.core.models import Administration, Course


@struct(frozen=True)
class SafetyFlag:
    session: int  # 0 is the baseline
    date: dt.date
    instrument: str
    item: int
    score: int
    reviewed: bool
    urgent: bool
    maintenance: bool = False
    session_id: int | None = None  # the session's stable id; None for the baseline
    previously_no: bool = False  # a lifetime "yes" after a "no" at an earlier sitting

    @property
    def where(self) -> str:
        return sitting_where(self.maintenance, self.session)

    @property
    def label(self) -> str:
        urgent = " URGENT" if self.urgent else ""
        before = ", previously no" if self.previously_no else ""
        return (
            f"{INSTRUMENTS[self.instrument].risk_label(self.item, self.score)}{before}{urgent} "
            f"at {self.where} ({self.date.isoformat()})"
        )


def is_urgent(instrument_id: str, score: int, item: int | None = None) -> bool:
    """HAM-D item 3 >= 3 (suicidal ideas, a gesture or an attempt) is urgent; a yes/no risk
    question (`item` after the items: the PHQ-A's) is urgent as its definition says."""
    instrument = INSTRUMENTS[instrument_id]
    question = None if item is None else instrument.risk_question(item)
    if question is not None:
        return question.urgent
    urgent_at = instrument.urgent_risk
    return urgent_at is not None and score >= urgent_at


def risk_label(instrument_id: str, item: int, score: int) -> str:
    """'HAM-D-17 item 3 = 3 URGENT', 'PHQ-A ... = yes': worded as the flags box words it."""
    urgent = " URGENT" if is_urgent(instrument_id, score, item) else ""
    return INSTRUMENTS[instrument_id].risk_label(item, score) + urgent


def risk_labels(sitting: Administration) -> list[str]:
    """'HAM-D-17 item 3 = 3 URGENT': each risk item scored, worded as the flags box words it."""
    return [risk_label(i, n, s) for i, n, s in sitting.risk_scores()]


@struct(frozen=True)
class SafetyNotice:
    """What a command that scored a risk item says at once (issue 26, defect 14): a line
    per risk item, and the command that records a review. `review` is None when nothing
    asks for one: a live notice while scores are typed (nothing recorded yet), or a sitting
    whose every line is a lifetime "yes" as before, reviewed on an earlier day (history,
    no new flag): such a notice is said plainly, never as "Review risk now"."""

    lines: tuple[str, ...]
    review: str | None = None
    history_only: bool = False

    def for_course(self, course_id: str) -> SafetyNotice:
        """Each line named with its course (a group session's notice covers several)."""
        return replace(self, lines=tuple(f"{course_id}: {line}" for line in self.lines))


def safety_notice(
    course_id: str,
    where: str,
    sitting: Administration,
    ref: str,
    only: list[str] | None = None,
    course: Course | None = None,
) -> SafetyNotice:
    """The SAFETY notice every command that creates a flag prints (issue 26, defect 14):
    each risk item scored (or only those of the instruments in `only`), and the command
    that records a review of it. With the course (the sitting recorded in it), a lifetime
    "yes" says how it stands: "previously no" URGENT, or "as before" (history)."""
    lifetime = lifetime_answers(course) if course is not None else {}
    lines = []
    history = []
    scored = list(zip(sitting.risk_scores(), risk_labels(sitting), strict=True))
    if course is not None:  # the course's order: a perinatal course's EPDS first
        order = in_shown_order([i for (i, _, _), _ in scored], course.condition, course.adaptation)
        scored.sort(key=lambda row: order.index(row[0][0]))
    for (instrument, item, _score), label in scored:
        if only is not None and instrument not in only:
            continue
        stands = lifetime.get((ref.startswith("m"), sitting.date, instrument, item))
        if stands == PREVIOUSLY_NO:
            label = f"{lifetime_label(instrument, item, stands)} URGENT"
        elif stands == AS_BEFORE:
            label = f"{lifetime_label(instrument, item, stands)} (reviewed before; no new flag)"
        history.append(stands == AS_BEFORE)
        lines.append(f"{where}: {label}")
    if lines and all(history):
        return SafetyNotice(tuple(lines), history_only=True)
    return SafetyNotice(tuple(lines), f"Record a review with: {review_command_for(course_id, ref)}")


def raised_risk(before: Administration, after: Administration) -> list[str]:
    """The instruments whose risk item a change raised to a flag (or to a higher score),
    item by item: the PHQ-A has three risk items a sitting (item 9 and its two questions)."""
    old = {(i, n): s for i, n, s in before.risk_scores()}
    raised = [i for i, n, s in after.risk_scores() if s > old.get((i, n), 0)]
    return list(dict.fromkeys(raised))


def _flags_of(
    number: int, sitting: Administration, maintenance: bool = False, course: Course | None = None
) -> list[SafetyFlag]:
    flags = []
    for instrument_id, item, score in sitting.risk_scores():
        flags.append(
            SafetyFlag(
                session=number,
                date=sitting.date,
                instrument=instrument_id,
                item=item,
                score=score,
                reviewed=sitting.reviewed,
                urgent=is_urgent(instrument_id, score, item),
                maintenance=maintenance,
                session_id=getattr(sitting, "id", None),  # a baseline has no session id
            )
        )
    if course is not None and len(flags) > 1:  # a sitting's flags in the course's order
        order = in_shown_order([f.instrument for f in flags], course.condition, course.adaptation)
        flags.sort(key=lambda f: order.index(f.instrument))
    return flags


def _one_per_sitting(flags: list[SafetyFlag]) -> list[SafetyFlag]:
    """One flag per instrument, item and date: the baseline and a session 1 on its day are
    one sitting (older files may hold both). The first is kept, with the higher score, and
    it is reviewed when either record was. (The item is in the key: the PHQ-A's item 9 and
    its two suicide questions are three flags of one sitting.)"""
    kept: dict[tuple[bool, dt.date, str, int], SafetyFlag] = {}
    for flag in flags:
        key = (flag.maintenance, flag.date, flag.instrument, flag.item)
        first = kept.get(key)
        if first is None:
            kept[key] = flag
            continue
        score = max(first.score, flag.score)
        kept[key] = replace(
            first,
            score=score,
            reviewed=first.reviewed or flag.reviewed,
            urgent=first.urgent or flag.urgent,
        )
    return list(kept.values())


FIRST = "first"  # the first "yes" on record: a flag, as any risk answer
PREVIOUSLY_NO = "previously no"  # "no" at the last sitting that asked, now "yes": URGENT
AS_BEFORE = "as before"  # "yes" again after a reviewed "yes": history, no new flag

# A sitting's key in the flags: (maintenance, date, instrument, item).
SittingKey = tuple[bool, dt.date, str, int]


def sitting_where(maintenance: bool, number: int) -> str:
    """'baseline', 'session 3' or 'maintenance session 2': a sitting as every view names it."""
    if maintenance:
        return f"maintenance session {number}"
    return "baseline" if number == 0 else f"session {number}"


def sittings_in_order(course: Course) -> list[tuple[bool, int, Administration]]:
    """Every sitting that raises flags, in the course's order (withdrawn ones apart), as
    (maintenance, number, sitting): the baseline is 0."""
    held: list[tuple[bool, int, Administration]] = []
    if course.baseline:
        held.append((False, 0, course.baseline))
    held += [(False, n, s) for n, s in course.numbered_sessions()]
    if course.maintenance:
        held += [(True, n, s) for n, s in enumerate(course.maintenance.sessions, 1)]
    return held


def _lifetime_questions() -> list[tuple[Instrument, int, RiskQuestion]]:
    """Every lifetime risk question of the registry, with its item number (after the items)."""
    return [
        (instrument, instrument.item_count + number, question)
        for instrument in INSTRUMENTS.values()
        for number, question in enumerate(instrument.risk_questions, 1)
        if question.lifetime
    ]


def lifetime_answers(course: Course) -> dict[SittingKey, str]:
    """How each "yes" to a lifetime risk question (the PHQ-A's "suicide attempt ever") stands
    against the earlier sittings (docs/clinical-rules.md "Lifetime risk questions"; hazard
    HAZ-43): FIRST, PREVIOUSLY_NO (the last earlier answer was "no": a new attempt or a new
    disclosure, URGENT) or AS_BEFORE (the earlier "yes" was reviewed: shown as history, no
    new flag). A "yes" is AS_BEFORE only when an earlier "yes" was reviewed on a day before
    its own sitting: a "yes" again while the earlier one is unreviewed, or reviewed only
    later, stays FIRST, a flag of its own, so no answer waits on, or is closed by, a review
    that never saw it. One sitting per date (the baseline and a session 1 on its day are
    one)."""
    found: dict[SittingKey, str] = {}
    for instrument, item, question in _lifetime_questions():
        last: bool | None = None  # the last earlier answer
        reviewed_on: dt.date | None = None  # the first review of a "yes" since the last "no"
        day: tuple[bool, dt.date] | None = None
        for maintenance, _, sitting in sittings_in_order(course):
            entry = getattr(sitting, instrument.id)
            answer = None if entry is None else getattr(entry, question.field)
            if answer is None:
                continue
            key = (maintenance, sitting.date, instrument.id, item)
            if (maintenance, sitting.date) == day:  # the same sitting, recorded twice
                if answer:
                    reviewed_on = _first_day(reviewed_on, _review_day(sitting))
                continue
            day = (maintenance, sitting.date)
            if answer:
                if last is False:
                    found[key] = PREVIOUSLY_NO
                elif last and reviewed_on is not None and reviewed_on < sitting.date:
                    found[key] = AS_BEFORE
                else:
                    found[key] = FIRST
                reviewed_on = _first_day(reviewed_on, _review_day(sitting))
            else:
                reviewed_on = None
            last = answer
    return found


@struct(frozen=True)
class SittingRef:
    """Where an answer was given: 'session 3' on its date, and the ref `--fix` takes."""

    maintenance: bool
    number: int  # 0: the baseline
    date: dt.date

    @property
    def where(self) -> str:
        return sitting_where(self.maintenance, self.number)

    @property
    def ref(self) -> str:
        return f"m{self.number}" if self.maintenance else str(self.number)


@struct(frozen=True)
class LifetimeNo:
    """A "no" to a lifetime risk question after a "yes" at an earlier sitting
    (docs/clinical-rules.md "Lifetime risk questions"; hazards HAZ-46, HAZ-48): kept as
    given, never refused, and said. Neither answer is corrected on the strength of the
    other: the client is asked which is right, in a risk review, first."""

    instrument: str
    question: str  # the question's label: "suicide attempt ever"
    sitting: SittingRef  # the "no"
    earlier: SittingRef  # the last earlier "yes"
    review: str  # the command that records a review of the earlier "yes"
    reviewed: bool = False  # the earlier "yes" has no flag waiting (reviewed, or history)

    @property
    def line(self) -> str:
        """One line: the two answers, what stands, what to do."""
        name = INSTRUMENTS[self.instrument].name
        now, before = self.sitting, self.earlier
        standing = "already reviewed" if self.reviewed else "a flag until reviewed"
        return (
            f"{name} {self.question} = no at {now.where} ({now.date.isoformat()}), but yes "
            f"at {before.where} ({before.date.isoformat()}): a lifetime answer does not "
            f'change, so one of the two is mistaken. Both are kept and the earlier "yes" '
            f"stands ({standing}). Ask the client which is right and record it in a risk "
            f"review before correcting either: {self.review}"
        )


def lifetime_yes_on_record(course: Course, before: dt.date) -> dict[tuple[str, str], SittingRef]:
    """The last "yes" to each lifetime risk question given before `before`, by (instrument
    id, question field): what the interactive session shows as the question is asked, so
    that a "no" is questioned with the client there (hazard HAZ-46)."""
    found: dict[tuple[str, str], SittingRef] = {}
    for instrument, _, question in _lifetime_questions():
        for maintenance, number, sitting in sittings_in_order(course):
            entry = getattr(sitting, instrument.id)
            if sitting.date < before and entry is not None and getattr(entry, question.field):
                found[(instrument.id, question.field)] = SittingRef(
                    maintenance, number, sitting.date
                )
    return found


def lifetime_noes(course: Course) -> list[LifetimeNo]:
    """Every "no" to a lifetime risk question (the PHQ-A's "suicide attempt ever") given
    after a "yes" at an earlier sitting, in the course's order; each names the last earlier
    "yes". A "yes" stays true once given, so a later "no" is a mistake at one of the two
    sittings. One sitting per date, as in `lifetime_answers`."""
    found = []
    waiting = waiting_flags(course)
    for instrument, item, question in _lifetime_questions():
        last_yes: SittingRef | None = None
        day: tuple[bool, dt.date] | None = None
        for maintenance, number, sitting in sittings_in_order(course):
            entry = getattr(sitting, instrument.id)
            answer = None if entry is None else getattr(entry, question.field)
            if answer is None or (maintenance, sitting.date) == day:
                continue  # not asked, or the same sitting recorded twice
            day = (maintenance, sitting.date)
            here = SittingRef(maintenance, number, sitting.date)
            if answer:
                last_yes = here
            elif last_yes is not None:
                review = review_command_for(course.id, last_yes.ref)
                key = (last_yes.maintenance, last_yes.date, instrument.id, item)
                found.append(
                    LifetimeNo(
                        instrument.id, question.label, here, last_yes, review, key not in waiting
                    )
                )
    return found


def _review_day(sitting: Administration) -> dt.date | None:
    """The day the sitting's flags were first reviewed (None: not reviewed)."""
    if not sitting.reviewed:
        return None
    return min(r.date for r in sitting.risk_reviews)


def _first_day(one: dt.date | None, other: dt.date | None) -> dt.date | None:
    return min(d for d in (one, other) if d is not None) if (one or other) else None


def safety_flags(course: Course) -> list[SafetyFlag]:
    """Every risk answer of every sitting, one flag per instrument, item and sitting; a
    lifetime "yes" as before (reviewed) is history, not a flag, and one after a "no" is
    URGENT (lifetime_answers)."""
    flags = _flags_of(0, course.baseline, course=course) if course.baseline else []
    for number, session in course.numbered_sessions():
        flags.extend(_flags_of(number, session, course=course))
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            flags.extend(_flags_of(number, session, maintenance=True, course=course))
    lifetime = lifetime_answers(course)
    kept = []
    for flag in _one_per_sitting(flags):
        stands = lifetime.get((flag.maintenance, flag.date, flag.instrument, flag.item))
        if stands == AS_BEFORE:
            continue  # shown as history in the sitting's note, never a new flag
        if stands == PREVIOUSLY_NO:
            flag = replace(flag, urgent=True, previously_no=True)
        kept.append(flag)
    return kept


def lifetime_label(instrument_id: str, item: int, stands: str) -> str:
    """'PHQ-A suicide attempt ever = yes, as before' (history) or '..., previously no'."""
    return f"{INSTRUMENTS[instrument_id].risk_label(item, 1)}, {stands}"


FlagKey = tuple[bool, dt.date, str, int]  # maintenance, date, instrument, item


def waiting_flags(course: Course) -> dict[FlagKey, SafetyFlag]:
    """The unreviewed flags by sitting and item: what a change to the course may not take
    away unsaid (corrections.flag_changes) and what a lifetime "no" weighs (lifetime_noes)."""
    return {(f.maintenance, f.date, f.instrument, f.item): f for f in unreviewed(course)}


def unreviewed(course: Course, flags: list[SafetyFlag] | None = None) -> list[SafetyFlag]:
    """The course's flags not yet reviewed; `flags`: its safety_flags, when found already."""
    return [
        flag for flag in (safety_flags(course) if flags is None else flags) if not flag.reviewed
    ]


def review_command(course_id: str, flag: SafetyFlag) -> str:
    """The command that records a review of this flag's session, ready to complete."""
    return review_command_for(
        course_id, f"m{flag.session}" if flag.maintenance else str(flag.session)
    )


def review_command_for(course_id: str, ref: str) -> str:
    """The review command of a sitting (N, mN or a date): a review needs a judgement."""
    return (
        f"ipt risk-review {course_id} --session {ref} --note ... --ideation ... --level ... "
        "--action ..."
    )
