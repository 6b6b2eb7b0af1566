"""One line per course for `ipt list`, and its JSON form. Light on purpose: no pydantic,
so that a list served from the index never pays for the models."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    # The risk state's part of the row (core/risk.py; issue 26, defect 3): the standing
    # level, whether an unreviewed flag is urgent, and the date of the oldest unreviewed
    # flag (its days waiting depend on today, so they are counted when the row is shown).
    risk_level: str | None = None
    urgent: bool = False
    oldest_flag: dt.date | None = None

    def oldest_flag_days(self, today: dt.date) -> int | None:
        return None if self.oldest_flag is None else max(0, (today - self.oldest_flag).days)

    def risk_cell(self, today: dt.date) -> str:
        """The Flags cell: 'HIGH', the count, 'URGENT' and the oldest flag's wait ('0',
        '2 9d', 'HIGH 1 URGENT 3d')."""
        parts = ["HIGH"] if self.risk_level == "high" else []
        parts.append(str(self.unreviewed_flags))
        if self.urgent:
            parts.append("URGENT")
        days = self.oldest_flag_days(today)
        if days is not None:
            parts.append(f"{days}d")
        return " ".join(parts)

    @property
    def at_risk(self) -> bool:
        """A row to colour: an unreviewed flag or a high standing level."""
        return bool(self.unreviewed_flags) or self.risk_level == "high"

    def is_overdue(self, today: dt.date) -> bool:
        return self.next_date is not None and self.next_date < today

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
            self.risk_level,
            self.urgent,
            self.oldest_flag.isoformat() if self.oldest_flag else None,
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
            risk_level,
            urgent,
            oldest_flag,
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
            risk_level,
            bool(urgent),
            dt.date.fromisoformat(oldest_flag) if oldest_flag else None,
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
    "risk_level",
    "urgent",
    "oldest_flag",
)


def sort_rows(rows: list[CourseRow]) -> list[CourseRow]:
    """Soonest next session first; completed courses, then damaged files, last."""
    return sorted(
        rows,
        key=lambda r: (
            r.damaged is not None,
            r.next_date is None,
            r.next_date or dt.date.max,
            r.course_id,
        ),
    )


def list_json(rows: list[CourseRow], today: dt.date) -> list[dict[str, Any]]:
    return [row_json(row, today) for row in rows]


def row_json(row: CourseRow, today: dt.date) -> dict[str, Any]:
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
        "high_risk": row.risk_level == "high",
        "urgent": row.urgent,
        "oldest_flag_days": row.oldest_flag_days(today),
        "alerts": list(row.alerts),
    }
