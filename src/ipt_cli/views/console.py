"""The Rich consoles ipt prints through (stdout and stderr), apart from the renderables."""

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
