"""What a new user meets first (issue 27): `ipt --help` grouped by task with nothing cut,
and a mistyped command or course id answered with the nearest ones."""

import re

import pytest

from ipt_cli.cli.app import COMMANDS, HELP_SECTIONS
from tests.conftest import PHQ9_MODERATE

pytestmark = pytest.mark.e2e


def test_help_groups_the_commands_by_task_and_cuts_no_description(ipt_bin) -> None:
    shown = ipt_bin("--help", env={"COLUMNS": "80"}).stdout
    headings = re.findall(r"^(\w[\w ]*):$", shown, flags=re.MULTILINE)
    assert headings == ["Options", *HELP_SECTIONS]
    commands = shown.split("Options:")[1].split("Examples:")[0]
    assert "…" not in commands and "..." not in commands
    assert "merge-driver" not in shown  # git runs it, not a person
    listed = re.findall(r"^  ([a-z][a-z-]+)  ", shown, flags=re.MULTILINE)
    assert sorted(listed) == sorted(n for n in COMMANDS if n != "merge-driver")
    placed = [n for names in HELP_SECTIONS.values() for n in names]
    assert sorted(placed) == sorted(n for n in COMMANDS if n != "merge-driver")
    # a description that does not fit wraps onto the next line, whole
    assert "Renegotiate the number of sessions (history kept);" in shown
    assert "--maintenance: the maintenance contract's." in shown


def test_a_mistyped_command_names_the_nearest(ipt_bin) -> None:
    done = ipt_bin("sesion", check_code=2)
    assert done.stderr == (
        "ipt: error: no such command 'sesion'; did you mean: session, sign? (see: ipt --help)\n"
    )
    assert "did you mean" not in ipt_bin("xyzzy", check_code=2).stderr
    assert ipt_bin("merge-driver", "--help").returncode == 0  # hidden, still there for git


def test_a_mistyped_course_id_names_the_nearest(ipt_bin, ipt_setup) -> None:
    ipt_setup("new-course", "ab-2026", "--client", "A.B.", "--problem-area", "grief",
              "--start", "2026-01-05", "--phq9", PHQ9_MODERATE)  # fmt: skip
    done = ipt_bin("report", "ab2026", check_code=3)
    assert done.stderr.endswith("; did you mean: ab-2026?\n")
    assert "see: ipt list --all" in ipt_bin("report", "zz", check_code=3).stderr


# Item 13: long output on a terminal goes through a pager -----------------------------


def _fake_pager(tmp_path) -> str:
    script = tmp_path / "pager.sh"
    script.write_text('#!/bin/sh\nlines=$(wc -l)\necho "PAGED $lines LINES"\n')
    script.chmod(0o755)
    return str(script)


def test_long_output_on_a_terminal_goes_through_the_pager(data_home, tmp_path) -> None:
    import os

    from tests.conftest import ipt_command
    from tests.e2e.pty_driver import Terminal

    env = {**os.environ, "PAGER": _fake_pager(tmp_path)}
    term = Terminal([*ipt_command(), "guide"], env, columns=100)  # 50 lines high
    term.expect("PAGED")
    assert term.finish() == 0
    paged = int(term.screen.split("PAGED")[1].split()[0])
    assert paged > 200 and "Phases of IPT" not in term.screen  # all of it, to the pager
    short = Terminal([*ipt_command(), "guide", "safety"], env, columns=100)
    assert short.finish() == 0
    assert "PAGED" not in short.screen and "Safety" in short.screen  # fits: no pager
    off = Terminal([*ipt_command(), "--no-pager", "guide"], env, columns=100)
    off.expect("Phases of IPT")
    assert off.finish() == 0 and "PAGED" not in off.screen


def test_a_pipe_is_never_paged(ipt_bin, tmp_path) -> None:
    done = ipt_bin("guide", env={"PAGER": _fake_pager(tmp_path)})
    assert "PAGED" not in done.stdout and done.stdout.startswith("# Phases of IPT")


# Items 10 and 11: --json wherever --format json is; the file's extension chooses ------


def test_json_everywhere_and_the_extension_chooses_the_format(
    ipt_bin, ipt_setup, data_home
) -> None:
    import json

    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief",
              "--start", "2026-01-05", "--phq9", PHQ9_MODERATE)  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_MODERATE, "--note", "x")
    for args in (("report", "ab"), ("agenda", "ab"), ("plan", "ab"), ("note", "ab", "1"),
                 ("safety-plan", "ab"), ("rhythm", "ab", "report")):  # fmt: skip
        assert json.loads(ipt_bin(*args, "--json").stdout)["course_id"] == "ab", args
    out = data_home.parent
    ipt_bin("report", "ab", "-o", str(out / "r.html"))
    assert (out / "r.html").read_text().startswith("<!DOCTYPE html>")
    ipt_bin("note", "ab", "1", "-o", str(out / "n.md"))
    assert (out / "n.md").read_text().startswith("#")
    ipt_bin("export", "ab", "-o", str(out / "s.csv"))
    assert (out / "s.csv").read_text().startswith("course_id,")
    clash = ipt_bin("report", "ab", "--format", "text", "-o", str(out / "x.html"), check_code=2)
    assert "disagree" in clash.stderr and not (out / "x.html").exists()
    assert "disagree" in ipt_bin("report", "ab", "--json", "--format", "html", check_code=2).stderr


def test_a_file_name_the_command_cannot_write_is_refused(ipt_bin, ipt_setup, data_home) -> None:
    """`-o r.pdf` wrote the text report under a PDF's name; `outcomes -o o.csv` wrote text."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief",
              "--start", "2026-01-05", "--phq9", PHQ9_MODERATE)  # fmt: skip
    out = data_home.parent
    for name in ("r.pdf", "r.csv", "r.docx"):
        refused = ipt_bin("report", "ab", "-o", str(out / name), check_code=2)
        assert (
            refused.stderr.count("\n") == 1
            and "writes html, json, markdown, text" in refused.stderr
        )
        assert not (out / name).exists()
    assert "print the HTML to PDF" in ipt_bin("report", "ab", "-o", str(out / "r.pdf"),
                                              check_code=2).stderr  # fmt: skip
    ipt_bin("report", "ab", "--format", "text", "-o", str(out / "r.log"))  # chosen: kept
    pdf = ipt_bin("report", "ab", "--format", "html", "-o", str(out / "r.pdf"), check_code=2)
    assert pdf.stderr == (
        "ipt: error: --format html writes html, not .pdf: name the file for what it is "
        "(print the HTML to PDF from a browser)\n"
    )
    assert not (out / "r.pdf").exists()  # HTML under a PDF's name opened as a broken PDF
    upper = ipt_bin("report", "ab", "--json", "-o", str(out / "r.PDF"), check_code=2).stderr
    assert upper.startswith("ipt: error: --json writes json, not .PDF") and "browser" in upper
    assert "write --format html" in upper  # JSON has no HTML to print: say how to get one
    assert "IPT progress report" in (out / "r.log").read_text()
    ipt_bin("outcomes", "-o", str(out / "o.csv"))
    assert (out / "o.csv").read_text().startswith("by,name,courses,")
    ipt_bin("outcomes", "-o", str(out / "o.json"))
    assert '"definitions"' in (out / "o.json").read_text()
    ipt_bin("outcomes", "-o", str(out / "o.html"))
    assert (out / "o.html").read_text().startswith("<!DOCTYPE html>")
