"""`ipt group new|add|remove|session|agenda|report|list`: Group IPT (the WHO model)."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.subcommands import sub_app
from ipt_cli.core import dates
from ipt_cli.core.safety import safety_notice
from ipt_cli.errors import InputError, NotFoundError

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.changes import Recorded
    from ipt_cli.core.group import Group, Meeting
    from ipt_cli.core.models import Course, SessionRecord
    from ipt_cli.store.courses import CourseStore
    from ipt_cli.store.groups import GroupStore
    from ipt_cli.views.output import Output

app = sub_app(
    "group",
    "Group IPT (WHO model): a group, its members' courses, attendance and group notes.",
    "Examples:\n\n  ipt group new g-2026 --facilitator F.A. --start 2026-02-02\n\n"
    "  ipt new-course m1 --adaptation group --client A.B. --problem-area grief --phq9 ...\n\n"
    "  ipt group add g-2026 m1\n\n  ipt group session g-2026 --date 2026-02-02 --present "
    "m1,m2 --absent m3:unwell --phq9 m1=2,2,1,2,1,1,1,0,0 --group-note 'Rules agreed'\n\n"
    "  ipt group agenda g-2026\n\n  ipt group report g-2026\n\n  ipt group remove g-2026 m1",
)

GroupIdArg = Annotated[
    str, typer.Argument(metavar="GROUP_ID", help="The group id, e.g. g-2026.", show_default=False)
]


def _stores(ctx: typer.Context) -> "tuple[GroupStore, CourseStore]":
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.store.groups import GroupStore

    courses = common.store(ctx)
    return GroupStore(courses.paths.root), courses


@app.command("new")
def new(
    ctx: typer.Context,
    group_id: GroupIdArg,
    facilitator: Annotated[str, typer.Option(metavar="ALIAS", help="The facilitator's alias.")],
    co_facilitator: Annotated[
        str | None, typer.Option(metavar="ALIAS", help="A co-facilitator's alias.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="Date of group session 1 (default: today)."),
    ] = None,
    sessions: Annotated[
        int, typer.Option("--sessions", metavar="N", help="Group sessions, 4-16 (WHO: 8).")
    ] = 8,
) -> None:
    """Start a group: facilitators, start date, number of group sessions."""
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core.group import new_group

    groups, _ = _stores(ctx)
    first = dates.parse_date(start, "--start") if start else common.today()
    group = new_group(
        group_id, facilitator, co_facilitator, first, sessions, dt.datetime.now(dt.UTC)
    )
    path = groups.create(group)
    common.output(ctx).done(
        f"Created group {group.id}: {group.planned_sessions} weekly group sessions from "
        f"{group.start_date.isoformat()}.\nSaved to {path}\n"
        f"Add members (courses started with --adaptation group): ipt group add {group.id} "
        "COURSE_ID"
    )


@app.command("add")
def add(ctx: typer.Context, group_id: GroupIdArg, course_id: common.CourseId) -> None:
    """Add a member: a course of the `group` adaptation (its assessment is the individual
    pre-group session). A course belongs to at most one group."""
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core.group import check_member

    groups, courses = _stores(ctx)
    course = courses.load(course_id)
    belongs = groups.groups_of(course_id)

    def join(group: "Group") -> int:
        check_member(group, course, belongs)
        group.members = [*group.members, course_id]
        return len(group.members)

    count = groups.update(group_id, join)
    members = "1 member" if count == 1 else f"{count} members"
    common.output(ctx).done(f"Added {course_id} to group {group_id} ({members}).")


@app.command("remove")
def remove(ctx: typer.Context, group_id: GroupIdArg, course_id: common.CourseId) -> None:
    """Remove a member that no group session has recorded yet (its course is kept). A
    member with recorded attendance stays: the group's record of those sessions names it."""
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core.group import remove_member

    groups, _ = _stores(ctx)
    count = groups.update(group_id, lambda group: remove_member(group, course_id))
    members = "1 member" if count == 1 else f"{count} members"
    common.output(ctx).done(
        f"Removed {course_id} from group {group_id} ({members} left); its course is kept."
    )


@app.command("session")
def session(
    ctx: typer.Context,
    group_id: GroupIdArg,
    present: Annotated[
        str, typer.Option(metavar="COURSE_ID,...", help="Members who came (comma-separated).")
    ],
    date: common.DateOption = None,
    absent: Annotated[
        list[str] | None,
        typer.Option(metavar="COURSE_ID:REASON,...", help="Members who did not come, and why."),
    ] = None,
    phq9: Annotated[
        list[str] | None,
        typer.Option(
            "--phq9",
            metavar="COURSE_ID=i1,...,i9",
            help="A present member's PHQ-9 (repeatable); it goes to that member's course.",
        ),
    ] = None,
    group_note: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="The group-level note, kept in the group file apart from members' records.",
        ),
    ] = None,
) -> None:
    """Record one group session: attendance, each present member's scores (to their own
    course, raising its flags as any session does) and the group note.

    Private notes are entered per member: ipt session COURSE_ID --group-session N --note TEXT.
    """
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core.group import Meeting, parse_absences, parse_member_scores

    groups, courses = _stores(ctx)
    when = dates.parse_date(date, "--date") if date else common.today()
    scores = parse_member_scores(phq9 or [], "--phq9")
    members = [p.strip() for p in present.split(",") if p.strip()]
    absences = parse_absences(absent or [])
    out = common.output(ctx)

    def hold(group: "Group") -> "Meeting":
        # lazy: keeps the models (pydantic) and group IPT off start-up
        from ipt_cli.core.group import add_meeting, check_meeting, next_number

        meeting = Meeting(
            number=next_number(group), date=when, present=members, absent=absences,
            note=group_note,
        )  # fmt: skip
        check_meeting(group, meeting, list(scores), common.today())
        _record_members(courses, meeting, scores, dry_run=True)
        flagged.extend(_record_members(courses, meeting, scores, False, written, held))
        add_meeting(group, meeting)
        return meeting

    flagged: list[tuple[str, SessionRecord]] = []
    written: list[str] = []
    held: list[tuple[str, Recorded]] = []
    try:
        meeting = groups.update(group_id, hold)
    except BaseException:
        _roll_back(courses, written)  # members written before the failure are put back
        raise
    for course_id, record in flagged:
        notice = safety_notice(course_id, "group session", record, meeting.date.isoformat())
        out.safety(notice.for_course(course_id), False)
    out.done(
        f"Recorded group session {meeting.number} of {group_id} ({meeting.date.isoformat()}): "
        f"{len(meeting.present)} present, {len(meeting.absent)} absent."
    )
    _say_open_flags(out, courses, held, [a.course_id for a in meeting.absent])


def _say_open_flags(
    out: "Output", courses: "CourseStore", held: "list[tuple[str, Recorded]]", absent: list[str]
) -> None:
    """Each member's flags of other sittings still unreviewed, after the confirmation, as
    `ipt session` says them (a present member's new session has its own SAFETY notice)."""
    # lazy: keeps the risk state off start-up
    from ipt_cli.core.risk import risk_state

    today = common.today()
    members = [*held, *((course_id, None) for course_id in absent)]
    for course_id, done in members:
        state = risk_state(courses.load(course_id), today)
        if done is not None:
            state = state.without_sitting(course_id, done.number, done.maintenance)
        # an absence at risk owes a contact, as `ipt session --missed` says
        out.still_open(state, False, follow_up=True, member=course_id)


def _roll_back(courses: "CourseStore", written: list[str]) -> None:
    """Put back the version of each member's course from before this group session (the
    newest backup, taken by the write): a failure half-way leaves no member recorded."""
    for course_id in reversed(written):
        try:
            courses.restore(course_id, 1)
        except Exception:  # the first failure is the one to report
            continue


def _record_members(
    courses: "CourseStore",
    meeting: "Meeting",
    scores: dict[str, str],
    dry_run: bool,
    written: list[str] | None = None,
    held: "list[tuple[str, Recorded]] | None" = None,
) -> "list[tuple[str, SessionRecord]]":
    """Each present member's session (with their scores) and each absent member's missed
    appointment, in their own course. The dry run checks every member before any is
    written, so that a refusal leaves every file as it was; `written` collects the courses
    changed, for a roll-back, and `held` each present member's session as recorded.
    Returns the sessions whose risk items were scored."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes
    from ipt_cli.core.session_dates import check_date

    today = common.today()
    flagged = []
    for course_id in meeting.present:
        record = changes.session_record(
            meeting.date,
            note=None,
            measure_options=changes.measure_fields(phq9=scores.get(course_id)),
            attendees=["client"],
        )

        def attend(course: "Course", record: object = record) -> "Recorded":
            # lazy: keeps the models (pydantic) off start-up
            from ipt_cli.core.models import SessionRecord

            assert isinstance(record, SessionRecord)
            check_date(course, record.date, today, same_day=False)
            return changes.record_session(course, record)

        if dry_run:
            attend(courses.load(course_id).model_copy(deep=True))
            continue
        done = courses.update(course_id, attend)
        if written is not None:
            written.append(course_id)
        if held is not None:
            held.append((course_id, done))
        if record.risk_scores():
            flagged.append((course_id, record))
    for absence in meeting.absent:
        reason = f"group session {meeting.number}: {absence.reason}"

        def miss(course: "Course", reason: str = reason) -> None:
            # a missed session of the member's course, at the group session's number
            changes.add_missed(course, meeting.date, reason, meeting.number)

        if dry_run:
            miss(courses.load(absence.course_id).model_copy(deep=True))
        else:
            courses.update(absence.course_id, miss)
            if written is not None:
                written.append(absence.course_id)
    return flagged


def group_session_date(ctx: typer.Context, course_id: str, number: int) -> "dt.date":
    """The date of group session `number` of the group this course belongs to."""
    groups, _ = _stores(ctx)
    found = groups.groups_of(course_id)
    if not found:
        raise NotFoundError(f"course {course_id!r} belongs to no group")
    meeting = groups.load(found[0]).meeting(number)
    if meeting is None:
        raise InputError(f"group {found[0]!r} has no session {number} recorded yet")
    if course_id not in meeting.present:
        raise InputError(f"{course_id!r} was not present at group session {number}")
    return meeting.date


def _members(courses: "CourseStore", group: "Group") -> "dict[str, Course]":
    return {course_id: courses.load(course_id) for course_id in group.members}


@app.command("agenda")
def agenda(
    ctx: typer.Context,
    group_id: GroupIdArg,
    week: Annotated[
        int | None, typer.Option(metavar="N", help="Group session (default: the next).")
    ] = None,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """The agenda of a group session: its phase's tasks, each member's problem areas and
    any unreviewed risk flags."""
    output_format = common.chosen_format(
        common.Format, output_format, as_json, None, common.Format.text
    )
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core.group import build_agenda

    groups, courses = _stores(ctx)
    group = groups.load(group_id)
    built = build_agenda(group, _members(courses, group), week, common.today())
    if output_format is common.Format.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import group_agenda_json

        common.output(ctx).json(group_agenda_json(built))
    elif output_format is common.Format.markdown:
        # lazy: each format loads only its own rendering (Markdown)
        from ipt_cli.views.markdown import group_agenda_markdown

        common.output(ctx).data(group_agenda_markdown(built))
    else:
        from ipt_cli.views import terminal  # Rich: only to draw the text view

        common.output(ctx).show(terminal.group_agenda_view(built))


@app.command("report")
def report(
    ctx: typer.Context,
    group_id: GroupIdArg,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Attendance grid, each member's PHQ-9 by session and outcome, the group's response
    rate, and who needs follow-up."""
    output_format = common.chosen_format(
        common.Format, output_format, as_json, None, common.Format.text
    )
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.core.group import build_report

    groups, courses = _stores(ctx)
    group = groups.load(group_id)
    built = build_report(group, _members(courses, group), common.today())
    if output_format is common.Format.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import group_report_json

        common.output(ctx).json(group_report_json(built))
    elif output_format is common.Format.markdown:
        # lazy: each format loads only its own rendering (Markdown)
        from ipt_cli.views.markdown import group_report_markdown

        common.output(ctx).data(group_report_markdown(built))
    else:
        from ipt_cli.views import terminal  # Rich: only to draw the text view

        common.output(ctx).show(terminal.group_report_view(built))


@app.command("list")
def list_groups(
    ctx: typer.Context,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Every group: facilitators, members, sessions held."""
    output_format = common.chosen_format(
        common.Format, output_format, as_json, None, common.Format.text
    )
    groups, _ = _stores(ctx)
    found, problems = groups.readable()
    for problem in problems:  # one damaged file never hides the other groups
        common.output(ctx).warn(f"warning: {problem.message}; see ipt doctor")
    if output_format is common.Format.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import group_list_json

        common.output(ctx).json(group_list_json(found))
    else:
        # lazy: keeps the models (pydantic) and the shared wording off start-up
        from ipt_cli.views.wording import group_list_text

        common.output(ctx).data(group_list_text(found))


def register(root: typer.Typer) -> None:
    root.add_typer(app)
