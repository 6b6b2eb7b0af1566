"""`ipt report --format html`: one self-contained page, an inline SVG chart per measure, no
scripts. Every piece of user text is escaped."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _html_escape
from typing import TYPE_CHECKING

from ipt_cli.core import catalogue
from ipt_cli.core.measures import INSTRUMENTS, ScoringRules
from ipt_cli.core.progress import MeasureSummary, Report
from ipt_cli.views.documents import (
    EATING_HEADER,
    MAINTENANCE_HEADER,
    adaptation_lines,
    attendance_rows,
    condition_line,
    eating_notes,
    eating_rows,
    end_of_course_text,
    ending_title,
    headline_notes,
    high_risk_banner,
    maintenance_heading,
    maintenance_row,
    measure_header,
    measure_rows,
    phase_text,
    record_header,
    record_sections,
    review_lines,
    shows_ending,
)
from ipt_cli.views.text_safety import terminal_safe

if TYPE_CHECKING:
    from ipt_cli.core.rhythm import LifeChart


def escape(text: str) -> str:
    """User text in HTML: never markup, and no control character (text_safety)."""
    return _html_escape(terminal_safe(text))


WIDTH, HEIGHT, PAD = 640, 260, 40
BAND_FILL = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffebee", "#fce4ec")
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 760px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
.flags { border: 3px solid #c62828; padding: 0.5em 1em; color: #c62828; font-weight: bold; }
.warnings { border: 3px solid #e65100; padding: 0.5em 1em; color: #e65100; font-weight: bold; }
svg text { font-size: 11px; }
"""


def svg_chart(summary: MeasureSummary, rules: ScoringRules, maintenance: bool = False) -> str:
    """A line chart of totals by session over the labelled severity bands."""
    instrument = INSTRUMENTS[summary.instrument]
    top = instrument.total_max
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def y(value: float) -> float:
        return PAD + plot_h - value / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(summary.name)} by session">'
    ]
    for index, band in enumerate(rules.bands(instrument)):
        y_top, y_bottom = y(band.high + 1 if band.high < top else top), y(band.low)
        parts.append(
            f'<rect x="{PAD}" y="{y_top:.1f}" width="{plot_w}" '
            f'height="{y_bottom - y_top:.1f}" fill="{BAND_FILL[index % 5]}"/>'
        )
        parts.append(
            f'<text x="{PAD + plot_w - 4}" y="{y_bottom - 4:.1f}" '
            f'text-anchor="end">{escape(band.label)} ({band.low}-{band.high})</text>'
        )
    if summary.cutoff is not None:  # no bands (PCL-5, Mini-SPIN): the cut-off as a line
        y_cut = y(summary.cutoff)
        parts.append(
            f'<line x1="{PAD}" y1="{y_cut:.1f}" x2="{PAD + plot_w}" y2="{y_cut:.1f}" '
            'stroke="#c62828" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{PAD + plot_w - 4}" y="{y_cut - 4:.1f}" '
            f'text-anchor="end">cut-off ({summary.cutoff})</text>'
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
        parts.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - PAD + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<text x="{PAD}" y="{PAD - 8}">{escape(summary.name)} (0-{top})</text>')
    parts.append("</svg>")
    return "".join(parts)


LIFE_PANEL = 90  # height of each panel of the life chart


def life_chart_svg(chart: LifeChart) -> str:
    """The IPSRT life chart, weeks across: three panels sharing the week axis (mean daily
    mood -5..5; SRM 0-7; PHQ-9 0-27 and, when recorded, ASRM 0-20 with their cut-offs)."""
    from ipt_cli.core.rhythm import ASRM_CUTOFF

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
    if chart.has_asrm:
        shares = [None if w.asrm is None else w.asrm / 20 for w in weeks]
        line(scores, shares, "#c62828", "ASRM / 20")
        cut(scores, ASRM_CUTOFF / 20, "#c62828", f"ASRM {ASRM_CUTOFF}")
    for i, week in enumerate(weeks):
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
    from ipt_cli.core.rhythm import CHART_WEEKS, life_chart

    chart = life_chart(course, CHART_WEEKS)
    if not chart.weeks:
        return []
    return ["<h2>Life chart (IPSRT)</h2>", life_chart_svg(chart)]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _list(lines: list[str]) -> str:
    if not lines:
        return ""
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _maintenance(report: Report, rules: ScoringRules) -> list[str]:
    heading = maintenance_heading(report)
    if heading is None:
        return []
    measures = report.maintenance_measures.values()
    body = ["<h2>Maintenance</h2>", f"<p>{escape(heading)}</p>"]
    if measures:
        body.append(_table(MAINTENANCE_HEADER, [maintenance_row(m) for m in measures]))
    for summary in measures:
        body.append(f"<h3>{escape(summary.name)} in maintenance</h3>")
        body.append(svg_chart(summary, rules, maintenance=True))
    return body


def _flags_and_reviews(report: Report) -> list[str]:
    body = []
    if report.flags:
        body.append("<h2>Safety flags</h2>")
        body.append(
            _table(
                ["Flag", "Reviewed"],
                [[f.label, "yes" if f.reviewed else "no"] for f in report.flags],
            )
        )
    reviews = review_lines(report)
    if reviews:
        body.append("<h2>Risk reviews</h2><ul>")
        for head, lines in reviews:
            body.append(f"<li>{escape(head)}{_list(lines)}</li>")
        body.append("</ul>")
    return body


def report_html(report: Report, rules: ScoringRules | None = None) -> str:
    rules = rules or ScoringRules()
    course = report.course
    areas = ", ".join(catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas)
    body = [f"<h1>IPT course {escape(course.id)}: {escape(course.client)}</h1>"]
    banner = high_risk_banner(report)
    if banner:
        body.append(f'<div class="flags"><p>{escape(banner)}</p></div>')
    if report.unreviewed_flags:
        items = "".join(f"<li>{escape(f.label)}</li>" for f in report.unreviewed_flags)
        body.append(
            f'<div class="flags"><p>SAFETY: unreviewed risk flags</p><ul>{items}</ul></div>'
        )
    body += [f"<p><strong>{escape(line)}</strong></p>" for line in report.risk.status_lines]
    if report.alerts:
        items = "".join(f"<li>{escape(a.text)}</li>" for a in report.alerts)
        body.append(
            f'<div class="warnings"><p>WARNING: outcomes to act on</p><ul>{items}</ul></div>'
        )
    body.append(
        _table(
            ["", ""],
            [
                ["Start", course.start_date.isoformat()],
                ["Phase", phase_text(report)],
                ["Held", f"{report.sessions_recorded} of {course.planned_sessions}"],
                ["Next session", report.next_date.isoformat() if report.next_date else "none"],
                [
                    "Problem areas",
                    areas + (f" ({report.dispute_stage})" if report.dispute_stage else ""),
                ],
                *[[label, text] for label, text in record_header(report)],
                *[[label, text] for label, text in adaptation_lines(course)],
            ]
            + ([["Condition", condition]] if (condition := condition_line(course)) else []),
        )
    )
    if course.formulation:
        body.append(f"<h2>Formulation</h2><p>{escape(course.formulation.text)}</p>")
    if report.eating is not None:
        body.append("<h2>Binge episodes per week</h2>")
        body.append(_table(EATING_HEADER, eating_rows(report.eating)))
        body.append(_list(eating_notes(report.eating)))
    body.append("<h2>Measures</h2>")
    body.append(_table(measure_header(report), measure_rows(report)))
    body.append(_list(headline_notes(report)))
    for summary in report.measures.values():
        if summary.series:
            body.append(f"<h3>{escape(summary.name)} by session</h3>")
            body.append(svg_chart(summary, rules))
    body += _maintenance(report, rules)
    body += _life_chart(report)
    if report.goals:
        body.append("<h2>Goals</h2>")
        body.append(
            _table(
                ["Goal", "Ratings", "Latest"],
                [
                    [
                        g.shown,
                        " ".join(map(str, g.ratings)) or "-",
                        "-" if g.latest is None else str(g.latest),
                    ]
                    for g in report.goals
                ],
            )
        )
    if report.tasks:
        body.append("<h2>Between-session tasks</h2>")
        body.append(
            _table(
                ["Session", "Task", "Outcome"],
                [[str(t.session), t.task, t.outcome or "-"] for t in report.tasks],
            )
        )
    attendance = attendance_rows(course)
    if attendance:
        body.append("<h2>Attendance</h2>")
        body.append(_table(["Session", "Date", "Attended"], attendance))
    if report.checklist:
        items = "".join(
            f"<li>{'&#9745;' if i.done else '&#9744;'} {escape(i.text)}</li>"
            for i in report.checklist
        )
        body.append(f"<h2>Termination checklist</h2><ul>{items}</ul>")
    if shows_ending(report):
        body.append(f"<h2>{escape(ending_title(report))}</h2>")
        body.append(_list(end_of_course_text(report).splitlines()))
    body += _flags_and_reviews(report)
    for heading, lines in record_sections(report):
        body.append(f"<h2>{escape(heading)}</h2>{_list([line.strip() for line in lines])}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>IPT report {escape(course.id)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
