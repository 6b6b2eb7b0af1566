"""The initial phase as data: suggesting a problem area, drafting a formulation, and reading
a whole assessment document (`ipt new-course --from`) into a course."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ipt_cli.core import catalogue
from ipt_cli.core.changes import course_document
from ipt_cli.core.models import Course, Person, TimelineEvent
from ipt_cli.core.planning import phase_problem
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import DataError

DEATH_WORDS = re.compile(r"\b(died|dies|death|dead|passed away|bereave\w*|funeral)\b", re.I)
NOT_IN_ASSESSMENT = (
    "schema_version",
    "id",
    "created",
    "sessions",
    "missed",
    "contract_changes",
    "maintenance",
)


def suggest_area(inventory: list[Person], timeline: list[TimelineEvent]) -> tuple[str, str]:
    """(area id, reason): a death -> grief; a conflict -> role dispute; a recent change ->
    role transition; interpersonal deficits only when nothing else fits."""
    for event in timeline:
        if DEATH_WORDS.search(event.event):
            return "grief", f"a death on the timeline ({event.when})"
    lost = [p.name for p in inventory if "lost" in p.tags]
    if lost:
        return "grief", f"a person lost: {lost[0]}"
    conflict = [p.name for p in inventory if "conflict" in p.tags]
    if conflict:
        return "role-dispute", f"a conflict with {conflict[0]}"
    changed = [p.name for p in inventory if "recent-change" in p.tags]
    if changed or timeline:
        where = (
            f"a recent change with {changed[0]}"
            if changed
            else f"a life change on the timeline ({timeline[-1].event})"
        )
        return "role-transition", where
    return "interpersonal-deficits", "no death, dispute or life change was found"


def onset_event(
    timeline: list[TimelineEvent], start: dt.date, today: dt.date, area: str | None = None
) -> TimelineEvent | None:
    """The life event nearest before the course start (and not after today): the likely
    onset. A later event, or one still planned, is never taken as the onset. For grief the
    onset is linked to the death (ipt-domain.md section 2: "Link the onset to the death"),
    even a long-past one: the latest death on the timeline before the start, when there is
    one, not a later event such as a return to work."""
    cutoff = min(start, today + dt.timedelta(days=1))
    before = [event for event in timeline if event.date < cutoff]
    if area == "grief":
        deaths = [event for event in before if DEATH_WORDS.search(event.event)]
        before = deaths or before
    return max(before, key=lambda e: e.date) if before else None


def draft_formulation(
    areas: list[str],
    inventory: list[Person],
    timeline: list[TimelineEvent],
    start: dt.date,
    today: dt.date,
) -> str:
    """A first draft linking the episode to the problem area, for the clinician to edit."""
    primary = catalogue.PROBLEM_AREAS[areas[0]]
    event = onset_event(timeline, start, today, areas[0])
    onset = (
        f" It seems to have started around this event: {event.event} ({event.when})."
        if event
        else ""
    )
    key_people = [p.name for p in inventory if p.ring == 1 or p.tags][:3]
    named = ", ".join(key_people[:-1]) + " and " + key_people[-1] if key_people else ""
    if len(key_people) == 1:
        people = f" The person who matters most here is {key_people[0]}."
    else:
        people = f" The people who matter most here are {named}." if key_people else ""
    goals = "; ".join(g.text.lower() for g in primary.goals)
    secondary = ""
    if len(areas) > 1:
        secondary = f" We will also keep {catalogue.PROBLEM_AREAS[areas[1]].in_words} in view."
    return (
        f"You have been depressed, an illness that is treatable and not your fault.{onset}"
        f"{people} We understand your depression as linked to "
        f"{primary.in_words}. In our sessions we will work on this: {goals}."
        f"{secondary} As things change between you and others, we expect your mood to lift."
    )


def course_from_assessment(
    document: dict[str, Any],
    path: Path,
    course_id: str,
    now: dt.datetime,
    today: dt.date,
    overrides: dict[str, Any],
) -> Course:
    """Build the course from an assessment file's document (read from `path`, which errors
    name); flags in `overrides` win."""
    refused = [key for key in NOT_IN_ASSESSMENT if key in document]
    if refused:
        raise DataError(path, [f"{key}: not allowed in an assessment file" for key in refused])
    merged = course_document(course_id, {**document, **overrides}, now, today)
    try:
        course = Course.model_validate(merged)
    except ValidationError as error:
        raise DataError(path, describe_validation(error)) from None
    problem = stored_phase_problem(course)
    if problem:
        raise DataError(path, [problem])
    return course


def stored_phase_problem(course: Course) -> str | None:
    """Why a course's stored phase overrides leave no middle phase (named as its fields)."""
    return phase_problem(
        course.planned_sessions,
        course.initial_sessions,
        course.termination_sessions,
        ("initial_sessions", "termination_sessions"),
    )
