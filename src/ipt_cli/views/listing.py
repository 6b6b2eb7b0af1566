"""`ipt list` laid out as lines: plain text for a pipe or a file, and the lines (with their
styles) that `terminal.list_view` colours for a terminal. Both show the same text.

Light on purpose: no Rich and no models, so that a warm `ipt list` into a pipe loads neither
(tests/e2e/test_binary.py pins it). A 10,000-course list is written as one string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ipt_cli.core.measures import INSTRUMENTS
from ipt_cli.core.signals import SIGN_WITHIN_DAYS
from ipt_cli.views.text_safety import terminal_safe

if TYPE_CHECKING:
    from ipt_cli.core.course_row import CourseRow

# Risk: the standing level (HIGH in capitals; "not judged"; ", out of date" while a newer
# flag waits unreviewed); Flags: the unreviewed flags, URGENT and the oldest one's wait.
LIST_HEADER = ("Course", "Client", "Phase", "Held", "Next", "Latest", "Risk", "Flags")
LIST_WRAPPED = 5  # the latest scores: wrapped, never cut
LIST_LEVEL = 6  # the standing risk level: wrapped between words, never cut
WRAPPED_COLUMNS = (LIST_WRAPPED, LIST_LEVEL)
LIST_SEPARATOR = ", "
LIST_NARROWEST = 8  # the client and the id are cut (with an ellipsis) to no less than this
LIST_WRAPPED_MIN = 16  # the latest scores keep at least this width
LIST_TABLE_WIDTH = 80  # narrower than this, each course is a block of lines (`_blocks`)
NO_COURSES = (
    "No courses yet. Start one with: ipt new-course COURSE_ID --client ALIAS --problem-area AREA"
)
# The style of each kind of line, for the terminal (plain text shows none of them).
HEADER_STYLE = "bold"
DAMAGED_STYLE = "red"
FLAGGED_STYLE = "bold red"
ALERT_STYLE = "bold dark_orange"


def _wrap_parts(cell: str, width: int) -> list[str]:
    """Split 'A, B, C' into lines of at most `width`, breaking between scores; a score
    longer than a line has lines of its own, broken between words. Nothing is cut."""
    parts = cell.split(LIST_SEPARATOR)
    lines: list[str] = []
    joinable = False  # may the next score join the last line?
    for index, part in enumerate(parts):
        piece = part + ("," if index < len(parts) - 1 else "")
        if len(piece) <= width:
            if joinable and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
            joinable = True
            continue
        block: list[str] = []
        for word in piece.split(" "):
            if block and len(block[-1]) + 1 + len(word) <= width:
                block[-1] += " " + word
            else:
                block.append(word)
        lines += block
        joinable = False
    return lines or [""]


def _give(widths: list[int], column: int, excess: int, floor: int) -> int:
    """Narrow `column` towards `floor` by up to `excess`; return what is still in excess."""
    give = min(excess, max(widths[column] - floor, 0))
    widths[column] -= give
    return excess - give


def fit_columns(
    header: tuple[str, ...],
    rows: list[list[str]],
    width: int,
    ellipsis: str = "…",
    cut: bool = True,
) -> list[str]:
    """Lay out a plain table in `width` columns. The latest scores wrap onto more lines,
    one score a line, and are never cut; the risk level wraps between words, never cut;
    the client, then (last of all) the id, are cut with an ellipsis. Each row's text may
    span several lines.

    Rich's Table measures every cell of every row; with a thousand courses that takes
    seconds, so `ipt list` lays its lines out itself (linear, one pass per column).
    With `cut` False (a pipe or a file: issue 25 item 15) the id and the client are never
    cut: a script or a reader of the file sees the whole alias.
    """
    widths = [max([len(header[c])] + [len(r[c]) for r in rows]) for c in range(len(header))]
    gap = 2
    excess = sum(widths) + gap * (len(widths) - 1) - width
    if excess > 0:  # the wrapped columns' floors, a row at a time (never every part held)
        one_a_line = len(header[LIST_WRAPPED])
        word_wrapped = max(len(header[LIST_WRAPPED]), LIST_WRAPPED_MIN)
        level_words = len(header[LIST_LEVEL])
        for r in rows:
            for part in r[LIST_WRAPPED].split(LIST_SEPARATOR):
                one_a_line = max(one_a_line, len(part) + 1)
                word_wrapped = max(word_wrapped, *[len(w) + 1 for w in part.split(" ")])
            level_words = max(level_words, *[len(w) for w in r[LIST_LEVEL].split(" ")])
        for column, floor in (
            (LIST_WRAPPED, one_a_line),
            (1, LIST_NARROWEST),
            (LIST_LEVEL, level_words),
            (LIST_WRAPPED, word_wrapped),
            (0, LIST_NARROWEST),
        ):
            if excess > 0 and (cut or column in WRAPPED_COLUMNS):
                excess = _give(widths, column, excess, floor)

    def line(cells: list[str] | tuple[str, ...]) -> str:
        fitted = [
            c if len(c) <= w or n in WRAPPED_COLUMNS else c[: max(w - 1, 0)] + ellipsis
            for n, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return (" " * gap).join(map(str.ljust, fitted, widths)).rstrip()

    def row_lines(cells: list[str]) -> str:
        if all(len(cells[c]) <= widths[c] for c in WRAPPED_COLUMNS):
            return line(cells)  # the usual row: one line (what _wrap_parts would give)
        wrapped = {c: _wrap_parts(cells[c], widths[c]) for c in WRAPPED_COLUMNS}
        lines = []
        for index in range(max(map(len, wrapped.values()))):
            shown = list(cells) if index == 0 else [""] * len(cells)
            for column, parts in wrapped.items():
                shown[column] = parts[index] if index < len(parts) else ""
            lines.append(line(shown))
        return "\n".join(lines)

    return [line(header), "-" * min(sum(widths) + gap * (len(widths) - 1), width)] + [
        row_lines(r) for r in rows
    ]


def _short_name(measure: str) -> str:
    return INSTRUMENTS[measure].name if measure in INSTRUMENTS else measure


def _cells(row: CourseRow, today: dt.date) -> list[str]:
    if row.damaged:
        return [row.course_id, "-", "DAMAGED", "-", "-", row.damaged, "-", "-"]
    next_date = row.next_date.isoformat() if row.next_date else "-"
    if row.is_overdue(today):
        next_date += " late"
    latest = ", ".join(
        f"{_short_name(k)} {t}" + (f" {s}" if s else "") for k, (t, s) in row.latest.items()
    )
    return [
        row.course_id,
        row.client or "-",
        row.phase or "-",
        f"{row.recorded}/{row.planned}",
        next_date,
        latest or "-",
        row.level_cell(),
        row.flags_cell(today),
    ]


def _one_line(cell: str) -> str:
    """A cell as shown: control characters made visible; a tab or a line break (in a file
    name, say) would break the columns, so it is shown as a space."""
    return " ".join(terminal_safe(cell).replace("\t", " ").splitlines()) if cell else cell


def _shown(cells: list[str]) -> list[str]:
    """The cells of a row as shown (see `_one_line`); the usual row, all printable text
    (no control, bidi, tab or line-break character), is shown as it is."""
    return cells if "".join(cells).isprintable() else [_one_line(cell) for cell in cells]


def wrap_words(text: str, width: int, indent: str, hanging: str) -> list[str]:
    """`text` in lines of at most `width` columns, broken only between words: the first
    line starts with `indent`, the others with `hanging`. A word longer than a line has a
    line of its own, whole (nothing is cut or broken inside a word)."""
    if not text.strip():
        return []  # no line for no words (a damaged entry whose message is blank)
    lines, fresh = [indent], True  # fresh: no word on the last line yet
    for word in text.split(" "):
        if not word:
            continue
        if fresh:
            lines[-1] += word
        elif len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(hanging + word)
        fresh = False
    return [line.rstrip() for line in lines]


def _blocks(cells: list[list[str]], rows: list[CourseRow], width: int) -> list[list[str]]:
    """Each course as a block of lines for a narrow terminal (below LIST_TABLE_WIDTH
    columns), every cell whole and broken only between words: the id and the client,
    then the phase, sessions held and next date, the latest scores, the standing risk
    level (and the date of the flag it is out of date since), the flags."""
    blocks = []
    for shown, row in zip(cells, rows, strict=True):
        course_id, client, phase, held, next_date, latest, _, flags = shown
        if row.damaged:
            lines = wrap_words(f"{course_id} DAMAGED", width, "", "  ")
            lines += wrap_words(latest, width, "  ", "    ")
        else:
            fits = len(course_id) + 2 + len(client) <= width
            lines = [f"{course_id}  {client}".rstrip()] if fits else [course_id]
            lines += [] if fits else wrap_words(client, width, "  ", "    ")
            held_next = f"{phase}, {held} held"
            held_next += f", next {next_date}" if next_date != "-" else ""
            lines += wrap_words(held_next, width, "  ", "    ")
            lines += wrap_words(f"Latest: {latest}", width, "  ", "    ")
            lines += wrap_words(f"Risk: {row.level_cell(dated=True)}", width, "  ", "    ")
            lines += wrap_words(f"Flags: {flags}", width, "  ", "    ")
        blocks.append(lines)
    return blocks


def list_lines(
    rows: list[CourseRow],
    today: dt.date,
    width: int,
    ascii_only: bool = False,
    sign_within_days: int = SIGN_WITHIN_DAYS,
    cut: bool = True,
) -> Iterator[tuple[str, str]]:
    """Each line of the list and its style (see *_STYLE): the header, a rule, a row (its
    latest scores may wrap onto more lines) and, under it, each of its outcome alerts
    whole (never cut to the width: a warning is never hidden or truncated). Given one at a
    time: 10,000 rows are never held twice, as lines and as styled lines."""
    if not rows:
        yield (NO_COURSES, "")
        return
    cells = [_shown(_cells(row, today)) for row in rows]
    if width < LIST_TABLE_WIDTH:
        yield from _narrow_lines(cells, rows, today, width, sign_within_days)
        return
    lines = fit_columns(LIST_HEADER, cells, width, "~" if ascii_only else "…", cut)
    del cells  # laid out: not held beside the lines (10,000 rows: 5 MiB)
    yield (lines[0], HEADER_STYLE)
    yield (lines[1], "")
    for line, row in zip(lines[2:], rows, strict=True):
        yield (line, DAMAGED_STYLE if row.damaged else (FLAGGED_STYLE if row.at_risk else ""))
        for alert in [*row.alerts, *row.follow_ups(today, sign_within_days)]:
            # wrapped at words within the width, never cut: an alert is read whole
            for line in wrap_words(_one_line(alert), width, "  ! ", "    "):
                yield (line.rstrip(), ALERT_STYLE)


def _narrow_lines(
    cells: list[list[str]],
    rows: list[CourseRow],
    today: dt.date,
    width: int,
    sign_within_days: int,
) -> list[tuple[str, str]]:
    """The list below LIST_TABLE_WIDTH columns: a block of lines per course (`_blocks`),
    its alerts under it, each whole and wrapped at words."""
    styled: list[tuple[str, str]] = []
    for block, row in zip(_blocks(cells, rows, width), rows, strict=True):
        style = DAMAGED_STYLE if row.damaged else (FLAGGED_STYLE if row.at_risk else "")
        styled += [(line, style) for line in block]
        for alert in [*row.alerts, *row.follow_ups(today, sign_within_days)]:
            shown = wrap_words(_one_line(alert), width, "  ! ", "    ")
            styled += [(line, ALERT_STYLE) for line in shown]
    return styled


def list_text(
    rows: list[CourseRow],
    today: dt.date,
    width: int,
    ascii_only: bool = False,
    sign_within_days: int = SIGN_WITHIN_DAYS,
) -> str:
    """The list as plain text (for a pipe or a file): the terminal's lines, uncoloured, with
    no alias cut (a pipe has no width to fit: issue 25 item 15)."""
    lines = list_lines(rows, today, width, ascii_only, sign_within_days, cut=False)
    return "\n".join([line for line, _ in lines]) + "\n"  # never empty: NO_COURSES
