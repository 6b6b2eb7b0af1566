"""The reviewer's three defects of the session note (`ipt note`), each walked through the real
`ipt` binary in every format of the note: a group member who missed group sessions, the
ASRM's mania alert in the note's Safety section, and a lifetime "no" after a "yes"."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Callable
from typing import Any

Bin = Callable[..., subprocess.CompletedProcess[str]]

PHQ9 = "2,2,1,2,1,1,1,0,0"  # 10, item 9 = 0
PHQA = "1,1,1,1,1,1,1,0,0"  # 7, item 9 = 0
FORMATS = ("text", "markdown", "html", "json")


def flat(text: str) -> str:
    """Words as a reader sees them, whatever the terminal width wrapped."""
    return " ".join(text.split())


def section(note: str, heading: str) -> str:
    """One section of a text note: from its heading (underlined) to the next heading."""
    parts = re.split(r"\n(?=\S[^\n]*\n-+\n)", note)
    found = [p for p in parts if p.startswith(f"{heading}\n")]
    assert len(found) == 1, note
    return found[0]


def md_section(note: str, heading: str) -> str:
    start = note.index(f"## {heading}\n")
    end = note.find("\n## ", start + 1)
    return note[start : end if end != -1 else None]


def html_section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start:end]


# 1. A group member who missed group sessions: every note, in every format ----------------


def member_course(ipt_setup: Bin) -> None:
    """m1 attends group sessions 1, 3 and 5 and misses 2 and 4 (their numbers are taken by
    the missed sessions: its sessions held are numbered 1, 3, 5); m2 attends all five."""
    ipt_setup("group", "new", "g1", "--facilitator", "F.A.", "--start", "2026-01-26")
    for member in ("m1", "m2"):
        ipt_setup("new-course", member, "--adaptation", "group", "--client", f"X.{member}",
                  "--start", "2026-01-19", "--problem-area", "grief", "--phq9", PHQ9,
                  "--no-input")  # fmt: skip
        ipt_setup("group", "add", "g1", member)
    sittings = [("2026-01-26", ""), ("2026-02-02", "m1:unwell"), ("2026-02-09", ""),
                ("2026-02-16", "m1:away"), ("2026-02-23", "")]  # fmt: skip
    for date, absent in sittings:
        present = "m2" if absent else "m1,m2"
        extra = ["--absent", absent] if absent else []
        ipt_setup("group", "session", "g1", "--date", date, "--present", present, *extra)
    ipt_setup("session", "m1", "--fix", "1", "--task", "Task one", "--reason", "left out")
    ipt_setup("session", "m1", "--fix", "3", "--task", "Task three", "--task-outcome",
              "Went well", "--reason", "left out")  # fmt: skip


def test_every_note_of_a_member_who_missed_group_sessions_is_printed(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    member_course(ipt_setup)
    for fmt in FORMATS:
        for number in ("1", "3", "5"):
            done = ipt_bin("note", "m1", number, "--format", fmt)
            assert "unexpected error" not in done.stderr
        every = ipt_bin("note", "m1", "--all", "--format", fmt)
        assert "unexpected error" not in every.stderr, fmt
    notes = json.loads(ipt_bin("note", "m1", "--all", "--json").stdout)
    assert [(n["date"], n["session"] and n["session"]["number"]) for n in notes] == [
        ("2026-01-26", 1),
        ("2026-02-02", None),  # missed group session 2
        ("2026-02-09", 3),
        ("2026-02-16", None),
        ("2026-02-23", 5),
    ]
    missed = ipt_bin("note", "m1", "2", check_code=None)  # nothing held: said, no crash
    assert "was missed" in missed.stderr and "unexpected error" not in missed.stderr
    for number in ("1", "2", "3", "4", "5"):  # the member who came to every session
        ipt_bin("note", "m2", number)


def test_last_weeks_task_is_the_previous_attended_sessions_never_its_own(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    member_course(ipt_setup)
    third = flat(section(ipt_bin("note", "m1", "3").stdout, "Tasks"))
    assert "Last week's task: Task one: Went well" in third  # was "Task three", its own
    assert "Task set: Task three" in third
    fifth = flat(section(ipt_bin("note", "m1", "5").stdout, "Tasks"))
    assert "Last week's task: Task three: outcome not recorded" in fifth
    every = flat(ipt_bin("note", "m1", "--all", "--format", "markdown").stdout)
    assert "- Last week's task: Task one: Went well" in every


def test_an_individual_course_with_missed_appointments_keeps_its_tasks_in_order(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
              "--problem-area", "grief", "--no-input")  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-01-05", "--task", "T1")
    ipt_setup("session", "ab", "--date", "2026-01-12", "--missed", "unwell")
    ipt_setup("session", "ab", "--date", "2026-01-19", "--task", "T2", "--task-outcome", "ok")
    ipt_setup("session", "ab", "--date", "2026-01-26", "--missed", "away")
    ipt_setup("session", "ab", "--date", "2026-02-02", "--task-outcome", "fine")
    assert "Last week's task: T1: ok" in flat(ipt_bin("note", "ab", "2").stdout)
    assert "Last week's task: T2: fine" in flat(ipt_bin("note", "ab", "3").stdout)
    for fmt in FORMATS:
        ipt_bin("note", "ab", "--all", "--format", fmt)


# 2. The ASRM's mania alert is in the note's Safety section, headed as the report heads it --

MANIA = (
    "MANIA ALERT: ASRM 7 at session 1 (2026-01-12), possible (hypo)mania (6 or more): "
    "contact the prescriber; check sleep and the social rhythm (ipt rhythm)"
)


def ipsrt(ipt_setup: Bin) -> None:
    ipt_setup("new-course", "bp", "--client", "B.P.", "--start", "2026-01-05",
              "--problem-area", "grief", "--adaptation", "ipsrt", "--phq9", PHQ9,
              "--asrm", "1,0,1,0,1", "--no-input")  # fmt: skip
    ipt_setup("session", "bp", "--date", "2026-01-12", "--asrm", "2,2,1,1,1", "--phq9", PHQ9)


def test_the_mania_alert_is_under_safety_in_the_text_note(ipt_bin: Bin, ipt_setup: Bin) -> None:
    ipsrt(ipt_setup)
    note = ipt_bin("note", "bp", "1").stdout
    assert "MANIA" not in section(note, "Measures")
    assert "WARNING" not in note
    safety = flat(section(note, "Safety"))
    assert f"SAFETY: MANIA ALERT {MANIA}" in safety
    report = flat(ipt_bin("report", "bp").stdout)
    assert "SAFETY: MANIA ALERT" in report  # the report's heading: the same words


def test_the_mania_alert_is_under_safety_in_markdown_html_and_json(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    ipsrt(ipt_setup)
    markdown = ipt_bin("note", "bp", "1", "--format", "markdown").stdout
    assert "MANIA" not in md_section(markdown, "Measures")
    safety = md_section(markdown, "Safety")
    assert "- **SAFETY: MANIA ALERT**\n" in safety
    assert flat(MANIA) in flat(safety.replace("\\", ""))  # escaped as text
    page = ipt_bin("note", "bp", "1", "--format", "html").stdout
    assert "MANIA" not in html_section(page, "Measures")
    shown = html_section(page, "Safety")
    assert "<li><strong>SAFETY: MANIA ALERT</strong></li>" in shown
    assert f'<li class="sub">{html.escape(MANIA)}</li>' in shown
    data = json.loads(ipt_bin("note", "bp", "1", "--json").stdout)
    assert data["alerts"] == [MANIA]  # unchanged
    assert data["safety_alerts"] == [
        {"instrument": "asrm", "kind": "mania", "heading": "SAFETY: MANIA ALERT", "text": MANIA}
    ]
    every = json.loads(ipt_bin("note", "bp", "--all", "--json").stdout)
    assert [n["safety_alerts"] != [] for n in every] == [True]


def test_a_note_without_a_mania_alert_has_none_under_safety(ipt_bin: Bin, ipt_setup: Bin) -> None:
    ipsrt(ipt_setup)
    ipt_setup("session", "bp", "--date", "2026-01-19", "--asrm", "1,1,1,1,1")  # 5
    note = ipt_bin("note", "bp", "2").stdout
    assert "MANIA" not in note
    assert json.loads(ipt_bin("note", "bp", "2", "--json").stdout)["safety_alerts"] == []
    assert "SAFETY: MANIA ALERT" in ipt_bin("note", "bp", "1").stdout  # its own sitting's


# 3. A lifetime "no" after a "yes" is on the note of its session, in every format ---------

ATTEMPT = "PHQ-A suicide attempt ever"
OPEN = (
    'Contradicts the "yes" at session 2 (2026-01-19): the earlier "yes" stands and its flag '
    "stays until reviewed. Check with the client which answer is right."
)
REVIEWED = (
    'Contradicts the "yes" at session 2 (2026-01-19): the earlier "yes" stands (already '
    "reviewed). Check with the client which answer is right."
)


def yes_then_no(ipt_setup: Bin) -> None:
    """Session 1 answers "no", session 2 "yes" (URGENT: previously no), session 3 "no"."""
    ipt_setup("new-course", "ad", "--client", "A.D.", "--start", "2026-01-05",
              "--problem-area", "role-dispute", "--adaptation", "adolescent", "--guardian",
              "M.", "--consent-by", "guardian", "--phqa", PHQA, "--no-input")  # fmt: skip
    for date, attempt in (("2026-01-12", "no"), ("2026-01-19", "yes"), ("2026-01-26", "no")):
        ipt_setup("session", "ad", "--date", date, "--phqa", PHQA, "--phqa-attempt", attempt)


def test_the_note_of_the_no_names_the_earlier_yes_in_every_format(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    yes_then_no(ipt_setup)
    text = flat(section(ipt_bin("note", "ad", "3").stdout, "Safety"))
    assert f"Risk question: {ATTEMPT}: no {OPEN}" in text
    markdown = md_section(ipt_bin("note", "ad", "3", "--format", "markdown").stdout, "Safety")
    assert f"- Risk question: {ATTEMPT}: no\n  - " in markdown
    assert OPEN in flat(markdown.replace("\\", ""))
    page = html_section(ipt_bin("note", "ad", "3", "--format", "html").stdout, "Safety")
    assert f'<li>Risk question: {ATTEMPT}: no</li><li class="sub">{html.escape(OPEN)}</li>' in page
    attempt = json.loads(ipt_bin("note", "ad", "3", "--json").stdout)["risk_questions"][1]
    assert (attempt["field"], attempt["answer"]) == ("attempt", "no")
    assert attempt["contradicts"] == {
        "answer": "yes",
        "session": 2,
        "maintenance": False,
        "where": "session 2",
        "date": "2026-01-19",
        "reviewed": False,
        "text": OPEN,
    }
    # the screen of the "no" is not negative while the earlier "yes" stands (the fresh
    # clinician's walk-through: it read "screened negative" above the contradiction)
    screen = json.loads(ipt_bin("note", "ad", "3", "--json").stdout)["risk_screen"]
    assert screen.startswith("not negative (") and 'an earlier "yes" stands' in screen
    assert "screened negative" not in ipt_bin("note", "ad", "3").stdout
    assert "screened negative" in ipt_bin("note", "ad", "1").stdout  # a "no" after "no"
    for number in ("1", "2"):  # the first "no" and the "yes" contradict nothing
        note = json.loads(ipt_bin("note", "ad", number, "--json").stdout)
        assert [q["contradicts"] for q in note["risk_questions"]] == [None, None]
        assert "Contradicts" not in ipt_bin("note", "ad", number).stdout


def test_once_the_yes_is_reviewed_the_note_says_so(ipt_bin: Bin, ipt_setup: Bin) -> None:
    yes_then_no(ipt_setup)
    ipt_setup("risk-review", "ad", "--session", "2", "--note", "Attempt at 13, none since",
              "--ideation", "none", "--level", "low", "--action", "Safety plan",
              "--date", "2026-01-27")  # fmt: skip
    assert REVIEWED in flat(ipt_bin("note", "ad", "3").stdout)
    every = json.loads(ipt_bin("note", "ad", "--all", "--json").stdout)
    found = [n["risk_questions"][1]["contradicts"] for n in every]
    assert [f and (f["session"], f["reviewed"]) for f in found] == [None, None, (2, True)]


def test_a_past_month_no_after_a_yes_is_no_contradiction(ipt_bin: Bin, ipt_setup: Bin) -> None:
    ipt_setup("new-course", "ad", "--client", "A.D.", "--start", "2026-01-05",
              "--problem-area", "role-dispute", "--adaptation", "adolescent", "--guardian",
              "M.", "--consent-by", "guardian", "--phqa", PHQA, "--no-input")  # fmt: skip
    ipt_setup("session", "ad", "--date", "2026-01-12", "--phqa", PHQA,
              "--phqa-suicidal-thoughts", "yes")  # fmt: skip
    ipt_setup("session", "ad", "--date", "2026-01-19", "--phqa", PHQA,
              "--phqa-suicidal-thoughts", "no")  # fmt: skip
    note: dict[str, Any] = json.loads(ipt_bin("note", "ad", "2", "--json").stdout)
    assert [q["contradicts"] for q in note["risk_questions"]] == [None, None]
    assert "Contradicts" not in ipt_bin("note", "ad", "2").stdout
