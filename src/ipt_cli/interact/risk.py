"""The structured risk review on a terminal: each field not given as an option is asked for.
The judgement (ideation, level, what was done) is required (issue 26, defect 2); the other
fields may be skipped with Enter."""

from __future__ import annotations

from typing import Any

from ipt_cli.core.risk import IDEATION_WORDS
from ipt_cli.errors import InputError
from ipt_cli.interact import prompts
from ipt_cli.views.console import out

SKIP = " (Enter to skip)"


def _choice(
    question: str,
    choices: list[str],
    required: bool = False,
    described: dict[str, str] | None = None,
) -> str | None:
    """One of `choices` (its number or id), listed once above the question."""

    def parse(answer: str) -> str | None:
        if not answer.strip():
            if required:
                raise InputError("an answer is needed: a review records your judgement")
            return None
        return prompts.parse_choice(answer, choices)

    prompts.show_choices(choices, described)
    skip = "" if required else SKIP
    return prompts.ask(f"{question}{skip}", parse, default="")


def _yes_no(question: str) -> bool | None:
    """y/n or yes/no, as at every yes/no question; Enter skips."""

    def parse(answer: str) -> bool | None:
        return prompts.parse_yes_no(answer) if answer.strip() else None

    return prompts.ask(f"{question} [y/n]{SKIP}", parse, default="")


def _lines(question: str, required: bool = False) -> list[str]:
    """Several answers, one per prompt, until an empty one (at least one when required)."""
    found: list[str] = []
    while True:
        answer = prompts.ask_text(f"{question} (one per line; Enter when done)", "", False)
        if not answer:
            if required and not found:
                out().print("  At least one is needed: a review records what was done.")
                continue
            return found
        found.append(answer)


def ask_structured(given: dict[str, Any]) -> dict[str, Any]:
    """The structured fields: those given, and answers for the others."""
    fields = dict(given)
    if "ideation" not in fields:
        fields["ideation"] = _choice(
            "Thoughts of death or suicide",
            list(IDEATION_WORDS),
            required=True,
            described=dict(IDEATION_WORDS),
        )
    if fields.get("ideation") != "none":
        for key, question in (
            ("plan_made", "A plan made?"),
            ("intent", "Intent to act?"),
            ("means", "Access to means?"),
        ):
            if key not in fields:
                fields[key] = _yes_no(question)
    if "protective" not in fields:
        fields["protective"] = _lines("Protective factor")
    if "level" not in fields:
        fields["level"] = _choice(
            "Risk level (your judgement)", ["low", "moderate", "high"], required=True
        )
    if "actions" not in fields:
        fields["actions"] = _lines(
            "What was done (e.g. safety plan reviewed, GP informed)", required=True
        )
    return {k: v for k, v in fields.items() if v not in (None, [])}


def ask_review(note: str | None, given: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The outcome (asked for when not given) and the structured fields."""
    fields = ask_structured(given)
    if note is None:
        note = prompts.ask_text("Outcome of the review (the note)")
    return note, fields
