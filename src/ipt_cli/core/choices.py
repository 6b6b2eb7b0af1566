"""The command line's choices: a StrEnum for each closed vocabulary of core/vocabulary.py,
with the same values (Typer checks them, lists them in --help and completes them;
tests/unit/test_vocabulary.py holds them to the Literals the models check).

Apart from vocabulary.py because building a dozen enums costs a few milliseconds that a
command without such an option (report, agenda, list) need not pay.
"""

from enum import StrEnum


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
