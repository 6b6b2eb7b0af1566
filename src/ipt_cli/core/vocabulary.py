"""The closed vocabularies a course is written in: problem areas, dispute stages, techniques,
cadences, course kinds, inventory tags, ending decisions, and the words of the clinical
record (thoughts of death or suicide, risk levels, fidelity scores).

Each is a Literal (what the strict models store and check) and a StrEnum of the same values
(what the command line offers, checks and completes); tests/unit/test_vocabulary.py holds the
two together. Light on purpose: the CLI imports it to build its options.
"""

from enum import StrEnum
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


class ProblemArea(StrEnum):
    grief = "grief"
    role_dispute = "role-dispute"
    role_transition = "role-transition"
    interpersonal_deficits = "interpersonal-deficits"
    lost_healthy_self = "lost-healthy-self"


class Adaptation(StrEnum):
    standard = "standard"
    brief = "brief"
    adolescent = "adolescent"
    perinatal = "perinatal"
    ipsrt = "ipsrt"
    group = "group"


class DisputeStage(StrEnum):
    renegotiation = "renegotiation"
    impasse = "impasse"
    dissolution = "dissolution"


class Technique(StrEnum):
    exploration = "exploration"
    encouragement_of_affect = "encouragement-of-affect"
    clarification = "clarification"
    communication_analysis = "communication-analysis"
    decision_analysis = "decision-analysis"
    role_play = "role-play"
    therapeutic_relationship = "therapeutic-relationship"
    work_at_home = "work-at-home"


class Cadence(StrEnum):
    weekly = "weekly"
    fortnightly = "fortnightly"
    monthly = "monthly"


class CourseKind(StrEnum):
    clinician_led = "clinician-led"
    self_guided = "self-guided"


class PersonTag(StrEnum):
    support = "support"
    conflict = "conflict"
    recent_change = "recent-change"
    lost = "lost"


class Decision(StrEnum):
    maintenance = "maintenance"
    referral = "referral"
    end = "end"


class Ideation(StrEnum):
    none = "none"
    passive = "passive"
    active = "active"


class RiskLevel(StrEnum):
    low = "low"
    moderate = "moderate"
    high = "high"


class FidelityScore(StrEnum):
    done = "done"
    partly = "partly"
    not_done = "not-done"
    na = "na"


class Condition(StrEnum):
    depression = "depression"
    anxiety = "anxiety"
    social_anxiety = "social-anxiety"
    eating_disorder = "eating-disorder"
    ptsd = "ptsd"
