"""Each vocabulary is written twice (a Literal for the strict models, a StrEnum for the
command line): they must hold the same values, in the same order."""

from enum import StrEnum
from typing import get_args

import pytest

from ipt_cli.core import catalogue, vocabulary

PAIRS = [
    (vocabulary.ProblemAreaId, vocabulary.ProblemArea),
    (vocabulary.DisputeStageId, vocabulary.DisputeStage),
    (vocabulary.TechniqueId, vocabulary.Technique),
    (vocabulary.CadenceId, vocabulary.Cadence),
    (vocabulary.CourseKindId, vocabulary.CourseKind),
    (vocabulary.PersonTagId, vocabulary.PersonTag),
    (vocabulary.DecisionId, vocabulary.Decision),
    (vocabulary.AdaptationId, vocabulary.Adaptation),
    (vocabulary.IdeationId, vocabulary.Ideation),
    (vocabulary.RiskLevelId, vocabulary.RiskLevel),
    (vocabulary.FidelityScoreId, vocabulary.FidelityScore),
    (vocabulary.ConditionId, vocabulary.Condition),
]


@pytest.mark.parametrize(("literal", "enum"), PAIRS, ids=lambda x: getattr(x, "__name__", ""))
def test_literal_and_enum_hold_the_same_values(literal: object, enum: type[StrEnum]) -> None:
    assert list(get_args(literal)) == [member.value for member in enum]


def test_the_catalogue_describes_every_choice_and_no_other() -> None:
    assert list(catalogue.PROBLEM_AREAS) == [a.value for a in vocabulary.ProblemArea]
    assert list(catalogue.DISPUTE_STAGES) == [s.value for s in vocabulary.DisputeStage]
    assert list(catalogue.TECHNIQUES) == [t.value for t in vocabulary.Technique]
    assert list(catalogue.CADENCES) == [c.value for c in vocabulary.Cadence]
    assert list(catalogue.COURSE_KINDS) == [k.value for k in vocabulary.CourseKind]
    assert list(catalogue.ADAPTATIONS) == [a.value for a in vocabulary.Adaptation]
