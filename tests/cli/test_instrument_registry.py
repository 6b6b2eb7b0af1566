"""One registry per instrument (issue 30, item 1): an instrument defined in core/measures.py
alone reaches the options, the record, the report and the exports, and the options of
`ipt session` and `ipt new-course` are the registry's, under their names of old."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from ipt_cli.cli.app import app
from ipt_cli.core import measures
from tests.conftest import PHQ9_MODERATE

# The score options as they were before the registry (a contract: names and order).
SCORE_FLAGS = [
    "--phq9",
    "--phq9-difficulty",
    "--gad7",
    "--hamd17",
    "--bdi2-total",
    "--bdi2-item9",
    "--pcl5",
    "--mini-spin",
    "--lsas",
    "--binges",
    "--compensatory",
    "--edeq-global",
    "--epds",
    "--phqa",
    "--phqa-suicidal-thoughts",
    "--phqa-attempt",
    "--asrm",
]

# A made-up instrument, registered before the app builds its models, then the real `ipt`.
ENTRY = """\
import sys

from ipt_cli.core import measures

measures.register(
    measures.Instrument(
        id="test7",
        name="TEST-7",
        item_max=(3,) * 7,
        total_max=21,
        bands=(measures.Band(0, 9, "low"), measures.Band(10, 21, "high")),
        remission_max=4,
        help="TEST-7: seven made-up item scores 0-3.",
    )
)
from ipt_cli.cli.app import main

sys.argv[0] = "ipt"
main()
"""


def command_flags(name: str) -> list[str]:
    group: Any = typer.main.get_command(app)
    command = group.get_command(typer.Context(group), name)
    return [param.opts[0] for param in command.params if param.opts[0].startswith("--")]


def test_the_registry_lists_the_score_options_of_old() -> None:
    assert [option.flag for option in measures.score_options()] == SCORE_FLAGS


@pytest.mark.parametrize("name", ["session", "new-course"])
def test_session_and_new_course_take_exactly_the_registry_options(name: str) -> None:
    flags = command_flags(name)
    scores = [flag for flag in flags if flag in SCORE_FLAGS]
    assert scores == SCORE_FLAGS  # every one, in the registry's order
    first = flags.index(SCORE_FLAGS[0])
    assert flags[first : first + len(SCORE_FLAGS)] == SCORE_FLAGS  # side by side


@pytest.fixture
def ipt_with_test7(tmp_path: Path) -> Any:
    entry = tmp_path / "ipt_test7.py"
    entry.write_text(ENTRY, encoding="utf-8")

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(entry), *args],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == code, (args, done.stdout, done.stderr)
        return done

    return run


def test_a_registered_instrument_is_recorded_reported_and_exported(ipt_with_test7: Any) -> None:
    run = ipt_with_test7
    assert "--test7" in run("session", "--help").stdout
    run("new-course", "t7", "--client", "T.S.", "--problem-area", "grief", "--no-input")
    run("session", "t7", "--phq9", PHQ9_MODERATE, "--test7", "1,1,1,1,1,1,1", "--mood", "5")

    report = run("report", "t7").stdout
    assert "TEST-7" in report
    shown = json.loads(run("report", "t7", "--json").stdout)
    assert shown["measures"]["test7"]["series"][-1]["total"] == 7
    assert shown["measures"]["test7"]["series"][-1]["severity"] == "low"

    rows = list(csv.DictReader(io.StringIO(run("export", "t7", "--format", "csv").stdout)))
    items = [r for r in rows if r["instrument"] == "TEST-7"]
    assert [r["item"] for r in items] == [str(n) for n in range(1, 8)]
    assert {r["total"] for r in items} == {"7"}
    wide = list(csv.DictReader(io.StringIO(run("export", "t7", "--format", "csv-wide").stdout)))
    assert [r["test7_total"] for r in wide] == ["7"]  # session 1 (no baseline scores)
    fhir = run("export", "t7", "--format", "fhir")
    assert "TEST-7 left out of the FHIR export (no checked LOINC code)" in fhir.stderr


def test_a_registered_instrument_refuses_a_bad_score(ipt_with_test7: Any) -> None:
    run = ipt_with_test7
    run("new-course", "t7", "--client", "T.S.", "--problem-area", "grief", "--no-input")
    refused = run("session", "t7", "--test7", "1,1,1,1,1,1,4", code=2)
    assert refused.stderr == "ipt: error: TEST-7 item 7 must be 0-3, got 4\n"
    assert refused.stdout == ""
    short = run("session", "t7", "--test7", "1,1", code=2)
    assert short.stderr.splitlines() == ["ipt: error: TEST-7 needs 7 item scores, got 2"]


REFUSALS = """\
from ipt_cli.core import measures

def made(**fields):
    base = dict(id="tot", name="TOT", total_max=20, bands=(), remission_max=None)
    return measures.Instrument(**{**base, **fields})

for case in (
    made(risk_item=3),  # a total only cannot hold a risk item
    made(id="Bad-Id"),
    made(id="phq9"),
    made(total_option="tot_total"),
    made(item_max=(3,) * 2, risk_questions=(measures.PHQA.risk_questions[0],), id="hurt"),
):
    try:
        measures.register(case)
    except ValueError as refused:
        print("refused:", refused)
    else:
        print("registered:", case.id)

import ipt_cli.cli.session  # the options are built from the registry: too late after
try:
    measures.register(made(id="late"))
except ValueError as refused:
    print("refused:", refused)
"""


def test_register_refuses_what_the_registry_cannot_carry() -> None:
    """A totals-only instrument with a risk item saved a course and then crashed every read;
    one registered after the options were built had a record but no option."""
    done = subprocess.run(
        [sys.executable, "-c", REFUSALS], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "refused: TOT: a risk item or question needs the items kept (item_max)",
        "refused: TOT: an id is a-z, 0-9 and _, starting with a letter",
        "refused: instrument 'phq9' is already registered",
        "refused: TOT: extra options need a hand-written record",
        "registered: hurt",  # items kept: its yes/no question is stored beside them
        "refused: TOT: register instruments before anything is built from them (already "
        "built: the command-line options)",
    ]


def test_a_sitting_keeps_its_fields_in_the_stored_order() -> None:
    """Administration's fields are made from the registry; their order is the order of the
    stored file (a contract), and Sitting's TYPE_CHECKING list names a few of them again."""
    from ipt_cli.core.models import Administration

    assert list(Administration.model_fields) == [
        "date",
        *measures.INSTRUMENTS,
        "binges",
        "compensatory",
        "edeq_global",
        "risk_reviews",
    ]
    assert list(measures.INSTRUMENTS)[:7] == [
        "phq9", "gad7", "hamd17", "bdi2", "pcl5", "mini_spin", "lsas"
    ]  # fmt: skip
