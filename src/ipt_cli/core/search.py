"""Case-insensitive search through the free text of courses: session notes, addenda, mood
and events, risk reviews (note, plan, protective factors, actions), tasks and their
outcomes, the formulation, the interpersonal inventory and the timeline. Pure.

It works on course documents (a course's tables as read from its file, or
`Course.model_dump()`): the same shape either way, so that `ipt search` can read a course
without building the models.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ipt_cli.core.structs import struct

FIELDS = ("note", "task", "formulation", "inventory", "timeline")
# A sitting's own texts (key, field, label): notes before its addenda and risk review,
# tasks after them, as a reader meets them.
SITTING_NOTES = (("note", "note", "note"), ("events", "note", "events"))
SITTING_TASKS = (("task", "task", "task"), ("task_outcome", "task", "task outcome"))
# A risk review's texts (key, label), then its lists of texts, each item an entry of its
# own: in the order the review is shown (protective factors before the actions taken).
REVIEW_TEXTS = (("note", "risk review"), ("plan", "risk review plan"))
REVIEW_LISTS = (
    ("protective", "risk review protective factor"),
    ("actions", "risk review action"),
)
INVENTORY_KEYS = (
    "name",
    "relationship",
    "contact",
    "satisfying",
    "unsatisfying",
    "changes_wanted",
)
# Characters a course file may hold escaped; a query with one is never ruled out early.
_ESCAPABLE = re.compile(r"[\"'\\\x00-\x1f\x7f]")
# An escape that can stand for any character (\u00e9), or a line-ending backslash that
# joins two lines of a multi-line string: the text read may differ from the text stored.
_HIDING_ESCAPES = re.compile(r"\\[uUx]|\\[ \t]*\r?\n")


@struct(frozen=True)
class Entry:
    """One piece of free text and where it sits."""

    course_id: str
    field: str  # one of FIELDS
    session: int | None  # 0 = baseline; None for the formulation, inventory and timeline
    maintenance: bool
    date: dt.date | None
    label: str  # what the text is: note, addendum, task outcome, inventory: R. (contact), ...
    text: str

    @property
    def place(self) -> str:
        if self.session is None:
            return self.field
        if self.maintenance:
            return f"maintenance {self.session}"
        return "baseline" if self.session == 0 else f"session {self.session}"


@struct(frozen=True)
class Hit:
    entry: Entry
    line: str  # the matching line of the entry's text
    spans: tuple[tuple[int, int], ...]  # [start, end) of each match in `line`


def fold(text: str) -> str:
    return text.casefold()


def stored_as_typed(raw: str, query: str) -> bool:
    """Whether every text of the stored file that holds `query` holds it as stored: the
    query has no character a file may escape, and the file no escape that can stand for
    any character (\u00e9) or join two lines."""
    return not _ESCAPABLE.search(query) and not _HIDING_ESCAPES.search(raw)


def may_contain(raw: str, query: str) -> bool:
    """False only when the stored file cannot hold the query in any of its texts: a cheap
    test on the file as stored, before anything is parsed."""
    return not stored_as_typed(raw, query) or fold(query) in fold(raw)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _by_date(sessions: Any) -> list[Mapping[str, Any]]:
    """Sessions numbered as the models number them: by date, same-day order kept; a
    withdrawn session (recorded by mistake) is no session given, and is not searched."""
    found = [s for s in sessions or [] if isinstance(s, Mapping) and not s.get("withdrawn")]
    return sorted(found, key=lambda s: s.get("date") or dt.date.min)


class _Collector:
    def __init__(self, course_id: str, keep: Callable[[str], bool] | None) -> None:
        self.course_id = course_id
        self.keep = keep
        self.entries: list[Entry] = []

    def add(
        self,
        field: str,
        label: str,
        value: Any,
        date: Any,
        session: int | None = None,
        maintenance: bool = False,
    ) -> None:
        text = _text(value)
        if text is None or (self.keep is not None and not self.keep(text)):
            return
        when = date if isinstance(date, dt.date) else None
        self.entries.append(Entry(self.course_id, field, session, maintenance, when, label, text))

    def sitting(self, number: int, sitting: Mapping[str, Any], maintenance: bool) -> None:
        date = sitting.get("date")
        self.texts(SITTING_NOTES, sitting, date, number, maintenance)
        for addendum in sitting.get("addenda") or ():
            if isinstance(addendum, Mapping):
                self.add(
                    "note", "addendum", addendum.get("text"), addendum.get("date"), number,
                    maintenance,
                )  # fmt: skip
        reviews = sitting.get("risk_reviews") or ()
        legacy = sitting.get("risk_review")  # a schema 1 file, as stored (one review)
        for review in [legacy, *reviews] if legacy else reviews:
            if isinstance(review, Mapping):
                self.review(number, review, maintenance)
        self.texts(SITTING_TASKS, sitting, date, number, maintenance)

    def review(self, number: int, review: Mapping[str, Any], maintenance: bool) -> None:
        when = review.get("date")
        for key, label in REVIEW_TEXTS:
            self.add("note", label, review.get(key), when, number, maintenance)
        for key, label in REVIEW_LISTS:
            items = review.get(key)
            if isinstance(items, list):  # a scanned review without any has no such key
                for item in items:
                    self.add("note", label, item, when, number, maintenance)

    def texts(
        self,
        keys: tuple[tuple[str, str, str], ...],
        sitting: Mapping[str, Any],
        date: Any,
        number: int,
        maintenance: bool,
    ) -> None:
        for key, field, label in keys:
            if sitting.get(key):  # most sittings hold few texts: skip the rest cheaply
                self.add(field, label, sitting[key], date, number, maintenance)


def course_entries(
    document: Mapping[str, Any], keep: Callable[[str], bool] | None = None
) -> list[Entry]:
    """Every searchable text of one course document (or those `keep` accepts), in the
    order a reader meets them."""
    collect = _Collector(str(document.get("id", "")), keep)
    baseline = document.get("baseline")
    if isinstance(baseline, Mapping):
        collect.sitting(0, baseline, maintenance=False)
    for number, session in enumerate(_by_date(document.get("sessions")), 1):
        collect.sitting(number, session, maintenance=False)
    maintenance = document.get("maintenance")
    if isinstance(maintenance, Mapping):
        for number, session in enumerate(_by_date(maintenance.get("sessions")), 1):
            collect.sitting(number, session, maintenance=True)
    formulation = document.get("formulation")
    if isinstance(formulation, Mapping):
        collect.add("formulation", "formulation", formulation.get("text"), formulation.get("date"))
    for person in document.get("inventory") or []:
        if isinstance(person, Mapping):
            name = _text(person.get("name")) or "?"
            for key in INVENTORY_KEYS:
                label = "inventory" if key == "name" else f"inventory: {name} ({key})"
                collect.add("inventory", label.replace("_", " "), person.get(key), None)
    for event in document.get("timeline") or []:
        if isinstance(event, Mapping):
            collect.add("timeline", "timeline", event.get("event"), event.get("date"))
            collect.add("timeline", "timeline mood", event.get("mood"), event.get("date"))
    return collect.entries


def spans_in(line: str, folded_query: str) -> tuple[tuple[int, int], ...]:
    """Where `folded_query` occurs in `line`, case-insensitively, in `line`'s own indices
    (casefolding can lengthen a character: ß is ss)."""
    folded = fold(line)
    if folded_query not in folded:
        return ()
    found, start, width = [], folded.find(folded_query), len(folded_query)
    while start >= 0:
        found.append((start, start + width))
        start = folded.find(folded_query, start + width)
    if len(folded) == len(line):
        return tuple(found)
    ends, size = [], 0
    for char in line:
        size += len(fold(char))
        ends.append(size)  # the folded offset just after each character of `line`
    return tuple(
        (bisect.bisect_right(ends, start), bisect.bisect_left(ends, stop) + 1)
        for start, stop in found
    )


def hits(entries: Iterable[Entry], query: str, fields: Sequence[str] = FIELDS) -> Iterator[Hit]:
    """Every line of the entries' texts holding `query` (case-insensitive, literal), one at
    a time (a search can match thousands of lines)."""
    folded_query = fold(query)
    for entry in entries:
        if entry.field not in fields or folded_query not in fold(entry.text):
            continue
        for line in entry.text.split("\n"):
            line = line.removesuffix("\r")
            spans = spans_in(line, folded_query)
            if spans:
                yield Hit(entry, line, spans)


def search(entries: Iterable[Entry], query: str, fields: Sequence[str] = FIELDS) -> list[Hit]:
    return list(hits(entries, query, fields))


def document_hits(
    documents: Iterable[Mapping[str, Any]], query: str, fields: Sequence[str] = FIELDS
) -> Iterator[Hit]:
    """`hits` over course documents, building entries only for texts holding the query."""
    folded_query = fold(query)

    def keep(text: str) -> bool:
        return folded_query in fold(text)

    entries = (e for document in documents for e in course_entries(document, keep))
    return hits(entries, query, fields)


def search_documents(
    documents: Iterable[Mapping[str, Any]], query: str, fields: Sequence[str] = FIELDS
) -> list[Hit]:
    return list(document_hits(documents, query, fields))
