"""The stored shape of a course: Pydantic v2 models, strict, extra keys forbidden.

Totals, bands, phases and flags are never stored: they are computed from these records.
"""

# No `from __future__ import annotations` here: pydantic would then evaluate every field's
# annotation from its string when the classes are built, ~10% of the models' import.
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core.core_schema import SerializerFunctionWrapHandler

from ipt_cli.core import catalogue, dates, measures, vocabulary

# Validation context key: the values were typed by the user (options, prompts), so an
# error may quote them back. Without it (a stored file) no validator quotes a value.
TYPED = "typed"
# 2: session ids; risk reviews kept as a history. 3: signatures, structured risk reviews,
# safety plan, supervision, fidelity ratings. 4: condition profiles and their measures.
# 5: adaptations (adaptation, guardian, attendees, the rhythm log). 6: corrections (the
# course's change history, retired and edited goals, session fixes). 7: risk reviews'
# recorded_at. 8: contacts. 9: missed group sessions' numbers. 10: IPSRT (rhythm targets,
# the SRM involvement scale, warning signs of depression and of mania), a timeline event
# known only to the month (`precision = "month"`), withdrawn sessions, the act date and
# recorded_at of contract changes, formulation agreement, ending, supervision and fidelity,
# and the adaptations' measures (EPDS, PHQ-A, ASRM).
SCHEMA_VERSION = 10
MAX_MAINTENANCE = 500  # years of monthly or even weekly maintenance

ProblemAreaId = vocabulary.ProblemAreaId
DisputeStage = vocabulary.DisputeStageId
TechniqueId = vocabulary.TechniqueId
Cadence = vocabulary.CadenceId
CourseKind = vocabulary.CourseKindId
AdaptationId = vocabulary.AdaptationId
PersonTag = vocabulary.PersonTagId
ConditionId = vocabulary.ConditionId
OneLine = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\n\r]*$")]
Rating = Annotated[int, Field(ge=0, le=10)]
# Dates outside this range are typing slips, and would overflow date arithmetic.
Day = Annotated[dt.date, Field(ge=dates.EARLIEST, le=dates.LATEST)]
GoalId = Annotated[str, StringConstraints(pattern=f"^{vocabulary.ID_PATTERN}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
PlanLine = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\n\r]*$")]


def new_list() -> list[Any]:
    """A record's own empty list (a plain function: pydantic inspects a default factory's
    signature, which for the builtin `list` means parsing its text signature each time)."""
    return []


def new_dict() -> dict[str, Any]:
    """A record's own empty dict (see new_list)."""
    return {}


class Record(BaseModel):
    """Every stored record. An empty list or dict default is made by `new_list` or
    `new_dict`: a literal `[]` default is deep-copied (copy.deepcopy) into every instance,
    which took half the validation of a 2,000-session course."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class ItemScores(Record):
    """An instrument kept as its item scores, each checked against the instrument's
    definition in core/measures.py. The record of such an instrument is made from its
    definition (`RECORDS`), with a yes/no field per risk question."""

    INSTRUMENT: ClassVar[measures.Instrument]
    items: list[int]

    @field_validator("items")
    @classmethod
    def _items_in_range(cls, items: list[int]) -> list[int]:
        measures.check_items(cls.INSTRUMENT, items)
        return items


class TotalScore(Record):
    """An instrument kept as its total only (the copyrighted ones), 0 to its maximum."""

    INSTRUMENT: ClassVar[measures.Instrument]
    total: int


class Phq9(ItemScores):
    INSTRUMENT = measures.PHQ9
    difficulty: int | None = None  # the "how difficult" question: stored, never summed

    @field_validator("difficulty")
    @classmethod
    def _difficulty_in_range(cls, value: int | None) -> int | None:
        if value is not None:
            measures.check_range("PHQ-9 difficulty", value, 3)
        return value


class Bdi2(TotalScore):
    """Only the total and item 9: the BDI-II is copyrighted."""

    INSTRUMENT = measures.BDI2
    total: Annotated[int, Field(ge=0, le=63)]
    item9: Annotated[int, Field(ge=0, le=3)]

    @model_validator(mode="after")
    def _total_holds_item9(self) -> Self:
        measures.check_bdi2(self.total, self.item9)
        return self


def _items_record(instrument: measures.Instrument) -> type[ItemScores]:
    """The record of an instrument kept as its items, from its definition alone: the item
    scores and a yes/no field per risk question (None when not asked)."""
    space: dict[str, Any] = {
        "INSTRUMENT": instrument,
        "__module__": __name__,
        "__doc__": f"The {instrument.name}'s {instrument.item_count} item scores.",
        "__annotations__": {q.field: bool | None for q in instrument.risk_questions},
        **{q.field: None for q in instrument.risk_questions},
    }
    return type(_class_name(instrument), (ItemScores,), space)


def _total_record(instrument: measures.Instrument) -> type[TotalScore]:
    """The record of an instrument kept as its total only, 0 to its maximum."""
    space: dict[str, Any] = {
        "INSTRUMENT": instrument,
        "__module__": __name__,
        "__doc__": f"Only the total of the {instrument.name}.",
        "__annotations__": {"total": Annotated[int, Field(ge=0, le=instrument.total_max)]},
    }
    return type(_class_name(instrument), (TotalScore,), space)


def _class_name(instrument: measures.Instrument) -> str:
    return "".join(part.capitalize() for part in instrument.id.split("_"))  # MiniSpin


# Every instrument's record, by id, in the registry's order: the two that keep more than
# their scores are written above; every other one is made from its definition.
ITEM_RECORDS: dict[str, type[ItemScores]] = {"phq9": Phq9}
TOTAL_RECORDS: dict[str, type[TotalScore]] = {"bdi2": Bdi2}
ITEM_RECORDS.update(
    (i.id, _items_record(i))
    for i in measures.built_from_registry("the models").values()
    if i.item_count and i.id not in ITEM_RECORDS
)
TOTAL_RECORDS.update(
    (i.id, _total_record(i))
    for i in measures.INSTRUMENTS.values()
    if not i.item_count and i.id not in TOTAL_RECORDS
)
RECORDS: dict[str, type[ItemScores] | type[TotalScore]] = {
    i: ITEM_RECORDS.get(i) or TOTAL_RECORDS[i] for i in measures.INSTRUMENTS
}
# The names the made records had when they were written by hand (tests import them).
Gad7 = ITEM_RECORDS["gad7"]
Hamd17 = ITEM_RECORDS["hamd17"]
Pcl5 = ITEM_RECORDS["pcl5"]
Epds = ITEM_RECORDS["epds"]
Phqa = ITEM_RECORDS["phqa"]
Asrm = ITEM_RECORDS["asrm"]
MiniSpin = TOTAL_RECORDS["mini_spin"]
Lsas = TOTAL_RECORDS["lsas"]


EpisodeCount = Annotated[int, Field(ge=0, le=999)]
EdeqGlobal = Annotated[float, Field(ge=0, le=measures.EDEQ_GLOBAL_MAX)]


class Signature(Record):
    """One link of a course's signature chain (core/signing.py; docs/signing.md): a SHA-256
    hash of the canonical content it seals and of the link before it, and, when a key was
    configured, an SSH signature of that hash."""

    seq: Annotated[int, Field(ge=1)]  # its place in the course's chain: 1, 2, 3, ...
    by: OneLine
    at: AwareDatetime
    previous: Sha256  # the hash of link seq - 1 (64 zeros for the first)
    follows: int | None = None  # the id of the session that link seq - 1 is on
    hash: Sha256
    key: str | None = None  # the SSH key's fingerprint (SHA256:...)
    ssh_signature: str | None = None  # armored `ssh-keygen -Y sign -n ipt` of `hash`
    # The wall-clock time it was written (UTC), beside `at`, the record's (clinical) time,
    # which IPT_TODAY pins; sealed in the hash when present (issue 26, defect 12).
    signed_at: AwareDatetime | None = None


class RiskReview(Record):
    """One review of a sitting's safety flags; a sitting keeps every review, in order."""

    date: Day
    note: str
    plan: str | None = None
    by: OneLine | None = None  # who reviewed, when given
    # Structured fields (schema 3), each optional.
    ideation: vocabulary.IdeationId | None = None  # thoughts of death or suicide
    plan_made: bool | None = None
    intent: bool | None = None
    means: bool | None = None  # access to means
    protective: list[PlanLine] = Field(default_factory=new_list)
    level: vocabulary.RiskLevelId | None = None  # the clinician's judgement
    actions: list[PlanLine] = Field(default_factory=new_list)  # what was done
    signature: Signature | None = None  # added to a signed session: sealed in the chain
    # When the review was written (UTC, schema 7): the standing level is the level of the
    # review recorded last, whatever session it belongs to. None in older files.
    recorded_at: dt.datetime | None = None
    # schema 9: a late review (`ipt risk-review --date`) is dated the day it was made; this
    # is the day it was written (ipt's today). None when it was written the day it is dated.
    written_on: Day | None = None

    @property
    def dated(self) -> str:
        """'2026-01-12', or '2026-01-12 (recorded 2026-01-14)' for a late review."""
        late = self.written_on is not None and self.written_on != self.date
        written = f" (recorded {self.written_on.isoformat()})" if late and self.written_on else ""
        return self.date.isoformat() + written


class Addendum(Record):
    date: Day
    text: str
    by: OneLine | None = None
    signature: Signature | None = None  # added to a signed session: sealed in the chain


class SupervisionEntry(Record):
    """A supervisor's comment on a session, or sign-off of it; append-only."""

    date: Day
    by: OneLine | None = None
    comment: str | None = None
    signed_off: bool = False
    signature: Signature | None = None
    recorded_at: dt.datetime | None = None  # schema 10: when it was written (UTC)


class FidelityRating(Record):
    """A rating of a session against the IPT tasks of its phase and problem area; a later
    rating of the same session stands in for an earlier one, which is kept."""

    date: Day
    by: OneLine | None = None
    items: dict[str, vocabulary.FidelityScoreId]
    signature: Signature | None = None
    recorded_at: dt.datetime | None = None  # schema 10: when it was written (UTC)

    @field_validator("items")
    @classmethod
    def _known_items(cls, items: dict[str, str]) -> dict[str, str]:
        known = catalogue.all_fidelity_items()
        for item_id in items:
            if item_id not in known:
                raise ValueError(f"unknown fidelity item {item_id!r}")
        if not items:
            raise ValueError("a fidelity rating rates at least one item")
        return items


class SafetyPlanVersion(Record):
    """One dated version of the client's safety plan (Stanley-Brown sections)."""

    date: Day
    by: OneLine | None = None
    warning_signs: list[PlanLine] = Field(default_factory=new_list)
    coping_strategies: list[PlanLine] = Field(default_factory=new_list)
    distractions: list[PlanLine] = Field(default_factory=new_list)
    helpers: list[PlanLine] = Field(default_factory=new_list)
    professionals: list[PlanLine] = Field(default_factory=new_list)
    environment: list[PlanLine] = Field(default_factory=new_list)
    reasons_for_living: list[PlanLine] = Field(default_factory=new_list)

    def sections(self) -> dict[str, list[str]]:
        return {s.field: list(getattr(self, s.field)) for s in catalogue.SAFETY_PLAN_SECTIONS}


class Sitting(Record):
    """What a dated sitting (the baseline, or a session) does with its measures. Its
    fields are `Administration`'s, made below from the registry: the date, a record per
    instrument (core/measures.INSTRUMENTS), the self-monitoring numbers, the risk reviews.
    The type checker sees the fields read by name here; a sitting's other instruments are
    read by id (`score`, `total`)."""

    # pydantic never sees these: the made class holds the fields (create_model below, in the
    # stored order; tests/cli/test_instrument_registry.py pins it)
    if TYPE_CHECKING:
        date: dt.date
        phq9: Phq9 | None = None
        bdi2: Bdi2 | None = None
        binges: int | None = None
        compensatory: int | None = None
        edeq_global: float | None = None
        risk_reviews: list[RiskReview] = Field(default_factory=new_list)

    @property
    def reviewed(self) -> bool:
        return bool(self.risk_reviews)

    def instruments(self) -> list[str]:
        """The ids of the instruments given at this sitting."""
        return [i for i in measures.INSTRUMENTS if getattr(self, i) is not None]

    def score(self, instrument_id: str) -> ItemScores | TotalScore | None:
        """The record of an instrument given at this sitting, None when it was not."""
        entry: ItemScores | TotalScore | None = getattr(self, instrument_id)
        return entry

    def risk_scores(self) -> list[tuple[str, int, int]]:
        """(instrument id, risk item number, score) for every risk item scored >= 1, and
        for every yes/no risk question answered yes (its number follows the items, score
        1; see measures.Instrument.risk_question), in the instruments' order. A totals-only
        instrument keeps its risk item as `item<N>` (the BDI-II's item9)."""
        found = []
        for instrument in RISK_INSTRUMENTS:
            entry = self.score(instrument.id)
            if entry is None:
                continue
            item = instrument.risk_item
            if item is not None:
                if isinstance(entry, ItemScores):
                    score: int = entry.items[item - 1]
                else:
                    score = getattr(entry, f"item{item}")
                if score >= 1:
                    found.append((instrument.id, item, score))
            for number, question in enumerate(instrument.risk_questions, 1):
                if getattr(entry, question.field) is True:
                    found.append((instrument.id, instrument.item_count + number, 1))
        return found

    def total(self, instrument_id: str) -> int | None:
        entry = self.score(instrument_id)
        if entry is None:
            return None
        return entry.total if isinstance(entry, TotalScore) else sum(entry.items)


if TYPE_CHECKING:
    Administration = Sitting
else:
    # A dated sitting at which measures may be given, its fields in the stored order: the
    # date, each instrument of the registry, the eating-disorder self-monitoring since the
    # last sitting (the EDE-Q: its global score only), the risk reviews (append-only: a
    # later review never replaces one).
    Administration = create_model(
        "Administration",
        __base__=Sitting,
        __module__=__name__,
        __doc__="A dated sitting at which measures may be given (the baseline, or a session).",
        date=(Day, ...),
        **{i: (record | None, None) for i, record in RECORDS.items()},
        binges=(EpisodeCount | None, None),
        compensatory=(EpisodeCount | None, None),
        edeq_global=(EdeqGlobal | None, None),
        risk_reviews=(list[RiskReview], Field(default_factory=new_list)),
    )


# The instruments with a risk item or risk questions, in the catalogue's order.
RISK_INSTRUMENTS = tuple(
    i for i in measures.INSTRUMENTS.values() if i.risk_item is not None or i.risk_questions
)


class Baseline(Administration):
    """Measures taken at assessment: session 0."""


SessionId = Annotated[int, Field(ge=1)]


def check_attendee(value: str) -> str:
    """client, guardian, partner, interpreter, or other:NAME (a short alias)."""
    if value in catalogue.ATTENDEE_ROLES:
        return value
    name = value.removeprefix(catalogue.OTHER_ATTENDEE)
    if value.startswith(catalogue.OTHER_ATTENDEE) and 0 < len(name.strip()) <= 60:
        if "\n" not in name and "\r" not in name and "," not in name:
            return value
    raise ValueError(f"attendee must be one of {', '.join(catalogue.ATTENDEE_ROLES)} or other:NAME")


class Correction(Record):
    """One corrected value of a session (`ipt session --fix`): the field, its old and new
    values as shown, the date and the reason; the old value is kept here."""

    date: Day
    field: str
    old: str
    new: str
    reason: str
    # Schema 7: when it was written, and whether it raised a risk item (to a flag or a higher
    # score): such a correction reopens the sitting's flag until a review recorded after it.
    recorded_at: dt.datetime | None = None
    raises_risk: bool = False


class Withdrawal(Record):
    """Why and when an unsigned session recorded by mistake was withdrawn (`ipt session
    --withdraw`, schema 10): the session stays in the file, marked, and counts nowhere as a
    session given."""

    date: Day  # the day it was withdrawn
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    by: OneLine | None = None
    number: Annotated[int, Field(ge=1)] | None = None  # its number when it was withdrawn
    recorded_at: dt.datetime | None = None  # when it was written (UTC)


class SessionRecord(Administration):
    # Stable identity: given at recording, never renumbered when an earlier-dated session is
    # backfilled (positions are). Files written before schema 2 get ids in date order on read.
    id: SessionId | None = None
    mood: Rating | None = None
    events: str | None = None
    focus: ProblemAreaId | None = None
    techniques: list[TechniqueId] = Field(default_factory=new_list)
    strategies: list[str] = Field(default_factory=new_list)
    goal_ratings: dict[str, Rating] = Field(default_factory=new_dict)
    dispute_stage: DisputeStage | None = None
    task: str | None = None
    task_outcome: str | None = None
    note: str | None = None
    addenda: list[Addendum] = Field(default_factory=new_list)
    supervision: list[SupervisionEntry] = Field(default_factory=new_list)  # schema 3
    fidelity: list[FidelityRating] = Field(default_factory=new_list)  # schema 3
    signature: Signature | None = None  # schema 3: set by `ipt sign`
    attendees: list[str] = Field(default_factory=new_list)  # who attended (empty: not recorded)
    # schema 6: fixes of recorded values, oldest first
    corrections: list[Correction] = Field(default_factory=new_list)
    withdrawn: Withdrawal | None = None  # schema 10: recorded by mistake, withdrawn

    @property
    def reviewed(self) -> bool:
        """Reviewed: a review was recorded, and after the last correction that raised a risk
        item (a review of the old score is not a review of the new one; issue 26)."""
        raised = [c.recorded_at for c in self.corrections if c.raises_risk and c.recorded_at]
        if not raised:
            return bool(self.risk_reviews)
        last = max(raised)
        return any(r.recorded_at is not None and r.recorded_at > last for r in self.risk_reviews)

    @field_validator("attendees")
    @classmethod
    def _known_attendees(cls, values: list[str]) -> list[str]:
        checked = [check_attendee(v) for v in values]
        if len(set(checked)) != len(checked):
            raise ValueError("an attendee is listed twice")
        return checked

    @field_validator("strategies")
    @classmethod
    def _known_strategies(cls, ids: list[str], info: ValidationInfo) -> list[str]:
        known = catalogue.strategy_ids(list(catalogue.PROBLEM_AREAS))
        typed = bool(info.context and info.context.get(TYPED))
        for number, strategy in enumerate(ids, 1):
            if strategy not in known:
                # A stored file's value may be anything, a note even: never quoted.
                raise ValueError(
                    f"unknown strategy {strategy!r}"
                    if typed
                    else f"strategy {number} is not a known strategy id"
                )
        return ids


def _is_withdrawn(session: object) -> bool:
    if isinstance(session, dict):
        return session.get("withdrawn") is not None
    return getattr(session, "withdrawn", None) is not None


def split_withdrawn(data: Any) -> Any:
    """A stored `sessions` list keeps withdrawn sessions in place, each marked `withdrawn`;
    in memory they are apart (`withdrawn_sessions`), so that nothing that counts, numbers or
    scores the sessions given ever meets one."""
    if not isinstance(data, dict) or not isinstance(data.get("sessions"), list):
        return data
    sessions = data["sessions"]
    if not any(_is_withdrawn(s) for s in sessions):
        return data
    withdrawn = data.get("withdrawn_sessions")
    return {
        **data,
        "sessions": [s for s in sessions if not _is_withdrawn(s)],
        "withdrawn_sessions": [
            *(withdrawn if isinstance(withdrawn, list) else []),
            *(s for s in sessions if _is_withdrawn(s)),
        ],
    }


# An instrument is a field of every sitting: its id must not be a session's own field.
_CLASHING = set(measures.INSTRUMENTS) & set(SessionRecord.__annotations__)
if _CLASHING:
    raise ValueError(f"an instrument id is a session's own field: {', '.join(sorted(_CLASHING))}")


def join_withdrawn(data: dict[str, Any]) -> dict[str, Any]:
    """The stored shape: withdrawn sessions back in `sessions`, in date order."""
    withdrawn = data.pop("withdrawn_sessions", None)
    if withdrawn:
        joined = [*data.get("sessions", []), *withdrawn]
        data["sessions"] = sorted(joined, key=lambda s: str(s["date"]))
    return data


class MissedAppointment(Record):
    date: Day
    reason: str
    # schema 9: the course session number this missed appointment takes. A member's missed
    # group session is a missed session of the member's course (WHO Group IPT 2016): its
    # number stays taken, so the member's numbers and phases follow the group's (issue 26).
    number: Annotated[int, Field(ge=1)] | None = None


class Contact(Record):
    """A contact outside a session (a phone call, a message), e.g. after a missed
    appointment at moderate or high risk (schema 8)."""

    date: Day
    note: str
    recorded_at: dt.datetime | None = None


class ContractChange(Record):
    date: Day
    old: int
    new: int
    reason: str
    cadence: Cadence | None = None  # a maintenance contract's new cadence, when it changed
    recorded_at: dt.datetime | None = None  # schema 10: when it was written (UTC)


class CourseChange(Record):
    """One change of a course's settings (`ipt course ID set`, a goal retired or edited):
    what changed, its old and new values as shown, and the date."""

    date: Day
    what: str
    old: str
    new: str


class SickRole(Record):
    given: bool
    note: str | None = None


RHYTHM_ANCHORS = ("out_of_bed", "first_contact", "start_activity", "dinner", "to_bed")


INVOLVEMENT_MAX = 3  # the SRM's scale: 0 alone ... 3 others very stimulating


class RhythmEntry(Record):
    """One day of the social rhythm log (SRM-5): each anchor's time, when done, and who was
    involved in it on the SRM's scale (0-3); the day's mood from -5 to +5."""

    date: Day
    out_of_bed: dt.time | None = None
    first_contact: dt.time | None = None
    start_activity: dt.time | None = None
    dinner: dt.time | None = None
    to_bed: dt.time | None = None
    # Legacy (before schema 10): how many other people took part in each anchor, in order.
    # Kept and shown as it was written; new entries record `involvement`.
    with_people: list[Annotated[int, Field(ge=0, le=99)]] = Field(default_factory=new_list)
    # schema 10: the SRM's involvement scale per anchor, in order: 0 alone, 1 others
    # present, 2 others actively involved, 3 others very stimulating
    involvement: list[Annotated[int, Field(ge=0, le=INVOLVEMENT_MAX)]] = Field(
        default_factory=new_list
    )
    mood: Annotated[int, Field(ge=-5, le=5)] | None = None

    @field_validator("with_people", "involvement")
    @classmethod
    def _five_counts(cls, counts: list[int]) -> list[int]:
        if counts and len(counts) != len(RHYTHM_ANCHORS):
            raise ValueError(f"give {len(RHYTHM_ANCHORS)} values, one per anchor")
        return counts

    def time_of(self, anchor: str) -> dt.time | None:
        value: dt.time | None = getattr(self, anchor)
        return value


class RhythmTarget(Record):
    """Target times agreed in IPSRT, in force from `date` until a later target (schema 10).
    An anchor without a time has no target."""

    date: Day
    out_of_bed: dt.time | None = None
    first_contact: dt.time | None = None
    start_activity: dt.time | None = None
    dinner: dt.time | None = None
    to_bed: dt.time | None = None

    def time_of(self, anchor: str) -> dt.time | None:
        value: dt.time | None = getattr(self, anchor)
        return value


class Guardian(Record):
    """An adolescent's parent or guardian, and the consent to treatment (IPT-A). Without a
    guardian (alias None) the consent and the reason there is no guardian are recorded."""

    alias: OneLine | None = None
    consent_by: OneLine | None = None  # who gave consent: the guardian, the young person, both
    consent_date: Day | None = None
    consent_reason: OneLine | None = None  # why consent was given without a guardian

    @model_validator(mode="after")
    def _guardian_or_reason(self) -> "Guardian":
        if self.alias is None and self.consent_reason is None:
            raise ValueError("a guardian record needs the guardian's alias or a consent reason")
        return self


class Person(Record):
    name: OneLine
    relationship: str
    ring: Annotated[int, Field(ge=1, le=3)]
    contact: str | None = None
    satisfying: str | None = None
    unsatisfying: str | None = None
    expectations_met: bool | None = None
    changes_wanted: str | None = None
    tags: list[PersonTag] = Field(default_factory=new_list)


class TimelineEvent(Record):
    """A life event. One known only to the month ("2026-05", issue 27) is kept as the 1st
    of that month with `precision = "month"` (schema 10): it still sorts and compares as
    a date, and is always shown as the month alone."""

    date: Day
    event: str
    mood: str | None = None
    precision: Literal["month"] | None = None  # None: the day is known

    @model_validator(mode="after")
    def _month_on_its_first(self) -> Self:
        if self.precision == "month" and self.date.day != 1:
            raise ValueError("a month-only date is kept as the 1st of its month")
        return self

    @property
    def when(self) -> str:
        """The date as it was given: YYYY-MM-DD, or YYYY-MM for a month-only one."""
        return dates.month_or_day(self.date, self.precision)


class Formulation(Record):
    text: str
    date: Day  # the day it was written, or agreed (`ipt formulation --agreed --date`)
    agreed: bool
    recorded_at: dt.datetime | None = None  # schema 10: when it was written (UTC)


class Goal(Record):
    id: GoalId
    text: str
    area: ProblemAreaId | None = None
    retired: Day | None = None  # schema 6: kept in the record, no longer rated or planned


class Ending(Record):
    """The termination work: what was agreed for after the course."""

    warning_signs: list[str] = Field(default_factory=new_list)
    feelings_discussed: bool = False
    remaining_issues: str | None = None
    decision: vocabulary.DecisionId | None = None
    decision_note: str | None = None
    # schema 10: the day the termination work was recorded as done (`ipt ending --date`)
    # and when it was written (UTC); None in older files
    date: Day | None = None
    recorded_at: dt.datetime | None = None


PLANNED_RANGE = (4, 30)  # sessions in an acute contract
PlannedCount = Annotated[int, Field(ge=PLANNED_RANGE[0], le=PLANNED_RANGE[1])]


class _WithdrawnApart(Record):
    """A record of sessions whose withdrawn ones the file keeps in `sessions`, marked, and
    memory keeps apart in `withdrawn_sessions` (split_withdrawn / join_withdrawn)."""

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        return split_withdrawn(data)

    @model_serializer(mode="wrap")
    def _join(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return join_withdrawn(handler(self))


class Maintenance(_WithdrawnApart):
    """A new contract after the acute course, usually monthly; reported apart."""

    opened: Day
    start_date: Day
    planned_sessions: Annotated[int, Field(ge=1, le=MAX_MAINTENANCE)]
    cadence: Cadence
    sessions: list[SessionRecord] = Field(default_factory=new_list)
    # renegotiations, oldest first
    contract_changes: list[ContractChange] = Field(default_factory=new_list)
    # schema 10: stored in `sessions`, marked; apart in memory (split_withdrawn)
    withdrawn_sessions: list[SessionRecord] = Field(default_factory=new_list)

    @field_validator("sessions")
    @classmethod
    def _sorted(cls, sessions: list[SessionRecord]) -> list[SessionRecord]:
        return sorted(sessions, key=lambda s: s.date)


class SyncConflict(Record):
    """A version from another machine that `ipt sync` could not merge (core/merge.py): where
    it belongs ("sessions#5", "medication") and the other side's record, kept whole until
    `ipt resolve`."""

    where: str
    theirs: dict[str, Any]


class Course(_WithdrawnApart):
    schema_version: int
    id: Annotated[str, StringConstraints(pattern=f"^{vocabulary.ID_PATTERN}$")]
    client: OneLine
    created: dt.datetime
    start_date: Day
    planned_sessions: PlannedCount
    cadence: Cadence
    kind: CourseKind
    condition: ConditionId = "depression"  # files before schema 4 are depression courses
    adaptation: AdaptationId = "standard"
    guardian: Guardian | None = None
    problem_areas: Annotated[list[ProblemAreaId], Field(min_length=1, max_length=2)]
    dispute_stage: DisputeStage | None = None
    initial_sessions: Annotated[int, Field(ge=1, le=10)] | None = None  # phase override
    termination_sessions: Annotated[int, Field(ge=1, le=10)] | None = None  # phase override
    sick_role: SickRole | None = None
    medication: str | None = None
    inventory: list[Person] = Field(default_factory=new_list)
    timeline: list[TimelineEvent] = Field(default_factory=new_list)
    formulation: Formulation | None = None
    # replaced versions, oldest first
    formulation_history: list[Formulation] = Field(default_factory=new_list)
    contract_agreed: Day | None = None  # when the client agreed the contract (the wizard)
    goals: list[Goal] = Field(default_factory=new_list)
    baseline: Baseline | None = None
    sessions: list[SessionRecord] = Field(default_factory=new_list)
    missed: list[MissedAppointment] = Field(default_factory=new_list)
    contacts: list[Contact] = Field(default_factory=new_list)  # schema 8
    contract_changes: list[ContractChange] = Field(default_factory=new_list)
    # schema 6: settings changed after the start, in order
    changes: list[CourseChange] = Field(default_factory=new_list)
    maintenance: Maintenance | None = None
    ending: Ending | None = None
    # schema 3: every version, oldest first
    safety_plan: list[SafetyPlanVersion] = Field(default_factory=new_list)
    archived: Day | None = None
    # from `ipt sync`; flagged until `ipt resolve`
    conflicts: list[SyncConflict] = Field(default_factory=new_list)
    # the daily social rhythm log (IPSRT), by date
    rhythm: list[RhythmEntry] = Field(default_factory=new_list)
    # schema 10: IPSRT's agreed target times, oldest first (earlier ones kept)
    rhythm_targets: list[RhythmTarget] = Field(default_factory=new_list)
    # schema 10: IPSRT's warning signs of each pole (`ipt ending`, `ipt course ID set`)
    warning_signs_depression: list[PlanLine] = Field(default_factory=new_list)
    warning_signs_mania: list[PlanLine] = Field(default_factory=new_list)
    # schema 10: sessions recorded by mistake and withdrawn (`ipt session --withdraw`). The
    # file keeps them in `sessions`, each marked `withdrawn`; in memory they are apart, so
    # that no count, number, score or view of the sessions given meets one.
    withdrawn_sessions: list[SessionRecord] = Field(default_factory=new_list)

    @field_validator("rhythm")
    @classmethod
    def _one_entry_a_day(cls, entries: list[RhythmEntry]) -> list[RhythmEntry]:
        ordered = sorted(entries, key=lambda e: e.date)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.date == after.date:
                raise ValueError(f"two rhythm entries for {after.date.isoformat()}")
        return ordered

    @field_validator("rhythm_targets")
    @classmethod
    def _targets_by_date(cls, targets: list[RhythmTarget]) -> list[RhythmTarget]:
        return sorted(targets, key=lambda t: t.date)  # stable: a day's later target wins

    @field_validator("problem_areas")
    @classmethod
    def _distinct_areas(cls, areas: list[str]) -> list[str]:
        if len(set(areas)) != len(areas):
            raise ValueError("the secondary problem area must differ from the primary")
        return areas

    @field_validator("sessions")
    @classmethod
    def _sorted_by_date(cls, sessions: list[SessionRecord]) -> list[SessionRecord]:
        # Backfilled sessions are numbered by date; a stable sort keeps same-day order.
        return sorted(sessions, key=lambda s: s.date)

    @model_validator(mode="after")
    def _cross_checks(self) -> Self:
        if self.dispute_stage and "role-dispute" not in self.problem_areas:
            raise ValueError("dispute_stage is only for courses with a role-dispute area")
        offered = catalogue.areas_offered(self.adaptation)
        for area in self.problem_areas:
            if area not in offered:
                owners = [a.id for a in catalogue.ADAPTATIONS.values() if area in a.areas]
                raise ValueError(
                    f"problem area {area!r} is offered only in {' or '.join(owners)} courses"
                )
        if self.guardian is not None and not catalogue.ADAPTATIONS[self.adaptation].guardian:
            raise ValueError("a guardian is recorded only in adolescent courses")
        goal_ids = [g.id for g in self.goals]
        if len(set(goal_ids)) != len(goal_ids):
            raise ValueError("goal ids must be unique")
        for number, session in enumerate(self.sessions, 1):
            if set(session.goal_ratings) - set(goal_ids):
                raise ValueError(f"session {number} rates a goal id that no goal has")
        self._identify_sessions()
        return self

    def taken_numbers(self) -> set[int]:
        """The acute session numbers taken by missed sessions (a member's missed group
        session): no held session gets them."""
        return {m.number for m in self.missed if m.number is not None}

    def numbered_sessions(self) -> list[tuple[int, SessionRecord]]:
        """Each acute session with its number: its place in date order, the numbers taken by
        missed group sessions skipped."""
        taken = self.taken_numbers()
        found, number = [], 0
        for session in self.sessions:
            number += 1
            while number in taken:
                number += 1
            found.append((number, session))
        return found

    @property
    def sessions_used(self) -> int:
        """The acute sessions of the contract used: held, and missed ones that take a
        number (a member's missed group session)."""
        return len(self.sessions) + len(self.taken_numbers())

    def session_number(self, session: SessionRecord) -> int:
        """The number of an acute session of this course (see numbered_sessions)."""
        return next(n for n, s in self.numbered_sessions() if s is session)

    def numbered_session(self, number: int) -> SessionRecord | None:
        """The held acute session with this number; None when none has it."""
        return next((s for n, s in self.numbered_sessions() if n == number), None)

    def all_sessions(self) -> list[SessionRecord]:
        """Acute sessions, then maintenance sessions, each in date order."""
        return self.sessions + (self.maintenance.sessions if self.maintenance else [])

    def withdrawn(self) -> list[SessionRecord]:
        """The withdrawn sessions, acute then maintenance, each in date order."""
        held = self.maintenance.withdrawn_sessions if self.maintenance else []
        return sorted(self.withdrawn_sessions, key=lambda s: s.date) + sorted(
            held, key=lambda s: s.date
        )

    def next_session_id(self) -> int:
        """A withdrawn session keeps its id: no new session takes it."""
        every = self.all_sessions() + self.withdrawn()
        return max((s.id or 0 for s in every), default=0) + 1

    def _identify_sessions(self) -> None:
        """Give every session without an id the next one, in date order; ids are unique."""
        every = self.all_sessions() + self.withdrawn()
        ids = [s.id for s in every if s.id is not None]
        if len(set(ids)) != len(ids):
            raise ValueError("session ids must be unique")
        if any(s.withdrawn is None for s in self.withdrawn()):
            raise ValueError("a session kept as withdrawn has no withdrawal")
        next_id = max(ids, default=0) + 1
        for session in every:
            if session.id is None:
                session.id, next_id = next_id, next_id + 1
