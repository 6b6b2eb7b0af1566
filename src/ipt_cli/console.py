"""The Rich consoles ipt prints through, apart from the renderables (which cost more to
import): the cached report path needs to know what the terminal is without them."""

from __future__ import annotations

from functools import cache

from rich.console import Console


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Leave a closed pipe to the CLI's one exit path (exit 141), like plain output."""
        self.quiet = True
        raise BrokenPipeError


@cache
def out() -> Console:
    # markup=False: client aliases and notes may hold [brackets] that are not Rich markup.
    return _Console(highlight=False, markup=False)


@cache
def err() -> Console:
    return _Console(stderr=True, highlight=False, markup=False)


def terminal_fingerprint() -> str:
    """Everything about standard output that changes how Rich draws the same renderable:
    width, colours, terminal or pipe, and the characters the encoding allows."""
    console = out()
    return (f"{console.width}:{console.color_system}:{console.is_terminal}:"
            f"{console.encoding}:{console.legacy_windows}:{console.no_color}:"
            f"{console.is_dumb_terminal}")
