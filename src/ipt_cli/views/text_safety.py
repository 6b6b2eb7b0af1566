"""User text made safe for where it is shown. Pure functions; the stored text is never changed.

`terminal_safe`: nothing in a client alias, task, goal, note or file name can drive the
terminal (move the cursor, clear the screen, set the title, reorder the line). Every control
character is shown visibly instead: C0 except newline and tab, DEL, C1 (ESC starts every
escape sequence, so an ESC shown as `\\x1b` leaves the rest of the sequence as plain text),
and the Unicode bidirectional controls, which reorder what is displayed.

`markdown_escape`: user text inside a Markdown document stays text: it can never add a
heading, a list, a quote, a table, a code block, a link, emphasis or raw HTML.

Every renderer calls these on user text; search for `terminal_safe(` and `markdown_escape(`.
"""

from __future__ import annotations

import re

# Bidirectional controls: embeddings, overrides, isolates and marks (Unicode TR9).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# A CR is unsafe alone (it returns to the line start, to overwrite it); CR LF is a line end.
_UNSAFE = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# The same characters, CR included, as one class: the regular expression engine scans for a
# class three times as fast as for an alternation (a megabyte: 4 ms instead of 12); a CR
# that ends a line is let through where it is found (`_visible`).
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def _visible(match: re.Match[str]) -> str:
    found = match.group()
    if found == "\r" and match.string.startswith("\n", match.end()):
        return found  # CR LF: a line end
    code = ord(found)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\u202e`); newline,
    tab and a CR LF line end (CSV and iCalendar use them) are kept."""
    return _CONTROLS.sub(_visible, text)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


# Characters that can open inline structure anywhere in a line: emphasis, code, links and
# images, raw HTML and autolinks, entity references, GFM tables and strikethrough. ('>'
# matters only at a line start, as a quote: with every '<' escaped it closes no tag.)
_INLINE = re.compile(r"([\\`*_\[\]<|&~])")
# What can open block structure at the start of a line (after any indentation).
_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def _escape_inline(text: str) -> str:
    return _INLINE.sub(r"\\\1", text)


def _escape_line(line: str) -> str:
    stripped = line.lstrip(" \t")
    leading = line[: len(line) - len(stripped)]
    # Indentation could open a code block; no-break spaces keep the look, not the meaning.
    indent = "&nbsp;" * (leading.count(" ") + 4 * leading.count("\t"))
    escaped = _escape_inline(stripped)
    start = _LINE_START.match(escaped)
    if start:
        lead = start.group()
        escaped = (lead[:-1] + "\\" + lead[-1]) + escaped[len(lead) :]
    return indent + escaped


def markdown_escape(text: str, *, inline: bool = False) -> str:
    """`text` for a Markdown document, where it can only ever be text. Control characters
    are shown visibly (as on a terminal).

    inline=False: a block of its own (a formulation, a note); its line breaks are kept, and
    each line is escaped as a line start. inline=True: one line (its line breaks become
    spaces), for a heading's title or a list item: escaped as a line start too, since the
    text after a list marker starts a block of its own ("- # x" is a heading in a list).
    """
    safe = terminal_safe(text).replace("\r\n", "\n")
    if inline:
        return _escape_line(" ".join(safe.split("\n")))
    return "\n".join(_escape_line(line) for line in safe.split("\n"))


def markdown_cell(text: str) -> str:
    """`text` for a GFM table cell: one line, inline escaping (a cell holds no blocks, so
    a leading '-' or '1.' is left as it is)."""
    return _escape_inline(" ".join(terminal_safe(text).replace("\r\n", "\n").split("\n")))
