"""Interactive entry of a session, following that week's agenda. Nothing is saved until the
user confirms the one-screen summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.panel import Panel
from rich.table import Table

from ipt_cli.core import catalogue, dates, inputs, measures
from ipt_cli.core.changes import given_on
from ipt_cli.core.models import Course, Phq9
from ipt_cli.core.planning import (
    build_agenda,
    current_dispute_stage,
    latest_rating,
    scheduled_date,
)
from ipt_cli.errors import InputError, Interrupted
from ipt_cli.interact import prompts
from ipt_cli.views.console import out
from ipt_cli.views.terminal import safety_notice


def _pick_many(question: str, choices: list[str]) -> list[str]:
    """Comma-separated ids or numbers from `choices`; blank for none."""
    for number, choice in enumerate(choices, 1):
        out().print(f"  {number}. {choice}")

    def parse(text: str) -> list[str]:
        picked = []
        for part in (p.strip() for p in text.replace(",", " ").split()):
            if part.isdigit() and 1 <= int(part) <= len(choices):
                picked.append(choices[int(part) - 1])
            elif part in choices:
                picked.append(part)
            else:
                raise InputError(f"{part!r} is not one of the numbers or ids above")
        return list(dict.fromkeys(picked))

    return prompts.ask(question + " (numbers or ids, blank for none)", parse, default="")


def _optional_int(question: str, top: int, last: int | None = None) -> int | None:
    hint = f"0-{top}" + (f", last {last}" if last is not None else "") + ", blank to skip"

    def parse(text: str) -> int | None:
        if not text.strip():
            return None
        return inputs.parse_in_range(_whole(text), question, top)

    return prompts.ask(f"{question} ({hint})", parse, default="")


def _whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InputError("enter a whole number") from None


def _phq9(self_guided: bool) -> dict[str, Any]:
    out().print(measures.TWO_WEEK_STEM)
    out().print("Answers: " + ", ".join(f"{n} = {t}" for n, t in enumerate(measures.ANSWER_SCALE)))
    # The risk item first, as the agenda asks.
    risk = prompts.ask_int(f"PHQ-9 9. {measures.PHQ9.item_labels[8]}", 0, 3)
    if risk >= 1:
        safety_notice([f"PHQ-9 item 9 = {risk}"], self_guided)
    items = [
        prompts.ask_int(f"PHQ-9 {n}. {label}", 0, 3)
        for n, label in enumerate(measures.PHQ9.item_labels[:8], 1)
    ]
    return {"phq9": Phq9(items=items + [risk])}


def ask_session(course: Course, today: dt.date) -> dict[str, Any]:
    """Prompt for one session; return the keyword arguments of actions.session_record."""
    week = min(len(course.sessions) + 1, course.planned_sessions)
    agenda = build_agenda(course, week, scheduled_date(course, week))
    out().print(
        Panel(
            "\n".join(f"- {item}" for item in agenda.items[:8]),
            title=f"{course.id}: {agenda.count} ({agenda.phase})",
        )
    )
    last = course.sessions[-1] if course.sessions else None
    answers: dict[str, Any] = {}
    answers["date"] = prompts.ask("Date", dates.parse_date, today.isoformat())
    measure_fields: dict[str, Any] = {}
    given = given_on(course, answers["date"])
    if "phq9" in given:  # the baseline's day: one sitting, one score
        out().print(f"PHQ-9 already given on {answers['date'].isoformat()} ({given['phq9']}).")
    elif prompts.confirm("Give the PHQ-9 now?", default=True):
        measure_fields = _phq9(course.kind == "self-guided")
    answers["measure_options"] = measure_fields
    answers["mood"] = _optional_int("Mood", 10, last.mood if last else None)
    answers["events"] = (
        prompts.ask_text("Mood and events since the last session", default="", required=False)
        or None
    )
    if last and last.task:
        answers["task_outcome"] = (
            prompts.ask_text(
                f"How did last session's task go? ({last.task})", default="", required=False
            )
            or None
        )
    areas: list[str] = list(course.problem_areas)
    answers["focus"] = (
        areas[0]
        if len(areas) == 1
        else prompts.ask_choice("Problem area worked on", areas, default=areas[0])
    )
    answers["techniques"] = _pick_many("Techniques used", list(catalogue.TECHNIQUES))
    strategies = [s.id for a in areas for s in catalogue.PROBLEM_AREAS[a].strategies]
    answers["strategies"] = _pick_many("Strategies covered", strategies)
    goal_ratings = []
    for goal in course.goals:
        last_rating = latest_rating(course, goal.id, week)
        rating = _optional_int(f"Progress on '{goal.text}'", 10, last_rating)
        if rating is not None:
            goal_ratings.append((goal.id, rating))
    answers["goal_ratings"] = goal_ratings
    if "role-dispute" in areas:
        answers["dispute_stage"] = prompts.ask_choice(
            "Stage of the dispute now",
            list(catalogue.DISPUTE_STAGES),
            default=current_dispute_stage(course) or "renegotiation",
        )
    answers["task"] = (
        prompts.ask_text("Task until next session", default="", required=False) or None
    )
    note = prompts.ask_text(
        "Note (blank for none, 'e' for your editor)", default="", required=False
    )
    if note == "e":
        from ipt_cli.interact.editor_command import edit_text

        note = edit_text("").strip()
    answers["note"] = note or None
    _summary(answers)
    if not prompts.confirm("Save this session?", default=True):
        raise Interrupted("nothing was saved, as you asked")
    return answers


def _summary(answers: dict[str, Any]) -> None:
    table = Table.grid(padding=(0, 2))
    phq9 = answers["measure_options"].get("phq9")
    rows = [
        ("Date", answers["date"].isoformat()),
        ("PHQ-9", f"{sum(phq9.items)} (item 9 = {phq9.items[8]})" if phq9 else "-"),
        ("Mood", "-" if answers["mood"] is None else str(answers["mood"])),
        ("Focus", answers["focus"]),
        ("Techniques", ", ".join(answers["techniques"]) or "-"),
        ("Strategies", ", ".join(answers["strategies"]) or "-"),
        ("Goals", ", ".join(f"{g}={r}" for g, r in answers["goal_ratings"]) or "-"),
        ("Task", answers["task"] or "-"),
        ("Note", "yes" if answers["note"] else "-"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    out().print(Panel(table, title="Session summary"))
