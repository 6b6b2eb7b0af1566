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
table on its own, with tomli. In either mode a key of a searched list of texts
(ARRAY_KEYS: a risk review's `actions` and `protective`) is read with its value whole:
an array of one-line strings, on one line or many, with comments between its items or
not (ARRAY). Anything else - a quoted or dotted key, a stray quote, an odd header, a
searched list that is no such array - makes it give up, and the file is read the
ordinary way: parsed and validated, so that a damaged file is reported as in every other
command. The result has the shape of `Course.model_dump()`, which
`core.search.course_entries` reads; a property test checks both readings give the same
entries for generated courses, and for hand-edited forms of their arrays.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli

from ipt_cli import errors
from ipt_cli.core.measures import built_from_registry
from ipt_cli.core.search import Entry, course_entries, fold, stored_as_typed
from ipt_cli.core.structs import struct
from ipt_cli.errors import DataError, IdentityError, IptError, NotFoundError
from ipt_cli.store.crypto import cipher_for
from ipt_cli.store.ownership import check_private
from ipt_cli.store.paths import DataPaths
from ipt_cli.store.reading import read_opened
from ipt_cli.store.workers import map_shared

KEYS = {
    *("id", "archived", "date", "note", "events", "task", "task_outcome", "text", "plan"),
    *("name", "relationship", "contact", "satisfying", "unsatisfying", "changes_wanted"),
    *("event", "mood"),
}  # the keys of course_entries' texts and dates, and of `archived`
ARRAY_KEYS = {"actions", "protective"}  # the keys of course_entries' lists of texts (a
# risk review's: core.search.REVIEW_LISTS), each an array of strings
# The rest of each kind of string after its opening quote, in the "unrolled loop" form
# (a run of plain characters, then one escape, ...): the engine walks a string in C.
BASIC_REST = r'[^"\\\n]*(?:\\.[^"\\\n]*)*"'
ML_BASIC_REST = r'(?s:""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*""")'
LITERAL_REST = r"[^'\n]*'"
ML_LITERAL_REST = r"(?s:''.*?''')"
BASIC = '"' + BASIC_REST
LITERAL = "'" + LITERAL_REST
STRING = f"\"{ML_BASIC_REST}|'{ML_LITERAL_REST}|{BASIC}|{LITERAL}"
ONE_LINE = f"{BASIC}|{LITERAL}"
# The value of a key of ARRAY_KEYS: an array of one-line strings, each followed by a comma
# or by the closing bracket (tomli-w writes one a line, and a comma after the last too),
# with blanks, line breaks and comments between them (a hand edit's), ending its line.
# Possessive: any other value fails at once (the scanner gives up), never by trying every
# split. Matched on its own where such a key is found, not by LINES or TOKENS: compiled
# only when a file holds one (see _lists).
GAP = r"(?:[ \t\n]++|\#[^\n]*+)*+"
ARRAY = rf"(\[{GAP}(?:(?:{ONE_LINE}){GAP}(?:,{GAP}|(?=\])))*+\])[ \t]*(?:\#[^\n]*)?(?=\n)"
ARRAY_ITEMS = rf"{ONE_LINE}|\#[^\n]*"  # an ARRAY's strings and comments
# Tables that never hold a searched key (every instrument's scores, goal ratings): their
# headers open no table (in a valid file only their own keys follow them, numbers and
# yes/no answers), which spares a third of the work; a searched key under one is not a
# valid file, and the scanner gives up (the models then name the damage).
SKIPPED = "|".join([*built_from_registry("the search scanner"), "goal_ratings"])


class _Scores(dict[str, Any]):
    """The table a skipped header opens: a searched key put in it gives up."""

    def __setitem__(self, key: str, value: Any) -> None:
        raise _GiveUp


# Each top branch starts with one literal character (a newline, a quote, # or {), so the
# engine skips to the next of them in C; scan() puts a newline before the first line.
# Only lines starting with `[`, a letter or a quote are looked at (the score arrays'
# lines are not). A key with a string or date value is a `pair` (the scanner keeps those
# in KEYS); a key of ARRAY_KEYS is a `list`, whatever its value (read by ARRAY, which
# gives up on anything but an array of strings); a quote that opens no valid string
# matches an empty `stray...` group. (LISTED has no group for its key: a branch that
# starts with a group is entered at every line, one whose alternatives each start with a
# letter is passed over at once; the key is read from the token.)
LISTED = rf"""
      | (?:{"|".join(sorted(ARRAY_KEYS))})[ \t]*=[ \t]*(?P<list>)"""
LINE = r"""
    \n[ \t]*+(?=[\[A-Za-z"'])(?:
        (?P<skipped>\[[A-Za-z0-9_.-]*\.(?:{skipped})\])[ \t]*(?=\n)
      | (?P<header>(?P<open>\[\[?)[ \t]*(?P<table>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)
            [ \t]*\]\]?[ \t]*(?:\#[^\n]*)?(?=\n))
      | (?P<odd>\[){listed}
      | (?P<key>[A-Za-z0-9_-]++)[ \t]*(?:
            =[ \t]*(?:
                (?P<pair>(?P<value>{value}|\d{{4}}-\d\d-\d\d\b))
              | ["'](?P<stray_value>){other})
          | (?P<dotted>\.))
      | (?:{value})[ \t]*(?P<quoted_key>[=.]){stray_line}
    )
"""
TOKENS = re.compile(
    LINE.format(
        value=STRING,
        other="|(?P<other_key>)",
        stray_line="",
        skipped=SKIPPED,
        listed=LISTED,
    )
    + rf"""
    | "(?:{ML_BASIC_REST}|{BASIC_REST}|(?P<stray>))
    | '(?:{ML_LITERAL_REST}|{LITERAL_REST}|(?P<stray_literal>))
    | \#[^\n]*
    | \{{(?P<brace>)
    """,
    re.VERBOSE,
)


def _lines(listed: str) -> str:
    """LINE for a file read line by line; `listed` is LISTED, or empty where no line read
    can be a searched list's."""
    return LINE.format(
        value=ONE_LINE,
        other="",
        stray_line=f"\n      | (?!{ONE_LINE})[\"'](?P<stray_line>)",
        skipped=SKIPPED,
        listed=listed,
    )


LINES = re.compile(_lines(LISTED), re.VERBOSE)
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


@functools.cache
def _lists() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """ARRAY and ARRAY_ITEMS, compiled the first time a file holds a searched list (most
    searches never meet one: a search pays for what it reads)."""
    return re.compile(ARRAY), re.compile(ARRAY_ITEMS)


def _put_list(table: dict[str, Any], token: re.Match[str]) -> None:
    """The value of a key of ARRAY_KEYS (a `list` token: the key and its `=`) into `table`:
    its strings, or give up when it is no ARRAY."""
    key = token[0].partition("=")[0].strip()
    array, items = _lists()
    found = array.match(token.string, token.end())
    if found is None or key in table:  # not such an array, or a repeated key
        raise _GiveUp
    table[key] = [_decode(item) for item in items.findall(found[1]) if item[0] != "#"]


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
        elif kind == "skipped":
            self.current = _Scores()
        elif kind == "pair":
            key = match.group("key")
            if key in KEYS:
                self.put(key, _decode(match.group("value")))
        elif kind == "list":
            _put_list(self.current, match)

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
    if "{" in text or "\r" in text or '"""' in text:
        return False
    return "'" not in text or "'''" not in text  # one quote found fast: most files have none


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
    hold the query (for an item of a multi-line array, the line that opens the array: its
    key, from which the array is read whole) - all a search for it can need, in the file's order,
    so the scanner gives them the same tables; the rest of the file (other texts, the
    score arrays) is never looked at."""

    STRUCTURE = re.compile(r"\n[ \t]*+(?:\[|(?:date|archived|name)[ \t]*=)")
    TOP_ID = re.compile(r"\n[ \t]*+id[ \t]*=")  # the course's id: before the first table
    # A line inside a multi-line array of strings: an item (on a line of its own, or after
    # a comma that starts the line), a comment or a blank line.
    IN_ARRAY = re.compile(r"\n[ \t]*+(?:[\"',#]|\n)")

    def __init__(self, query: str) -> None:
        self.query = query
        self.folded_query = fold(query)
        self.typed_query = stored_as_typed("", query)

    def typed(self, text: str) -> bool:
        """stored_as_typed(text, query), at once for the usual file without a backslash."""
        if "\\" not in text:
            return self.typed_query
        return stored_as_typed(text, self.query)

    def document(self, raw: str, folded: str) -> dict[str, Any] | None:
        """The document a search for the query needs from `raw` (a file's text after a
        newline, `folded` its casefolding), read from the lines it needs, or None to read
        the whole file."""
        if not plain_lines(raw) or not self.typed(raw):
            return None
        if len(folded) != len(raw):  # casefolding lengthened a character: positions in
            return None  # `folded` are not those of `raw`
        first = self.STRUCTURE.search(raw)
        top = self.TOP_ID.search(raw, 0, (len(raw) if first is None else first.start()) + 1)
        extra = [] if top is None else [top.start()]
        found = folded.find(self.folded_query)
        while found >= 0:
            line = folded.rfind("\n", 0, found)
            extra.append(line)
            if self.IN_ARRAY.match(raw, line):
                extra.append(self.opening(raw, line))
            end = folded.find("\n", found)
            found = -1 if end < 0 else folded.find(self.folded_query, end)
        return _scan_lines_at(raw, extra)

    def opening(self, raw: str, line: int) -> int:
        """The start of the last line before `line` that is not inside an array (the line
        that opens the array holding `line`, when it is an item: an array of strings is
        read from there, whole). Any line read is read as in the whole file."""
        while True:
            line = raw.rfind("\n", 0, line)
            if line <= 0 or not self.IN_ARRAY.match(raw, line):
                return max(line, 0)

    def read(self, text: str, path: Path, folded: str | None = None) -> dict[str, Any]:
        """A course file's document for searching: scanned (only the lines it needs when it
        can be), or else parsed and validated (raising DataError for a damaged file).
        `folded` is `fold("\n" + text + "\n")` when the caller has it."""
        try:
            raw = f"\n{text}\n"
            document = self.document(raw, fold(raw) if folded is None else folded)
            return scan(text) if document is None else document
        except _GiveUp:
            from ipt_cli.store.format import parse_course  # the models: only when needed

            return parse_course(text, path).model_dump()


# LINES, matched only where Reader.STRUCTURE starts (a table header, or a date, archived or
# name key): one pass finds the structure's lines and reads them. (Without LISTED: no
# such line is a searched list's.)
STRUCTURE_LINES = re.compile(
    _lines("").replace(
        r"\n[ \t]*+(?=[\[A-Za-z",
        r"\n(?=[ \t]*+(?:\[|(?:date|archived|name)[ \t]*=))"
        r"[ \t]*+(?=[\[A-Za-z",
        1,
    ),
    re.VERBOSE,
)


def _tokens_at(raw: str, extra: list[int]) -> list[re.Match[str]]:
    """The tokens of the structure's lines of `raw` and of the lines starting at `extra`,
    in the file's order."""
    tokens = list(STRUCTURE_LINES.finditer(raw))
    known = {token.start() for token in tokens}
    for start in extra:
        if start not in known:
            known.add(start)
            token = LINES.match(raw, start)
            if token is not None:
                bisect.insort(tokens, token, key=_START)
    return tokens


def _scan_lines_at(raw: str, extra: list[int]) -> dict[str, Any]:
    """scan() of the structure's lines of `raw` and of the lines starting at `extra` (each
    at its newline), as if they were the whole file: the same tokens as in the file, in the
    same order. (The loop is _Scanner.take's for LINES, where no inline table can occur,
    written out: it runs for every table of every file a search reads.)"""
    document: dict[str, Any] = {}
    current = document
    try:
        for token in _tokens_at(raw, extra):
            kind = token.lastgroup
            if kind == "pair":
                key, value = token.group("key", "value")
                if key in KEYS:
                    if key in current:
                        raise _GiveUp  # a repeated key: not valid TOML
                    current[key] = _decode(value)
            elif kind == "skipped":
                current = _Scores()
            elif kind == "list":
                _put_list(current, token)
            elif kind == "header":
                table, opener = token.group("table", "open")
                if "." in table:
                    current = _table(document, table.split("."), opener == "[[")
                elif opener == "[[":  # _table's steps for one name, written out
                    tables = document.setdefault(table, [])
                    if type(tables) is not list:
                        raise _GiveUp
                    current = {}
                    tables.append(current)
                else:
                    current = document.setdefault(table, {})
                    if type(current) is not dict:
                        raise _GiveUp
            elif kind in GIVE_UP:
                raise _GiveUp
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise _GiveUp from error
    return _checked(document)


_START = operator.methodcaller("start")


def read_document(text: str, path: Path) -> dict[str, Any]:
    """A whole course file's document for searching (see Reader.read)."""
    try:
        return scan(text)
    except _GiveUp:
        # lazy: keeps the models (pydantic) and tomli_w off start-up
        from ipt_cli.store.format import parse_course

        return parse_course(text, path).model_dump()


@struct(frozen=True)
class Searched:
    """What a search found in each course, in the courses' order: the texts holding the
    query (and only those), and the files that could not be read."""

    entries: list[Entry]
    problems: list[IptError]


@struct(frozen=True)
class _Course:
    """One course's part of a search: the warnings its file earned, then its texts that
    hold the query, or the error that kept it from being read."""

    warnings: list[str]
    entries: list[Entry]
    problem: IptError | None = None


def entries_for(
    paths: DataPaths,
    query: str,
    course_ids: list[str],
    include_archived: bool,
    warn: Callable[[str], None],
) -> Searched:
    """The texts of the named courses that hold `query` (archived courses only when asked
    for). A file that cannot be read is reported, not fatal. Many courses are shared out
    over the CPUs (store/workers.py: the same texts, warnings and errors, in the same
    order, as one by one); an encrypted folder is read in this process only (the
    decryption library is not forked)."""
    warned: set[Path] = set()
    check_private((paths.root, paths.courses), warn, warned)  # once, not once per course
    cipher = cipher_for(paths.root) if paths.encrypted else None
    reader = Reader(query)

    def keep(text: str) -> bool:
        return reader.folded_query in fold(text)

    def work(course_id: str) -> _Course:
        warnings: list[str] = []
        # an encrypted folder is read here, one course after another: its warnings are said
        # at once, so that a later course closed to the identity (exit 8) loses none
        said = warn if cipher is not None else warnings.append
        try:
            document = _document(paths, course_id, reader, cipher, said)
        except IdentityError:
            raise  # the folder is closed to this identity: exit 8, not skipped courses
        except IptError as error:
            return _Course(warnings, [], error)
        if document is None or (document.get("archived") and not include_archived):
            return _Course(warnings, [])
        document.setdefault("id", course_id)
        return _Course(warnings, course_entries(document, keep))

    found = map_shared(
        course_ids,
        work,
        _encode_course,
        _decode_course,
        processes=1 if cipher is not None else None,
    )
    entries: list[Entry] = []
    problems: list[IptError] = []
    for course in found:
        for warning in course.warnings:  # each about its own file: said once each
            warn(warning)
        entries += course.entries
        if course.problem is not None:
            problems.append(course.problem)
    return Searched(entries, problems)


def _document(
    paths: DataPaths,
    course_id: str,
    reader: Reader,
    cipher: Any,
    warn: Callable[[str], None],
) -> dict[str, Any] | None:
    """One course's document for searching, or None when its file cannot hold the query."""
    path = paths.course_file(course_id)
    check_private((path,), warn, set())
    try:
        text = read_opened(path, cipher)  # ours and regular: a FIFO never blocks
    except NotFoundError:
        if path.exists() or path.is_symlink():
            raise
        raise NotFoundError(f"no course {course_id!r} in {paths.courses}") from None
    folded = fold(f"\n{text}\n")
    if reader.typed(text) and reader.folded_query not in folded:
        return None  # cannot hold the query (core.search.may_contain, folded once)
    return reader.read(text, path, folded)


def _encode_course(course: _Course) -> list[Any]:
    """A course's part as JSON, for a worker to send back."""
    problem: list[Any] | None = None
    error = course.problem
    if isinstance(error, DataError):
        problem = ["DataError", error.path, error.problems]
    elif error is not None:
        problem = [type(error).__name__, error.message]
    entries = [
        [e.course_id, e.field, e.session, e.maintenance, e.date and e.date.isoformat(),
         e.label, e.text]
        for e in course.entries
    ]  # fmt: skip
    return [course.warnings, entries, problem]


def _decode_course(data: list[Any]) -> _Course:
    warnings, entries, problem = data
    error: IptError | None = None
    if problem is not None:
        kind = getattr(errors, problem[0])
        if not (isinstance(kind, type) and issubclass(kind, IptError)):
            raise TypeError(problem[0])  # not ours: the work is done again in this process
        error = DataError(problem[1], problem[2]) if kind is DataError else kind(problem[1])
    return _Course(
        warnings,
        [
            Entry(c, f, s, m, None if d is None else dt.date.fromisoformat(d), label, text)
            for c, f, s, m, d, label, text in entries
        ],
        error,
    )
