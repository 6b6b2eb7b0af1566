"""`ipt calendar`: RFC 5545 output, read back with the `icalendar` package."""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from ipt_cli.views.calendar import fold
from tests.conftest import RunIpt

LONDON = ZoneInfo("Europe/London")
UID = re.compile(r"^ab-\d{8}T\d{6}Z-(acute|maintenance)-\d+@ipt-cli$")


def uid_number(event: Any) -> int:
    found = re.search(r"-(\d+)@ipt-cli$", str(event["UID"]))
    assert found
    return int(found.group(1))


def events(text: str) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]).startswith("-//ipt//ipt-cli ")
    assert calendar["CALSCALE"] == "GREGORIAN"
    return list(calendar.walk("VEVENT"))


def check_raw(raw: bytes) -> None:
    """CRLF after every line, none longer than 75 octets, every line valid UTF-8."""
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")


def by_summary(found: list[Any]) -> dict[str, Any]:
    return {str(e["SUMMARY"]): e for e in found}


def test_timed_events_carry_every_field(new_course, run_ipt: RunIpt, tmp_path: Path) -> None:
    new_course("ab", "--sessions", "16", "--phq9", "2,2,1,2,1,1,1,0,0")
    for day in (5, 12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--note", "Private words")
    out = tmp_path / "ab.ics"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    run_ipt(
        "calendar", "ab", "--time", "14:30", "--duration", "45", "--tz", "Europe/London",
        "--output", str(out),
    )  # fmt: skip
    after = dt.datetime.now(dt.UTC)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    raw = out.read_bytes()
    check_raw(raw)
    assert b"A.B." not in raw and b"Private" not in raw and b"grief" not in raw.lower()
    found = events(raw.decode("utf-8"))
    assert [str(e["SUMMARY"]) for e in found] == [
        f"IPT ab \u2014 session {n} of 16" for n in range(5, 17)
    ]
    uids = [str(e["UID"]) for e in found]
    assert len(set(uids)) == 12 and all(UID.match(u) for u in uids)
    assert [uid_number(e) for e in found] == list(range(5, 17))
    for offset, event in enumerate(found):
        date = dt.date(2026, 2, 2) + dt.timedelta(weeks=offset)
        start = event.decoded("DTSTART")
        assert start == dt.datetime.combine(date, dt.time(14, 30), tzinfo=LONDON)
        assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)  # written UTC
        assert event.decoded("DTEND") - start == dt.timedelta(minutes=45)
        stamp = event.decoded("DTSTAMP")
        assert before <= stamp <= after
        assert event["SEQUENCE"] == int(
            (stamp - dt.datetime(2020, 1, 1, tzinfo=dt.UTC)).total_seconds()
        )
        assert event["STATUS"] == "CONFIRMED" and event["TRANSP"] == "OPAQUE"
        assert set(event) == {
            "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS", "TRANSP",
        }  # fmt: skip
    # British Summer Time starts on 29 March 2026: 14:30 in London is then 13:30 UTC.
    assert found[7].decoded("DTSTART").hour == 14 and "20260323T143000Z" in raw.decode()
    assert "20260330T133000Z" in raw.decode()


def test_all_day_events_by_default(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4")
    raw = run_ipt("calendar", "ab").stdout_bytes  # .stdout would turn CRLF into LF
    check_raw(raw)
    text = raw.decode("utf-8")
    found = events(text)
    assert len(found) == 4
    for offset, event in enumerate(found):
        date = dt.date(2026, 1, 5) + dt.timedelta(weeks=offset)
        assert event.decoded("DTSTART") == date
        assert event.decoded("DTEND") == date + dt.timedelta(days=1)
        assert "VALUE=DATE" in event.to_ical().decode()


def test_moved_and_renegotiated_sessions_keep_their_uids(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "16")
    first = by_summary(events(run_ipt("calendar", "ab", "--time", "09:00", "--tz", "UTC").stdout))
    run_ipt(
        "session", "ab", "--date", "2026-01-08", "--attendee", "client"
    )  # session 1, three days late
    run_ipt("contract", "ab", "--sessions", "12", "--reason", "Agreed")
    second = events(run_ipt("calendar", "ab", "--time", "09:00", "--tz", "UTC").stdout)
    live = [e for e in second if e["STATUS"] == "CONFIRMED"]
    dropped = [e for e in second if e["STATUS"] == "CANCELLED"]
    assert [str(e["SUMMARY"]) for e in live] == [
        f"IPT ab \u2014 session {n} of 12" for n in range(2, 13)
    ]
    assert [str(e["SUMMARY"]) for e in dropped] == [
        f"IPT ab \u2014 session {n} of 16" for n in range(13, 17)
    ]
    for event in second:
        earlier = first[f"IPT ab \u2014 session {uid_number(event)} of 16"]
        assert event["UID"] == earlier["UID"]  # a re-import updates, never duplicates
        assert event["SEQUENCE"] >= earlier["SEQUENCE"]
    # Session 2 now follows the late session 1 by a week: 15 January, not 12 January.
    assert live[0].decoded("DTSTART") == dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)
    assert first["IPT ab \u2014 session 2 of 16"].decoded("DTSTART").day == 12


def test_maintenance_sessions_and_long_ids_fold(new_course, run_ipt: RunIpt) -> None:
    long_id = "a" * 60 + "-xyz"
    new_course(long_id, "--sessions", "4")
    for day in (5, 12, 19, 26):
        run_ipt("session", long_id, "--date", f"2026-01-{day:02d}", "--attendee", "client")
    assert "no planned sessions left" in run_ipt("calendar", long_id, exit_code=5).stderr
    run_ipt("maintenance", long_id, "--sessions", "3", "--cadence", "monthly")
    raw = run_ipt("calendar", long_id, "--time", "10:00", "--tz", "Europe/London").stdout_bytes
    check_raw(raw)
    text = raw.decode("utf-8")
    assert "\r\n " in text  # the long summaries were folded
    found = events(text)
    assert [str(e["SUMMARY"]) for e in found] == [
        f"IPT {long_id} \u2014 maintenance session {n} of 3" for n in (1, 2, 3)
    ]
    assert [e.decoded("DTSTART").date() for e in found] == [
        dt.date(2026, 2, 26), dt.date(2026, 3, 26), dt.date(2026, 4, 26),
    ]  # fmt: skip
    assert all(str(e["UID"]).endswith(f"-maintenance-{n}@ipt-cli") for n, e in enumerate(found, 1))


def test_bad_options_are_one_line_errors(new_course, run_ipt: RunIpt) -> None:
    new_course("ab")
    for args, message in (
        (("--tz", "Europe/London"), "--duration and --tz need --time"),
        (("--duration", "30"), "--duration and --tz need --time"),
        (("--time", "25:00"), "--time '25:00' is not a time in the form HH:MM"),
        (("--time", "9:00", "--tz", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (("--time", "9:00", "--tz", "Europe"), "unknown time zone 'Europe'"),
        (("--time", "9:00", "--duration", "0"), "--duration must be 1-1440 minutes"),
    ):
        result = run_ipt("calendar", "ab", *args, exit_code=2)
        assert result.stderr == f"ipt: error: {result.stderr[12:]}"
        assert message in result.stderr and result.stderr.count("\n") == 1
        assert result.stdout == ""
    assert "no course 'zz'" in run_ipt("calendar", "zz", exit_code=3).stderr


@given(st.text(min_size=0, max_size=400))
def test_fold_splits_at_75_octets_never_inside_a_character(text: str) -> None:
    line = "SUMMARY:" + text.replace("\r", "").replace("\n", "")
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert "".join([pieces[0], *(p[1:] for p in pieces[1:])]) == line


def test_a_smaller_maintenance_contract_cancels_its_dropped_sessions(
    new_course, run_ipt: RunIpt
) -> None:
    new_course("ab", "--sessions", "4")
    for day in (5, 12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    run_ipt("maintenance", "ab", "--sessions", "4", "--cadence", "monthly")
    before = {str(e["SUMMARY"]): e for e in events(run_ipt("calendar", "ab").stdout_bytes.decode())}
    run_ipt("contract", "ab", "--maintenance", "--sessions", "2", "--reason", "Agreed")
    after = events(run_ipt("calendar", "ab").stdout_bytes.decode())
    states = [(str(e["SUMMARY"]), str(e["STATUS"])) for e in after]
    assert states == [
        ("IPT ab \u2014 maintenance session 1 of 2", "CONFIRMED"),
        ("IPT ab \u2014 maintenance session 2 of 2", "CONFIRMED"),
        ("IPT ab \u2014 maintenance session 3 of 4", "CANCELLED"),
        ("IPT ab \u2014 maintenance session 4 of 4", "CANCELLED"),
    ]
    for event in after[2:]:
        assert event["UID"] == before[str(event["SUMMARY"])]["UID"]
        assert event.decoded("DTSTART") == before[str(event["SUMMARY"])].decoded("DTSTART")
