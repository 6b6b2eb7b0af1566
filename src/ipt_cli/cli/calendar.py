"""`ipt calendar`: a course's planned sessions as an iCalendar file."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.core.dates import parse_time
from ipt_cli.errors import ConflictError, InputError
from ipt_cli.views.output import Content  # loaded by the root callback anyway

if TYPE_CHECKING:
    from ipt_cli.views.calendar import CalendarOptions

MAX_DURATION = 24 * 60


def calendar(
    ctx: typer.Context,
    course_id: common.CourseId,
    output: common.OutputOption = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--time",
            metavar="HH:MM",
            help="Start time of each session (default: all-day events on the session dates).",
        ),
    ] = None,
    duration: Annotated[
        int | None,
        typer.Option(
            "--duration",
            metavar="MINUTES",
            help="Length of each session (default 50); needs --time.",
        ),
    ] = None,
    zone: Annotated[
        str | None,
        typer.Option(
            "--tz",
            metavar="ZONE",
            help="Time zone of --time, e.g. Europe/London (default: this machine's).",
        ),
    ] = None,
) -> None:
    """Write the planned sessions not yet held (acute and maintenance) as an iCalendar file.

    Each event is called "IPT COURSE_ID — session N of M": never the client's alias or
    anything clinical. Import the file again after a change: events keep their ids, so a
    moved session moves and a dropped one is cancelled rather than duplicated.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.appointments import planned_appointments
    from ipt_cli.views.calendar import calendar_ics

    options = _options(start, duration, zone)
    course = common.store(ctx).load(course_id)
    appointments = planned_appointments(course)
    if not appointments:
        raise ConflictError(f"{course_id} has no planned sessions left to put in a calendar")
    stamp = dt.datetime.now(dt.UTC)
    text = calendar_ics(course.id, course.created, appointments, options, stamp)
    common.deliver(ctx, text, output, content=Content.EXACT)


def _options(start: str | None, duration: int | None, zone: str | None) -> "CalendarOptions":
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.views.calendar import CalendarOptions

    if start is None:
        if duration is not None or zone is not None:
            raise InputError("--duration and --tz need --time (without it, events are all-day)")
        return CalendarOptions()

    # lazy: keeps zoneinfo off `ipt --help` (which loads every command's module)
    from ipt_cli.store.zones import time_zone

    minutes = 50 if duration is None else duration
    if not 1 <= minutes <= MAX_DURATION:
        raise InputError(f"--duration must be 1-{MAX_DURATION} minutes, got {minutes}")
    return CalendarOptions(
        start=parse_time(start, "--time"),
        duration=dt.timedelta(minutes=minutes),
        zone=None if zone is None else time_zone(zone),
    )


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt calendar ab-2026 --output ab-2026.ics\n\n  ipt calendar "
        "ab-2026 --time 14:30 --duration 50 --tz Europe/London -o ab-2026.ics"
    )(calendar)
