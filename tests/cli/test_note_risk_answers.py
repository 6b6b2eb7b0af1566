"""A clinician's and a supervisor's walk through the session note (the note-fidelity
round): the PHQ-A's yes/no risk questions and a lifetime "yes" as before, each checked
through the real `ipt` binary in every format of the note."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

Bin = Callable[..., subprocess.CompletedProcess[str]]

PHQA = "1,1,1,1,1,1,1,0,0"  # 7: mild, item 9 = 0
PHQA_ITEM9 = "1,1,1,1,1,1,1,0,1"  # item 9 = 1: a flag
THOUGHTS = "PHQ-A serious thoughts of ending life in the past month"
ATTEMPT = "PHQ-A suicide attempt ever"


def flat(text: str) -> str:
    """Words as a reader sees them, whatever the terminal width wrapped."""
    return " ".join(text.split())


def as_json(ipt_bin: Bin, *args: str) -> Any:
    return json.loads(ipt_bin(*args).stdout)


def adolescent(ipt_setup: Bin, *baseline: str) -> None:
    ipt_setup("new-course", "ad", "--client", "A.D.", "--start", "2026-01-05",
              "--problem-area", "role-dispute", "--adaptation", "adolescent", "--guardian",
              "M.", "--consent-by", "M.", "--no-input", "--phqa", PHQA,
              *baseline)  # fmt: skip


def review(ipt_setup: Bin, session: str, date: str) -> None:
    ipt_setup("risk-review", "ad", "--session", session, "--note", "Attempt at 13, none since",
              "--ideation", "none", "--level", "low", "--action", "Safety plan",
              "--date", date)  # fmt: skip


# 1. The PHQ-A's yes/no questions: yes, no or not asked, in every format of the note ---------


def phqa_sessions(ipt_setup: Bin) -> None:
    """Session 1 gives the PHQ-A without its two questions; session 2 answers thoughts yes,
    attempt no; session 3 gives no PHQ-A at all."""
    adolescent(ipt_setup, "--phqa-suicidal-thoughts", "no", "--phqa-attempt", "no")
    ipt_setup("session", "ad", "--date", "2026-01-12", "--phqa", PHQA)
    ipt_setup("session", "ad", "--date", "2026-01-19", "--phqa", PHQA,
              "--phqa-suicidal-thoughts", "yes", "--phqa-attempt", "no")  # fmt: skip
    ipt_setup("session", "ad", "--date", "2026-01-26", "--note", "No measures today")


def test_the_note_says_each_phqa_question_was_answered_yes_or_no_or_not_asked(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    phqa_sessions(ipt_setup)
    unasked = flat(ipt_bin("note", "ad", "1").stdout)
    assert f"Risk question: {THOUGHTS}: not asked" in unasked
    assert f"Risk question: {ATTEMPT}: not asked" in unasked
    answered = flat(ipt_bin("note", "ad", "2").stdout)
    assert f"Risk question: {THOUGHTS}: yes" in answered
    assert f"Risk question: {ATTEMPT}: no" in answered  # a "no" beside a flag was not shown
    assert f"Flag: {THOUGHTS} = yes URGENT (NOT YET REVIEWED)" in answered
    absent = flat(ipt_bin("note", "ad", "3").stdout)
    assert f"Risk question: {ATTEMPT}: not asked (PHQ-A not given)" in absent


def test_markdown_html_and_json_of_the_note_carry_the_answers(ipt_bin: Bin, ipt_setup: Bin) -> None:
    phqa_sessions(ipt_setup)
    markdown = ipt_bin("note", "ad", "2", "--format", "markdown").stdout
    assert f"- Risk question: {THOUGHTS}: yes\n" in markdown
    assert f"- Risk question: {ATTEMPT}: no\n" in markdown
    html = ipt_bin("note", "ad", "2", "--format", "html").stdout
    assert f"<li>Risk question: {ATTEMPT}: no</li>" in html
    answers = {
        n: [(q["field"], q["answer"], q["given"]) for q in as_json(ipt_bin, "note", "ad", n,
                                                                  "--json")["risk_questions"]]
        for n in ("1", "2", "3")
    }  # fmt: skip
    assert answers == {
        "1": [("suicidal_thoughts", "not asked", True), ("attempt", "not asked", True)],
        "2": [("suicidal_thoughts", "yes", True), ("attempt", "no", True)],
        "3": [("suicidal_thoughts", "not asked", False), ("attempt", "not asked", False)],
    }
    both = as_json(ipt_bin, "note", "ad", "--all", "--format", "json")
    assert [len(n["risk_questions"]) for n in both] == [2, 2, 2]
    question = as_json(ipt_bin, "note", "ad", "2", "--json")["risk_questions"][1]
    assert question == {
        "instrument": "phqa",
        "item": 11,  # as a flag numbers it, after the nine items
        "field": "attempt",
        "question": "suicide attempt ever",
        "answer": "no",
        "given": True,
        "contradicts": None,  # no earlier "yes" (note-review)
    }


# 2. A lifetime "yes" as before is history in the note's JSON, as in its text --------------


def test_the_notes_json_keeps_a_lifetime_yes_as_before_out_of_its_flags(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    adolescent(ipt_setup, "--phqa-attempt", "yes")
    review(ipt_setup, "0", "2026-01-05")  # reviewed at the assessment, before session 1
    ipt_setup("session", "ad", "--date", "2026-01-12", "--phqa", PHQA_ITEM9,
              "--phqa-attempt", "yes")  # fmt: skip
    text = flat(ipt_bin("note", "ad", "1").stdout)
    said = f"{ATTEMPT} = yes, as before (reviewed at an earlier sitting; no new flag)"
    assert f"History: {said}" in text
    note = as_json(ipt_bin, "note", "ad", "1", "--format", "json")
    # only item 9 is a flag: a script counting unreviewed flags agrees with the course's
    assert [(f["item"], f["reviewed"]) for f in note["flags"]] == [(9, False)]
    unreviewed = as_json(ipt_bin, "report", "ad", "--format", "json")["risk"]["unreviewed"]
    assert [(f["where"], f["item"]) for f in unreviewed] == [("session 1", 9)]
    assert note["risk_history"] == [
        {
            "instrument": "phqa",
            "item": 11,
            "answer": "yes",
            "lifetime": "as before",
            "text": said,
        }
    ]
    assert note["risk_questions"][1]["answer"] == "yes"  # still shown as answered
