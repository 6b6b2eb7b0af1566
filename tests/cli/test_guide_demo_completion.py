"""`ipt guide`, `ipt demo` and shell completion."""

import os
import subprocess
from pathlib import Path

import pytest

from ipt_cli.core import catalogue, measures
from tests.conftest import RunIpt, ipt_command


def test_guide_covers_the_catalogue(run_ipt: RunIpt) -> None:
    text = run_ipt("guide").stdout
    for area in catalogue.PROBLEM_AREAS.values():
        assert area.name in text and all(s.id in text for s in area.strategies)
    for technique in catalogue.TECHNIQUES:
        assert technique in text
    for instrument in measures.INSTRUMENTS.values():
        assert instrument.name in text
    assert "Copyrighted" in text and "Pfizer" in text
    assert "impasse" in run_ipt("guide", "role-dispute").stdout
    assert "10-14 moderate" in run_ipt("guide", "gad7").stdout
    assert "unknown guide topic" in run_ipt("guide", "astrology", exit_code=2).stderr


def test_guide_names_every_risk_rule_from_the_instruments(run_ipt: RunIpt) -> None:
    """The safety guide once named three urgent rules by hand and missed the EPDS and PHQ-A;
    the measures guide said nothing of the PHQ-A's yes/no questions or the ASRM's alert."""
    safety = " ".join(run_ipt("guide", "safety").stdout.split())
    for rule in ("PHQ-9 item 9 >= 2", "HAM-D-17 item 3 >= 3", "BDI-II item 9 >= 2",
                 "EPDS item 10 >= 2", "PHQ-A item 9 >= 2",
                 "PHQ-A serious thoughts of ending life in the past month = yes",
                 "PHQ-A suicide attempt ever = yes, previously no"):  # fmt: skip
        assert rule in safety, rule
    assert "--ideation none|passive|active --level low|moderate|high" in safety
    phqa = " ".join(run_ipt("guide", "phqa").stdout.split())
    assert "tried to kill yourself" in phqa and "a yes after a no is URGENT" in phqa
    assert "adult PHQ-9's" in phqa
    asrm = " ".join(run_ipt("guide", "asrm").stdout.split())
    assert "MANIA ALERT (not a safety flag)" in asrm and "contact the prescriber" in asrm
    assert "response and remission only" not in asrm  # it has neither


@pytest.mark.parametrize("example", ["grief-parent", "dispute-partner"])
def test_demo_touches_nothing_of_the_user(run_ipt: RunIpt, data_home: Path, example: str) -> None:
    result = run_ipt("demo", "--example", example)
    assert "Agenda for the next session" in result.stdout
    assert "IPT progress report" in result.stdout
    assert "ipt new-course" in result.stdout.split("Your turn")[-1]
    assert not data_home.exists()
    assert "no example 'nope'" in run_ipt("demo", "--example", "nope", exit_code=3).stderr


def complete(words: str, cword: int, home: Path) -> list[str]:
    env = {
        **os.environ,
        "_IPT_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
        "IPT_HOME": str(home),
    }
    done = subprocess.run(ipt_command(), env=env, capture_output=True, text=True, timeout=30)
    return done.stdout.split()


@pytest.mark.e2e
def test_completion_of_commands_ids_and_names(new_course, data_home: Path) -> None:
    new_course("grief-ab")
    new_course("other")
    assert complete("ipt ag", 1, data_home) == ["agenda"]
    assert complete("ipt report gr", 2, data_home) == ["grief-ab"]
    assert complete("ipt session grief-ab --technique ro", 4, data_home) == ["role-play"]
    assert complete("ipt new-course x --problem-area role-", 4, data_home) == [
        "role-dispute",
        "role-transition",
    ]
    assert complete("ipt guide ph", 2, data_home) == ["phases", "phq9", "phqa"]


def test_every_command_has_examples_in_help(run_ipt: RunIpt) -> None:
    from ipt_cli.cli.app import COMMANDS

    listed = run_ipt("--help").stdout
    assert len(COMMANDS) >= 20
    for name in COMMANDS:
        if name != "merge-driver":  # hidden: git runs it, not a person
            assert f"  {name} " in listed, name  # lazily loaded, yet listed
        assert "Example" in run_ipt(name, "--help").stdout, name
