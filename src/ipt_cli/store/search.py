"""Reading course files for `ipt search`, fast enough for a thousand courses.

Three things keep a search near the cost of `ipt list`:
1. nothing heavy is imported (no models, no TOML writer) unless a file needs it;
2. a file is read further only when its stored text may hold the query (`may_contain`);
3. such a file is read by a scanner that picks out, with one regular expression, the tables
   and the few keys a search needs (texts and their dates), instead of parsing all of it
   (the TOML parser spends most of its time on the score arrays) and validating it.

The scanner reads the TOML that ipt writes (tomli-w's output) and hand edits in that style.
A file without multi-line strings or inline tables - the usual one - is read line by line
(LINES: only lines that start a table or hold a searched key are visited); otherwise the
scanner also steps over every string (TOKENS), and parses a statement holding an inline
table on its own, with tomli. Anything else - a quoted or dotted key, a stray quote, an
odd header - makes it give up, and the file is read the ordinary way: parsed and
validated, so that a damaged file is reported as in every other command. The result has
the shape of `Course.model_dump()`, which `core.search.course_entries` reads; a property
test checks both readings give the same entries for generated courses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli

from ipt_cli.core.search import fold, stored_as_typed
from ipt_cli.core.structs import struct
from ipt_cli.errors import IdentityError, IptError, NotFoundError
from ipt_cli.store.crypto import cipher_for
from ipt_cli.store.ownership import check_private
from ipt_cli.store.paths import DataPaths
from ipt_cli.store.reading import read_opened

KEYS = {
    *("id", "archived", "date", "note", "events", "task", "task_outcome", "text", "plan"),
    *("name", "relationship", "contact", "satisfying", "unsatisfying", "changes_wanted"),
    *("event", "mood"),
}  # the keys of course_entries' texts and dates, and of `archived`
# The rest of each kind of string after its opening quote, in the "unrolled loop" form
# (a run of plain characters, then one escape, ...): the engine walks a string in C.
BASIC_REST = r'[^"\\\n]*(?:\\.[^"\\\n]*)*"'
ML_BASIC_REST = r'(?s:""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*""")'
LITERAL_REST = r"[^'\n]*'"
ML_LITERAL_REST = r"(?s:''.*?''')"
BASIC = '"' + BASIC_REST
LITERAL = "'" + LITERAL_REST
STRING = f"\"{ML_BASIC_REST}|'{ML_LITERAL_REST}|{BASIC}|{LITERAL}"
# Tables that never hold a searched key (scores, goal ratings): their headers are skipped
# (in a valid file only their own keys follow them), which spares a third of the work.
SKIPPED = "phq9|gad7|hamd17|bdi2|goal_ratings"
# Each top branch starts with one literal character (a newline, a quote, # or {), so the
# engine skips to the next of them in C; scan() puts a newline before the first line.
# Only lines starting with `[`, a letter or a quote are looked at (the score arrays'
# lines are not). A key with a string or date value is a `pair` (the scanner keeps those
# in KEYS); a quote that opens no valid string matches an empty `stray...` group.
LINE = r"""
    \n[ \t]*+(?=[\[A-Za-z"'])(?!\[[A-Za-z0-9_.-]*\.(?:{skipped})\][ \t]*\n)(?:
        (?P<header>(?P<open>\[\[?)[ \t]*(?P<table>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)
            [ \t]*\]\]?[ \t]*(?:\#[^\n]*)?(?=\n))
      | (?P<odd>\[)
      | (?P<key>[A-Za-z0-9_-]+)[ \t]*(?:
            =[ \t]*(?:
                (?P<pair>(?P<value>{value}|\d{{4}}-\d\d-\d\d\b))
              | ["'](?P<stray_value>){other})
          | (?P<dotted>\.))
      | (?:{value})[ \t]*(?P<quoted_key>[=.]){stray_line}
    )
"""
TOKENS = re.compile(
    LINE.format(value=STRING, other="|(?P<other_key>)", stray_line="", skipped=SKIPPED)
    + rf"""
    | "(?:{ML_BASIC_REST}|{BASIC_REST}|(?P<stray>))
    | '(?:{ML_LITERAL_REST}|{LITERAL_REST}|(?P<stray_literal>))
    | \#[^\n]*
    | \{{(?P<brace>)
    """,
    re.VERBOSE,
)
ONE_LINE = f"{BASIC}|{LITERAL}"
LINES = re.compile(
    LINE.format(
        value=ONE_LINE,
        other="",
        stray_line=f"\n      | (?!{ONE_LINE})[\"'](?P<stray_line>)",
        skipped=SKIPPED,
    ),
    re.VERBOSE,
)
"""TOKENS for a file without multi-line strings or inline tables: no string can then hold
a line break, so only the lines that start with `[`, a letter or a quote need be visited,
and a valid string at the start of a line (an array's element) is no token at all."""
GIVE_UP = {"odd", "dotted", "quoted_key", "stray", "stray_literal", "stray_value", "stray_line"}


class _GiveUp(Exception):
    """The file is not in the shape the scanner knows: read it the ordinary way."""


def _decode(token: str) -> Any:
    if token[0].isdigit():
        return dt.date.fromisoformat(token)
    if token[0] == "'" and not token.startswith("'''"):
        return token[1:-1]
    if token[0] == '"' and not token.startswith('"""') and "\\" not in token:
        return token[1:-1]
    return tomli.loads(f"v = {token}")["v"]  # escapes and multi-line strings, exactly


def _table(document: dict[str, Any], path: list[str], append: bool) -> dict[str, Any]:
    """The table a header opens, TOML's way: each step into an array of tables goes to its
    last element; `[[...]]` appends a new element."""
    node = document
    for name in path[:-1]:
        child = node.setdefault(name, {})
        node = child[-1] if isinstance(child, list) and child else child
        if not isinstance(node, dict):
            raise _GiveUp
    last = path[-1]
    if append:
        tables = node.setdefault(last, [])
        if not isinstance(tables, list):
            raise _GiveUp
        table: dict[str, Any] = {}
        tables.append(table)
        return table
    child = node.setdefault(last, {})
    if not isinstance(child, dict):
        raise _GiveUp
    return child


class _Scanner:
    """Walks the tokens of one file, filling a document with the keys search reads. A
    statement holding an inline table (tomli-w writes short tables inline, such as
    `addenda = [{ date = 2026-02-01, text = "..." }]`) is parsed on its own, exactly."""

    def __init__(self, text: str, tokens: re.Pattern[str]) -> None:
        self.text = f"\n{text}\n"
        self.tokens = tokens
        self.document: dict[str, Any] = {}
        self.current = self.document
        self.start = 0  # where the statement being read began
        self.inline = False  # it holds an inline table

    def run(self) -> dict[str, Any]:
        for match in self.tokens.finditer(self.text):
            self.take(match)
        self.end_statement(len(self.text))
        return self.document

    def take(self, match: re.Match[str]) -> None:
        """One token: a header opens a table, a searched key fills the current one."""
        kind = match.lastgroup  # the outermost named group of the branch taken
        if kind is None:
            return  # a string or a comment outside the keys read: skipped whole
        if kind == "brace":
            self.inline = True
            return
        if kind in GIVE_UP:
            raise _GiveUp
        if self.inline:
            self.end_statement(match.start())  # a header or a key ends a statement
        self.start = match.start()
        if kind == "header":
            path = match.group("table").split(".")
            self.current = _table(self.document, path, match.group("open") == "[[")
        elif kind == "pair":
            key = match.group("key")
            if key in KEYS:
                self.put(key, _decode(match.group("value")))

    def put(self, key: str, value: Any) -> None:
        if key in self.current:
            raise _GiveUp  # a repeated key: not valid TOML
        self.current[key] = value

    def end_statement(self, end: int) -> None:
        if not self.inline:
            return
        self.inline = False
        statement = tomli.loads(self.text[self.start : end])
        for key, value in statement.items():
            self.put(key, value)


def plain_lines(text: str) -> bool:
    """No multi-line string, no inline table, no carriage return: LINES reads it."""
    return '"""' not in text and "'''" not in text and "{" not in text and "\r" not in text


def scan(text: str, tokens: re.Pattern[str] | None = None) -> dict[str, Any]:
    """The searchable part of a course file, shaped like `Course.model_dump()`; raises
    _GiveUp when the file is not in the shape it knows."""
    if tokens is None:
        tokens = LINES if plain_lines(text) else TOKENS
    try:
        document = _Scanner(text, tokens).run()
    except (ValueError, TypeError, AttributeError, IndexError, tomli.TOMLDecodeError):
        raise _GiveUp from None
    return _checked(document)


def _checked(document: dict[str, Any]) -> dict[str, Any]:
    maintenance = document.get("maintenance", {})
    for sessions in (document.get("sessions", []), maintenance.get("sessions", [])):
        if not isinstance(sessions, list):
            raise _GiveUp
        if any(not isinstance(s.get("date"), dt.date) for s in sessions):
            raise _GiveUp  # the models number sessions by date
    return document


class Reader:
    """Reads course files for one query. A plain-lines file that stores the query as typed
    is scanned in part: its table headers, its dates, ids and names, and the lines that
    hold the query - all a search for it can need, in the file's order, so the scanner
    gives them the same tables; the rest of the file (other texts, the score arrays) is
    never looked at."""

    STRUCTURE = re.compile(
        rf"\n[ \t]*+(?:\[(?![A-Za-z0-9_.-]*\.(?:{SKIPPED})\])|(?:date|archived|name)[ \t]*=)"
    )
    TOP_ID = re.compile(r"\n[ \t]*+id[ \t]*=")  # the course's id: before the first table

    def __init__(self, query: str) -> None:
        self.query = query
        self.folded_query = fold(query)

    def lines(self, raw: str, folded: str) -> list[int] | None:
        """Where the lines a search for the query needs start in `raw` (a file's text after
        a newline, `folded` its casefolding), or None to read the whole file."""
        if not plain_lines(raw) or not stored_as_typed(raw, self.query):
            return None
        if len(folded) != len(raw):  # casefolding lengthened a character: positions in
            return None  # `folded` are not those of `raw`
        starts = {m.start() for m in self.STRUCTURE.finditer(raw)}
        top = self.TOP_ID.search(raw, 0, min(starts, default=len(raw)) + 1)
        if top is not None:
            starts.add(top.start())
        found = folded.find(self.folded_query)
        while found >= 0:
            start = folded.rfind("\n", 0, found)
            starts.add(start)
            end = folded.find("\n", found)
            found = -1 if end < 0 else folded.find(self.folded_query, end)
        return sorted(starts)

    def read(self, text: str, path: Path, folded: str | None = None) -> dict[str, Any]:
        """A course file's document for searching: scanned (only the lines it needs when it
        can be), or else parsed and validated (raising DataError for a damaged file).
        `folded` is `fold("\n" + text + "\n")` when the caller has it."""
        try:
            raw = f"\n{text}\n"
            starts = self.lines(raw, fold(raw) if folded is None else folded)
            if starts is None:
                return scan(text)
            return _scan_lines_at(raw, starts)
        except _GiveUp:
            from ipt_cli.store.format import parse_course  # the models: only when needed

            return parse_course(text, path).model_dump()


def _scan_lines_at(raw: str, starts: list[int]) -> dict[str, Any]:
    """scan() of the lines of `raw` starting at `starts` (each at its newline), as if they
    were the whole file: the same tokens as in the file, in the same order."""
    scanner = _Scanner("", LINES)
    match = LINES.match
    try:
        for start in starts:
            found = match(raw, start)
            if found is not None:
                scanner.take(found)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise _GiveUp from error
    return _checked(scanner.document)


def read_document(text: str, path: Path) -> dict[str, Any]:
    """A whole course file's document for searching (see Reader.read)."""
    try:
        return scan(text)
    except _GiveUp:
        # lazy: keeps the models (pydantic) and tomli_w off start-up
        from ipt_cli.store.format import parse_course

        return parse_course(text, path).model_dump()


@struct(frozen=True)
class Found:
    documents: list[dict[str, Any]]
    problems: list[IptError]


def documents_for(
    paths: DataPaths,
    query: str,
    course_ids: list[str],
    include_archived: bool,
    warn: Callable[[str], None],
) -> Found:
    """The documents of the named courses that may hold `query`; archived ones only when
    asked for. A file that cannot be read is reported, not fatal."""
    documents: list[dict[str, Any]] = []
    problems: list[IptError] = []
    warned: set[Path] = set()
    reader = Reader(query)
    check_private((paths.root, paths.courses), warn, warned)  # once, not once per course
    cipher = None
    if paths.encrypted:
        cipher = cipher_for(paths.root)
    for course_id in course_ids:
        try:
            check_private((paths.course_file(course_id),), warn, warned)
            path = paths.course_file(course_id)
            if not path.exists() and not path.is_symlink():
                raise NotFoundError(f"no course {course_id!r} in {paths.courses}")
            text = read_opened(path, cipher)  # ours and regular: a FIFO never blocks
            folded = fold(f"\n{text}\n")
            if stored_as_typed(text, query) and reader.folded_query not in folded:
                continue  # cannot hold the query (core.search.may_contain, folded once)
            document = reader.read(text, path, folded)
        except IdentityError:
            raise  # the folder is closed to this identity: exit 8, not skipped courses
        except IptError as error:
            problems.append(error)
            continue
        if include_archived or not document.get("archived"):
            document.setdefault("id", course_id)
            documents.append(document)
    return Found(documents, problems)
