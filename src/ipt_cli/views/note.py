"""`ipt note`: a session's progress note as text, Markdown, HTML (with a print stylesheet for
A4 or Letter) and JSON. Pure: builds strings from core.notes.SessionNote; no Rich, no files.

The JSON keys are a contract (pinned by a test): course_id, session, date, phase, attended,
measures, flags, risk_history, risk_questions, risk_reviews, risk_screen, risk, alerts,
safety_alerts, focus, techniques, strategies, goal_ratings, task, task_outcome, note,
addenda, signed, supervision, withdrawn.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from ipt_cli.core import catalogue
from ipt_cli.core.measures import INSTRUMENTS, screen
from ipt_cli.core.models import Addendum, RiskReview, Signature, SupervisionEntry
from ipt_cli.core.notes import Contradiction, FlagLine, QuestionLine, SessionNote
from ipt_cli.core.risk import structured_lines
from ipt_cli.views.print_page import PRINT_CSS, escape, hinted, page_rule
from ipt_cli.views.record import risk_json
from ipt_cli.views.text_safety import markdown_escape


def _when(signature: Signature) -> str:
    """The record's time, and the wall-clock time of writing when it is another day."""
    shown = signature.at.strftime("%Y-%m-%d %H:%M UTC")
    wall = signature.signed_at
    if wall is not None and wall.date() != signature.at.date():
        shown += f" (written {wall.strftime('%Y-%m-%d %H:%M UTC')})"
    return shown


def _signed_json(signature: Signature | None) -> dict[str, Any] | None:
    if signature is None:
        return None
    wall = signature.signed_at.isoformat() if signature.signed_at else None
    return {
        "by": signature.by,
        "at": signature.at.isoformat(),
        "signed_at": wall,
        "hash": signature.hash,
    }


def review_fields(review: RiskReview) -> dict[str, Any]:
    """A risk review's fields in JSON (the note's and the report's)."""
    return {
        "date": review.date.isoformat(),
        "note": review.note,
        "plan": review.plan,
        "by": review.by,
        "ideation": review.ideation,
        "plan_made": review.plan_made,
        "intent": review.intent,
        "means": review.means,
        "protective": list(review.protective),
        "level": review.level,
        "actions": list(review.actions),
    }


def _review_json(review: RiskReview) -> dict[str, Any]:
    return {**review_fields(review), "signed": _signed_json(review.signature)}


def _addendum_json(addendum: Addendum) -> dict[str, Any]:
    return {
        "date": addendum.date.isoformat(),
        "text": addendum.text,
        "by": addendum.by,
        "signed": _signed_json(addendum.signature),
    }


def _supervision_json(entry: SupervisionEntry) -> dict[str, Any]:
    return {
        "date": entry.date.isoformat(),
        "by": entry.by,
        "comment": entry.comment,
        "signed_off": entry.signed_off,
        "signed": _signed_json(entry.signature),
        # when it was written (UTC), beside the date it is about; null in older files
        "recorded_at": None if entry.recorded_at is None else entry.recorded_at.isoformat(),
    }


def note_json(note: SessionNote) -> dict[str, Any]:
    """The JSON contract of `ipt note --format json`."""
    session = note.session
    focus = None
    if session is not None and (session.focus or session.dispute_stage):
        focus = {
            "area": session.focus,
            "name": note.focus_name,
            "dispute_stage": session.dispute_stage,
        }
    return {
        "course_id": note.course.id,
        "session": None
        if session is None
        else {
            "number": note.number,
            "planned": note.planned,
            "id": session.id,
            "maintenance": note.maintenance,
        },
        "date": note.date.isoformat(),
        "phase": note.phase,
        "attended": note.attended,
        "measures": {
            m.instrument: {
                "name": m.name,
                "total": m.total,
                "severity": m.severity,
                "risk_item": None
                if m.risk_item is None
                else {"item": m.risk_item[0], "score": m.risk_item[1], "urgent": m.risk_item[2]},
                "baseline": m.instrument in note.from_baseline,  # the baseline's, same sitting
            }
            for m in note.measures
        },
        # the sitting's flags; a lifetime "yes" as before is history, never a flag (as in
        # core.safety.safety_flags and the text note): it is under risk_history
        "flags": [
            {
                "instrument": f.instrument,
                "item": f.item,
                "score": f.score,
                "urgent": f.urgent,
                "reviewed": f.reviewed,
                "lifetime": f.lifetime,  # "first", "previously no" or null
            }
            for f in note.raised
        ],
        "risk_history": [_history_json(f) for f in note.history],
        "risk_questions": [_question_json(q) for q in note.questions],
        "risk_reviews": [_review_json(r) for r in note.reviews],
        "risk_screen": note.screening,
        "risk": None if note.risk is None else risk_json(note.risk),
        "alerts": list(note.alerts),  # every alert line, the mania alert's too (as before)
        # the sitting's mania alert, shown in the Safety section under the report's heading
        "safety_alerts": _safety_alerts_json(note),
        "focus": focus,
        "techniques": list(session.techniques) if session else [],
        "strategies": list(session.strategies) if session else [],
        "goal_ratings": dict(session.goal_ratings) if session else {},
        "task": session.task if session else None,
        "task_outcome": session.task_outcome if session else None,
        "note": session.note if session else (note.missed.reason if note.missed else None),
        "addenda": [_addendum_json(a) for a in note.addenda],
        "signed": _signed_json(note.signature),
        "supervision": [_supervision_json(e) for e in note.supervision],
        "withdrawn": _withdrawn_json(note),
    }


def _history_json(flag: FlagLine) -> dict[str, Any]:
    """A lifetime "yes" as before: what the text note says of it, not a flag to review."""
    return {
        "instrument": flag.instrument,
        "item": flag.item,
        "answer": "yes",
        "lifetime": flag.lifetime,  # "as before"
        "text": flag.label,
    }


def _question_json(question: QuestionLine) -> dict[str, Any]:
    """A yes/no risk question: its answer "yes", "no" or "not asked" (`given` false: the
    instrument itself was not given at the sitting); `contradicts`: the earlier "yes" a
    lifetime "no" contradicts, or null."""
    return {
        "instrument": question.instrument,
        "item": question.item,
        "field": question.field,
        "question": question.question,
        "answer": question.answer,
        "given": question.given,
        "contradicts": _contradiction_json(question.contradicts),
    }


def _contradiction_json(found: Contradiction | None) -> dict[str, Any] | None:
    if found is None:
        return None
    before = found.earlier
    return {
        "answer": "yes",
        "session": before.number,  # 0: the baseline
        "maintenance": before.maintenance,
        "where": before.where,
        "date": before.date.isoformat(),
        "reviewed": found.reviewed,  # false: the "yes" has a flag still waiting for a review
        "text": contradiction_line(found),
    }


def _alert_heading(texts: list[str]) -> str:
    """'SAFETY: MANIA ALERT': the heading the report and the agenda give a mania alert."""
    # lazy: the shared wording loads the report model (~20 ms); only a note with an alert
    from ipt_cli.views.wording import screen_alert_heading

    return screen_alert_heading(texts)


def _safety_alerts_json(note: SessionNote) -> list[dict[str, Any]]:
    """The sitting's mania alert (the ASRM's), as the report's JSON `alerts` gives it (kind
    `mania`), with the heading every view shows it under."""
    if not note.screen_alerts:
        return []
    heading = _alert_heading([a.text for a in note.screen_alerts])
    return [
        {"instrument": a.instrument, "kind": "mania", "heading": heading, "text": a.text}
        for a in note.screen_alerts
    ]


def _withdrawn_json(note: SessionNote) -> dict[str, Any] | None:
    withdrawal = note.withdrawn
    if withdrawal is None:
        return None
    return {
        "date": withdrawal.date.isoformat(),
        "reason": withdrawal.reason,
        "by": withdrawal.by,
        "number": withdrawal.number,
    }


def notes_json(notes: list[SessionNote]) -> list[dict[str, Any]]:
    return [note_json(note) for note in notes]


# The note as sections of (heading, lines): text, Markdown and HTML lay these out.


def _header_lines(note: SessionNote) -> list[str]:
    course = note.course
    lines = [
        f"Course: {course.id}",
        f"Client: {course.client}",
        f"Date: {note.date.isoformat()}",
        f"Session: {note.session_label}",
        f"Phase: {note.phase}",
        f"Attended: {'yes' if note.attended else 'no (missed)'}",
    ]
    if note.session is not None and note.session.attendees:
        lines[-1] = f"Attended: yes ({', '.join(note.session.attendees)})"
    if note.withdrawn is not None:
        lines[-1] = "Attended: withdrawn (recorded by mistake)"
    if note.missed is not None:
        lines.append(f"Reason: {note.missed.reason}")
    if note.session is not None and note.session.mood is not None:
        lines.append(f"Mood: {note.session.mood}/10")
    if note.safety_plan:
        lines.append(f"Safety plan: {note.safety_plan}")
    return lines


def _measure_lines(note: SessionNote) -> list[str]:
    lines = []
    for m in note.measures:
        risk = ""
        if m.risk_item is not None:
            item, score, urgent = m.risk_item
            question = INSTRUMENTS[m.instrument].risk_question(item)
            shown = f"risk item {item} = {score}" if question is None else f"{question.label} = yes"
            risk = f"; {shown}{' URGENT' if urgent else ''}"
        standing = m.severity
        if standing is None and INSTRUMENTS[m.instrument].cutoffs:  # the EPDS: its screen
            standing = screen(INSTRUMENTS[m.instrument], m.total)
        shown = f"{standing or ''}{risk}".removeprefix("; ")
        lines.append(f"{m.name}: {m.total}" + (f" ({shown})" if shown else ""))
        if m.instrument in note.from_baseline:  # session 1 on the baseline's day
            lines[-1] += " - the baseline, taken at this sitting"
    session = note.session
    if session is not None:  # eating-disorder self-monitoring since the last sitting
        if session.binges is not None:
            lines.append(f"Binge episodes since the last session: {session.binges}")
        if session.compensatory is not None:
            lines.append(f"Compensatory behaviours since the last session: {session.compensatory}")
        if session.edeq_global is not None:
            lines.append(f"EDE-Q global: {session.edeq_global:.2f}")
    lines += [f"WARNING: {text}" for text in note.warnings]  # the mania alert: under Safety
    return lines or ["none given"]


def review_lines(review: RiskReview) -> list[str]:
    by = f" by {review.by}" if review.by else ""
    sealed = " (sealed after signing)" if review.signature else ""
    lines = [f"Risk review {review.dated}{by}{sealed}: {review.note.strip()}"]
    if review.plan:
        lines.append(f"  Plan agreed: {review.plan}")
    return lines + [f"  {line}" for line in structured_lines(review)]


def contradiction_line(found: Contradiction) -> str:
    """What the note says under a lifetime "no" that contradicts an earlier "yes"."""
    before = found.earlier
    stands = "(already reviewed)" if found.reviewed else "and its flag stays until reviewed"
    return (
        f'Contradicts the "yes" at {before.where} ({before.date.isoformat()}): the earlier '
        f'"yes" stands {stands}. Check with the client which answer is right.'
    )


def _screen_alert_lines(note: SessionNote) -> list[str]:
    """The sitting's mania alert under the heading the report and the agenda give it."""
    texts = [a.text for a in note.screen_alerts]
    return [_alert_heading(texts), *(f"  {text}" for text in texts)] if texts else []


def _question_lines(question: QuestionLine) -> list[str]:
    lines = [f"Risk question: {question.label}"]
    if question.contradicts is not None:
        lines.append(f"  {contradiction_line(question.contradicts)}")
    return lines


def _safety_lines(note: SessionNote) -> list[str]:
    """This sitting's flags, its mania alert, what its screen found, its yes/no answers and
    its reviews, then the course's risk state: the banner, flags of other sittings still
    unreviewed, the standing level."""
    lines = [f"{'History' if flag.history else 'Flag'}: {flag.label}" for flag in note.flags]
    lines += _screen_alert_lines(note)
    if note.screening:
        lines.append(f"Risk screen: {note.screening}")
    elif note.missed is not None:
        lines.append("Risk screen: not done (missed appointment)")
    lines += [line for question in note.questions for line in _question_lines(question)]
    for review in note.reviews:
        lines += review_lines(review)
    lines += [
        f"Contact outside the session: {c.note}"
        for c in note.course.contacts
        if c.date == note.date
    ]
    state = note.risk
    if state is not None:
        if state.banner:
            lines.insert(0, state.banner)
        lines += [f"Unreviewed: {f.label}" for f in state.flags if f.flag.date != note.date]
        lines += state.status_lines
    return lines


def _work_lines(note: SessionNote) -> list[str]:
    session = note.session
    if session is None:
        return []
    lines = []
    if session.focus or session.dispute_stage:
        stage = f"; dispute stage: {session.dispute_stage}" if session.dispute_stage else ""
        lines.append(f"Focus: {note.focus_name or 'not recorded'}{stage}")
    for strategy, text in note.strategy_lines():
        lines.append(f"Strategy [{strategy}]: {text}")
    for technique in session.techniques:
        lines.append(f"Technique: {technique} ({catalogue.TECHNIQUES[technique].text})")
    for goal, text, rating in note.goal_lines():
        lines.append(f"Goal [{goal}] {text}: {rating}/10")
    return lines or ["nothing recorded"]


def _task_lines(note: SessionNote) -> list[str]:
    session = note.session
    if session is None:
        return []
    lines = []
    if note.previous_task or session.task_outcome:
        last = f"{note.previous_task}: " if note.previous_task else ""
        lines.append(f"Last week's task: {last}{session.task_outcome or 'outcome not recorded'}")
    if session.task:
        lines.append(f"Task set: {session.task}")
    return lines or ["none"]


def _signature_lines(note: SessionNote) -> list[str]:
    signature = note.signature
    if signature is None:
        lines = ["Not signed (ipt sign COURSE_ID SESSION)."]
    else:
        lines = [
            f"Signed by {signature.by}, {_when(signature)}",
            f"SHA-256 {signature.hash} (link {signature.seq} of the course's chain)",
        ]
        if signature.key:
            lines.append(f"Key signature: {signature.key}")
    off = note.sign_off
    if off is not None:
        when = _when(off.signature) if off.signature else off.date.isoformat()
        lines.append(f"Supervisor sign-off: {off.by}, {when}")
    elif note.session is not None:
        lines.append("Supervisor sign-off: none yet")
    return lines


def _supervision_lines(note: SessionNote) -> list[str]:
    lines = []
    for entry in note.supervision:
        by = f" {entry.by}" if entry.by else ""
        what = entry.comment.strip() if entry.comment else ""
        off = "signed off" if entry.signed_off else ""
        joined = "; ".join(x for x in (what, off) if x)
        lines.append(f"{entry.date.isoformat()}{by}: {joined}")
    return lines


def _addendum_lines(addendum: Addendum) -> str:
    writer = addendum.by or (addendum.signature.by if addendum.signature else None)
    by = f" by {writer}" if writer else ""
    sealed = ", signed" if addendum.signature else ""
    return f"Addendum {addendum.date.isoformat()}{by}{sealed}: {addendum.text.strip()}"


def sections(note: SessionNote) -> list[tuple[str, list[str]]]:
    """The note's sections in order, each a heading and its lines (the note text is one
    section whose lines keep the text's own line breaks)."""
    parts: list[tuple[str, list[str]]] = [("Session", _header_lines(note))]
    withdrawal = note.withdrawn
    if withdrawal is not None:  # kept in the record, counted nowhere
        by = f" by {withdrawal.by}" if withdrawal.by else ""
        said = [
            f"Withdrawn {withdrawal.date.isoformat()}{by}: {withdrawal.reason}",
            "Recorded by mistake: kept in the record, not counted as a session given.",
        ]
        return parts + [("Withdrawn", said), ("Safety", _safety_lines(note))]
    if not note.attended:  # the course's risk state is shown on every note (issue 26)
        return parts + [("Safety", _safety_lines(note)), ("Signature", _signature_lines(note))]
    session = note.session
    assert session is not None
    parts += [
        ("Measures", _measure_lines(note)),
        ("Safety", _safety_lines(note)),
        ("Interpersonal work", _work_lines(note)),
        ("Tasks", _task_lines(note)),
    ]
    if session.events:
        parts.append(("Events since last session", session.events.splitlines()))
    parts.append(("Note", (session.note or "(no note)").splitlines()))
    if note.addenda:
        parts.append(("Addenda", [_addendum_lines(a) for a in note.addenda]))
    parts.append(("Plan for next session", [note.next_headline or "none"]))
    if note.supervision:
        parts.append(("Supervision", _supervision_lines(note)))
    parts.append(("Signature", _signature_lines(note)))
    return parts


def note_text(note: SessionNote, width: int | None = None) -> str:
    """The note as plain text; `width`: wrapped at words to fit a terminal that wide (a
    terminal would otherwise break a word at its edge), each line's indent kept."""
    title = f"IPT progress note: {note.course.id}, {note.title}"
    out = [title, "=" * len(title), ""]
    for heading, lines in sections(note):
        out += [heading, "-" * len(heading)] + [f"  {line}" for line in lines] + [""]
    if width is not None:
        out = [wrapped for line in out for wrapped in _wrapped(line, width)]
    return "\n".join(out).rstrip() + "\n"


def _wrapped(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]

    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [line]


def notes_text(notes: list[SessionNote], width: int | None = None) -> str:
    return "\n\n".join(note_text(n, width).rstrip() for n in notes) + "\n"


def _md_line(text: str) -> str:
    """A line of user text in Markdown: only ever text (text_safety.markdown_escape: no
    heading, quote, list, table, link, emphasis or HTML, anywhere in the line)."""
    return markdown_escape(text.lstrip(), inline=True)


def _strong(note: SessionNote) -> set[str]:
    """The lines Markdown and HTML set in bold: the heading of the mania alert (a box of its
    own in the report and the agenda)."""
    return set(_screen_alert_lines(note)[:1])


def note_markdown(note: SessionNote, level: int = 1) -> str:
    head = "#" * level
    out = [f"{head} IPT progress note: `{note.course.id}`, {note.title}", ""]
    strong = _strong(note)
    for heading, lines in sections(note):
        out += [f"{head}# {heading}", ""]
        if heading == "Note":
            out += [_md_line(line) + "  " if line.strip() else "" for line in lines] + [""]
            continue
        for line in lines:
            shown = f"**{_md_line(line)}**" if line in strong else _md_line(line)
            out.append(f"{'  ' if line.startswith('  ') else ''}- {shown}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def notes_markdown(notes: list[SessionNote]) -> str:
    if not notes:
        return "# IPT progress notes\n\nNo session recorded.\n"
    course = notes[0].course
    out = [f"# IPT progress notes: `{course.id}`", ""]
    return "\n".join(out) + "\n" + "\n".join(note_markdown(n, level=2) for n in notes)


PRINT_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto;
  color: #111; line-height: 1.4; }
h1 { font-size: 1.35em; border-bottom: 2px solid #333; padding-bottom: .2em; margin-bottom: .2em; }
h2 { font-size: 1.05em; margin: 1.1em 0 .3em; text-transform: uppercase; letter-spacing: .04em; }
ul { margin: .2em 0; padding-left: 1.3em; }
.text { white-space: pre-wrap; border-left: 3px solid #999; padding-left: .8em; }
.signature { border: 1px solid #333; padding: .4em .8em; margin-top: 1em; }
.sub { list-style: circle; margin-left: 1.4em; }
.hash { font-family: monospace; font-size: .85em; overflow-wrap: anywhere; }
.note + .note { margin-top: 3em; }
@media print {
  .note { page-break-after: always; break-after: page; }
  .note:last-child { page-break-after: auto; break-after: auto; }
  .note + .note { margin-top: 0; }
  .signature { break-before: avoid; page-break-before: avoid; }
}
"""


def _html_section(
    heading: str, lines: list[str], ours: set[str], strong: frozenset[str] = frozenset()
) -> str:
    """A section of the note; the lines in `ours` are ipt's own (the signature block, the
    risk level and follow-up, the safety plan's version), whose command hints are left off
    the paper; every other line is printed whole. The lines in `strong` are set in bold."""
    body = f"<h2>{escape(heading)}</h2>"
    if heading in ("Note", "Events since last session"):
        return body + f'<div class="text">{escape(chr(10).join(lines))}</div>'
    items = []
    for line in lines:
        css = ' class="hash"' if line.startswith("SHA-256 ") else ""
        css = ' class="sub"' if line.startswith("  ") else css  # a detail of the line above
        shown = hinted(line.strip()) if line in ours else escape(line.strip())
        shown = f"<strong>{shown}</strong>" if line in strong else shown
        items.append(f"<li{css}>{shown}</li>")
    listing = f"<ul>{''.join(items)}</ul>"
    if heading == "Signature":
        return f'<div class="signature">{body}{listing}</div>'
    return body + listing


def _ipt_lines(note: SessionNote) -> set[str]:
    lines = set(_signature_lines(note))
    if note.risk is not None:
        lines.update(note.risk.status_lines)
    if note.safety_plan:
        lines.add(f"Safety plan: {note.safety_plan}")
    return lines


def _html_note(note: SessionNote, number: int, generated: dt.date) -> str:
    body = [
        f"<h1>IPT progress note: {escape(note.course.id)}, {escape(note.title)}</h1>",
        f'<p class="generated">Generated {generated.isoformat()}</p>',
    ]
    ours, strong = _ipt_lines(note), frozenset(_strong(note))
    body += [_html_section(heading, lines, ours, strong) for heading, lines in sections(note)]
    return f'<section class="note" style="page: note-{number}">{"".join(body)}</section>'


def notes_html(notes: list[SessionNote], generated: dt.date) -> str:
    """One self-contained page: every note given, each starting a printed page whose
    running header names the course, the client and the session (views/print_page.py)."""
    title = f"IPT progress notes {notes[0].course.id}" if notes else "IPT progress notes"
    if len(notes) == 1:
        title = f"IPT progress note {notes[0].course.id}, {notes[0].title}"
    body = "".join(_html_note(n, i, generated) for i, n in enumerate(notes, 1))
    style = PRINT_STYLE + PRINT_CSS + page_rule(title, generated)
    for number, note in enumerate(notes, 1):
        running = f"IPT progress note: {note.course.id}, {note.course.client}; {note.title}"
        style += page_rule(running, generated, f"note-{number}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style></head>"
        f"<body>{body or '<p>No session recorded.</p>'}</body></html>\n"
    )
