"""The JSON shapes of reports, plans, agendas, rhythm logs and groups: `--format json`.

Each shape is a contract for scripts; tests pin their keys (tests/unit/test_documents.py).
Plain dicts only: no wording, no markup (the text views share views/wording.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ipt_cli.core import catalogue
from ipt_cli.core.corrections import history
from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.models import RHYTHM_ANCHORS, Course, SessionRecord
from ipt_cli.core.planning import Agenda, Plan, PlanRow, StrategyStatus, primary_of
from ipt_cli.core.progress import (
    EatingSummary,
    MeasureSummary,
    Point,
    Report,
    review_history,
)
from ipt_cli.views import record as views
from ipt_cli.views import record as views_record

if TYPE_CHECKING:  # annotations only: a course's report needs neither
    from ipt_cli.core.group import Group, GroupAgenda, GroupReport
    from ipt_cli.core.rhythm import RhythmReport, WeekScore


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
        last = summary.current.total if summary.current else None
        shown["cutoffs"] = [
            {"score": c.score, "label": c.label, "above": None if last is None else last >= c.score}
            for c in named
        ]
        shown["screen"] = summary.screen
    if summary.instrument == "pcl5":
        shown["clusters"] = summary.clusters
        shown["dsm5_rule"] = summary.current.dsm5_rule if summary.current else None
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
        "missed_appointments": [
            {"date": m.date.isoformat(), "reason": m.reason, "session": m.number}
            for m in sorted(course.missed, key=lambda m: m.date)
        ],
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
    # lazy: keeps social rhythm off start-up
    from ipt_cli.core.rhythm import weeks

    last = weeks(course.rhythm, 1, targets=course.rhythm_targets)
    return {
        "days_logged": len(course.rhythm),
        "last_week": rhythm_week_json(last[0]) if last else None,
    }


def rhythm_week_json(week: WeekScore) -> dict[str, Any]:
    # lazy: keeps social rhythm off start-up
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
    # lazy: keeps views.note off `ipt agenda ab --format json`
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
