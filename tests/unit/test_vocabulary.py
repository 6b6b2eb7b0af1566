"""Each vocabulary is written twice (a Literal for the strict models, a StrEnum for the
command line): they must hold the same values, in the same order."""

from enum import StrEnum
from typing import get_args

import pytest

from ipt_cli.core import catalogue, choices, vocabulary

PAIRS = [
    (vocabulary.ProblemAreaId, choices.ProblemArea),
    (vocabulary.DisputeStageId, choices.DisputeStage),
    (vocabulary.TechniqueId, choices.Technique),
    (vocabulary.CadenceId, choices.Cadence),
    (vocabulary.CourseKindId, choices.CourseKind),
    (vocabulary.PersonTagId, choices.PersonTag),
    (vocabulary.DecisionId, choices.Decision),
    (vocabulary.AdaptationId, choices.Adaptation),
    (vocabulary.IdeationId, choices.Ideation),
    (vocabulary.RiskLevelId, choices.RiskLevel),
    (vocabulary.FidelityScoreId, choices.FidelityScore),
    (vocabulary.ConditionId, choices.Condition),
]


@pytest.mark.parametrize(("literal", "enum"), PAIRS, ids=lambda x: getattr(x, "__name__", ""))
def test_literal_and_enum_hold_the_same_values(literal: object, enum: type[StrEnum]) -> None:
    assert list(get_args(literal)) == [member.value for member in enum]


def test_the_catalogue_describes_every_choice_and_no_other() -> None:
    assert list(catalogue.PROBLEM_AREAS) == [a.value for a in choices.ProblemArea]
    assert list(catalogue.DISPUTE_STAGES) == [s.value for s in choices.DisputeStage]
    assert list(catalogue.TECHNIQUES) == [t.value for t in choices.Technique]
    assert list(catalogue.CADENCES) == [c.value for c in choices.Cadence]
    assert list(catalogue.COURSE_KINDS) == [k.value for k in choices.CourseKind]
    assert list(catalogue.ADAPTATIONS) == [a.value for a in choices.Adaptation]
