"""The fidelity walk-through on a terminal: each item of the session's phase and problem
area in turn, rated done, partly, not done or not applicable (Enter leaves it unrated)."""

from __future__ import annotations

from ipt_cli.core import catalogue
from ipt_cli.errors import InputError
from ipt_cli.interact import prompts
from ipt_cli.views.console import out

KEYS = {"d": "done", "p": "partly", "n": "not-done", "x": "na"}


def _parse(answer: str) -> str | None:
    answer = answer.strip().lower()
    if not answer:
        return None
    if answer in KEYS:
        return KEYS[answer]
    if answer in catalogue.FIDELITY_SCORES:
        return answer
    raise InputError("answer d (done), p (partly), n (not done) or x (not applicable)")


def ask_ratings(
    heading: str, items: tuple[catalogue.Item, ...], current: dict[str, str]
) -> dict[str, str]:
    """item id -> score, for the items answered."""
    out().print(heading)
    out().print("  d = done, p = partly, n = not done, x = not applicable; Enter skips")
    ratings: dict[str, str] = {}
    for number, item in enumerate(items, 1):
        was = current.get(item.id)
        shown = f" (was {catalogue.FIDELITY_SCORES[was]})" if was else ""
        answer = prompts.ask(f"{number}/{len(items)} {item.text}{shown}", _parse, default="")
        if answer is not None:
            ratings[item.id] = answer
    return ratings
