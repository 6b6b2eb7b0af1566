"""The one way out of a command (in the spirit of HTTPie's `Environment`).

Every command gets one `Output` (from `cli.common.output`) and says everything through it:
data (a rendered document, JSON) and confirmation lines go to stdout; warnings, errors,
notices and safety notices go to stderr. It decides whether Rich draws (a terminal) or plain
text is written (a pipe, a file, `NO_COLOR`), so no command prints by itself.

Everything said here reaches a terminal safely (issue 15): plain text is passed through
`text_safety.terminal_safe` (no control character of a user's can drive the terminal), Rich
draws through the SafeConsole, JSON is ASCII, and a stderr that is gone never turns a
message into a second error.

Light on purpose: importing it costs no Rich; Rich is loaded only when something is drawn.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from itertools import islice
from typing import TYPE_CHECKING, Any, TextIO

from ipt_cli.views.text_safety import terminal_safe

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from ipt_cli.core.risk import RiskState
    from ipt_cli.core.safety import SafetyNotice


JSON_BATCH = 4096  # encoded pieces joined at a time (to_json)
PROGRESS_MIN = 50  # a shorter job is over before a bar could be read
PROGRESS_WIDTH = 30


def to_json(data: Any) -> str:
    """JSON as scripts get it: indented, keys in the order the view built them. ASCII only
    (\\u escapes): any stdout encoding carries it, and no control character reaches a
    terminal raw.

    Indented JSON is encoded piece by piece (a piece a key, a value, a bracket); the pieces
    are joined a batch at a time, not all held at once (json.dumps keeps a list of every
    piece: for a 2,000-session report, five times the size of the document)."""
    batches, batch = [], []
    for piece in json.JSONEncoder(indent=2, ensure_ascii=True).iterencode(data):
        batch.append(piece)
        if len(batch) == JSON_BATCH:
            batches.append("".join(batch))
            batch.clear()
    batches.append("".join(batch))
    batches.append("\n")
    return "".join(batches)


def json_array(items: Iterable[Any], batch: int = 256) -> Iterator[str]:
    """`to_json(list(items))` in pieces, `batch` items at a time: a long list (10,000
    courses) is never held whole, as objects or as text. The items of an indented array
    are indented alike in any part of it, so the parts' insides join into the whole.
    (Batches, not single items: json.dumps with an indent builds its encoder anew for
    each call, closures that refer to each other and wait for the cyclic collector.)"""
    opening, rest = "[\n", iter(items)
    while part := list(islice(rest, batch)):
        yield opening + json.dumps(part, indent=2, ensure_ascii=True)[2:-2]
        opening = ",\n"
    yield "[]\n" if opening == "[\n" else "\n]\n"


class Content(Enum):
    """What a finished document's text is, which decides how it may reach stdout."""

    PLAIN = "plain"  # ipt's text with user text in it: every control character shown visibly
    DRAWN = "drawn"  # drawn by the SafeConsole for this stdout: user text neutralised, colours kept
    EXACT = "exact"  # a format for programs (CSV, iCalendar): byte for byte into a pipe or file
    SAFE = "safe"  # no control character by construction (to_json's): written as it is


class Output:
    """Routes what a command says. The streams are looked up at each write, so a test
    runner that swaps sys.stdout for one invocation is honoured."""

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self._stdout = stdout
        self._stderr = stderr

    @property
    def stdout(self) -> TextIO:
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self._stderr or sys.stderr

    # stdout: data and confirmations
    paging = True  # `ipt --no-pager` turns it off for the invocation

    def data(self, text: str, *, content: Content = Content.PLAIN, page: bool = False) -> None:
        """A finished document (text, Markdown, JSON, HTML). ipt adds no escape codes of
        its own to PLAIN ones, so every control character in them is shown visibly; DRAWN
        text comes from the SafeConsole (user text neutralised, ipt's colours kept).
        EXACT: a format for programs (CSV, iCalendar), passed byte for byte into a pipe
        or file, and neutralised only when it is shown on a terminal. SAFE: text that holds
        no control character by construction (`to_json`'s, printable ASCII and newlines),
        written as it is wherever it goes (neutralising it would change nothing, at a cost of
        10 ms for a megabyte of JSON). `page`: a long document on a terminal goes through
        the pager."""
        as_it_is = content in (Content.DRAWN, Content.SAFE) or (
            content is Content.EXACT and not self._to_terminal()
        )
        shown = text if as_it_is else terminal_safe(text)
        if not (page and self._paged(shown)):
            self.stdout.write(shown)

    def _paged(self, text: str) -> bool:
        """Shown through the pager when it is long and a person is at the terminal
        (views/pager.py); False: the caller writes it."""
        if not self.paging:
            return False
        # lazy: keeps views.pager (14 modules) off start-up
        from ipt_cli.views import pager

        return pager.wants_pager(text, self.stdout) and pager.page(text, self.stdout, self.encoding)

    def _to_terminal(self) -> bool:
        try:
            return self.stdout.isatty()
        except (AttributeError, ValueError, OSError):
            return False

    def draws_for_terminal(self) -> bool:
        """Whether Rich would draw stdout as a terminal (styles, colours): Rich's own rule
        (TTY_COMPATIBLE, then FORCE_COLOR, then isatty), decided without importing Rich.
        When not, a view may write its plain text itself, exactly as Rich would have."""
        tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
        if tty_compatible in ("0", "1"):
            return tty_compatible == "1"
        force_color = os.environ.get("FORCE_COLOR")
        if force_color is not None:
            return force_color != ""
        return self._to_terminal()

    def plain_width(self) -> int:
        """The width Rich lays plain output out in (see `draws_for_terminal`): COLUMNS, else
        the size of the first of stdin, stdout and stderr that is a terminal, else 80."""
        columns = os.environ.get("COLUMNS")
        if columns is not None and columns.isdigit():
            return int(columns)
        for fd in (0, 1, 2):
            try:
                return os.get_terminal_size(fd).columns or 80
            except (AttributeError, ValueError, OSError):
                continue
        return 80

    @property
    def encoding(self) -> str:
        """stdout's encoding, as Rich reads it."""
        return (getattr(self.stdout, "encoding", "utf-8") or "utf-8").lower()

    def json(self, value: Any) -> None:
        self.data(to_json(value), content=Content.SAFE)

    def json_list(self, items: Iterable[Any]) -> None:
        """Exactly `json(list(items))`, written as the items come (see `json_array`)."""
        for piece in json_array(items):
            self.data(piece)

    def done(self, message: str) -> None:
        """The one-line confirmation of a write (a plain line: no Rich needed)."""
        self.data(message.rstrip("\n") + "\n")

    def show(self, renderable: RenderableType, soft_wrap: bool = False, page: bool = False) -> None:
        """Draw a Rich renderable for this terminal, or as plain text into a pipe or file
        (soft_wrap: lines already fitted to the width are never re-wrapped); `page`: long
        output on a terminal goes through the pager."""
        # lazy: keeps Rich off start-up
        from ipt_cli.views.terminal import emit, rendered

        if not page or not self.paging:
            emit(renderable, soft_wrap)
            return
        text = rendered(renderable, soft_wrap)
        if not self._paged(text):
            self.stdout.write(text)

    @property
    def console(self) -> Console:
        """The Rich console of stdout, for views and prompts that draw as they go."""
        # lazy: keeps Rich off start-up
        from ipt_cli.views.console import out

        return out()

    # stderr: diagnostics and messages for the person, never mixed into the data
    def message(self, text: str) -> None:
        """A plain line about what happened (e.g. which file was written)."""
        self._say(text.rstrip("\n") + "\n")

    def warn(self, message: str) -> None:
        self._say(f"ipt: {message}\n")

    def error(self, message: str) -> None:
        self._say(f"ipt: error: {message}\n")

    def _say(self, text: str) -> None:
        """To stderr, neutralised (messages name files and ids a user chose); a stderr
        that is closed or broken must not turn what is said into a second failure."""
        try:
            self.stderr.write(terminal_safe(text))
            self.stderr.flush()
        except (OSError, ValueError):
            pass

    def progress(self, label: str) -> Callable[[int, int], None] | None:
        """A progress bar on stderr for a long job, `show(done, total)`: only when stderr is a
        terminal (never into a pipe or a log), only for PROGRESS_MIN items or more, redrawn
        in place at each percent and erased when the job is done. None: nothing to show."""
        if not self._stderr_is_terminal():
            return None
        drawn = [-1]  # the percent last drawn

        def show(done: int, total: int) -> None:
            percent = done * 100 // total if total else 100
            if total < PROGRESS_MIN or percent == drawn[0]:
                return
            drawn[0] = percent
            filled = percent * PROGRESS_WIDTH // 100
            line = f"{label} [{'#' * filled}{'-' * (PROGRESS_WIDTH - filled)}] {done}/{total}"
            end = "\r" + " " * len(line) + "\r" if done >= total else ""
            try:
                self.stderr.write("\r" + line + end)
                self.stderr.flush()
            except (OSError, ValueError):
                pass

        return show

    def notice(self, message: str, style: str = "yellow") -> None:
        """A line for the person at the terminal (coloured there, plain elsewhere)."""
        # lazy: keeps Rich off start-up
        from ipt_cli.views.terminal import notice

        notice(message, style)

    def alert(self, text: str) -> None:
        """A screen's alert (the ASRM's MANIA ALERT) the moment its score is recorded, in
        the report's words, never hidden: on stderr, in red on a terminal, and one unbroken
        line into a pipe or a log (a grep finds it whole)."""
        if self._stderr_is_terminal():
            self.notice(text, style="bold red")
        else:
            self._say(text.rstrip("\n") + "\n")

    def _stderr_is_terminal(self) -> bool:
        try:
            return self.stderr.isatty()
        except (AttributeError, ValueError, OSError):
            return False

    def open_flags(self, lines: list[str], self_guided: bool) -> None:
        """The flags still unreviewed from other sittings, said after a write's
        confirmation (`wording.still_open_lines`): on stderr, as the SAFETY notice is, so
        that they reach a person when stdout is piped; in red on a terminal, one unbroken
        line each into a pipe or a log. `self_guided`: the crisis guidance follows."""
        if not lines:
            return
        if self_guided:
            # lazy: keeps the catalogue off the everyday outputs
            from ipt_cli.core.catalogue import CRISIS_GUIDANCE

            lines = [*lines, CRISIS_GUIDANCE]
        for line in lines:
            if self._stderr_is_terminal():
                self.notice(line, style="bold red")
            else:
                self._say(line.rstrip("\n") + "\n")

    def still_open(
        self,
        state: RiskState,
        self_guided: bool,
        *,
        other_sessions: bool = True,
        follow_up: bool = False,
        member: str | None = None,
    ) -> None:
        """The risk state's flags still unreviewed (`wording.still_open_lines`; and, with
        `follow_up`, the FOLLOW-UP a missed appointment owes), after a write's confirmation,
        as open_flags says them; `member`: a group member's course id before the first line.
        Nothing when nothing waits."""
        if not (state.flags or (follow_up and state.follow_up)):
            return
        # lazy: keeps the shared wording (progress, planning) off a write with nothing open
        from ipt_cli.views.wording import still_open_lines

        lines = still_open_lines(state, other_sessions)
        lines += [f"FOLLOW-UP: {state.follow_up}"] if follow_up and state.follow_up else []
        if member is not None:
            lines[0] = f"{member}: {lines[0]}"
        self.open_flags(lines, self_guided)

    def safety(self, notice: SafetyNotice, self_guided: bool) -> None:
        """The SAFETY notice shown the moment a risk item is scored: never hidden, never
        truncated, always on stderr so that it reaches a person even when stdout is piped.
        A notice of history only (a lifetime "yes" as before) is said plainly, without the
        box's "Review risk now"."""
        if notice.history_only:
            for line in notice.lines:
                self.notice(f"Risk history: {line}.")
            if self_guided:  # a self-guided course always carries where to turn
                # lazy: keeps the catalogue off the everyday outputs
                from ipt_cli.core.catalogue import CRISIS_GUIDANCE

                self.notice(CRISIS_GUIDANCE)
            return
        # lazy: keeps Rich off start-up
        from ipt_cli.views.terminal import safety_notice

        safety_notice(notice, self_guided)
