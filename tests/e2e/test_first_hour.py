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


def test_a_mistyped_course_id_names_the_nearest(ipt_bin) -> None:
    ipt_bin("new-course", "ab-2026", "--client", "A.B.", "--problem-area", "grief",
            "--start", "2026-01-05", "--phq9", PHQ9_MODERATE)  # fmt: skip
    done = ipt_bin("report", "ab2026", check_code=3)
    assert done.stderr.endswith("; did you mean: ab-2026?\n")
    assert "see: ipt list --all" in ipt_bin("report", "zz", check_code=3).stderr
