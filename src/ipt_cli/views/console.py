"""The Rich consoles ipt prints through (stdout and stderr), apart from the renderables."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ipt_cli.views.text_safety import terminal_safe


class SafeConsole(Console):
    """A console through which user text cannot drive the terminal.

    Strings are neutralised (`terminal_safe`) before Rich lays them out, so tables keep
    their widths; and, as a net under every renderable, the text of each segment is
    neutralised again as it is written (Rich's own styles and controls are left alone).
    """

    def on_broken_pipe(self) -> None:
        """Leave a closed pipe to the CLI's one exit path (exit 141), like plain output."""
        self.quiet = True
        raise BrokenPipeError

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(terminal_safe(text), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            Segment(terminal_safe(s.text), s.style, s.control) if not s.control else s
            for s in buffer
        )


DESIGN_WIDTH = 80  # the width the layouts are made for (and files are drawn at)


class FoldingTable(Table):
    """Rich's Table, except that nothing in it is cut in a narrow terminal: a word too long
    for its column is folded onto the next line instead of shortened with an ellipsis (a
    severity must not read "mini…"), and below DESIGN_WIDTH a column's minimum width (kept
    at 80 columns so that a word such as DETERIORATION stays whole) gives way, since Rich
    would otherwise draw the table wider than the terminal and crop its last column
    ("recovery" read "recove")."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        narrow = options.max_width < DESIGN_WIDTH
        for column in self.columns:
            if column.overflow == "ellipsis":  # Rich's default; a chosen overflow is kept
                column.overflow = "fold"
            if narrow:
                column.min_width = None
        return super().__rich_console__(console, options)


@cache
def out() -> Console:
    # markup=False: client aliases and notes may hold [brackets] that are not Rich markup;
    # emoji=False: nor is ":cry:" in a note an emoji code (and the codes' table costs 2 ms).
    return SafeConsole(highlight=False, markup=False, emoji=False)


@cache
def err() -> Console:
    return SafeConsole(stderr=True, highlight=False, markup=False, emoji=False)
