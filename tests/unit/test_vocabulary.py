"""Each closed vocabulary is written once, as a Literal in core/vocabulary.py. The command
line's choices are derived from it (cli/choices.py); the catalogue's tables describe it,
typed by it (so mypy refuses a word outside it): here, that every word is described, in the
vocabulary's order, and that every command offers exactly the vocabulary in its --help."""

import re

import pytest
from typer.testing import CliRunner

from ipt_cli.core import catalogue, risk, vocabulary

DESCRIBED = [
    (vocabulary.ProblemAreaId, catalogue.PROBLEM_AREAS),
    (vocabulary.DisputeStageId, catalogue.DISPUTE_STAGES),
    (vocabulary.TechniqueId, catalogue.TECHNIQUES),
    (vocabulary.AdaptationId, catalogue.ADAPTATIONS),
    (vocabulary.ConditionId, catalogue.CONDITIONS),
    (vocabulary.FidelityScoreId, catalogue.FIDELITY_SCORES),
    (vocabulary.IdeationId, risk.IDEATION_WORDS),
]


@pytest.mark.parametrize(("words", "table"), DESCRIBED, ids=lambda x: getattr(x, "__name__", ""))
def test_the_catalogue_describes_every_word_in_order(words: object, table: object) -> None:
    assert list(table) == list(vocabulary.words(words))


# Every option that offers a vocabulary's words, as --help shows it to a person.
OFFERED = [
    ("new-course", "--problem-area", vocabulary.ProblemAreaId),
    ("new-course", "--dispute-stage", vocabulary.DisputeStageId),
    ("new-course", "--cadence", vocabulary.CadenceId),
    ("new-course", "--kind", vocabulary.CourseKindId),
    ("new-course", "--condition", vocabulary.ConditionId),
    ("new-course", "--adaptation", vocabulary.AdaptationId),
    ("session", "--focus", vocabulary.ProblemAreaId),
    ("session", "--technique", vocabulary.TechniqueId),
    ("session", "--dispute-stage", vocabulary.DisputeStageId),
    ("risk-review", "--ideation", vocabulary.IdeationId),
    ("risk-review", "--level", vocabulary.RiskLevelId),
    ("ending", "--decision", vocabulary.DecisionId),
    ("maintenance", "--cadence", vocabulary.CadenceId),
    ("goal add", "--area", vocabulary.ProblemAreaId),
    ("demo", "--adaptation", vocabulary.AdaptationId),
    ("demo", "--condition", vocabulary.ConditionId),
]


@pytest.mark.parametrize(("command", "option", "words"), OFFERED, ids=lambda x: str(x)[:20])
def test_help_offers_the_vocabularys_words(command: str, option: str, words: object) -> None:
    from ipt_cli.cli.app import app

    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    listed = re.search(re.escape(option) + r"\s+<([a-z|-]+)>", result.output)
    assert listed is not None, (option, result.output)
    assert listed.group(1).split("|") == list(vocabulary.words(words))


def test_free_text_help_lists_the_vocabularys_words() -> None:
    """Options that take free text name the words in their help (inventory tags, fidelity
    scores), written from the vocabulary."""
    from ipt_cli.cli.app import app

    runner = CliRunner()
    tags = " ".join(runner.invoke(app, ["inventory", "add", "--help"]).output.split())
    assert "support, conflict, recent-change or lost (repeatable)" in tags
    scores = " ".join(runner.invoke(app, ["fidelity", "--help"]).output.split())
    assert "Rate one item: done, partly, not-done or na (repeatable)" in scores
