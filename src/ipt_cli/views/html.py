"""`ipt report --format html`: one self-contained page, an inline SVG chart per measure with
its scores printed beside it, no scripts. Every section of the text report is here, and the
page prints to A4 or Letter (views/print_page.py: running header, page numbers, the date
generated, headings kept with what follows). Every piece of user text is escaped."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ipt_cli.core import catalogue
from ipt_cli.core.corrections import history
from ipt_cli.core.dates import month_or_day
from ipt_cli.core.measures import ASRM_CUTOFF, INSTRUMENTS, ScoringRules
from ipt_cli.core.models import TimelineEvent
from ipt_cli.core.progress import MeasureSummary, Report
from ipt_cli.views.print_page import PRINT_CSS, STYLE, escape, hinted, page_rule
from ipt_cli.views.wording import (
    EATING_HEADER,
    MAINTENANCE_HEADER,
    OUTCOME_WARNINGS_LINE,
    assessment_lines,
    attendance_rows,
    checklist_title,
    condition_line,
    eating_notes,
    eating_rows,
    end_of_course_text,
    ending_title,
    flagged_sittings,
    headline_notes,
    high_risk_banner,
    maintenance_heading,
    maintenance_row,
    measure_header,
    measure_rows,
    next_session_words,
    phase_text,
    point_reading,
    record_header,
    record_sections,
    report_alerts,
    review_lines,
    screen_alert_heading,
    shows_ending,
    strategy_rows,
)

if TYPE_CHECKING:
    from ipt_cli.core.rhythm import LifeChart

__all__ = ["STYLE", "escape", "life_chart_svg", "report_html", "svg_chart"]

WIDTH, HEIGHT, PAD = 680, 260, 40
GUTTER = 170  # right of the plot: the band labels, clear of the points and their values
BAND_FILL = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffebee", "#fce4ec")


FLAG_COLOUR = "#c62828"
FLAG_LEGEND = "a safety flag was raised at this sitting (ringed; ! under its session)"


def svg_chart(
    summary: MeasureSummary,
    rules: ScoringRules,
    maintenance: bool = False,
    flagged: dict[int, str] | None = None,
) -> str:
    """A line chart of totals by session over the labelled severity bands. A point whose
    sitting raised a safety flag (`flagged`: its words by session number) is ringed and
    marked "!" (never by colour alone), with a legend line under the chart."""
    flagged = flagged or {}
    instrument = INSTRUMENTS[summary.instrument]
    top = instrument.total_max
    plot_w, plot_h = WIDTH - PAD - GUTTER, HEIGHT - 2 * PAD

    def y(value: float) -> float:
        return PAD + plot_h - value / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(summary.name)} by session">'
    ]
    for index, band in enumerate(rules.bands(instrument)):
        y_top, y_bottom = y(band.high + 1 if band.high < top else top), y(band.low)
        parts.append(
            f'<rect x="{PAD}" y="{y_top:.1f}" width="{plot_w}" '
            f'height="{y_bottom - y_top:.1f}" fill="{BAND_FILL[index % 5]}"/>'
        )
        parts.append(
            f'<text x="{PAD + plot_w + 6}" y="{y_bottom - 4:.1f}">'
            f"{escape(band.label)} ({band.low}-{band.high})</text>"
        )
    if summary.cutoff is not None:  # no bands (PCL-5, Mini-SPIN): the cut-off as a line
        y_cut = y(summary.cutoff)
        parts.append(
            f'<line x1="{PAD}" y1="{y_cut:.1f}" x2="{PAD + plot_w}" y2="{y_cut:.1f}" '
            'stroke="#c62828" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{PAD + plot_w + 6}" y="{y_cut + 4:.1f}">cut-off ({summary.cutoff})</text>'
        )
    points = summary.series
    step = plot_w / max(len(points) - 1, 1)
    coords = [(PAD + i * step, y(p.total)) for i, p in enumerate(points)]
    if coords:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1565c0" stroke-width="2"/>')
    for (cx, cy), point in zip(coords, points, strict=True):
        label = "B" if point.session == 0 else str(point.session)
        label = f"m{point.session}" if maintenance else label
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="#1565c0">'
            f"<title>{escape(label)} {point.date.isoformat()}: {point.total}</title>"
            "</circle>"
        )
        parts.append(  # the score itself, on paper too (not only in the hover title)
            f'<text class="value" x="{cx:.1f}" y="{cy - 7:.1f}" '
            f'text-anchor="middle">{point.total}</text>'
        )
        if point.session in flagged:
            where = f"maintenance session {point.session}" if maintenance else point.label
            title = f"{where}: {flagged[point.session]}"
            parts.append(_flag_mark(cx, cy, title, (cx, HEIGHT - PAD + 27)))
        parts.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - PAD + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<text x="{PAD}" y="{PAD - 8}">{escape(summary.name)} (0-{top})</text>')
    if any(point.session in flagged for point in points):
        parts.append(_legend(PAD + 150, PAD - 8, FLAG_LEGEND))
    parts.append("</svg>")
    return "".join(parts)


def _flag_mark(cx: float, cy: float, title: str, bang: tuple[float, float]) -> str:
    """A flagged point's mark, not by colour alone: a ring round the point, and a bold "!"
    at `bang` (under its session's label, clear of the line)."""
    return (
        f'<g class="flag"><title>{escape(title)}</title>'
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="none" stroke="{FLAG_COLOUR}" '
        'stroke-width="2"/>'
        f'<text x="{bang[0]:.1f}" y="{bang[1]:.1f}" fill="{FLAG_COLOUR}" font-weight="bold" '
        'text-anchor="middle">!</text></g>'
    )


def _legend(x: float, y: float, text: str) -> str:
    """The flag mark's legend line from `x`: a ring and a bold "!", then the words."""
    return (
        f'<g class="flag-legend"><circle cx="{x + 6:.1f}" cy="{y - 4:.1f}" r="6" fill="none" '
        f'stroke="{FLAG_COLOUR}" stroke-width="2"/><text x="{x + 17:.1f}" y="{y:.1f}" '
        f'fill="{FLAG_COLOUR}" font-weight="bold">!</text>'
        f'<text x="{x + 26:.1f}" y="{y:.1f}">{escape(text)}</text></g>'
    )


LIFE_PANEL = 90  # height of each panel of the life chart
LIFE_FLAG_LEGEND = "PHQ-9 item 9 above 0 (a safety flag; ringed, ! above it)"


def life_chart_svg(chart: LifeChart) -> str:
    """The IPSRT life chart, weeks across: three panels sharing the week axis (mean daily
    mood -5..5; SRM 0-7; PHQ-9 0-27 and, when recorded, ASRM 0-20 with their cut-offs)."""
    weeks = chart.weeks
    plot_w = WIDTH - 2 * PAD
    height = 3 * LIFE_PANEL + 2 * PAD
    step = plot_w / max(len(weeks) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        'role="img" aria-label="Life chart: mood, SRM and both poles by week">'
    ]

    def panel(index: int, label: str, low: float, high: float) -> Callable[[float], float]:
        top = PAD + index * LIFE_PANEL
        parts.append(
            f'<rect x="{PAD}" y="{top + 6}" width="{plot_w}" height="{LIFE_PANEL - 12}" '
            'fill="#fafafa" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{PAD}" y="{top + 2}">{escape(label)}</text>')
        return lambda v: top + LIFE_PANEL - 6 - (v - low) / (high - low) * (LIFE_PANEL - 12)

    def line(
        y: Callable[[float], float], values: list[float | None], colour: str, name: str
    ) -> None:
        points = [(PAD + i * step, y(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, yy, v in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)}: {v:g}</title></circle>"
            )

    def cut(y: Callable[[float], float], value: float, colour: str, label: str) -> None:
        parts.append(
            f'<line x1="{PAD}" y1="{y(value):.1f}" x2="{PAD + plot_w}" y2="{y(value):.1f}" '
            f'stroke="{colour}" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{PAD + plot_w - 4}" y="{y(value) - 3:.1f}" text-anchor="end" '
            f'fill="{colour}">{escape(label)}</text>'
        )

    mood = panel(0, "Mean daily mood (-5 to +5)", -5, 5)
    cut(mood, 0, "#999", "0")
    line(mood, [w.mood for w in weeks], "#6a1b9a", "mood")
    srm = panel(1, "SRM regularity (0-7)", 0, 7)
    line(srm, [w.srm for w in weeks], "#2e7d32", "SRM")
    names = "PHQ-9 (0-27, blue)" + (", ASRM (0-20, red)" if chart.has_asrm else "")
    scores = panel(2, names + ", as a share of each scale", 0, 1)
    line(scores, [None if w.phq9 is None else w.phq9 / 27 for w in weeks], "#1565c0", "PHQ-9 / 27")
    cut(scores, 10 / 27, "#1565c0", "PHQ-9 10")
    for i, week in enumerate(weeks):  # as the text chart's "*": PHQ-9 item 9 above 0
        if week.phq9 is not None and week.phq9_item9:
            title = f"week of {week.start.isoformat()}: PHQ-9 item 9 above 0 (a safety flag)"
            x, y = PAD + i * step, scores(week.phq9 / 27)
            parts.append(_flag_mark(x, y, title, (x, y - 10)))
    if chart.has_asrm:
        shares = [None if w.asrm is None else w.asrm / 20 for w in weeks]
        line(scores, shares, "#c62828", "ASRM / 20")
        cut(scores, ASRM_CUTOFF / 20, "#c62828", f"ASRM {ASRM_CUTOFF}")
    if any(w.phq9 is not None and w.phq9_item9 for w in weeks):
        parts.append(_legend(PAD, height - 4, LIFE_FLAG_LEGEND))
    every = -(-len(weeks) // 13)  # at most 13 dates under the axis: a long course stays legible
    for i, week in enumerate(weeks):
        if i % every and i != len(weeks) - 1:
            continue
        parts.append(
            f'<text x="{PAD + i * step:.1f}" y="{height - PAD + 14}" '
            f'text-anchor="middle">{week.start.strftime("%m-%d")}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _life_chart(report: Report) -> list[str]:
    """The IPSRT life chart, for a course that keeps the rhythm log."""
    course = report.course
    if not catalogue.ADAPTATIONS[course.adaptation].rhythm_log and not course.rhythm:
        return []
    # lazy: keeps social rhythm off start-up
    from ipt_cli.core.rhythm import SCORE_PLACEMENT, life_chart

    chart = life_chart(course)  # every week of the course, not the terminal's last 12
    if not chart.weeks:
        return []
    legend = f"<p>{escape(SCORE_PLACEMENT)}</p>"
    flagged = [w.start.isoformat() for w in chart.weeks if w.phq9 is not None and w.phq9_item9]
    if flagged:  # on paper in words, not only as marks
        legend += (
            "<p>PHQ-9 item 9 above 0 (a safety flag; see Safety flags) in the week of: "
            f"{', '.join(flagged)}.</p>"
        )
    return [_section("Life chart (IPSRT)", life_chart_svg(chart) + legend)]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _facts(rows: list[tuple[str, str]]) -> str:
    """Label and value rows, without a header row; the values are lines ipt wrote or short
    settings, their command hints left off the paper."""
    body = "".join(
        f"<tr><th>{escape(label)}</th><td>{hinted(text)}</td></tr>" for label, text in rows
    )
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def _list(lines: list[str]) -> str:
    if not lines:
        return ""
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _section(heading: str, *blocks: str, level: int = 2) -> str:
    """A heading and what follows it, kept together on paper (break-after: avoid)."""
    return f"<h{level}>{escape(heading)}</h{level}>" + "".join(blocks)


def _point_rows(
    summary: MeasureSummary,
    events: list[TimelineEvent],
    maintenance: bool = False,
    flagged: dict[int, str] | None = None,
) -> str:
    """Each administration's score as numbers (the chart's values, printed), with the life
    events before it since the previous one, as the text report's chart lists them; with a
    Safety flag column when a charted sitting raised one."""
    charted = {p.session for p in summary.series}
    flagged = {n: words for n, words in (flagged or {}).items() if n in charted}
    span = 3 if flagged else 2
    rows, taken = [], 0
    for point in summary.series:
        while taken < len(events) and events[taken].date < point.date:
            event = events[taken]
            rows.append(
                f'<tr class="event"><td></td><td>{month_or_day(event.date, event.precision)}</td>'
                f'<td colspan="{span}">* {escape(event.event)}</td></tr>'
            )
            taken += 1
        label = "Baseline" if point.session == 0 and not maintenance else str(point.session)
        label = f"m{point.session}" if maintenance else label
        rows.append(
            f"<tr><td>{escape(label)}</td><td>{point.date.isoformat()}</td>"
            f"<td>{point.total}</td><td>{escape(point_reading(summary, point) or '')}</td>"
            + (f"<td>{escape(flagged.get(point.session, ''))}</td>" if flagged else "")
            + "</tr>"
        )
    flag_head = "<th>Safety flag</th>" if flagged else ""
    head = f"<tr><th>Session</th><th>Date</th><th>Total</th><th>Severity</th>{flag_head}</tr>"
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _flag_caption(summary: MeasureSummary, flagged: dict[int, str], maintenance: bool) -> str:
    """In words, on paper: the charted sittings that raised a safety flag."""
    shown = [
        f"{f'maintenance session {p.session}' if maintenance else p.label} "
        f"({p.date.isoformat()}): {flagged[p.session]}"
        for p in summary.series
        if p.session in flagged
    ]
    if not shown:
        return ""
    return f"<figcaption>Safety flag raised at: {escape('; '.join(shown))}.</figcaption>"


def _chart(
    summary: MeasureSummary,
    rules: ScoringRules,
    events: list[TimelineEvent],
    heading: str,
    maintenance: bool = False,
    flagged: dict[int, str] | None = None,
) -> str:
    figure = svg_chart(summary, rules, maintenance, flagged)
    figure += _flag_caption(summary, flagged or {}, maintenance)
    figure += _point_rows(summary, events, maintenance, flagged)
    return _section(heading, f'<figure class="chart">{figure}</figure>', level=3)


def _maintenance(report: Report, rules: ScoringRules) -> list[str]:
    heading = maintenance_heading(report)
    if heading is None:
        return []
    measures = report.maintenance_measures.values()
    table = _table(MAINTENANCE_HEADER, [maintenance_row(m) for m in measures]) if measures else ""
    body = [_section("Maintenance", f"<p>{escape(heading)}</p>", table)]
    flagged = flagged_sittings(report, maintenance=True)
    for summary in measures:
        title = f"{summary.name} in maintenance"
        timeline = report.course.timeline
        body.append(_chart(summary, rules, timeline, title, maintenance=True, flagged=flagged))
    return body


def _flags_and_reviews(report: Report) -> list[str]:
    body = []
    if report.flags:
        rows = [[f.label, "yes" if f.reviewed else "no"] for f in report.flags]
        body.append(_section("Safety flags", _table(["Flag", "Reviewed"], rows)))
    reviews = review_lines(report)
    if reviews:
        items = "".join(f"<li>{escape(head)}{_list(lines)}</li>" for head, lines in reviews)
        body.append(_section("Risk reviews", f"<ul>{items}</ul>"))
    return body


def _warnings(report: Report) -> list[str]:
    """The standing high risk, unreviewed flags, the risk level and the outcome warnings:
    first, as in every view (never their review commands: those are not for paper)."""
    body = []
    banner = high_risk_banner(report)
    if banner:
        body.append(f'<div class="flags"><p>{escape(banner)}</p></div>')
    if report.unreviewed_flags:
        items = "".join(f"<li>{escape(f.label)}</li>" for f in report.unreviewed_flags)
        body.append(
            f'<div class="flags"><p>SAFETY: unreviewed risk flags</p><ul>{items}</ul></div>'
        )
    body += [f"<p><strong>{hinted(line)}</strong></p>" for line in report.risk.status_lines]
    screens, warnings = report_alerts(report)
    if screens:  # a possible manic episode: a safety matter, boxed as the flags are
        items = "".join(f"<li>{escape(text)}</li>" for text in screens)
        heading = escape(screen_alert_heading(screens))
        body.append(f'<div class="flags"><p>{heading}</p><ul>{items}</ul></div>')
    if warnings:
        items = "".join(f"<li>{escape(text)}</li>" for text in warnings)
        body.append(f'<div class="warnings"><p>{OUTCOME_WARNINGS_LINE}</p><ul>{items}</ul></div>')
    return body


def _header(report: Report) -> str:
    """The course at a glance: the text report's header, row for row."""
    course = report.course
    areas = ", ".join(catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas)
    if report.dispute_stage:
        areas += f" (dispute stage: {report.dispute_stage})"
    archived = f", archived {course.archived.isoformat()}" if course.archived else ""
    rows = [
        ("Course", f"{course.id} ({course.kind}){archived}"),
        ("Client", course.client),
        ("Start", course.start_date.isoformat()),
        ("Phase", phase_text(report)),
        ("Held", f"{report.sessions_recorded} of {course.planned_sessions}"),
        ("Next session", next_session_words(report)),
        ("Problem areas", areas),
    ]
    condition = condition_line(course)
    if condition:
        rows.append(("Condition", condition))
    rows += assessment_lines(course) + record_header(report)
    return _facts(rows)


def _changes(report: Report) -> list[str]:
    """Contract changes and the history of changes (settings, goals, corrected values)."""
    course = report.course
    body = []
    if course.contract_changes:
        rows = [
            [c.date.isoformat(), str(c.old), str(c.new), c.reason] for c in course.contract_changes
        ]
        body.append(_section("Contract changes", _table(["Date", "From", "To", "Reason"], rows)))
    changed = history(course)
    if changed:
        rows = [[h.date.isoformat(), h.what, h.old, h.new, h.reason or ""] for h in changed]
        header = ["Date", "What", "From", "To", "Reason"]
        body.append(_section("History of changes", _table(header, rows)))
    return body


def _measures(report: Report, rules: ScoringRules) -> list[str]:
    body = []
    if report.eating is not None:
        table = _table(EATING_HEADER, eating_rows(report.eating))
        body.append(_section("Binge episodes per week", table, _list(eating_notes(report.eating))))
    table = _table(measure_header(report), measure_rows(report))
    body.append(_section("Measures", table, _list(headline_notes(report))))
    flagged = flagged_sittings(report, maintenance=False)
    for summary in report.measures.values():
        if summary.series:
            title = f"{summary.name} by session"
            body.append(_chart(summary, rules, report.course.timeline, title, flagged=flagged))
    body += _life_chart(report)
    return body


def _work(report: Report) -> list[str]:
    """Goals, techniques, between-session tasks, attendance and the termination checklist."""
    body = []
    if report.goals:
        rows = [
            [f"{g.shown} [{g.id}]", " ".join(map(str, g.ratings)) or "-", _shown(g.latest)]
            for g in report.goals
        ]
        table = _table(["Goal", "Ratings (0-10)", "Latest"], rows)
        body.append(_section("Goals", table))
    if report.techniques:
        rows = [[name, str(count)] for name, count in report.techniques.items()]
        body.append(_section("Techniques used", _table(["Technique", "Sessions"], rows)))
    if report.strategies and report.course.sessions:  # which are covered, once there is work
        header = ["Strategy", "Area", "Covered in session"]
        body.append(_section("Strategies", _table(header, strategy_rows(report.strategies))))
    if report.tasks:
        rows = [[str(t.session), t.task, t.outcome or "-"] for t in report.tasks]
        body.append(_section("Between-session tasks", _table(["Session", "Task", "Outcome"], rows)))
    attendance = attendance_rows(report.course)
    if attendance:
        body.append(_section("Attendance", _table(["Session", "Date", "Attended"], attendance)))
    if report.checklist:
        items = "".join(
            f"<li>{'&#9745;' if i.done else '&#9744;'} {escape(i.text)}</li>"
            for i in report.checklist
        )
        body.append(_section(checklist_title(report), f'<ul class="checklist">{items}</ul>'))
    return body


def _record(report: Report) -> list[str]:
    """Contacts, supervision, adherence and signatures. Contacts are the clinician's own
    words, printed whole; the other lines are ipt's, their command hints not on paper."""
    body = []
    for heading, lines in record_sections(report):
        shown = escape if heading == "Contacts outside sessions" else hinted
        items = "".join(f"<li>{shown(line.strip())}</li>" for line in lines)
        body.append(_section(heading, f"<ul>{items}</ul>"))
    return body


def _shown(value: int | None) -> str:
    return "-" if value is None else str(value)


def report_html(report: Report, rules: ScoringRules | None = None) -> str:
    rules = rules or ScoringRules()
    course = report.course
    body = [
        f"<h1>IPT course {escape(course.id)}: {escape(course.client)}</h1>",
        f'<p class="generated">Progress report generated {report.today.isoformat()}</p>',
    ]
    body += _warnings(report)
    body.append(_header(report))
    if course.formulation:
        agreed = "agreed" if course.formulation.agreed else "not yet agreed"
        text = f"<p>{escape(course.formulation.text)}</p>"
        body.append(_section(f"Formulation ({agreed})", text))
    body += _measures(report, rules)
    body += _maintenance(report, rules)
    body += _work(report)
    if shows_ending(report):
        body.append(_section(ending_title(report), _list(end_of_course_text(report).splitlines())))
    body += _changes(report)
    body += _flags_and_reviews(report)
    body += _record(report)
    running = f"IPT progress report: {course.id}, {course.client}; {phase_text(report)}"
    style = STYLE + PRINT_CSS + page_rule(running, report.today)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>IPT report {escape(course.id)}</title><style>{style}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
