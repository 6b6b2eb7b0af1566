"""The text report's charts (views/terminal.py `Chart`): every administration has its row,
the columns line up, a long course is drawn as fast as its lines, and the drawing is the one
a Rich Table (no box, cell padding (0, 1)) in a Panel gave before the chart drew itself.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table

from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.models import Course, Maintenance, TimelineEvent
from ipt_cli.core.progress import MeasureSummary, build_report
from ipt_cli.views import terminal
from ipt_cli.views.console import SafeConsole
from tests.unit.builders import START, TODAY, course, gad7, phq9, session, week

ROW = re.compile(r"^│  (\S+) +(\d{4}-\d\d-\d\d)  ([█·]+) +(\d+) +(\S.*?)? *│$")


def long_course(maintenance: int, acute: int = 16, top: int = 5) -> Course:
    """`acute` weekly sessions, a PHQ-9 and a GAD-7 at each, then `maintenance` weekly
    maintenance sessions with a PHQ-9 of each total below `top` in turn (with the default,
    no flag, warning or relapse: a long course differs from a short one only in length)."""
    held = [
        session(week(n), phq9=phq9(max(20 - n, 0)), gad7=gad7(max(15 - n, 0)))
        for n in range(1, acute + 1)
    ]
    opened = week(acute)
    plan = Maintenance(
        opened=opened,
        start_date=opened + dt.timedelta(weeks=1),
        planned_sessions=min(max(maintenance, 1), 500),
        cadence="weekly",
        sessions=[
            session(opened + dt.timedelta(weeks=n), phq9=phq9(n % top))
            for n in range(1, maintenance + 1)
        ],
    )
    return course(planned=acute, areas=("role-transition",), sessions=held, maintenance=plan)


def draw(renderable: object, width: int = 80, colour: bool = False, ascii: bool = False) -> str:
    buffer: io.StringIO = _Ascii() if ascii else io.StringIO()
    console = SafeConsole(
        file=buffer,
        width=width,
        highlight=False,
        markup=False,
        legacy_windows=False,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
    )
    console.print(renderable)
    return buffer.getvalue()


class _Ascii(io.StringIO):
    encoding = "ascii"


def chart_lines(text: str, title: str) -> list[str]:
    """The lines of the chart titled `title`, between its top and bottom border."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if f" {title} " in line)
    end = next(n for n in range(start + 1, len(lines)) if lines[n].startswith("╰"))
    return lines[start + 1 : end]


def test_every_maintenance_session_has_its_row_with_aligned_columns() -> None:
    report = build_report(long_course(400, top=28), TODAY)
    rows = chart_lines(terminal.report_text(report), "PHQ-9 in maintenance")
    assert len(rows) == 400
    matches = [ROW.match(row) for row in rows]
    assert all(matches), [row for row, m in zip(rows, matches, strict=True) if not m][:3]
    assert [m.group(1) for m in matches if m] == [f"m{n}" for n in range(1, 401)]
    assert {len(row) for row in rows} == {80}
    for group in (2, 3, 4, 5):  # every column starts where it does in the first row
        assert len({m.start(group) for m in matches if m and m.group(group)}) == 1
    series = report.maintenance_measures["phq9"].series
    assert [int(m.group(4)) for m in matches if m] == [p.total for p in series]
    assert [m.group(3).count("█") for m in matches if m] == [
        round(p.total / 27 * terminal.BAR_WIDTH) for p in series
    ]
    assert [m.group(5) for m in matches if m] == [p.severity for p in series]


def test_a_long_course_reads_like_a_short_one() -> None:
    """The same sections in the same order; one more chart row a session, nothing else."""
    short, long = (
        terminal.report_text(build_report(long_course(n), TODAY)).splitlines() for n in (3, 300)
    )
    assert [line for line in short if line[:1] in "╭╔"] == [
        line for line in long if line[:1] in "╭╔"
    ]
    assert len(long) - len(short) == 297
    assert max(len(line) for line in long) == max(len(line) for line in short) == 80
    for lines in (short, long):
        rows = [line for line in lines if line.startswith("│  m")]
        assert rows and all(ROW.match(row) for row in rows)


def _rich_chart(summary: MeasureSummary, events: list[TimelineEvent], title: str) -> Panel:
    """The chart as it was drawn before: a Rich Table in a Panel (the reference)."""

    class Bar:
        def __init__(self, filled: int, style: str) -> None:
            self.filled, self.style = filled, style

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            full, empty = ("#", ".") if options.ascii_only else ("█", "·")
            text = full * self.filled + empty * (terminal.BAR_WIDTH - self.filled)
            yield Segment(text, Style.parse(self.style))

        def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
            return Measurement(terminal.BAR_WIDTH, terminal.BAR_WIDTH)

    top = INSTRUMENTS[summary.instrument].total_max
    chart = Table(box=None, show_header=False, padding=(0, 1))
    pending = sorted(events, key=lambda e: e.date)
    pending = [e for e in pending if e.date >= summary.series[0].date]
    for point in summary.series:
        while pending and pending[0].date < point.date:
            event = pending.pop(0)
            text = terminal._text(f"* {event.event}", style="cyan")
            chart.add_row("", event.date.isoformat(), text, "", "")
        filled = round(point.total / top * terminal.BAR_WIDTH)
        bar = Bar(filled, terminal.SEVERITY_STYLE.get(point.severity or "", ""))
        label = "base" if point.session == 0 else f"S{point.session}"
        chart.add_row(label, point.date.isoformat(), bar, str(point.total), point.severity or "")
    return Panel(chart, title=title, box=box.ROUNDED)


EVENTS = [
    TimelineEvent(date=START - dt.timedelta(days=30), event="Before the first score: not shown"),
    TimelineEvent(date=week(2), event="Moved house"),
    TimelineEvent(date=week(3) + dt.timedelta(days=2), event="Wide 漢字漢字 text\nand a new line"),
    TimelineEvent(
        date=week(3) + dt.timedelta(days=1),
        event="A long event that wraps inside the bars' column, word by word, " * 2,
    ),
]


@pytest.mark.parametrize("width", [80, 100, 132])
@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("ascii", [False, True])
@pytest.mark.parametrize("events", [[], EVENTS])
def test_the_chart_is_drawn_as_the_rich_table_drew_it(
    width: int, colour: bool, ascii: bool, events: list[TimelineEvent]
) -> None:
    summary = build_report(long_course(0, acute=12), TODAY).measures["phq9"]
    title = "PHQ-9 by session"
    expected = draw(_rich_chart(summary, events, title), width, colour, ascii)
    assert draw(terminal._chart(summary, events, title), width, colour, ascii) == expected


def test_life_events_are_shown_whole_between_their_sessions() -> None:
    summary = build_report(long_course(0, acute=6), TODAY).measures["phq9"]
    lines = draw(terminal._chart(summary, EVENTS, "PHQ-9 by session")).splitlines()
    text = " ".join(line.strip("│ ") for line in lines)
    assert "Before the first score" not in text
    order = [text.index(word) for word in ("S2 ", "Moved house", "S3 ", "A long", "Wide", "S4 ")]
    assert order == sorted(order)
    words = " ".join(EVENTS[3].event.split())
    assert words in " ".join(" ".join(line.strip("│ ") for line in lines).split())


@pytest.mark.parametrize("width", [60, 70, 76])
def test_a_narrower_terminal_shortens_the_bars_and_keeps_a_row_a_line(width: int) -> None:
    summary = build_report(long_course(0), TODAY).measures["phq9"]
    lines = draw(terminal._chart(summary, [], "PHQ-9 by session"), width).splitlines()
    assert {len(line) for line in lines} == {width}
    rows = [ROW.match(line) for line in lines[1:-1]]
    assert all(rows) and len(rows) == len(summary.series)
    # label, date, total and severity keep their width; the bars have what is left
    cells = width - 4 - (len("S16") + 10 + 2 + len("moderately severe") + 2 * 5)
    for row, point in zip(rows, summary.series, strict=True):
        assert row is not None
        assert (row.group(2), int(row.group(4))) == (point.date.isoformat(), point.total)
        assert row.group(5) == point.severity
        assert len(row.group(3)) == cells
        assert row.group(3).count("█") == round(point.total / 27 * cells)


@pytest.mark.parametrize("width", [40, 50])
def test_a_narrow_terminal_wraps_the_severity_and_cuts_no_number(width: int) -> None:
    summary = build_report(long_course(0), TODAY).measures["phq9"]
    lines = draw(terminal._chart(summary, [], "PHQ-9 by session"), width).splitlines()
    assert {len(line) for line in lines} == {width}
    text = " ".join(line.strip("│ ") for line in lines[1:-1])
    for point in summary.series:
        label = f"S{point.session}"
        assert re.search(rf"{label} +{point.date.isoformat()} +[█·]* *{point.total} ", text)
    severities = [line for line in lines if "moderately" in line or "severe" in line]
    assert not any("moderately severe" in line for line in severities)  # wrapped
    assert len(severities) == 2 * sum(p.severity == "moderately severe" for p in summary.series)


def test_a_2000_session_report_shows_every_row() -> None:
    report = build_report(long_course(2000), TODAY)
    rows = chart_lines(terminal.report_text(report), "PHQ-9 in maintenance")
    assert [row.split()[1] for row in rows] == [f"m{n}" for n in range(1, 2001)]


def test_a_word_too_long_for_its_column_is_folded_never_cut() -> None:
    """In a narrow terminal a table's cell wraps, and a long word folds onto the next line:
    no severity or outcome word is shortened with an ellipsis (Rich's default)."""
    from io import StringIO

    from ipt_cli.views.console import FoldingTable, SafeConsole

    table = FoldingTable("Measure", "Severity", "Reliable")
    table.add_row("PHQ-9", "moderately severe", "deterioration")
    buffer = StringIO()
    SafeConsole(file=buffer, width=24, color_system=None).print(table)
    drawn = buffer.getvalue()
    assert "…" not in drawn
    body = [line.split("│") for line in drawn.splitlines() if line.startswith("│")]
    assert "".join(cells[3].strip() for cells in body) == "deterioration"
    assert " ".join(c[2].strip() for c in body if c[2].strip()) == "moder ately sever e"
