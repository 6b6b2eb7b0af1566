"""The Rich consoles ipt prints through (stdout and stderr), apart from the renderables."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import PaddingDimensions
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
    ("recovery" read "recove").

    Below DESIGN_WIDTH, when the table is too wide for the terminal but its longest words
    fit, the columns are given widths here, each at least its longest word: Rich would
    narrow the widest columns first and then all evenly, breaking words ("Sitti/ng",
    "2026-/02-09") while other columns had room to give. When they do not fit, a table with
    a box drops its cell padding and edges (its columns stay one rule character apart) and
    tries again. A word is folded only when the longest words still cannot fit."""

    _fitted: list[int] | None = None  # the columns whose width was set here
    # padding, pad_edge and show_edge as the view made them (before a narrow draw)
    _spacing: tuple[PaddingDimensions, bool, bool] | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        narrow = options.max_width < DESIGN_WIDTH
        for column in self.columns:
            if column.overflow == "ellipsis":  # Rich's default; a chosen overflow is kept
                column.overflow = "fold"
            if narrow:
                column.min_width = None
        for index in self._fitted or []:  # drawn before, at another width
            self.columns[index].width = None
        self._fitted = None
        if self._spacing is not None:
            self.padding, self.pad_edge, self.show_edge = self._spacing
        if narrow and not self._fit_words(console, options) and self.box is not None:
            self._spacing = (self.padding, self.pad_edge, self.show_edge)
            self.padding, self.pad_edge, self.show_edge = (0, 0, 0, 0), False, False
            if not self._fit_words(console, options):
                self.padding, self.pad_edge, self.show_edge = self._spacing
        return super().__rich_console__(console, options)

    def _fit_words(self, console: Console, options: ConsoleOptions) -> bool:
        """Set each column's width, from its longest word up, to fit `options.max_width`;
        False when even the longest words cannot fit."""
        columns = self.columns
        if any(c.width is not None or c.ratio for c in columns):
            return True  # widths chosen by the view
        wide = options.update_width(10**6)

        def measure(cell: RenderableType) -> Measurement:
            return Measurement.get(console, wide, cell)

        ranges = []
        for column in columns:
            cells = [measure(column.header)] if self.show_header else []
            cells += [measure(cell) for cell in column.cells]
            top = max((m.maximum for m in cells), default=0)
            low = top if column.no_wrap else max((m.minimum for m in cells), default=0)
            ranges.append((low, top))
        natural = sum(top for _, top in ranges)
        overhead = Measurement.get(console, wide, self).maximum - natural  # borders, padding
        room = options.max_width - overhead
        if sum(low for low, _ in ranges) > room:
            return False  # even the longest words cannot fit
        if natural <= room:
            return True  # it fits as Rich draws it

        # As Rich does, the widest columns give way first, down to a common width, but no
        # column below its longest word: the highest such width that fits, then what is
        # left over, a column each, to those it cut.
        def at(level: int) -> list[int]:
            return [max(low, min(top, level)) for low, top in ranges]

        level = max(top for _, top in ranges)
        while level > 0 and sum(at(level)) > room:
            level -= 1
        widths = at(level)
        for index, (_, top) in enumerate(ranges):
            if sum(widths) < room and widths[index] < top:
                widths[index] += 1
        for column, width in zip(columns, widths, strict=True):
            column.width = width
        self._fitted = list(range(len(columns)))
        return True


@cache
def out() -> Console:
    # markup=False: client aliases and notes may hold [brackets] that are not Rich markup;
    # emoji=False: nor is ":cry:" in a note an emoji code (and the codes' table costs 2 ms).
    return SafeConsole(highlight=False, markup=False, emoji=False)


@cache
def err() -> Console:
    return SafeConsole(stderr=True, highlight=False, markup=False, emoji=False)
