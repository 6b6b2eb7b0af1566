"""Markdown renderings of reports, plans, agendas, rhythm logs and groups
(`--format markdown`, and the Markdown export).

The words come from views/wording.py (the same as the terminal and HTML views); this module
adds the markup and escapes every piece of user text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipt_cli.core import catalogue
from ipt_cli.core.corrections import history
from ipt_cli.core.models import Course
from ipt_cli.core.planning import Agenda, Plan
from ipt_cli.core.progress import Report
from ipt_cli.core.risk import RiskState
from ipt_cli.views.text_safety import markdown_cell, markdown_escape
from ipt_cli.views.wording import (
    EATING_HEADER,
    MAINTENANCE_HEADER,
    OUTCOME_WARNINGS_LINE,
    RHYTHM_HEADER,
    TARGET_HEADER,
    assessment_lines,
    attendance_rows,
    checklist_title,
    condition_line,
    eating_notes,
    eating_rows,
    end_of_course_text,
    ending_title,
    flagged_sittings,
    group_follow_up,
    group_grid,
    group_outcome_rows,
    group_summary_lines,
    headline_notes,
    high_risk_banner,
    left_out_line,
    maintenance_heading,
    maintenance_row,
    measure_header,
    measure_rows,
    next_session_words,
    no_targets_line,
    or_na,
    phase_text,
    point_reading,
    record_header,
    record_sections,
    report_alerts,
    review_lines,
    rhythm_day_cells,
    rhythm_footnotes,
    rhythm_week_words,
    risk_lines,
    screen_alert_heading,
    shows_ending,
    strategy_lines,
    strategy_rows,
    target_rows,
    yes_no,
)

if TYPE_CHECKING:  # annotations only: a course's report needs neither
    from ipt_cli.core.group import GroupAgenda, GroupReport
    from ipt_cli.core.rhythm import RhythmReport


def session_notes_markdown(course: Course) -> str:
    """Every session's note, events and addenda: the private part of an export."""
    out = ["## Session notes", ""]
    for number, session in course.numbered_sessions():
        out += [f"### Session {number} ({session.date.isoformat()})", ""]
        # Block escaping (each line treated as a line start): the text may run over lines.
        if session.events:
            out += [f"**Events:** {markdown_escape(session.events)}", ""]
        out += [markdown_escape(session.note) if session.note else "*(no note)*", ""]
        for addendum in session.addenda:
            when = addendum.date.isoformat()
            out += [f"*Addendum {when}:* {markdown_escape(addendum.text)}", ""]
    return "\n".join(out)


class Md(str):
    """Text that is Markdown already (ipt's own markup), never escaped again."""


def _md(text: str) -> str:
    """User (or catalogue) text placed within a line: it can only ever be text."""
    return text if isinstance(text, Md) else markdown_escape(text, inline=True)


def _md_cell(text: str) -> str:
    """A table cell ('|' and line breaks included)."""
    return text if isinstance(text, Md) else markdown_cell(text)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def report_markdown(report: Report) -> str:
    out = _md_head(report) + _md_measures(report) + _maintenance_markdown(report)
    out += _md_work(report) + _md_ending(report) + _md_safety_record(report)
    out += _md_record(report)
    return "\n".join(out).rstrip() + "\n"


def _md_record(report: Report) -> list[str]:
    out = []
    for heading, lines in record_sections(report):
        out += [f"## {heading}", ""]
        for line in lines:
            indent = "  " if line.startswith("  ") else ""
            out.append(f"{indent}- {_md(line.strip())}")
        out.append("")
    return out


def _md_head(report: Report) -> list[str]:
    """Title, the safety and outcome warnings first, the course at a glance, formulation."""
    course = report.course
    out = [f"# IPT course `{course.id}`: {_md(course.client)}", ""]
    banner = high_risk_banner(report)
    if banner:
        out += [f"> **{_md(banner)}**", ""]
    if report.unreviewed_flags:
        out += ["> **SAFETY: unreviewed risk flags**", ">"]
        out += [f"> - {_md(f.label)}" for f in report.unreviewed_flags] + [""]
    out += [f"> {_md(line)}" for line in report.risk.status_lines] + [""]
    out += _md_alerts(*report_alerts(report))
    out += [
        f"- **Start:** {course.start_date.isoformat()}",
        f"- **Phase:** {_md(phase_text(report))}",
        f"- **Sessions held:** {report.sessions_recorded} of {course.planned_sessions}",
        f"- **Next session:** {next_session_words(report, overdue='overdue')}",
        "- **Problem areas:** "
        + ", ".join(catalogue.PROBLEM_AREAS[a].name for a in course.problem_areas),
    ]
    if report.dispute_stage:
        out.append(f"- **Dispute stage:** {_md(report.dispute_stage)}")
    condition = condition_line(course)
    if condition:
        out.append(f"- **Condition:** {_md(condition)}")
    out += [f"- **{label}:** {_md(text)}" for label, text in assessment_lines(course)]
    out += [f"- **{label}:** {_md(text)}" for label, text in record_header(report)]
    out.append("")
    if course.formulation:
        agreed = "agreed" if course.formulation.agreed else "not yet agreed"
        text = markdown_escape(course.formulation.text)
        out += ["## Formulation", "", text, "", f"*({agreed})*", ""]
    return out


def _md_alerts(screens: list[str], warnings: list[str]) -> list[str]:
    """A screen's own alerts (the ASRM's MANIA ALERT: a safety matter) under a heading of
    their own, then the outcome warnings."""
    out = []
    for heading, texts in (
        (screen_alert_heading(screens), screens),
        (OUTCOME_WARNINGS_LINE, warnings),
    ):
        if texts:
            out += [f"> **{_md(heading)}**", ">"] + [f"> - {_md(t)}" for t in texts] + [""]
    return out


def _md_eating(report: Report) -> list[str]:
    if report.eating is None:
        return []
    out = ["## Eating: episodes per week", ""]
    out += _md_table(EATING_HEADER, eating_rows(report.eating))
    return out + [f"- {_md_cell(n)}" for n in eating_notes(report.eating)] + [""]


def _md_measures(report: Report) -> list[str]:
    out = _md_eating(report) + ["## Measures", ""]
    out += _md_table(measure_header(report), measure_rows(report))
    notes = headline_notes(report)
    if notes:
        out += [f"- {_md(n)}" for n in notes] + [""]
    flagged = flagged_sittings(report, maintenance=False)
    for m in report.measures.values():
        if m.series:
            out += [f"### {m.name} by session", ""]
            marked = any(p.session in flagged for p in m.series)  # which sittings raised one
            out += _md_table(
                ["Session", "Date", "Total", "Severity", *(["Safety flag"] if marked else [])],
                [
                    [str(p.session), p.date.isoformat(), str(p.total), or_na(point_reading(m, p))]
                    + ([flagged.get(p.session, "")] if marked else [])
                    for p in m.series
                ],
            )
    return out


def _md_work(report: Report) -> list[str]:
    """Goals, techniques, between-session tasks and the termination checklist."""
    out = []
    if report.goals:
        out += ["## Goals", ""]
        out += _md_table(
            ["Goal", "Text", "Ratings", "Latest"],
            [
                [g.id, g.shown, " ".join(map(str, g.ratings)) or "-", or_na(g.latest)]
                for g in report.goals
            ],
        )
    if report.techniques:
        out += ["## Techniques used", ""]
        out += _md_table(
            ["Technique", "Sessions"], [[t, str(n)] for t, n in report.techniques.items()]
        )
    if report.strategies and report.course.sessions:  # which are covered, once there is work
        out += ["## Strategies", ""]
        out += _md_table(
            ["Strategy", "Area", "Covered in session"], strategy_rows(report.strategies)
        )
    if report.tasks:
        out += ["## Between-session tasks", ""]
        out += _md_table(
            ["Session", "Task", "Outcome"],
            [[str(t.session), t.task, t.outcome or "-"] for t in report.tasks],
        )
    attendance = attendance_rows(report.course)
    if attendance:
        out += ["## Attendance", ""]
        out += _md_table(["Session", "Date", "Attended"], attendance)
    if report.checklist:
        out += [f"## {checklist_title(report)}", ""]
        out += [f"- [{'x' if i.done else ' '}] {_md(i.text)}" for i in report.checklist] + [""]
    return out


def _md_ending(report: Report) -> list[str]:
    if not shows_ending(report):
        return []
    out = [f"## {ending_title(report)}", ""]
    return out + [f"- {_md(line)}" for line in end_of_course_text(report).splitlines()] + [""]


def _md_safety_record(report: Report) -> list[str]:
    """Contract changes, every safety flag, and every risk review with its plan."""
    course = report.course
    out = []
    if course.contract_changes:
        out += ["## Contract changes", ""]
        out += _md_table(
            ["Date", "From", "To", "Reason"],
            [
                [c.date.isoformat(), str(c.old), str(c.new), c.reason]
                for c in course.contract_changes
            ],
        )
    if report.flags:
        out += ["## Safety flags", ""]
        out += _md_table(
            ["Flag", "Reviewed"], [[f.label, yes_no(f.reviewed)] for f in report.flags]
        )
    changed = history(course)
    if changed:
        out += ["## History of changes", ""]
        out += _md_table(
            ["Date", "What", "From", "To", "Reason"],
            [[h.date.isoformat(), h.what, h.old, h.new, h.reason or ""] for h in changed],
        )
    reviews = review_lines(report)
    if reviews:
        out += ["## Risk reviews", ""]
        for head, lines in reviews:
            out.append(f"- {_md(head)}")
            for line in lines:  # a review, then its structured fields one level further in
                indent = "    " if line.startswith("  ") else "  "
                out.append(f"{indent}- {_md(line.strip())}")
        out.append("")
    return out


def _maintenance_markdown(report: Report) -> list[str]:
    heading = maintenance_heading(report)
    if heading is None:
        return []
    out = ["## Maintenance", "", markdown_escape(heading), ""]
    measures = report.maintenance_measures
    if measures:
        out += _md_table(MAINTENANCE_HEADER, [maintenance_row(m) for m in measures.values()])
    flagged = flagged_sittings(report, maintenance=True)
    for m in measures.values():
        out += [f"### {m.name} in maintenance", ""]
        marked = any(p.session in flagged for p in m.series)  # as the acute tables
        out += _md_table(
            ["Session", "Date", "Total", "Severity", *(["Safety flag"] if marked else [])],
            [
                [f"m{p.session}", p.date.isoformat(), str(p.total), or_na(point_reading(m, p))]
                + ([flagged.get(p.session, "")] if marked else [])
                for p in m.series
            ],
        )
    return out


def plan_markdown(plan: Plan) -> str:
    title = f"# Plan for `{plan.course_id}`: {plan.held} of {plan.planned} sessions held"
    if plan.maintenance_planned is not None:
        title += f"; maintenance {plan.maintenance_held} of {plan.maintenance_planned} held"
    rows = [
        [
            Md(f"**{_md(r.label)}**") if r.current else r.label,
            r.date.isoformat(),
            r.phase or "-",
            r.focus,
            r.status,
        ]
        for r in plan.rows
    ]
    notes = [f"> {_md(note)}" for note in plan.notes] + ([""] if plan.notes else [])
    table = _md_table(["Session", "Date", "Phase", "Focus", "Status"], rows)
    covered = ["## Strategies covered", ""] + [
        f"- {_md(line)}" for line in strategy_lines(plan.strategies)
    ]
    covered += [""] if plan.strategies else []
    return "\n".join(
        [title, ""] + risk_quote(plan.risk) + table + notes + (covered if plan.strategies else [])
    )


def risk_quote(state: RiskState | None) -> list[str]:
    lines = risk_lines(state)
    return [*(f"> {_md(line)}  " for line in lines), ""] if lines else []


def agenda_markdown(agenda: Agenda) -> str:
    out = [
        f"# Agenda: {agenda.course_id}, {_md(agenda.count)}",
        "",
        f"- **Date:** {agenda.date.isoformat()}",
        f"- **Phase:** {_md(agenda.phase)}",
        "",
    ]
    if agenda.risk is not None:
        if agenda.risk.banner:
            out = [f"> **{_md(agenda.risk.banner)}**", "", *out]
        out += [f"> {_md(line)}" for line in agenda.risk.status_lines] + [""]
    if agenda.safety:  # unreviewed flags first, as in the text agenda and every report
        out += ["> **SAFETY: unreviewed risk flags, review first**", ">"]
        out += [f"> - {_md(s)}" for s in agenda.safety] + [">", "> Record a review with:", ">"]
        out += [f"> - `{c}`" for c in agenda.review_commands] + [""]
    out += _md_alerts(agenda.screen_alerts, agenda.outcome_alerts)
    if agenda.carry_over:
        out += ["## Carried over", ""] + [f"- {_md(c)}" for c in agenda.carry_over] + [""]
    out += ["## Items", ""] + [f"{n}. {_md(item)}" for n, item in enumerate(agenda.items, 1)]
    if agenda.left_out:
        out += ["", f"*{_md(left_out_line(agenda))}*"]
    if agenda.done:
        out += ["", "## Already done (from the record)", ""]
        out += [f"- [x] {_md(item)}" for item in agenda.done]
    return "\n".join(out) + "\n"


def rhythm_markdown(report: RhythmReport) -> str:
    out = [f"# Social rhythm log `{report.course_id}`: {_md_cell(report.client)}", ""]
    if not report.weeks:
        return "\n".join([*out, "Nothing logged yet.", ""])
    out += [f"- **Days logged:** {report.total_days}", ""]
    for week in report.weeks:
        out += [f"## Week {week.start.isoformat()} to {week.end.isoformat()}", ""]
        out += [rhythm_week_words(week), ""]
        out += _md_table(RHYTHM_HEADER, rhythm_day_cells(week))
        if target_rows(week):
            out += ["Against the targets:", ""] + _md_table(TARGET_HEADER, target_rows(week))
    missing = no_targets_line(report)
    out += [f"`{missing}`", ""] if missing else []
    out += [f"`{mark}`: {text}" for mark, text in rhythm_footnotes(report)] + [""]
    return "\n".join(out)


# --- Group IPT -----------------------------------------------------------------------------


def group_agenda_markdown(agenda: GroupAgenda) -> str:
    out = [
        f"# Group `{agenda.group_id}`: session {agenda.number} of {agenda.planned}",
        "",
        f"{agenda.date.isoformat()}, {agenda.phase} phase" + (" (held)" if agenda.held else ""),
        "",
    ]
    flagged = [m for m in agenda.members if m.alerts]
    if flagged:
        out += ["> **SAFETY: unreviewed risk flags**", ">"]
        out += [f"> - {m.course_id}: {flag}" for m in flagged for flag in m.alerts] + [""]
    out += [f"{n}. {item}" for n, item in enumerate(agenda.items, 1)] + ["", "## Members", ""]
    out += _md_table(
        ["Member", "Client", "Problem areas", "Risk", "Flags"],
        [
            [m.course_id, m.client, ", ".join(m.areas), m.level_cell, m.flags_cell]
            for m in agenda.members
        ],
    )
    return "\n".join(out)


def group_report_markdown(report: GroupReport) -> str:
    out = [f"# Group IPT `{report.group.id}`", ""]
    out += [f"- {line}" for line in group_summary_lines(report)] + [""]
    header, rows = group_grid(report)
    out += ["## Attendance (P present, A absent, . not yet held)", ""]
    out += _md_table(header, rows)
    out += ["## PHQ-9 and outcome", ""]
    out += _md_table(["Member", "PHQ-9 (pre, G1..)", "Response", "Remission"],
                     group_outcome_rows(report))  # fmt: skip
    follow = group_follow_up(report)
    out += ["## Follow-up", ""] + ([f"- {f}" for f in follow] or ["- none"]) + [""]
    notes = [m for m in report.group.meetings if m.note]
    if notes:
        out += ["## Group notes", ""]
        out += [f"- Session {m.number} ({m.date.isoformat()}): {_md_cell(m.note or '')}"
                for m in notes] + [""]  # fmt: skip
    return "\n".join(out)
