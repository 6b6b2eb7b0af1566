"""Group IPT (the WHO model): a group file holds membership, attendance and the group's own
notes; each member's scores and private notes stay in that member's course file.

Pure: the store reads and writes, the CLI parses; `today` is passed in.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from ipt_cli.core import catalogue, vocabulary
from ipt_cli.core.course_row import flags_words, level_words
from ipt_cli.core.measures import PHQ9
from ipt_cli.core.models import Course, Day, OneLine, Record
from ipt_cli.core.risk import RiskState, risk_state, waiting
from ipt_cli.core.structs import field, struct
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import ConflictError, InputError, NotFoundError

GROUP_SCHEMA_VERSION = 1
GroupId = Annotated[str, StringConstraints(pattern=f"^{vocabulary.ID_PATTERN}$")]
MemberId = GroupId
GROUP_SIZE = (2, 16)
GROUP_SESSIONS = (4, 16)


class Absence(Record):
    course_id: MemberId
    reason: OneLine


class Meeting(Record):
    """One group session: who came, who did not (and why), and the group-level note."""

    number: Annotated[int, Field(ge=1)]
    date: Day
    present: list[MemberId]
    absent: list[Absence] = []
    note: str | None = None  # the group's note: never a member's private note


class Group(Record):
    schema_version: int
    id: GroupId
    facilitator: OneLine
    co_facilitator: OneLine | None = None
    start_date: Day
    planned_sessions: Annotated[int, Field(ge=GROUP_SESSIONS[0], le=GROUP_SESSIONS[1])] = 8
    created: dt.datetime
    members: list[MemberId] = []
    meetings: list[Meeting] = []

    @field_validator("members")
    @classmethod
    def _distinct(cls, members: list[str]) -> list[str]:
        if len(set(members)) != len(members):
            raise ValueError("a member is listed twice")
        if len(members) > GROUP_SIZE[1]:
            raise ValueError(f"a group has at most {GROUP_SIZE[1]} members")
        return members

    @model_validator(mode="after")
    def _meetings_fit(self) -> Group:
        numbers = [m.number for m in self.meetings]
        if len(set(numbers)) != len(numbers):
            raise ValueError("two meetings have the same number")
        for meeting in self.meetings:
            if meeting.number > self.planned_sessions:
                raise ValueError(f"meeting {meeting.number} is beyond the planned sessions")
            absent = [a.course_id for a in meeting.absent]
            everyone = meeting.present + absent
            if len(set(everyone)) != len(everyone):
                raise ValueError(f"meeting {meeting.number} lists a member twice")
            strangers = set(everyone) - set(self.members)
            if strangers:
                raise ValueError(f"meeting {meeting.number} lists a non-member")
        return self

    def meeting(self, number: int) -> Meeting | None:
        return next((m for m in self.meetings if m.number == number), None)


def new_group(
    group_id: str,
    facilitator: str,
    co_facilitator: str | None,
    start: dt.date,
    sessions: int,
    now: dt.datetime,
) -> Group:
    options = {
        "facilitator": "--facilitator",
        "co_facilitator": "--co-facilitator",
        "start_date": "--start",
        "planned_sessions": "--sessions",
        "id": "GROUP_ID",
    }
    try:
        return Group.model_validate(
            {
                "schema_version": GROUP_SCHEMA_VERSION,
                "id": group_id,
                "facilitator": facilitator,
                "co_facilitator": co_facilitator,
                "start_date": start,
                "planned_sessions": sessions,
                "created": now.replace(microsecond=0),
            }
        )
    except ValidationError as error:
        raise InputError("; ".join(describe_validation(error, Group, options))) from None


def check_member(group: Group, course: Course, groups_of: list[str]) -> None:
    """A member is a course of the `group` adaptation that belongs to no other group."""
    if course.adaptation != "group":
        raise InputError(
            f"course {course.id!r} is a {course.adaptation} course: a group member's course "
            "is started with --adaptation group (its assessment is the pre-group session)"
        )
    others = [g for g in groups_of if g != group.id]
    if others:
        raise ConflictError(f"course {course.id!r} already belongs to group {others[0]!r}")
    if course.id in group.members:
        raise ConflictError(f"course {course.id!r} is already a member of {group.id!r}")
    if len(group.members) >= GROUP_SIZE[1]:
        raise ConflictError(f"group {group.id!r} is full ({GROUP_SIZE[1]} members)")


def remove_member(group: Group, course_id: str) -> int:
    """Take a member out of a group (in place); how many members are left. Refused when a
    recorded group session names it: that record stays whole."""
    if course_id not in group.members:
        raise NotFoundError(f"course {course_id!r} is not a member of group {group.id!r}")
    held = [
        m.number
        for m in group.meetings
        if course_id in m.present or course_id in [a.course_id for a in m.absent]
    ]
    if held:
        numbers = ", ".join(map(str, held))
        raise ConflictError(
            f"course {course_id!r} is recorded in group session(s) {numbers} of {group.id!r}; "
            "a member with recorded attendance stays in the group"
        )
    group.members = [m for m in group.members if m != course_id]
    return len(group.members)


def parse_absences(texts: list[str]) -> list[Absence]:
    """COURSE_ID:reason,... (repeatable)."""
    found = []
    for text in texts:
        for part in (p for p in text.split(",") if p.strip()):
            course_id, _, reason = part.partition(":")
            if not reason.strip():
                raise InputError("--absent: expected COURSE_ID:reason")
            found.append(Absence(course_id=course_id.strip(), reason=reason.strip()))
    return found


def parse_member_scores(texts: list[str], option: str) -> dict[str, str]:
    """COURSE_ID=i1,...,i9 (repeatable): the items stay text for the measure parser."""
    found: dict[str, str] = {}
    for text in texts:
        course_id, sep, items = text.partition("=")
        if not sep or not items.strip():
            raise InputError(f"{option}: expected COURSE_ID=i1,i2,...")
        if course_id.strip() in found:
            raise InputError(f"{option}: {course_id.strip()} is given twice")
        found[course_id.strip()] = items.strip()
    return found


def next_number(group: Group) -> int:
    held = max((m.number for m in group.meetings), default=0)
    if held >= group.planned_sessions:
        raise ConflictError(f"all {group.planned_sessions} sessions of {group.id!r} are recorded")
    return held + 1


def check_meeting(group: Group, meeting: Meeting, scored: list[str], today: dt.date) -> None:
    """Every member is accounted for once, scores belong to present members, the date fits."""
    named = meeting.present + [a.course_id for a in meeting.absent]
    unknown = [c for c in named + scored if c not in group.members]
    if unknown:
        raise InputError(f"{unknown[0]!r} is not a member of {group.id!r}")
    missing = [c for c in group.members if c not in named]
    if missing:
        raise InputError(
            f"say whether {', '.join(missing)} came: add to --present or --absent COURSE_ID:reason"
        )
    absent_scored = [c for c in scored if c not in meeting.present]
    if absent_scored:
        raise InputError(f"scores given for {absent_scored[0]!r}, who is not --present")
    if meeting.date > today:
        raise InputError(f"--date {meeting.date.isoformat()} is in the future")
    if meeting.date < group.start_date:
        raise InputError("--date is before the group's start")
    if any(m.date == meeting.date for m in group.meetings):
        raise ConflictError(f"{group.id!r} already has a session on {meeting.date.isoformat()}")


def add_meeting(group: Group, meeting: Meeting) -> None:
    group.meetings = sorted([*group.meetings, meeting], key=lambda m: m.number)


# --- Planning: the group's phases and agendas --------------------------------------------


def phase_of(group: Group, number: int) -> str:
    if number == 1:
        return "initial"
    return "termination" if number >= group.planned_sessions else "middle"


def planned_date(group: Group, number: int) -> dt.date:
    """Weekly from the start, counted on from the last meeting held before `number`."""
    held = [m for m in group.meetings if m.number < number]
    if not held:
        return group.start_date + dt.timedelta(weeks=number - 1)
    last = max(held, key=lambda m: m.number)
    return last.date + dt.timedelta(weeks=number - last.number)


@struct(frozen=True)
class MemberLine:
    course_id: str
    client: str
    areas: list[str]
    flags: list[str]
    review_commands: list[str]
    risk: RiskState | None = None  # the member course's risk state (core/risk.py)

    @property
    def alerts(self) -> list[str]:
        """What the safety box shows of this member: the HIGH RISK banner, each flag, then
        the follow-up a missed session at risk owes."""
        banner = self.risk.banner if self.risk is not None else None
        follow_up = self.risk.follow_up if self.risk is not None else None
        return [
            *([banner] if banner else []),
            *self.flags,
            *([f"FOLLOW-UP: {follow_up}"] if follow_up else []),
        ]

    @property
    def level_cell(self) -> str:
        """The member table's Risk cell, as `ipt list` words it ('moderate, out of date')."""
        if self.risk is None:
            return level_words(None, None)
        newer = self.risk.newer_flag
        return level_words(self.risk.level, newer.flag.date if newer is not None else None)

    @property
    def flags_cell(self) -> str:
        """The member table's Flags cell, as `ipt list` words it ('1 URGENT 3d')."""
        if self.risk is None:
            return flags_words(len(self.flags), 0, None)
        urgent = sum(f.flag.urgent for f in self.risk.flags)
        return flags_words(len(self.risk.flags), urgent, self.risk.oldest_flag_days)


@struct(frozen=True)
class GroupAgenda:
    group_id: str
    number: int
    planned: int
    date: dt.date
    phase: str
    items: list[str]
    members: list[MemberLine]
    held: bool


def member_lines(group: Group, courses: dict[str, Course], today: dt.date) -> list[MemberLine]:
    lines = []
    for course_id in group.members:
        course = courses[course_id]
        state = risk_state(course, today)
        lines.append(
            MemberLine(
                course_id,
                course.client,
                [catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas],
                state.labels,
                list(state.commands),
                state,
            )
        )
    return lines


def risk_follow_up(state: RiskState) -> list[str]:
    """What a member's risk state asks of the facilitators, in the report's follow-up."""
    found = ["HIGH standing risk"] if state.high else []
    if state.follow_up:
        found.append(f"FOLLOW-UP: {state.follow_up}")
    count = len(state.flags)
    if count:
        urgent = " (URGENT)" if state.urgent else ""
        found.append(
            f"{count} unreviewed risk flag{'s' * (count != 1)}{urgent}, oldest "
            f"{waiting(state.oldest_flag_days or 0)}"
        )
    return found


def build_agenda(
    group: Group, courses: dict[str, Course], number: int | None, today: dt.date | None = None
) -> GroupAgenda:
    if number is None:
        number = min(max((m.number for m in group.meetings), default=0) + 1, group.planned_sessions)
    if not 1 <= number <= group.planned_sessions:
        raise InputError(f"week {number} is outside this group: choose 1-{group.planned_sessions}")
    phase = phase_of(group, number)
    held = group.meeting(number)
    items = [t.text for t in catalogue.GROUP_PHASES[phase].tasks]
    left = group.planned_sessions - number
    if phase == "middle" and left <= catalogue.GROUP_ENDING_NOTICE:
        items.append(f"{catalogue.ENDING_REMINDER}: {left} group session{'s' * (left != 1)} left")
    items.append(f"{catalogue.SUMMARY}: group session {number} of {group.planned_sessions}")
    date = held.date if held else planned_date(group, number)
    return GroupAgenda(
        group.id,
        number,
        group.planned_sessions,
        date,
        phase,
        items,
        member_lines(group, courses, today or date),
        held is not None,
    )


# --- The group report ---------------------------------------------------------------------


@struct(frozen=True)
class MemberOutcome:
    course_id: str
    client: str
    attendance: list[str]  # per meeting number: "P" present, "A" absent, "" not yet held
    scores: list[tuple[str, int]]  # (label, PHQ-9 total): baseline, then each group session
    response: bool | None
    remission: bool | None
    flags: int
    follow_up: list[str] = field(default_factory=list)
    risk: RiskState | None = None  # the member course's risk state (core/risk.py)


@struct(frozen=True)
class GroupReport:
    group: Group
    members: list[MemberOutcome]
    today: dt.date

    @property
    def outcomes(self) -> list[MemberOutcome]:
        """Members with an outcome: two PHQ-9 scores or more, a case at the first (response
        and remission do not apply below caseness: core/progress `case_at_baseline`)."""
        return [m for m in self.members if m.response is not None]

    @property
    def response_rate(self) -> float | None:
        found = self.outcomes
        if not found:
            return None
        return round(100 * sum(1 for m in found if m.response) / len(found), 1)

    @property
    def completed(self) -> bool:
        return len(self.group.meetings) >= self.group.planned_sessions


def _member_outcome(group: Group, course: Course, today: dt.date) -> MemberOutcome:
    # lazy: keeps core.progress (17 modules) off start-up
    from ipt_cli.core.progress import build_report

    report = build_report(course, today)
    attendance = []
    for number in range(1, group.planned_sessions + 1):
        meeting = group.meeting(number)
        if meeting is None:
            attendance.append("")
        else:
            attendance.append("P" if course.id in meeting.present else "A")
    dates = {m.date: m.number for m in group.meetings}
    scores = []
    if course.baseline and course.baseline.phq9:
        scores.append(("pre", sum(course.baseline.phq9.items)))
    for session in course.sessions:
        if session.phq9 is not None:
            label = f"G{dates[session.date]}" if session.date in dates else "ind"
            scores.append((label, sum(session.phq9.items)))
    phq9 = report.measures.get("phq9")
    response = phq9.response if phq9 else None
    remission = phq9.remission if phq9 else None
    flags = len(report.risk.flags)
    follow_up = risk_follow_up(report.risk)
    held = len(group.meetings)
    if response is False and held >= group.planned_sessions // 2:
        follow_up.append("not responding")
    absences = attendance.count("A")
    if absences >= 2:
        follow_up.append(f"missed {absences} group sessions")
    caseness = PHQ9.caseness or 10
    latest = phq9.latest if phq9 else None
    if held >= group.planned_sessions and latest is not None and latest >= caseness:
        follow_up.append(f"still a case at the end (PHQ-9 {latest}): consider referral")
    return MemberOutcome(
        course.id,
        course.client,
        attendance,
        scores,
        response,
        remission,
        flags,
        follow_up,
        report.risk,
    )


def build_report(group: Group, courses: dict[str, Course], today: dt.date) -> GroupReport:
    return GroupReport(
        group, [_member_outcome(group, courses[c], today) for c in group.members], today
    )
