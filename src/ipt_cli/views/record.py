"""Plain renderings of the clinical record's parts: the safety plan
and its history, a session's fidelity items, supervision lists, and the report sections
for supervision, adherence, signatures and a high standing risk. No Rich here: text lines,
Markdown and JSON, so that every format can use them."""

from __future__ import annotations

from typing import Any

from ipt_cli.core import catalogue
from ipt_cli.core.fidelity import Adherence, PhaseAdherence
from ipt_cli.core.models import Course, FidelityRating, SafetyPlanVersion
from ipt_cli.core.risk import RiskState, StandingRisk
from ipt_cli.core.signing import ChainCheck
from ipt_cli.core.structs import struct
from ipt_cli.core.supervision import SupervisionSummary
from ipt_cli.views.text_safety import markdown_escape

# Safety plan


def safety_plan_lines(course: Course, version: SafetyPlanVersion, number: int) -> list[str]:
    by = f" by {version.by}" if version.by else ""
    lines = [f"Safety plan of {course.id}: version {number} of {version.date.isoformat()}{by}"]
    sections = version.sections()
    for section in catalogue.SAFETY_PLAN_SECTIONS:
        lines += ["", f"{section.heading}:"]
        items = sections[section.field]
        lines += [f"  - {item}" for item in items] or ["  (none yet)"]
    return lines


def safety_plan_text(course: Course) -> str:
    if not course.safety_plan:
        return (
            f"No safety plan for {course.id} yet. Write one with: ipt safety-plan {course.id} "
            "edit\n"
        )
    plan = course.safety_plan[-1]
    return "\n".join(safety_plan_lines(course, plan, len(course.safety_plan))) + "\n"


def safety_plan_markdown(course: Course, history: bool = False) -> str:
    """The plan (or every version, oldest first) as Markdown: a heading per version and
    section, one list item per entry; the items escaped, as text only."""
    if not course.safety_plan:
        return f"No safety plan for {markdown_escape(course.id, inline=True)} yet.\n"
    numbered = list(enumerate(course.safety_plan, 1))
    out = [f"# Safety plan of {markdown_escape(course.id, inline=True)}", ""]
    for number, version in numbered if history else numbered[-1:]:
        by = f" by {markdown_escape(version.by, inline=True)}" if version.by else ""
        out += [f"## Version {number} of {version.date.isoformat()}{by}", ""]
        sections = version.sections()
        for section in catalogue.SAFETY_PLAN_SECTIONS:
            out += [f"### {section.heading}", ""]
            items = sections[section.field]
            out += [f"- {markdown_escape(item, inline=True)}" for item in items] or [
                "- *(none yet)*"
            ]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def safety_plan_history(course: Course) -> str:
    if not course.safety_plan:
        return f"No safety plan for {course.id} yet.\n"
    blocks = []
    previous: dict[str, list[str]] = {}
    for number, version in enumerate(course.safety_plan, 1):
        lines = safety_plan_lines(course, version, number)
        now = version.sections()
        changed = [
            s.heading
            for s in catalogue.SAFETY_PLAN_SECTIONS
            if now[s.field] != previous.get(s.field, [])
        ]
        if number > 1:
            lines.insert(1, "Changed: " + (", ".join(changed) or "nothing"))
        blocks.append("\n".join(lines))
        previous = now
    return ("\n\n" + "-" * 40 + "\n\n").join(blocks) + "\n"


def safety_plan_json(course: Course) -> dict[str, Any]:
    return {
        "course_id": course.id,
        "versions": [
            {"version": n, **v.model_dump(mode="json", exclude={"by"}), "by": v.by}
            for n, v in enumerate(course.safety_plan, 1)
        ],
    }


# Fidelity


def adherence_summary(score: PhaseAdherence) -> str:
    """A session's adherence: done of the applicable items, how many were rated and how
    many not (issue 26, defect 13: an unrated item is in the base, shown as unrated)."""
    if not score.applicable:
        return "every item rated not applicable"
    share = f" ({score.percent}%)" if score.percent is not None else ""
    unrated = f"; {score.unrated} unrated" if score.unrated else ""
    return (
        f"{score.done} of {score.applicable} applicable item(s) done{share} "
        f"({score.rated} rated{unrated})"
    )


def fidelity_lines(
    heading: str,
    items: tuple[catalogue.Item, ...],
    rating: FidelityRating | None,
    score: PhaseAdherence | None = None,
) -> list[str]:
    """A session's items, with the latest rating (and its adherence) when there is one."""
    if rating is None:
        lines = [f"{heading}: not rated yet"]
    else:
        by = f" by {rating.by}" if rating.by else ""
        lines = [f"{heading}: rated {rating.date.isoformat()}{by}"]
        if score is not None:
            lines.append(f"Adherence: {adherence_summary(score)}")
    scored = rating.items if rating else {}
    for item in items:
        shown = catalogue.FIDELITY_SCORES.get(scored.get(item.id, ""), "-")
        lines.append(f"  {item.id:<28} {shown:<15} {item.text}")
    return lines


def fidelity_markdown(
    heading: str,
    items: tuple[catalogue.Item, ...],
    rating: FidelityRating | None,
    score: PhaseAdherence | None = None,
) -> str:
    """The same as fidelity_lines, as Markdown: a heading, the adherence, a list item per
    item with its id and score (the rater's name escaped as text)."""
    if rating is None:
        out = [f"# {heading}", "", "Not rated yet.", ""]
    else:
        by = f" by {markdown_escape(rating.by, inline=True)}" if rating.by else ""
        out = [f"# {heading}", "", f"Rated {rating.date.isoformat()}{by}.", ""]
        if score is not None:
            out += [f"Adherence: {adherence_summary(score)}.", ""]
    scored = rating.items if rating else {}
    for item in items:
        shown = catalogue.FIDELITY_SCORES.get(scored.get(item.id, ""), "not rated")
        out.append(f"- `{item.id}` **{shown}**: {markdown_escape(item.text, inline=True)}")
    return "\n".join(out) + "\n"


def fidelity_json(
    course_id: str,
    session: dict[str, str],
    items: tuple[catalogue.Item, ...],
    rating: FidelityRating | None,
    score: PhaseAdherence | None = None,
) -> dict[str, Any]:
    """`ipt fidelity --format json`: the session (`session`, `date`, `phase`), its items
    with the latest rating's score, and that rating's adherence (null before a rating)."""
    return {
        "course_id": course_id,
        **session,
        "rated": None if rating is None else rating.date.isoformat(),
        "rated_by": None if rating is None else rating.by,
        "recorded_at": None  # when the rating was written (UTC); null in older files
        if rating is None or rating.recorded_at is None
        else rating.recorded_at.isoformat(),
        "items": [
            {"id": i.id, "text": i.text, "score": rating.items.get(i.id) if rating else None}
            for i in items
        ],
        # done of the applicable items; the unrated shown as such (issue 26, defect 13)
        "adherence": None
        if rating is None or score is None
        else {
            "applicable": score.applicable,
            "rated": score.rated,
            "done": score.done,
            "partly": score.partly,
            "not_done": score.not_done,
            "unrated": score.unrated,
            "percent": score.percent,
        },
    }


def guide_fidelity() -> list[str]:
    """`ipt guide fidelity`: every item, by phase and problem area."""
    lines = [
        "# Fidelity (adherence) items",
        "",
        "A session is rated against the items of its phase (maintenance sessions against",
        "the maintenance items); a middle-phase session adds the items of its problem area",
        "(the session's focus, else the course's primary area). Each item is rated: "
        + ", ".join(catalogue.FIDELITY_SCORES)
        + ".",
        "Adherence per phase is the share of the phase's items (less those rated `na`) that",
        "were done; items left unrated count against it and are shown as unrated.",
        "Rate with: ipt fidelity COURSE_ID SESSION (a walk-through on a terminal), or",
        "--item ID=done for scripts.",
        "",
    ]
    for phase, items in catalogue.FIDELITY_PHASE_ITEMS.items():
        lines += [f"## {catalogue.PHASES[phase].name} phase", ""]
        lines += [f"- [{i.id}] {i.text}" for i in items] + [""]
    for area, items in catalogue.FIDELITY_AREA_ITEMS.items():
        lines += [f"## {catalogue.PROBLEM_AREAS[area].name} (middle phase)", ""]
        lines += [f"- [{i.id}] {i.text}" for i in items] + [""]
    return lines


# Report sections


def high_risk_json(standing: StandingRisk | None) -> dict[str, Any] | None:
    if standing is None:
        return None
    return {
        "level": standing.level,
        "date": standing.reviewed.isoformat(),
        "where": standing.where,
        "by": standing.by,
    }


@struct(frozen=True)
class LateSignatures:
    """Sessions unsigned past `[record] sign_within_days` (core/tracking.unsigned_overdue)."""

    within_days: int
    sessions: list[str]  # "3", "m1"


def supervision_lines(summary: SupervisionSummary, late: LateSignatures | None = None) -> list[str]:
    lines = [
        f"Reviewed by a supervisor: {summary.reviewed} session(s); signed off: "
        f"{summary.signed_off}; comments: {summary.comments}."
    ]
    if summary.unreviewed:
        lines.append("Not yet reviewed by a supervisor:")
        lines += [
            f"  {u.label} ({u.date.isoformat()}){', signed' if u.signed else ''}"
            for u in summary.unreviewed
        ]
    else:
        lines.append("Every session has been reviewed by a supervisor.")
    if late is not None and late.sessions:
        numbers = ", ".join(str(n) for n in late.sessions)
        lines.append(f"Unsigned more than {late.within_days} days: session(s) {numbers}.")
    return lines


def supervision_json(
    summary: SupervisionSummary, late: LateSignatures | None = None
) -> dict[str, Any]:
    return {
        "unsigned_overdue": [] if late is None else late.sessions,
        "sign_within_days": None if late is None else late.within_days,
        "reviewed": summary.reviewed,
        "signed_off": summary.signed_off,
        "comments": summary.comments,
        "unreviewed": [
            {
                "session": u.label,
                "session_id": u.session_id,
                "date": u.date.isoformat(),
                "signed": u.signed,
            }
            for u in summary.unreviewed
        ],
    }


def adherence_lines(adherence: Adherence) -> list[str]:
    lines = []
    for phase in adherence.phases:
        percent = "n/a" if phase.percent is None else f"{phase.percent}%"
        lines.append(
            f"{phase.phase.capitalize()}: {percent} of applicable tasks done ({phase.done} of "
            f"{phase.applicable}; {phase.partly} partly, {phase.not_done} not done, "
            f"{phase.unrated} unrated) in {phase.sessions_rated} rated session(s)"
        )
    if adherence.most_missed:
        lines.append("Most often missed:")
        for m in adherence.most_missed:
            counts = [
                f"not done {m.not_done}x" if m.not_done else "",
                f"partly {m.partly}x" if m.partly else "",
            ]
            lines.append(f"  [{m.id}] {m.text}: {', '.join(c for c in counts if c)}")
    return lines


def adherence_json(adherence: Adherence) -> dict[str, Any]:
    return {
        "by_phase": {
            p.phase: {
                "sessions_rated": p.sessions_rated,
                "applicable": p.applicable,
                "done": p.done,
                "partly": p.partly,
                "not_done": p.not_done,
                "unrated": p.unrated,
                "percent": p.percent,
            }
            for p in adherence.phases
        },
        "most_missed": [
            {"id": m.id, "text": m.text, "not_done": m.not_done, "partly": m.partly}
            for m in adherence.most_missed
        ],
    }


def signature_line(chain: ChainCheck) -> str | None:
    """'5 of 6 sessions signed; chain head: link 7, 3f2a...' (None when nothing is signed)."""
    head = chain.head
    if head is None:
        return None
    return (
        f"{chain.sessions_signed} signed session(s), {chain.entries_signed} sealed entry(ies); "
        f"{'chain holds' if not chain.problems else 'CHAIN BROKEN: run ipt verify'}; head: "
        f"link {head.seq}, {head.signature.hash[:16]}"
    )


def risk_json(state: RiskState) -> dict[str, Any]:
    """The risk state in JSON, the same object in every command's output (issue 26)."""
    last = state.last_review
    return {
        "level": state.level,
        # the date of an unreviewed flag raised after the level was judged: out of date
        "level_out_of_date_since": None
        if state.newer_flag is None
        else state.newer_flag.flag.date.isoformat(),
        "high_risk": high_risk_json(state.high),
        "urgent": state.urgent,
        "oldest_flag_days": state.oldest_flag_days,
        "follow_up": state.follow_up,
        "unreviewed": [
            {
                "label": f.flag.label,
                "instrument": f.flag.instrument,
                "item": f.flag.item,
                "score": f.flag.score,
                "where": f.flag.where,
                "date": f.flag.date.isoformat(),
                "severity": f.severity,
                "days_waiting": max(f.days, 0),
            }
            for f in state.flags
        ],
        "last_review": None
        if last is None
        else {
            "date": last.date.isoformat(),
            "where": last.where,
            "level": last.level,
            "by": last.by,
        },
        "review_commands": list(state.commands),
    }
