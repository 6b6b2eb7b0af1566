"""Interactive entry of a session, following that week's agenda. Nothing is saved until the
user confirms the one-screen summary.

The questions and what frames them are drawn on the stdout console the prompts ask on
(`Output.console`); everything said to the person beyond them (a safety notice, a screen's
alert, why an answer was refused) goes out through the command's `Output`, the one seam."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.panel import Panel

from ipt_cli.core import catalogue, dates, inputs, measures
from ipt_cli.core.changes import MAX_EPISODES, given_on, parse_edeq_global
from ipt_cli.core.models import (
    ITEM_RECORDS,
    TOTAL_RECORDS,
    Bdi2,
    Course,
    ItemScores,
    Phq9,
    SessionRecord,
    TotalScore,
    check_attendee,
)
from ipt_cli.core.planning import (
    current_dispute_stage,
    current_strategies,
    guardian_sessions,
    in_maintenance,
    instruments_used,
    latest_rating,
    next_agenda,
)
from ipt_cli.core.safety import SafetyNotice, SittingRef, lifetime_yes_on_record, risk_label
from ipt_cli.core.session_dates import check_bounds, same_day_clash
from ipt_cli.errors import InputError, Interrupted
from ipt_cli.interact import prompts
from ipt_cli.views.console import FoldingTable, out
from ipt_cli.views.output import Output
from ipt_cli.views.terminal import agenda_view


def _pick_many(question: str, choices: dict[str, str]) -> list[str]:
    """Comma-separated ids or numbers from `choices` (id: description, each printed once
    with its description); blank for none."""
    prompts.show_choices(list(choices), choices)

    ids = list(choices)

    def parse(text: str) -> list[str]:
        picked = []
        for part in (p.strip() for p in text.replace(",", " ").split()):
            if part.isdigit() and 1 <= int(part) <= len(ids):
                picked.append(ids[int(part) - 1])
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


class Scorer:
    """Asks one instrument's items in their published order (1 to the last), shows the
    safety notice as soon as a risk item is scored, and the total and band at the end."""

    def __init__(
        self,
        rules: measures.ScoringRules,
        self_guided: bool,
        output: Output,
        on_record: dict[tuple[str, str], SittingRef] | None = None,
    ) -> None:
        self.rules = rules
        self.self_guided = self_guided
        self.output = output
        # the last "yes" on record to each lifetime question (safety.lifetime_yes_on_record)
        self.on_record = on_record or {}

    def _risk(self, instrument: measures.Instrument, number: int, score: int) -> None:
        """The safety notice as soon as a risk item is scored >= 1, or a yes/no risk
        question (numbered after the items) is answered yes."""
        risky = number == instrument.risk_item or instrument.risk_question(number) is not None
        if risky and score >= 1:
            self.output.safety(
                SafetyNotice((risk_label(instrument.id, number, score),)), self.self_guided
            )

    def _total(self, instrument: measures.Instrument, total: int) -> None:
        band = measures.severity(total, self.rules.bands(instrument))
        if band is None:
            band = measures.screen(instrument, total, self.rules.cutoff_of(instrument))
        shown = f": {band}" if band else ""
        out().print(f"{instrument.name} total {total} of {instrument.total_max}{shown}")
        if instrument.alert and instrument.cutoff is not None and total >= instrument.cutoff:
            self.output.notice(f"{instrument.alert}: {instrument.alert_advice}", style="bold red")

    def items(self, instrument: measures.Instrument) -> list[int]:
        """Each item alone or the rest at once as a comma list (issue 27, item 4); a risk
        item's notice still shows as soon as its score is known."""
        items = prompts.ask_item_scores(
            instrument, lambda number, score: self._risk(instrument, number, score), ranges=True
        )
        self._total(instrument, sum(items))
        return items

    def phq9(self) -> Phq9:
        out().print(measures.TWO_WEEK_STEM)
        scale = ", ".join(f"{n} = {t}" for n, t in enumerate(measures.ANSWER_SCALE))
        out().print(f"Answers: {scale}")
        items = self.items(measures.PHQ9)
        difficulty = None
        if sum(items):  # the form asks it of those who checked off any problem
            difficulty = prompts.ask_int(
                measures.PHQ9_DIFFICULTY_QUESTION
                + " ("
                + ", ".join(f"{n} = {t}" for n, t in enumerate(measures.DIFFICULTY_SCALE))
                + ")",
                0,
                3,
            )
        return Phq9(items=items, difficulty=difficulty)

    def gad7(self) -> ItemScores:
        out().print(measures.TWO_WEEK_STEM)
        scale = ", ".join(f"{n} = {t}" for n, t in enumerate(measures.ANSWER_SCALE))
        out().print(f"Answers: {scale}")
        return ITEM_RECORDS["gad7"](items=self.items(measures.GAD7))

    def hamd17(self) -> ItemScores:
        out().print("HAM-D-17, rated by the clinician for the past week (items 0-4 or 0-2).")
        return ITEM_RECORDS["hamd17"](items=self.items(measures.HAMD17))

    def bdi2(self) -> Bdi2:
        out().print("BDI-II (copyrighted): enter the total from the form, then item 9.")
        total = prompts.ask_int("BDI-II total (0-63)", 0, 63)
        top = min(3, total)  # item 9 is part of the total
        item9 = prompts.ask_int(f"BDI-II item 9, suicidal thoughts (0-{top})", 0, top)
        self._risk(measures.BDI2, 9, item9)
        self._total(measures.BDI2, total)
        return Bdi2(total=total, item9=item9)

    def pcl5(self) -> ItemScores:
        out().print(measures.PCL5_STEM)
        scale = ", ".join(f"{n} = {t}" for n, t in enumerate(measures.PCL5_SCALE))
        out().print(f"Answers: {scale}")
        return ITEM_RECORDS["pcl5"](items=self.items(measures.PCL5))

    def totalled(self, instrument: measures.Instrument) -> TotalScore:
        """An instrument kept as its total only (the Mini-SPIN, the LSAS-SR), from its
        definition alone."""
        copyrighted = " (copyrighted)" if instrument.copyrighted else ""
        out().print(f"{instrument.name}{copyrighted}: enter the total from the form.")
        top = instrument.total_max
        total = prompts.ask_int(f"{instrument.name} total (0-{top})", 0, top)
        self._total(instrument, total)
        return TOTAL_RECORDS[instrument.id](total=total)

    def given(self, instrument: measures.Instrument) -> ItemScores | TotalScore:
        """Any instrument: those with prompts of their own (the PHQ-9's difficulty, the
        BDI-II's item 9, the stems of the PHQ-9, GAD-7, HAM-D-17 and PCL-5), the others
        from their definition."""
        asks: dict[str, Callable[[], ItemScores | TotalScore]] = {
            "phq9": self.phq9,
            "gad7": self.gad7,
            "hamd17": self.hamd17,
            "bdi2": self.bdi2,
            "pcl5": self.pcl5,
        }
        own = asks.get(instrument.id)
        if own is not None:
            return own()
        return self.scored(instrument) if instrument.item_count else self.totalled(instrument)

    def scored(self, instrument: measures.Instrument) -> ItemScores:
        """An instrument kept as its items, from its definition alone: its period, answer
        scale and source line, then each item in order (the EPDS, the ASRM)."""
        if instrument.stem:
            out().print(instrument.stem)
        if instrument.scale:
            out().print(
                "Answers: " + ", ".join(f"{n} = {t}" for n, t in enumerate(instrument.scale))
            )
        items = self.items(instrument)
        answers: dict[str, bool] = {}
        for number, question in enumerate(instrument.risk_questions, instrument.item_count + 1):
            earlier = self.on_record.get((instrument.id, question.field))
            if earlier is not None:  # said before the answer, while the client is there
                out().print(
                    f"On record: {question.label} = yes at {earlier.where} "
                    f"({earlier.date.isoformat()}); a lifetime answer does not change."
                )
            answer = prompts.ask_choice(
                f"{instrument.name}: {question.question} (skip: not asked)",
                ["yes", "no", "skip"],
            )
            if answer != "skip":
                answers[question.field] = answer == "yes"
                self._risk(instrument, number, int(answer == "yes"))
            if answer == "no" and earlier is not None:
                self.output.notice(
                    f'"No" contradicts the "yes" at {earlier.where}: both are kept and the '
                    'earlier "yes" stands. Ask the client now which is right.',
                    style="bold red",
                )
        record = ITEM_RECORDS[instrument.id](items=items, **answers)
        if instrument.attribution:
            out().print(instrument.attribution, style="dim")
        return record


def eating_counts() -> dict[str, Any]:
    """The eating-disorder self-monitoring counts since the last session (blank skips)."""
    given: dict[str, Any] = {}
    binges = _optional_int("Objective binge episodes since the last session", MAX_EPISODES)
    compensatory = _optional_int(
        "Compensatory behaviours since the last session (vomiting, laxatives, fasting, "
        "driven exercise)",
        MAX_EPISODES,
    )
    edeq = prompts.ask(
        "EDE-Q global score (0-6, e.g. 2.75; blank to skip)",
        lambda text: parse_edeq_global(text) if text.strip() else None,
        default="",
    )
    for name, value in (("binges", binges), ("compensatory", compensatory), ("edeq_global", edeq)):
        if value is not None:
            given[name] = value
    return given


def _measures(scorer: Scorer, course: Course, date: dt.date) -> dict[str, Any]:
    """Each instrument the course uses or its condition offers, if the clinician gives it
    now; not one already given that day (the baseline's day: one sitting, one score). An
    eating-disorder course asks for the week's counts first."""
    already = given_on(course, date)
    given: dict[str, Any] = eating_counts() if course.condition == "eating-disorder" else {}
    for instrument in instruments_used(course):
        name = measures.INSTRUMENTS[instrument].name
        if instrument in already:
            out().print(f"{name} already given on {date.isoformat()} ({already[instrument]}).")
        elif prompts.confirm(f"Give the {name} now?", default=True):
            given[instrument] = scorer.given(measures.INSTRUMENTS[instrument])
    if {"phq9", "gad7"} & set(given):
        out().print(measures.PHQ_ATTRIBUTION, style="dim")
    return given


def _date(
    output: Output,
    course: Course,
    today: dt.date,
    given: dt.date | None = None,
    same_day: bool = False,
) -> tuple[dt.date, bool]:
    """The session's date, checked as `--date` is; a second sitting on a day that already
    has one is asked about. Returns (date, same day intended). A date given as `--date`
    (checked by the caller) is not asked again, nor, with `--same-day`, its clash."""
    while True:
        if given is not None:
            date, given = given, None
            out().print(f"Date: {date.isoformat()} (--date)")
        else:
            date = prompts.ask("Date", dates.parse_date, today.isoformat())
        try:
            check_bounds(course, date, today, "date")
        except InputError as error:
            output.notice(error.message, style="red")
            continue
        clash = same_day_clash(course, date)
        if clash is None or same_day:
            return date, same_day and clash is not None
        if prompts.confirm(
            f"{clash.capitalize()} is already recorded on {date.isoformat()}. Record another "
            "sitting that day?",
            default=False,
        ):
            return date, True


def _last_held(course: Course) -> SessionRecord | None:
    held = course.maintenance.sessions if in_maintenance(course) and course.maintenance else []
    held = held or course.sessions
    return held[-1] if held else None


def _attendees(course: Course, number: int) -> list[str]:
    """Who attended, asked of every session (the report's attendance table lists the
    sessions that recorded it); a session where a guardian is planned offers them too."""
    default = "client, guardian" if number in guardian_sessions(course) else "client"

    def parse(text: str) -> list[str]:
        found = [p.strip() for p in text.split(",") if p.strip()]
        try:
            checked = [check_attendee(p) for p in found]
        except ValueError as error:
            raise InputError(str(error)) from None
        return list(dict.fromkeys(checked))

    return prompts.ask(
        "Who attended (client, guardian, partner, interpreter, other:NAME; comma-separated)",
        parse,
        default=default,
    )


def ask_session(
    course: Course,
    today: dt.date,
    rules: measures.ScoringRules,
    root: Path,
    *,
    output: Output,
    date: dt.date | None = None,
    same_day: bool = False,
) -> dict[str, Any]:
    """Prompt for one session; return the keyword arguments of changes.session_record, with
    `date` and `same_day`. `date` and `same_day` are what the options already said; `output`
    is the command's, through which notices are said."""
    agenda = next_agenda(course, today)  # with the course's risk state (core/risk.py)
    out().print(  # the banner and every unreviewed flag first, then the whole agenda
        agenda_view(agenda, course.kind == "self-guided")
    )
    last = _last_held(course)
    answers: dict[str, Any] = {}
    answers["date"], answers["same_day"] = _date(output, course, today, date, same_day)
    answers["attendees"] = _attendees(course, course.sessions_used + 1)
    on_record = lifetime_yes_on_record(course, answers["date"])
    scorer = Scorer(rules, course.kind == "self-guided", output, on_record)
    answers["measure_options"] = _measures(scorer, course, answers["date"])
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
    answers["techniques"] = _pick_many(
        "Techniques used", {t.id: t.text for t in catalogue.TECHNIQUES.values()}
    )
    answers["strategies"] = _pick_many(
        "Strategies covered", {s.id: s.text for s in current_strategies(course)}
    )
    answers["goal_ratings"] = _goal_ratings(course)
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
        # lazy: keeps interact.editor_command (14 modules) off start-up
        from ipt_cli.interact.editor_command import edit_text

        note = edit_text("", root=root).strip()  # root: the data folder holds the copy
    answers["note"] = note or None
    _summary(answers, rules)
    if not prompts.confirm("Save this session?", default=True):
        raise Interrupted("nothing was saved, as you asked")
    return answers


def _goal_ratings(course: Course) -> list[tuple[str, int]]:
    week = len(course.sessions) + 1
    ratings = []
    for goal in course.goals:
        if goal.retired is not None:
            continue  # kept in the record, no longer rated
        last_rating = latest_rating(course, goal.id, week)
        rating = _optional_int(f"Progress on '{goal.text}'", 10, last_rating)
        if rating is not None:
            ratings.append((goal.id, rating))
    return ratings


COUNT_NAMES = {
    "binges": "Binge episodes",
    "compensatory": "Compensatory",
    "edeq_global": "EDE-Q global",
}


def _measure_line(instrument_id: str, given: Any, rules: measures.ScoringRules) -> str:
    if instrument_id in COUNT_NAMES:
        return f"{given:.2f}" if isinstance(given, float) else str(given)
    instrument = measures.INSTRUMENTS[instrument_id]
    totals_only = isinstance(given, TotalScore)
    total = given.total if totals_only else sum(given.items)
    band = measures.severity(total, rules.bands(instrument))
    line = f"{total}" + (f" ({band})" if band else "")
    if instrument.risk_item:
        number = instrument.risk_item
        risk = getattr(given, f"item{number}") if totals_only else given.items[number - 1]
        line += f", item {instrument.risk_item} = {risk}"
    for question in instrument.risk_questions:  # the PHQ-A's suicide questions
        answer = getattr(given, question.field)
        if answer is not None:
            line += f", {question.label} = {'yes' if answer else 'no'}"
    return line


def _summary(answers: dict[str, Any], rules: measures.ScoringRules) -> None:
    table = FoldingTable.grid(padding=(0, 2))
    given = answers["measure_options"]
    rows = [("Date", answers["date"].isoformat())]
    rows += [
        (
            COUNT_NAMES[key] if key in COUNT_NAMES else measures.INSTRUMENTS[key].name,
            _measure_line(key, value, rules),
        )
        for key, value in given.items()
    ] or [("Measures", "-")]
    rows += [
        ("Mood", "-" if answers["mood"] is None else str(answers["mood"])),
        ("Focus", answers["focus"]),
        ("Techniques", ", ".join(answers["techniques"]) or "-"),
        ("Strategies", ", ".join(answers["strategies"]) or "-"),
        ("Goals", ", ".join(f"{g}={r}" for g, r in answers["goal_ratings"]) or "-"),
        ("Task", answers["task"] or "-"),
        ("Note", "yes" if answers["note"] else "-"),
        *([("Attended", ", ".join(answers["attendees"]))] if answers.get("attendees") else []),
    ]
    for label, value in rows:
        table.add_row(label, value)
    out().print(Panel(table, title="Session summary"))
