"""Each closed vocabulary is written once, as a Literal in core/vocabulary.py. The command
line's choices are derived from it; the catalogue's tables describe it, typed by it (so mypy
refuses a word outside it): here, that every word is described, in the vocabulary's order,
and that the command line offers exactly the vocabulary."""

import inspect
import re
from enum import StrEnum

import pytest
from typer.testing import CliRunner

from ipt_cli.cli import choices
from ipt_cli.core import catalogue, risk, vocabulary

DESCRIBED = [
    (vocabulary.ProblemAreaId, catalogue.PROBLEM_AREAS),
    (vocabulary.DisputeStageId, catalogue.DISPUTE_STAGES),
    (vocabulary.TechniqueId, catalogue.TECHNIQUES),
    (vocabulary.CadenceId, catalogue.CADENCES),
    (vocabulary.CourseKindId, catalogue.COURSE_KINDS),
    (vocabulary.AdaptationId, catalogue.ADAPTATIONS),
    (vocabulary.ConditionId, catalogue.CONDITIONS),
    (vocabulary.FidelityScoreId, catalogue.FIDELITY_SCORES),
    (vocabulary.IdeationId, risk.IDEATION_WORDS),
]


@pytest.mark.parametrize(("words", "table"), DESCRIBED, ids=lambda x: getattr(x, "__name__", ""))
def test_the_catalogue_describes_every_word_in_order(words: object, table: object) -> None:
    assert list(table) == list(vocabulary.words(words))


def test_the_command_lines_choices_are_the_vocabulary() -> None:
    derived = [
        (name, value)
        for name, value in vars(choices).items()
        if inspect.isclass(value) and issubclass(value, StrEnum) and value is not StrEnum
    ]
    assert len(derived) == 10
    for name, enum in derived:
        literal = getattr(vocabulary, name + "Id")
        assert [member.value for member in enum] == list(vocabulary.words(literal)), name


def test_help_lists_the_vocabularys_words() -> None:
    from ipt_cli.cli.app import app

    result = CliRunner().invoke(app, ["session", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    listed = re.search(r"--technique\s+<([a-z|-]+)>", result.output)
    assert listed is not None, result.output
    assert listed.group(1).split("|") == list(vocabulary.words(vocabulary.TechniqueId))
