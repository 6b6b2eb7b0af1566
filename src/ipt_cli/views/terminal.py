"""Rich renderings for the terminal: each `*_view` returns a renderable that
`views.output.Output.show` draws (the consoles themselves are in console.py).

Imported lazily so that `ipt --help` never pays for Rich. NO_COLOR and
non-terminal output are handled by Rich's Console (plain text, 80 columns when piped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ipt_cli.core import catalogue
from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.views.console import DESIGN_WIDTH, FoldingTable, SafeConsole, err, out
from ipt_cli.views.text_safety import terminal_safe

if TYPE_CHECKING:  # only for annotations: `ipt list` must not pay for the models
    from ipt_cli.core.course_row import CourseRow
    from ipt_cli.core.group import GroupAgenda, GroupReport
    from ipt_cli.core.models import Course, Person, TimelineEvent
    from ipt_cli.core.planning import Agenda, Plan
    from ipt_cli.core.progress import MeasureSummary, Point, Report
    from ipt_cli.core.rhythm import LifeChart, RhythmReport
    from ipt_cli.core.safety import SafetyNotice
    from ipt_cli.store.doctor import Finding

BAR_WIDTH = 30
MIN_BAR_WIDTH = 10  # a chart in a narrow terminal shortens its bars to no less than this
DATE_WIDTH = len("2026-01-05")  # every stored date is in 1900-2199 (core.dates)
MEASURE_COLUMNS = ("Measure", "Base", "Now", "Change", "Severity", "Resp.", "Remit.", "Reliable")
SEVERITY_STYLE = {
    "none": "green",
    "minimal": "green",
    "mild": "yellow",
    "moderate": "dark_orange",
    "moderately severe": "red",
    "severe": "bold red",
    "very severe": "bold red",
}


def _panel(body: RenderableType, title: str | None = None, **options: Any) -> Panel:
    """A Rich Panel whose title is plain text: Rich reads a str title as markup and emoji
    codes (a bracket in a group's name would style the terminal; ":cry:" would be an
    emoji), and loading the emoji table cost 2.5 ms of every report."""
    return Panel(body, title=None if title is None else _text(title), **options)


def _text(text: str, style: str = "", **options: Any) -> Text:
    """A Rich Text of user (or catalogue) text, neutralised for the terminal first, so
    that widths are measured on what is shown (SafeConsole also neutralises as a net)."""
    return Text(terminal_safe(text), style=style, **options)


def emit(renderable: RenderableType, soft_wrap: bool = False) -> None:
    """Print data to stdout (through `views.output.Output.show`)."""
    out().file.write(rendered(renderable, soft_wrap))


def rendered(
    renderable: RenderableType, soft_wrap: bool = False, console: Console | None = None
) -> str:
    """Exactly what `emit` writes: escape codes for a terminal; into a pipe or file, plain
    text without the trailing spaces Rich pads table lines with.

    A Group (a report) is drawn one part at a time, so that only one part's segments are
    held at once (a long course's chart), never the whole document's."""
    console = console or out()
    parts = renderable.renderables if isinstance(renderable, Group) else [renderable]
    texts = []
    for part in parts:
        lines = part.plain_lines(console, console.options) if isinstance(part, Chart) else None
        if lines is not None:  # a long chart: its lines, without Rich's segments
            texts.append(terminal_safe("\n".join(lines) + "\n"))
            continue
        with console.capture() as capture:
            console.print(part, soft_wrap=soft_wrap)
        text = capture.get()
        texts.append(text if console.is_terminal else _without_trailing_spaces(text))
    return "".join(texts)


def _without_trailing_spaces(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n"))


def rule(title: str) -> RenderableType:
    # lazy: keeps Rich off start-up
    from rich.rule import Rule

    return Rule(title)


def notice(message: str, style: str = "yellow") -> None:
    err().print(_text(message, style=style))


def safety_notice(notice: SafetyNotice, self_guided: bool) -> None:
    review = [notice.review] if notice.review else []
    body = "\n".join([catalogue.SAFETY_NOTICE, *notice.lines, *review])
    if self_guided:
        body += "\n\n" + catalogue.CRISIS_GUIDANCE
    err().print(_panel(_text(body), title="SAFETY", border_style="bold red", box=box.HEAVY))


def _flags_panel(labels: list[str], commands: list[str], self_guided: bool) -> Panel:
    body = "\n".join(f"! {label}" for label in labels)
    body += "\nRecord a review with:" + "".join(f"\n  {command}" for command in commands)
    if self_guided:
        body += "\n\n" + catalogue.CRISIS_GUIDANCE
    return _panel(
        _text(body, style="bold red"),
        title="UNREVIEWED SAFETY FLAGS",
        border_style="bold red",
        box=box.HEAVY,
    )


def _alerts_panels(screens: list[str], warnings: list[str]) -> list[Panel]:
    """A screen's own alerts (the ASRM's MANIA ALERT: a safety matter) in a box of their
    own, then the outcome warnings."""
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import OUTCOME_WARNINGS, screen_alert_heading

    panels = []
    if screens:
        panels.append(
            _panel(
                _text("\n".join(f"! {text}" for text in screens), style="bold red"),
                title=screen_alert_heading(screens),
                border_style="bold red",
                box=box.HEAVY,
            )
        )
    if warnings:
        panels.append(
            _panel(
                _text("\n".join(f"! {text}" for text in warnings), style="bold dark_orange"),
                title=OUTCOME_WARNINGS,
                border_style="bold dark_orange",
                box=box.HEAVY,
            )
        )
    return panels


class _Point(NamedTuple):
    """A chart row: one administration."""

    label: str
    date: str
    total: int
    severity: str


class _Event(NamedTuple):
    """A chart row: a life event between two administrations."""

    date: str
    text: Text


def _cell(text: str, width: int) -> str:
    """`text` padded to `width` cells, with the cell padding on each side."""
    return f" {text}{' ' * (width - cell_len(text))} "


def _word_lines(text: str, width: int) -> list[str]:
    """`text` broken between words into lines of at most `width` cells (a longer word has
    a line of its own)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


class _PointLayout:
    """The cells of an administration's chart line, in fixed columns. What follows the
    date is cached by total and severity: a long course repeats them."""

    def __init__(self, widths: list[int], top: int, ascii_only: bool) -> None:
        self.widths, self.top = widths, top
        self.full, self.empty = ("#", ".") if ascii_only else ("█", "·")
        self._rest: dict[tuple[int, str], tuple[str, Style | None, str, list[str]]] = {}

    def cells(self, row: _Point) -> tuple[str, str, Style | None, str, list[str]]:
        """The text before the bar, the bar and its style, the text after it, and the lines
        of a severity that wraps."""
        label, date = self.widths[0], self.widths[1]
        head = f" {row.label.ljust(label)}  {row.date.ljust(date)}  "
        rest = self._rest.get((row.total, row.severity))
        if rest is None:
            rest = self._rest[row.total, row.severity] = self._after_date(row)
        return head, *rest

    def _after_date(self, row: _Point) -> tuple[str, Style | None, str, list[str]]:
        label, date, bar_width, total_width, width = self.widths
        cells = min(BAR_WIDTH, bar_width)
        filled = max(0, min(round(row.total / self.top * cells), cells))
        bar = self.full * filled + self.empty * (cells - filled)
        style_name = SEVERITY_STYLE.get(row.severity, "")
        style = Style.parse(style_name) if style_name else None
        words = [row.severity]
        if cell_len(row.severity) > width:
            words = _word_lines(row.severity, width)
        gap = " " * (bar_width - cells + 1)
        tail = f"{gap} {str(row.total).ljust(total_width)} {_cell(words[0], width)}"
        blank = " " * (label + date + bar_width + total_width + 8)
        return bar, style, tail, [blank + _cell(more, width) for more in words[1:]]

    def lines(self, row: _Point) -> list[list[Segment]]:
        head, bar, style, tail, more = self.cells(row)
        return [[Segment(head), Segment(bar, style), Segment(tail)]] + [
            [Segment(line)] for line in more
        ]


class Chart:
    """A measure's chart as a panel: a bar per administration, scaled to the instrument's
    maximum, with the timeline's life events between the sessions they fell between. Every
    row is drawn (a clinical record: nothing is summarised away).

    Drawn line by line, with column widths found in one pass, exactly as a Rich Table (no
    box, cell padding (0, 1)) in a Panel drew it before: that Table measured and wrapped
    every cell of every row, seconds for years of maintenance sessions. In a narrow
    terminal the columns give way in turn: the events wrap to the bars' width, the bars
    shorten (scaled to their width) to MIN_BAR_WIDTH cells, the severity wraps between
    words, and only then the bars go. Labels, dates, totals and words are never cut,
    except where even they do not fit.
    """

    def __init__(
        self,
        title: str,
        top: int,
        series: list[Point],
        events: list[TimelineEvent],
        maintenance: bool = False,
    ) -> None:
        self.title, self.top, self.series, self.maintenance = title, top, series, maintenance
        first = series[0].date if series else None
        self.events = sorted(
            (e for e in events if first is None or e.date >= first), key=lambda e: e.date
        )

    def _rows(self) -> Iterator[_Point | _Event]:
        """The rows, made as they are drawn (a long course's are never all held): each
        administration, and the life events before it since the previous one."""
        taken, events = 0, self.events
        for point in self.series:
            while taken < len(events) and events[taken].date < point.date:
                event = events[taken]
                yield _Event(event.when, _text(f"* {event.event}", style="cyan"))
                taken += 1
            severity = point.severity or ""
            yield _Point(self._label(point.session), point.date.isoformat(), point.total, severity)

    def _label(self, session: int) -> str:
        if self.maintenance:
            return f"m{session}"
        return "base" if session == 0 else f"S{session}"

    def _widths(self, console: Console, options: ConsoleOptions) -> list[int]:
        """Each column's widest cell, then narrowed in turn to fit the panel."""
        last = self.series[-1].date if self.series else None
        events = [_text(f"* {e.event}") for e in self.events if last and e.date < last]
        severities = {point.severity or "" for point in self.series}
        widths = [
            max((len(self._label(point.session)) for point in self.series), default=0),
            DATE_WIDTH if self.series else 0,
            max([BAR_WIDTH] + [Measurement.get(console, options, e).maximum for e in events]),
            max((len(str(point.total)) for point in self.series), default=0),
            max((cell_len(severity) for severity in severities), default=0),
        ]
        excess = sum(widths) + 2 * len(widths) - _inner_width(options)
        words = [cell_len(word) for severity in severities for word in severity.split(" ")]
        for column, floor in (
            (2, BAR_WIDTH),  # the events wrap (a word longer than the bars is folded)
            (2, MIN_BAR_WIDTH),  # the bars shorten, so that a row stays one line
            (4, max(words, default=0)),  # the severity wraps between words
            (2, 0),  # in a very narrow terminal, only the numbers and words are left
        ):
            give = max(min(excess, widths[column] - floor), 0)
            widths[column] -= give
            excess -= give
        return widths

    def _frame(self, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
        """The panel's top border (with the title), one empty line and the bottom border,
        drawn by Rich: the chart's lines go between its borders."""
        panel = _panel(Text(""), title=self.title, box=box.ROUNDED)
        return console.render_lines(panel, options, pad=False)

    def plain_lines(self, console: Console, options: ConsoleOptions) -> Iterator[str] | None:
        """The chart's lines as plain text, where no style is drawn (a pipe, a file) and
        its columns fit; None otherwise (then Rich draws it)."""
        widths = self._widths(console, options)
        spare = _inner_width(options) - sum(widths) - 2 * len(widths)
        if console.color_system is not None or spare < 0:
            return None
        return self._plain(console, options, widths, spare)

    def _plain(
        self, console: Console, options: ConsoleOptions, widths: list[int], spare: int
    ) -> Iterator[str]:
        frame = self._frame(console, options)
        yield "".join([segment.text for segment in frame[0]])
        left, right = f"{frame[1][0].text} ", f"{' ' * spare} {frame[1][-1].text}"
        points = _PointLayout(widths, self.top, options.ascii_only)
        for row in self._rows():
            if isinstance(row, _Point):
                head, bar, _, tail, more = points.cells(row)
                yield left + head + bar + tail + right
                for wrapped in more:
                    yield left + wrapped + right
                continue
            for line in self._event_lines(row, widths, console, options):
                yield left + "".join([segment.text for segment in line]) + right
        yield "".join([segment.text for segment in frame[-1]])

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        plain = self.plain_lines(console, options)
        if plain is not None:  # a line is one segment
            for text in plain:
                yield Segment(text)
                yield new_line
            return
        frame = self._frame(console, options)
        line_start, line_end = frame[1][0], frame[1][-1]
        yield from frame[0]
        yield new_line
        inner = _inner_width(options)
        widths = self._widths(console, options)
        points = _PointLayout(widths, self.top, options.ascii_only)
        for row in self._rows():
            if isinstance(row, _Point):
                lines = points.lines(row)
            else:
                lines = self._event_lines(row, widths, console, options)
            for line in lines:
                yield line_start
                yield from Segment.adjust_line_length(
                    [Segment(" "), *line, Segment(" ")], inner + 2
                )
                yield line_end
                yield new_line
        yield from frame[-1]
        yield new_line

    @staticmethod
    def _event_lines(
        row: _Event, widths: list[int], console: Console, options: ConsoleOptions
    ) -> list[list[Segment]]:
        """A life event's lines: its text wrapped to the bars' column, as a table cell; where
        the bars have shortened, across the empty cells to their right as well."""
        label, date, bar_width, total_width, severity_width = widths
        rest = total_width + severity_width + 5
        span = bar_width if bar_width >= BAR_WIDTH else max(bar_width + rest - 1, 1)
        cell = options.update(width=span, justify="left", no_wrap=False, height=None)
        text = console.render_lines(row.text, cell)
        tail = Segment(" " * (bar_width + rest - span))
        dates = [row.date] + [""] * (len(text) - 1)
        return [
            [Segment(_cell("", label) + _cell(day, date) + " "), *cells, tail]
            for day, cells in zip(dates, text, strict=True)
        ]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = sum(self._widths(console, options)) + 2 * 5 + 4
        return Measurement(width, width).clamp(max_width=options.max_width)


def _inner_width(options: ConsoleOptions) -> int:
    """The width inside a panel's border and padding."""
    return max(options.max_width - 4, 0)


def _chart(
    summary: MeasureSummary, events: list[TimelineEvent], title: str, maintenance: bool = False
) -> Chart:
    """The chart of a measure's series, with the life events from its first date on; an
    instrument with named cut-offs and no bands (the EPDS, the ASRM) shows, where a band
    would be, where each score stands against them."""
    instrument = INSTRUMENTS[summary.instrument]
    series = summary.series
    if instrument.cutoffs:
        # lazy: keeps the models (pydantic) and the shared wording off start-up
        from ipt_cli.core.structs import replace
        from ipt_cli.views.wording import point_reading

        series = [replace(p, severity=point_reading(summary, p)) for p in series]
    return Chart(title, instrument.total_max, series, events, maintenance)


def _header(report: Report) -> Panel:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import (
        assessment_lines,
        condition_line,
        next_session_words,
        phase_text,
        record_header,
    )

    course = report.course
    header = FoldingTable.grid(padding=(0, 2))
    header.add_row(
        "Course",
        f"{course.id} ({course.kind})"
        + (f", archived {course.archived.isoformat()}" if course.archived else ""),
    )
    header.add_row("Client", course.client)
    header.add_row("Start", course.start_date.isoformat())
    header.add_row("Phase", phase_text(report))
    header.add_row("Held", f"{report.sessions_recorded} of {course.planned_sessions}")
    header.add_row("Next session", next_session_words(report))
    header.add_row("Risk", report.risk.level_line.removeprefix("Standing risk level: "))
    if report.risk.follow_up:
        header.add_row("Follow-up", report.risk.follow_up)
    areas = ", ".join(catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas)
    if report.dispute_stage:
        areas += f" (dispute stage: {report.dispute_stage})"
    header.add_row("Problem areas", areas)
    condition = condition_line(course)
    if condition:
        header.add_row("Condition", condition)
    for label, text in assessment_lines(course) + record_header(report):
        header.add_row(label, text)
    for change in course.contract_changes:
        header.add_row(
            "Contract", f"{change.date.isoformat()}: {change.old} -> {change.new} ({change.reason})"
        )
    from ipt_cli.core.corrections import history  # the models: not for `ipt list`

    for line in history(course):
        why = f" ({line.reason})" if line.reason else ""
        header.add_row(
            "Changed", f"{line.date.isoformat()}: {line.what}: {line.old} -> {line.new}{why}"
        )
    return _panel(header, title="IPT progress report", box=box.ROUNDED)


def _eating(report: Report) -> list[RenderableType]:
    """Binge episodes per week as bars, the counts, and the change and abstinence notes."""
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import EATING_HEADER, eating_notes, eating_rows

    eating = report.eating
    if eating is None:
        return []
    table = FoldingTable(*EATING_HEADER, box=box.SIMPLE_HEAD)
    for row in eating_rows(eating):
        table.add_row(*row)
    rates = [w.binges_per_week for w in eating.weeks if w.binges_per_week is not None]
    top = max(rates, default=0) or 1
    chart = FoldingTable(box=None, show_header=False, padding=(0, 1))
    for week in eating.weeks:
        if week.binges_per_week is None:
            continue
        filled = round(week.binges_per_week / top * BAR_WIDTH)
        label = "base" if week.session == 0 else f"S{week.session}"
        bar = _text("█" * filled + "·" * (BAR_WIDTH - filled), style="" if filled else "green")
        chart.add_row(label, week.date.isoformat(), bar, f"{week.binges_per_week:g}/wk")
    body: list[RenderableType] = [table, chart]
    body += [_text(note) for note in eating_notes(eating)]
    return [_panel(Group(*body), title="Binge episodes per week", box=box.ROUNDED)]


BLOCK_LABELS = {"Base": "Baseline", "Resp.": "Response", "Remit.": "Remission"}


class MeasureBlocks:
    """The measures table at DESIGN_WIDTH columns or more; below, one block per measure,
    a label and its value a line (a 60-column table broke "Measu/re" and "reco/very")."""

    def __init__(self, table: FoldingTable, header: list[str], rows: list[list[str]]) -> None:
        self.table, self.header, self.rows = table, header, rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= DESIGN_WIDTH:
            yield self.table
            return
        yield _text("Measures", style="bold")
        for row in self.rows:
            yield _text(row[0], style="bold")
            block = FoldingTable.grid(padding=(0, 2))
            block.add_column(no_wrap=True)
            block.add_column()
            for name, value in zip(self.header[1:], row[1:], strict=True):
                base = name.removesuffix(" (acute)")
                label = BLOCK_LABELS.get(base, base) + name.removeprefix(base)
                block.add_row(label, value)
            yield Padding(block, (0, 0, 0, 2))
        yield _text("")


def _measures(report: Report) -> list[RenderableType]:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import (
        headline_notes,
        in_maintenance,
        measure_header,
        measure_rows,
    )

    header = measure_header(report, MEASURE_COLUMNS)
    rows = measure_rows(report)
    blocks = MeasureBlocks(FoldingTable(), list(header), [list(row) for row in rows])
    if in_maintenance(report):  # narrow: the relapse is named in the Maintenance panel
        header[2:4] = ["Acute end", "Now"]
        header = [name.removesuffix(" (acute)") for name in header]  # said below instead
        rows = [[*row[:3], row[3].split(" ")[0], *row[4:]] for row in rows]
    table = FoldingTable(*header, box=box.SIMPLE_HEAD, title="Measures")
    table.columns[-1].min_width = len("DETERIORATION")  # never cut the direction
    if in_maintenance(report):
        table.columns[2].max_width = len("Acute")  # "Acute end" over two lines
    for row in rows:
        table.add_row(*row)
    blocks.table = table
    parts: list[RenderableType] = [blocks]
    parts += [_text(f"  {note}") for note in headline_notes(report)]
    if in_maintenance(report):
        parts.append(_text("  Severity, Resp. and Remit.: at the end of the acute course."))
    for summary in report.measures.values():
        if summary.series:
            parts.append(_chart(summary, report.course.timeline, f"{summary.name} by session"))
    return parts


def _maintenance(report: Report) -> list[RenderableType]:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import MAINTENANCE_HEADER, maintenance_heading, maintenance_row

    heading = maintenance_heading(report)
    if heading is None:
        return []
    block = FoldingTable(*MAINTENANCE_HEADER, box=box.SIMPLE_HEAD)
    for summary in report.maintenance_measures.values():
        block.add_row(*maintenance_row(summary))
    parts: list[RenderableType] = [
        _panel(Group(_text(heading), block), title="Maintenance", box=box.ROUNDED)
    ]
    for summary in report.maintenance_measures.values():
        title = f"{summary.name} in maintenance"
        parts.append(_chart(summary, report.course.timeline, title, maintenance=True))
    return parts


def _goals_and_work(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if report.goals:
        goals = FoldingTable("Goal", "Ratings (0-10)", "Latest", box=box.SIMPLE_HEAD, title="Goals")
        for goal in report.goals:
            goals.add_row(
                f"{goal.shown} [{goal.id}]",
                " ".join(map(str, goal.ratings)) or "-",
                "-" if goal.latest is None else str(goal.latest),
            )
        parts.append(goals)
    if report.techniques:
        used = ", ".join(f"{name} x{count}" for name, count in report.techniques.items())
        parts.append(_text(f"Techniques used: {used}"))
    if report.strategies and report.course.sessions:  # which are covered, once there is work
        # lazy: keeps the models (pydantic) and the shared wording off start-up
        from ipt_cli.views.wording import strategy_rows

        strategies = FoldingTable(
            "Strategy", "Area", "Covered in session", box=box.SIMPLE_HEAD, title="Strategies"
        )
        for cells in strategy_rows(report.strategies):
            strategies.add_row(*cells)
        parts.append(strategies)
    if report.tasks:
        tasks = FoldingTable(
            "#", "Between-session task", "Outcome", box=box.SIMPLE_HEAD, title="Tasks"
        )
        for row in report.tasks:
            tasks.add_row(str(row.session), row.task, row.outcome or "-")
        parts.append(tasks)
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import attendance_rows

    attendance = attendance_rows(report.course)
    if attendance:
        table = FoldingTable("#", "Date", "Attended", box=box.SIMPLE_HEAD, title="Attendance")
        for cells in attendance:
            table.add_row(*cells)
        parts.append(table)
    return parts


def _termination(report: Report) -> list[RenderableType]:
    if not report.checklist:
        return []
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import checklist_title

    lines = [f"[{'x' if item.done else ' '}] {item.text}" for item in report.checklist]
    return [_panel(_text("\n".join(lines)), title=checklist_title(report), box=box.ROUNDED)]


def _ending(report: Report) -> list[RenderableType]:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import end_of_course_text, ending_title, shows_ending

    if not shows_ending(report):
        return []
    return [_panel(_text(end_of_course_text(report)), title=ending_title(report), box=box.DOUBLE)]


def _reviews(report: Report) -> list[RenderableType]:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import review_lines

    reviews = review_lines(report)
    if not reviews:
        return []
    body: list[RenderableType] = []
    for head, lines in reviews:
        body.append(_text(f"Reviewed: {head}", style="bold"))
        body += [Padding(_text(line), (0, 0, 0, 2)) for line in lines]
    return [_panel(Group(*body), title="Risk reviews", box=box.ROUNDED)]


def high_risk_panel(banner: str) -> Panel:
    """A standing high risk: shown on the agenda and the report until a review lowers it."""
    return _panel(
        _text(banner, style="bold red"), title="HIGH RISK", border_style="bold red", box=box.HEAVY
    )


def _record(report: Report) -> list[RenderableType]:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import record_sections

    return [
        _panel(_text("\n".join(lines)), title=heading, box=box.ROUNDED)
        for heading, lines in record_sections(report)
    ]


def report_renderable(report: Report) -> RenderableType:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import high_risk_banner

    course = report.course
    parts: list[RenderableType] = []
    banner = high_risk_banner(report)
    if banner:
        parts.append(high_risk_panel(banner))
    state = report.risk
    if state.flags:
        parts.append(_flags_panel(state.labels, state.commands, course.kind == "self-guided"))
    if report.alerts:
        # lazy: keeps the models (pydantic) and the shared wording off start-up
        from ipt_cli.views.wording import report_alerts

        parts += _alerts_panels(*report_alerts(report))
    parts.append(_header(report))
    if course.formulation:
        agreed = "agreed" if course.formulation.agreed else "not yet agreed"
        parts.append(_panel(_text(course.formulation.text), title=f"Formulation ({agreed})"))
    parts += _eating(report)
    parts += _measures(report)
    parts += _maintenance(report)
    parts += _goals_and_work(report)
    parts += _termination(report)
    parts += _ending(report)
    parts += _reviews(report)
    parts += _record(report)
    return Group(*parts)


def report_view(report: Report) -> RenderableType:
    return report_renderable(report)


def report_output(report: Report) -> str:
    """The report exactly as `print_report` would print it to this standard output."""
    return rendered(report_renderable(report))


def markdown_view(text: str) -> RenderableType:
    """Markdown rendered for the terminal: headings, lists and emphasis, no raw marks."""
    # lazy: keeps Rich off start-up
    from rich.markdown import Markdown

    return Markdown(text)


class PlanRows:
    """The plan's table at DESIGN_WIDTH columns or more; below, each session on a line
    (number, date, phase, status) with its focus under it, wrapped at words across the
    width (a 60-column table left the focus 7 columns: "Baselin/e", "psychoe/ducatio/n")."""

    def __init__(self, title: str, table: FoldingTable, rows: list[list[str]]) -> None:
        self.title, self.table, self.rows = title, table, rows  # cells, then the style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= DESIGN_WIDTH:
            yield self.table
            return
        yield _text(self.title, style="bold")
        widths = [max(cell_len(row[n]) for row in self.rows) for n in range(3)]
        for label, date, phase, focus, status, style in self.rows:
            cells = (label.rjust(widths[0]), date.ljust(widths[1]), phase.ljust(widths[2]))
            yield _text("  ".join([*cells, status]), style=style)
            yield Padding(_text(focus, style=style), (0, 0, 0, widths[0] + 2))


def plan_view(plan: Plan) -> RenderableType:
    """The plan's table (its notes, if any, are for Output.notice)."""
    title = f"Plan for {plan.course_id}: {plan.held} of {plan.planned} held"
    if plan.maintenance_planned is not None:
        title += f"; maintenance {plan.maintenance_held} of {plan.maintenance_planned} held"
    table = FoldingTable(box=box.SIMPLE_HEAD, expand=True, title=title)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Focus", ratio=1)
    table.add_column("Status", no_wrap=True)
    rows = []
    for row in plan.rows:
        style = "bold reverse" if row.current else ("red" if row.status == "overdue" else "")
        marker = " (next)" if row.current else ""
        cells = [row.label, row.date.isoformat(), row.phase or "-", row.focus, row.status + marker]
        table.add_row(*cells, style=style)
        rows.append([*map(terminal_safe, cells), style])
    shown = PlanRows(title, table, rows) if rows else table
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import risk_lines, strategy_lines

    covered: list[RenderableType] = []
    if plan.strategies:
        covered.append(_text("Strategies covered:", style="bold"))
        covered += [_text(f"  {line}", overflow="fold") for line in strategy_lines(plan.strategies)]
    lines = [] if plan.risk is None else risk_lines(plan.risk)
    styled = [
        _text(line, style="bold red" if line.startswith(("HIGH", "SAFETY")) else "")
        for line in lines
    ]
    return Group(*styled, shown, *covered)


def agenda_view(agenda: Agenda, self_guided: bool = False) -> RenderableType:
    """The agenda: unreviewed flags first, then every item (never cut short), then what the
    record shows as done."""
    parts: list[RenderableType] = []
    if agenda.risk is not None and agenda.risk.banner:
        parts.append(high_risk_panel(agenda.risk.banner))
    if agenda.safety:
        parts.append(_flags_panel(agenda.safety, agenda.review_commands, self_guided))
    parts.append(_text(f"Agenda for {agenda.course_id}: {agenda.count}", style="bold"))
    parts.append(_text(f"{agenda.date.isoformat()} - {agenda.phase} phase"))
    if agenda.risk is not None:
        parts += [_text(line) for line in agenda.risk.status_lines]
    if agenda.alerts:
        parts += _alerts_panels(agenda.screen_alerts, agenda.outcome_alerts)
    if agenda.carry_over:
        parts.append(_text("Carried over:", style="bold"))
        parts += [_text(f"  - {item}", overflow="fold") for item in agenda.carry_over]
    parts.append(_text("Items:", style="bold"))
    items = FoldingTable.grid(padding=(0, 1))
    items.add_column(justify="right", min_width=4)
    items.add_column()
    for number, item in enumerate(agenda.items, 1):
        items.add_row(f"{number}.", item)
    parts.append(items)
    if agenda.left_out:
        # lazy: keeps the models (pydantic) and the shared wording off start-up
        from ipt_cli.views.wording import left_out_line

        parts.append(_text(left_out_line(agenda), style="dim", overflow="fold"))
    if agenda.done:
        parts.append(_text("Already done (from the record):", style="bold"))
        done = FoldingTable.grid(padding=(0, 1))
        done.add_column(justify="right", min_width=4)
        done.add_column()
        for item in agenda.done:
            done.add_row("[x]", item)
        parts.append(done)
    return Group(*parts)


def list_view(
    rows: list[CourseRow], today: dt.date, width: int, sign_within_days: int = 3
) -> RenderableType:
    """The lines of views/listing.py, coloured: already fitted to `width`, so print them
    with soft wrap, never re-wrapped. Into a pipe `ipt list` writes the same lines plain."""
    # lazy: keeps views.listing off `ipt report ab`
    from ipt_cli.views.listing import list_lines

    ascii_only = not out().encoding.startswith("utf")
    text = Text()
    for line, style in list_lines(rows, today, width, ascii_only, sign_within_days):
        text.append(line + "\n", style=style)
    text.rstrip()
    return text


RING_NAMES = {1: "inner ring (closest)", 2: "middle ring", 3: "outer ring"}


def closeness_circle(people: list[Person]) -> RenderableType:
    """People grouped on three nested rings, the client at the centre."""
    if not people:
        return _text("The inventory is empty. Add people with: ipt inventory add COURSE_ID")
    numbered = list(enumerate(people, 1))
    inner: RenderableType = _text("  ( client )  ", style="bold", justify="center")
    for ring in (1, 2, 3):
        names = [
            f"{n}. {p.name}" + (f" [{', '.join(p.tags)}]" if p.tags else "")
            for n, p in numbered
            if p.ring == ring
        ]
        label = _text("\n".join(names) or "(nobody)", justify="center")
        inner = _panel(Group(inner, label), title=RING_NAMES[ring], box=box.ROUNDED, padding=(0, 2))
    return inner


def inventory_view(people: list[Person]) -> RenderableType:
    circle = closeness_circle(people)
    if not people:
        return circle
    table = FoldingTable(
        "#",
        "Person",
        "Relationship",
        "Ring",
        "Contact",
        "Expectations",
        "Tags",
        box=box.SIMPLE_HEAD,
        title="Interpersonal inventory",
    )
    for number, person in enumerate(people, 1):
        met = {None: "-", True: "met", False: "unmet"}[person.expectations_met]
        table.add_row(
            str(number),
            person.name,
            person.relationship or "-",
            str(person.ring),
            person.contact or "-",
            met,
            ", ".join(person.tags) or "-",
        )
    return Group(circle, table)


def timeline_view(events: list[TimelineEvent]) -> RenderableType:
    if not events:
        return _text("The timeline is empty. Add events with: ipt timeline add COURSE_ID")
    table = FoldingTable("Date", "Event", "Mood", box=box.SIMPLE_HEAD, title="Timeline")
    for event in events:
        table.add_row(event.when, event.event, event.mood or "-")
    return table


def goals_view(course: Course) -> RenderableType:
    table = FoldingTable(
        "Goal id",
        "Goal",
        "Area",
        "Latest rating",
        box=box.SIMPLE_HEAD,
        title=f"Goals of {course.id}",
    )
    for goal in course.goals:
        ratings = [s.goal_ratings[goal.id] for s in course.sessions if goal.id in s.goal_ratings]
        retired = f" (retired {goal.retired.isoformat()})" if goal.retired else ""
        table.add_row(
            goal.id, goal.text + retired, goal.area or "-", str(ratings[-1]) if ratings else "-"
        )
    return table


def formulation_view(course: Course) -> RenderableType:
    if course.formulation is None:
        return _text(
            f"No formulation yet. Write one with: ipt formulation {course.id} --draft --edit"
        )
    state = "agreed" if course.formulation.agreed else "not yet agreed"
    return _panel(
        _text(course.formulation.text),
        title=f"Formulation ({state}, {course.formulation.date.isoformat()})",
    )


def report_text(report: Report, width: int = 80) -> str:
    """The text report as plain characters (for --output): no colour, fixed width."""
    console = SafeConsole(
        file=StringIO(),
        width=width,
        no_color=True,
        highlight=False,
        markup=False,
        emoji=False,
        color_system=None,
    )
    return rendered(report_renderable(report), console=console)


def findings_view(findings: list[Finding], root: Path) -> RenderableType:
    """The config files as lines, each path whole (never folded in a column), then a table
    of every other finding."""
    style = {"ok": "green", "warning": "yellow", "error": "bold red"}
    settings = [f for f in findings if f.kind == "settings"]
    lines: list[RenderableType] = [_text(f"ipt doctor: {root}", style="bold")]
    for finding in settings:
        lines.append(_text(f"{finding.status}: {finding.path}", style=style[finding.status]))
        lines.append(Padding(_text(finding.problem), (0, 0, 0, 4)))
    table = FoldingTable("Status", "File", "Finding", "Fixed", box=box.SIMPLE_HEAD)
    for finding in (f for f in findings if f.kind != "settings"):
        shown = (
            finding.path.relative_to(root) if finding.path.is_relative_to(root) else finding.path
        )
        table.add_row(
            _text(finding.status, style=style[finding.status]),
            _text(str(shown) if str(shown) != "." else "(data folder)", overflow="fold"),
            finding.problem,
            finding.fixed or "-",
        )
    return Group(*lines, table)


def _srm_bar(score: float | None, width: int = 21) -> str:
    if score is None:
        return "·" * width + "   -"
    filled = round(score / 7 * width)
    return "█" * filled + "·" * (width - filled) + f" {score:4.1f}"


def rhythm_view(report: RhythmReport) -> RenderableType:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import (
        RHYTHM_HEADER,
        TARGET_HEADER,
        no_targets_line,
        rhythm_day_cells,
        rhythm_footnotes,
        rhythm_week_words,
        target_rows,
    )

    title = f"Social rhythm log for {report.course_id}: {report.total_days} days logged"
    if not report.weeks:
        return _panel(Text("Nothing logged yet."), title=title, box=box.ROUNDED)
    chart = FoldingTable.grid(padding=(0, 2))
    for week in report.weeks:
        mood = "-" if week.mood is None else f"{week.mood:+.1f}"
        chart.add_row(
            f"{week.start.isoformat()}..{week.end.strftime('%m-%d')}",
            _srm_bar(week.srm),
            f"mood {mood}",
        )
    parts: list[RenderableType] = [
        _panel(chart, title="Regularity by week (SRM, 0-7)", box=box.ROUNDED)
    ]
    for week in report.weeks:
        table = FoldingTable(
            *RHYTHM_HEADER,
            box=box.SIMPLE_HEAD,
            title=f"Week {week.start.isoformat()} to {week.end.isoformat()}",
        )
        for cells in rhythm_day_cells(week):
            table.add_row(*cells)
        parts += [table, Padding(Text(rhythm_week_words(week)), (0, 0, 0, 2))]
        rows = target_rows(week)
        if rows:
            targets = FoldingTable(*TARGET_HEADER, box=box.SIMPLE_HEAD, title="Against the targets")
            for cells in rows:
                targets.add_row(*cells)
            parts.append(targets)
    missing = no_targets_line(report)
    if missing:
        parts.append(Padding(Text(missing), (1, 2, 0, 2)))
    for mark, text in rhythm_footnotes(report):
        parts.append(Padding(Text(f"{mark}: {text}"), (0, 2)))
    return Group(Text(title, style="bold"), *parts)


def life_chart_view(chart: LifeChart) -> RenderableType:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import life_chart_lines

    lines = life_chart_lines(chart)
    return Group(Text(lines[0], style="bold"), Text("\n".join(lines[1:])))


def group_agenda_view(agenda: GroupAgenda) -> RenderableType:
    parts: list[RenderableType] = []
    flagged = [m for m in agenda.members if m.alerts]
    if flagged:
        labels = [f"{m.course_id}: {flag}" for m in flagged for flag in m.alerts]
        commands = [c for m in flagged for c in m.review_commands]
        parts.append(_flags_panel(labels, commands, False))
    held = " (held)" if agenda.held else ""
    head = (
        f"Agenda for group {agenda.group_id}: session {agenda.number} of {agenda.planned}\n"
        f"{agenda.date.isoformat()} - {agenda.phase} phase{held}"
    )
    items = "\n".join(f"{n:>3}. {item}" for n, item in enumerate(agenda.items, 1))
    parts += [Text(head, style="bold"), Text(items)]
    members = FoldingTable(
        "Member", "Client", "Problem areas", "Risk", "Flags", box=box.SIMPLE_HEAD
    )  # the Risk and Flags columns as `ipt list` words them
    for m in agenda.members:
        members.add_row(m.course_id, m.client, ", ".join(m.areas), m.level_cell, m.flags_cell)
    parts.append(members)
    return Group(*parts)


def group_report_view(report: GroupReport) -> RenderableType:
    # lazy: keeps the models (pydantic) and the shared wording off start-up
    from ipt_cli.views.wording import (
        group_follow_up,
        group_grid,
        group_outcome_rows,
        group_summary_lines,
    )

    parts: list[RenderableType] = [
        _panel(
            Text("\n".join(group_summary_lines(report))),
            title=f"Group IPT report: {report.group.id}",
            box=box.ROUNDED,
        )
    ]
    header, rows = group_grid(report)
    grid = FoldingTable(*header, box=box.SIMPLE_HEAD, title="Attendance (P present, A absent)")
    for row in rows:
        grid.add_row(*row)
    outcomes = FoldingTable(
        "Member", "PHQ-9 (pre, G1..)", "Response", "Remission", box=box.SIMPLE_HEAD,
        title="PHQ-9 and outcome",
    )  # fmt: skip
    for row in group_outcome_rows(report):
        outcomes.add_row(*row)
    follow = group_follow_up(report)
    parts += [
        grid,
        outcomes,
        _panel(Text("\n".join(follow) or "none"), title="Follow-up", box=box.ROUNDED),
    ]
    return Group(*parts)
