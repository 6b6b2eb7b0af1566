"""The interactive assessment of `ipt new-course` and the prompts of later assessment edits.

Every answer is checked as it is typed and asked again when invalid. Nothing is written
until the user confirms at the end; Ctrl-C or end of input leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.rule import Rule

from ipt_cli.core import catalogue, dates, inputs, measures, vocabulary
from ipt_cli.core.assessment import draft_formulation, suggest_area
from ipt_cli.core.models import Person, TimelineEvent
from ipt_cli.core.planning import contract_dates, phase_problem, phase_spans
from ipt_cli.core.safety import SafetyNotice
from ipt_cli.errors import InputError, Interrupted
from ipt_cli.interact import prompts
from ipt_cli.interact.session import Scorer, eating_counts
from ipt_cli.store.paths import COURSE_ID_PATTERN
from ipt_cli.views.console import out
from ipt_cli.views.output import Output
from ipt_cli.views.terminal import closeness_circle

if TYPE_CHECKING:
    from ipt_cli.interact.session import Scorer

TAG_CHOICES = vocabulary.words(vocabulary.PersonTagId)


def _step(number: int, title: str) -> None:
    out().print(Rule(f"Step {number} of 9: {title}"))


def _optional(question: str) -> str | None:
    return prompts.ask_text(question, default="", required=False) or None


def _date(question: str, default: dt.date | None = None) -> dt.date:
    return prompts.ask(
        question, lambda text: dates.parse_date(text), default.isoformat() if default else None
    )


def _tags(text: str) -> list[str]:
    tags = [t.strip() for t in text.replace(",", " ").split() if t.strip()]
    for tag in tags:
        inputs.check_choice(tag, TAG_CHOICES, "tag")
    return list(dict.fromkeys(tags))


def _yes_no_unknown(text: str) -> bool | None:
    answer = text.strip().lower()
    if answer in ("", "?", "unknown"):
        return None
    if answer in ("y", "yes", "met"):
        return True
    if answer in ("n", "no", "unmet"):
        return False
    raise InputError("answer y, n, or leave it blank")


def ask_person(given: dict[str, Any]) -> dict[str, Any]:
    person = dict(given)
    if "name" not in person:
        person["name"] = prompts.ask_text("Name or alias")
    if "relationship" not in person:
        person["relationship"] = prompts.ask_text(
            "Relationship (e.g. sister, partner)", required=False, default=""
        )
    if "ring" not in person:
        person["ring"] = prompts.ask_int("Closeness ring (1 inner, 2 middle, 3 outer)", 1, 3)
    for key, question in (
        ("contact", "Contact (how often, how)"),
        ("satisfying", "What is satisfying"),
        ("unsatisfying", "What is not"),
        ("changes_wanted", "Changes wanted"),
    ):
        if key not in person:
            person[key] = _optional(question)
    if "expectations_met" not in person:
        person["expectations_met"] = prompts.ask(
            "Expectations met? (y/n, blank if unclear)", _yes_no_unknown, default=""
        )
    if "tags" not in person:
        person["tags"] = prompts.ask(
            f"Tags ({', '.join(TAG_CHOICES)}; blank for none)", _tags, default=""
        )
    return {k: v for k, v in person.items() if v is not None}


def ask_event(date: str | None, event: str | None, mood: str | None) -> TimelineEvent:
    """A life event; its date may be a month alone (YYYY-MM) when the day is not known."""
    if date:
        when, precision = dates.parse_day_or_month(date, "--date")
    else:
        when, precision = prompts.ask(
            "Date of the event (YYYY-MM-DD, or YYYY-MM if only the month is known)",
            dates.parse_day_or_month,
        )
    what = event or prompts.ask_text("What happened")
    feeling = mood if mood is not None else _optional("Mood around it")
    fields = {"date": when, "event": what, "mood": feeling, "precision": precision}
    return TimelineEvent.model_validate({k: v for k, v in fields.items() if v is not None})


def ask_formulation(draft: str, root: Path) -> tuple[str, bool]:
    if not draft:
        return prompts.ask_text("Formulation"), prompts.confirm(
            "Did the client agree with the formulation?", default=True
        )
    out().print(f"\nDraft:\n{draft}\n")
    how = prompts.ask_choice(
        "Use the draft, edit it in your editor, or type a new one?",
        ["use", "edit", "type"],
        default="use",
    )
    text = draft
    if how == "edit":
        # lazy: keeps interact.editor_command (9 modules) off start-up
        from ipt_cli.interact.editor_command import edit_text

        text = edit_text(draft, root=root).strip() or draft
    elif how == "type":
        text = prompts.ask_text("Formulation")
    agreed = prompts.confirm("Did the client agree with the formulation?", default=True)
    return text, agreed


def _ask_instrument(instrument: measures.Instrument, scorer: Scorer) -> list[int]:
    out().print(measures.TWO_WEEK_STEM)
    scale = ", ".join(f"{n} = {label}" for n, label in enumerate(measures.ANSWER_SCALE))
    out().print(f"Answers: {scale}")

    def risk(number: int, score: int) -> None:  # shown as soon as the item is known
        if number == instrument.risk_item and score >= 1:
            scorer.output.safety(
                SafetyNotice((f"{instrument.name} item {number} = {score}",)), scorer.self_guided
            )

    return prompts.ask_item_scores(instrument, risk)


def _adaptation(values: dict[str, Any]) -> str:
    """How IPT is delivered; it sets the defaults asked next. Group members are added
    with `ipt group add`, so the group form is not offered here."""
    if values.get("adaptation"):
        return str(values["adaptation"])
    offered = [a for a in catalogue.ADAPTATIONS.values() if a.id != "group"]
    return prompts.ask_choice(
        "Adaptation",
        [a.id for a in offered],
        default=catalogue.DEFAULT_ADAPTATION,
        described={a.id: a.name for a in offered},
    )


def _guardian(adaptation: str) -> dict[str, Any] | None:
    """IPT-A: the parent or guardian who takes part, and the consent to treatment."""
    if not catalogue.ADAPTATIONS[adaptation].guardian:
        return None
    alias = _optional("Parent or guardian's alias (blank: there is none)")
    consent_by = prompts.ask_text("Consent to treatment given by")
    fields = {"alias": alias, "consent_by": consent_by}
    if alias is None:  # consent without a guardian is recorded with its reason
        fields["consent_reason"] = prompts.ask_text("Why is there no guardian")
    return {k: v for k, v in fields.items() if v}


def _condition(values: dict[str, Any]) -> str:
    """The condition profile, asked first: it decides what the baseline measures."""
    if values.get("condition"):
        return str(values["condition"])
    described: dict[str, str] = {
        p.id: f"{p.name}, primary outcome {p.primary_name}" for p in catalogue.CONDITIONS.values()
    }
    return prompts.ask_choice(
        "Condition", list(catalogue.CONDITIONS), default="depression", described=described
    )


def _profile_baseline(condition: str, scorer: Scorer) -> dict[str, Any]:
    """The baseline of the profile's own measures (the PHQ-9 is asked after, as always),
    each as the session's prompts ask it (Scorer.given)."""
    profile = catalogue.CONDITIONS[condition]
    baseline: dict[str, Any] = {}
    if condition == "eating-disorder":
        out().print("Counts for the week before the assessment:")
        baseline.update(eating_counts())
    for measure in profile.measures:
        if measure == "gad7" and prompts.confirm("Take the GAD-7 baseline now?", default=True):
            baseline["gad7"] = {"items": _ask_instrument(measures.GAD7, scorer)}
        elif measure in measures.INSTRUMENTS and measure not in ("gad7", "phq9"):
            instrument = measures.INSTRUMENTS[measure]
            if prompts.confirm(f"Take the {instrument.name} baseline now?", default=True):
                baseline[measure] = scorer.given(instrument).model_dump()
    return baseline


def _adaptation_baseline(
    measure_ids: tuple[str, ...], values: dict[str, Any], scorer: Scorer
) -> dict[str, Any]:
    """The baseline of an adaptation's own measures (a perinatal course's EPDS, asked
    before the PHQ-9; an IPSRT course's ASRM, after it), each from its definition."""
    given = values.get("baseline_measures") or {}
    baseline: dict[str, Any] = {}
    for measure in measure_ids:
        instrument = measures.INSTRUMENTS[measure]
        if measure in given or not instrument.item_count:
            continue
        if prompts.confirm(f"Take the {instrument.name} baseline now?", default=True):
            baseline[measure] = scorer.scored(instrument).model_dump()
    return baseline


def _symptoms(
    values: dict[str, Any], scorer: Scorer, condition: str, adaptation: str | None = None
) -> dict[str, Any]:
    """Step 2's baseline; `scorer` asks the instruments and says, through the command's
    Output, a risk item's safety notice as soon as it is scored."""
    adapted = catalogue.ADAPTATIONS[adaptation or catalogue.DEFAULT_ADAPTATION]
    lead = adapted.measures
    split = lead.index(adapted.screen) if adapted.screen in lead else len(lead)
    baseline: dict[str, Any] = {}
    if condition != "depression":
        baseline.update(_profile_baseline(condition, scorer))
    baseline.update(_adaptation_baseline(lead[:split], values, scorer))
    baseline.update(_screen(values, scorer, adapted.screen))
    baseline.update(_adaptation_baseline(lead[split + 1 :], values, scorer))
    if (
        "gad7" not in values
        and "gad7" not in baseline
        and prompts.confirm("Also take the GAD-7?", default=False)
    ):
        baseline["gad7"] = {"items": _ask_instrument(measures.GAD7, scorer)}
    if {"phq9", "gad7"} & set(baseline):
        out().print(measures.PHQ_ATTRIBUTION, style="dim")
    return baseline


def _screen(values: dict[str, Any], scorer: Scorer, screen: str) -> dict[str, Any]:
    """The depression and risk screen's baseline: the PHQ-9 (or the adaptation's: an IPT-A
    course's PHQ-A, with its suicide questions)."""
    if screen != "phq9":
        return _adaptation_baseline((screen,), values, scorer)
    baseline: dict[str, Any] = {}
    if "phq9" not in values and prompts.confirm("Take the PHQ-9 baseline now?", default=True):
        items = _ask_instrument(measures.PHQ9, scorer)
        difficulty = prompts.ask_int(
            measures.PHQ9_DIFFICULTY_QUESTION
            + " ("
            + ", ".join(f"{n} = {t}" for n, t in enumerate(measures.DIFFICULTY_SCALE))
            + ")",
            0,
            3,
        )
        baseline["phq9"] = {"items": items, "difficulty": difficulty}
    return baseline


def _inventory() -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    out().print("Add each important person: who they are, how close, what works and what not.")
    while prompts.confirm("Add a person?", default=not people):
        people.append(ask_person({}))
    out().print(closeness_circle([Person.model_validate(p) for p in people]))
    return people


def _timeline() -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    out().print("Note life events around the onset of symptoms, and the mood at the time.")
    while prompts.confirm("Add a life event?", default=not events):
        events.append(ask_event(None, None, None))
    return sorted(events, key=lambda e: e.date)


def _areas(
    people: list[Person], events: list[TimelineEvent], adaptation: str
) -> tuple[list[str], str | None]:
    choices = catalogue.areas_offered(adaptation)
    prompts.show_choices(choices, {a: catalogue.PROBLEM_AREAS[a].when_chosen for a in choices})
    suggested, reason = suggest_area(people, events)
    out().print(f"Suggested: {suggested} ({reason})")
    primary = prompts.ask(
        "Primary problem area", lambda answer: prompts.parse_choice(answer, choices), suggested
    )

    def parse_secondary(answer: str) -> str | None:  # from the same list, printed once
        if not answer.strip() or answer.strip().lower() == "none":
            return None
        chosen = prompts.parse_choice(answer, choices)
        if chosen == primary:
            raise InputError(f"{primary} is the primary area: choose another, or Enter for none")
        return chosen

    secondary = prompts.ask(
        "Secondary problem area (a number or name above; Enter for none)",
        parse_secondary,
        default="",
    )
    areas = [primary] + ([secondary] if secondary else [])
    stage = None
    if "role-dispute" in areas:
        stage = prompts.ask_choice(
            "Stage of the dispute",
            list(catalogue.DISPUTE_STAGES),
            described={s.id: s.text for s in catalogue.DISPUTE_STAGES.values()},
        )
    return areas, stage


def _goals(areas: list[str]) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = list(catalogue.goal_fields(areas))
    for goal in goals:
        out().print(f"- {goal['id']}: {goal['text']}")
    if not prompts.confirm("Keep all of these goals as they are?", default=True):
        edited = []
        for goal in goals:
            text = prompts.ask_text(
                f"Goal {goal['id']} (Enter keeps it, '-' drops it)", default=goal["text"]
            )
            if text != "-":
                edited.append({**goal, "text": text})
        goals = edited
    while prompts.confirm("Add a goal of your own?", default=False):
        text = prompts.ask_text("Goal")
        goal_id = ask_goal_id(text, [g["id"] for g in goals])
        goals.append({"id": goal_id, "text": text, "area": None})
    return goals


def ask_goal_id(text: str, taken: list[str]) -> str:
    """The goal's id, suggested from its words (Enter takes it): 'Night Feeds' -> night-feeds."""
    return prompts.ask(
        "Goal id (lowercase letters, digits, hyphens)",
        lambda answer: _goal_id(answer, taken),
        default=inputs.suggest_id(text, taken) or None,
    )


def _goal_id(answer: str, taken: list[str]) -> str:
    answer = answer.strip()
    if not COURSE_ID_PATTERN.fullmatch(answer):
        raise InputError("use lowercase letters, digits and hyphens, e.g. walk-group")
    if answer in taken:
        raise InputError(f"goal id {answer!r} is taken")
    return answer


def _range(first: int, last: int) -> str:
    return f"session {first}" if first == last else f"sessions {first}-{last}"


def _planned(values: dict[str, Any]) -> int:
    """Planned sessions, 4-30, re-asked when the phase overrides given leave no middle."""

    def parse(answer: str) -> int:
        try:
            planned = int(answer.strip())
        except ValueError:
            raise InputError("enter a whole number 4-30") from None
        if not 4 <= planned <= 30:
            raise InputError("enter a whole number 4-30")
        problem = phase_problem(
            planned, values.get("initial_sessions"), values.get("termination_sessions")
        )
        if problem:
            raise InputError(problem)
        return planned

    adapted = catalogue.ADAPTATIONS[values.get("adaptation") or catalogue.DEFAULT_ADAPTATION]
    default = str(values.get("planned_sessions") or adapted.planned_sessions)
    return prompts.ask("Planned sessions, acute IPT usually 12-16", parse, default)


SaveStep = Callable[[int, dict[str, Any]], None]


def run(
    values: dict[str, Any],
    today: dt.date,
    root: Path,
    save: SaveStep | None = None,
    resumed: tuple[int, dict[str, Any]] | None = None,
    *,
    output: Output,
) -> dict[str, Any]:
    """Ask for everything `values` (the options given) leaves open; return course fields.
    `root`, the data folder, holds the working copy if the formulation is edited. After
    each step `save(step, fields)` keeps a draft; `resumed` (the last step answered and its
    fields) starts from the step after it. `output` is the command's: a safety notice is
    said through it."""
    done, fields = resumed if resumed is not None else (0, {})
    fields = dict(fields)

    def finished(step: int) -> None:
        if save is not None:
            save(step, fields)

    if done < 1:
        _basics(values, fields, today)
        finished(1)
    if done < 2:
        _step(2, "symptom review and baseline")
        scorer = Scorer(measures.ScoringRules(), fields["kind"] == "self-guided", output)
        fields["baseline_measures"] = _symptoms(
            values, scorer, fields["condition"], fields.get("adaptation")
        )
        finished(2)
    if done < 3:
        _sick_role(fields)
        finished(3)
    if done < 4:
        _step(4, "interpersonal inventory")
        fields["inventory"] = _inventory()
        finished(4)
    if done < 5:
        _step(5, "timeline")
        fields["timeline"] = [e.model_dump() for e in _timeline()]
        finished(5)
    people = [Person.model_validate(p) for p in fields["inventory"]]
    events = [TimelineEvent.model_validate(e) for e in fields["timeline"]]
    if done < 6:
        _step(6, "problem areas")
        if values.get("problem_areas"):
            fields["problem_areas"] = values["problem_areas"]
            fields["dispute_stage"] = values.get("dispute_stage")
        else:
            fields["problem_areas"], fields["dispute_stage"] = _areas(
                people, events, values.get("adaptation") or catalogue.DEFAULT_ADAPTATION
            )
        finished(6)
    if done < 7:
        _step(7, "interpersonal formulation")
        text, agreed = ask_formulation(
            draft_formulation(fields["problem_areas"], people, events, fields["start_date"], today),
            root,
        )
        fields["formulation"] = {"text": text, "agreed": agreed, "date": today}
        finished(7)
    if done < 8:
        _step(8, "goals")
        fields["goals"] = _goals(fields["problem_areas"])
        finished(8)
    _contract(fields, today)
    if not prompts.confirm("Save this course?", default=True):
        raise Interrupted("nothing was saved, as you asked")
    return fields


def _basics(values: dict[str, Any], fields: dict[str, Any], today: dt.date) -> None:
    _step(1, "basics")
    fields["condition"] = _condition(values)
    fields["adaptation"] = _adaptation(values)
    guardian = values.get("guardian") or _guardian(fields["adaptation"])
    if guardian is not None:
        fields["guardian"] = guardian
    fields["client"] = values.get("client") or prompts.ask_text(
        "Client alias (a pseudonym or initials, never a real name)"
    )
    fields["start_date"] = values.get("start_date") or _date("Date of session 1", today)
    fields["planned_sessions"] = _planned({**values, "adaptation": fields["adaptation"]})
    fields["cadence"] = prompts.ask_choice(
        "Cadence", list(catalogue.CADENCES), default=values.get("cadence", "weekly")
    )
    fields["kind"] = prompts.ask_choice(
        "Kind of course", list(catalogue.COURSE_KINDS), default=values.get("kind", "clinician-led")
    )
    for override in ("initial_sessions", "termination_sessions"):  # phase overrides, as given
        if values.get(override) is not None:
            fields[override] = values[override]


def _sick_role(fields: dict[str, Any]) -> None:
    _step(3, "sick role and medication")
    if fields["condition"] != "depression":
        profile = catalogue.CONDITIONS[fields["condition"]]
        out().print(f"Psychoeducation: {profile.psychoeducation}.")
        out().print(f"Sick role: {profile.sick_role}.")
    given = prompts.confirm("Sick role given?", default=True)
    fields["sick_role"] = {"given": given, "note": _optional("Note on the sick role")}
    fields["medication"] = _optional("Medication considered (note)")


def _contract(fields: dict[str, Any], today: dt.date) -> None:
    _step(9, "treatment contract")
    planned = contract_dates(fields["start_date"], fields["cadence"], fields["planned_sessions"])
    spans = phase_spans(
        len(planned), fields.get("initial_sessions"), fields.get("termination_sessions")
    )
    middle_end = len(planned) - spans.termination
    out().print(
        f"{len(planned)} {fields['cadence']} sessions, {planned[0].isoformat()} to "
        f"{planned[-1].isoformat()}: initial {_range(1, spans.initial)}, middle "
        f"{_range(spans.initial + 1, middle_end)}, termination "
        f"{_range(middle_end + 1, len(planned))}."
    )
    if prompts.confirm("Has the client agreed this contract?", default=True):
        fields["contract_agreed"] = today
