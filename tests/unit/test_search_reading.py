"""Search: matching, and the fast file scanner against the models it stands in for."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipt_cli.core.models import SCHEMA_VERSION, Course
from ipt_cli.core.search import (
    REVIEW_LISTS,
    course_entries,
    fold,
    may_contain,
    search,
    search_documents,
    spans_in,
)
from ipt_cli.store import search as store_search
from ipt_cli.store.format import dump_course, parse_course
from tests.conftest import EXAMPLES

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
# Text a clinician could type, and text written to trip a scanner: quotes, backslashes,
# TOML headers and key lines at the start of a line, triple quotes, CRLF, any Unicode.
TRICKY = st.sampled_from(
    [
        '"',
        "'",
        "\\",
        '"""',
        "'''",
        "\n[[sessions]]\n",
        "\n[formulation]\n",
        '\nnote = "x"\n',
        "\ndate = 2020-01-01\n",
        "\r\n",
        "\t",
        "# not a comment",
        "{a = 1}",
        "\\u00e9",
        "ß",
        "İ",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=12)), max_size=6).map("".join)
SOME_TEXT = TEXT.filter(bool)
# A risk review's protective factors and actions: one line each (the models refuse a line
# break), with what trips an array scanner: quotes, backslashes, brackets, # and commas.
ITEM_TRICKY = st.sampled_from(
    ['"', "'", "\\", "]", "[", "],", "#", "# x", ",", '", "', "', '", '"""', "'''"]
    + ["\\u00e9", "é", "ß", "İ", "😀", "\t", "\x7f", "\x00", "[[sessions]]", 'note = "x"']
    + ["{a = 1}", "actions = [", " "]
)
ITEM = (
    st.lists(st.one_of(ITEM_TRICKY, st.text(max_size=12)), min_size=1, max_size=5)
    .map("".join)
    .map(lambda t: t.replace("\n", " ").replace("\r", " "))
    .filter(bool)
)
ITEMS = st.lists(ITEM, max_size=3)
DATES = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 12, 31))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def sessions(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for _ in range(draw(st.integers(0, 4))):
        session: dict[str, Any] = {"date": draw(DATES)}
        for key in ("note", "events", "task", "task_outcome"):
            session[key] = draw(optional(SOME_TEXT))
        addenda = draw(st.lists(st.tuples(DATES, SOME_TEXT), max_size=2))
        session["addenda"] = [{"date": d, "text": t} for d, t in addenda]
        if draw(st.booleans()):
            session["phq9"] = {"items": [1, 1, 1, 1, 1, 1, 1, 1, 1]}
            reviews = draw(
                st.lists(st.tuples(DATES, SOME_TEXT, optional(SOME_TEXT), ITEMS, ITEMS), max_size=2)
            )
            session["risk_reviews"] = [
                {"date": d, "note": n, "plan": p, "protective": f, "actions": a}
                for d, n, p, f, a in reviews
            ]
        if draw(st.booleans()):  # the tables the scanner skips hold numbers and yes/no only
            session["phqa"] = {"items": [0] * 9, "suicidal_thoughts": draw(st.booleans())}
            session["asrm"] = {"items": [1] * 5}
        found.append(session)
    return found


@st.composite
def courses(draw: st.DrawFn) -> Course:
    """Courses whose texts are short (tomli-w then writes small tables inline), long
    (every table gets a header, so the file is read line by line), or long and plain (no
    character a file escapes, so a search reads only the lines it needs): every way of
    reading a file is exercised."""
    way = draw(st.sampled_from(["short", "long", "plain"]))
    course = draw(short_courses())
    return course if way == "short" else _padded(course, plain=way == "plain")


def _padded(course: Course, plain: bool) -> Course:
    data = _pad(course.model_dump(), plain)
    data["client"] = course.client
    return Course.model_validate(data)


def _pad(value: Any, plain: bool) -> Any:
    if isinstance(value, dict):
        keep = ("id", "cadence", "kind", "condition", "adaptation")  # closed vocabularies
        return {k: v if k in keep else _pad(v, plain) for k, v in value.items()}
    if isinstance(value, list):
        return [_pad(v, plain) for v in value]
    if isinstance(value, str) and value not in ("grief", "support", "weekly", "monthly"):
        for char in ("\r", "\n", "{", '"""', "'''"):  # read line by line
            value = value.replace(char, " ")
        if plain:
            value = "".join(c for c in value if c.isprintable() and c not in "\"'\\ßİﬁ")
        return value + "." * 101
    return value


@st.composite
def short_courses(draw: st.DrawFn) -> Course:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": "ab",
        "client": draw(st.sampled_from(["A.B.", 'Q "x"', "note = 1"])),
        "created": NOW,
        "start_date": dt.date(2025, 1, 1),
        "planned_sessions": 30,
        "cadence": "weekly",
        "kind": "clinician-led",
        "problem_areas": ["grief"],
        "sessions": draw(sessions()),
        "inventory": [
            {"name": n, "relationship": r, "ring": 1, "satisfying": s, "tags": ["support"]}
            for n, r, s in draw(
                st.lists(
                    st.tuples(
                        SOME_TEXT.filter(
                            lambda t: "\n" not in t and "\r" not in t and len(t) <= 200
                        ),
                        TEXT,
                        optional(TEXT),
                    ),
                    max_size=2,
                )
            )
        ],  # fmt: skip
        "timeline": [
            {"date": d, "event": e, "mood": m}
            for d, e, m in draw(st.lists(st.tuples(DATES, SOME_TEXT, optional(TEXT)), max_size=2))
        ],
        "goals": [{"id": "g-1", "text": draw(SOME_TEXT)}],
        "ending": {"warning_signs": draw(st.lists(SOME_TEXT, max_size=2))},  # string arrays
        "archived": draw(optional(DATES)),
    }
    if draw(st.booleans()):
        document["formulation"] = {"text": draw(SOME_TEXT), "date": draw(DATES), "agreed": True}
    if draw(st.booleans()):
        document["baseline"] = {
            "date": dt.date(2025, 1, 1),
            "phq9": {"items": [1] * 9},
            "risk_reviews": [
                {
                    "date": dt.date(2025, 1, 2),
                    "note": draw(SOME_TEXT),
                    "by": "Dr X",
                    "protective": draw(ITEMS),
                    "actions": draw(ITEMS),
                }
            ],
        }
    if draw(st.booleans()):
        document["maintenance"] = {
            "opened": dt.date(2026, 1, 1),
            "start_date": dt.date(2026, 1, 1),
            "planned_sessions": 12,
            "cadence": "monthly",
            "sessions": draw(sessions()),
        }
    document = {k: v for k, v in document.items() if v is not None}
    return Course.model_validate(_without_none(document))


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


# The quick loop draws QUICK examples of each property below; the suite's `faults` run adds
# 300 more of each (tests/faults/test_search_reading_long.py).
QUICK = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


# tomli-w writes a string array one item a line, each followed by a comma
TOMLI_W_ARRAY = re.compile(
    r"^(?P<key>actions|protective) = \[\n(?P<items>(?:    .*,\n)*)\]$", re.MULTILINE
)
COMMENTS = ["#", "# ] , \" ' #", '# actions = ["x"]', "# {a = 1}", "# [[sessions]]", "# x"]


def hand_edited(text: str, data: st.DataObject) -> str:
    """`text`, or (drawn) `text` with each of the reviews' arrays written as a person might:
    on one line or many, commas after or before the items, the trailing comma or not,
    comments between the items, basic strings (with \\u escapes or not) or literal ones.
    The values are the same."""
    if not data.draw(st.booleans()):
        return text  # as tomli-w writes it

    def rewrite(match: re.Match[str]) -> str:
        items = tomli.loads(f"v = [\n{match['items']}]")["v"]
        strings = [_toml_string(item, data) for item in items]
        comment = st.sampled_from(COMMENTS)
        if data.draw(st.booleans()):  # on one line: a comment can only end it
            comma = "," if strings and data.draw(st.booleans()) else ""
            after = f" {data.draw(comment)}" if data.draw(st.booleans()) else ""
            return f"{match['key']} = [{', '.join(strings)}{comma}]{after}"
        lines = [f"{match['key']} = [ {data.draw(comment)}"]
        last = 0  # the line of the item before
        for n, string in enumerate(strings):
            if data.draw(st.booleans()):
                lines.append(f"  {data.draw(comment)}")
            if n and data.draw(st.booleans()):
                lines[last] = lines[last].removesuffix(",")
                lines.append(f"  , {string},")  # the comma first
            else:
                lines.append(f"    {string},")
            last = len(lines) - 1
        if strings and data.draw(st.booleans()):
            lines[last] = lines[last].removesuffix(",")  # no trailing comma
        return "\n".join([*lines, "]"])

    return TOMLI_W_ARRAY.sub(rewrite, text)


def _toml_string(value: str, data: st.DataObject) -> str:
    """`value` as a one-line TOML string: literal (when it can be, and drawn), or basic,
    every character that is not ASCII escaped (drawn) or none."""
    if "'" not in value and all(c == "\t" or " " <= c != "\x7f" for c in value):
        if data.draw(st.booleans()):
            return f"'{value}'"
    every = data.draw(st.booleans())
    out = []
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F or (every and code > 0x7E):
            out.append(f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@QUICK
@given(courses(), st.data())
def test_the_scanner_reads_what_the_models_read(course: Course, data: st.DataObject) -> None:
    check_the_scanner(course, data)


def check_the_scanner(course: Course, data: st.DataObject) -> None:
    text = hand_edited(dump_course(course), data)
    expected = course_entries(parse_course(text, Path("ab.toml")).model_dump())
    assert expected == course_entries(course.model_dump())  # a hand edit keeps the values
    scanned = store_search.scan(text, store_search.TOKENS)  # never the slow path for ipt's
    assert course_entries(scanned) == expected
    assert scanned.get("archived") == course.archived
    if store_search.plain_lines(text):
        lines = store_search.scan(text, store_search.LINES)
        assert course_entries(lines) == expected and lines.get("archived") == course.archived


@QUICK
@given(courses(), st.data())
def test_a_search_reads_files_in_part_as_the_models_read_them(
    course: Course, data: st.DataObject
) -> None:
    check_a_partial_read(course, data)


def check_a_partial_read(course: Course, data: st.DataObject) -> None:
    texts = [e.text for e in course_entries(course.model_dump())]
    if texts and data.draw(st.booleans()):
        text = data.draw(st.sampled_from(texts))
        start = data.draw(st.integers(0, len(text) - 1))
        query = text[start : start + data.draw(st.integers(1, 6))]
    else:
        query = data.draw(st.text(min_size=1, max_size=4))
    stored = hand_edited(dump_course(course), data)
    document = store_search.Reader(query).read(stored, Path("ab.toml"))
    expected = search_documents([course.model_dump()], query)
    assert search_documents([document], query) == expected
    assert document.get("archived") == course.archived


def test_the_scanner_reads_every_example() -> None:
    for path in sorted(p for p in EXAMPLES.glob("*.toml") if not p.stem.startswith("assess")):
        text = path.read_text(encoding="utf-8")
        expected = course_entries(parse_course(text, path).model_dump())
        assert course_entries(store_search.scan(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        'note = "a" # comment\n[sessions.risk_review]\n',  # [sessions] is a table, not an array
        'x = { note = "x", unclosed\n',
        '"id" = "ab"\n',
        'sessions.note = "x"\n',
        'note = "unterminated\n',
        '[[sessions]]\nnote = "no date"\n',
        'id = "ab"\nid = "cd"\n',
        "[[sessions]]\r\ndate = 2026-01-01\r\n",
    ],
)
def test_the_scanner_gives_up_on_what_it_does_not_know(text: str) -> None:
    with pytest.raises(store_search._GiveUp):
        store_search.scan(text)


def test_inline_tables_are_read_exactly() -> None:
    text = (
        '[[sessions]]\ndate = 2026-01-05\nnote = "first"\n'
        'addenda = [{ date = 2026-02-01, text = "a \\"late\\" word" }]\n'
        'risk_reviews = [{ date = 2026-01-06, note = "reviewed" }]\n'
        "goal_ratings = { g-1 = 4 }\n"
    )
    entries = course_entries(store_search.scan(text))
    assert [(e.label, e.date, e.text) for e in entries] == [
        ("note", dt.date(2026, 1, 5), "first"),
        ("addendum", dt.date(2026, 2, 1), 'a "late" word'),
        ("risk review", dt.date(2026, 1, 6), "reviewed"),
    ]


REVIEWED = (
    'schema_version = 10\nid = "ab"\nclient = "A.B."\ncreated = 2026-01-05T09:00:00Z\n'
    'start_date = 2026-01-05\nplanned_sessions = 12\ncadence = "weekly"\n'
    'kind = "clinician-led"\nproblem_areas = [\n    "grief",\n]\n\n[[sessions]]\n'
    'date = 2026-01-05\nid = 1\nnote = "first"\n\n[sessions.phq9]\n'
    "items = [\n    1,\n    1,\n    1,\n    1,\n    1,\n    1,\n    1,\n    1,\n    1,\n]\n\n"
    '[[sessions.risk_reviews]]\ndate = 2026-01-06\nnote = "Reviewed"\nprotective = [\n'
    '    "Sister nearby",\n]\nactions = ACTIONS\n'
)  # a course file as ipt writes it, the review's actions to be filled in


@pytest.mark.parametrize(
    "actions",
    [
        '[\n    "Gave crisis line number",\n    "Safety plan \\"reviewed\\"",\n]',  # tomli-w's
        '["Gave crisis line number", \'Safety plan "reviewed"\']',  # one line, no comma
        '["Gave crisis line number", "GP informed",] # a comment after it',
        "[ # what was done\n    'C:\\ crisis line, # no comment ]', # by phone\n"
        '    # a line of comment: ] " \' [[sessions]] {\n\n    "GP informed"\n]',
        '[\n    "Gave crisis line number"\n  , "GP informed"\n  , "caf\\u00e9 \\\\ \\t x"\n]',
        '[ "caf\\U0001F600", "\\"", "\\\\", "]", "#", "," ]',
        "[]",
        "[\n]",
    ],
    ids=[
        "tomli-w",
        "one-line",
        "trailing-comma-and-comment",
        "comments-and-literal",
        "commas-first-and-escapes",
        "awkward-items",
        "empty",
        "empty-lines",
    ],
)
def test_a_reviews_lists_are_read_in_every_form_a_file_may_hold(actions: str) -> None:
    text = REVIEWED.replace("ACTIONS", actions)
    course = parse_course(text, Path("ab.toml"))
    dumped = course.model_dump()
    expected = course_entries(dumped)
    labels = ["note", "risk review", "risk review protective factor"]
    labels += ["risk review action"] * len(course.sessions[0].risk_reviews[0].actions)
    assert [e.label for e in expected] == labels
    assert course_entries(store_search.scan(text, store_search.TOKENS)) == expected
    if store_search.plain_lines(text):
        assert course_entries(store_search.scan(text, store_search.LINES)) == expected
    for item in course.sessions[0].risk_reviews[0].actions:  # each read in part, if it can be
        for query in (item, item[-3:], "crisis line"):
            document = store_search.Reader(query).read(text, Path("ab.toml"))
            assert search_documents([document], query) == search_documents([dumped], query)


@pytest.mark.parametrize(
    "actions",
    [
        '"a string"',
        "[1, 2]",
        '["a", 1]',
        '["""three quotes"""]',
        "['''three quotes''']",
        '["a"] junk',
        "[,]",
        '["a",,]',
        '["a" "b"]',
        '[["a"]]',
        '[{ a = "b" }]',
        '["unclosed"',
        '[\n    "unclosed",\n',
        '["a"]\nactions = ["again"]',
        "true",
        "2026-01-01",
        '["a"]\r',
    ],
)
def test_a_searched_list_the_scanner_does_not_know_makes_it_give_up(actions: str) -> None:
    text = REVIEWED.replace("ACTIONS", actions)
    for tokens in (None, store_search.TOKENS):
        with pytest.raises(store_search._GiveUp):
            store_search.scan(text, tokens)


@pytest.mark.parametrize(
    "text",
    [
        'actions.x = ["a"]\n',
        '"actions" = ["a"]\n',
        '[sessions.phq9]\nactions = ["a"]\n',  # under a table of scores: not a review's
    ],
)
def test_a_searched_list_in_a_place_the_scanner_does_not_know_makes_it_give_up(
    text: str,
) -> None:
    with pytest.raises(store_search._GiveUp):
        store_search.scan("[[sessions]]\ndate = 2026-01-05\n" + text)


def test_a_partial_read_reads_the_array_holding_a_matching_item() -> None:
    """A file read in part is read at its structure's lines and at the lines holding the
    query; an item's line alone is no token, so the line opening its array is read too."""
    actions = '[ # done\n    "GP informed"\n  # after the crisis call\n\n  , "Gave crisis line"\n]'
    text = REVIEWED.replace("ACTIONS", actions)
    raw = f"\n{text}\n"
    read = {"CRISIS LINE": "actions", "crisis call": "actions", "nearby": "protective"}
    for query, key in read.items():
        document = store_search.Reader(query).document(raw, fold(raw))
        assert document is not None  # read in part
        review = document["sessions"][0]["risk_reviews"][0]
        assert review[key] == (
            ["Sister nearby"] if key == "protective" else ["GP informed", "Gave crisis line"]
        )
    hits = search_documents([document], "nearby")
    assert [(h.entry.label, h.entry.date, h.line) for h in hits] == [
        ("risk review protective factor", dt.date(2026, 1, 6), "Sister nearby")
    ]


def test_the_scanner_reads_the_lists_course_entries_searches() -> None:
    assert store_search.ARRAY_KEYS == {key for key, _ in REVIEW_LISTS}


def test_a_schema_1_file_is_searched_as_it_will_be_read() -> None:
    text = (
        'schema_version = 1\nid = "ab"\nclient = "A.B."\ncreated = 2026-01-05T09:00:00Z\n'
        'start_date = 2026-01-05\nplanned_sessions = 12\ncadence = "weekly"\n'
        'kind = "clinician-led"\nproblem_areas = ["grief"]\n\n[[sessions]]\n'
        'date = 2026-01-05\nnote = "first"\n\n[sessions.phq9]\n'
        "items = [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        '\n[sessions.risk_review]\ndate = 2026-01-06\nnote = "Passive thoughts; safety plan"\n'
    )
    expected = course_entries(parse_course(text, Path("ab.toml")).model_dump())
    assert course_entries(store_search.scan(text)) == expected
    assert [(e.label, e.date) for e in expected] == [
        ("note", dt.date(2026, 1, 5)),
        ("risk review", dt.date(2026, 1, 6)),
    ]


def test_a_file_the_scanner_gives_up_on_is_read_the_ordinary_way() -> None:
    course = Course.model_validate(
        {
            "schema_version": SCHEMA_VERSION,
            "id": "ab",
            "client": "A.B.",
            "created": NOW,
            "start_date": dt.date(2026, 1, 5),
            "planned_sessions": 12,
            "cadence": "weekly",
            "kind": "clinician-led",
            "problem_areas": ["grief"],
            "formulation": {"text": "Loss of a role", "date": dt.date(2026, 1, 5), "agreed": True},
        }
    )
    text = (
        dump_course(course)
        .replace("[formulation]\n", "[formulation]\n# a hand edit\n")
        .replace('text = "Loss', "'text' = \"Loss")
    )
    document = store_search.read_document(text, Path("ab.toml"))
    assert [e.text for e in course_entries(document)] == ["Loss of a role"]


@given(st.text(max_size=40), st.text(min_size=1, max_size=5))
def test_spans_cover_exactly_the_case_insensitive_matches(line: str, query: str) -> None:
    spans = spans_in(line, query.casefold())
    for start, end in spans:
        assert query.casefold() in line[start:end].casefold()
    assert bool(spans) == (query.casefold() in line.casefold())


def test_may_contain_rules_out_only_impossible_files() -> None:
    assert may_contain('note = "Talked about the FUNERAL"', "funeral")
    assert not may_contain('note = "Talked about the party"', "funeral")
    assert may_contain('note = "caf\\u00e9"', "café")  # an escape may hide the text
    assert may_contain('note = """a \\\n  b"""', "a b")  # a line-ending backslash too
    assert may_contain('note = "say \\"hi\\""', 'say "hi"')  # the query has an escapable
    assert not may_contain('note = "Straße"', "strasse x")


def test_search_finds_lines_with_their_places() -> None:
    document = {
        "id": "ab",
        "sessions": [
            {"date": dt.date(2026, 1, 12), "note": "second\nFuneral plans", "task": "Call"},
            {
                "date": dt.date(2026, 1, 5),
                "note": "first",
                "addenda": [{"date": dt.date(2026, 2, 1), "text": "the funeral was moved"}],
            },
        ],  # fmt: skip
        "timeline": [{"date": dt.date(2025, 12, 1), "event": "Funeral of her father"}],
        "inventory": [{"name": "R.", "relationship": "friend", "satisfying": "Came to funeral"}],
    }
    hits = search(course_entries(document), "FUNERAL")
    found = [(h.entry.place, h.entry.label, h.entry.date, h.line, h.spans) for h in hits]
    assert found == [
        ("session 1", "addendum", dt.date(2026, 2, 1), "the funeral was moved", ((4, 11),)),
        ("session 2", "note", dt.date(2026, 1, 12), "Funeral plans", ((0, 7),)),
        ("inventory", "inventory: R. (satisfying)", None, "Came to funeral", ((8, 15),)),
        ("timeline", "timeline", dt.date(2025, 12, 1), "Funeral of her father", ((0, 7),)),
    ]
    assert [h.entry.field for h in search(course_entries(document), "funeral", ["note"])] == [
        "note",
        "note",
    ]


def test_a_search_shared_over_processes_finds_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many courses are read by forked workers (store/workers.py): the same texts, in the
    same order, the same warnings and the same unreadable files as one process reads."""
    from ipt_cli.errors import DataError
    from ipt_cli.store import workers
    from ipt_cli.store.paths import DataPaths

    example = (EXAMPLES / "grief-parent.toml").read_text(encoding="utf-8")
    root = tmp_path / "data"
    (root / "courses").mkdir(parents=True, mode=0o700)
    root.chmod(0o700)
    for n in range(130):
        text = example.replace('id = "grief-parent"', f'id = "c{n:03d}"')
        if n == 7:
            text = text.replace("\n[[", "\narchived = 2026-02-01\n\n[[", 1)
        if n == 13:
            text = "[[sessions]\nnote = the damaged file"  # damaged: reported, not fatal
        path = root / "courses" / f"c{n:03d}.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644 if n == 21 else 0o600)  # too open: a warning
    paths = DataPaths(root)
    ids = paths.course_ids()

    def searched(cpus: int) -> tuple[list[Any], list[tuple[str, str]], list[str]]:
        monkeypatch.setattr(workers, "usable_cpus", lambda: cpus)
        said: list[str] = []
        found = store_search.entries_for(paths, "the", ids, False, said.append)
        problems = [(type(p).__name__, p.message) for p in found.problems]
        return found.entries, problems, said

    shared_calls: list[int] = []
    shared = workers._shared

    def counted(*args: Any, **kwargs: Any) -> Any:
        shared_calls.append(1)
        result = shared(*args, **kwargs)
        assert result is not None  # None: the pool gave up and one process redid it all
        return result

    monkeypatch.setattr(workers, "_shared", counted)
    alone = searched(1)
    assert not shared_calls
    together = searched(4)
    assert shared_calls  # really shared out
    assert together == alone
    entries, problems, said = together
    assert {e.course_id for e in entries} == {f"c{n:03d}" for n in range(130)} - {"c007", "c013"}
    assert [kind for kind, _ in problems] == [DataError.__name__]
    assert "c013.toml" in problems[0][1]
    assert len(said) == 1 and "c021.toml can be read by other users" in said[0]
