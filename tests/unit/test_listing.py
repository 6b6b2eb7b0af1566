"""`ipt list` into a pipe (views/listing.py, no Rich) shows exactly what the terminal
rendering (views/terminal.list_view, through Rich) shows without its colours: the same
lines, cells cut and wrapped alike, every flag count and every alert whole."""

from __future__ import annotations

import datetime as dt
import io
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ipt_cli.core.course_row import CourseRow
from ipt_cli.views.console import SafeConsole
from ipt_cli.views.listing import NO_COURSES, list_lines, list_text
from ipt_cli.views.terminal import list_view

TODAY = dt.date(2026, 3, 1)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

hostile = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("\t\n\r\x1b\u202e"),
    max_size=30,
)
scores = st.dictionaries(
    st.sampled_from(["phq9", "gad7", "hamd17", "bdi2", "pcl5", "binges", "mini_spin"]),
    st.tuples(st.integers(0, 80), st.sampled_from([None, "mild", "moderately severe"])),
    max_size=5,
)
rows = st.builds(
    CourseRow,
    course_id=st.text("abcdefghij-0123456789", min_size=1, max_size=40),
    client=st.none() | hostile,
    phase=st.sampled_from([None, "initial", "middle", "termination", "maintenance"]),
    recorded=st.integers(0, 30),
    planned=st.integers(4, 30),
    next_date=st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1)),
    archived=st.booleans(),
    latest=scores,
    unreviewed_flags=st.integers(0, 3),
    damaged=st.none() | hostile.filter(bool),
    alerts=st.lists(hostile, max_size=2),
)


def drawn(rows: list[CourseRow], width: int, terminal: bool) -> str:
    """What Rich draws for the list: on a terminal (escape codes removed; trailing spaces
    are invisible there), or into a pipe as `views.terminal.rendered` writes it."""
    file = io.StringIO()
    console = SafeConsole(
        file=file, width=width, force_terminal=terminal, highlight=False, markup=False
    )
    console.print(list_view(rows, TODAY, width), soft_wrap=True)
    return "\n".join(ANSI.sub("", line).rstrip() for line in file.getvalue().split("\n"))


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(rows, max_size=6), width=st.integers(20, 160), terminal=st.booleans())
@example(rows=[], width=80, terminal=True)
@example(
    rows=[
        CourseRow("ab", "A.B.", "middle", 3, 12, TODAY, latest={"phq9": (12, "moderate")}),
        CourseRow("cd-with-a-rather-long-course-identifier", "x" * 40, unreviewed_flags=2),
        CourseRow("ef", damaged="ef.toml: not valid TOML: Expected '=' (at line 3, column 4)"),
        CourseRow("gh", "Tab\there", alerts=["PHQ-9 reliable deterioration: 9 to 16"]),
    ],
    width=40,
    terminal=False,
)
def test_the_plain_list_is_the_terminal_list_without_colour(
    rows: list[CourseRow], width: int, terminal: bool
) -> None:
    """Into a pipe nothing is cut (issue 25 item 15): the plain text is the terminal's
    lines laid out with the client and the id whole; the terminal draws the same lines as
    the plain layout that cuts them."""
    uncut = "".join(line + "\n" for line, _ in list_lines(rows, TODAY, width, cut=False))
    assert list_text(rows, TODAY, width) == uncut
    fitted = "".join(line + "\n" for line, _ in list_lines(rows, TODAY, width))
    assert fitted == drawn(rows, width, terminal)


def test_every_alert_and_flag_is_shown_whole_however_narrow() -> None:
    alert = "PHQ-9 relapse: 19 at maintenance session 2 (2026-02-01), a case again (>= 10)"
    rows = [CourseRow("ab", "A.B.", "maintenance", 8, 8, TODAY, unreviewed_flags=3, alerts=[alert])]
    text = list_text(rows, TODAY, 100)
    assert f"  ! {alert}\n" in text
    assert text.splitlines()[2].rstrip().endswith("3")  # the flag count is never cut
    for width in (20, 60):  # below 80 columns: a block a course, wrapped between words
        text = list_text(rows, TODAY, width)
        assert f"! {alert}" in " ".join(text.split())
        assert "  Flags: 3\n" in text
        words = [word for line in text.splitlines() for word in line.split()]
        assert all(len(line) <= width for line in text.splitlines() if " " in line.strip())
        assert "(2026-02-01)," in words and "maintenance" in words  # never broken


def test_a_narrow_list_is_a_block_a_course_that_fits_60_columns() -> None:
    """Issue 27 item 14: in 60 columns the table's 95-column rows made the terminal break
    words; below 80 columns each course is a block of lines, every cell whole."""
    rows = [
        CourseRow(
            "transition-retirement",
            "B.O.",
            "termination",
            12,
            14,
            dt.date(2026, 2, 1),
            latest={"phq9": (4, "minimal"), "gad7": (3, "minimal")},
            unreviewed_flags=1,
            alerts=["unsigned more than 3 days: session(s) " + ", ".join(map(str, range(1, 15)))],
        )
    ]
    text = list_text(rows, TODAY, 60)
    assert text.splitlines()[:5] == [
        "transition-retirement  B.O.",
        "  termination, 12/14 held, next 2026-02-01 late",
        "  Latest: PHQ-9 4 minimal, GAD-7 3 minimal",
        "  Risk: not judged",
        "  Flags: 1",
    ]
    assert max(map(len, text.splitlines())) <= 60


def test_control_characters_tabs_and_line_breaks_never_reach_the_pipe_raw() -> None:
    rows = [CourseRow("ab", "A\x1b[2J\tB\nC\u202e", "middle", 1, 12, TODAY)]
    text = list_text(rows, TODAY, 80)
    assert "\x1b" not in text and "\t" not in text and "\u202e" not in text
    assert "A\\x1b[2J B C\\u202e" in text
    assert len(text.splitlines()) == 3  # header, rule, one row


def test_no_courses() -> None:
    assert list_text([], TODAY, 80) == NO_COURSES + "\n"


def test_the_index_form_of_a_row_gives_the_same_row() -> None:
    row = CourseRow(
        "ab",
        "A.B.",
        "maintenance",
        8,
        8,
        TODAY,
        False,
        {"phq9": (12, "moderate"), "binges": (3, None)},
        2,
        None,
        ["PHQ-9 relapse"],
        "phq9",
    )
    assert CourseRow.from_cache("ab", row.to_cache()) == row
    damaged = CourseRow("cd", damaged="cd.toml: not valid TOML")
    assert CourseRow.from_cache("cd", damaged.to_cache()) == damaged


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(json_values, max_size=12), batch=st.integers(1, 5))
def test_a_json_list_written_in_parts_is_the_whole_document(items: list, batch: int) -> None:
    from ipt_cli.views.output import json_array, to_json

    assert "".join(json_array(items, batch)) == to_json(items)


def test_the_plain_path_decides_terminal_and_width_as_rich_does(monkeypatch) -> None:
    """`Output` tells, without importing Rich, whether Rich would draw for a terminal and
    at what width it lays plain text out; the piped list relies on both."""
    from ipt_cli.views.output import Output

    for columns in (None, "", "abc", "0", "37", "120"):
        for force in (None, "", "1"):
            for compatible in (None, "", "0", "1"):
                for name, value in (
                    ("COLUMNS", columns),
                    ("FORCE_COLOR", force),
                    ("TTY_COMPATIBLE", compatible),
                ):
                    if value is None:
                        monkeypatch.delenv(name, raising=False)
                    else:
                        monkeypatch.setenv(name, value)
                file = io.StringIO()
                rich = SafeConsole(file=file, highlight=False, markup=False, emoji=False)
                output = Output(stdout=file)
                assert output.draws_for_terminal() == rich.is_terminal
                if not rich.is_terminal:
                    assert output.plain_width() == rich.width


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_only_on_a_terminal_and_only_for_long_jobs() -> None:
    from ipt_cli.views.output import PROGRESS_MIN, Output

    assert Output(stderr=io.StringIO()).progress("Reading courses") is None  # a pipe, a log
    screen = _Terminal()
    show = Output(stderr=screen).progress("Reading courses")
    assert show is not None
    show(1, PROGRESS_MIN - 1)
    assert screen.getvalue() == ""  # over before a bar could be read
    for done in range(1, 201):
        show(done, 200)
    drawn = screen.getvalue()
    assert drawn.count("\r") == 101 + 2  # once a percent, then erased
    assert "Reading courses [###############---------------] 100/200" in drawn
    assert drawn.endswith("\r" + " " * len(drawn.split("\r")[-3]) + "\r")
