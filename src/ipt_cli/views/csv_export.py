"""Scores as CSV for statistics packages, spreadsheets and REDCap: no free text at all.

- long: one row per item score, and for an instrument kept as a total (BDI-II) a row with
  the item empty (its kept item 9 has a row of its own);
- wide: one row per course and sitting, one column per instrument total, with REDCap's
  `redcap_event_name`, for REDCap's data import tool;
- the REDCap data dictionary that describes the wide file's columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.research import ResearchRow

LONG_COLUMNS = (
    "course_id",
    "adaptation",
    "problem_area",
    "session",
    "date",
    "phase",
    "instrument",
    "item",
    "score",
    "total",
    "severity",
)
WIDE_FIXED = (
    "course_id",
    "redcap_event_name",
    "adaptation",
    "problem_area",
    "session",
    "sitting_date",
    "phase",
)
FORM = "ipt_sitting"
DICTIONARY_COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def total_column(instrument: str) -> str:
    return f"{instrument}_total"


def long_csv(research: Iterable[ResearchRow]) -> str:
    rows = []
    for row in research:
        fixed = [
            row.course_id,
            row.adaptation,
            row.problem_area,
            row.session,
            row.date.isoformat(),
            row.phase,
        ]
        for score in row.scores:
            instrument = INSTRUMENTS[score.instrument]
            name = instrument.name
            tail = [score.total, score.severity]
            if not instrument.item_count:  # kept as a total (BDI-II): its own row, no item
                rows.append([*fixed, name, "", "", *tail])
            for item, value in score.items:  # BDI-II keeps item 9 too
                rows.append([*fixed, name, item, value, *tail])
            for field, answer in score.answers:  # the PHQ-A's yes/no questions: 1 yes, 0 no
                rows.append([*fixed, name, field, int(answer), *tail])
    return _csv(LONG_COLUMNS, rows)


def question_columns() -> list[tuple[str, str, str]]:
    """(column, instrument id, field) of every yes/no risk question (the PHQ-A's)."""
    return [
        (f"{i.id}_{q.field}", i.id, q.field) for i in INSTRUMENTS.values() for q in i.risk_questions
    ]


def wide_csv(research: Iterable[ResearchRow]) -> str:
    questions = question_columns()
    header = [*WIDE_FIXED, *(total_column(i) for i in INSTRUMENTS), *(c for c, _, _ in questions)]
    rows = []
    for row in research:
        totals: list[object] = []
        for instrument in INSTRUMENTS:
            score = row.score(instrument)
            totals.append("" if score is None else score.total)
        for _, instrument, field in questions:
            score = row.score(instrument)
            answer = dict(score.answers).get(field) if score else None
            totals.append("" if answer is None else int(answer))
        rows.append(
            [
                row.course_id,
                row.event_name,
                row.adaptation,
                row.problem_area,
                row.session,
                row.date.isoformat(),
                row.phase,
                *totals,
            ]
        )
    return _csv(header, rows)


def _field(
    name: str,
    label: str,
    validation: str = "",
    low: str = "",
    high: str = "",
    identifier: str = "",
    note: str = "",
    kind: str = "text",
) -> list[str]:
    row = dict.fromkeys(DICTIONARY_COLUMNS, "")
    row.update(
        {
            "Variable / Field Name": name,
            "Form Name": FORM,
            "Field Type": kind,
            "Field Label": label,
            "Field Note": note,
            "Text Validation Type OR Show Slider Number": validation,
            "Text Validation Min": low,
            "Text Validation Max": high,
            "Identifier?": identifier,
        }
    )
    return [row[column] for column in DICTIONARY_COLUMNS]


def redcap_dictionary() -> str:
    """The data dictionary of the wide file (redcap_event_name is REDCap's own column)."""
    rows = [
        _field("course_id", "Course id", identifier="y", note="ipt's course id (record id)"),
        _field(
            "adaptation",
            "Form of IPT",
            note="clinician-led or self-guided (standard IPT); else brief, adolescent, "
            "perinatal, ipsrt or group",
        ),
        _field("problem_area", "Problem area(s)", note="primary+secondary"),
        _field("session", "Session number", "integer", "0", note="0 = baseline"),
        _field("sitting_date", "Date of the sitting", "date_ymd"),
        _field(
            "phase",
            "Phase",
            note="baseline, initial, middle, termination or maintenance",
        ),
    ]
    for instrument in INSTRUMENTS.values():
        rows.append(
            _field(
                total_column(instrument.id),
                f"{instrument.name} total",
                "integer",
                "0",
                str(instrument.total_max),
            )
        )
    for column, instrument_id, field in question_columns():  # REDCap's yesno: 1 yes, 0 no
        instrument = INSTRUMENTS[instrument_id]
        question = next(q for q in instrument.risk_questions if q.field == field)
        rows.append(
            _field(
                column,
                f"{instrument.name}: {question.label}",
                note="1 = yes (a safety flag), 0 = no; empty: not asked",
                kind="yesno",
            )
        )
    return _csv(DICTIONARY_COLUMNS, rows)
