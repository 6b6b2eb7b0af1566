"""A clinician's walk-through of `ipt report`, `ipt plan` and `ipt agenda` (text, Markdown,
HTML) found words that could mislead: the EPDS's and the ASRM's Severity read "n/a"; a mania
alert sat under OUTCOME WARNINGS; the HTML charts did not mark a flagged sitting; the IPSRT
rhythm line kept a stray bracket; "Termination checklist (done)" did not say what was done.
Each is checked here on what the real `ipt` prints."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import EXAMPLES

Bin = Callable[..., subprocess.CompletedProcess[str]]

EPDS_16 = "2,2,2,2,2,2,1,1,1,1"  # 16: probable depression (item 10 = 1: a flag)
EPDS_11 = "2,1,1,1,1,1,1,1,1,1"  # 11: possible depression (item 10 = 1: a flag)
EPDS_7 = "1,1,1,1,1,1,1,0,0,0"  # 7: below the cut-off (10), no flag
PHQ9_15 = "2,2,2,2,2,2,2,1,0"  # 15
PHQ9_14 = "2,2,2,2,2,2,1,1,0"  # 14


def _cells(html: str, first: str) -> list[list[str]]:
    """The rows (as cell texts) of the HTML tables whose first cell is `first`."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append("".join(self.cell).strip())
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(html)
    return [row for row in parser.rows if row and row[0] == first]


def _flat(text: str) -> str:
    """Text with its box borders and line breaks gone: words as they read."""
    return " ".join(re.sub(r"[│┃╭╮╰╯━─┏┓┗┛]", " ", text).split())


def _perinatal(ipt_setup: Bin) -> None:
    ipt_setup("new-course", "pn", "--client", "P.N.", "--start", "2026-01-05", "--sessions",
              "8", "--problem-area", "role-transition", "--adaptation", "perinatal",
              "--no-input", "--epds", EPDS_16, "--phq9", PHQ9_14)  # fmt: skip
    ipt_setup("session", "pn", "--date", "2026-01-12", "--epds", EPDS_11, "--no-input")
    ipt_setup("session", "pn", "--date", "2026-01-19", "--epds", EPDS_7, "--no-input")


def _ipsrt(ipt_setup: Bin, *asrm: str) -> None:
    """An IPSRT course of 4 sessions: PHQ-9 15 at the assessment, then 14 at sessions 1 and 2
    (not on track at session 2: no reliable fall, still a case), with these ASRM scores."""
    ipt_setup("new-course", "bp", "--client", "B.P.", "--start", "2026-01-05", "--sessions",
              "4", "--problem-area", "lost-healthy-self", "--adaptation", "ipsrt",
              "--no-input", "--phq9", PHQ9_15, "--asrm", asrm[0])  # fmt: skip
    for day, items in zip(("2026-01-12", "2026-01-19"), asrm[1:], strict=True):
        ipt_setup("session", "bp", "--date", day, "--phq9", PHQ9_14, "--asrm", items,
                  "--no-input")  # fmt: skip


# 1. The Severity column of the EPDS and the ASRM: their screen reading, not "n/a".


def test_the_epds_severity_is_its_screen_reading_in_every_format(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    _perinatal(ipt_setup)
    wide = {"COLUMNS": "120"}  # the measures table on one line a row
    text = ipt_bin("report", "pn", env=wide).stdout
    row = next(line for line in text.splitlines() if line.strip().startswith("EPDS   "))
    assert row.split()[:4] == ["EPDS", "16", "7", "-56%"]
    assert row.split()[4:] == ["below", "the", "cut-off", "(10)", "n/a", "n/a", "improvement"]
    chart = text[text.index("EPDS by session") : text.index("PHQ-9 by session")]
    assert "16  probable depression" in chart and "11  possible depression" in chart
    assert "7   below the cut-off (10)" in chart
    markdown = ipt_bin("report", "pn", "--format", "markdown").stdout
    assert "| EPDS | 16 | 7 | -56% | below the cut-off (10) | n/a | n/a | improvement |" in markdown
    assert "| 0 | 2026-01-05 | 16 | probable depression |" in markdown
    assert "| 1 | 2026-01-12 | 11 | possible depression |" in markdown
    html = ipt_bin("report", "pn", "--format", "html").stdout
    assert _cells(html, "EPDS")[0][4] == "below the cut-off (10)"
    assert _cells(html, "Baseline")[0][:4] == [
        "Baseline",
        "2026-01-05",
        "16",
        "probable depression",
    ]


def test_the_asrm_severity_says_possible_hypomania_at_6_or_more(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    _ipsrt(ipt_setup, "1,1,0,1,0", "0,1,0,1,0", "2,2,2,2,1")  # 3, 2, 9
    text = ipt_bin("report", "bp", env={"COLUMNS": "120"}).stdout
    row = next(line for line in text.splitlines() if line.strip().startswith("ASRM   "))
    assert row.split()[:3] == ["ASRM", "3", "9"] and "possible (hypo)mania" in row
    chart = text[text.index("ASRM by session") :]
    assert "2  below the cut-off (6)" in chart and "9  possible (hypo)mania" in chart
    markdown = ipt_bin("report", "bp", "--format", "markdown").stdout
    assert "| ASRM | 3 | 9 | n/a | possible (hypo)mania | n/a | n/a | n/a |" in markdown
    html = ipt_bin("report", "bp", "--format", "html").stdout
    assert _cells(html, "ASRM")[0][4] == "possible (hypo)mania"


# 2. A mania alert is a safety matter with a heading of its own, never an outcome warning.


def test_a_mania_alert_has_its_own_safety_heading_in_the_report_and_the_agenda(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    _ipsrt(ipt_setup, "1,1,0,1,0", "0,1,0,1,0", "2,2,2,2,1")  # ASRM 9 at session 2
    mania = "MANIA ALERT: ASRM 9 at session 2 (2026-01-19)"
    lagging = "not on track: PHQ-9 15 -> 14 at session 2"
    for args in (("report", "bp"), ("agenda", "bp")):
        shown = _flat(ipt_bin(*args).stdout)
        safety, outcomes = shown.index("SAFETY: MANIA ALERT"), shown.index("OUTCOME WARNINGS")
        assert safety < shown.index(mania) < outcomes < shown.index(lagging), args
        assert mania not in shown[outcomes:], args  # never among the outcome warnings
    for args in (("report", "bp"), ("agenda", "bp")):
        markdown = ipt_bin(*args, "--format", "markdown").stdout
        block = markdown[markdown.index("> **SAFETY: MANIA ALERT**") :]
        block = block[: block.index("\n\n")]
        assert f"> - {mania}" in block and lagging not in block, args
        warnings = markdown[markdown.index("> **WARNING: outcomes to act on**") :]
        assert f"> - {lagging}" in warnings and mania not in warnings, args
    html = unescape(ipt_bin("report", "bp", "--format", "html").stdout)
    box = re.search(r'<div class="flags"><p>SAFETY: MANIA ALERT</p><ul><li>([^<]*)</li></ul>', html)
    assert box is not None and box.group(1).startswith(mania)
    warnings = re.search(r'<div class="warnings"><p>WARNING: outcomes to act on</p>.*?</div>', html)
    assert warnings is not None and lagging in warnings.group() and mania not in warnings.group()
    # The JSON contract is unchanged: one `alerts` list, the mania alert first, by kind.
    report = json.loads(ipt_bin("report", "bp", "--format", "json").stdout)
    assert [a["kind"] for a in report["alerts"]] == ["mania", "not-on-track"]
    agenda = json.loads(ipt_bin("agenda", "bp", "--format", "json").stdout)
    assert agenda["alerts"][0].startswith(mania) and agenda["alerts"][1].startswith(lagging)


def test_unreviewed_flags_come_before_the_mania_alert_in_every_format(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """The Markdown agenda put the mania box above the unreviewed flags; every other view
    puts the flags first."""
    _ipsrt(ipt_setup, "1,1,0,1,0", "0,1,0,1,0", "2,2,2,2,1")  # ASRM 9 at session 2
    ipt_setup("session", "bp", "--date", "2026-01-26", "--phq9", "2,2,2,2,2,2,1,1,1",
              "--asrm", "2,2,2,2,1", "--no-input")  # fmt: skip
    views = [(a, f) for a in ("report", "agenda") for f in ("text", "markdown")]
    for args, form in [*views, ("report", "html")]:
        shown = unescape(ipt_bin(args, "bp", "--format", form).stdout)
        assert shown.upper().index("UNREVIEWED") < shown.index("MANIA ALERT"), (args, form)


def test_without_a_mania_alert_no_safety_alert_heading_is_shown(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    _ipsrt(ipt_setup, "1,1,0,1,0", "0,1,0,1,0", "1,0,0,1,0")  # the ASRM stays below 6
    for args in (("report", "bp"), ("agenda", "bp")):
        for fmt in ("text", "markdown"):
            shown = ipt_bin(*args, "--format", fmt).stdout
            assert "MANIA ALERT" not in shown and "not on track" in shown, (args, fmt)


# 3. The HTML charts mark each point whose sitting raised a safety flag, and say which.


def test_the_html_charts_mark_the_flagged_sittings_and_say_which(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    _perinatal(ipt_setup)  # EPDS item 10 = 1 at the baseline and at session 1
    html = ipt_bin("report", "pn", "--format", "html").stdout
    epds = html[html.index("<h3>EPDS by session</h3>") : html.index("<h3>PHQ-9 by session</h3>")]
    svg = epds[epds.index("<svg") : epds.index("</svg>")]
    marks = re.findall(r'<g class="flag"><title>([^<]*)</title>', svg)
    assert marks == [
        "baseline: EPDS item 10 = 1, not reviewed",
        "session 1: EPDS item 10 = 1, not reviewed",
    ]
    assert svg.count(">!</text>") == 3  # under the two points' sessions, and in the legend
    assert "a safety flag was raised at this sitting" in svg  # the legend line
    caption = re.search(r"<figcaption>([^<]*)</figcaption>", epds)
    assert caption is not None and caption.group(1) == (
        "Safety flag raised at: baseline (2026-01-05): EPDS item 10 = 1, not reviewed; "
        "session 1 (2026-01-12): EPDS item 10 = 1, not reviewed."
    )
    rows = {row[0]: row for row in _cells(epds, "Baseline") + _cells(epds, "1") + _cells(epds, "2")}
    assert rows["Baseline"][-1] == rows["1"][-1] == "EPDS item 10 = 1, not reviewed"
    assert rows["2"][-1] == ""  # session 2 raised no flag
    phq9 = html[html.index("<h3>PHQ-9 by session</h3>") :]
    phq9 = phq9[: phq9.index("</figure>")]
    assert "Safety flag raised at: baseline (2026-01-05)" in phq9  # the same sitting
    ipt_setup("risk-review", "pn", "--session", "1", "--note", "Passing thought; safe.",
              "--ideation", "passive", "--level", "low", "--action", "Plan reviewed.")  # fmt: skip
    reviewed = ipt_bin("report", "pn", "--format", "html").stdout
    assert "session 1 (2026-01-12): EPDS item 10 = 1, reviewed." in reviewed


def test_an_html_report_without_a_flag_has_no_flag_mark(ipt_bin: Bin, ipt_setup: Bin) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
              "--problem-area", "grief", "--no-input", "--phq9", PHQ9_14)  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_15, "--no-input")
    html = ipt_bin("report", "ab", "--format", "html").stdout
    assert 'class="flag"' not in html and "Safety flag raised at" not in html
    assert "<th>Safety flag</th>" not in html


def test_the_life_chart_marks_a_phq9_item_9_above_0(ipt_bin: Bin, ipt_setup: Bin) -> None:
    _ipsrt(ipt_setup, "1,1,0,1,0", "0,1,0,1,0", "1,0,0,1,0")
    ipt_setup("session", "bp", "--date", "2026-01-26", "--phq9", "1,1,1,1,1,1,1,1,1",
              "--no-input")  # fmt: skip
    ipt_setup("rhythm", "bp", "--date", "2026-01-20", "--out-of-bed", "07:30", "--mood", "0")
    html = ipt_bin("report", "bp", "--format", "html").stdout
    life = html[html.index("<h2>Life chart (IPSRT)</h2>") :]
    life = life[: life.index("<h2>", 5)]
    assert life.count('<g class="flag">') == 1 and "PHQ-9 item 9 above 0" in life
    assert "(a safety flag; see Safety flags) in the week of: 2026-01-19." in life


# 4. The IPSRT report's rhythm line: no stray bracket.


def test_the_rhythm_line_of_an_ipsrt_report_has_no_stray_bracket(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    ipt_setup("new-course", "bx", "--client", "B.X.", "--start", "2026-02-02", "--problem-area",
              "lost-healthy-self", "--adaptation", "ipsrt", "--no-input")  # fmt: skip
    text = _flat(ipt_bin("report", "bx").stdout)
    line = text[text.index("Rhythm log") : text.index("Measures")]
    assert line.strip() == "Rhythm log nothing logged yet: ipt rhythm bx --out-of-bed HH:MM ..."
    markdown = ipt_bin("report", "bx", "--format", "markdown").stdout
    assert (
        "- **Rhythm log:** nothing logged yet: ipt rhythm bx --out-of-bed HH:MM ...\n" in markdown
    )
    html = ipt_bin("report", "bx", "--format", "html").stdout
    cell = _cells(html, "Rhythm log")[0][1]
    assert cell == "nothing logged yet: ipt rhythm bx --out-of-bed HH:MM ..."
    for day in ("2026-02-03", "2026-02-04", "2026-02-05"):
        ipt_setup("rhythm", "bx", "--date", day, "--out-of-bed", "07:30", "--mood", "1")
    text = _flat(ipt_bin("report", "bx").stdout)
    markdown = ipt_bin("report", "bx", "--format", "markdown").stdout
    html = ipt_bin("report", "bx", "--format", "html").stdout
    logged = "week to 2026-02-05, SRM 3 of 7, 3 days logged (ipt rhythm bx report)"
    assert text[text.index("Rhythm log") : text.index("Measures")].strip() == f"Rhythm log {logged}"
    assert f"- **Rhythm log:** {logged}\n" in markdown
    assert _cells(html, "Rhythm log")[0][1] == logged


# 5. The termination checklist says what is done: its items, counted.


def test_the_termination_checklist_counts_what_is_done(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path
) -> None:
    _perinatal(ipt_setup)
    for day in ("2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"):
        ipt_setup("session", "pn", "--date", day, "--epds", EPDS_7, "--no-input")
    # the next session is the first of the termination phase (7 of 8): none held yet
    ipt_setup("ending", "pn", "--warning-sign", "Not sleeping", "--feelings-discussed",
              "--remaining", "Return to work", "--no-input")  # fmt: skip
    title = "Termination checklist: 3 of 5 done"
    text = _flat(ipt_bin("report", "pn").stdout)
    assert title in text and "(done)" not in text and "open)" not in text
    assert f"## {title}\n" in ipt_bin("report", "pn", "--format", "markdown").stdout
    assert f"<h2>{title}</h2>" in ipt_bin("report", "pn", "--format", "html").stdout
    (data_home / "courses").mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "transition-retirement.toml", data_home / "courses")
    done = {"IPT_TODAY": "2026-06-01"}
    text = _flat(ipt_bin("report", "transition-retirement", env=done).stdout)
    assert "Termination checklist: all 5 done" in text and "(done)" not in text
    markdown = ipt_bin("report", "transition-retirement", "--format", "markdown", env=done)
    assert "## Termination checklist: all 5 done\n" in markdown.stdout
    html = ipt_bin("report", "transition-retirement", "--format", "html", env=done).stdout
    assert "<h2>Termination checklist: all 5 done</h2>" in html


def test_the_markdown_by_session_tables_mark_the_flagged_sittings(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """Which sittings raised a flag was shown in the HTML charts only (the fresh clinician's
    walk-through of the fourth session): the Markdown by-session table says it too."""
    _perinatal(ipt_setup)  # EPDS item 10 = 1 at the baseline and at session 1
    markdown = ipt_bin("report", "pn", "--format", "markdown").stdout
    table = markdown.split("### EPDS by session", 1)[1].split("\n\n", 2)[1]
    rows = [row.split(" | ") for row in table.splitlines()]
    assert rows[0][-1] == "Safety flag |"
    assert rows[2][0] == "| 0" and rows[2][-1] == "EPDS item 10 = 1, not reviewed |"
    assert rows[3][0] == "| 1" and rows[3][-1].startswith("EPDS item 10 = 1, not reviewed")
    assert rows[4][0] == "| 2" and rows[4][-1].strip() == "|"  # EPDS 7, item 10 = 0: no flag
