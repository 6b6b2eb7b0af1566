"""The closed vocabularies a course is written in: problem areas, dispute stages, techniques,
cadences, course kinds, inventory tags, ending decisions, and the words of the clinical
record (thoughts of death or suicide, risk levels, fidelity scores).

Each is a Literal here (what the strict models store and check) and a StrEnum of the same
values in core/choices.py (what the command line offers, checks and completes: only the
commands that take them pay for building the enums); tests/unit/test_vocabulary.py holds
the two together.
"""

from typing import Literal

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
