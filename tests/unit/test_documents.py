"""JSON and Markdown documents (views/json_shapes.py, views/markdown.py and the wording they
share with the terminal, views/wording.py), built from in-memory courses.

The JSON key sets are a contract for scripts and are pinned here exactly: adding a key means
adding it below on purpose; removing or renaming one breaks somebody's script. The Markdown
checks read the documents as a GitHub-flavoured Markdown renderer would: headings in order,
tables with a constant number of cells.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ipt_cli.core.corrections import withdraw_session
from ipt_cli.core.course_row import CourseRow, list_json
from ipt_cli.core.models import Baseline, Course, Ending, Maintenance, RiskReview
from ipt_cli.core.planning import build_agenda, build_plan
from ipt_cli.core.progress import Report, build_report, course_row
from ipt_cli.views import json_shapes, markdown, wording
from ipt_cli.views.output import to_json
from ipt_cli.views.text_safety import markdown_escape, terminal_safe
from tests.unit.builders import (
    MARKER,
    START,
    TODAY,
    course,
    full_course,
    held,
    phq9,
    scored,
    session,
    week,
)

REPORT_KEYS = {
    "risk",  # the course's risk state (core/risk.py; issue 26)
    "course_id",
    "client",
    "kind",
    "condition",
    "primary_measure",
    "eating",
    "start_date",
    "sessions_planned",
    "sessions_recorded",
    "phase",
    "next_session_date",
    "problem_areas",
    "dispute_stage",
    "measures",
    "safety_flags",
    "alerts",
    "sessions",
    "goals",
    "techniques",
    "strategies",  # each strategy of the areas and the sessions covering it (issue 27)
    "contract_changes",
    "changes",
    "sick_role",
    "medication",
    "inventory",
    "timeline",
    "formulation",
    "risk_reviews",
    "contacts",
    "missed_appointments",  # date, reason, session (issue 30, fourth session)
    "maintenance",
    "tasks",
    "termination_checklist",
    "ending",
    "completed",
    "archived",
    "adaptation",  # issue 20: how IPT is delivered
    "guardian",
    "rhythm",
    "warning_signs_by_pole",  # issue 28: IPSRT's warning signs of depression and of mania
    # schema 3: the clinical record
    "high_risk",
    "safety_plan",
    "supervision",
    "adherence",
    "signatures",
    "withdrawn_sessions",  # schema 10: sessions recorded by mistake, kept (issue 27)
}
WITHDRAWN_KEYS = {"id", "date", "maintenance", "withdrawn"}
WITHDRAWAL_KEYS = {"date", "reason", "by", "number", "recorded_at"}
MEASURE_KEYS = {
    "baseline",
    "baseline_session",
    "baseline_in_maintenance",
    "latest",
    "change",
    "change_percent",
    "severity",
    "response",
    "case_at_baseline",
    "remission",
    "reliable_change",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
    "series",
}
MAINTENANCE_MEASURE_KEYS = MEASURE_KEYS | {"end_of_acute", "change_from_end_of_acute", "relapse"}
POINT_KEYS = {"session", "date", "total", "severity"}
FLAG_KEYS = {
    "session",
    "date",
    "instrument",
    "item",
    "score",
    "reviewed",
    "urgent",
    "maintenance",
    "session_id",
}
ALERT_KEYS = {"instrument", "kind", "text"}
SESSION_KEYS = {
    "session",
    "id",
    "date",
    "mood",
    "focus",
    "techniques",
    "strategies",
    "goal_ratings",
    "dispute_stage",
    "task",
    "task_outcome",
    "addenda",
    "attendees",
    "corrections",
}
GOAL_KEYS = {"id", "text", "latest_rating", "retired"}
CONTRACT_KEYS = {"date", "old", "new", "reason", "recorded_at"}  # 10: when written
SICK_ROLE_KEYS = {"given", "note"}
INVENTORY_KEYS = {
    "number",
    "name",
    "relationship",
    "ring",
    "contact",
    "satisfying",
    "unsatisfying",
    "expectations_met",
    "changes_wanted",
    "tags",
}
TIMELINE_KEYS = {"date", "precision", "event", "mood"}  # precision: schema 10
FORMULATION_KEYS = {"text", "agreed", "date", "recorded_at"}  # 10: when written
RISK_REVIEW_KEYS = {
    "session",
    "maintenance",
    "date",
    "note",
    "plan",
    "by",
    "session_id",
    "session_date",
    "withdrawn",  # schema 10: a review of a withdrawn session (kept; its level stands)
    "written_on",  # schema 9: a late review's day of writing (risk-review --date)
    "recorded_at",  # schema 7: when it was written
    # schema 3: the structured fields
    "ideation",
    "plan_made",
    "intent",
    "means",
    "protective",
    "level",
    "actions",
}
MAINTENANCE_KEYS = {
    "opened",
    "start_date",
    "cadence",
    "sessions_planned",
    "sessions_recorded",
    "measures",
    "end_of_acute",
    "relapse",
    "sessions",
}
TASK_KEYS = {"session", "date", "task", "outcome"}
CHECKLIST_KEYS = {"id", "text", "done"}
ENDING_KEYS = {
    "warning_signs",
    "feelings_discussed",
    "remaining_issues",
    "decision",
    "decision_note",
    "date",  # schema 10: the day the termination work was done (ending --date)
    "recorded_at",  # schema 10: when it was written
}
PLAN_KEYS = {
    "course_id",
    "client",
    "sessions_planned",
    "sessions_recorded",
    "sessions_held",  # the older name, kept
    "weeks",
    "maintenance",  # null without a maintenance contract
    "notes",
    "risk",  # the course's risk state (issue 26)
    "strategies",  # each strategy of the areas and the sessions covering it (issue 27)
}
WEEK_KEYS = {"session", "date", "phase", "focus", "status", "current"}
AGENDA_KEYS = {
    "course_id",
    "week",
    "date",
    "phase",
    "sessions_planned",
    "sessions_left",
    "count",
    "safety_flags",
    "carry_over",
    "items",
    "maintenance",
    "review_commands",
    "done",
    "high_risk",  # the standing high risk, as the report gives it
    "risk",  # the course's risk state (issue 26)
    "alerts",  # not on track (issue 29)
    "left_out",  # what `ipt agenda --all` adds (issue 27)
    "strategies_covered",  # by the sessions before this one (issue 27)
}
LIST_KEYS = {
    "course_id",
    "damaged",
    "client",
    "phase",
    "sessions_recorded",
    "sessions_planned",
    "next_session_date",
    "overdue",
    "archived",
    "latest_phq9",
    "latest_phq9_severity",
    "latest",
    "unreviewed_flags",
    "alerts",
    "not_on_track",
    "days_without_session",
    "unsigned_overdue",
    "primary_measure",
    "latest_primary",
    "risk_level",  # issue 26: the standing level, urgency, the oldest flag's wait
    "high_risk",
    "urgent",
    "oldest_flag_days",
    "missed_at_risk",
    "risk_level_out_of_date_since",  # issue 30 round: the report's level_out_of_date_since
}
DAMAGED_KEYS = {"course_id", "damaged", "problem"}

FULL_HEADINGS = [
    "# IPT course `ab`: A.B.",
    "## Formulation",
    "## Measures",
    "### PHQ-9 by session",
    "### GAD-7 by session",
    "### HAM-D-17 by session",
    "### BDI-II by session",
    "## Maintenance",
    "### PHQ-9 in maintenance",
    "### BDI-II in maintenance",
    "## Goals",
    "## Techniques used",
    "## Strategies",  # which are covered (issue 27)
    "## Between-session tasks",
    "## Attendance",  # the missed appointments too (issue 30, fourth session)
    "## Termination checklist: all 5 done",  # what is done: its items (not "(done)")
    "## End of course",
    "## Contract changes",
    "## Safety flags",
    "## Risk reviews",
]
RELAPSE = (
    "PHQ-9 relapse: 12 at maintenance session 2 (2026-04-20), a case again (>= 10) and a "
    "reliable deterioration (+6) from 6 at the end of the acute course"
)


def report_of(c: Course, today: dt.date = TODAY) -> Report:
    return build_report(c, today)


def keys_of(items: list[dict[str, Any]]) -> set[str]:
    """The one key set shared by every item of a non-empty list."""
    assert items, "an empty list pins nothing"
    sets = {frozenset(item) for item in items}
    assert len(sets) == 1, f"items of one list differ in keys: {sets}"
    return set(sets.pop())


# --- reading Markdown as a renderer would ----------------------------------------------------

LINE_END = re.compile(r"\r\n|\r|\n")  # CommonMark's line endings


def md_lines(text: str) -> list[str]:
    return LINE_END.split(text)


def headings(text: str) -> list[str]:
    return [line for line in md_lines(text) if line.startswith("#")]


def row_cells(line: str) -> list[str]:
    """A GFM table row's cells: split on pipes not escaped by a backslash, then trimmed."""
    assert line.startswith("|") and line.endswith("|"), f"not a table row: {line!r}"
    cells, current, body, i = [], "", line[1:-1], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            current += body[i : i + 2]
            i += 2
            continue
        if body[i] == "|":
            cells.append(current.strip(" \t"))  # GFM trims spaces and tabs only
            current = ""
        else:
            current += body[i]
        i += 1
    return [*cells, current.strip(" \t")]


def tables(text: str) -> dict[str, list[list[str]]]:
    """Every table, by the heading above it, as its rows of cells (the header first); each
    table is checked well-formed: delimiter row, constant cell count, blank lines around."""
    found: dict[str, list[list[str]]] = {}
    lines = md_lines(text)
    heading, i = "", 0
    while i < len(lines):
        if lines[i].startswith("#"):
            heading = lines[i]
        if not lines[i].startswith("|"):
            i += 1
            continue
        assert i > 0 and lines[i - 1] == "", f"no blank line before the table under {heading}"
        block = []
        while i < len(lines) and lines[i].startswith("|"):
            block.append(lines[i])
            i += 1
        assert i == len(lines) or lines[i] == "", f"table under {heading} ends without a break"
        header = row_cells(block[0])
        assert block[1] == "|" + "---|" * len(header), f"bad delimiter row under {heading}"
        rows = [row_cells(line) for line in block[2:]]
        for row in rows:
            assert len(row) == len(header), f"row {row} under {heading} does not fit {header}"
        assert heading not in found, f"two tables under {heading}"
        found[heading] = [header, *rows]
    return found


def unescape(cell: str) -> str:
    """A cell as a reader sees it: CommonMark's backslash escapes undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", cell)


# --- the report as JSON ----------------------------------------------------------------------


def test_report_json_keys_are_pinned_at_every_level() -> None:
    data = json_shapes.report_json(report_of(full_course()))
    assert set(data) == REPORT_KEYS
    assert set(data["measures"]) == {"phq9", "gad7", "hamd17", "bdi2"}
    for measure in data["measures"].values():
        assert set(measure) == MEASURE_KEYS
        assert keys_of(measure["series"]) == POINT_KEYS
    assert keys_of(data["safety_flags"]) == FLAG_KEYS
    assert keys_of(data["alerts"]) == ALERT_KEYS
    assert keys_of(data["sessions"]) == SESSION_KEYS
    assert keys_of(data["goals"]) == GOAL_KEYS
    assert keys_of(data["contract_changes"]) == CONTRACT_KEYS
    assert set(data["sick_role"]) == SICK_ROLE_KEYS
    assert keys_of(data["inventory"]) == INVENTORY_KEYS
    assert keys_of(data["timeline"]) == TIMELINE_KEYS
    assert set(data["formulation"]) == FORMULATION_KEYS
    assert keys_of(data["risk_reviews"]) == RISK_REVIEW_KEYS
    assert set(data["maintenance"]) == MAINTENANCE_KEYS
    assert set(data["maintenance"]["measures"]) == {"phq9", "bdi2"}
    for measure in data["maintenance"]["measures"].values():
        assert set(measure) == MAINTENANCE_MEASURE_KEYS
        assert keys_of(measure["series"]) == POINT_KEYS
    acute_measures = {"phq9", "gad7", "hamd17", "bdi2"}  # each instrument of the acute course
    assert set(data["maintenance"]["end_of_acute"]) == acute_measures
    assert set(data["maintenance"]["relapse"]) == acute_measures
    assert keys_of(data["maintenance"]["sessions"]) == SESSION_KEYS
    assert keys_of(data["tasks"]) == TASK_KEYS
    assert keys_of(data["termination_checklist"]) == CHECKLIST_KEYS
    assert set(data["ending"]) == ENDING_KEYS


def test_report_json_pins_a_withdrawn_session_and_keeps_its_reviews() -> None:
    """A withdrawn session (issue 27) leaves `sessions` and the counts, and is listed apart
    with its withdrawal; its reviews stay in `risk_reviews`, marked."""
    c = full_course()
    at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    withdraw_session(c, "1", "Recorded in the wrong course", TODAY, "Dr K.", at)
    data = json_shapes.report_json(report_of(c))
    assert set(data) == REPORT_KEYS
    assert keys_of(data["withdrawn_sessions"]) == WITHDRAWN_KEYS
    [gone] = data["withdrawn_sessions"]
    assert set(gone["withdrawn"]) == WITHDRAWAL_KEYS
    assert gone["withdrawn"]["reason"] == "Recorded in the wrong course"
    assert (gone["date"], gone["maintenance"], gone["withdrawn"]["number"]) == (
        "2026-01-05",
        False,
        1,
    )
    assert data["sessions_recorded"] == 7 and data["sessions"][0]["date"] == "2026-01-12"
    assert keys_of(data["risk_reviews"]) == RISK_REVIEW_KEYS
    assert [r["withdrawn"] for r in data["risk_reviews"]].count(True) == 0  # none on it


def test_report_json_of_an_empty_course_has_the_same_keys() -> None:
    data = json_shapes.report_json(report_of(course()))
    assert set(data) == REPORT_KEYS
    assert data["measures"] == {"phq9": {**dict.fromkeys(MEASURE_KEYS - {"series"}), "series": []}}
    for key in ("dispute_stage", "sick_role", "medication", "formulation", "maintenance"):
        assert data[key] is None, key
    assert (data["condition"], data["primary_measure"], data["eating"]) == (
        "depression",
        "phq9",
        None,
    )
    assert (data["ending"], data["archived"]) == (None, None)
    for key in ("safety_flags", "alerts", "sessions", "contract_changes", "inventory"):
        assert data[key] == [], key
    for key in ("withdrawn_sessions",):
        assert data[key] == [], key
    assert data["timeline"] == []
    assert (data["risk_reviews"], data["tasks"], data["termination_checklist"]) == ([], [], [])
    assert data["goals"] == []
    assert data["techniques"] == {}
    assert (data["phase"], data["completed"], data["next_session_date"]) == (
        "initial",
        False,
        "2026-01-05",
    )
    assert (data["sessions_planned"], data["sessions_recorded"]) == (16, 0)


# A review recorded without the structured fields of schema 3.
UNSTRUCTURED = {
    "ideation": None,
    "plan_made": None,
    "intent": None,
    "means": None,
    "protective": [],
    "level": None,
    "actions": [],
}


def test_report_json_values_of_a_full_course() -> None:
    data = json_shapes.report_json(report_of(full_course()))
    assert (data["course_id"], data["client"], data["kind"]) == ("ab", "A.B.", "clinician-led")
    assert (data["start_date"], data["next_session_date"]) == ("2026-01-05", "2026-05-20")
    assert (data["phase"], data["completed"], data["dispute_stage"]) == (
        "maintenance",  # a phase of its own after the acute course
        True,  # the acute course stays completed
        "renegotiation",
    )
    assert data["problem_areas"] == ["grief", "role-dispute"]
    assert data["measures"]["phq9"]["series"][0] == {
        "session": 0,
        "date": "2026-01-05",
        "total": 20,
        "severity": "severe",
    }
    first = data["sessions"][0]
    assert (first["session"], first["id"], first["date"], first["mood"], first["focus"]) == (
        1,
        1,
        "2026-01-05",
        3,
        "grief",
    )
    assert first["addenda"] == 1  # a count; the text is private
    assert [s["id"] for s in data["sessions"]] == list(range(1, 9))
    assert data["goals"] == [
        {"id": "mourn", "text": "Mourn the loss | fully", "latest_rating": 7, "retired": None},
        {"id": "talk", "text": "Talk with a sister", "latest_rating": 1, "retired": None},
    ]
    assert data["techniques"] == {"exploration": 2, "clarification": 1}
    assert data["risk_reviews"] == [  # the history of the sitting, oldest first
        {
            "session": 0,
            "maintenance": False,
            "date": "2026-01-05",
            "note": "Passive thoughts",
            "plan": "Safety plan",
            "by": "Dr K.",
            "session_id": None,  # the baseline has no session id
            "session_date": "2026-01-05",
            "withdrawn": False,
            "written_on": None,
            "recorded_at": None,
            **UNSTRUCTURED,
        },
        {
            "session": 0,
            "maintenance": False,
            "date": "2026-01-19",
            "note": "No thoughts since",
            "plan": None,
            "by": None,
            "session_id": None,
            "session_date": "2026-01-05",
            "withdrawn": False,
            "written_on": None,
            "recorded_at": None,
            **UNSTRUCTURED,
        },
    ]
    assert [(f["session"], f["maintenance"], f["session_id"]) for f in data["safety_flags"]] == [
        (0, False, None),
        (2, False, 2),
        (2, True, 10),  # ids run on through maintenance
    ]
    assert data["alerts"] == [{"instrument": "phq9", "kind": "relapse", "text": RELAPSE}]
    assert [i["number"] for i in data["inventory"]] == [1, 2]
    assert data["timeline"] == [
        {"date": "2025-11-02", "precision": "day", "event": "Mother died", "mood": "low"}
    ]
    maintenance = data["maintenance"]
    assert (maintenance["sessions_recorded"], maintenance["sessions_planned"]) == (2, 12)
    assert [(s["session"], s["id"]) for s in maintenance["sessions"]] == [(1, 9), (2, 10)]
    assert maintenance["end_of_acute"] == {"phq9": 6, "gad7": 4, "hamd17": 7, "bdi2": 12}
    assert maintenance["relapse"] == {"phq9": True, "gad7": None, "hamd17": None, "bdi2": None}
    assert data["ending"]["decision"] == "maintenance"
    assert [t["outcome"] for t in data["tasks"]] == ["Went with a friend", None]


def test_report_json_measures_of_a_full_course() -> None:
    data = json_shapes.report_json(report_of(full_course()))
    outcome_keys = (
        "baseline",
        "baseline_session",
        "latest",
        "change",
        "change_percent",
        "severity",
        "response",
        "remission",
        "reliable_change",
        "reliable_improvement",
        "reliable_deterioration",
        "reliable_recovery",
    )

    def outcome(measure: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(measure[key] for key in outcome_keys)

    measures = data["measures"]
    # baseline, baseline_session, latest, change, %, severity, response, remission, then
    # reliable change (= improvement), improvement, deterioration, recovery
    assert {key: outcome(m) for key, m in measures.items()} == {
        "phq9": (20, 0, 6, -14, -70.0, "mild", True, False, True, True, False, True),
        # first rated at session 1, the baseline's sitting: that rating is its baseline
        "gad7": (12, 1, 4, -8, -66.67, "minimal", True, True, True, True, False, True),
        # no reliable-change convention by default: response and remission only
        "hamd17": (20, 2, 7, -13, -65.0, "none", True, True, None, None, None, None),
        # one score is not an outcome; its severity still describes the present
        "bdi2": (12, 8, None, None, None, "minimal", None, None, None, None, None, None),
    }
    assert [p["session"] for p in measures["phq9"]["series"]] == [0, 2, 3, 4, 5, 6, 7, 8]
    kept = data["maintenance"]["measures"]
    # Still measured from the acute baseline (a reliable improvement, no longer a recovery),
    # and from the end of the acute course (a relapse).
    phq = kept["phq9"]
    assert (phq["baseline"], phq["latest"], phq["change"], phq["change_percent"]) == (
        20,
        12,
        -8,
        -40.0,
    )
    assert (phq["severity"], phq["response"], phq["remission"]) == ("moderate", False, False)
    assert (phq["reliable_improvement"], phq["reliable_deterioration"]) == (True, False)
    assert phq["reliable_recovery"] is False
    assert (phq["end_of_acute"], phq["change_from_end_of_acute"], phq["relapse"]) == (6, 6, True)
    assert [(p["session"], p["date"], p["total"]) for p in phq["series"]] == [
        (1, "2026-03-23", 5),
        (2, "2026-04-20", 12),
    ]
    assert (kept["bdi2"]["latest"], kept["bdi2"]["end_of_acute"], kept["bdi2"]["relapse"]) == (
        15,
        12,
        None,  # no caseness or reliable-change threshold: relapse is not judged
    )


def test_report_json_alerts_a_reliable_deterioration() -> None:
    data = json_shapes.report_json(report_of(scored([9, 16], baseline=10)))
    m = data["measures"]["phq9"]
    assert (m["reliable_change"], m["reliable_improvement"], m["reliable_deterioration"]) == (
        False,  # the old key means improvement: never "yes" for a worse score
        False,
        True,
    )
    assert data["alerts"] == [
        {
            "instrument": "phq9",
            "kind": "deterioration",
            "text": "PHQ-9 reliable deterioration: 10 at baseline (2025-12-29) to 16 at "
            "session 2 (2026-01-12), +6 points (reliable change: 6)",
        }
    ]
    assert data["maintenance"] is None


def test_report_json_is_plain_json_and_keeps_non_ascii() -> None:
    c = full_course()
    c.client = "Zoë Ó."
    data = json_shapes.report_json(report_of(c))
    text = to_json(data)
    assert json.loads(text) == data  # nothing needs a custom encoder (dates are strings)
    assert json.loads(text)["client"] == "Zoë Ó." and text.endswith("}\n")
    assert text.isascii()  # \u escapes: any output encoding carries it (issue 15)


def test_reports_keep_notes_events_and_addenda_private() -> None:
    c = full_course()
    report = report_of(c)
    assert MARKER not in to_json(json_shapes.report_json(report))
    assert MARKER not in markdown.report_markdown(report)
    assert MARKER not in wording.end_of_course_text(report)
    notes = markdown.session_notes_markdown(c)  # the private part of an export has them
    assert f"note {MARKER}" in notes and f"addendum {MARKER}" in notes


# --- the report as Markdown -----------------------------------------------------------------


def test_report_markdown_headings_in_order() -> None:
    text = markdown.report_markdown(report_of(full_course()))
    assert headings(text) == FULL_HEADINGS
    assert text.endswith("No thoughts since\n") and not text.endswith("\n\n")


def test_report_markdown_of_an_empty_course() -> None:
    text = markdown.report_markdown(report_of(course(), today=START))
    assert headings(text) == ["# IPT course `ab`: A.B.", "## Measures"]
    assert tables(text) == {
        "## Measures": [
            wording.MEASURE_HEADER,
            ["PHQ-9", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"],
        ]
    }
    assert "- **Phase:** initial (session 1 of 16)" in text
    assert "- **Next session:** 2026-01-05\n" in text
    assert "SAFETY" not in text


def test_report_markdown_tables_are_well_formed_and_hold_the_report() -> None:
    found = tables(markdown.report_markdown(report_of(full_course())))
    no_table = (
        "## Formulation",
        "## Termination checklist: all 5 done",
        "## End of course",
        "## Risk reviews",
    )
    assert list(found) == [h for h in FULL_HEADINGS[1:] if h not in no_table]
    assert found["## Measures"] == [  # in maintenance: the end of acute, and the current score
        [
            "Measure",
            "Baseline",
            "End of acute",
            "Current",
            "Change",
            "Severity (acute)",
            "Response (acute)",
            "Remission (acute)",
            "Reliable change",
        ],  # fmt: skip
        ["PHQ-9", "20", "6", "12 (m2) RELAPSE", "-70%", "mild", "yes", "no", "recovery"],
        ["GAD-7", "12", "4", "-", "-66%", "minimal", "yes", "yes", "recovery"],
        ["HAM-D-17", "20", "7", "-", "-65%", "none", "yes", "yes", "n/a"],
        ["BDI-II", "12", "n/a", "15 (m2)", "n/a", "minimal", "n/a", "n/a", "n/a"],  # one score
    ]
    assert [row[0] for row in found["### PHQ-9 by session"][1:]] == [
        "0",
        "2",  # session 1 was the baseline's sitting: one point for it
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
    ]
    assert found["### GAD-7 by session"][1:] == [
        ["1", "2026-01-05", "12", "moderate"],
        ["8", "2026-02-23", "4", "minimal"],
    ]
    goals = found["## Goals"]
    assert goals[1] == ["mourn", "Mourn the loss \\| fully", "2 4 7", "7"]
    assert unescape(goals[1][1]) == "Mourn the loss | fully"
    assert found["## Between-session tasks"][1:] == [
        ["1", "Visit the grave", "Went with a friend"],
        ["2", "Call the sister", "-"],
    ]
    assert found["## Contract changes"][1] == ["2026-01-19", "12", "8", "Moving away \\| early"]
    assert found["## Safety flags"][1:] == [
        ["PHQ-9 item 9 = 1 at baseline (2026-01-05)", "yes"],
        ["HAM-D-17 item 3 = 3 URGENT at session 2 (2026-01-12)", "no"],
        ["BDI-II item 9 = 1 at maintenance session 2 (2026-04-20)", "no"],
    ]
    assert found["## Maintenance"] == [
        wording.MAINTENANCE_HEADER,
        ["PHQ-9", "20", "6", "12", "+6", "moderate", "RELAPSE"],
        ["BDI-II", "12", "12", "15", "+3", "mild", "n/a"],
    ]
    assert found["### PHQ-9 in maintenance"] == [  # the sitting's flag, whatever raised it
        ["Session", "Date", "Total", "Severity", "Safety flag"],
        ["m1", "2026-03-23", "5", "mild", ""],
        ["m2", "2026-04-20", "12", "moderate", "BDI-II item 9 = 1, not reviewed"],
    ]


def test_report_markdown_notes_under_the_measures() -> None:
    text = markdown.report_markdown(report_of(full_course()))
    section = text.split("## Measures\n")[1].split("\n### ")[0]
    assert [line for line in md_lines(section) if line.startswith("- ")] == [
        "- Maintenance has begun: the outcome columns measure the acute course, baseline to "
        "its end; the current score is the latest maintenance score (see Maintenance).",
        "- GAD-7: first rated at session 1 (2026-01-05); its baseline is that rating.",
        "- HAM-D-17: first rated at session 2 (2026-01-12); its baseline is that rating.",
        "- HAM-D-17: no reliable-change convention; response and remission only (thresholds "
        "can be set in ipt's settings).",
        "- BDI-II: first rated at session 8 (2026-02-23); its baseline is that rating.",
        "- BDI-II: one score so far; an outcome needs a later score.",
    ]


def test_report_markdown_lists_every_risk_review_in_order() -> None:
    c = full_course()
    assert c.maintenance is not None
    c.maintenance.sessions[1].risk_reviews = [
        RiskReview(date=TODAY, note="Seen | today", plan="GP informed", by="Dr K.")
    ]
    text = markdown.report_markdown(report_of(c))
    section = text.split("## Risk reviews\n\n")[1]
    assert md_lines(section) == [
        "- baseline (2026-01-05): PHQ-9 item 9 = 1",
        "  - Review 1, 2026-01-05 by Dr K.: Passive thoughts. Plan: Safety plan",
        "  - Review 2, 2026-01-19: No thoughts since",
        "- maintenance session 2 (2026-04-20): BDI-II item 9 = 1",
        "  - Review 1, 2026-03-01 by Dr K.: Seen \\| today. Plan: GP informed",
        "",
    ]
    assert "| BDI-II item 9 = 1 at maintenance session 2 (2026-04-20) | yes |" in text


def test_report_markdown_header_lines() -> None:
    text = markdown.report_markdown(report_of(full_course()))
    assert [line for line in md_lines(text) if line.startswith("- **")][:8] == [
        "- **Start:** 2026-01-05",
        "- **Phase:** maintenance: session 3 of 12 (acute course of 8 completed)",
        "- **Sessions held:** 8 of 8",
        "- **Next session:** 2026-05-20",
        "- **Problem areas:** Grief, Role dispute",
        "- **Dispute stage:** renegotiation",
        "- **Sick role:** given (Two weeks off)",
        "- **Medication:** Sertraline 50 mg",
    ]
    assert "Low since the loss.\n\n*(agreed)*" in text


def test_unreviewed_flags_then_outcome_warnings_come_first() -> None:
    text = markdown.report_markdown(report_of(full_course()))
    block = md_lines(text)[2:13]
    assert block == [
        "> **SAFETY: unreviewed risk flags**",
        ">",
        "> - HAM-D-17 item 3 = 3 URGENT at session 2 (2026-01-12), waiting 48 days",
        "> - BDI-II item 9 = 1 at maintenance session 2 (2026-04-20), dated after today",
        "",
        "> Standing risk level: not yet judged (no risk review gave a level)",
        "",
        "> **WARNING: outcomes to act on**",
        ">",
        f"> - {RELAPSE}",
        "",
    ]
    reviewed = held(1, baseline=Baseline(date=START, phq9=phq9(10, item9=1)))
    assert reviewed.baseline is not None
    reviewed.baseline.risk_reviews = [RiskReview(date=START, note="n")]
    text = markdown.report_markdown(report_of(reviewed))
    assert "SAFETY" not in text and "WARNING" not in text


@pytest.mark.parametrize(
    ("today", "shown"),
    [
        (week(2) - dt.timedelta(days=1), "2026-01-12"),
        (week(2), "2026-01-12"),
        (week(2) + dt.timedelta(days=1), "2026-01-12 (overdue)"),
    ],
)
def test_an_overdue_next_session_is_marked(today: dt.date, shown: str) -> None:
    text = markdown.report_markdown(report_of(held(1), today=today))
    assert f"- **Next session:** {shown}\n" in text


def test_a_completed_course_without_maintenance_has_no_next_session() -> None:
    text = markdown.report_markdown(report_of(held(8, planned=8)))
    assert "- **Next session:** none\n" in text
    assert headings(text)[-2:] == ["## Termination checklist: 0 of 5 done", "## End of course"]


def test_termination_checklist_is_a_task_list() -> None:
    c = held(14, planned=16)
    c.ending = Ending(warning_signs=["Sleep"])
    text = markdown.report_markdown(report_of(c))
    section = text.split("## Termination checklist: 1 of 5 done\n\n")[1].split("\n\n")[0]
    section = section.splitlines()
    # the review is not ticked by a termination session alone (issue 26, defect 15)
    assert [line[:6] for line in section] == ["- [ ] ", "- [x] ", "- [ ] ", "- [ ] ", "- [ ] "]
    assert "## End of course" not in text  # only once the course is completed


@settings(deadline=None, max_examples=80)
@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\\\r"), max_size=40))
def test_any_goal_text_keeps_the_table_well_formed(text: str) -> None:
    c = course(goals=[{"id": "g", "text": text}])
    found = tables(markdown.report_markdown(report_of(c)))
    cell = found["## Goals"][1][1]
    # Control characters are shown visibly (text_safety.terminal_safe), as everywhere.
    assert unescape(cell) == terminal_safe(text).replace("\n", " ").strip(" \t")


@settings(deadline=None, max_examples=20)
@given(st.text(alphabet="ab|\\ ", max_size=10))
@example("a\\|b")
def test_a_backslash_before_a_pipe_keeps_the_table_well_formed(text: str) -> None:
    c = course(goals=[{"id": "g", "text": text}])
    found = tables(markdown.report_markdown(report_of(c)))
    assert found["## Goals"][1][0] == "g"


def test_a_carriage_return_keeps_the_table_well_formed() -> None:
    c = held(2)
    c.sessions[0].task = "Call\r\nKen"
    found = tables(markdown.report_markdown(report_of(c)))
    assert found["## Between-session tasks"][1] == ["1", "Call Ken", "-"]


def test_report_markdown_shows_maintenance() -> None:
    text = markdown.report_markdown(report_of(full_course()))
    section = text.split("## Maintenance\n\n")[1].split("\n## ")[0]
    assert section.startswith(
        "2 of 12 monthly sessions from 2026-03-23; measured against the acute baseline and "
        "the end of the acute course.\n"
    )
    assert "| m2 | 2026-04-20 | 12 | moderate |" in section  # the rise in maintenance
    assert "| PHQ-9 | 20 | 6 | 12 | +6 | moderate | RELAPSE |" in section


# --- the end-of-course summary ---------------------------------------------------------------


def test_end_of_course_text_of_a_full_course() -> None:
    assert wording.end_of_course_text(report_of(full_course())).splitlines() == [
        "8 sessions held of 8 planned.",
        "PHQ-9: 20 -> 6 (-70%); now mild; response yes, remission no, reliable recovery.",
        "GAD-7: 12 -> 4 (-66%); now minimal; response yes, remission yes, reliable recovery.",
        "HAM-D-17: 20 -> 7 (-65%); now none; response yes, remission yes, reliable change n/a.",
        # the BDI-II has one score: not an outcome, so no line
        "Goal mourn: latest 7/10.",
        "Goal talk: latest 1/10.",
        "Relapse warning signs: Sleeping badly; Avoiding friends",
        "Decision after the course: maintenance (Monthly for a year)",  # the full stop once
    ]


def test_end_of_course_text_says_what_is_not_recorded() -> None:
    c = held(8, planned=8, goals=[{"id": "g", "text": "t"}])
    lines = wording.end_of_course_text(report_of(c)).splitlines()
    assert lines == [
        "8 sessions held of 8 planned.",  # no PHQ-9 ever given: no measure line
        "Goal g: not rated.",  # never "n/a/10"
        "Relapse warning signs: not recorded",
        "Decision after the course: not recorded",
        "Still open: Review the change in symptoms and in the problem area; credit the gains to "
        "the patient; Agree relapse warning signs and a plan for them; Acknowledge feelings "
        "about ending, a small loss in its own right; Note remaining issues; Decide on "
        "continuation or maintenance; without a response, offer another treatment rather than "
        "more of the same.",
    ]


def test_end_of_course_change_is_signed() -> None:
    up = wording.end_of_course_text(report_of(scored([12], baseline=10, planned=4)))
    assert "PHQ-9: 10 -> 12 (+20%); now moderate; response no" in up
    assert up.splitlines()[1].endswith("no reliable change.")  # +2: within the noise
    flat = wording.end_of_course_text(report_of(scored([10], baseline=10, planned=4)))
    assert "PHQ-9: 10 -> 10 (+0%)" in flat
    worse = wording.end_of_course_text(report_of(scored([16], baseline=10, planned=4)))
    assert "PHQ-9: 10 -> 16 (+60%); now moderately severe; response no, remission no, " in worse
    assert worse.splitlines()[1].endswith("reliable DETERIORATION.")


@pytest.mark.parametrize(
    ("baseline", "latest", "phrase"),
    [
        (15, 9, "reliable recovery"),  # 6 points, from a case (>= 10) to below it
        (20, 14, "reliable improvement"),  # 6 points, still a case
        (9, 3, "reliable improvement"),  # never a case: no recovery
        (12, 8, "no reliable change"),
        (8, 14, "reliable DETERIORATION"),
    ],
)
def test_end_of_course_names_the_direction_of_reliable_change(
    baseline: int, latest: int, phrase: str
) -> None:
    text = wording.end_of_course_text(report_of(scored([latest], baseline=baseline, planned=4)))
    assert text.splitlines()[1].endswith(f", {phrase}.")


def test_end_of_course_names_a_non_response() -> None:
    text = wording.end_of_course_text(report_of(scored([15, 14, 13], baseline=16, planned=4)))
    assert text.splitlines()[2].startswith(
        "No response on PHQ-9 (16 to 13): the IPT manuals advise offering a different "
        "treatment rather than more of the same"
    )
    responded = wording.end_of_course_text(report_of(scored([12, 8], baseline=16, planned=4)))
    assert "No response" not in responded
    one_score = wording.end_of_course_text(report_of(scored([None], baseline=16, planned=4)))
    assert "No response" not in one_score  # no outcome yet: not a non-responder


# --- plan, agenda, inventory, list ----------------------------------------------------------


def plan_course() -> Course:
    c = held(3, planned=12, missed=[{"date": week(4), "reason": "Ill | flu"}])
    c.sessions[2].task = "Call Ken"
    return c


def test_plan_json_keys_and_rows() -> None:
    data = json_shapes.plan_json(build_plan(plan_course(), TODAY))
    assert set(data) == PLAN_KEYS
    assert keys_of(data["weeks"]) == WEEK_KEYS
    assert (data["course_id"], data["client"], data["sessions_planned"], data["sessions_held"]) == (
        "ab",
        "A.B.",
        12,
        3,
    )
    assert data["sessions_recorded"] == 3 and data["maintenance"] is None
    weeks = data["weeks"]
    assert len(weeks) == 13  # 3 held, 1 missed, 9 to come
    assert weeks[3] == {
        "session": None,
        "date": "2026-01-26",
        "phase": None,
        "focus": "Missed: Ill | flu",
        "status": "missed",
        "current": False,
    }
    assert [w["session"] for w in weeks if w["current"]] == [4]
    assert [w["status"] for w in weeks] == ["held"] * 3 + ["missed"] + ["overdue"] * 4 + [
        "upcoming"
    ] * 5
    assert [w["date"] for w in weeks] == sorted(w["date"] for w in weeks)


def test_plan_markdown_is_one_well_formed_table() -> None:
    text = markdown.plan_markdown(build_plan(plan_course(), TODAY))
    assert headings(text) == ["# Plan for `ab`: 3 of 12 sessions held", "## Strategies covered"]
    assert text.endswith("## Strategies covered\n\n- Grief: 0 of 5 covered\n")
    (table,) = tables(text).values()
    assert table[0] == ["Session", "Date", "Phase", "Focus", "Status"]
    assert table[4] == ["-", "2026-01-26", "-", "Missed: Ill \\| flu", "missed"]
    assert table[5][0] == "**4**"  # the next session stands out
    assert [row[0] for row in table[1:]].count("**4**") == 1
    assert len(table) == 14


def test_agenda_json_keys_and_values() -> None:
    c = plan_course()
    c.sessions[1].phq9 = phq9(12, item9=1)
    data = json_shapes.agenda_json(build_agenda(c, 4, TODAY))
    assert set(data) == AGENDA_KEYS
    assert (data["course_id"], data["week"], data["date"], data["phase"]) == (
        "ab",
        4,
        "2026-03-01",
        "middle",
    )
    assert (data["sessions_planned"], data["sessions_left"]) == (12, 8)
    assert data["count"] == "session 4 of 12, 8 left"
    assert data["safety_flags"] == ["PHQ-9 item 9 = 1 at session 2 (2026-01-12), waiting 48 days"]
    assert data["carry_over"] == ["Review last session's task: Call Ken"]
    assert data["items"][-1] == "Summarise and count the sessions: session 4 of 12"
    assert data["review_commands"] == [
        "ipt risk-review ab --session 2 --note ... --ideation ... --level ... --action ..."
    ]
    assert data["maintenance"] is False and data["done"] == []


def test_agenda_markdown_structure() -> None:
    c = plan_course()
    c.sessions[1].phq9 = phq9(12, item9=1)
    agenda = build_agenda(c, 4, TODAY)
    text = markdown.agenda_markdown(agenda)
    lines = md_lines(text)
    assert headings(text) == [
        "# Agenda: ab, session 4 of 12, 8 left",
        "## Carried over",
        "## Items",
    ]
    assert lines[2:4] == ["- **Date:** 2026-03-01", "- **Phase:** middle"]
    safety = lines.index("> **SAFETY: unreviewed risk flags, review first**")
    assert safety < lines.index("## Items")
    assert "> - PHQ-9 item 9 = 1 at session 2 (2026-01-12), waiting 48 days" in lines
    numbered = [line for line in lines if re.match(r"\d+\. ", line)]
    shown = [markdown_escape(item, inline=True) for item in agenda.items]  # text, never markup
    assert numbered == [f"{n}. {item}" for n, item in enumerate(shown, 1)]
    assert text.endswith(
        f"{len(agenda.items)}. {shown[-1]}\n\n*Not shown: 2 more strategies. Every one: ipt "
        "agenda ab --week 4 --all*\n"
    )


def test_agenda_markdown_without_flags_or_carry_over() -> None:
    text = markdown.agenda_markdown(build_agenda(course(), 1, START))
    assert headings(text) == ["# Agenda: ab, session 1 of 16, 15 left", "## Items"]
    assert "SAFETY" not in text
    assert "1. Baseline symptom rating (PHQ-9), checking the risk item first" in text
    assert "## Already done" not in text


def test_a_late_agenda_reminds_about_the_ending() -> None:
    data = json_shapes.agenda_json(build_agenda(held(13, planned=16), 14, TODAY))
    assert data["phase"] == "termination" and data["sessions_left"] == 2
    assert data["items"][-2].endswith(": 2 sessions left after this one")
    assert data["items"][-1] == "Summarise and count the sessions: session 14 of 16"


def test_inventory_json_numbers_people_from_one() -> None:
    people = json_shapes.inventory_json(full_course())
    assert keys_of(people) == INVENTORY_KEYS
    assert people[1] == {
        "number": 2,
        "name": "Jo",
        "relationship": "friend",
        "ring": 2,
        "contact": "weekly",
        "satisfying": "listens",
        "unsatisfying": "far away",
        "expectations_met": True,
        "changes_wanted": "meet more",
        "tags": ["support"],
    }
    assert json_shapes.inventory_json(course()) == []


def test_list_json_keys() -> None:
    rows = [course_row(full_course()), CourseRow(course_id="bad", damaged="does not parse")]
    data = list_json(rows, TODAY)
    assert set(data[0]) == LIST_KEYS
    assert set(data[1]) == DAMAGED_KEYS
    assert data[0]["phase"] == "maintenance"
    # The latest score is the latest maintenance score once there is one.
    assert (data[0]["latest_phq9"], data[0]["latest_phq9_severity"]) == (12, "moderate")
    assert data[0]["latest"] == {
        "phq9": {"total": 12, "severity": "moderate"},
        "gad7": {"total": 4, "severity": "minimal"},  # not given in maintenance: the acute one
        "hamd17": {"total": 7, "severity": "none"},
        "bdi2": {"total": 15, "severity": "mild"},
    }
    assert data[0]["alerts"] == [RELAPSE]
    assert data[0]["overdue"] is False


def test_list_json_shows_an_intake_score_alone_and_a_deterioration() -> None:
    intake = course(baseline=Baseline(date=START, phq9=phq9(4)))
    worse = scored([16], baseline=9)
    data = list_json([course_row(intake), course_row(worse)], TODAY)
    # One score is a state, not an outcome: the list shows it.
    assert data[0]["latest"] == {"phq9": {"total": 4, "severity": "minimal"}}
    assert data[0]["alerts"] == []
    assert data[1]["alerts"] == [
        "PHQ-9 reliable deterioration: 9 at baseline (2025-12-29) to 16 at session 1 "
        "(2026-01-05), +7 points (reliable change: 6)"
    ]


# --- smaller pieces --------------------------------------------------------------------------


def test_session_notes_markdown() -> None:
    c = full_course()
    text = markdown.session_notes_markdown(c)
    assert headings(text) == ["## Session notes"] + [
        f"### Session {n} ({s.date.isoformat()})" for n, s in enumerate(c.sessions, 1)
    ]
    first = text.split("### Session 2")[0]
    assert f"**Events:** events {MARKER}" in first
    assert f"*Addendum 2026-01-12:* addendum {MARKER}" in first
    assert text.count("*(no note)*") == 7


def test_assessment_lines() -> None:
    assert wording.assessment_lines(course()) == []
    c = course(sick_role={"given": False}, medication="None for now")
    assert wording.assessment_lines(c) == [
        ("Sick role", "not given"),
        ("Medication", "None for now"),
    ]


def test_measure_row_shows_missing_values_as_n_a() -> None:
    report = report_of(scored([None, 14]))  # one score, first given at session 2
    assert wording.measure_row(report.measures["phq9"]) == [
        "PHQ-9",
        "14",
        "n/a",
        "n/a",
        "moderate",
        "n/a",
        "n/a",
        "n/a",
    ]
    assert wording.measure_notes(report.measures) == [
        "PHQ-9: first rated at session 2 (2026-01-12); its baseline is that rating.",
        "PHQ-9: one score so far; an outcome needs a later score.",
    ]
    hamd = report_of(scored([20, 12], measure="hamd17")).measures["hamd17"]
    assert wording.measure_row(hamd) == [
        "HAM-D-17",
        "20",
        "12",
        "-40%",
        "mild",
        "no",
        "no",
        "n/a",  # no reliable-change convention by default
    ]


def test_a_maintenance_review_is_listed_with_its_sitting() -> None:
    c = full_course()
    assert c.maintenance is not None
    c.maintenance.sessions[1].risk_reviews = [RiskReview(date=TODAY, note="Seen", plan=None)]
    data = json_shapes.report_json(report_of(c))
    reviews = [
        (r["session"], r["maintenance"], r["plan"], r["session_id"], r["session_date"])
        for r in data["risk_reviews"]
    ]
    assert reviews == [
        (0, False, "Safety plan", None, "2026-01-05"),
        (0, False, None, None, "2026-01-05"),
        (2, True, None, 10, "2026-04-20"),
    ]
    assert [f["reviewed"] for f in data["safety_flags"]] == [True, False, True]


def test_a_maintenance_course_json_lists_its_own_sessions() -> None:
    c = held(8, planned=8)
    c.maintenance = Maintenance(
        opened=week(8),
        start_date=week(9),
        planned_sessions=6,
        cadence="monthly",
        sessions=[session(week(9), mood=7)],
    )
    data = json_shapes.report_json(report_of(c))["maintenance"]
    assert (data["opened"], data["start_date"], data["cadence"]) == (
        "2026-02-23",
        "2026-03-02",
        "monthly",
    )
    assert (data["sessions_planned"], data["sessions_recorded"], data["measures"]) == (6, 1, {})
    assert data["sessions"][0]["mood"] == 7
