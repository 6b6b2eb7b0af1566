"""Prompts through CliRunner with typed input (IPT_INTERACTIVE=1 allows prompts on a pipe):
invalid answers are asked again; end of input writes nothing."""

import json
import tomllib
from pathlib import Path

from tests.conftest import RunIpt

ASK = {"IPT_INTERACTIVE": "1"}


def test_inventory_add_reasks_invalid_answers(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    answers = (
        "\n".join(
            [
                "Brother (K.)",
                "brother",
                "5",
                "2",
                "monthly",
                "football",
                "",
                "",
                "maybe",
                "n",
                "enemy",
                "support conflict",
            ]
        )
        + "\n"
    )
    result = run_ipt("inventory", "add", "ab", input=answers, **ASK)
    assert "enter a whole number 1-3" in result.stderr + result.stdout
    assert "answer y, n, or leave it blank" in result.stderr + result.stdout
    assert "unknown tag 'enemy'" in result.stderr + result.stdout
    person = tomllib.loads((data_home / "courses" / "ab.toml").read_text())["inventory"][0]
    assert person == {
        "name": "Brother (K.)",
        "relationship": "brother",
        "ring": 2,
        "contact": "monthly",
        "satisfying": "football",
        "expectations_met": False,
        "tags": ["support", "conflict"],
    }


def test_timeline_and_formulation_prompts(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt("timeline", "add", "ab", input="13/11/2025\n2025-11-13\nFather died\nnumb\n", **ASK)
    run_ipt("formulation", "ab", input="use\ny\n", **ASK)
    course = tomllib.loads((data_home / "courses" / "ab.toml").read_text())
    assert course["timeline"][0]["event"] == "Father died"
    assert course["formulation"]["agreed"] is True
    assert "Father died" in course["formulation"]["text"]  # the draft, built from the timeline


def test_wizard_end_of_input_writes_nothing(run_ipt: RunIpt, data_home: Path) -> None:
    result = run_ipt("new-course", "zz", input="\n\nZ.Q.\n2026-01-05\n", exit_code=130, **ASK)
    assert "input ended; nothing more was saved" in result.stderr
    assert not (data_home / "courses" / "zz.toml").exists()


def test_wizard_can_be_declined_at_the_end(run_ipt: RunIpt, data_home: Path) -> None:
    answers = [
        "",  # the condition: depression
        "",  # the adaptation: standard
        "Z.Q.",
        "2026-01-05",
        "12",
        "",
        "",
        "n",
        "n",
        "n",
        "",
        "",
        "n",
        "n",
        "role-transition",
        "none",
        "type",
        "Linked to retiring.",
        "y",
        "y",
        "n",
        "y",
        "n",
    ]
    result = run_ipt("new-course", "zz", input="\n".join(answers) + "\n", exit_code=130, **ASK)
    assert "nothing was saved, as you asked" in result.stderr
    assert not (data_home / "courses" / "zz.toml").exists()
    assert json.loads(run_ipt("list", "--json").stdout) == []


def test_full_contract_is_refused_before_any_question(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4")
    for day in (5, 12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    result = run_ipt("session", "ab", input="", exit_code=5, **ASK)
    assert "ipt contract ab --sessions N" in result.stderr
    assert "Date" not in result.stdout  # nothing was asked


def test_delete_asks_first(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    kept = run_ipt("delete", "ab", input="n\n", exit_code=130, **ASK)
    assert "This cannot be undone" in kept.stdout and path.exists()
    run_ipt("delete", "ab", input="y\n", **ASK)
    assert not path.exists()
