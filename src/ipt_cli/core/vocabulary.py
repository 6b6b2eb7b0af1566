"""The closed vocabularies a course is written in: problem areas, dispute stages, techniques,
cadences, course kinds, inventory tags, ending decisions, and the words of the clinical
record (thoughts of death or suicide, risk levels, fidelity scores).

Each word is written once, here, as a Literal: the strict models store and check it, the
command line's choices are derived from it (cli/choices.py), and the catalogue's tables
that describe the words are typed by it (a word outside the vocabulary fails the type
check; tests/unit/test_vocabulary.py checks that every word is described, in order).
"""

from typing import Any, Literal, get_args

# Course and goal ids: safe as file names on every system and in a shell, without quoting.
ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"
ID_RULE = "1-64 lowercase letters, digits or hyphens, starting with a letter or digit"

ProblemAreaId = Literal[
    "grief", "role-dispute", "role-transition", "interpersonal-deficits", "lost-healthy-self"
]
AdaptationId = Literal["standard", "brief", "adolescent", "perinatal", "ipsrt", "group"]
DisputeStageId = Literal["renegotiation", "impasse", "dissolution"]
TechniqueId = Literal[
    "exploration",
    "encouragement-of-affect",
    "clarification",
    "communication-analysis",
    "decision-analysis",
    "role-play",
    "therapeutic-relationship",
    "work-at-home",
]
CadenceId = Literal["weekly", "fortnightly", "monthly"]
CourseKindId = Literal["clinician-led", "self-guided"]
PersonTagId = Literal["support", "conflict", "recent-change", "lost"]
DecisionId = Literal["maintenance", "referral", "end"]
IdeationId = Literal["none", "passive", "active"]
RiskLevelId = Literal["low", "moderate", "high"]
FidelityScoreId = Literal["done", "partly", "not-done", "na"]
ConditionId = Literal["depression", "anxiety", "social-anxiety", "eating-disorder", "ptsd"]


def words(vocabulary: Any) -> tuple[str, ...]:
    """The words of a vocabulary, in order: words(CadenceId) == ("weekly", ...)."""
    return get_args(vocabulary)


def listed(vocabulary: Any) -> str:
    """The words as a sentence lists them: 'support, conflict, recent-change or lost'."""
    *most, last = words(vocabulary)
    return f"{', '.join(most)} or {last}" if most else last
