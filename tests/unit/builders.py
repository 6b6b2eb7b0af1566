"""Courses built in memory for the unit tests: no store, no CLI, no clock.

Scores are given as totals and spread over the items here, so a test reads as the report
does ("PHQ-9 of 12, item 9 = 1") rather than as nine item scores.

Every course built here keeps the record's rules (schema 2): one score of an instrument per
sitting, risk reviews as a history. `scored` takes its intake score at an assessment a week
before session 1 (INTAKE), so that session 1 is a second sitting; `full_course` takes it at
session 1's sitting, as `ipt new-course` does, and gives only other instruments there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from ipt_cli.core.measures import GAD7, HAMD17, PHQ9, Instrument
from ipt_cli.core.models import (
    SCHEMA_VERSION,
    Addendum,
    Baseline,
    Bdi2,
    ContractChange,
    Course,
    Ending,
    Formulation,
    Gad7,
    Goal,
    Hamd17,
    Maintenance,
    MissedAppointment,
    Person,
    Phq9,
    RiskReview,
    SessionRecord,
    SickRole,
    TimelineEvent,
)

START = dt.date(2026, 1, 5)  # a Monday
INTAKE = START - dt.timedelta(weeks=1)  # the assessment sitting of `scored`, before session 1
TODAY = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=dt.UTC)
MARKER = "SECRET-MARKER-7f3a"  # planted in free text; must never reach an error message


def spread(total: int, maxima: Sequence[int]) -> list[int]:
    """Item scores that sum to `total`, filling the items in order."""
    if not 0 <= total <= sum(maxima):
        raise ValueError(f"total {total} does not fit items {maxima}")
    items = []
    for top in maxima:
        score = min(top, total)
        items.append(score)
        total -= score
    return items


def _with_risk(instrument: Instrument, total: int, risk: int) -> list[int]:
    assert instrument.risk_item is not None
    index = instrument.risk_item - 1
    others = [top for n, top in enumerate(instrument.item_max) if n != index]
    items = spread(total - risk, others)
    items.insert(index, risk)
    return items


def phq9(total: int, item9: int | None = None, difficulty: int | None = None) -> Phq9:
    """Item 9 (the risk item) is 0 unless given, or unless the total needs it (25-27)."""
    risk = max(0, total - 24) if item9 is None else item9
    return Phq9(items=_with_risk(PHQ9, total, risk), difficulty=difficulty)


def gad7(total: int) -> Gad7:
    return Gad7(items=spread(total, GAD7.item_max))


def hamd17(total: int, item3: int | None = None) -> Hamd17:
    """Item 3 (suicide) is 0 unless given, or unless the total needs it (49-52)."""
    risk = max(0, total - 48) if item3 is None else item3
    return Hamd17(items=_with_risk(HAMD17, total, risk))


def bdi2(total: int, item9: int = 0) -> Bdi2:
    return Bdi2(total=total, item9=item9)


def week(n: int, start: dt.date = START) -> dt.date:
    """The date of weekly session `n` (1-based) from `start`."""
    return start + dt.timedelta(weeks=n - 1)


def session(date: dt.date, **fields: Any) -> SessionRecord:
    return SessionRecord.model_validate({"date": date, **fields})


def sessions(count: int, start: dt.date = START, **fields: Any) -> list[SessionRecord]:
    """`count` weekly sessions from `start`, each with the same fields."""
    return [session(week(n, start), **fields) for n in range(1, count + 1)]


def course(*, planned: int = 16, areas: Sequence[str] = ("grief",), **fields: Any) -> Course:
    """A valid course; any stored field may be given (models or plain values)."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": "ab",
        "client": "A.B.",
        "created": dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        "start_date": START,
        "planned_sessions": planned,
        "cadence": "weekly",
        "kind": "clinician-led",
        "problem_areas": list(areas),
        **fields,
    }
    return Course.model_validate(document)


def held(count: int, *, planned: int = 16, **fields: Any) -> Course:
    """A course with `count` plain weekly sessions held."""
    return course(planned=planned, sessions=sessions(count), **fields)


def scored(
    totals: Sequence[int | None],
    *,
    measure: str = "phq9",
    baseline: int | None = None,
    planned: int = 16,
) -> Course:
    """A course whose sessions score `measure` with these totals (None: not given that week),
    and whose baseline, when given, was scored at INTAKE: every score is a sitting of its own."""
    makers: dict[str, Callable[[int], Phq9 | Gad7 | Hamd17 | Bdi2]] = {
        "phq9": phq9,
        "gad7": gad7,
        "hamd17": hamd17,
        "bdi2": bdi2,
    }
    make = makers[measure]
    held_sessions = [
        session(week(n), **({} if total is None else {measure: make(total)}))
        for n, total in enumerate(totals, 1)
    ]
    fields: dict[str, Any] = {"sessions": held_sessions}
    if baseline is not None:
        fields["baseline"] = Baseline.model_validate({"date": INTAKE, measure: make(baseline)})
    return course(planned=max(planned, len(held_sessions)), **fields)


def full_course() -> Course:
    """A completed 8-session course in maintenance, with one of every kind of record.

    The intake PHQ-9 (20, item 9 = 1, reviewed twice) is taken at session 1's sitting, which
    adds the GAD-7 (its first rating). The HAM-D-17 is first rated at session 2 (item 3 = 3,
    URGENT, unreviewed) and again at session 8; the BDI-II is rated once in the acute course
    (one score: no outcome). The acute PHQ-9 ends at 6 (a reliable recovery); in maintenance
    it is 5, then 12 (a relapse: a case again and +6 from the end of the acute course), with
    a BDI-II item 9 = 1 flag.

    Notes, events and addenda carry MARKER: they are private and stay out of reports.
    """
    goals = [
        Goal(id="mourn", text="Mourn the loss | fully", area="grief"),
        Goal(id="talk", text="Talk with a sister", area="role-dispute"),
    ]
    acute = [
        session(
            week(1),  # the baseline's sitting: the PHQ-9 was given there, so not again
            gad7=gad7(12),
            mood=3,
            events=f"events {MARKER}",
            focus="grief",
            techniques=["exploration", "clarification"],
            strategies=["grief-link-onset"],
            goal_ratings={"mourn": 2},
            task="Visit the grave",
            note=f"note {MARKER}",
            addenda=[Addendum(date=week(2), text=f"addendum {MARKER}")],
        ),
        session(
            week(2),
            phq9=phq9(15),
            hamd17=hamd17(20, item3=3),
            techniques=["exploration"],
            goal_ratings={"mourn": 4, "talk": 1},
            dispute_stage="renegotiation",
            task_outcome="Went with a friend",
            task="Call the sister",
        ),
        *[session(week(n), phq9=phq9(14 - n)) for n in range(3, 8)],
        session(
            week(8),
            phq9=phq9(6),
            gad7=gad7(4),
            hamd17=hamd17(7),
            bdi2=bdi2(12),
            goal_ratings={"mourn": 7},
            task_outcome="Called twice",
        ),
    ]
    maintenance = Maintenance(
        opened=week(8),
        start_date=week(8) + dt.timedelta(days=28),
        planned_sessions=12,
        cadence="monthly",
        sessions=[
            session(week(8) + dt.timedelta(days=28), phq9=phq9(5)),
            session(week(8) + dt.timedelta(days=56), phq9=phq9(12), bdi2=bdi2(15, item9=1)),
        ],
    )
    return course(
        planned=8,
        areas=("grief", "role-dispute"),
        dispute_stage="impasse",
        sick_role=SickRole(given=True, note="Two weeks off"),
        medication="Sertraline 50 mg",
        inventory=[
            Person(name="Sam", relationship="sister", ring=1, tags=["conflict"]),
            Person(
                name="Jo",
                relationship="friend",
                ring=2,
                contact="weekly",
                satisfying="listens",
                unsatisfying="far away",
                expectations_met=True,
                changes_wanted="meet more",
                tags=["support"],
            ),
        ],
        timeline=[TimelineEvent(date=dt.date(2025, 11, 2), event="Mother died", mood="low")],
        formulation=Formulation(text="Low since the loss.", date=START, agreed=True),
        goals=goals,
        baseline=Baseline(
            date=START,
            phq9=phq9(20, item9=1, difficulty=2),
            risk_reviews=[
                RiskReview(date=START, note="Passive thoughts", plan="Safety plan", by="Dr K."),
                RiskReview(date=week(3), note="No thoughts since"),
            ],
        ),
        sessions=acute,
        missed=[MissedAppointment(date=dt.date(2026, 1, 14), reason="Ill")],
        contract_changes=[
            ContractChange(date=week(3), old=12, new=8, reason="Moving away | early")
        ],
        maintenance=maintenance,
        ending=Ending(
            warning_signs=["Sleeping badly", "Avoiding friends"],
            feelings_discussed=True,
            remaining_issues="The sister",
            decision="maintenance",
            decision_note="Monthly for a year.",
        ),
        archived=None,
    )


def dump(course: Course) -> dict[str, Any]:
    return course.model_dump(mode="json")


def changed_fields(before: dict[str, Any], course: Course) -> set[str]:
    """The top-level fields of `course` that differ from the `before` dump."""
    after = dump(course)
    return {key for key in after.keys() | before.keys() if after.get(key) != before.get(key)}
