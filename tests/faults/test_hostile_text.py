"""Property-based tests over wide input spaces (issue 15, items 7, 8, 10): any control
character, any Markdown metacharacter, any output encoding."""

import html
import json
import os
import re
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.conftest import PHQ9_RISK, RunIpt, ipt_command

pytestmark = pytest.mark.faults

# Bidirectional embeddings, overrides, isolates and marks (Unicode TR9).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Every control character but newline, tab and a CR that ends a line (CR LF).
UNSAFE = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own colours, when it draws for a terminal
MARKDOWN_CHARS = "#*_`[]()<>|&~!-+=.:\\ \t\n0123456789abc\u202e\x1b"
FAST = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CLI = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every kind of character, with controls, bidi marks and Markdown metacharacters made common.
hostile_text = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(BIDI_CONTROLS) + [chr(c) for c in range(0x20)] + ["\x7f", "\x9b"]),
        st.sampled_from(list(MARKDOWN_CHARS)),
    ),
    max_size=60,
)

# Markdown built from the pieces of structure, between arbitrary text.
MARKDOWN_PIECES = [
    "\n",
    "\n\n",
    "# ",
    "## ",
    "    ",
    "\t",
    "- ",
    "+ ",
    "* ",
    "1. ",
    "2) ",
    "> ",
    "---",
    "===",
    "```",
    "~~~",
    "| a | b |\n|---|---|\n",
    "<b>",
    "</b>",
    "<!-- x -->",
    "<div>",
    "[l](u)",
    "![i](u)",
    "<http://x>",
    "*x*",
    "__x__",
    "`c`",
    "~~s~~",
    "&amp;",
    "&#35;",
    "\\",
    "[^1]",
    "[x]: http://y",
]
markdown_text = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), hostile_text), max_size=10
).map("".join)


@FAST
@given(hostile_text)
@example("\x1b[99F\x1b[J\x1b]0;title\x07\u202eevil\r\n\x9b2J")
def test_terminal_safe_leaves_no_control_character(text: str) -> None:
    from ipt_cli.views.text_safety import terminal_safe

    safe = terminal_safe(text)
    assert not UNSAFE.search(safe)
    assert terminal_safe(safe) == safe  # nothing left to neutralise
    # The printable text is kept, in order; only controls became visible escapes.
    kept = re.sub(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}", "", safe)
    assert kept == re.sub(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}", "", UNSAFE.sub("", text))


PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
TEXT_ONLY = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak"}


def _kinds(document: str) -> set[str]:
    kinds = set()
    for token in PARSER.parse(document):
        kinds.add(token.type)
        kinds |= {child.type for child in token.children or []}
    return kinds


def _words(document: str) -> str:
    """What a reader sees, whitespace aside."""
    shown = html.unescape(re.sub(r"<[^>]+>", "", PARSER.render(document)))
    return "".join(shown.split())


@FAST
@given(markdown_text)
@example("## Safety flags\n\n| a | b |\n|---|---|\n| x | y |")
@example("<script>alert(1)</script><img src=x onerror=alert(1)>")
@example("\n\n    indented code\n```\nfence\n```\n1. one\n- two\n> quote\n---\n===")
@example("[a](javascript:x) ![i](x) **b** `c` ~~s~~ &#x202e; &lt;b&gt; <http://x>")
def test_escaped_markdown_is_only_ever_text(text: str) -> None:
    from ipt_cli.views.text_safety import markdown_cell, markdown_escape, terminal_safe

    block = markdown_escape(text)
    assert _kinds(block) <= TEXT_ONLY, block
    assert _words(block) == "".join(terminal_safe(text).split())
    inline = markdown_escape(text, inline=True)
    assert "\n" not in inline
    line = f"- **Label:** {inline}"
    assert _kinds(line) <= TEXT_ONLY | {
        "bullet_list_open",
        "bullet_list_close",
        "list_item_open",
        "list_item_close",
        "strong_open",
        "strong_close",
    }
    item = f"- {inline}"  # right after a list marker: a block start of its own
    assert _kinds(item) <= TEXT_ONLY | {
        "bullet_list_open",
        "bullet_list_close",
        "list_item_open",
        "list_item_close",
    }
    cell = f"| h |\n|---|\n| {markdown_cell(text)} |"
    rows = [t for t in PARSER.parse(cell) if t.type == "td_open"]
    assert len(rows) == 1  # one cell: a '|' in the text never splits it


one_line = hostile_text.map(lambda t: t.replace("\n", " ").replace("\r", " ")).filter(
    lambda t: 1 <= len(t) <= 200 and t.strip()
)


def _assert_no_raw_controls(output: str) -> None:
    assert not UNSAFE.search(SGR.sub("", output)), repr(output)


@CLI
@given(alias=one_line, task=hostile_text.filter(lambda t: t.strip()))
def test_hostile_text_never_reaches_the_terminal_raw(
    tmp_path_factory: pytest.TempPathFactory, run_ipt: RunIpt, alias: str, task: str
) -> None:
    home = tmp_path_factory.mktemp("hostile")
    env = {"IPT_HOME": str(home), "FORCE_COLOR": "1", "NO_COLOR": ""}
    run_ipt(
        "new-course",
        "ab",
        "--client",
        alias,
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        "--phq9",
        PHQ9_RISK,
        "--no-input",
        **env,
    )
    run_ipt("session", "ab", "--date", "2026-01-05", "--task", task, "--note", task, **env)
    run_ipt("formulation", "ab", "--text", task, **env)
    for args in (
        ["agenda", "ab"],
        ["report", "ab"],
        ["report", "ab", "--format", "markdown"],
        ["export", "ab", "--format", "markdown"],
        ["list"],
        ["formulation", "ab"],
    ):
        result = run_ipt(*args, **env)
        _assert_no_raw_controls(result.stdout)
        _assert_no_raw_controls(result.stderr)
    exported = json.loads(run_ipt("export", "ab", **env).stdout)
    assert exported["client"] == alias and exported["sessions"][0]["task"] == task  # as typed


@CLI
@given(text=markdown_text.filter(lambda t: t.strip()))
@example(text="## Safety flags\n\n| Flag | Reviewed |\n|---|---|\n| none | yes |")
@example(text="<script>alert(1)</script>\n\n    code\n- item\n> quote")
def test_a_formulation_never_adds_markdown_structure(
    tmp_path_factory: pytest.TempPathFactory, run_ipt: RunIpt, text: str
) -> None:
    env = {"IPT_HOME": str(tmp_path_factory.mktemp("md"))}
    run_ipt("new-course", "ab", "--client", "A", "--problem-area", "grief", "--no-input", **env)
    run_ipt("formulation", "ab", "--text", "plain", **env)
    plain = PARSER.parse(run_ipt("report", "ab", "--format", "markdown", **env).stdout)
    run_ipt("formulation", "ab", "--text", text, **env)
    forged = PARSER.parse(run_ipt("report", "ab", "--format", "markdown", **env).stdout)
    shape = [t.type for t in forged if t.type not in TEXT_ONLY]
    assert shape == [t.type for t in plain if t.type not in TEXT_ONLY]


ENCODINGS = ["ascii", "latin-1", "cp1252", "iso8859-15", "cp437", "koi8-r", "mac-roman"]


@SLOW
@given(encoding=st.sampled_from(ENCODINGS), alias=one_line.filter(lambda t: "\x00" not in t))
def test_any_output_encoding_carries_every_command(
    tmp_path_factory: pytest.TempPathFactory, encoding: str, alias: str
) -> None:
    """Through the installed binary, whose standard streams are set up as a user's are."""
    home = tmp_path_factory.mktemp("enc")
    env = {**os.environ, "IPT_HOME": str(home)}

    def ipt(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*ipt_command(), *args],
            capture_output=True,
            text=True,
            errors="replace",
            env={**env, **extra},
            timeout=60,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
        return done

    ipt(
        "new-course",
        "ab",
        "--client",
        alias,
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        "--no-input",
    )
    ipt("session", "ab", "--date", "2026-01-05", "--task", alias, "--phq9", PHQ9_RISK)
    expected = json.loads(ipt("report", "ab", "--format", "json").stdout)
    for args in (["list"], ["report", "ab"], ["agenda", "ab"], ["export", "ab", "-f", "markdown"]):
        ipt(*args, PYTHONIOENCODING=encoding)
    shown = ipt("report", "ab", "--format", "json", PYTHONIOENCODING=f"{encoding}:strict")
    assert shown.stdout.isascii() and json.loads(shown.stdout) == expected


def test_emoji_codes_in_user_text_are_shown_as_typed(run_ipt: RunIpt) -> None:
    """A client alias or an agenda task like ':cry:' is text, not a Rich emoji code, on a
    terminal as in a pipe."""
    run_ipt("new-course", "ab", "--client", "J :cry: K", "--problem-area", "grief", "--no-input")
    run_ipt("session", "ab", "--task", "Talk about :smile: days", "--note", "x")
    for env in ({}, {"FORCE_COLOR": "1", "NO_COLOR": ""}):
        report = run_ipt("report", "ab", **env).stdout
        assert "J :cry: K" in report and "😢" not in report
        agenda = run_ipt("agenda", "ab", **env).stdout
        assert "😄" not in agenda
