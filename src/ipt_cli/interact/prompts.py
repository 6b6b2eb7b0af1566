"""Terminal prompts that re-ask until the answer is valid. Rich, so imported lazily."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.prompt import Confirm, Prompt
from rich.text import Text

from ipt_cli.errors import InputError
from ipt_cli.views.console import err, out

T = TypeVar("T")


def ask(question: str, parse: Callable[[str], T], default: str | None = None) -> T:
    """Ask until `parse` accepts the answer; its InputError message is shown each time."""
    while True:
        if default is None:
            answer = Prompt.ask(question, console=out())
        else:
            answer = Prompt.ask(
                question, console=out(), default=default, show_default=bool(default)
            )
        try:
            return parse(answer)
        except InputError as error:
            err().print(Text(error.message, style="red"))


def ask_text(question: str, default: str | None = None, required: bool = True) -> str:
    def parse(answer: str) -> str:
        if required and not answer.strip():
            raise InputError("an answer is needed")
        return answer.strip()

    return ask(question, parse, default)


def ask_choice(question: str, choices: list[str], default: str | None = None) -> str:
    def parse(answer: str) -> str:
        answer = answer.strip()
        if answer.isdigit() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1]
        if answer not in choices:
            raise InputError(f"choose one of: {', '.join(choices)} (or its number)")
        return answer

    for number, choice in enumerate(choices, 1):
        out().print(f"  {number}. {choice}")
    return ask(question, parse, default)


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


def confirm(question: str, default: bool = True) -> bool:
    return Confirm.ask(question, console=out(), default=default)
