"""JSON and Markdown renderings of reports, plans, agendas and lists (no Rich here).

JSON shapes are contracts for scripts; tests pin their keys.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ipt_cli.core import catalogue
from ipt_cli.core.corrections import history
from ipt_cli.core.measures import INSTRUMENTS, screen
from ipt_cli.core.models import RHYTHM_ANCHORS, Course, RhythmEntry, SessionRecord
from ipt_cli.core.planning import Agenda, Plan, PlanRow, StrategyStatus, primary_of
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
from ipt_cli.views import record as views_record
from ipt_cli.views.text_safety import markdown_cell, markdown_escape

if TYPE_CHECKING:  # annotations only: a course's report needs neither
    from ipt_cli.core.group import Group, GroupAgenda, GroupReport
    from ipt_cli.core.rhythm import LifeChart, RhythmReport, WeekScore


def _measure_json(summary: MeasureSummary) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "baseline": summary.baseline,
        "baseline_session": summary.baseline_session,
        "baseline_in_maintenance": (
            summary.first_point.maintenance if summary.first_point is not None else None
        ),
        "latest": summary.latest,
        "change": summary.change,
        "change_percent": summary.change_percent,
        "severity": summary.severity,
        "response": summary.response,
        "remission": summary.remission,
        "case_at_baseline": summary.case_at_baseline,
        "reliable_change": summary.reliable_change,
        "reliable_improvement": summary.reliable_improvement,
        "reliable_deterioration": summary.reliable_deterioration,
        "reliable_recovery": summary.reliable_recovery,
        "series": [_point_json(summary, p) for p in summary.series],
    }
    if summary.cutoff is not None:
        shown["cutoff"] = summary.cutoff
        shown["above_cutoff"] = summary.above_cutoff
    named = INSTRUMENTS[summary.instrument].cutoffs
    if named:  # the EPDS: each named cut-off, and the highest the latest score reaches
        last = summary.series[-1].total if summary.series else None
        shown["cutoffs"] = [
            {"score": c.score, "label": c.label, "above": None if last is None else last >= c.score}
            for c in named
        ]
        reached = [c.label for c in named if last is not None and last >= c.score]
        shown["screen"] = reached[-1] if reached else None
    if summary.instrument == "pcl5":
        shown["clusters"] = summary.clusters
        shown["dsm5_rule"] = summary.series[-1].dsm5_rule if summary.series else None
    return shown


def _point_json(summary: MeasureSummary, p: Point) -> dict[str, Any]:
    point: dict[str, Any] = {
        "session": p.session,
        "date": p.date.isoformat(),
        "total": p.total,
        "severity": p.severity,
    }
    if summary.cutoff is not None:
        point["above_cutoff"] = p.total >= summary.cutoff
    if p.clusters is not None:
        point["clusters"] = p.clusters
        point["dsm5_rule"] = p.dsm5_rule
    return point


def eating_json(eating: EatingSummary | None) -> dict[str, Any] | None:
    """The eating-disorder self-monitoring section of the report JSON."""
    if eating is None:
        return None
    return {
        "weeks": [
            {
                "session": w.session,
                "date": w.date.isoformat(),
                "days": w.days,
                "binges": w.binges,
                "compensatory": w.compensatory,
                "binges_per_week": w.binges_per_week,
                "compensatory_per_week": w.compensatory_per_week,
                "edeq_global": w.edeq_global,
            }
            for w in eating.weeks
        ],
        "binges_per_week": {
            "first_weeks": eating.first_weeks("binges"),
            "recent_weeks": eating.recent_weeks("binges"),
            "change": eating.change("binges"),
            "change_percent": eating.change_percent("binges"),
        },
        "compensatory_per_week": {
            "first_weeks": eating.first_weeks("compensatory"),
            "recent_weeks": eating.recent_weeks("compensatory"),
            "change": eating.change("compensatory"),
            "change_percent": eating.change_percent("compensatory"),
        },
        "abstinence": {
            "current_days": eating.current_abstinence_days,
            "longest_days": eating.longest_abstinence_days,
            "abstinent_28_days": eating.abstinent,
            "runs": [
                {"from": a.date.isoformat(), "to": b.date.isoformat(), "days": days}
                for a, b, days in eating.abstinence_runs()
            ],
        },
        "edeq_global": {
            "first": eating.edeq[0].edeq_global if eating.edeq else None,
            "latest": eating.edeq[-1].edeq_global if len(eating.edeq) > 1 else None,
            "change": eating.edeq_change,
            "series": [
                {"session": w.session, "date": w.date.isoformat(), "score": w.edeq_global}
                for w in eating.edeq
            ],
        },
    }


def report_json(report: Report) -> dict[str, Any]:
    """The JSON contract of `ipt report --format json` (pinned by a test)."""
    course = report.course
    return {
        "course_id": course.id,
        "client": course.client,
        "kind": course.kind,
        "condition": course.condition,
        "primary_measure": primary_of(course),
        "adaptation": course.adaptation,
        "guardian": guardian_json(course),
        "start_date": course.start_date.isoformat(),
        "sessions_planned": course.planned_sessions,
        "sessions_recorded": report.sessions_recorded,
        "phase": report.phase,
        "next_session_date": report.next_date.isoformat() if report.next_date else None,
        "problem_areas": list(course.problem_areas),
        "dispute_stage": report.dispute_stage,
        "measures": {key: _measure_json(m) for key, m in report.measures.items()},
        "eating": eating_json(report.eating),
        "safety_flags": [
            {
                "session": f.session,
                "date": f.date.isoformat(),
                "instrument": f.instrument,
                "item": f.item,
                "score": f.score,
                "reviewed": f.reviewed,
                "urgent": f.urgent,
                "maintenance": f.maintenance,
                "session_id": f.session_id,
            }
            for f in report.flags
        ],
        "risk": views_record.risk_json(report.risk),
        "alerts": [
            {"instrument": a.instrument, "kind": a.kind, "text": a.text} for a in report.alerts
        ],
        "sessions": [_session_json(number, s) for number, s in course.numbered_sessions()],
        # sessions recorded by mistake and withdrawn: kept, counted nowhere (schema 10)
        "withdrawn_sessions": [withdrawn_json(course, s) for s in course.withdrawn()],
        "goals": [
            {
                "id": g.id,
                "text": g.text,
                "latest_rating": g.latest,
                "retired": None if g.retired is None else g.retired.isoformat(),
            }
            for g in report.goals
        ],
        "techniques": report.techniques,
        "strategies": strategy_json(report.strategies),  # each with the sessions covering it
        "contract_changes": [
            {
                "date": c.date.isoformat(),  # the day it was agreed (contract --date)
                "old": c.old,
                "new": c.new,
                "reason": c.reason,
                "recorded_at": c.recorded_at.isoformat() if c.recorded_at else None,
            }
            for c in course.contract_changes
        ],
        "changes": [
            {
                "date": h.date.isoformat(),
                "what": h.what,
                "old": h.old,
                "new": h.new,
                "reason": h.reason,
            }  # fmt: skip
            for h in history(course)
        ],
        "sick_role": None if course.sick_role is None else course.sick_role.model_dump(),
        "medication": course.medication,
        "inventory": inventory_json(course),
        "timeline": [
            {
                "date": e.when,  # YYYY-MM when only the month is known
                "precision": e.precision or "day",
                "event": e.event,
                "mood": e.mood,
            }
            for e in course.timeline
        ],
        "formulation": None
        if course.formulation is None
        else {
            "text": course.formulation.text,
            "agreed": course.formulation.agreed,
            "date": course.formulation.date.isoformat(),  # written or agreed (--date)
            "recorded_at": course.formulation.recorded_at.isoformat()
            if course.formulation.recorded_at
            else None,
        },
        "risk_reviews": _risk_reviews_json(course),
        "contacts": [{"date": c.date.isoformat(), "note": c.note} for c in course.contacts],
        "maintenance": _maintenance_json(report),
        "tasks": [
            {"session": t.session, "date": t.date.isoformat(), "task": t.task, "outcome": t.outcome}
            for t in report.tasks
        ],
        "termination_checklist": [
            {"id": i.id, "text": i.text, "done": i.done} for i in report.checklist
        ],
        "ending": None if course.ending is None else course.ending.model_dump(mode="json"),
        "warning_signs_by_pole": _pole_signs_json(course),
        "completed": report.completed,
        "archived": course.archived.isoformat() if course.archived else None,
        "rhythm": _rhythm_summary_json(course),
        **_record_json(report),
    }


def _pole_signs_json(course: Course) -> dict[str, list[str]] | None:
    """IPSRT's warning signs of each pole (None for a course of another adaptation)."""
    if not catalogue.ADAPTATIONS[course.adaptation].rhythm_log and not (
        course.warning_signs_depression or course.warning_signs_mania
    ):
        return None
    return {
        "depression": list(course.warning_signs_depression),
        "mania": list(course.warning_signs_mania),
    }


def guardian_json(course: Course) -> dict[str, Any] | None:
    guardian = course.guardian
    if guardian is None:
        return None
    return {
        "alias": guardian.alias,
        "consent_by": guardian.consent_by,
        "consent_date": guardian.consent_date.isoformat() if guardian.consent_date else None,
        "consent_reason": guardian.consent_reason,
    }


def _rhythm_summary_json(course: Course) -> dict[str, Any] | None:
    """The social rhythm log at a glance (IPSRT courses, or any course with a log)."""
    if not catalogue.ADAPTATIONS[course.adaptation].rhythm_log and not course.rhythm:
        return None
    from ipt_cli.core.rhythm import weeks

    last = weeks(course.rhythm, 1)
    return {
        "days_logged": len(course.rhythm),
        "last_week": rhythm_week_json(last[0]) if last else None,
    }


def rhythm_week_json(week: WeekScore) -> dict[str, Any]:
    from ipt_cli.core.rhythm import clock

    return {
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "days_logged": week.days_logged,
        "srm_score": week.srm,
        "hits": week.hits,
        "anchors_counted": len(week.counted),
        "hits_per_day": week.hits_per_day,
        "mean_mood": week.mood,
        "habitual_times": {
            a.anchor: None if a.habitual is None else clock(a.habitual) for a in week.anchors
        },
        "against_targets": {
            d.anchor: {
                "target": _clock_or_none(d.target),
                "days": d.days,
                "mean_deviation_minutes": d.mean_deviation,
                "mean_offset_minutes": d.mean_offset,
                "days_within_45": d.within,
            }
            for d in week.deviations
        }
        or None,
    }


def _record_json(report: Report) -> dict[str, Any]:
    """Schema 3's parts of the report: the standing high risk, the safety plan, supervision,
    adherence and signatures."""
    from ipt_cli.views import record as views

    record = report.record
    if record is None:
        return {}
    head = record.chain.head
    plan = report.course.safety_plan
    return {
        "high_risk": views.high_risk_json(report.risk.high),
        "safety_plan": None
        if not plan
        else {
            "version": len(plan),
            "date": plan[-1].date.isoformat(),
            "by": plan[-1].by,
            "sections": plan[-1].sections(),
        },
        "supervision": views.supervision_json(record.supervision),
        "adherence": views.adherence_json(record.adherence),
        "signatures": {
            "signed_sessions": record.chain.sessions_signed,
            "sealed_entries": record.chain.entries_signed,
            "chain_holds": not record.chain.problems,
            "head": None if head is None else {"seq": head.seq, "hash": head.signature.hash},
        },
    }


def inventory_json(course: Course) -> list[dict[str, Any]]:
    return [
        {
            "number": n,
            "name": p.name,
            "relationship": p.relationship,
            "ring": p.ring,
            "contact": p.contact,
            "satisfying": p.satisfying,
            "unsatisfying": p.unsatisfying,
            "expectations_met": p.expectations_met,
            "changes_wanted": p.changes_wanted,
            "tags": list(p.tags),
        }
        for n, p in enumerate(course.inventory, 1)
    ]


def _session_json(number: int, session: SessionRecord) -> dict[str, Any]:
    return {
        "session": number,
        "id": session.id,
        "date": session.date.isoformat(),
        "mood": session.mood,
        "focus": session.focus,
        "techniques": list(session.techniques),
        "strategies": list(session.strategies),
        "goal_ratings": dict(session.goal_ratings),
        "dispute_stage": session.dispute_stage,
        "task": session.task,
        "task_outcome": session.task_outcome,
        "addenda": len(session.addenda),
        "attendees": list(session.attendees),
        "corrections": [
            {
                "date": c.date.isoformat(),
                "field": c.field,
                "old": c.old,
                "new": c.new,
                "reason": c.reason,
            }  # fmt: skip
            for c in session.corrections
        ],
    }


def withdrawn_json(course: Course, session: SessionRecord) -> dict[str, Any]:
    """A withdrawn session: its id, date and the number it had, and the withdrawal."""
    withdrawal = session.withdrawn
    assert withdrawal is not None
    plan = course.maintenance
    maintenance = plan is not None and any(s is session for s in plan.withdrawn_sessions)
    return {
        "id": session.id,
        "date": session.date.isoformat(),
        "maintenance": maintenance,
        "withdrawn": {
            "date": withdrawal.date.isoformat(),
            "reason": withdrawal.reason,
            "by": withdrawal.by,
            "number": withdrawal.number,
            "recorded_at": withdrawal.recorded_at.isoformat() if withdrawal.recorded_at else None,
        },
    }


def _risk_reviews_json(course: Course) -> list[dict[str, Any]]:
    """Every review of every sitting, oldest first within each sitting."""
    from ipt_cli.views.note import review_fields

    return [
        {
            "session": sitting.number,
            "maintenance": sitting.maintenance,
            "session_id": sitting.session_id,
            "session_date": sitting.date.isoformat(),
            "withdrawn": sitting.withdrawn,  # of a withdrawn session (`session`: its number)
            **review_fields(review),
            # a late review (risk-review --date): the day it was written, and when
            "written_on": review.written_on.isoformat() if review.written_on else None,
            "recorded_at": review.recorded_at.isoformat() if review.recorded_at else None,
        }
        for sitting in review_history(course)
        for review in sitting.reviews
    ]


def _maintenance_json(report: Report) -> dict[str, Any] | None:
    plan = report.course.maintenance
    if plan is None:
        return None
    return {
        "opened": plan.opened.isoformat(),
        "start_date": plan.start_date.isoformat(),
        "cadence": plan.cadence,
        "sessions_planned": plan.planned_sessions,
        "sessions_recorded": len(plan.sessions),
        "measures": {
            k: {
                **_measure_json(m),
                "end_of_acute": m.end_of_acute,
                "change_from_end_of_acute": m.change_from_end_of_acute,
                "relapse": m.relapse,
            }
            for k, m in report.maintenance_measures.items()
        },
        "end_of_acute": {k: m.series[-1].total for k, m in report.measures.items() if m.series},
        "relapse": {
            k: report.maintenance_measures[k].relapse if k in report.maintenance_measures else None
            for k, m in report.measures.items()
            if m.series
        },
        "sessions": [_session_json(n, s) for n, s in enumerate(plan.sessions, 1)],
    }


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
    if m.above_cutoff is not None and m.series:
        return f"now {screen(INSTRUMENTS[m.instrument], m.series[-1].total, m.cutoff)}"
    return "no severity bands"


def end_of_course_text(report: Report) -> str:
    """The end-of-course summary: change, response/remission, goals, signs, decision."""
    course = report.course
    lines = [f"{report.sessions_recorded} sessions held of {course.planned_sessions} planned."]
    for m in report.measures.values():
        if m.latest is None:
            continue
        lines.append(
            f"{m.name}: {_shown(m.baseline)} -> {m.latest} ({whole_percent(m.change_percent)}); "
            f"{_now(m)}; {_response_phrase(m)}, {reliable_phrase(m)}."
        )
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
    return f"response {_yes_no(m.response)}, remission {_yes_no(m.remission)}"


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


def _plan_row_json(row: PlanRow) -> dict[str, Any]:
    return {
        "session": row.number,
        "date": row.date.isoformat(),
        "phase": row.phase or None,
        "focus": row.focus,
        "status": row.status,
        "current": row.current,
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """`weeks` holds the acute course (and missed appointments), as before; a maintenance
    contract's sessions are under `maintenance.weeks`, numbered from 1 apart."""
    maintenance = None
    if plan.maintenance_planned is not None:
        maintenance = {
            "sessions_planned": plan.maintenance_planned,
            "sessions_recorded": plan.maintenance_held,
            "weeks": [_plan_row_json(r) for r in plan.rows if r.maintenance],
        }
    return {
        "course_id": plan.course_id,
        "client": plan.client,
        "sessions_planned": plan.planned,
        "sessions_recorded": plan.held,
        "sessions_held": plan.held,  # the older name of sessions_recorded, kept for scripts
        "weeks": [_plan_row_json(r) for r in plan.rows if not r.maintenance],
        "maintenance": maintenance,
        "notes": plan.notes,
        "risk": None if plan.risk is None else views_record.risk_json(plan.risk),
        "strategies": strategy_json(plan.strategies),  # each with the sessions covering it
    }


def agenda_json(agenda: Agenda) -> dict[str, Any]:
    return {
        "course_id": agenda.course_id,
        "week": agenda.week,
        "date": agenda.date.isoformat(),
        "phase": agenda.phase,
        "maintenance": agenda.maintenance,
        "sessions_planned": agenda.planned,
        "sessions_left": agenda.left,
        "count": agenda.count,
        "safety_flags": agenda.safety,
        "review_commands": agenda.review_commands,
        "high_risk": None if agenda.risk is None else views_record.high_risk_json(agenda.risk.high),
        "alerts": list(agenda.alerts),
        "risk": None if agenda.risk is None else views_record.risk_json(agenda.risk),
        "carry_over": agenda.carry_over,
        "items": agenda.items,
        "done": agenda.done,
        "left_out": agenda.left_out,  # what `ipt agenda --all` adds (issue 27)
        "strategies_covered": agenda.covered,  # by the sessions before this one
    }


def strategy_json(statuses: list[StrategyStatus]) -> list[dict[str, Any]]:
    return [
        {"area": s.area, "id": s.id, "text": s.text, "sessions": list(s.sessions)} for s in statuses
    ]


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
    from ipt_cli.core.planning import COVERED_MARK

    count = len(agenda.left_out)
    done = sum(item.endswith(COVERED_MARK) for item in agenda.left_out)
    covered = f" ({done} of them covered)" if done else ""
    strategies = "strategy" if count == 1 else "strategies"
    return (
        f"Not shown: {count} more {strategies}{covered}. Every one: "
        f"ipt agenda {agenda.course_id} --week {agenda.week} --all"
    )


def _yes_no(value: bool | None) -> str:
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


def _shown(value: object) -> str:
    return "n/a" if value is None else str(value)


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


def measure_row(m: MeasureSummary) -> list[str]:
    return [
        m.name,
        _shown(m.baseline),
        _shown(m.latest),
        whole_percent(m.change_percent),
        _shown(m.severity),
        _yes_no(m.response),
        _yes_no(m.remission),
        reliable_word(m),
    ]


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
        elif m.reliable_points is None and not INSTRUMENTS[m.instrument].response_rule:
            notes.append(
                f"{m.name}: no reliable-change convention and no response or remission rule; "
                "the change in points only (a reliable change can be set in ipt's settings)."
            )
        elif m.reliable_points is None:
            notes.append(
                f"{m.name}: no reliable-change convention; response and remission only "
                "(thresholds can be set in ipt's settings)."
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
    last = m.series[-1]
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
        _shown(m.baseline),
        _shown(m.end_of_acute),
        _shown(m.series[-1].total if m.series else None),
        _signed(m.change_from_end_of_acute),
        _shown(m.severity),
        "RELAPSE" if m.relapse else _yes_no(m.relapse),
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


def attendance_rows(course: Course) -> list[list[str]]:
    """Session, date and who attended, for the sessions whose attendees were recorded; a
    session where a guardian is planned says so."""
    from ipt_cli.core.planning import guardian_sessions

    planned = guardian_sessions(course)
    rows = []
    for number, session in course.numbered_sessions():
        if session.attendees or number in planned:
            who = ", ".join(session.attendees) or "not recorded"
            if number in planned and "guardian" not in session.attendees:
                who += " (guardian planned)"
            rows.append([str(number), session.date.isoformat(), who])
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            if session.attendees:
                rows.append([f"m{number}", session.date.isoformat(), ", ".join(session.attendees)])
    return rows if any(s.attendees for s in course.all_sessions()) else []


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
        from ipt_cli.core.rhythm import review_line

        lines.append(("Rhythm log", review_line(course).split(": ", 1)[-1]))
    return lines


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
            _shown(w.binges),
            _shown(w.binges_per_week),
            _shown(w.compensatory),
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


def _next_date(report: Report) -> str:
    if report.next_date is None:
        return "none"
    overdue = " (overdue)" if report.next_date < report.today else ""
    return report.next_date.isoformat() + overdue


def report_markdown(report: Report) -> str:
    out = _md_head(report) + _md_measures(report) + _maintenance_markdown(report)
    out += _md_work(report) + _md_ending(report) + _md_safety_record(report)
    out += _md_record(report)
    return "\n".join(out).rstrip() + "\n"


def record_sections(report: Report) -> list[tuple[str, list[str]]]:
    """The report's sections on supervision, adherence and signatures, each when there is
    something to show (supervision: once a session is reviewed or signed)."""
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
    if report.alerts:
        out += ["> **WARNING: outcomes to act on**", ">"]
        out += [f"> - {_md(a.text)}" for a in report.alerts] + [""]
    out += [
        f"- **Start:** {course.start_date.isoformat()}",
        f"- **Phase:** {_md(phase_text(report))}",
        f"- **Sessions held:** {report.sessions_recorded} of {course.planned_sessions}",
        f"- **Next session:** {_next_date(report)}",
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
    for m in report.measures.values():
        if m.series:
            out += [f"### {m.name} by session", ""]
            out += _md_table(
                ["Session", "Date", "Total", "Severity"],
                [
                    [str(p.session), p.date.isoformat(), str(p.total), _shown(p.severity)]
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
                [g.id, g.shown, " ".join(map(str, g.ratings)) or "-", _shown(g.latest)]
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
        out += ["## Termination checklist", ""]
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
            ["Flag", "Reviewed"], [[f.label, _yes_no(f.reviewed)] for f in report.flags]
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
    for m in measures.values():
        out += [f"### {m.name} in maintenance", ""]
        out += _md_table(
            ["Session", "Date", "Total", "Severity"],
            [
                [f"m{p.session}", p.date.isoformat(), str(p.total), _shown(p.severity)]
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


def risk_lines(state: RiskState | None) -> list[str]:
    """The risk state as plain lines: the banner, each unreviewed flag, the standing level."""
    if state is None:
        return []
    lines = [state.banner] if state.banner else []
    lines += [f"SAFETY: unreviewed {f.label}" for f in state.flags]
    return [*lines, *state.status_lines]


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
    if agenda.alerts:
        out += ["> **WARNING: outcomes to act on**", ">"]
        out += [f"> - {_md(text)}" for text in agenda.alerts] + [""]
    if agenda.safety:
        out += ["> **SAFETY: unreviewed risk flags, review first**", ">"]
        out += [f"> - {_md(s)}" for s in agenda.safety] + [">", "> Record a review with:", ">"]
        out += [f"> - `{c}`" for c in agenda.review_commands] + [""]
    if agenda.carry_over:
        out += ["## Carried over", ""] + [f"- {_md(c)}" for c in agenda.carry_over] + [""]
    out += ["## Items", ""] + [f"{n}. {_md(item)}" for n, item in enumerate(agenda.items, 1)]
    if agenda.left_out:
        out += ["", f"*{_md(left_out_line(agenda))}*"]
    if agenda.done:
        out += ["", "## Already done (from the record)", ""]
        out += [f"- [x] {_md(item)}" for item in agenda.done]
    return "\n".join(out) + "\n"


def rhythm_day_cells(week: WeekScore) -> list[list[str]]:
    """One row per logged day: date, the five times (a time outside its habitual window is
    marked `!`), people involved and mood."""
    from ipt_cli.core.models import RHYTHM_ANCHORS
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
                _clock_or_none(d.target) or "-",
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


def rhythm_json(report: RhythmReport) -> dict[str, Any]:
    """The JSON contract of `ipt rhythm ID report --format json`."""
    return {
        "course_id": report.course_id,
        "days_logged": report.total_days,
        "rule": "SRM: per week, anchors done on >= 3 days get a habitual time (their mean "
        "after dropping times more than 1.5 SD from it); a time within 45 minutes of it is a "
        "hit; score = hits / anchors counted (0-7)",
        "targets": [
            {
                "date": t.date.isoformat(),
                **{a: _clock_or_none(t.time_of(a)) for a in RHYTHM_ANCHORS},
            }
            for t in report.targets
        ],
        "weeks": [
            {
                **rhythm_week_json(week),
                "days": [
                    {
                        "date": e.date.isoformat(),
                        **{a: _clock_or_none(e.time_of(a)) for a in RHYTHM_ANCHORS},
                        "involvement": list(e.involvement) or None,
                        "with_people": list(e.with_people) or None,  # legacy counts
                        "mood": e.mood,
                    }
                    for e in week.entries
                ],
            }
            for week in report.weeks
        ],
    }


def _clock_or_none(time: dt.time | None) -> str | None:
    return None if time is None else time.strftime("%H:%M")


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


def life_chart_lines(chart: LifeChart, per_row: int = 9) -> list[str]:
    """The IPSRT life chart as text, weeks across (at most `per_row` a block): the week's
    mean mood plotted from +5 to -5, then mood, SRM, ASRM and PHQ-9 as numbers."""
    from ipt_cli.core.rhythm import ASRM_CUTOFF

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
        out.append("ASRM (mania) is not recorded by this version: PHQ-9 only.")
    out.append("*: PHQ-9 item 9 (thoughts of death or self-harm) above 0: see the risk review.")
    return out


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _chart_row(label: str, cells: list[str]) -> str:
    return f"{label:<14}" + "".join(f"{c:>7}" for c in cells)


# --- Group IPT -----------------------------------------------------------------------------


def group_agenda_json(agenda: GroupAgenda) -> dict[str, Any]:
    return {
        "group_id": agenda.group_id,
        "session": agenda.number,
        "sessions_planned": agenda.planned,
        "date": agenda.date.isoformat(),
        "phase": agenda.phase,
        "held": agenda.held,
        "items": list(agenda.items),
        "members": [
            {
                "course_id": m.course_id,
                "client": m.client,
                "problem_areas": m.areas,
                "unreviewed_flags": m.flags,
                "review_commands": m.review_commands,
                "risk": None if m.risk is None else views_record.risk_json(m.risk),
            }
            for m in agenda.members
        ],
    }


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
        ["Member", "Client", "Problem areas"],
        [[m.course_id, m.client, ", ".join(m.areas)] for m in agenda.members],
    )
    return "\n".join(out)


def group_grid(report: GroupReport) -> tuple[list[str], list[list[str]]]:
    """The attendance grid: one row per member, one column per planned session."""
    header = ["Member", *[str(n) for n in range(1, report.group.planned_sessions + 1)]]
    rows = [[m.course_id, *[a or "." for a in m.attendance]] for m in report.members]
    return header, rows


def _outcome_word(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def group_outcome_rows(report: GroupReport) -> list[list[str]]:
    return [
        [
            m.course_id,
            " ".join(f"{label}:{total}" for label, total in m.scores) or "-",
            _outcome_word(m.response),
            _outcome_word(m.remission),
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
    rate_text = (
        "no member has two PHQ-9 scores yet"
        if rate is None
        else f"{round(rate)}% ({sum(1 for m in report.outcomes if m.response)} of {outcomes} "
        "members with two or more PHQ-9 scores)"
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


def group_report_json(report: GroupReport) -> dict[str, Any]:
    group = report.group
    return {
        "group_id": group.id,
        "facilitator": group.facilitator,
        "co_facilitator": group.co_facilitator,
        "start_date": group.start_date.isoformat(),
        "sessions_planned": group.planned_sessions,
        "sessions_held": len(group.meetings),
        "completed": report.completed,
        "response_rate_percent": report.response_rate,
        "meetings": [
            {
                "session": m.number,
                "date": m.date.isoformat(),
                "present": list(m.present),
                "absent": [{"course_id": a.course_id, "reason": a.reason} for a in m.absent],
                "group_note": m.note,
            }
            for m in group.meetings
        ],
        "members": [
            {
                "course_id": m.course_id,
                "client": m.client,
                "attendance": [a or None for a in m.attendance],
                "phq9": [{"when": label, "total": total} for label, total in m.scores],
                "response": m.response,
                "remission": m.remission,
                "unreviewed_flags": m.flags,
                "risk": None if m.risk is None else views_record.risk_json(m.risk),
                "follow_up": list(m.follow_up),
            }
            for m in report.members
        ],
    }


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


def group_list_json(groups: list[Group]) -> list[dict[str, Any]]:
    return [
        {
            "group_id": g.id,
            "facilitator": g.facilitator,
            "co_facilitator": g.co_facilitator,
            "start_date": g.start_date.isoformat(),
            "members": list(g.members),
            "sessions_planned": g.planned_sessions,
            "sessions_held": len(g.meetings),
        }
        for g in groups
    ]


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
