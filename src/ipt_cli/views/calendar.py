"""An iCalendar (RFC 5545) file of a course's planned sessions, written with the standard
library.

Privacy: an event names the course id and the session's place in the contract, and
nothing else: no client alias, no problem area, no note, no location. Calendars are
often shared or synced to other people's servers.

Stability: an event's UID is the course id, the course's creation time and the session's
place (acute 5, maintenance 2), so a re-import updates the event wherever its date has
moved; SEQUENCE rises with every export, so the newer file wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ipt_cli import __version__
from ipt_cli.core.appointments import Appointment
from ipt_cli.core.structs import struct

CRLF = "\r\n"
FOLD_OCTETS = 75  # RFC 5545 3.1: content lines are folded at 75 octets
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@struct(frozen=True)
class CalendarOptions:
    """When sessions happen. No start time: all-day events on the session dates."""

    start: dt.time | None = None
    duration: dt.timedelta = dt.timedelta(minutes=50)
    zone: dt.tzinfo | None = None  # None: this machine's local time


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets (UTF-8), never inside a
    character; each continuation starts with one space (which counts in its 75)."""
    pieces: list[str] = []
    current, size, limit = "", 0, FOLD_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, FOLD_OCTETS
        current += char
        size += width
    pieces.append(current)
    return CRLF.join(pieces)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_uid(course_id: str, created: dt.datetime, appointment: Appointment) -> str:
    stamp = created.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{course_id}-{stamp}-{appointment.key}@ipt-cli"


def _when(appointment: Appointment, options: CalendarOptions) -> list[str]:
    if options.start is None:
        end = appointment.date + dt.timedelta(days=1)
        return [
            f"DTSTART;VALUE=DATE:{appointment.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
        ]
    local = dt.datetime.combine(appointment.date, options.start, tzinfo=options.zone)
    # A naive datetime's astimezone() reads this machine's zone rules (DST included).
    start = local.astimezone(dt.UTC)
    return [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(start + options.duration)}"]


def _event(
    course_id: str,
    created: dt.datetime,
    appointment: Appointment,
    options: CalendarOptions,
    stamp: dt.datetime,
) -> list[str]:
    summary = f"IPT {course_id} \u2014 {appointment.title}"
    sequence = int((stamp - SEQUENCE_EPOCH).total_seconds())
    return [
        "BEGIN:VEVENT",
        f"UID:{event_uid(course_id, created, appointment)}",
        f"DTSTAMP:{_utc(stamp)}",
        *_when(appointment, options),
        f"SUMMARY:{escape_text(summary)}",
        f"SEQUENCE:{max(sequence, 0)}",
        f"STATUS:{'CANCELLED' if appointment.cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def calendar_ics(
    course_id: str,
    created: dt.datetime,
    appointments: Iterable[Appointment],
    options: CalendarOptions,
    stamp: dt.datetime,
) -> str:
    """The whole VCALENDAR, CRLF line ends, folded; `stamp` is the export time (UTC)."""
    stamp = stamp.astimezone(dt.UTC).replace(microsecond=0)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//ipt//ipt-cli {__version__}//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(f'IPT {course_id}')}",
    ]
    for appointment in appointments:
        lines += _event(course_id, created, appointment, options, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
