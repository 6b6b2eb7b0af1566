"""Terminal prompts that re-ask until the answer is valid. Rich, so imported lazily.

What people type is accepted (issue 27, item 4): y/n or yes/no at every yes/no question, a
choice by its number or its id from a list printed once, an instrument's item scores one
by one or all at once as a comma list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from rich.prompt import Prompt
from rich.text import Text

from ipt_cli.core import measures
from ipt_cli.errors import InputError
from ipt_cli.views.console import out
from ipt_cli.views.output import Output
from ipt_cli.views.text_safety import terminal_safe

T = TypeVar("T")

YES = ("y", "yes")
NO = ("n", "no")


def _question(question: str) -> Text:
    """A question as plain text: user text in it (a goal, last week's task) is neither
    Rich markup nor anything that could drive the terminal."""
    return Text(terminal_safe(question), style="prompt")


def ask(question: str, parse: Callable[[str], T], default: str | None = None) -> T:
    """Ask until `parse` accepts the answer; its InputError message is shown each time."""
    while True:
        if default is None:
            answer = Prompt.ask(_question(question), console=out())
        else:
            answer = Prompt.ask(
                _question(question),
                console=out(),
                default=default,  # returned as typed on Enter; shown through SafeConsole
                show_default=bool(default),
            )
        try:
            return parse(answer)
        except InputError as error:  # said as every message is: through an Output (its
            # streams are looked up at each write, so a fresh one is the command's own)
            Output().notice(error.message, style="red")


def ask_text(question: str, default: str | None = None, required: bool = True) -> str:
    def parse(answer: str) -> str:
        if required and not answer.strip():
            raise InputError("an answer is needed")
        return answer.strip()

    return ask(question, parse, default)


def show_choices(choices: Sequence[str], described: Mapping[str, str] | None = None) -> None:
    """The numbered list a choice is made from, printed once before its question."""
    for number, choice in enumerate(choices, 1):
        text = (described or {}).get(choice)
        out().print(Text(terminal_safe(f"  {number}. {choice}" + (f": {text}" if text else ""))))


def parse_choice(answer: str, choices: Sequence[str]) -> str:
    """A number or an id of the list printed above (any case); the list is not repeated."""
    answer = answer.strip()
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    for choice in choices:
        if answer.lower() == choice.lower():
            return choice
    raise InputError(f"choose a number 1-{len(choices)} or a name from the list above")


def ask_choice(
    question: str,
    choices: list[str],
    default: str | None = None,
    described: Mapping[str, str] | None = None,
) -> str:
    """One of `choices`, each printed once with its description (when given)."""
    show_choices(choices, described)
    return ask(question, lambda answer: parse_choice(answer, choices), default)


def ask_int(question: str, low: int, high: int, default: int | None = None) -> int:
    def parse(answer: str) -> int:
        try:
            value = int(answer.strip())
        except ValueError:
            raise InputError(f"enter a whole number {low}-{high}") from None
        if not low <= value <= high:
            raise InputError(f"enter a whole number {low}-{high}")
        return value

    return ask(question, parse, None if default is None else str(default))


def _scores(answer: str, instrument: measures.Instrument, first: int) -> list[int]:
    """One score for item `first` (1-based), or every remaining item's as a list."""
    tops = instrument.item_max[first - 1 :]
    parts = answer.replace(",", " ").split()
    rest = "all" if first == 1 else f"items {first}-{instrument.item_count},"
    one = f"enter a whole number 0-{tops[0]}"
    if len(tops) > 1:  # the last item has no rest to give at once
        one += f", or {rest} {len(tops)} separated by commas"
    if len(parts) == 1 or len(tops) == 1:
        if len(parts) != 1 or not parts[0].isdigit() or int(parts[0]) > tops[0]:
            raise InputError(one)
        return [int(parts[0])]
    if len(parts) != len(tops):
        raise InputError(f"{one} (got {len(parts)})")
    for number, (part, top) in enumerate(zip(parts, tops, strict=True), first):
        if not part.isdigit() or int(part) > top:
            raise InputError(f"{instrument.name} item {number} must be a whole number 0-{top}")
    return [int(part) for part in parts]


def ask_item_scores(
    instrument: measures.Instrument,
    after: Callable[[int, int], None] | None = None,
    ranges: bool = False,
) -> list[int]:
    """The instrument's items in their published order, each answered alone or, at any
    item, the rest at once (`2,2,1,2,1,1,1,0,0`). `after(number, score)` runs for each
    score as it is known (the safety notice of a risk item); `ranges` adds "(0-3)"."""
    count = instrument.item_count
    out().print(f"Type each answer, or all {count} at once separated by commas.")
    items: list[int] = []
    while len(items) < count:
        number = len(items) + 1
        label = instrument.item_labels[number - 1]
        shown = f" (0-{instrument.item_max[number - 1]})" if ranges else ""

        def parse(answer: str, first: int = number) -> list[int]:
            return _scores(answer, instrument, first)

        given = ask(f"{instrument.name} {number}. {label}{shown}", parse)
        for offset, score in enumerate(given):
            items.append(score)
            if after is not None:
                after(number + offset, score)
    return items


def parse_yes_no(answer: str) -> bool:
    answer = answer.strip().lower()
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise InputError("answer y (yes) or n (no)")


def confirm(question: str, default: bool = True) -> bool:
    """A yes/no question: y, yes, n or no, in any case; Enter takes the default."""
    return ask(f"{question} [y/n]", parse_yes_no, "y" if default else "n")
