"""One line per course for `ipt list`, and its JSON form. Light on purpose: no pydantic,
so that a list served from the index never pays for the models."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ipt_cli.core.outcome_record import CourseOutcome
from ipt_cli.core.signals import (
    SIGN_WITHIN_DAYS,
    NotOnTrack,
    days_over,
    overdue_signatures,
    overdue_text,
)
from ipt_cli.core.structs import field, struct


@struct(frozen=True)
class CourseRow:
    """One line of `ipt list`: a course's state at a glance, or why it is damaged."""

    course_id: str
    client: str | None = None
    phase: str | None = None
    recorded: int | None = None
    planned: int | None = None
    next_date: dt.date | None = None
    archived: bool = False
    # instrument -> (total, band or None), the condition's primary instrument first
    latest: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    unreviewed_flags: int = 0
    damaged: str | None = None
    alerts: list[str] = field(default_factory=list)  # reliable deterioration, relapse
    primary: str = "phq9"  # the condition profile's headline measure
    # `ipt outcomes`' record of the course as JSON text: only that command reads it (one
    # string a row; as a list its 15 values held 5 MiB more for 10,000 courses)
    outcome_data: str | None = None
    not_on_track: NotOnTrack | None = None
    # the unsigned sessions, flat: the first one's date as a day number, then each one's id
    # and days after it (10,000 rows of 16 pairs of lists held 20 MiB; this, 3 MiB)
    unsigned: list[int] = field(default_factory=list)
    gap: tuple[dt.date, int] | None = None  # last session and the days allowed; None: closed
    # The risk state's part of the row (core/risk.py; issue 26, defect 3): the standing
    # level, whether an unreviewed flag is urgent, and the date of the oldest unreviewed
    # flag (its days waiting depend on today, so they are counted when the row is shown).
    risk_level: str | None = None
    urgent_flags: int = 0  # how many of the unreviewed flags are URGENT
    oldest_flag: dt.date | None = None
    missed_at_risk: str | None = None  # the risk state's follow-up (core/risk.missed_at_risk)
    # the date of an unreviewed flag raised after the standing level was judged: the level
    # is out of date until it is reviewed (the risk state's newer_flag)
    level_out_of_date_since: dt.date | None = None

    @property
    def urgent(self) -> bool:
        return self.urgent_flags > 0

    def oldest_flag_days(self, today: dt.date) -> int | None:
        return None if self.oldest_flag is None else max(0, (today - self.oldest_flag).days)

    def level_cell(self, dated: bool = False) -> str:
        """The list's Risk cell (level_words)."""
        return level_words(self.risk_level, self.level_out_of_date_since, dated)

    def flags_cell(self, today: dt.date) -> str:
        """The list's Flags cell (flags_words); the level beside it is `level_cell`."""
        return flags_words(self.unreviewed_flags, self.urgent_flags, self.oldest_flag_days(today))

    @property
    def at_risk(self) -> bool:
        """A row to colour: an unreviewed flag or a high standing level."""
        return bool(self.unreviewed_flags) or self.risk_level == "high"

    def is_overdue(self, today: dt.date) -> bool:
        return self.next_date is not None and self.next_date < today

    def days_without_session(self, today: dt.date) -> int | None:
        """Days since the last session when an open course has gone longer than its
        cadence allows (core/tracking.py), else None."""
        return None if self.gap is None else days_over(self.gap, today)

    def outcome(self) -> CourseOutcome | None:
        if self.outcome_data is None:
            return None
        return CourseOutcome.from_cache(self.course_id, json.loads(self.outcome_data))

    def unsigned_overdue(self, today: dt.date, within_days: int = SIGN_WITHIN_DAYS) -> list[str]:
        return overdue_signatures(self.unsigned, today, within_days)

    def follow_ups(self, today: dt.date, within_days: int = SIGN_WITHIN_DAYS) -> list[str]:
        """The measurement-based-care alerts owed today, as the list prints them under the
        row: not on track, no session for longer than the cadence allows, unsigned."""
        texts = [f"FOLLOW-UP: {self.missed_at_risk}"] if self.missed_at_risk else []
        texts += [] if self.not_on_track is None else [self.not_on_track.text]
        waited = self.days_without_session(today)
        if waited is not None and self.gap is not None:
            texts.append(overdue_text(self.gap, waited))
        late = self.unsigned_overdue(today, within_days)
        if late:
            numbers = ", ".join(str(n) for n in late)
            texts.append(f"unsigned more than {within_days} days: session(s) {numbers}")
        return texts

    def to_cache(self) -> list[Any]:
        """The row as the index keeps it: its fields in CACHE_FIELDS order (a list, not an
        object: a 10,000-course index then reads in a third of the time and memory). The
        id is the file's name, so it is not kept."""
        return [
            self.client,
            self.phase,
            self.recorded,
            self.planned,
            self.next_date.isoformat() if self.next_date else None,
            self.archived,
            [[k, total, band] for k, (total, band) in self.latest.items()],
            self.unreviewed_flags,
            self.damaged,
            self.alerts,
            self.primary,
            self.outcome_data,
            None if self.not_on_track is None else self.not_on_track.to_cache(),
            self.unsigned,
            None if self.gap is None else [self.gap[0].isoformat(), self.gap[1]],
            self.risk_level,
            self.urgent_flags,
            self.oldest_flag.isoformat() if self.oldest_flag else None,
            self.missed_at_risk,
            _iso(self.level_out_of_date_since),
        ]

    @classmethod
    def from_cache(cls, course_id: str, data: list[Any]) -> CourseRow:
        """The row `to_cache` kept; ValueError or TypeError when it is not one."""
        (
            client,
            phase,
            recorded,
            planned,
            next_date,
            archived,
            latest,
            flags,
            damaged,
            alerts,
            primary,
            outcome,
            not_on_track,
            unsigned,
            gap,
            risk_level,
            urgent,
            oldest_flag,
            missed_at_risk,
            out_of_date,
        ) = data
        return cls(
            course_id,
            client,
            phase,
            recorded,
            planned,
            dt.date.fromisoformat(next_date) if next_date else None,
            archived,
            {k: (total, band) for k, total, band in latest},
            flags,
            damaged,
            list(alerts),
            primary,
            outcome,
            None if not_on_track is None else NotOnTrack.from_cache(not_on_track),
            unsigned,
            None if gap is None else (dt.date.fromisoformat(gap[0]), gap[1]),
            risk_level,
            int(urgent),
            dt.date.fromisoformat(oldest_flag) if oldest_flag else None,
            missed_at_risk,
            dt.date.fromisoformat(out_of_date) if out_of_date else None,
        )


CACHE_FIELDS = (
    "client",
    "phase",
    "recorded",
    "planned",
    "next_date",
    "archived",
    "latest",
    "unreviewed_flags",
    "damaged",
    "alerts",
    "primary",
    "outcome_data",
    "not_on_track",
    "unsigned",
    "gap",
    "risk_level",
    "urgent_flags",
    "oldest_flag",
    "missed_at_risk",
    "level_out_of_date_since",
)


def sort_rows(rows: list[CourseRow], risk_first: bool = False) -> list[CourseRow]:
    """Soonest next session first; completed courses, then damaged files, last. With
    `risk_first`, the courses at risk lead, by the risk state's own words: a HIGH standing
    level or an URGENT flag, then any unreviewed flag, a moderate level or a follow-up owed
    (risk_rank), each group in the usual order."""
    return sorted(
        rows,
        key=lambda r: (
            r.damaged is not None,
            risk_rank(r) if risk_first else 0,
            r.next_date is None,
            r.next_date or dt.date.max,
            r.course_id,
        ),
    )


def risk_rank(row: CourseRow) -> int:
    """0: a HIGH standing level or an URGENT flag waiting; 1: any flag waiting, a moderate
    level or a missed appointment's follow-up owed; 2: none of these."""
    if row.risk_level == "high" or row.urgent:
        return 0
    if row.unreviewed_flags or row.risk_level == "moderate" or row.missed_at_risk:
        return 1
    return 2


def list_json(
    rows: list[CourseRow], today: dt.date, sign_within_days: int = SIGN_WITHIN_DAYS
) -> list[dict[str, Any]]:
    return [row_json(row, today, sign_within_days) for row in rows]


def row_json(
    row: CourseRow, today: dt.date, sign_within_days: int = SIGN_WITHIN_DAYS
) -> dict[str, Any]:
    """One course of `ipt list --json` (the keys are a contract for scripts)."""
    if row.damaged:
        return {"course_id": row.course_id, "damaged": True, "problem": row.damaged}
    phq9 = row.latest.get("phq9")
    primary = row.latest.get(row.primary)
    return {
        "course_id": row.course_id,
        "damaged": False,
        "client": row.client,
        "phase": row.phase,
        "sessions_recorded": row.recorded,
        "sessions_planned": row.planned,
        "next_session_date": row.next_date.isoformat() if row.next_date else None,
        "overdue": row.is_overdue(today),
        "archived": row.archived,
        "latest_phq9": phq9[0] if phq9 else None,
        "latest_phq9_severity": phq9[1] if phq9 else None,
        "latest": {k: {"total": t, "severity": s} for k, (t, s) in row.latest.items()},
        "primary_measure": row.primary,
        "latest_primary": None
        if primary is None
        else {"total": primary[0], "severity": primary[1]},
        "unreviewed_flags": row.unreviewed_flags,
        "risk_level": row.risk_level,
        # the report's risk.level_out_of_date_since: an unreviewed flag newer than the level
        "risk_level_out_of_date_since": _iso(row.level_out_of_date_since),
        "high_risk": row.risk_level == "high",
        "urgent": row.urgent,
        "oldest_flag_days": row.oldest_flag_days(today),
        "missed_at_risk": row.missed_at_risk,
        "alerts": list(row.alerts),
        "not_on_track": None if row.not_on_track is None else not_on_track_json(row.not_on_track),
        "days_without_session": row.days_without_session(today),
        "unsigned_overdue": row.unsigned_overdue(today, sign_within_days),
    }


def not_on_track_json(alert: NotOnTrack) -> dict[str, Any]:
    return {
        "measure": alert.instrument,
        "baseline": alert.baseline,
        "latest": alert.latest,
        "session": alert.session,
        "reliable_change": alert.needed,
        "text": alert.text,
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def level_words(level: str | None, out_of_date_since: dt.date | None, dated: bool = False) -> str:
    """A Risk cell (the list's, a group's member table): the standing level of the review
    recorded last ('HIGH' in capitals, as every view writes it; 'moderate', 'low'; 'not
    judged' when no review gave one), and ', out of date' while a flag raised on or after
    its day waits unreviewed (`dated`: ', out of date since 2026-01-19', that flag's date)."""
    if level is None:
        return "not judged"
    shown = level.upper() if level == "high" else level
    if out_of_date_since is None:
        return shown
    return f"{shown}, out of date" + (f" since {out_of_date_since.isoformat()}" if dated else "")


def flags_words(count: int, urgent: int, oldest_days: int | None) -> str:
    """A Flags cell: the count of unreviewed flags, how many are URGENT, and the oldest
    flag's wait ('0', '2 9d', '1 URGENT 3d', '2 (1 URGENT) 3d': '2 URGENT' read as both)."""
    parts = [str(count)]
    if urgent:
        parts.append("URGENT" if urgent == count else f"({urgent} URGENT)")
    return " ".join([*parts, *([f"{oldest_days}d"] if oldest_days is not None else [])])
