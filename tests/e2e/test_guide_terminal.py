"""`ipt guide` on a terminal renders its Markdown; into a pipe it stays plain Markdown."""

import os
from pathlib import Path

import pytest

from tests.conftest import ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def test_guide_is_rendered_on_a_terminal(data_home: Path) -> None:
    term = Terminal([*ipt_command(), "guide", "initial"], dict(os.environ))
    term.expect("Agree the contract")
    assert term.finish() == 0
    screen = term.screen
    assert "Initial phase: Assessment" in screen and "#" not in screen
    assert "- Review symptoms" not in screen and "Review symptoms against" in screen
    assert "Middle phase" not in screen and "Initial (initial)" not in screen


def test_guide_is_plain_markdown_into_a_pipe(ipt_bin, data_home: Path) -> None:
    text = ipt_bin("guide", "initial").stdout
    assert text.startswith("## Initial phase: ") and "\n- Review symptoms against" in text
