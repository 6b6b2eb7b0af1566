"""The command line's choices, derived from the one vocabulary (core/vocabulary.py).

Typer lists, checks and completes a choice from an Enum; it cannot take a list of
Literals. So each Literal of the vocabulary is turned into a StrEnum of the same values,
in the same order, here and nowhere else. Type checkers read the Literal itself: a member
of the enum is a str with the Literal's value, and the strict models store it as that str.
Only the commands with such an option import this module (building the enums costs a few
milliseconds that report, agenda and list need not pay).
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ipt_cli.core import vocabulary


def choices(name: str, words: Any) -> type[StrEnum]:
    """A StrEnum whose members are the words of a Literal ('role-dispute' as role_dispute)."""
    members = [(word.replace("-", "_"), word) for word in vocabulary.words(words)]
    functional: Any = StrEnum  # type checkers read Enum's functional API with literals only
    made: type[StrEnum] = functional(name, members)
    return made


if TYPE_CHECKING:
    ProblemArea = vocabulary.ProblemAreaId
    Adaptation = vocabulary.AdaptationId
    DisputeStage = vocabulary.DisputeStageId
    Technique = vocabulary.TechniqueId
    Cadence = vocabulary.CadenceId
    CourseKind = vocabulary.CourseKindId
    Decision = vocabulary.DecisionId
    Ideation = vocabulary.IdeationId
    RiskLevel = vocabulary.RiskLevelId
    Condition = vocabulary.ConditionId
else:
    ProblemArea = choices("ProblemArea", vocabulary.ProblemAreaId)
    Adaptation = choices("Adaptation", vocabulary.AdaptationId)
    DisputeStage = choices("DisputeStage", vocabulary.DisputeStageId)
    Technique = choices("Technique", vocabulary.TechniqueId)
    Cadence = choices("Cadence", vocabulary.CadenceId)
    CourseKind = choices("CourseKind", vocabulary.CourseKindId)
    Decision = choices("Decision", vocabulary.DecisionId)
    Ideation = choices("Ideation", vocabulary.IdeationId)
    RiskLevel = choices("RiskLevel", vocabulary.RiskLevelId)
    Condition = choices("Condition", vocabulary.ConditionId)
