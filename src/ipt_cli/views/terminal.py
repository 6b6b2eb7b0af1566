"""Rich renderings for the terminal: each `*_view` returns a renderable that
`views.output.Output.show` draws (the consoles themselves are in console.py).

Imported lazily so that `ipt --help` never pays for Rich. NO_COLOR and
non-terminal output are handled by Rich's Console (plain text, 80 columns when piped).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ipt_cli.core import catalogue
from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.views.console import SafeConsole, err, out
from ipt_cli.views.text_safety import terminal_safe

if TYPE_CHECKING:  # only for annotations: `ipt list` must not pay for the models
    from ipt_cli.core.course_row import CourseRow
    from ipt_cli.core.group import GroupAgenda, GroupReport
    from ipt_cli.core.models import Course, Person, TimelineEvent
    from ipt_cli.core.planning import Agenda, Plan
    from ipt_cli.core.progress import MeasureSummary, Report
    from ipt_cli.core.rhythm import RhythmReport
    from ipt_cli.store.doctor import Finding

BAR_WIDTH = 30
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


def _text(text: str, style: str = "", **options: Any) -> Text:
    """A Rich Text of user (or catalogue) text, neutralised for the terminal first, so
    that widths are measured on what is shown (SafeConsole also neutralises as a net)."""
    return Text(terminal_safe(text), style=style, **options)


def emit(renderable: RenderableType, soft_wrap: bool = False) -> None:
    """Print data to stdout (through `views.output.Output.show`)."""
    out().file.write(rendered(renderable, soft_wrap))


def rendered(renderable: RenderableType, soft_wrap: bool = False) -> str:
    """Exactly what `emit` writes: escape codes for a terminal; into a pipe or file, plain
    text without the trailing spaces Rich pads table lines with."""
    console = out()
    with console.capture() as capture:
        console.print(renderable, soft_wrap=soft_wrap)
    text = capture.get()
    return text if console.is_terminal else _without_trailing_spaces(text)


def _without_trailing_spaces(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n"))


def rule(title: str) -> RenderableType:
    from rich.rule import Rule

    return Rule(title)


def notice(message: str, style: str = "yellow") -> None:
    err().print(_text(message, style=style))


def safety_notice(lines: list[str], self_guided: bool) -> None:
    body = "\n".join([catalogue.SAFETY_NOTICE, *lines])
    if self_guided:
        body += "\n\n" + catalogue.CRISIS_GUIDANCE
    err().print(Panel(_text(body), title="SAFETY", border_style="bold red", box=box.HEAVY))


def _flags_panel(labels: list[str], commands: list[str], self_guided: bool) -> Panel:
    body = "\n".join(f"! {label}" for label in labels)
    body += "\nRecord a review with:" + "".join(f"\n  {command}" for command in commands)
    if self_guided:
        body += "\n\n" + catalogue.CRISIS_GUIDANCE
    return Panel(
        _text(body, style="bold red"),
        title="UNREVIEWED SAFETY FLAGS",
        border_style="bold red",
        box=box.HEAVY,
    )


def _alerts_panel(texts: list[str]) -> Panel:
    return Panel(
        _text("\n".join(f"! {text}" for text in texts), style="bold dark_orange"),
        title="OUTCOME WARNINGS",
        border_style="bold dark_orange",
        box=box.HEAVY,
    )


class Bar:
    """A bar of BAR_WIDTH cells, `filled` of them full; in ASCII ('#' and '.') when the
    output's encoding is not Unicode (Rich's own boxes fall back to ASCII there too)."""

    def __init__(self, filled: int, style: str) -> None:
        self.filled, self.style = filled, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        full, empty = ("#", ".") if options.ascii_only else ("█", "·")
        yield Segment(
            full * self.filled + empty * (BAR_WIDTH - self.filled), Style.parse(self.style)
        )

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(BAR_WIDTH, BAR_WIDTH)


def _chart(
    summary: MeasureSummary, events: list[TimelineEvent], maintenance: bool = False
) -> Table:
    """A horizontal bar per administration, scaled to the instrument's maximum, with the
    timeline's life events marked between the sessions they fell between."""
    top = INSTRUMENTS[summary.instrument].total_max
    chart = Table(box=None, show_header=False, padding=(0, 1))
    pending = sorted(events, key=lambda e: e.date)
    first_date = summary.series[0].date if summary.series else None
    pending = [e for e in pending if first_date is None or e.date >= first_date]
    for point in summary.series:
        while pending and pending[0].date < point.date:
            event = pending.pop(0)
            chart.add_row(
                "", event.date.isoformat(), _text(f"* {event.event}", style="cyan"), "", ""
            )
        bar = Bar(
            round(point.total / top * BAR_WIDTH), SEVERITY_STYLE.get(point.severity or "", "")
        )
        label = "base" if point.session == 0 else f"S{point.session}"
        label = f"m{point.session}" if maintenance else label
        chart.add_row(label, point.date.isoformat(), bar, str(point.total), point.severity or "")
    return chart


def _header(report: Report) -> Panel:
    from ipt_cli.views.documents import (
        assessment_lines,
        condition_line,
        phase_text,
        record_header,
    )

    course = report.course
    next_date = "none"
    if report.next_date:
        next_date = report.next_date.isoformat()
        if report.next_date < report.today:
            next_date += " (OVERDUE)"
    header = Table.grid(padding=(0, 2))
    header.add_row(
        "Course",
        f"{course.id} ({course.kind})"
        + (f", archived {course.archived.isoformat()}" if course.archived else ""),
    )
    header.add_row("Client", course.client)
    header.add_row("Start", course.start_date.isoformat())
    header.add_row("Phase", phase_text(report))
    header.add_row("Held", f"{report.sessions_recorded} of {course.planned_sessions}")
    header.add_row("Next session", next_date)
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
    return Panel(header, title="IPT progress report", box=box.ROUNDED)


def _eating(report: Report) -> list[RenderableType]:
    """Binge episodes per week as bars, the counts, and the change and abstinence notes."""
    from ipt_cli.views.documents import EATING_HEADER, eating_notes, eating_rows

    eating = report.eating
    if eating is None:
        return []
    table = Table(*EATING_HEADER, box=box.SIMPLE_HEAD)
    for row in eating_rows(eating):
        table.add_row(*row)
    rates = [w.binges_per_week for w in eating.weeks if w.binges_per_week is not None]
    top = max(rates, default=0) or 1
    chart = Table(box=None, show_header=False, padding=(0, 1))
    for week in eating.weeks:
        if week.binges_per_week is None:
            continue
        filled = round(week.binges_per_week / top * BAR_WIDTH)
        label = "base" if week.session == 0 else f"S{week.session}"
        bar = _text("█" * filled + "·" * (BAR_WIDTH - filled), style="" if filled else "green")
        chart.add_row(label, week.date.isoformat(), bar, f"{week.binges_per_week:g}/wk")
    body: list[RenderableType] = [table, chart]
    body += [_text(note) for note in eating_notes(eating)]
    return [Panel(Group(*body), title="Binge episodes per week", box=box.ROUNDED)]


def _measures(report: Report) -> list[RenderableType]:
    from ipt_cli.views.documents import measure_notes, measure_row

    table = Table(*MEASURE_COLUMNS, box=box.SIMPLE_HEAD, title="Measures")
    table.columns[-1].min_width = len("DETERIORATION")  # never cut the direction
    for summary in report.measures.values():
        table.add_row(*measure_row(summary))
    parts: list[RenderableType] = [table]
    parts += [_text(f"  {note}") for note in measure_notes(report.measures)]
    for summary in report.measures.values():
        if summary.series:
            parts.append(
                Panel(
                    _chart(summary, report.course.timeline),
                    title=f"{summary.name} by session",
                    box=box.ROUNDED,
                )
            )
    return parts


def _maintenance(report: Report) -> list[RenderableType]:
    from ipt_cli.views.documents import MAINTENANCE_HEADER, maintenance_heading, maintenance_row

    heading = maintenance_heading(report)
    if heading is None:
        return []
    block = Table(*MAINTENANCE_HEADER, box=box.SIMPLE_HEAD)
    for summary in report.maintenance_measures.values():
        block.add_row(*maintenance_row(summary))
    parts: list[RenderableType] = [
        Panel(Group(_text(heading), block), title="Maintenance", box=box.ROUNDED)
    ]
    for summary in report.maintenance_measures.values():
        parts.append(
            Panel(
                _chart(summary, report.course.timeline, maintenance=True),
                title=f"{summary.name} in maintenance",
                box=box.ROUNDED,
            )
        )
    return parts


def _goals_and_work(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if report.goals:
        goals = Table("Goal", "Ratings (0-10)", "Latest", box=box.SIMPLE_HEAD, title="Goals")
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
    if report.tasks:
        tasks = Table("#", "Between-session task", "Outcome", box=box.SIMPLE_HEAD, title="Tasks")
        for row in report.tasks:
            tasks.add_row(str(row.session), row.task, row.outcome or "-")
        parts.append(tasks)
    from ipt_cli.views.documents import attendance_rows

    attendance = attendance_rows(report.course)
    if attendance:
        table = Table("#", "Date", "Attended", box=box.SIMPLE_HEAD, title="Attendance")
        for cells in attendance:
            table.add_row(*cells)
        parts.append(table)
    return parts


def _termination(report: Report) -> list[RenderableType]:
    if not report.checklist:
        return []
    lines = [f"[{'x' if item.done else ' '}] {item.text}" for item in report.checklist]
    open_count = len(report.open_items)
    title = "Termination checklist" + (f" ({open_count} open)" if open_count else " (done)")
    return [Panel(_text("\n".join(lines)), title=title, box=box.ROUNDED)]


def _ending(report: Report) -> list[RenderableType]:
    from ipt_cli.views.documents import end_of_course_text, ending_title, shows_ending

    if not shows_ending(report):
        return []
    return [Panel(_text(end_of_course_text(report)), title=ending_title(report), box=box.DOUBLE)]


def _reviews(report: Report) -> list[RenderableType]:
    from ipt_cli.views.documents import review_lines

    reviews = review_lines(report)
    if not reviews:
        return []
    body: list[RenderableType] = []
    for head, lines in reviews:
        body.append(_text(f"Reviewed: {head}", style="bold"))
        body += [Padding(_text(line), (0, 0, 0, 2)) for line in lines]
    return [Panel(Group(*body), title="Risk reviews", box=box.ROUNDED)]


def high_risk_panel(banner: str) -> Panel:
    """A standing high risk: shown on the agenda and the report until a review lowers it."""
    return Panel(
        _text(banner, style="bold red"), title="HIGH RISK", border_style="bold red", box=box.HEAVY
    )


def _record(report: Report) -> list[RenderableType]:
    from ipt_cli.views.documents import record_sections

    return [
        Panel(_text("\n".join(lines)), title=heading, box=box.ROUNDED)
        for heading, lines in record_sections(report)
    ]


def report_renderable(report: Report) -> RenderableType:
    from ipt_cli.views.documents import high_risk_banner

    course = report.course
    parts: list[RenderableType] = []
    banner = high_risk_banner(report)
    if banner:
        parts.append(high_risk_panel(banner))
    if report.unreviewed_flags:
        from ipt_cli.core.safety import review_command

        flags = report.unreviewed_flags
        commands = list(dict.fromkeys(review_command(course.id, f) for f in flags))
        parts.append(_flags_panel([f.label for f in flags], commands, course.kind == "self-guided"))
    if report.alerts:
        parts.append(_alerts_panel([a.text for a in report.alerts]))
    parts.append(_header(report))
    if course.formulation:
        agreed = "agreed" if course.formulation.agreed else "not yet agreed"
        parts.append(Panel(_text(course.formulation.text), title=f"Formulation ({agreed})"))
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
    from rich.markdown import Markdown

    return Markdown(text)


def plan_view(plan: Plan) -> RenderableType:
    """The plan's table (its notes, if any, are for Output.notice)."""
    title = f"Plan for {plan.course_id}: {plan.held} of {plan.planned} held"
    if plan.maintenance_planned is not None:
        title += f"; maintenance {plan.maintenance_held} of {plan.maintenance_planned} held"
    table = Table(box=box.SIMPLE_HEAD, expand=True, title=title)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Focus", ratio=1)
    table.add_column("Status", no_wrap=True)
    for row in plan.rows:
        style = "bold reverse" if row.current else ("red" if row.status == "overdue" else "")
        marker = " (next)" if row.current else ""
        table.add_row(
            row.label,
            row.date.isoformat(),
            row.phase or "-",
            row.focus,
            row.status + marker,
            style=style,
        )
    return table


def agenda_view(agenda: Agenda, self_guided: bool = False) -> RenderableType:
    """The agenda: unreviewed flags first, then every item (never cut short), then what the
    record shows as done."""
    parts: list[RenderableType] = []
    if agenda.safety:
        parts.append(_flags_panel(agenda.safety, agenda.review_commands, self_guided))
    parts.append(_text(f"Agenda for {agenda.course_id}: {agenda.count}", style="bold"))
    parts.append(_text(f"{agenda.date.isoformat()} - {agenda.phase} phase"))
    if agenda.carry_over:
        parts.append(_text("Carried over:", style="bold"))
        parts += [_text(f"  - {item}", overflow="fold") for item in agenda.carry_over]
    parts.append(_text("Items:", style="bold"))
    items = Table.grid(padding=(0, 1))
    items.add_column(justify="right", min_width=4)
    items.add_column()
    for number, item in enumerate(agenda.items, 1):
        items.add_row(f"{number}.", item)
    parts.append(items)
    if agenda.done:
        parts.append(_text("Already done (from the record):", style="bold"))
        done = Table.grid(padding=(0, 1))
        done.add_column(justify="right", min_width=4)
        done.add_column()
        for item in agenda.done:
            done.add_row("[x]", item)
        parts.append(done)
    return Group(*parts)


def list_view(rows: list[CourseRow], today: dt.date, width: int) -> RenderableType:
    """The lines of views/listing.py, coloured: already fitted to `width`, so print them
    with soft wrap, never re-wrapped. Into a pipe `ipt list` writes the same lines plain."""
    from ipt_cli.views.listing import list_lines

    ascii_only = not out().encoding.startswith("utf")
    text = Text()
    for line, style in list_lines(rows, today, width, ascii_only):
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
        inner = Panel(Group(inner, label), title=RING_NAMES[ring], box=box.ROUNDED, padding=(0, 2))
    return inner


def inventory_view(people: list[Person]) -> RenderableType:
    circle = closeness_circle(people)
    if not people:
        return circle
    table = Table(
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
    table = Table("Date", "Event", "Mood", box=box.SIMPLE_HEAD, title="Timeline")
    for event in events:
        table.add_row(event.date.isoformat(), event.event, event.mood or "-")
    return table


def goals_view(course: Course) -> RenderableType:
    table = Table(
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
    return Panel(
        _text(course.formulation.text),
        title=f"Formulation ({state}, {course.formulation.date.isoformat()})",
    )


def report_text(report: Report, width: int = 80) -> str:
    """The text report as plain characters (for --output): no colour, fixed width."""
    from io import StringIO

    buffer = StringIO()
    console = SafeConsole(
        file=buffer,
        width=width,
        no_color=True,
        highlight=False,
        markup=False,
        emoji=False,
        color_system=None,
    )
    console.print(report_renderable(report))
    return _without_trailing_spaces(buffer.getvalue())


def findings_view(findings: list[Finding], root: Path) -> RenderableType:
    table = Table(
        "Status", "File", "Finding", "Fixed", box=box.SIMPLE_HEAD, title=f"ipt doctor: {root}"
    )
    style = {"ok": "green", "warning": "yellow", "error": "bold red"}
    for finding in findings:
        shown = (
            finding.path.relative_to(root) if finding.path.is_relative_to(root) else finding.path
        )
        table.add_row(
            _text(finding.status, style=style[finding.status]),
            _text(str(shown) if str(shown) != "." else "(data folder)", overflow="fold"),
            finding.problem,
            finding.fixed or "-",
        )
    return table


def _srm_bar(score: float | None, width: int = 21) -> str:
    if score is None:
        return "·" * width + "   -"
    filled = round(score / 7 * width)
    return "█" * filled + "·" * (width - filled) + f" {score:4.1f}"


def rhythm_view(report: RhythmReport) -> RenderableType:
    from ipt_cli.views.documents import RHYTHM_HEADER, rhythm_day_cells, rhythm_week_words

    title = f"Social rhythm log for {report.course_id}: {report.total_days} days logged"
    if not report.weeks:
        return Panel(Text("Nothing logged yet."), title=title, box=box.ROUNDED)
    chart = Table.grid(padding=(0, 2))
    for week in report.weeks:
        mood = "-" if week.mood is None else f"{week.mood:+.1f}"
        chart.add_row(
            f"{week.start.isoformat()}..{week.end.strftime('%m-%d')}",
            _srm_bar(week.srm),
            f"mood {mood}",
        )
    parts: list[RenderableType] = [
        Panel(chart, title="Regularity by week (SRM, 0-7)", box=box.ROUNDED)
    ]
    for week in report.weeks:
        table = Table(
            *RHYTHM_HEADER,
            box=box.SIMPLE_HEAD,
            title=f"Week {week.start.isoformat()} to {week.end.isoformat()}",
        )
        for cells in rhythm_day_cells(week):
            table.add_row(*cells)
        parts += [table, Padding(Text(rhythm_week_words(week)), (0, 0, 0, 2))]
    parts.append(Padding(Text("!: more than 45 minutes from the week's habitual time."), (0, 2)))
    return Group(Text(title, style="bold"), *parts)


def group_agenda_view(agenda: GroupAgenda) -> RenderableType:
    parts: list[RenderableType] = []
    flagged = [m for m in agenda.members if m.flags]
    if flagged:
        labels = [f"{m.course_id}: {flag}" for m in flagged for flag in m.flags]
        commands = [c for m in flagged for c in m.review_commands]
        parts.append(_flags_panel(labels, commands, False))
    held = " (held)" if agenda.held else ""
    head = (
        f"Agenda for group {agenda.group_id}: session {agenda.number} of {agenda.planned}\n"
        f"{agenda.date.isoformat()} - {agenda.phase} phase{held}"
    )
    items = "\n".join(f"{n:>3}. {item}" for n, item in enumerate(agenda.items, 1))
    parts += [Text(head, style="bold"), Text(items)]
    members = Table("Member", "Client", "Problem areas", "Flags", box=box.SIMPLE_HEAD)
    for m in agenda.members:
        members.add_row(m.course_id, m.client, ", ".join(m.areas), str(len(m.flags)) or "0")
    parts.append(members)
    return Group(*parts)


def group_report_view(report: GroupReport) -> RenderableType:
    from ipt_cli.views.documents import (
        group_follow_up,
        group_grid,
        group_outcome_rows,
        group_summary_lines,
    )

    parts: list[RenderableType] = [
        Panel(
            Text("\n".join(group_summary_lines(report))),
            title=f"Group IPT report: {report.group.id}",
            box=box.ROUNDED,
        )
    ]
    header, rows = group_grid(report)
    grid = Table(*header, box=box.SIMPLE_HEAD, title="Attendance (P present, A absent)")
    for row in rows:
        grid.add_row(*row)
    outcomes = Table(
        "Member", "PHQ-9 (pre, G1..)", "Response", "Remission", box=box.SIMPLE_HEAD,
        title="PHQ-9 and outcome",
    )  # fmt: skip
    for row in group_outcome_rows(report):
        outcomes.add_row(*row)
    follow = group_follow_up(report)
    parts += [
        grid,
        outcomes,
        Panel(Text("\n".join(follow) or "none"), title="Follow-up", box=box.ROUNDED),
    ]
    return Group(*parts)
