"""The wording the text views share: the rows, headers, lines and phrases that the terminal
(views/terminal.py), HTML (views/html.py) and Markdown (views/markdown.py) renderings of a
report, plan, agenda, rhythm log and group all show. Plain strings: no Rich, no markup.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ipt_cli.core import catalogue
from ipt_cli.core.measures import ASRM_CUTOFF, INSTRUMENTS, reached_cutoff, screen
from ipt_cli.core.models import RHYTHM_ANCHORS, Course, RhythmEntry
from ipt_cli.core.planning import COVERED_MARK, Agenda, StrategyStatus, guardian_sessions
from ipt_cli.core.progress import (
    EatingSummary,
    MeasureSummary,
    Point,
    Report,
    judged_measures,
    non_response,
    review_history,
)
from ipt_cli.core.risk import RiskState, structured_lines
from ipt_cli.core.tracking import ALERTING, alerts_on_record

if TYPE_CHECKING:  # annotations only: a course's report needs neither
    from ipt_cli.core.group import Group, GroupReport
    from ipt_cli.core.rhythm import LifeChart, RhythmReport, WeekScore


def ending_title(report: Report) -> str:
    """'End of course', or, for an ending recorded before the last session, when it was."""
    if report.completed:
        return "End of course"
    return (
        f"Ending (recorded after session {report.sessions_recorded} of "
        f"{report.course.planned_sessions})"
    )


def shows_ending(report: Report) -> bool:
    return report.completed or report.course.ending is not None


def _now(m: MeasureSummary) -> str:
    """'now mild'; for an instrument without bands, where it stands against its cut-off."""
    if m.severity is not None:
        return f"now {m.severity}"
    if m.above_cutoff is not None and m.current is not None:
        return f"now {screen(INSTRUMENTS[m.instrument], m.current.total, m.cutoff)}"
    return "no severity bands"


def end_of_course_text(report: Report) -> str:
    """The end-of-course summary: change, response/remission, goals, signs, decision."""
    course = report.course
    held = report.sessions_recorded
    noun = "session" if held == 1 else "sessions"
    lines = [f"{held} {noun} held of {course.planned_sessions} planned."]
    for m in report.measures.values():
        if m.latest is None:
            continue
        percent = _percent_cell(m)
        change = "" if percent == "n/a" else f" ({percent})"
        lines.append(
            f"{m.name}: {or_na(m.baseline)} -> {m.latest}{change}; "
            f"{_now(m)}; {_response_phrase(m)}, {reliable_phrase(m)}."
        )
    lines += mania_lines(report)
    advice = non_response(report.measures, judged_measures(report.course.condition))
    if advice:
        lines.append(advice)
    for goal in report.goals:
        latest = "not rated" if goal.latest is None else f"latest {goal.latest}/10"
        lines.append(f"Goal {goal.id}: {latest}.")
    ending = course.ending
    signs = "; ".join(ending.warning_signs) if ending and ending.warning_signs else "not recorded"
    if ending and ending.date:  # schema 10: the day the termination work was done
        lines.append(f"Termination work recorded: {ending.date.isoformat()}")
    lines.append(f"Relapse warning signs: {signs}")
    lines += pole_sign_lines(course)
    decision = ending.decision if ending and ending.decision else "not recorded"
    note = f" ({ending.decision_note.rstrip('.')})" if ending and ending.decision_note else ""
    lines.append(f"Decision after the course: {decision}{note}")
    if report.open_items:
        lines.append("Still open: " + "; ".join(i.text for i in report.open_items) + ".")
    return "\n".join(lines)


def mania_lines(report: Report) -> list[str]:
    """Every ASRM of 6 or more on record (core/tracking.alerts_on_record), named in the
    summary even once a later score ended the alert: in IPSRT both poles are watched, and a
    PHQ-9 that fell while the ASRM was high may be a switch of pole rather than a remission."""
    alerts = alerts_on_record(report.course)
    if not alerts:
        return []
    when = ", ".join(f"{a.where} ({a.total}, {a.date.isoformat()})" for a in alerts)
    return [
        f"ASRM {ASRM_CUTOFF} or more, possible (hypo)mania, during the course: "
        f"{when}. A fall in the PHQ-9 over those weeks may be a switch of pole, not a remission."
    ]


def pole_sign_lines(course: Course) -> list[str]:
    """IPSRT's relapse plan watches both poles: the warning signs of each, for a course of
    that adaptation (or any course that has them)."""
    depression, mania = course.warning_signs_depression, course.warning_signs_mania
    if not catalogue.ADAPTATIONS[course.adaptation].rhythm_log and not (depression or mania):
        return []
    return [
        f"Warning signs of depression: {'; '.join(depression) or 'not recorded'}",
        f"Warning signs of mania: {'; '.join(mania) or 'not recorded'}",
    ]


def _response_phrase(m: MeasureSummary) -> str:
    if m.case_at_baseline is False:
        return "response and remission n/a (not a case at baseline)"
    return f"response {yes_no(m.response)}, remission {yes_no(m.remission)}"


def _sessions_words(sessions: tuple[int, ...]) -> str:
    return ("session " if len(sessions) == 1 else "sessions ") + ", ".join(map(str, sessions))


def strategy_lines(statuses: list[StrategyStatus]) -> list[str]:
    """Per problem area: how many of its strategies are covered, and which, with when."""
    lines = []
    for area in dict.fromkeys(s.area for s in statuses):
        mine = [s for s in statuses if s.area == area]
        done = [s for s in mine if s.covered]
        which = "; ".join(f"{s.id} ({_sessions_words(s.sessions)})" for s in done)
        name = catalogue.PROBLEM_AREAS[area].name
        lines.append(
            f"{name}: {len(done)} of {len(mine)} covered" + (f": {which}" if which else "")
        )
    return lines


def strategy_rows(statuses: list[StrategyStatus]) -> list[list[str]]:
    """Strategy, area, the sessions that covered it ('-': not yet)."""
    return [
        [
            f"[{s.id}] {s.text}",
            catalogue.PROBLEM_AREAS[s.area].name,
            ", ".join(map(str, s.sessions)) or "-",
        ]
        for s in statuses
    ]


def left_out_line(agenda: Agenda) -> str:
    """What a focused agenda leaves out, and the command that shows it."""
    count = len(agenda.left_out)
    done = sum(item.endswith(COVERED_MARK) for item in agenda.left_out)
    covered = f" ({done} of them covered)" if done else ""
    strategies = "strategy" if count == 1 else "strategies"
    return (
        f"Not shown: {count} more {strategies}{covered}. Every one: "
        f"ipt agenda {agenda.course_id} --week {agenda.week} --all"
    )


OUTCOME_WARNINGS = "OUTCOME WARNINGS"  # the terminal's box; Markdown and HTML say:
OUTCOME_WARNINGS_LINE = "WARNING: outcomes to act on"


def screen_alert_heading(texts: Sequence[str]) -> str:
    """The heading of a screen's own alerts ('SAFETY: MANIA ALERT'): a possible manic episode
    is a safety matter, shown apart from (and before) the outcome warnings."""
    names = [i.alert for i in ALERTING if any(t.startswith(f"{i.alert}:") for t in texts)]
    return "SAFETY: " + " / ".join(names or [i.alert for i in ALERTING])


def report_alerts(report: Report) -> tuple[list[str], list[str]]:
    """The report's (screen alerts, outcome warnings): a mania alert (kind 'mania') under a
    SAFETY heading of its own, never among the outcome warnings."""
    screens = [a.text for a in report.alerts if a.kind == "mania"]
    return screens, [a.text for a in report.alerts if a.kind != "mania"]


def checklist_title(report: Report) -> str:
    """'Termination checklist: 3 of 5 done' or '...: all 5 done': what is done is its
    items, not the course nor its termination phase (a bare '(done)' read as either)."""
    total = len(report.checklist)
    done = total - len(report.open_items)
    count = f"all {total}" if done == total else f"{done} of {total}"
    return f"Termination checklist: {count} done"


def next_session_words(report: Report, overdue: str = "OVERDUE") -> str:
    """'2026-01-19 (OVERDUE)', the date alone when it is not past, 'none' without one."""
    if report.next_date is None:
        return "none"
    late = f" ({overdue})" if report.next_date < report.today else ""
    return report.next_date.isoformat() + late


def yes_no(value: bool | None) -> str:
    """'yes', 'no', or 'n/a' when the rule does not apply (or cannot be judged yet)."""
    return "n/a" if value is None else ("yes" if value else "no")


def _signed(value: int | float | None, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:+g}{suffix}"


def whole_percent(value: float | None) -> str:
    """A change in percent as text views show it: a whole number, cut toward zero (-83.33
    reads -83%), so that a shown -50% always means the 50% response rule was met (rounding
    would show -49.6 as -50%); a change under one percent reads -<1% or +<1%. JSON keeps
    the exact value."""
    if value is None:
        return "n/a"
    whole = math.trunc(value)
    if whole == 0 and value:
        return f"{'-' if value < 0 else '+'}<1%"
    return f"{whole:+d}%"


def or_na(value: object) -> str:
    """The value as text, 'n/a' when there is none."""
    return "n/a" if value is None else str(value)


def reliable_word(m: MeasureSummary) -> str:
    """The direction of reliable change: recovery, improvement, DETERIORATION, no, n/a."""
    if m.reliable_improvement is None:
        return "n/a"
    if m.reliable_recovery:
        return "recovery"
    if m.reliable_improvement:
        return "improvement"
    return "DETERIORATION" if m.reliable_deterioration else "no"


def reliable_phrase(m: MeasureSummary) -> str:
    word = reliable_word(m)
    if word == "n/a":
        return "reliable change n/a"
    return "no reliable change" if word == "no" else f"reliable {word}"


def reading(instrument_id: str, total: int, severity: str | None) -> str | None:
    """What a score reads as, in a Severity column: its band; for an instrument with named
    screening cut-offs and no bands (the EPDS, the ASRM), the highest cut-off it reaches
    ('probable depression', 'possible (hypo)mania') or 'below the cut-off (10)', by the
    report's rule (core/measures.reached_cutoff); None for any other (the PCL-5: its note
    says where it stands against its cut-off)."""
    if severity is not None:
        return severity
    cutoffs = INSTRUMENTS[instrument_id].cutoffs
    if not cutoffs:
        return None
    reached = reached_cutoff(INSTRUMENTS[instrument_id], total)
    return f"below the cut-off ({cutoffs[0].score})" if reached is None else reached.label


def severity_cell(m: MeasureSummary) -> str:
    """The Severity column: the reading of the series' last score (in the acute block of a
    course in maintenance, the end of the acute course, as the band there is)."""
    if not m.series:
        return or_na(m.severity)
    return or_na(reading(m.instrument, m.series[-1].total, m.severity))


def point_reading(m: MeasureSummary, point: Point) -> str | None:
    """A charted score's reading (a chart's or a by-session table's Severity)."""
    return reading(m.instrument, point.total, point.severity)


def measure_row(m: MeasureSummary) -> list[str]:
    return [
        m.name,
        or_na(m.baseline),
        or_na(m.latest),
        _percent_cell(m),
        severity_cell(m),
        yes_no(m.response),
        yes_no(m.remission),
        reliable_word(m),
    ]


def no_change_rule(m: MeasureSummary) -> bool:
    """No rule reads this measure's change: no response rule and no reliable-change points
    (the ASRM, unless a reliable change is set)."""
    return not INSTRUMENTS[m.instrument].response_rule and m.reliable_points is None


def _percent_cell(m: MeasureSummary) -> str:
    """The change in percent; n/a for an instrument with no rule that reads one (no response
    rule, no reliable change: the ASRM), where a percentage would only draw the eye."""
    if no_change_rule(m):
        return "n/a"
    return whole_percent(m.change_percent)


def in_maintenance(report: Report) -> bool:
    """A maintenance score exists: the headline's latest is then the end of the acute course."""
    return any(m.series for m in report.maintenance_measures.values())


def measure_header(report: Report, header: Sequence[str] | None = None) -> list[str]:
    """The measures table's header; in maintenance, 'Latest' is the end of the acute course
    and the current (latest maintenance) score stands beside it (issue 26, defect 10)."""
    shown = list(MEASURE_HEADER if header is None else header)
    if in_maintenance(report):
        shown[2] = "End of acute"
        shown.insert(3, "Current")
        # severity, response and remission describe the end of the acute course, not the
        # current score beside them (a clinician read "Now 11 ... minimal ... remitted")
        shown = [f"{name} (acute)" if name in ACUTE_JUDGED else name for name in shown]
    return shown


ACUTE_JUDGED = ("Severity", "Resp.", "Remit.", "Response", "Remission")


def measure_rows(report: Report) -> list[list[str]]:
    rows = []
    for m in report.measures.values():
        row = measure_row(m)
        if in_maintenance(report):
            row.insert(3, current_cell(report, m))
        rows.append(row)
    return rows


def current_cell(report: Report, m: MeasureSummary) -> str:
    """'12 (m1) RELAPSE': the latest maintenance score of the instrument, '-' without one."""
    later = report.maintenance_measures.get(m.instrument)
    if later is None or not later.series:
        return "-"
    point = later.series[-1]
    return f"{point.total} (m{point.session}){' RELAPSE' if later.relapse else ''}"


def headline_notes(report: Report) -> list[str]:
    """The measures' notes, with what the columns mean once maintenance has scores."""
    notes = measure_notes(report.measures)
    if in_maintenance(report):
        notes.insert(
            0,
            "Maintenance has begun: the outcome columns measure the acute course, baseline to "
            "its end; the current score is the latest maintenance score (see Maintenance).",
        )
    return notes


MEASURE_HEADER = [
    "Measure",
    "Baseline",
    "Latest",
    "Change",
    "Severity",
    "Response",
    "Remission",
    "Reliable change",
]


def measure_notes(measures: dict[str, MeasureSummary]) -> list[str]:
    """What a reader needs to read the measures table right: where each baseline was taken
    when it was not the intake score, one score that is not yet an outcome, and the
    measures without a reliable-change convention."""
    notes = []
    for m in measures.values():
        first = m.first_point
        if first is None:
            continue
        if first.session != 0:
            notes.append(
                f"{m.name}: first rated at {first.label} ({first.date.isoformat()}); "
                "its baseline is that rating."
            )
        if m.cutoff is not None and m.series:
            notes.append(cutoff_note(m))
        if m.latest is None:
            notes.append(f"{m.name}: one score so far; an outcome needs a later score.")
            continue
        if m.case_at_baseline is False:
            notes.append(
                f"{m.name}: not a case at baseline ({m.baseline}); response and remission "
                "do not apply."
            )
        if m.instrument == "pcl5":
            notes.append(pcl5_change_note(m))
        elif no_change_rule(m):
            notes.append(
                f"{m.name}: no reliable-change convention and no response or remission rule; "
                "the change in points only (a reliable change can be set in ipt's settings)."
            )
        elif m.reliable_points is None:
            notes.append(
                f"{m.name}: no reliable-change convention; response and remission only "
                "(thresholds can be set in ipt's settings)."
            )
        if m.instrument == "phqa":
            notes.append(
                "PHQ-A: its reliable change and caseness are by default the adult PHQ-9's (6 "
                "points, 10; NHS Talking Therapies): the sources give no adolescent figures."
            )
    return notes


def pcl5_change_note(m: MeasureSummary) -> str:
    """The PCL-5's change read by the National Center for PTSD's guidance, not a 50% rule."""
    change = m.change or 0
    fall = -change
    if fall >= 10:
        reading = "a clinically meaningful improvement"
    elif fall >= 5:
        reading = (
            f"a fall within the 5-10 points given for reliable change (the setting: "
            f"{m.reliable_points})"
        )
    elif change >= 5:
        reading = "a worsening of at least 5 points"
    else:
        reading = "no reliable change"
    return (
        f"{m.name}: change {change:+d} points, {reading} (US National Center for PTSD: 5-10 "
        "points reliable change, 10-20 clinically meaningful; no 50% response rule)."
    )


CLUSTER_NAMES = {
    "intrusion": "intrusion",
    "avoidance": "avoidance",
    "negative_cognitions_mood": "negative cognitions and mood",
    "arousal_reactivity": "arousal and reactivity",
}


def cutoff_note(m: MeasureSummary) -> str:
    """'PCL-5: latest 28, below the cut-off (33); clusters: intrusion 7, ...'; no bands."""
    last = m.current
    if last is None:  # no score yet: nothing to stand against the cut-off
        return f"{m.name}: no score yet"
    stands = screen(INSTRUMENTS[m.instrument], last.total, m.cutoff)
    text = f"{m.name}: most recent {last.total}, {stands}"
    if m.instrument == "pcl5":
        text += " for probable PTSD; no severity bands exist"
    if last.clusters:
        text += "; clusters: " + ", ".join(
            f"{CLUSTER_NAMES.get(k, k)} {v}" for k, v in last.clusters.items()
        )
    if last.dsm5_rule is not None:
        text += f"; provisional DSM-5 symptom rule {'met' if last.dsm5_rule else 'not met'}"
    return text + "."


MAINTENANCE_HEADER = [
    "Measure",
    "Acute baseline",
    "End of acute",
    "Latest",
    "Since end of acute",
    "Severity",
    "Relapse",
]


def maintenance_row(m: MeasureSummary) -> list[str]:
    return [
        m.name,
        or_na(m.baseline),
        or_na(m.end_of_acute),
        or_na(m.series[-1].total if m.series else None),
        _signed(m.change_from_end_of_acute),
        severity_cell(m),
        "RELAPSE" if m.relapse else yes_no(m.relapse),
    ]


def maintenance_heading(report: Report) -> str | None:
    plan = report.course.maintenance
    if plan is None:
        return None
    return (
        f"{len(plan.sessions)} of {plan.planned_sessions} {plan.cadence} sessions from "
        f"{plan.start_date.isoformat()}; measured against the acute baseline and the end of "
        "the acute course."
    )


def review_lines(report: Report) -> list[tuple[str, list[str]]]:
    """Each reviewed sitting with its flags, then every review in order, plans included."""
    out = []
    for sitting in review_history(report.course):
        flagged = ", ".join(sitting.flags) or "no flag scored"
        head = f"{sitting.where} ({sitting.date.isoformat()}): {flagged}"
        lines = []
        for n, review in enumerate(sitting.reviews, 1):
            by = f" by {review.by}" if review.by else ""
            note = review.note.strip()
            plan = f" Plan: {review.plan}" if review.plan else ""
            stop = "" if not plan or note.endswith((".", "!", "?")) else "."
            lines.append(f"Review {n}, {review.dated}{by}: {note}{stop}{plan}")
            lines += [f"  {line}" for line in structured_lines(review)]
        out.append((head, lines))
    return out


def flagged_sittings(report: Report, maintenance: bool) -> dict[int, str]:
    """The sittings that raised a safety flag, by session number (0: the baseline), each
    with its flags' words and whether they are reviewed: 'EPDS item 10 = 1, not reviewed'
    (the HTML charts' marks and the Markdown by-session tables' Safety flag column)."""
    found: dict[int, list[str]] = {}
    for flag in report.flags:
        if flag.maintenance == maintenance:
            what = flag.label.removesuffix(f" at {flag.where} ({flag.date.isoformat()})")
            state = "reviewed" if flag.reviewed else "not reviewed"
            found.setdefault(flag.session, []).append(f"{what}, {state}")
    return {session: "; ".join(words) for session, words in found.items()}


def attendance_rows(course: Course) -> list[list[str]]:
    """Session, date and who attended, for the sessions whose attendees were recorded (a
    session where a guardian is planned says so), and every missed appointment with its
    reason, in date order, with every session held beside it ("not recorded" where no one
    was named): a report that listed only the sessions held hid the absences
    (the fresh clinician's walk-through of issue 30's fourth session)."""
    planned = guardian_sessions(course)
    rows: list[tuple[dt.date, list[str]]] = []
    every = bool(course.missed)  # beside an absence, every session held is listed
    for number, session in course.numbered_sessions():
        if session.attendees or number in planned or every:
            who = ", ".join(session.attendees) or "not recorded"
            if number in planned and "guardian" not in session.attendees:
                who += " (guardian planned)"
            rows.append((session.date, [str(number), session.date.isoformat(), who]))
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            if session.attendees or every:
                who = ", ".join(session.attendees) or "not recorded"
                rows.append((session.date, [f"m{number}", session.date.isoformat(), who]))
    if not (course.missed or any(s.attendees for s in course.all_sessions())):
        return []
    for missed in course.missed:
        taken = "-" if missed.number is None else str(missed.number)
        rows.append((missed.date, [taken, missed.date.isoformat(), f"missed: {missed.reason}"]))
    return [cells for _, cells in sorted(rows, key=lambda row: row[0])]


def adaptation_lines(course: Course) -> list[tuple[str, str]]:
    """The adaptation, guardian and rhythm log, when the course is not standard IPT."""
    if course.adaptation == catalogue.DEFAULT_ADAPTATION and not course.rhythm:
        return []
    adaptation = catalogue.ADAPTATIONS[course.adaptation]
    lines = [("Adaptation", adaptation.name)]
    if course.guardian:
        guardian = course.guardian
        consent = ""
        if guardian.consent_by or guardian.consent_date:
            by = f" by {guardian.consent_by}" if guardian.consent_by else ""
            on = f" on {guardian.consent_date.isoformat()}" if guardian.consent_date else ""
            consent = f"; consent{by}{on}"
        elif adaptation.guardian:
            consent = "; consent not recorded"
        if guardian.alias is None:
            who = f"none ({guardian.consent_reason})"
        else:
            who = guardian.alias
        lines.append(("Guardian", who + consent))
    elif adaptation.guardian:
        lines.append(("Guardian", "not recorded; consent not recorded"))
    if adaptation.rhythm_log or course.rhythm:
        # lazy: keeps social rhythm off start-up
        from ipt_cli.core.rhythm import review_line

        lines.append(("Rhythm log", rhythm_status(review_line(course))))
    return lines


def rhythm_status(line: str) -> str:
    """The agenda's rhythm item as the report header's 'Rhythm log' row: the item's lead
    left off, and nothing else ('week to 2026-02-06, SRM 4 of 7, ...'; 'nothing logged
    yet: ipt rhythm ab --out-of-bed HH:MM ...', not '...HH:MM ...)' with a stray bracket)."""
    for lead in (f"{catalogue.RHYTHM_REVIEW}: ", f"{catalogue.RHYTHM_STALE}: "):
        if line.startswith(lead):
            return line.removeprefix(lead)
    bracketed = f"{catalogue.RHYTHM_REVIEW} ("
    if line.startswith(bracketed) and line.endswith(")"):
        return line.removeprefix(bracketed).removesuffix(")")
    return line


def condition_line(course: Course) -> str | None:
    """'Post-traumatic stress (PTSD); primary outcome PCL-5', for a course that is not the
    default depression profile (whose reports are unchanged)."""
    if course.condition == "depression":
        return None
    profile = catalogue.CONDITIONS[course.condition]
    return f"{profile.name}; primary outcome {profile.primary_name}"


EATING_HEADER = ["Sitting", "Date", "Days", "Binges", "Per week", "Compens.", "EDE-Q"]


def eating_rows(eating: EatingSummary) -> list[list[str]]:
    return [
        [
            w.label,
            w.date.isoformat(),
            str(w.days),
            or_na(w.binges),
            or_na(w.binges_per_week),
            or_na(w.compensatory),
            "n/a" if w.edeq_global is None else f"{w.edeq_global:.2f}",
        ]
        for w in eating.weeks
    ]


def _weeks(days: int | None) -> str:
    if days is None:
        return "n/a"
    weeks = days / 7
    return f"{weeks:g} week" + ("" if weeks == 1 else "s")


def eating_notes(eating: EatingSummary) -> list[str]:
    """Change from the first weeks, abstinence runs and the EDE-Q global trend."""
    notes = []
    for what, name in (("binges", "Binge episodes"), ("compensatory", "Compensatory behaviours")):
        first, recent = eating.first_weeks(what), eating.recent_weeks(what)
        if first is None:
            continue
        if recent is None:
            notes.append(f"{name}: {first:g} per week in the first weeks; no later count yet.")
        else:
            percent = whole_percent(eating.change_percent(what))
            notes.append(
                f"{name}: {first:g} per week in the first weeks, {recent:g} in the most recent "
                f"({_signed(eating.change(what))} per week, {percent})."
            )
    runs = eating.abstinence_runs()
    if eating.current_abstinence_days is not None:
        abstinent = "yes" if eating.abstinent else "no"
        notes.append(
            f"Abstinence from binges: current run {_weeks(eating.current_abstinence_days)}, "
            f"longest {_weeks(eating.longest_abstinence_days)}; no binges over the last 28 "
            f"days: {abstinent}."
        )
    for a, b, days in runs:
        span = a.label if a is b else f"{a.label} to {b.label}"
        # The counts cover the period before each sitting: the run starts a period earlier.
        dates = f"{a.period_start.isoformat()} to {b.date.isoformat()}"
        notes.append(f"Weeks without a binge: {span} ({dates}, {_weeks(days)}).")
    edeq = eating.edeq
    if edeq:
        trend = " -> ".join(f"{w.edeq_global:.2f}" for w in edeq)
        change = "" if eating.edeq_change is None else f" ({eating.edeq_change:+.2f})"
        notes.append(f"EDE-Q global (0-6): {trend}{change}.")
    return notes


def assessment_lines(course: Course) -> list[tuple[str, str]]:
    """Sick role and medication, as (label, text) pairs, when recorded."""
    lines = adaptation_lines(course)
    if course.sick_role:
        given = "given" if course.sick_role.given else "not given"
        lines.append(
            ("Sick role", given + (f" ({course.sick_role.note})" if course.sick_role.note else ""))
        )
    if course.medication:
        lines.append(("Medication", course.medication))
    return lines


def phase_text(report: Report) -> str:
    """'middle (session 7 of 16)', 'maintenance: session 2 of 12 (...)' or 'completed'."""
    course = report.course
    plan = course.maintenance
    if report.phase == "maintenance" and plan is not None:
        return (
            f"maintenance: session {len(plan.sessions) + 1} of {plan.planned_sessions} "
            f"(acute course of {course.planned_sessions} completed)"
        )
    if report.completed:
        return "completed"
    next_number = min(course.sessions_used + 1, course.planned_sessions)
    return f"{report.phase} (session {next_number} of {course.planned_sessions})"


def record_sections(report: Report) -> list[tuple[str, list[str]]]:
    """The report's sections on supervision, adherence and signatures, each when there is
    something to show (supervision: once a session is reviewed or signed)."""
    # lazy: keeps views.record off `ipt plan ab`
    from ipt_cli.views import record as views

    record = report.record
    if record is None:
        return []
    parts = []
    if report.course.contacts:  # calls and messages outside sessions (ipt contact)
        contacts = [f"{c.date.isoformat()}: {c.note}" for c in report.course.contacts]
        parts.append(("Contacts outside sessions", contacts))
    if record.supervision.any or record.chain.links:
        parts.append(("Supervision", views.supervision_lines(record.supervision)))
    if record.adherence.any:
        parts.append(("Adherence (fidelity)", views.adherence_lines(record.adherence)))
    line = views.signature_line(record.chain)
    if line:
        parts.append(("Signatures", [line]))
    return parts


def record_header(report: Report) -> list[tuple[str, str]]:
    """(label, text) rows for the report header: the safety plan's current version."""
    record = report.record
    if record is None or record.safety_plan is None:
        return []
    return [("Safety plan", record.safety_plan)]


def high_risk_banner(report: Report) -> str | None:
    return report.risk.banner


def risk_lines(state: RiskState | None) -> list[str]:
    """The risk state as plain lines: the banner, each unreviewed flag, the standing level."""
    if state is None:
        return []
    lines = [state.banner] if state.banner else []
    lines += unreviewed_lines(state)
    return [*lines, *state.status_lines]


def unreviewed_lines(state: RiskState) -> list[str]:
    """Each unreviewed flag as a line ('SAFETY: unreviewed PHQ-9 item 9 = 2 URGENT at
    session 2 (2026-01-19), waiting 3 days')."""
    return [f"SAFETY: unreviewed {f.label}" for f in state.flags]


def still_open_lines(state: RiskState, other_sessions: bool = True) -> list[str]:
    """The flags of other sittings still unreviewed, said after a session is recorded (its
    own flags are its SAFETY notice's), or every one (`other_sessions` False: after a
    missed appointment): how many and how many URGENT, each flag as every view words it,
    and the review command of each flagged sitting. None: nothing open."""
    count = len(state.flags)
    if not count:
        return []
    urgent = sum(f.flag.urgent for f in state.flags)
    where = " from other sessions" if other_sessions else ""
    head = f"Still unreviewed{where}: {count} safety flag{'s' * (count != 1)}"
    head += f" ({urgent} URGENT)" if urgent else ""
    commands = [f"  {command}" for command in state.commands]
    return [head, *unreviewed_lines(state), "Record a review with:", *commands]


def rhythm_day_cells(week: WeekScore) -> list[list[str]]:
    """One row per logged day: date, the five times (a time outside its habitual window is
    marked `!`), people involved and mood."""
    # lazy: keeps social rhythm off start-up
    from ipt_cli.core.rhythm import WINDOW_MINUTES, minutes

    habitual = {a.anchor: a.habitual for a in week.anchors}
    rows = []
    for entry in week.entries:
        cells = [entry.date.isoformat()]
        for anchor in RHYTHM_ANCHORS:
            time = entry.time_of(anchor)
            mean = habitual[anchor]
            if time is None:
                cells.append("-")
                continue
            off = mean is not None and abs(minutes(anchor, time) - mean) > WINDOW_MINUTES
            cells.append(time.strftime("%H:%M") + ("!" if off else ""))
        cells.append(people_cell(entry))
        cells.append("-" if entry.mood is None else f"{entry.mood:+d}")
        rows.append(cells)
    return rows


def people_cell(entry: RhythmEntry) -> str:
    """The SRM involvement (0-3) per anchor; an entry from before schema 10 shows its
    counts of people, marked `#` as legacy."""
    if entry.involvement:
        return ",".join(map(str, entry.involvement))
    if entry.with_people:
        return ",".join(map(str, entry.with_people)) + "#"
    return "-"


def rhythm_footnotes(report: RhythmReport) -> list[tuple[str, str]]:
    """What the marks of the day tables mean, as far as the report uses them."""
    # lazy: keeps social rhythm off start-up
    from ipt_cli.core.rhythm import INVOLVEMENT_SCALE

    notes = [("!", "more than 45 minutes from the week's habitual time.")]
    entries = [e for w in report.weeks for e in w.entries]
    if any(e.involvement for e in entries):
        notes.append(("People", f"who was involved, per anchor ({INVOLVEMENT_SCALE})."))
    if any(e.with_people and not e.involvement for e in entries):
        notes.append(("#", "a legacy count of people per anchor (before the 0-3 scale)."))
    return notes


TARGET_HEADER = ["Anchor", "Target", "Habitual", "Mean off (min)", "Days ±45 min"]


def target_rows(week: WeekScore) -> list[list[str]]:
    """Per anchor with a target: the target in force, the SRM's habitual time, the mean
    deviation in minutes (with its direction) and the days within 45 minutes."""
    # lazy: keeps social rhythm off start-up
    from ipt_cli.core.rhythm import clock

    names = dict(zip(RHYTHM_ANCHORS, RHYTHM_HEADER[1:6], strict=True))
    habitual = {a.anchor: a.habitual for a in week.anchors}
    rows = []
    for d in week.deviations:
        if d.target is None and not d.days:
            continue
        mean = habitual[d.anchor]
        if d.mean_deviation is None or d.mean_offset is None:
            off, within = "-", "no day logged"
        else:
            way = "later" if d.mean_offset > 0 else "earlier"
            off = f"{d.mean_deviation:g}" + (
                f" ({d.mean_offset:+g} {way})" if d.mean_offset else ""
            )
            within = f"{d.within} of {d.days}"
        rows.append(
            [
                names[d.anchor],
                "-" if d.target is None else d.target.strftime("%H:%M"),
                "-" if mean is None else clock(mean),
                off,
                within,
            ]
        )
    return rows


def no_targets_line(report: RhythmReport) -> str | None:
    if report.targets:
        return None
    return (
        f"No target times agreed yet: ipt rhythm {report.course_id} target --out-of-bed "
        "HH:MM --first-contact HH:MM --start-activity HH:MM --dinner HH:MM --to-bed HH:MM"
    )


RHYTHM_HEADER = ["Date", "Up", "Contact", "Start", "Dinner", "Bed", "People", "Mood"]


def rhythm_week_words(week: WeekScore) -> str:
    """'SRM 4.6 of 7: 5 anchors counted, 32 hits, 6.4 per logged day; mood +0.3'."""
    if week.srm is None:
        score = "SRM not scored: no anchor was done on 3 or more days"
    else:
        score = (
            f"SRM {week.srm:g} of 7: {len(week.counted)} anchors counted, {week.hits} hits, "
            f"{week.hits_per_day:g} per logged day"
        )
    mood = "no mood logged" if week.mood is None else f"mean mood {week.mood:+g}"
    return f"{score}; {week.days_logged} days logged; {mood}"


def life_chart_lines(chart: LifeChart, per_row: int = 9) -> list[str]:
    """The IPSRT life chart as text, weeks across (at most `per_row` a block): the week's
    mean mood plotted from +5 to -5, then mood, SRM, ASRM and PHQ-9 as numbers."""
    # lazy: keeps social rhythm off start-up
    from ipt_cli.core.rhythm import SCORE_PLACEMENT

    title = f"Life chart of {chart.course_id}: mood, regularity and both poles by week"
    if not chart.weeks:
        return [title, "", "Nothing recorded yet: no rhythm log and no session."]
    out = [title]
    for first in range(0, len(chart.weeks), per_row):
        weeks = chart.weeks[first : first + per_row]
        out += ["", _chart_row("Week of", [w.start.strftime("%m-%d") for w in weeks])]
        for level in range(5, -6, -1):
            marks = [
                "●" if w.mood is not None and round(w.mood) == level else "·" if level == 0 else ""
                for w in weeks
            ]
            out.append(_chart_row(f"{level:+d}" if level else " 0 mood", marks))
        out.append(_chart_row("Mood (-5..5)", [_num(w.mood, "+.1f") for w in weeks]))
        out.append(_chart_row("SRM (0-7)", [_num(w.srm, ".1f") for w in weeks]))
        if chart.has_asrm:
            out.append(
                _chart_row(
                    "ASRM (0-20)",
                    [
                        "-" if w.asrm is None else f"{w.asrm}{'!' if w.asrm >= ASRM_CUTOFF else ''}"
                        for w in weeks
                    ],
                )
            )
        out.append(
            _chart_row(
                "PHQ-9 (0-27)",
                [
                    "-" if w.phq9 is None else f"{w.phq9}{'*' if w.phq9_item9 else ''}"
                    for w in weeks
                ],
            )
        )
    out.append("")
    out.append("Mood: the mean of the week's daily ratings (ipt rhythm). SRM: regularity, 0-7.")
    if chart.has_asrm:
        out.append(f"!: ASRM {ASRM_CUTOFF} or more, possible (hypo)mania (Altman et al. 1997).")
    else:
        out.append("No ASRM (mania) score is recorded: PHQ-9 only.")
    out.append("*: PHQ-9 item 9 (thoughts of death or self-harm) above 0: see the risk review.")
    out.append(SCORE_PLACEMENT)
    return out


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _chart_row(label: str, cells: list[str]) -> str:
    return f"{label:<14}" + "".join(f"{c:>7}" for c in cells)


# --- Group IPT -----------------------------------------------------------------------------


def group_grid(report: GroupReport) -> tuple[list[str], list[list[str]]]:
    """The attendance grid: one row per member, one column per planned session."""
    header = ["Member", *[str(n) for n in range(1, report.group.planned_sessions + 1)]]
    rows = [[m.course_id, *[a or "." for a in m.attendance]] for m in report.members]
    return header, rows


def group_outcome_rows(report: GroupReport) -> list[list[str]]:
    return [
        [
            m.course_id,
            " ".join(f"{label}:{total}" for label, total in m.scores) or "-",
            yes_no(m.response),
            yes_no(m.remission),
        ]
        for m in report.members
    ]


def group_summary_lines(report: GroupReport) -> list[str]:
    group = report.group
    facilitators = group.facilitator + (
        f" and {group.co_facilitator}" if group.co_facilitator else ""
    )
    rate = report.response_rate
    outcomes = len(report.outcomes)
    scored = [m for m in report.members if len(m.scores) >= 2]
    rate_text = (
        (
            "no member who was a case at the start (PHQ-9 "
            f"{INSTRUMENTS['phq9'].caseness} or more) has two PHQ-9 scores yet"
            if scored
            else "no member has two PHQ-9 scores yet"
        )
        if rate is None
        else f"{round(rate)}% ({sum(1 for m in report.outcomes if m.response)} of {outcomes} "
        "members with two or more PHQ-9 scores who were cases at the start: response does "
        "not apply below caseness)"
    )
    return [
        f"Facilitators: {facilitators}",
        f"Start: {group.start_date.isoformat()}; sessions held: {len(group.meetings)} of "
        f"{group.planned_sessions}" + (" (completed)" if report.completed else ""),
        f"Members: {len(group.members)}",
        f"Response rate (PHQ-9 down by half or more): {rate_text}",
    ]


def group_follow_up(report: GroupReport) -> list[str]:
    return [f"{m.course_id}: {'; '.join(m.follow_up)}" for m in report.members if m.follow_up]


def group_list_text(groups: list[Group]) -> str:
    if not groups:
        return "No groups yet. Start one with: ipt group new GROUP_ID --facilitator ALIAS\n"
    lines = []
    for g in groups:
        lines.append(
            f"{g.id}  {g.facilitator}  from {g.start_date.isoformat()}  "
            f"{len(g.members)} members  {len(g.meetings)} of {g.planned_sessions} held"
        )
    return "\n".join(lines) + "\n"
