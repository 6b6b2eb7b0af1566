"""The progress note of a session: one model, rendered as text, Markdown, HTML and JSON by
views/note.py.

A note holds what the session recorded (measures with totals and bands, risk items, the
answer to each yes/no risk question (yes, no or not asked), risk reviews, focus, strategies
and techniques, goal ratings, tasks, the note and its addenda), where it stands in the
course (session n of N, phase, the plan for the next session) and its signature block (who
signed, when, the hash; a supervisor's sign-off). A missed appointment has a short note of
its own (not attended, with its reason).
"""

from __future__ import annotations

import datetime as dt

from ipt_cli.core import catalogue, safety_plan, supervision
from ipt_cli.core.changes import Located, locate_session
from ipt_cli.core.measures import INSTRUMENTS, Instrument, ScoringRules, severity
from ipt_cli.core.models import (
    Addendum,
    Administration,
    Course,
    MissedAppointment,
    RiskReview,
    SessionRecord,
    Signature,
    SupervisionEntry,
    Withdrawal,
)
from ipt_cli.core.planning import (
    course_spans,
    maintenance_upcoming,
    scheduled_date,
    week_focus,
)
from ipt_cli.core.risk import RiskState, risk_state
from ipt_cli.core.safety import (
    AS_BEFORE,
    PREVIOUSLY_NO,
    SittingRef,
    is_urgent,
    lifetime_answers,
    lifetime_noes,
)
from ipt_cli.core.structs import field, struct
from ipt_cli.core.tracking import ScreenAlert, not_on_track, recorded_alerts
from ipt_cli.errors import InputError


@struct(frozen=True)
class MeasureLine:
    instrument: str
    name: str
    total: int
    severity: str | None  # None: the instrument has no bands (PCL-5, Mini-SPIN, LSAS-SR)
    risk_item: tuple[int, int, bool] | None  # (item, score, urgent) when scored >= 1


@struct(frozen=True)
class FlagLine:
    instrument: str
    name: str
    item: int
    score: int
    urgent: bool
    reviewed: bool
    lifetime: str | None = None  # a lifetime question's "yes": how it stands (core.safety)

    @property
    def history(self) -> bool:
        """A lifetime "yes" as before, after a reviewed one: history, not a new flag."""
        return self.lifetime == AS_BEFORE

    @property
    def label(self) -> str:
        said = INSTRUMENTS[self.instrument].risk_label(self.item, self.score)
        if self.history:
            return f"{said}, as before (reviewed at an earlier sitting; no new flag)"
        before = ", previously no" if self.lifetime == PREVIOUSLY_NO else ""
        urgent = " URGENT" if self.urgent else ""
        state = "reviewed" if self.reviewed else "NOT YET REVIEWED"
        return f"{said}{before}{urgent} ({state})"


NOT_ASKED = "not asked"


@struct(frozen=True)
class Contradiction:
    """The earlier "yes" to a lifetime risk question that a sitting's "no" contradicts
    (core.safety.lifetime_noes: the last earlier "yes"). The "no" is kept as given; the
    "yes" stands, and its flag stays until a risk review."""

    earlier: SittingRef  # where the "yes" was given
    reviewed: bool  # the "yes" has no flag still waiting for a review


@struct(frozen=True)
class QuestionLine:
    """A yes/no risk question of an instrument the sitting gave or the course offers (the
    PHQ-A's two suicide questions): its answer, "yes", "no" or "not asked", so that a note
    never reads alike for a "no" and for a question nobody asked."""

    instrument: str
    name: str
    item: int  # as a flag numbers it: after the items (PHQ-A: 10, 11)
    field: str  # the stored key: suicidal_thoughts, attempt
    question: str  # how a flag names it: "suicide attempt ever"
    answer: str  # "yes", "no" or NOT_ASKED
    given: bool = True  # False: the instrument itself was not given at the sitting
    # a lifetime question's "no" after a "yes" at an earlier sitting: that "yes"
    contradicts: Contradiction | None = None

    @property
    def label(self) -> str:
        """'PHQ-A suicide attempt ever: no', '...: not asked (PHQ-A not given)'."""
        why = "" if self.given else f" ({self.name} not given)"
        return f"{self.name} {self.question}: {self.answer}{why}"


@struct(frozen=True)
class SessionNote:
    course: Course
    date: dt.date
    attended: bool
    phase: str
    number: int | None = None  # None for a missed appointment
    planned: int | None = None
    maintenance: bool = False
    session: SessionRecord | None = None
    missed: MissedAppointment | None = None
    measures: list[MeasureLine] = field(default_factory=list)
    flags: list[FlagLine] = field(default_factory=list)
    reviews: list[RiskReview] = field(default_factory=list)
    previous_task: str | None = None
    next_headline: str | None = None
    safety_plan: str | None = None  # "version 2 of 2026-02-02"
    # What the sitting's risk screen found when no risk item was scored >= 1 (issue 26,
    # defect 11): "screened negative (PHQ-9 item 9 = 0)" or "no risk item asked (...)".
    screening: str | None = None
    risk: RiskState | None = None  # the course's risk state (core/risk.py), standing level
    # the sitting's own screen alerts (an ASRM of 6 or more: a MANIA ALERT), a safety matter
    screen_alerts: list[ScreenAlert] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # not on track, from its session on
    withdrawn: Withdrawal | None = None  # a session recorded by mistake, withdrawn
    # session 1's note: the baseline instruments given at its sitting (issue 27)
    from_baseline: list[str] = field(default_factory=list)
    # each yes/no risk question's answer: yes, no or not asked (the PHQ-A's two)
    questions: list[QuestionLine] = field(default_factory=list)

    @property
    def alerts(self) -> list[str]:
        """Every alert line: the sitting's screen alerts, then the outcome warnings (the
        JSON `alerts`, as before the screen alerts moved to the Safety section)."""
        return [a.text for a in self.screen_alerts] + self.warnings

    @property
    def raised(self) -> list[FlagLine]:
        """The sitting's flags: every risk answer but a lifetime "yes" as before, which is
        history (core.safety.safety_flags drops it too)."""
        return [f for f in self.flags if not f.history]

    @property
    def history(self) -> list[FlagLine]:
        """A lifetime "yes" as before, after a reviewed one: history, no new flag."""
        return [f for f in self.flags if f.history]

    @property
    def session_label(self) -> str:
        if self.withdrawn is not None:
            was = f" (was session {self.withdrawn.number})" if self.withdrawn.number else ""
            return f"withdrawn session{was}"
        if self.number is None:
            return "missed appointment"
        prefix = "maintenance session" if self.maintenance else "session"
        return f"{prefix} {self.number} of {self.planned}"

    @property
    def title(self) -> str:
        return f"{self.session_label.capitalize()}, {self.date.isoformat()}"

    @property
    def signature(self) -> Signature | None:
        return self.session.signature if self.session else None

    @property
    def addenda(self) -> list[Addendum]:
        return list(self.session.addenda) if self.session else []

    @property
    def supervision(self) -> list[SupervisionEntry]:
        return list(self.session.supervision) if self.session else []

    @property
    def sign_off(self) -> SupervisionEntry | None:
        return supervision.signed_off(self.session) if self.session else None

    @property
    def focus_name(self) -> str | None:
        focus = self.session.focus if self.session else None
        return catalogue.PROBLEM_AREAS[focus].name if focus else None

    def goal_lines(self) -> list[tuple[str, str, int]]:
        if self.session is None:
            return []
        texts = {g.id: g.text for g in self.course.goals}
        return [(g, texts.get(g, ""), r) for g, r in self.session.goal_ratings.items()]

    def strategy_lines(self) -> list[tuple[str, str]]:
        if self.session is None:
            return []
        texts = {s.id: s.text for area in catalogue.PROBLEM_AREAS.values() for s in area.strategies}
        return [(s, texts.get(s, "")) for s in self.session.strategies]


def _at_sitting(course: Course, where: Located) -> tuple[Administration, list[str]]:
    """What was measured at the session's sitting: session 1 held on the baseline's day is
    one sitting with it, so the baseline's instruments are its measures too (issue 27).
    Returns the sitting's measures and the instruments that came from the baseline."""
    base, session = course.baseline, where.sitting
    if where.maintenance or where.number != 1 or base is None or base.date != session.date:
        return session, []
    taken = [i for i in base.instruments() if getattr(session, i) is None]
    if not taken:
        return session, []
    fields = {i: getattr(session, i) for i in session.instruments()}
    fields |= {i: getattr(base, i) for i in taken}
    return Administration(date=session.date, **fields), taken


def _measures(course: Course, session: Administration, rules: ScoringRules) -> list[MeasureLine]:
    risk: dict[str, tuple[int, int]] = {}
    for scored_id, item, score in session.risk_scores():  # the first of each instrument
        risk.setdefault(scored_id, (item, score))
    lines = []
    given = catalogue.in_shown_order(session.instruments(), course.condition, course.adaptation)
    for instrument_id in given:  # the course's order: a perinatal course's EPDS first
        instrument = INSTRUMENTS[instrument_id]
        total = session.total(instrument_id)
        assert total is not None
        scored = risk.get(instrument_id)
        lines.append(
            MeasureLine(
                instrument_id,
                instrument.name,
                total,
                severity(total, rules.bands(instrument)),
                None
                if scored is None
                else (*scored, is_urgent(instrument_id, scored[1], scored[0])),
            )
        )
    return lines


def _reviewed(course: Course, where: Located) -> bool:
    """The baseline and a session 1 on its day are one sitting: a review of either counts."""
    base = course.baseline
    same_sitting = (
        where.number == 1 and not where.maintenance and base and base.date == where.sitting.date
    )
    return where.sitting.reviewed or bool(same_sitting and base and base.reviewed)


def _flags(course: Course, where: Located, sitting: Administration) -> list[FlagLine]:
    """The sitting's risk answers as its flags; a lifetime "yes" as before is history and
    one after a "no" is URGENT, as in the course's flags (core.safety.lifetime_answers)."""
    reviewed = _reviewed(course, where)
    lifetime = lifetime_answers(course)
    lines = []
    scored = sitting.risk_scores()
    order = catalogue.in_shown_order([i for i, _, _ in scored], course.condition, course.adaptation)
    for i, item, score in sorted(scored, key=lambda row: order.index(row[0])):
        stands = lifetime.get((where.maintenance, sitting.date, i, item))
        urgent = is_urgent(i, score, item) or stands == PREVIOUSLY_NO
        lines.append(FlagLine(i, INSTRUMENTS[i].name, item, score, urgent, reviewed, stands))
    return lines


def screening(sitting: Administration, standing: list[str] | None = None) -> str | None:
    """What the risk screen of a sitting found when no risk item was scored >= 1: the items
    asked and scored 0, or that no risk item was asked (and what was given instead).
    `standing`: the lifetime questions answered "no" here against an earlier "yes", which
    stands (contradictions): such a screen is not negative."""
    if sitting.risk_scores():
        return None
    given = sitting.instruments()
    asked = [INSTRUMENTS[i] for i in given if INSTRUMENTS[i].risk_item is not None]
    if asked:
        items = ", ".join(_negative(sitting, i) for i in asked)
        if standing:
            return f'not negative ({items}): an earlier "yes" stands ({"; ".join(standing)})'
        return f"screened negative ({items})"
    if given:
        names = ", ".join(INSTRUMENTS[i].name for i in given)
        return f"no risk item asked (only {names} given)"
    return "no risk item asked (no measures given)"


def questions(
    course: Course, sitting: Administration, maintenance: bool | None = None
) -> list[QuestionLine]:
    """Each yes/no risk question of the instruments the sitting gave, and of those the
    course offers but the sitting did not give (an IPT-A course's PHQ-A), with its answer:
    yes, no or not asked. With `maintenance` (the sitting is one of the course's, acute or
    maintenance), a lifetime "no" after an earlier "yes" names that "yes"."""
    found = {} if maintenance is None else contradictions(course, maintenance, sitting.date)
    given = sitting.instruments()
    offered = catalogue.offered_measures(course.condition, course.adaptation)
    # offered measures include counts that are no instrument (an eating-disorder course's
    # binges): only instruments have risk questions
    every = [i for i in dict.fromkeys([*given, *offered]) if i in INSTRUMENTS]
    ids = catalogue.in_shown_order(every, course.condition, course.adaptation)
    lines = []
    for instrument_id in ids:
        instrument = INSTRUMENTS[instrument_id]
        entry = sitting.score(instrument_id)
        for number, question in enumerate(instrument.risk_questions, 1):
            said = None if entry is None else getattr(entry, question.field)
            answer = NOT_ASKED if said is None else ("yes" if said else "no")
            lines.append(
                QuestionLine(
                    instrument_id,
                    instrument.name,
                    instrument.item_count + number,
                    question.field,
                    question.label,
                    answer,
                    instrument_id in given,
                    found.get((instrument_id, question.label)) if said is False else None,
                )
            )
    return lines


def contradictions(
    course: Course, maintenance: bool, date: dt.date
) -> dict[tuple[str, str], Contradiction]:
    """The lifetime "no"s of the course's sitting on `date` that contradict an earlier "yes"
    (core.safety.lifetime_noes; one sitting per date), by (instrument, question label), each
    with that "yes" and whether it has a flag still waiting for a review."""
    return {
        (no.instrument, no.question): Contradiction(no.earlier, no.reviewed)
        for no in lifetime_noes(course)
        if (no.sitting.maintenance, no.sitting.date) == (maintenance, date)
    }


def _negative(sitting: Administration, instrument: Instrument) -> str:
    """'PHQ-9 item 9 = 0'; with the yes/no risk questions answered no (the PHQ-A's)."""
    entry = getattr(sitting, instrument.id)
    answered = [q for q in instrument.risk_questions if getattr(entry, q.field) is False]
    return ", ".join(
        [f"{instrument.name} item {instrument.risk_item} = 0"]
        + [f"{instrument.name} {q.label} = no" for q in answered]
    )


def _previous(course: Course, where: Located) -> SessionRecord | None:
    """The session attended before this one, found by number, not by place in the list of
    sessions held: a group member's missed group session takes a number but holds nothing
    (indexing the list by number gave a later session, the session itself, or IndexError)."""
    if where.maintenance:
        held = list(enumerate(course.maintenance.sessions if course.maintenance else [], 1))
    else:
        held = course.numbered_sessions()
    earlier = [session for number, session in held if number < where.number]
    return earlier[-1] if earlier else None


def _next_headline(course: Course, where: Located) -> str:
    """The agenda headline of the session after this one."""
    number = where.number + 1
    if where.maintenance:
        plan = course.maintenance
        assert plan is not None
        if number > plan.planned_sessions:
            return "None: the last maintenance session of the contract"
        held = plan.sessions
        upcoming = maintenance_upcoming(course)
        index = number - len(held) - 1
        when = held[number - 1].date if number <= len(held) else upcoming[index]
        return f"Maintenance session {number} of {plan.planned_sessions} ({when.isoformat()})"
    planned = course.planned_sessions
    if number > planned:
        if course.maintenance:
            return f"Maintenance session 1 ({course.maintenance.start_date.isoformat()})"
        return "None: the last session of the course"
    phase = course_spans(course).phase_of(number, planned)
    day = scheduled_date(course, number).isoformat()
    return f"Session {number} of {planned} ({day}, {phase} phase): {week_focus(course, number)}"


def build_note(
    course: Course, where: Located, rules: ScoringRules | None = None, today: dt.date | None = None
) -> SessionNote:
    rules = rules or ScoringRules()
    session = where.sitting
    assert isinstance(session, SessionRecord)
    previous = _previous(course, where)
    if where.maintenance:
        planned = course.maintenance.planned_sessions if course.maintenance else None
        phase = "maintenance"
    else:
        planned = course.planned_sessions
        phase = course_spans(course).phase_of(where.number, planned)
    measured, from_baseline = _at_sitting(course, where)
    reviews = list(session.risk_reviews)
    if from_baseline and course.baseline:  # one sitting: the baseline's reviews are its own
        reviews = list(course.baseline.risk_reviews) + reviews
    return SessionNote(
        course=course,
        date=session.date,
        attended=True,
        phase=phase,
        number=where.number,
        planned=planned,
        maintenance=where.maintenance,
        session=session,
        measures=_measures(course, measured, rules),
        flags=_flags(course, where, measured),
        reviews=reviews,
        previous_task=previous.task if previous else None,
        next_headline=_next_headline(course, where),
        safety_plan=safety_plan.version_label(course),
        screening=screening(
            measured,
            [
                f"{INSTRUMENTS[i].name} {question}"
                for i, question in contradictions(course, where.maintenance, measured.date)
            ],
        ),
        risk=risk_state(course, today or session.date),
        screen_alerts=recorded_alerts(where.sitting, where.label),
        warnings=_warnings(course, where, rules),
        from_baseline=from_baseline,
        questions=questions(course, measured, where.maintenance),
    )


def _warnings(course: Course, where: Located, rules: ScoringRules | None) -> list[str]:
    """Not on track (core/tracking.py) on the note of the session whose score shows it, and
    on every later one: the note is where the advice is written down. (A mania alert is the
    note's screen_alerts: the session whose ASRM shows it.)"""
    lagging = not_on_track(course, rules or ScoringRules())
    if lagging is None or where.maintenance or where.number < lagging.session:
        return []
    return [lagging.text]


def missed_note(
    course: Course, missed: MissedAppointment, today: dt.date | None = None
) -> SessionNote:
    before = sum(1 for s in course.sessions if s.date <= missed.date)
    number = min(before + 1, course.planned_sessions)
    return SessionNote(
        course=course,
        date=missed.date,
        attended=False,
        phase=course_spans(course).phase_of(number, course.planned_sessions),
        missed=missed,
        safety_plan=safety_plan.version_label(course),
        risk=risk_state(course, today or missed.date),
    )


def withdrawn_note(
    course: Course, session: SessionRecord, today: dt.date | None = None
) -> SessionNote:
    """A withdrawn session's short note: the withdrawal, and its sitting's risk record."""
    assert session.withdrawn is not None
    return SessionNote(
        course=course,
        date=session.date,
        attended=False,
        phase="withdrawn",
        withdrawn=session.withdrawn,
        flags=[
            FlagLine(i, INSTRUMENTS[i].name, item, score, is_urgent(i, score), session.reviewed)
            for i, item, score in session.risk_scores()
        ],
        reviews=list(session.risk_reviews),
        safety_plan=safety_plan.version_label(course),
        risk=risk_state(course, today or session.date),
        questions=questions(course, session) if session.instruments() else [],
    )


def note_for(
    course: Course, ref: str, rules: ScoringRules | None = None, today: dt.date | None = None
) -> SessionNote:
    """The note of the session `ref` names (a number, mN or a date); a date with only a
    missed appointment, or a withdrawn session, gives that one's note."""
    try:
        where = locate_session(course, ref)
    except InputError:
        day = ref.strip()
        missed = [m for m in course.missed if m.date.isoformat() == day]
        withdrawn = [s for s in course.withdrawn() if s.date.isoformat() == day]
        if withdrawn and not missed:
            return withdrawn_note(course, withdrawn[0], today)
        if not missed:
            raise
        return missed_note(course, missed[0], today)
    return build_note(course, where, rules, today)


def all_notes(
    course: Course, rules: ScoringRules | None = None, today: dt.date | None = None
) -> list[SessionNote]:
    """Every session's note and every missed appointment's, in date order (acute sessions
    before maintenance sessions)."""
    notes = [
        build_note(course, Located(s, n, False), rules, today)
        for n, s in course.numbered_sessions()
    ]
    if course.maintenance:
        held = enumerate(course.maintenance.sessions, 1)
        notes += [build_note(course, Located(s, n, True), rules, today) for n, s in held]
    notes += [missed_note(course, m, today) for m in course.missed]
    notes += [withdrawn_note(course, s, today) for s in course.withdrawn()]
    return sorted(notes, key=lambda n: (n.maintenance, n.date, not n.attended))
