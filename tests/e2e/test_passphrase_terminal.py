"""A passphrase-encrypted folder on a terminal: chosen twice, asked once per command, and a
wrong one refused with exit 8."""

import os
from pathlib import Path

import pytest

from tests.cheap_age import cheapen_identity
from tests.conftest import ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def test_a_passphrase_is_chosen_and_asked_on_a_terminal(ipt_setup, data_home: Path) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--no-input")
    env = dict(os.environ)
    term = Terminal([*ipt_command(), "init", "--encrypt", "--passphrase"], env)
    term.answer("New passphrase", "tulip garden")
    term.answer("The same again", "tulip garden")
    assert term.finish(timeout=60) == 0
    assert (data_home / "courses" / "ab.toml.age").exists()
    # init sealed at age's own work factor (above); what follows tests the prompts, not scrypt
    cheapen_identity(data_home, "tulip garden")
    term = Terminal([*ipt_command(), "report", "ab", "--format", "json"], env)
    term.answer("Passphrase for the ipt data folder", "tulip garden")
    assert term.finish(timeout=60) == 0
    assert '"client": "A.B."' in term.screen
    term = Terminal([*ipt_command(), "report", "ab"], env)
    term.answer("Passphrase for the ipt data folder", "wrong")
    assert term.finish(timeout=60) == 8
    assert "cannot decrypt" in term.screen and "wrong" not in term.screen  # never echoed
