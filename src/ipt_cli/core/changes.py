"""Changes to a course, as plain functions: no terminal, no disk, no clock.

The CLI parses input, calls these inside CourseStore.update, and renders the result.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any

from pydantic import ValidationError

from ipt_cli.core import catalogue, measures
from ipt_cli.core.dates import act_date, parse_date
from ipt_cli.core.inputs import parse_in_range, parse_scores, parse_session_ref
from ipt_cli.core.models import (
    ITEM_RECORDS,
    PLANNED_RANGE,
    SCHEMA_VERSION,
    TOTAL_RECORDS,
    TYPED,
    Addendum,
    Baseline,
    Bdi2,
    Contact,
    ContractChange,
    Course,
    CourseChange,
    Ending,
    Formulation,
    Goal,
    ItemScores,
    Maintenance,
    MissedAppointment,
    Person,
    Phq9,
    RiskReview,
    SessionRecord,
    TimelineEvent,
    TotalScore,
)
from ipt_cli.core.planning import add_intervals, phase_problem
from ipt_cli.core.structs import struct
from ipt_cli.core.validation import (
    COURSE_OPTIONS,
    GOAL_OPTIONS,
    MAINTENANCE_OPTIONS,
    PERSON_OPTIONS,
    RISK_REVIEW_OPTIONS,
    SESSION_OPTIONS,
    describe_validation,
)
from ipt_cli.errors import ConflictError, InputError

USUAL_RANGE = (8, 20)


def measure_fields(**given: Any) -> dict[str, Any]:
    """Turn the score options of `new-course` and `session` (by parameter name, as
    measures.score_options lists them: phq9='1,0,...', bdi2_total=30, phqa_attempt='yes')
    into model fields, each instrument parsed and checked by its definition, in the
    registry's order."""
    known = {option.name for option in measures.score_options()}
    unknown = sorted(set(given) - known)
    if unknown:
        raise TypeError(f"measure_fields() got unknown score options: {', '.join(unknown)}")
    fields: dict[str, Any] = {}
    for instrument in measures.INSTRUMENTS.values():
        if instrument.id == "phq9":
            record: Any = _phq9(given.get("phq9"), given.get("phq9_difficulty"))
        elif instrument.id == "bdi2":
            record = _bdi2(given.get("bdi2_total"), given.get("bdi2_item9"))
        elif instrument.item_count:
            record = _item_record(instrument, given)
        else:
            record = _total_record(instrument, given.get(instrument.id))
        if record is not None:
            fields[instrument.id] = record
    for name in ("binges", "compensatory"):
        if (count := given.get(name)) is not None:
            fields[name] = parse_in_range(count, f"--{name}", MAX_EPISODES)
    if (edeq_global := given.get("edeq_global")) is not None:
        fields["edeq_global"] = parse_edeq_global(edeq_global)
    return fields


def _phq9(text: str | None, difficulty: int | None) -> Phq9 | None:
    """The PHQ-9 and its 'how difficult' answer (stored, never summed)."""
    if text is None:
        if difficulty is not None:
            raise InputError("--phq9-difficulty needs --phq9")
        return None
    if difficulty is not None:
        difficulty = parse_in_range(difficulty, "PHQ-9 difficulty", 3)
    return Phq9(items=parse_scores(text, measures.PHQ9), difficulty=difficulty)


def _item_record(instrument: measures.Instrument, given: dict[str, Any]) -> ItemScores | None:
    """The record of an instrument kept as its items, checked by its definition; its
    yes/no risk questions come as `<id>_<field>` ('yes' or 'no')."""
    answers, options = {}, []
    for question in instrument.risk_questions:
        answer = given.get(f"{instrument.id}_{question.field}")
        option = f"{instrument.option}-{question.field.replace('_', '-')}"
        if answer is not None and answer not in ("yes", "no"):
            raise InputError(f"{option} must be yes or no, got {answer!r}")
        if answer is not None:
            answers[question.field] = answer == "yes"
            options.append(option)
    text = given.get(instrument.id)
    if text is None:
        if options:
            raise InputError(f"{options[0]} needs {instrument.option}")
        return None
    return ITEM_RECORDS[instrument.id](items=parse_scores(text, instrument), **answers)


def _total_record(instrument: measures.Instrument, total: int | None) -> TotalScore | None:
    """The record of an instrument kept as its total only (the Mini-SPIN, the LSAS-SR)."""
    if total is None:
        return None
    total = parse_in_range(total, f"{instrument.name} total", instrument.total_max)
    return TOTAL_RECORDS[instrument.id](total=total)


def _bdi2(bdi2_total: int | None, bdi2_item9: int | None) -> Bdi2 | None:
    if (bdi2_total is None) != (bdi2_item9 is None):
        raise InputError("BDI-II needs both --bdi2-total and --bdi2-item9")
    if bdi2_total is None or bdi2_item9 is None:
        return None
    total = parse_in_range(bdi2_total, "BDI-II total", 63)
    item9 = parse_in_range(bdi2_item9, "BDI-II item 9", 3)
    try:
        measures.check_bdi2(total, item9)
    except ValueError as error:
        raise InputError(str(error)) from None
    return Bdi2(total=total, item9=item9)


MAX_EPISODES = 999  # episodes since the last session: more is a typing slip


def parse_edeq_global(text: str) -> float:
    """'2.75' -> 2.75: the EDE-Q global score, 0-6, at most two decimals."""
    if not re.fullmatch(r"\d(\.\d{1,2})?", text.strip()):
        raise InputError(
            f"--edeq-global must be a number 0-6 with up to two decimals, got {text!r}"
        )
    value = float(text)
    if value > measures.EDEQ_GLOBAL_MAX:
        raise InputError(f"--edeq-global must be 0-6, got {text}")
    return value


def planned_count_note(planned: int) -> str | None:
    low, high = USUAL_RANGE
    if planned < low or planned > high:
        return f"note: {planned} sessions planned; acute IPT usually runs 12-16 weekly sessions"
    return None


def check_planned(planned: int) -> int:
    low, high = PLANNED_RANGE
    if not low <= planned <= high:
        raise InputError(f"--sessions: must be {low}-{high}")
    return planned


def new_course(
    course_id: str,
    client: str,
    start: dt.date,
    planned: int,
    areas: list[str],
    now: dt.datetime,
    cadence: str = "weekly",
    kind: str = "clinician-led",
    dispute_stage: str | None = None,
    baseline_measures: dict[str, Any] | None = None,
) -> Course:
    return build_course(
        course_id,
        {
            "client": client,
            "start_date": start,
            "planned_sessions": planned,
            "problem_areas": areas,
            "cadence": cadence,
            "kind": kind,
            "dispute_stage": dispute_stage,
            "baseline_measures": baseline_measures or {},
        },
        now,
    )


COURSE_DEFAULTS: dict[str, Any] = {
    "planned_sessions": 16,
    "cadence": "weekly",
    "kind": "clinician-led",
}


def adaptation_defaults(adaptation: object, fields: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's defaults for a new course of this adaptation (given values win):
    its session count, and its initial phase unless the count is changed."""
    found = catalogue.ADAPTATIONS.get(adaptation) if isinstance(adaptation, str) else None
    if found is None:
        return {}
    defaults: dict[str, Any] = {"planned_sessions": found.planned_sessions}
    if fields.get("planned_sessions") in (None, found.planned_sessions):
        if found.initial_sessions is not None:
            defaults["initial_sessions"] = found.initial_sessions
        if found.termination_sessions is not None:
            defaults["termination_sessions"] = found.termination_sessions
    return defaults


def guardian_fields(
    alias: str | None,
    consent_by: str | None,
    consent_date: dt.date | None,
    consent_reason: str | None = None,
) -> dict[str, Any] | None:
    """The guardian record from new-course's options (None when none is given). Without a
    guardian, consent is recorded only with the reason there is none (--consent-reason)."""
    if alias is None and consent_reason is None:
        if consent_by is not None or consent_date is not None:
            raise InputError(
                "--consent-by and --consent-date need --guardian, or --consent-reason "
                "saying why there is no guardian"
            )
        return None
    if alias is not None and consent_reason is not None:
        raise InputError("--consent-reason is for consent without a guardian; drop --guardian")
    fields: dict[str, Any] = {"alias": alias, "consent_by": consent_by}
    fields["consent_date"] = consent_date
    fields["consent_reason"] = consent_reason
    return {k: v for k, v in fields.items() if v is not None}


CONSENT_NEEDED = (
    "an adolescent (IPT-A) course needs the parent or guardian and the consent to treatment: "
    "add --guardian ALIAS --consent-by WHO (and --consent-date), or without a guardian "
    "--consent-by WHO --consent-reason TEXT"
)


def check_consent(course: Course) -> None:
    """IPT-A: a new course records its guardian and who consented, or who consented and why
    there is no guardian (Mufson et al. 2004: the parent takes part; consent to treating a
    minor). Files already stored are not refused: the report says what is missing."""
    if not catalogue.ADAPTATIONS[course.adaptation].guardian:
        return
    guardian = course.guardian
    if guardian is None or guardian.consent_by is None:
        raise InputError(CONSENT_NEEDED)


def course_document(
    course_id: str, fields: dict[str, Any], now: dt.datetime, today: dt.date
) -> dict[str, Any]:
    """The stored fields of a new course: defaults, the catalogue goals unless goals are
    given, the baseline dated on the start date unless dated, and the course's identity."""
    document: dict[str, Any] = {
        "start_date": today,
        **COURSE_DEFAULTS,
        **adaptation_defaults(fields.get("adaptation"), fields),
        **{k: v for k, v in fields.items() if v is not None},
    }
    measures_given = document.pop("baseline_measures", None)
    if measures_given:
        document["baseline"] = measures_given
    if "goals" not in document and isinstance(document.get("problem_areas"), list):
        document["goals"] = catalogue.goal_fields(document["problem_areas"])
    baseline = document.get("baseline")
    if isinstance(baseline, dict) and "date" not in baseline:
        document["baseline"] = {"date": document["start_date"], **baseline}
    return {
        **document,
        "schema_version": SCHEMA_VERSION,
        "id": course_id,
        "created": now.replace(microsecond=0),
    }


def build_course(
    course_id: str, fields: dict[str, Any], now: dt.datetime, today: dt.date | None = None
) -> Course:
    """A new course from options or the wizard. The model checks every value; a problem is
    reported against the option that set it (`--sessions: must be 4-30`). The phase
    overrides are checked here, where they are given, and not by the model: a stored file
    from an older ipt that holds overrides leaving no middle phase must still load."""
    document = course_document(course_id, fields, now, today or now.date())
    course: Course = _validated(Course, document, "course", COURSE_OPTIONS)
    problem = phase_problem(
        course.planned_sessions, course.initial_sessions, course.termination_sessions
    )
    if problem:
        raise InputError(problem)
    return course


def check_room(course: Course) -> None:
    """Refuse a session beyond the acute contract (checked before prompting, too)."""
    if course.sessions_used >= course.planned_sessions:
        missed = len(course.taken_numbers())
        among = f" ({missed} of them missed group sessions)" if missed else ""
        raise ConflictError(
            f"all {course.planned_sessions} planned sessions of {course.id!r} are recorded"
            f"{among}; "
            f"renegotiate with: ipt contract {course.id} --sessions N --reason TEXT"
        )


def add_session(course: Course, record: SessionRecord) -> int:
    """Insert a held session in date order and return its number (1-based)."""
    check_room(course)
    check_goals(course, record)
    _insert_by_date(course.sessions, record)
    return course.session_number(record)  # missed group sessions keep their numbers


def _insert_by_date(sessions: list[SessionRecord], record: SessionRecord) -> int:
    """Insert after any session of the same day; return the new session's number."""
    index = bisect.bisect_right([s.date for s in sessions], record.date)
    sessions.insert(index, record)
    return index + 1


@struct(frozen=True)
class Recorded:
    number: int
    maintenance: bool

    @property
    def label(self) -> str:
        return (
            f"maintenance session {self.number}" if self.maintenance else f"session {self.number}"
        )


def given_on(course: Course, date: dt.date) -> dict[str, str]:
    """The instruments already given on `date`, each with where: one sitting, one score."""
    given: dict[str, str] = {}
    for where in sittings_on(course, date):
        for instrument in where.sitting.instruments():
            given.setdefault(instrument, where.label)
    return given


def check_one_score_per_sitting(course: Course, record: SessionRecord) -> None:
    """Refuse a second administration of an instrument on one date: the baseline and a
    session on its day are one sitting, and one sitting has one score."""
    given = given_on(course, record.date)
    for instrument in record.instruments():
        if instrument in given:
            raise InputError(
                f"{measures.INSTRUMENTS[instrument].name} was already given on "
                f"{record.date.isoformat()} ({given[instrument]}); one sitting has one score: "
                f"record this session without --{instrument}"
            )


def describe_recorded(course: Course, done: Recorded, record: SessionRecord) -> str:
    """The confirmation line of a recorded session: which one, of how many, and whether
    later sessions were renumbered by a backfill."""
    plan = course.maintenance if done.maintenance else None
    held = plan.sessions if plan else course.sessions
    planned = plan.planned_sessions if plan else course.planned_sessions
    lines = [f"Recorded {done.label} of {planned} for {course.id} ({record.date.isoformat()})."]
    if done.number < len(held):
        lines.append(f"Backfilled: later sessions are now numbered from {done.number + 1}.")
    return " ".join(lines)


def record_session(course: Course, record: SessionRecord) -> Recorded:
    """File a session: into the maintenance contract when one is open and the session is
    dated from its start, else into the acute course. It gets the next stable id."""
    check_one_score_per_sitting(course, record)
    if record.id is None:
        record.id = course.next_session_id()
    plan = course.maintenance
    if plan is None or record.date < plan.start_date:
        return Recorded(add_session(course, record), maintenance=False)
    if len(plan.sessions) >= plan.planned_sessions:
        raise ConflictError(
            f"all {plan.planned_sessions} maintenance sessions of {course.id!r} are recorded; "
            f"extend with: ipt contract {course.id} --maintenance --sessions N --reason TEXT"
        )
    check_goals(course, record)
    return Recorded(_insert_by_date(plan.sessions, record), maintenance=True)


def open_maintenance(
    course: Course, planned: int, cadence: str, start: dt.date | None, today: dt.date
) -> Maintenance:
    """Open the maintenance contract that follows a completed acute course, once: an open
    contract is renegotiated with change_maintenance_contract, with its history. The new
    contract is validated whole before anything in the course changes."""
    if course.maintenance:
        plan = course.maintenance
        raise ConflictError(
            f"{course.id!r} already has a maintenance contract ({plan.planned_sessions} "
            f"{plan.cadence} sessions from {plan.start_date.isoformat()}); renegotiate it "
            f"with: ipt contract {course.id} --maintenance --sessions N --reason TEXT"
        )
    left = course.planned_sessions - course.sessions_used
    if left > 0:
        raise ConflictError(
            f"the acute course has {left} session(s) left; maintenance follows the acute course"
        )
    contract = {"opened": today, "planned_sessions": planned, "cadence": cadence}
    _maintenance({**contract, "start_date": start or today})  # cadence and count, first
    last = course.sessions[-1].date if course.sessions else course.start_date
    first = start or add_intervals(last, cadence, 1)
    if course.sessions and first <= last:
        raise InputError(
            f"maintenance must start after the last acute session ({last.isoformat()})"
        )
    course.maintenance = _maintenance({**contract, "start_date": first})
    return course.maintenance


def _maintenance(fields: dict[str, Any]) -> Maintenance:
    contract: Maintenance = _validated(Maintenance, fields, "maintenance", MAINTENANCE_OPTIONS)
    return contract


def course_act_date(course: Course, made: dt.date | None, today: dt.date) -> dt.date:
    """The day a dated act of the course was done (`--date`, default today): not after
    today, not before the course's first sitting (its baseline or its start)."""
    first = course.start_date
    if course.baseline is not None and course.baseline.date < first:
        first = course.baseline.date
    return act_date(made, today, first, f"the course's first sitting ({first.isoformat()})")


def change_maintenance_contract(
    course: Course,
    new: int,
    reason: str,
    cadence: str | None,
    today: dt.date,
    *,
    made: dt.date | None = None,
    recorded_at: dt.datetime | None = None,
) -> ContractChange:
    """Renegotiate the maintenance contract's number of sessions (and cadence); kept,
    dated the day it was agreed (`made`, default today) and the time it was written."""
    plan = course.maintenance
    if plan is None:
        raise ConflictError(
            f"{course.id!r} has no maintenance contract; open one with: ipt maintenance {course.id}"
        )

    when = act_date(
        made, today, plan.opened, f"the maintenance contract was opened ({plan.opened})"
    )
    _maintenance(  # the count and cadence, first, named by their options
        {**plan.model_dump(), "planned_sessions": new, "cadence": cadence or plan.cadence}
    )
    if new < len(plan.sessions):
        raise ConflictError(
            f"{len(plan.sessions)} maintenance sessions are already recorded; the contract "
            "cannot be smaller than that"
        )
    new_cadence = cadence if cadence not in (None, plan.cadence) else None
    if new == plan.planned_sessions and new_cadence is None:
        raise InputError(f"the maintenance contract already has {new} {plan.cadence} sessions")
    if not reason.strip():
        raise InputError("give a reason for the change with --reason")
    change: ContractChange = _validated(
        ContractChange,
        {
            "date": when,
            "old": plan.planned_sessions,
            "new": new,
            "reason": reason,
            "cadence": new_cadence,
            "recorded_at": recorded_at,
        },
        "maintenance contract",
        {"new": "--sessions", "reason": "--reason", "cadence": "--cadence"},
    )
    plan.contract_changes.append(change)
    plan.planned_sessions = new
    if new_cadence is not None:
        plan.cadence = change.cadence  # type: ignore[assignment]
    return change


def change_contract(
    course: Course,
    new: int,
    reason: str,
    today: dt.date,
    *,
    made: dt.date | None = None,
    recorded_at: dt.datetime | None = None,
) -> ContractChange:
    """Renegotiate the acute contract, dated the day it was agreed (`made`, default today);
    the time it was written is kept beside it."""
    when = course_act_date(course, made, today)
    check_planned(new)
    if new < course.sessions_used:
        raise ConflictError(
            f"{course.sessions_used} sessions are already recorded; the contract cannot be "
            f"smaller than that"
        )
    if new == course.planned_sessions:
        raise InputError(f"the contract already has {new} sessions")
    problem = phase_problem(
        new,
        course.initial_sessions,
        course.termination_sessions,
        ("initial_sessions", "termination_sessions"),
    )
    if problem:
        raise InputError(f"{new} sessions do not fit the phase overrides: {problem}")
    if not reason.strip():
        raise InputError("give a reason for the change with --reason")
    change = ContractChange(
        date=when, old=course.planned_sessions, new=new, reason=reason, recorded_at=recorded_at
    )
    course.contract_changes.append(change)
    course.planned_sessions = new
    return change


@struct(frozen=True)
class Located:
    """A sitting found by number or date: the baseline (0), a session, or a maintenance
    session."""

    sitting: Baseline | SessionRecord
    number: int
    maintenance: bool

    @property
    def label(self) -> str:
        if self.number == 0:
            return "baseline"
        return f"{'maintenance ' if self.maintenance else ''}session {self.number}"

    @property
    def described(self) -> str:
        """The label and the date, as confirmations echo them."""
        return f"{self.label} ({self.sitting.date.isoformat()})"


def sittings_on(course: Course, date: dt.date) -> list[Located]:
    found = []
    if course.baseline and course.baseline.date == date:
        found.append(Located(course.baseline, 0, False))
    found += [Located(s, n, False) for n, s in course.numbered_sessions() if s.date == date]
    if course.maintenance:
        held = enumerate(course.maintenance.sessions, 1)
        found += [Located(s, n, True) for n, s in held if s.date == date]
    return found


def find_sitting(
    course: Course, session: int, maintenance: bool = False
) -> Baseline | SessionRecord:
    """Session `session` of the course (0 = baseline), or of its maintenance contract."""
    return _by_number(course, session, maintenance).sitting


def _by_number(course: Course, session: int, maintenance: bool) -> Located:
    if maintenance:
        held = course.maintenance.sessions if course.maintenance else []
        if not 1 <= session <= len(held):
            raise InputError(f"no maintenance session {session}: {len(held)} recorded")
        return Located(held[session - 1], session, True)
    if session == 0:
        if course.baseline is None:
            raise InputError(f"course {course.id!r} has no baseline (session 0)")
        return Located(course.baseline, 0, False)
    found = course.numbered_session(session)
    if found is None:
        if session in course.taken_numbers():
            missed = [m.date.isoformat() for m in course.missed if m.number == session]
            on = f" on {missed[0]} (its note: ipt note {course.id} {missed[0]})" if missed else ""
            raise InputError(
                f"session {session} of {course.id!r} was missed{on}: no session recorded"
            )
        raise InputError(f"no session {session} in {course.id!r}: {len(course.sessions)} recorded")
    return Located(found, session, False)


def locate(course: Course, ref: str, wanted: str = "session") -> list[Located]:
    """The sittings a reference names: a number (0 = baseline), mN (maintenance session N)
    or a date (every sitting held that day)."""
    cleaned = ref.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", cleaned):
        day = parse_date(cleaned, wanted)
        found = sittings_on(course, day)
        if not found:
            raise InputError(f"no {wanted} of {course.id!r} on {day.isoformat()}")
        return found
    maintenance, number = parse_session_ref(ref)
    return [_by_number(course, number, maintenance)]


def _one_of(found: list[Located], what: str) -> Located:
    if len(found) > 1:
        labels = ", ".join(f.label for f in found)
        raise InputError(
            f"{len(found)} {what}s on {found[0].sitting.date.isoformat()} ({labels}): "
            "give the session number instead"
        )
    return found[0]


def _one_sitting(course: Course, found: list[Located]) -> list[Located]:
    """The baseline and a session 1 held on its day are one sitting: naming either names
    both."""
    base, first = course.baseline, course.sessions[0] if course.sessions else None
    if len(found) != 1 or found[0].maintenance or found[0].number > 1:
        return found
    if base is None or first is None or base.date != first.date:
        return found
    return [Located(base, 0, False), Located(first, 1, False)]


def _flagged(course: Course, ref: str | int, maintenance: bool) -> Located:
    """The sitting whose flags a review is of."""
    if isinstance(ref, int):
        found = [_by_number(course, ref, maintenance)]
    else:
        found = locate(course, ref)
    sitting = _one_sitting(course, found)
    flagged = [f for f in sitting if f.sitting.risk_scores()]
    if not flagged:
        labels = " and ".join(f.label for f in sitting)
        day = sitting[0].sitting.date.isoformat()
        raise InputError(f"nothing to review: {labels} ({day}) scored no risk item")
    if flagged[0].number == 0:
        return flagged[0]  # the baseline's sitting: its flag is the one shown
    return _one_of(flagged, "flagged session")


def review_risk(
    course: Course,
    session: int | str,
    note: str,
    plan: str | None,
    today: dt.date,
    maintenance: bool = False,
    by: str | None = None,
    structured: dict[str, Any] | None = None,
    recorded_at: dt.datetime | None = None,
    date: dt.date | None = None,
) -> tuple[RiskReview, Located]:
    """Add a risk review of one sitting's flags to its history (earlier reviews are kept).
    `session` is a number (0 = baseline) or a reference: N, mN or a date. `structured`
    holds the structured fields (ideation, plan_made, intent, means, protective, level,
    actions), each optional. `date` is the day a late review was made (default today):
    never after today, never before the sitting it reviews; the day it is written is kept
    beside it (`written_on`), as is the wall-clock time (`recorded_at`)."""
    where = _flagged(course, session, maintenance)
    if not note.strip():
        raise InputError("give the outcome of the review with --note")
    when = today if date is None else date
    if when > today:
        raise InputError(f"--date {when.isoformat()} is in the future")
    if date is not None and when < where.sitting.date:
        raise InputError(
            f"--date {when.isoformat()} is before {where.label} "
            f"({where.sitting.date.isoformat()}), the sitting it reviews"
        )
    fields = {"date": when, "note": note, "plan": plan, "by": by, **(structured or {})}
    if when != today:
        fields["written_on"] = today
    if recorded_at is not None:
        fields["recorded_at"] = recorded_at
    review: RiskReview = _validated(RiskReview, fields, "risk review", RISK_REVIEW_OPTIONS)
    where.sitting.risk_reviews = [*where.sitting.risk_reviews, review]
    return review, where


def session_record(
    date: dt.date,
    *,
    note: str | None,
    measure_options: dict[str, Any],
    mood: int | None = None,
    events: str | None = None,
    focus: str | None = None,
    techniques: list[str] | None = None,
    strategies: list[str] | None = None,
    goal_ratings: list[tuple[str, int]] | None = None,
    dispute_stage: str | None = None,
    task: str | None = None,
    task_outcome: str | None = None,
    attendees: list[str] | None = None,
) -> SessionRecord:
    """Build the session (not yet stored); the model checks every value, and a problem is
    reported against the option that set it."""
    record: SessionRecord = _validated(
        SessionRecord,
        {
            "date": date,
            "note": note,
            "mood": mood,
            "events": events,
            "focus": focus,
            "techniques": list(dict.fromkeys(techniques or [])),
            "strategies": list(dict.fromkeys(strategies or [])),
            "goal_ratings": dict(goal_ratings or []),
            "dispute_stage": dispute_stage,
            "task": task,
            "task_outcome": task_outcome,
            "attendees": list(attendees or []),
            **measure_options,
        },
        "session",
        SESSION_OPTIONS,
    )
    return record


def check_goals(course: Course, record: SessionRecord) -> None:
    known = {g.id for g in course.goals}
    for goal_id in record.goal_ratings:
        if goal_id not in known:
            raise InputError(
                f"unknown goal {goal_id!r} in {course.id!r}; known goals: "
                f"{', '.join(sorted(known)) or 'none (add one with ipt goal)'}"
            )
        if any(g.id == goal_id and g.retired is not None for g in course.goals):
            raise InputError(f"goal {goal_id!r} is retired: it is no longer rated")
    if record.dispute_stage and "role-dispute" not in course.problem_areas:
        raise InputError("--dispute-stage is only for a course with a role-dispute area")
    check_focus(course, record)


def check_focus(course: Course, record: SessionRecord) -> None:
    """The problem area and strategies of a session belong to the course's problem areas."""
    areas: list[str] = list(course.problem_areas)
    if record.focus is not None and record.focus not in areas:
        raise InputError(
            f"--focus {record.focus} is not a problem area of {course.id!r}; choose from: "
            f"{', '.join(areas)}"
        )
    allowed = catalogue.strategy_ids(areas)
    for strategy in record.strategies:
        if strategy not in allowed:
            raise InputError(
                f"--strategy {strategy} belongs to another problem area than those of "
                f"{course.id!r} ({', '.join(areas)}); see `ipt agenda {course.id}`"
            )


def locate_session(
    course: Course,
    ref: int | str,
    maintenance: bool = False,
    not_the_baseline: str = "the baseline is not a session: name a session (1 or later)",
) -> Located:
    """The one held session (not the baseline) that `ref` names: a number, mN or a date;
    `not_the_baseline` is the message when `ref` names the baseline."""
    if isinstance(ref, int):
        found = [_by_number(course, ref, maintenance)]
    else:
        found = locate(course, ref)
    sessions = [f for f in found if isinstance(f.sitting, SessionRecord)]
    if not sessions:
        raise InputError(not_the_baseline)
    return _one_of(sessions, "session")


def amend_session(
    course: Course,
    ref: int | str,
    text: str,
    today: dt.date,
    maintenance: bool = False,
    by: str | None = None,
) -> Located:
    """Add a dated addendum to one session; `ref` is a number, mN or a date."""
    if not text.strip():
        raise InputError("give the addendum's text (--note): an addendum cannot be blank")
    where = locate_session(
        course, ref, maintenance, "the baseline cannot be amended; amend a session (1 or later)"
    )
    assert isinstance(where.sitting, SessionRecord)
    where.sitting.addenda.append(Addendum(date=today, text=text, by=by))
    return where


def add_missed(course: Course, date: dt.date, reason: str, number: int | None = None) -> None:
    """A missed appointment; with `number`, a missed session that takes that number of the
    course (a member's missed group session: its numbers follow the group's)."""
    if not reason.strip():
        raise InputError("give the reason the appointment was missed")
    if number is not None:
        check_room(course)
        if number in course.taken_numbers() or course.numbered_session(number) is not None:
            raise ConflictError(f"session {number} of {course.id!r} is already recorded")
    fields = {"date": date, "reason": reason, **({"number": number} if number else {})}
    missed: MissedAppointment = _validated(MissedAppointment, fields, "missed", {"date": "--date"})
    course.missed.append(missed)
    course.missed.sort(key=lambda m: m.date)


def _validated(
    model: type[Any], fields: dict[str, Any], what: str, options: dict[str, str] | None = None
) -> Any:
    """The validated record; a problem is named by its option when `options` maps the field,
    else by `what` and the field."""
    try:
        # "typed": the values come from the user's options or answers, so a message may
        # quote them back (a stored file's values are never quoted; see models.TYPED).
        return model.model_validate(fields, context={TYPED: True})
    except ValidationError as error:
        lines = describe_validation(error, model, options)
        named = [
            line if line.startswith(("--", f"{what}:")) else f"{what}: {line}" for line in lines
        ]
        raise InputError("; ".join(named)) from None


def add_person(course: Course, fields: dict[str, Any]) -> Person:
    for required in ("name", "ring"):
        if fields.get(required) is None:
            raise InputError(f"a person needs --{required}")
    person: Person = _validated(Person, {"relationship": "", **fields}, "person", PERSON_OPTIONS)
    course.inventory.append(person)
    return person


def edit_person(course: Course, number: int, changes: dict[str, Any]) -> Person:
    if not 1 <= number <= len(course.inventory):
        raise InputError(f"no person {number}: the inventory has {len(course.inventory)}")
    if not changes:
        raise InputError("give at least one field to change, e.g. --ring 2")
    current = course.inventory[number - 1].model_dump()
    person: Person = _validated(Person, {**current, **changes}, "person", PERSON_OPTIONS)
    course.inventory[number - 1] = person
    return person


def timeline_event(
    date: dt.date | None, event: str | None, mood: str | None, precision: str | None = None
) -> TimelineEvent:
    """A life event; `precision` "month" when only its month is known (`date`: the 1st)."""
    if date is None or not event:
        raise InputError("a timeline event needs --date and --event")
    fields = {"date": date, "event": event, "mood": mood, "precision": precision}
    result: TimelineEvent = _validated(
        TimelineEvent, {k: v for k, v in fields.items() if v is not None}, "event"
    )
    return result


def add_event(course: Course, event: TimelineEvent) -> None:
    course.timeline.append(event)
    course.timeline.sort(key=lambda e: e.date)


def add_goal(course: Course, goal_id: str | None, text: str | None, area: str | None) -> Goal:
    if not goal_id or not text:
        raise InputError("a goal needs --id and --text")
    if any(g.id == goal_id for g in course.goals):
        raise ConflictError(f"goal {goal_id!r} already exists in {course.id!r}")
    goal: Goal = _validated(Goal, {"id": goal_id, "text": text, "area": area}, "goal", GOAL_OPTIONS)
    course.goals.append(goal)
    return goal


@struct(frozen=True)
class FormulationSaved:
    formulation: Formulation
    agreement_reset: bool  # an agreed text was replaced: agreement must be sought again
    previous_kept: bool  # the replaced text is in formulation_history

    def describe(self, course_id: str) -> str:
        """The confirmation, saying when agreement was reset and what was kept."""
        state = "agreed" if self.formulation.agreed else "not yet agreed"
        message = f"Formulation of {course_id} saved ({state})."
        if self.agreement_reset:
            message += (
                " The text differs from the one the client agreed, so agreement was reset to "
                "not agreed; the agreed text is kept in the course history. When the client "
                f"agrees the new text: ipt formulation {course_id} --agreed"
            )
        elif self.previous_kept:
            message += " The previous text is kept in the course history."
        return message


def set_formulation(
    course: Course,
    text: str | None,
    agreed: bool | None,
    today: dt.date,
    *,
    made: dt.date | None = None,
    recorded_at: dt.datetime | None = None,
) -> FormulationSaved:
    """Save the formulation. A new text keeps the one it replaces in the course's
    formulation history; an agreed formulation whose text changes is no longer agreed,
    unless the client's agreement to the new text is given with it. It is dated `made`
    (the day it was written or agreed, default today) and keeps when it was written."""
    when = course_act_date(course, made, today)
    current = course.formulation
    new_text = text if text is not None else (current.text if current else None)
    if not new_text or not new_text.strip():
        raise InputError("the formulation needs text: --text, --draft or --edit")
    changed = current is not None and new_text != current.text
    if agreed is None:
        agreed = bool(current and current.agreed and not changed)
    if changed and current is not None:
        course.formulation_history.append(current)
    course.formulation = Formulation(
        text=new_text, date=when, agreed=agreed, recorded_at=recorded_at
    )
    return FormulationSaved(
        course.formulation,
        agreement_reset=bool(changed and current and current.agreed and not agreed),
        previous_kept=changed,
    )


def record_ending(
    course: Course,
    warning_signs: list[str],
    feelings_discussed: bool | None,
    remaining: str | None,
    decision: str | None,
    note: str | None,
    *,
    today: dt.date | None = None,
    made: dt.date | None = None,
    recorded_at: dt.datetime | None = None,
) -> Ending:
    """Add to the termination record; repeated calls add signs and replace the rest. With
    `today`, it is dated `made` (default today: the day the work was done) and keeps when
    it was written."""
    current = course.ending or Ending()
    when = current.date if today is None else course_act_date(course, made, today)
    updated: Ending = _validated(
        Ending,
        {
            "warning_signs": current.warning_signs + [s for s in warning_signs if s.strip()],
            "feelings_discussed": current.feelings_discussed
            if feelings_discussed is None
            else feelings_discussed,
            "remaining_issues": remaining if remaining is not None else current.remaining_issues,
            "decision": decision if decision is not None else current.decision,
            "decision_note": note if note is not None else current.decision_note,
            "date": when,
            "recorded_at": recorded_at or current.recorded_at,
        },
        "ending",
    )
    course.ending = updated
    return updated


POLE_OPTIONS = {
    "warning_signs_depression": "--warning-sign-depression",
    "warning_signs_mania": "--warning-sign-mania",
}


def check_pole_signs(course: Course, signs: dict[str, list[str]]) -> None:
    """Warning signs of each pole are IPSRT's (bipolar disorder): refused for another
    adaptation, and each sign is one line of 1-500 characters."""
    given = [POLE_OPTIONS[k] for k, v in signs.items() if v]
    if given and not catalogue.ADAPTATIONS[course.adaptation].rhythm_log:
        name = catalogue.ADAPTATIONS[course.adaptation].name
        raise InputError(
            f"{' and '.join(given)}: only for IPSRT courses ({course.id!r} is {name}); "
            "use --warning-sign"
        )
    for field_name, values in signs.items():
        for sign in values:
            text = sign.strip()
            if not text or "\n" in text or "\r" in text or len(text) > 500:
                raise InputError(
                    f"{POLE_OPTIONS[field_name]}: one line of 1-500 characters, not blank"
                )


def add_pole_signs(
    course: Course, signs: dict[str, list[str]], today: dt.date
) -> list[CourseChange]:
    """Add IPSRT's warning signs of depression and of mania (keys of POLE_OPTIONS); each
    addition is kept in the course's change history."""
    check_pole_signs(course, signs)
    made = []
    for field_name, values in signs.items():
        if not values:
            continue
        old: list[str] = list(getattr(course, field_name))
        new = old + [v.strip() for v in values]
        setattr(course, field_name, new)
        made.append(
            CourseChange(
                date=today,
                what=POLE_OPTIONS[field_name][2:],
                old="; ".join(old) or "(none)",
                new="; ".join(new),
            )
        )
    course.changes.extend(made)
    return made


def set_archived(course: Course, archived: bool, today: dt.date) -> None:
    if archived and course.archived:
        raise ConflictError(f"course {course.id!r} is already archived")
    if not archived and not course.archived:
        raise ConflictError(f"course {course.id!r} is not archived")
    course.archived = today if archived else None


def add_contact(
    course: Course, when: dt.date, note: str | None, today: dt.date, at: dt.datetime
) -> Contact:
    """A contact outside a session (a call, a message), kept in date order: it answers the
    follow-up a missed appointment at moderate or high risk owes (core/risk.missed_at_risk)."""
    if when > today:
        raise InputError(f"--date {when.isoformat()} is after today: record a contact once made")
    if when < course.start_date:
        raise InputError(
            f"--date {when.isoformat()} is before the course started "
            f"({course.start_date.isoformat()})"
        )
    if not note or not note.strip():
        raise InputError("give --note TEXT: what was said and agreed")
    contact: Contact = _validated(
        Contact, {"date": when, "note": note.strip(), "recorded_at": at}, "contact", {}
    )
    course.contacts.append(contact)
    course.contacts.sort(key=lambda c: c.date)
    return contact
