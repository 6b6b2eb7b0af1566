"""Corrections without a text editor: a course's settings changed (`ipt course ID set`), a
goal retired or reworded, a session's recorded values fixed. Every change is validated as
the original was and kept: settings and goals in the course's `changes`, session values in
the session's `corrections`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ValidationError

from ipt_cli.core import catalogue
from ipt_cli.core.changes import Located, check_focus, locate_session
from ipt_cli.core.models import (
    Correction,
    Course,
    CourseChange,
    Goal,
    SessionRecord,
    SickRole,
    Withdrawal,
)
from ipt_cli.core.planning import current_dispute_stage, phase_problem
from ipt_cli.core.safety import (
    FlagKey,
    SafetyFlag,
    raised_risk,
    review_command,
    review_command_for,
    risk_labels,
    waiting_flags,
)
from ipt_cli.core.structs import struct
from ipt_cli.core.validation import COURSE_OPTIONS, SESSION_OPTIONS, describe_validation
from ipt_cli.errors import ConflictError, InputError

# The settings `ipt course ID set` changes, each with the option that names it.
SETTINGS = {
    "problem_areas": "--problem-area",
    "dispute_stage": "--dispute-stage",
    "sick_role": "--sick-role",
    "medication": "--medication",
    "initial_sessions": "--initial-sessions",
    "termination_sessions": "--termination-sessions",
    "client": "--client",
}
SET_OPTIONS = {**COURSE_OPTIONS, "sick_role": "--sick-role", "medication": "--medication"}


def shown(value: Any) -> str:
    """A value as the change history shows it."""
    if value is None or value == []:
        return "(none)"
    if isinstance(value, SickRole):
        return value.note or ("given" if value.given else "not given")
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, BaseModel):
        total = getattr(value, "total", None)
        if isinstance(total, int):
            return str(total)
        items = getattr(value, "items", None)
        if isinstance(items, list):
            answers = [  # the PHQ-A's yes/no risk questions: a change to one must show
                f"; {name.replace('_', ' ')} {'yes' if answer else 'no'}"
                for name in ("suicidal_thoughts", "attempt")
                if (answer := getattr(value, name, None)) is not None
            ]
            return f"{','.join(str(i) for i in items)} (total {sum(items)}{''.join(answers)})"
        return str(value.model_dump(mode="json"))
    return str(value)


def _validated(model: type[Any], fields: dict[str, Any], options: dict[str, str]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise InputError("; ".join(describe_validation(error, model, options))) from None


@struct(frozen=True)
class SettingsChanged:
    changes: list[CourseChange]
    added_areas: list[str]  # problem areas the course did not have before
    dispute_stage_cleared: bool  # the role dispute left the course, and its stage with it


def set_course(course: Course, given: dict[str, Any], today: dt.date) -> SettingsChanged:
    """Change the given settings (keys of SETTINGS) of `course` in place; each change is
    validated as at `new-course` and recorded with its old and new value."""
    if not given:
        raise InputError(f"give at least one setting to change: {', '.join(SETTINGS.values())}")
    fields = dict(given)
    if "sick_role" in fields:
        note = fields["sick_role"]
        fields["sick_role"] = None if not note else SickRole(given=True, note=note)
    if "medication" in fields and not fields["medication"]:
        fields["medication"] = None
    areas = fields.get("problem_areas", course.problem_areas)
    cleared = False
    if (
        "role-dispute" not in areas
        and current_dispute_stage(course)
        and "dispute_stage" not in fields
    ):
        fields["dispute_stage"], cleared = None, True
    for name in ("initial_sessions", "termination_sessions"):
        value = fields.get(name)
        if isinstance(value, int) and not 1 <= value <= 10:
            raise InputError(f"{SETTINGS[name]} must be between 1 and 10")
    problem = phase_problem(
        course.planned_sessions,
        fields.get("initial_sessions", course.initial_sessions),
        fields.get("termination_sessions", course.termination_sessions),
        ("--initial-sessions", "--termination-sessions"),
    )
    if problem:
        raise InputError(problem)
    current = dict(course)
    checked: Course = _validated(Course, {**current, **fields}, SET_OPTIONS)
    made = []
    for name in SETTINGS:
        old, new = getattr(course, name), getattr(checked, name)
        if name == "dispute_stage":  # the stage in force: a session may have recorded a later one
            old = current_dispute_stage(course)
        if name in fields and old != new:
            made.append(
                CourseChange(date=today, what=SETTINGS[name][2:], old=shown(old), new=shown(new))
            )
    if not made:
        raise InputError("nothing changed: the course already has those settings")
    added: list[str] = [a for a in checked.problem_areas if a not in course.problem_areas]
    # Each assignment is checked against the rest: a dispute stage leaves before its area.
    order = sorted(
        SETTINGS, key=lambda n: n != "dispute_stage" or checked.dispute_stage is not None
    )
    for name in order:
        if name in fields:
            setattr(course, name, getattr(checked, name))
    course.changes.extend(made)
    return SettingsChanged(made, added, cleared)


def offered_goals(course: Course, areas: list[str]) -> list[tuple[str, str, str]]:
    """(area, goal id, text) of the catalogue goals of `areas` the course does not have."""
    have = {g.id for g in course.goals}
    return [
        (area, item.id, item.text)
        for area in areas
        for item in catalogue.PROBLEM_AREAS[area].goals
        if item.id not in have
    ]


def find_goal(course: Course, goal_id: str) -> Goal:
    for goal in course.goals:
        if goal.id == goal_id:
            return goal
    known = ", ".join(g.id for g in course.goals) or "none"
    raise InputError(f"no goal {goal_id!r} in {course.id!r}; its goals: {known}")


def retire_goal(course: Course, goal_id: str, today: dt.date) -> Goal:
    """Keep the goal in the record, no longer rated or planned."""
    goal = find_goal(course, goal_id)
    if goal.retired is not None:
        raise ConflictError(f"goal {goal_id!r} was retired on {goal.retired.isoformat()}")
    goal.retired = today
    course.changes.append(
        CourseChange(date=today, what=f"goal {goal_id}", old="active", new="retired")
    )
    return goal


def edit_goal(course: Course, goal_id: str, text: str, today: dt.date) -> Goal:
    goal = find_goal(course, goal_id)
    if not text.strip():
        raise InputError("--text: give the goal in words")
    if text == goal.text:
        raise InputError(f"goal {goal_id!r} already has that text")
    old = goal.text
    goal.text = text
    course.changes.append(CourseChange(date=today, what=f"goal {goal_id}", old=old, new=text))
    return goal


def check_not_retired(course: Course, goal_ratings: dict[str, int]) -> None:
    retired = {g.id for g in course.goals if g.retired is not None}
    for goal_id in goal_ratings:
        if goal_id in retired:
            raise InputError(f"goal {goal_id!r} is retired: it is no longer rated")


def _answers_kept(old: Any, new: Any) -> Any:
    """A corrected instrument keeps the recorded answers to its questions that the fix did
    not give (the PHQ-A's yes/no risk questions, the PHQ-9's difficulty): `--fix 3 --phqa
    ...` alone erased a recorded "yes" to the past-month question, and its flag with it
    (hazard HAZ-47). A question is changed by giving it (`--phqa-suicidal-thoughts no`)."""
    if not isinstance(old, BaseModel) or type(old) is not type(new):
        return new  # not an instrument's record, or first given by this fix
    missing = {
        name: getattr(old, name)
        for name in type(new).model_fields
        if name != "items" and getattr(new, name) is None and getattr(old, name) is not None
    }
    return new.model_copy(update=missing) if missing else new


def fix_session(
    course: Course,
    ref: int | str,
    fields: dict[str, Any],
    reason: str,
    today: dt.date,
    maintenance: bool = False,
    recorded_at: dt.datetime | None = None,
) -> tuple[Located, list[Correction]]:
    """Correct recorded values of one session; the old values stay in its corrections. A
    correction that raises a risk item is marked so (`raises_risk`): it reopens the flag
    until a review recorded after it (`recorded_at`)."""
    if not reason.strip():
        raise InputError("--fix needs --reason TEXT: why the recorded value was wrong")
    if not fields:
        raise InputError("--fix needs the corrected values, e.g. --phq9 or --mood")
    where = locate_session(course, ref, maintenance)
    session = where.sitting
    assert isinstance(session, SessionRecord)
    if session.signature is not None:
        raise ConflictError(
            f"{where.label} of {course.id!r} is signed: a signed session cannot be fixed; "
            f"an addendum is the way: ipt session {course.id} --amend {where.number} --note TEXT"
        )
    fields = {
        name: _answers_kept(getattr(session, name, None), value) for name, value in fields.items()
    }
    fixed: SessionRecord = _validated(SessionRecord, {**dict(session), **fields}, SESSION_OPTIONS)
    check_not_retired(course, fields.get("goal_ratings", {}))
    unknown = set(fixed.goal_ratings) - {g.id for g in course.goals}
    if unknown:
        raise InputError(f"unknown goal {sorted(unknown)[0]!r} in {course.id!r}")
    check_focus(course, fixed)
    raised = raised_risk(session, fixed)
    made = [
        Correction(
            date=today,
            field=name,
            old=shown(getattr(session, name)),
            new=shown(getattr(fixed, name)),
            reason=reason,
            recorded_at=recorded_at,
            raises_risk=name in raised,
        )  # fmt: skip
        for name in fields
        if getattr(session, name) != getattr(fixed, name)
    ]
    if not made:
        raise InputError(f"nothing changed: {where.label} already has those values")
    waiting = waiting_flags(course)
    recorded = {name: getattr(session, name) for name in fields}
    for name in fields:
        setattr(session, name, getattr(fixed, name))
    try:
        _refuse_weakened(course, waiting, waiting_flags(course))
    except ConflictError:
        for name, value in recorded.items():  # a refused fix leaves the session as it was
            setattr(session, name, value)
        raise
    session.corrections.extend(made)
    return where, made


def _refuse_weakened(
    course: Course, before: dict[FlagKey, SafetyFlag], after: dict[FlagKey, SafetyFlag]
) -> None:
    """A correction never removes an unreviewed flag, at any sitting (a lifetime answer
    corrected at one sitting changes how a later one stands): the flag is reviewed first,
    as a withdrawal's is (hazard HAZ-48). Without this, a fix of a PHQ-A "attempt ever" to
    "no", or of item 9 to 0, erased a disclosure no one had reviewed, and said nothing. (A
    lower score keeps its flag, waiting for review; the correction history shows both.)"""
    for key, flag in before.items():
        if key not in after:
            raise ConflictError(
                f"this correction would remove the unreviewed safety flag {flag.label}; a "
                f"risk signal is reviewed before it is corrected away: "
                f"{review_command(course.id, flag)} (then run the --fix again)"
            )


@struct(frozen=True)
class FlagChanges:
    """What a correction did to the unreviewed flags beyond its own sitting's notice."""

    raised: list[SafetyFlag]  # new, or newly URGENT, at another sitting: its SAFETY notice
    calmed: list[SafetyFlag]  # no longer URGENT, still waiting for review (any sitting)


def flag_changes(
    before: dict[FlagKey, SafetyFlag],
    after: dict[FlagKey, SafetyFlag],
    fixed: tuple[bool, dt.date],
) -> FlagChanges:
    """The flags a correction of the sitting `fixed` (maintenance, date) raised or made
    URGENT at other sittings (the fixed sitting's own are its notice's), and every flag it
    left waiting but no longer URGENT (said, never silent: hazard HAZ-48)."""
    raised = [
        flag
        for key, flag in after.items()
        if (key not in before or (flag.urgent and not before[key].urgent))
        and (flag.maintenance, flag.date) != fixed
    ]
    calmed = [flag for key, flag in after.items() if before.get(key, flag).urgent > flag.urgent]
    return FlagChanges(raised, calmed)


def withdraw_session(
    course: Course,
    ref: int | str,
    reason: str,
    today: dt.date,
    by: str | None = None,
    recorded_at: dt.datetime | None = None,
) -> Located:
    """Withdraw an unsigned session recorded by mistake: it stays in the file, marked with
    the date, reason and number it had, and no longer counts as a session given (numbers,
    phases, scores, views). Refused for a signed session, and while a safety flag of it
    waits unreviewed: a risk signal never leaves the record unreviewed (hazard HAZ-36)."""
    if not reason.strip():
        raise InputError("--withdraw needs --reason TEXT: why the session was recorded by mistake")
    where = locate_session(course, ref)
    session = where.sitting
    assert isinstance(session, SessionRecord)
    ref_shown = f"m{where.number}" if where.maintenance else str(where.number)
    if session.signature is not None:
        raise ConflictError(
            f"{where.label} of {course.id!r} is signed: a signed session cannot be withdrawn; "
            f"an addendum is the way: ipt session {course.id} --amend {ref_shown} --note TEXT"
        )
    if session.risk_scores() and not _reviewed_at_sitting(course, where):
        raise ConflictError(
            f"{where.described} of {course.id!r} has a safety flag not yet reviewed "
            f"({'; '.join(risk_labels(session))}): a withdrawn session's flag must not leave "
            f"the record unreviewed; review it first ({review_command_for(course.id, ref_shown)})"
        )
    session.withdrawn = _validated(
        Withdrawal,
        {
            "date": today,
            "reason": reason.strip(),
            "by": by,
            "number": where.number,
            "recorded_at": recorded_at,
        },
        {"reason": "--reason", "by": "--by"},
    )
    holder = course.maintenance if where.maintenance else course
    assert holder is not None
    holder.sessions = [s for s in holder.sessions if s is not session]
    holder.withdrawn_sessions = [*holder.withdrawn_sessions, session]
    return where


def _reviewed_at_sitting(course: Course, where: Located) -> bool:
    """The session's review, or the baseline's when session 1 shares its sitting."""
    base = course.baseline
    shares = (
        where.number == 1 and not where.maintenance and base and base.date == where.sitting.date
    )
    return where.sitting.reviewed or bool(shares and base and base.reviewed)


@struct(frozen=True)
class HistoryLine:
    """One line of a report's history of changes: a setting, a goal or a session value."""

    date: dt.date
    what: str
    old: str
    new: str
    reason: str | None = None


def history(course: Course) -> list[HistoryLine]:
    """Every change of settings and goals, and every fix of a session's values, by date."""
    lines = [HistoryLine(c.date, c.what, c.old, c.new) for c in course.changes]
    for number, session in course.numbered_sessions():
        lines += [
            HistoryLine(c.date, f"session {number} {c.field}", c.old, c.new, c.reason)
            for c in session.corrections
        ]
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            lines += [
                HistoryLine(
                    c.date, f"maintenance session {number} {c.field}", c.old, c.new, c.reason
                )  # fmt: skip
                for c in session.corrections
            ]
    lines += [withdrawn_line(course, s) for s in course.withdrawn()]
    return sorted(lines, key=lambda line: line.date)


def withdrawn_label(course: Course, session: SessionRecord) -> str:
    """'session 3 (2026-01-12)' or 'maintenance session 2 (...)': as it was numbered."""
    kind = (
        "maintenance session"
        if any(s is session for s in _maintenance_withdrawn(course))
        else "session"
    )
    number = session.withdrawn.number if session.withdrawn else None
    shown = f"{kind} {number}" if number else kind
    return f"{shown} ({session.date.isoformat()})"


def _maintenance_withdrawn(course: Course) -> list[SessionRecord]:
    return course.maintenance.withdrawn_sessions if course.maintenance else []


def withdrawn_line(course: Course, session: SessionRecord) -> HistoryLine:
    """A withdrawn session in the history of changes: recorded -> withdrawn, and why."""
    withdrawal = session.withdrawn
    assert withdrawal is not None
    return HistoryLine(
        withdrawal.date,
        withdrawn_label(course, session),
        "recorded",
        "withdrawn",
        withdrawal.reason,
    )
