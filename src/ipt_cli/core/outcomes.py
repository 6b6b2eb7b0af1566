"""The service's outcomes across courses, by the NHS Talking Therapies definitions.

One `CourseOutcome` per course (small, kept in the list index), then `outcome_groups`
counts them. The definitions (docs/clinical-rules.md, "Service outcomes"; NHS Talking
Therapies manual and its published KPIs):

- a course **finished treatment** when it has ended (an ending recorded, archived, or every
  planned session held) and at least two sittings have paired scores (the PHQ-9,
  with the course's anxiety measure when it uses one); one score is never an outcome;
- **caseness**: PHQ-9 >= 10, or the anxiety measure's caseness (GAD-7 >= 8);
- **recovery**: a case at the first paired score and not a case on either measure at the last;
- **reliable improvement**: a reliable fall on at least one measure (PHQ-9 6 points, GAD-7
  4) and no reliable rise on the other; **reliable deterioration** the mirror image;
- **reliable recovery**: both recovery and reliable improvement.

The recovery rates are over the cases at the start; the improvement and deterioration rates
over every finished course. Pure: no files, no clock.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from ipt_cli.core.measures import EPDS, GAD7, PHQ9, PHQA, Instrument, ScoringRules
from ipt_cli.core.outcome_record import CourseOutcome
from ipt_cli.core.structs import struct

if TYPE_CHECKING:  # for annotations only: `ipt outcomes` reads the index, not the models
    from ipt_cli.core.models import Administration, Course

ANXIETY_MEASURES: tuple[Instrument, ...] = (GAD7,)
# Depression screens given in place of the PHQ-9 (IPT-A, perinatal): outside these adult
# definitions, named in the counts rather than read as "no score".
OTHER_SCREENS: tuple[Instrument, ...] = (PHQA, EPDS)


@struct(frozen=True)
class Scored:
    """One sitting's date and totals (None where a measure was not given)."""

    date: dt.date
    depression: int | None
    anxiety: dict[str, int]


def course_outcome(
    course_id: str,
    client: str,
    condition: str,
    adaptation: str,
    archived: bool,
    signer: str | None,
    start: dt.date,
    held: int,
    sittings: Sequence[Scored],
    ended: bool = True,
    other_screen: str | None = None,
) -> CourseOutcome:
    """The first and last paired scores of a course's sittings (in date order)."""
    anxiety = next(
        (m.id for m in ANXIETY_MEASURES if any(m.id in s.anxiety for s in sittings)), None
    )
    paired = [
        s
        for s in sittings
        if s.depression is not None and (anxiety is None or anxiety in s.anxiety)
    ]
    first, last = (paired[0], paired[-1]) if paired else (None, None)
    return CourseOutcome(
        course_id=course_id,
        client=client,
        condition=condition,
        adaptation=adaptation,
        archived=archived,
        signer=signer,
        start=start,
        held=held,
        paired=len(paired),
        first_date=first.date if first else None,
        last_date=last.date if last else None,
        depression_first=first.depression if first else None,
        depression_last=last.depression if last else None,
        anxiety=anxiety,
        anxiety_first=first.anxiety.get(anxiety) if first and anxiety else None,
        anxiety_last=last.anxiety.get(anxiety) if last and anxiety else None,
        ended=ended,
        other_screen=None if any(s.depression is not None for s in sittings) else other_screen,
    )


@struct(frozen=True)
class Judged:
    """One finished course by the definitions above."""

    case_at_start: bool
    recovered: bool
    reliably_improved: bool
    reliably_recovered: bool
    deteriorated: bool


def judge(outcome: CourseOutcome, rules: ScoringRules) -> Judged | None:
    """The categories of a finished course; None for one that did not finish."""
    if not outcome.finished:
        return None
    pairs: list[tuple[Instrument, int, int]] = []
    if outcome.depression_first is not None and outcome.depression_last is not None:
        pairs.append((PHQ9, outcome.depression_first, outcome.depression_last))
    anxiety = next((m for m in ANXIETY_MEASURES if m.id == outcome.anxiety), None)
    if anxiety and outcome.anxiety_first is not None and outcome.anxiety_last is not None:
        pairs.append((anxiety, outcome.anxiety_first, outcome.anxiety_last))

    def case(instrument: Instrument, total: int) -> bool:
        threshold = rules.caseness_of(instrument)
        return threshold is not None and total >= threshold

    def moved(instrument: Instrument, change: int) -> int:
        points = rules.reliable_change_points(instrument)
        if points is None or abs(change) < points:
            return 0
        return 1 if change > 0 else -1

    moves = [moved(instrument, last - first) for instrument, first, last in pairs]
    case_at_start = any(case(i, first) for i, first, _ in pairs)
    recovered = case_at_start and not any(case(i, last) for i, _, last in pairs)
    improved = -1 in moves and 1 not in moves
    return Judged(
        case_at_start=case_at_start,
        recovered=recovered,
        reliably_improved=improved,
        reliably_recovered=recovered and improved,
        deteriorated=1 in moves and -1 not in moves,
    )


@struct(frozen=True)
class OutcomeGroup:
    """The counts and rates of one group of courses (all, a condition, an adaptation...)."""

    by: str  # "all", "condition", "adaptation", "signer"
    name: str
    courses: int
    finished: int
    not_finished: int  # still in treatment, one paired score or none: never an outcome
    in_treatment: int  # two paired scores or more, the course not ended
    one_score: int
    no_score: int
    other_screen_only: int  # of no_score: measured with the PHQ-A or EPDS, never the PHQ-9
    cases_at_start: int
    not_case_at_start: int
    recovered: int
    reliably_improved: int
    reliably_recovered: int
    deteriorated: int
    median_sessions: float | None
    median_days: float | None

    @property
    def recovery_rate(self) -> float | None:
        return _rate(self.recovered, self.cases_at_start)

    @property
    def reliable_improvement_rate(self) -> float | None:
        return _rate(self.reliably_improved, self.finished)

    @property
    def reliable_recovery_rate(self) -> float | None:
        return _rate(self.reliably_recovered, self.cases_at_start)

    @property
    def deterioration_rate(self) -> float | None:
        return _rate(self.deteriorated, self.finished)


def _rate(count: int, over: int) -> float | None:
    return count / over if over else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def summarise(
    by: str, name: str, outcomes: Sequence[CourseOutcome], rules: ScoringRules
) -> OutcomeGroup:
    judged = [(o, judge(o, rules)) for o in outcomes]
    done = [(o, j) for o, j in judged if j is not None]
    cases = [j for _, j in done if j.case_at_start]
    return OutcomeGroup(
        by=by,
        name=name,
        courses=len(outcomes),
        finished=len(done),
        not_finished=len(outcomes) - len(done),
        in_treatment=sum(1 for o in outcomes if o.in_treatment),
        one_score=sum(1 for o in outcomes if o.paired == 1),
        no_score=sum(1 for o in outcomes if o.paired == 0),
        other_screen_only=sum(1 for o in outcomes if o.paired == 0 and o.other_screen),
        cases_at_start=len(cases),
        not_case_at_start=len(done) - len(cases),
        recovered=sum(1 for j in cases if j.recovered),
        reliably_improved=sum(1 for _, j in done if j.reliably_improved),
        reliably_recovered=sum(1 for j in cases if j.reliably_recovered),
        deteriorated=sum(1 for _, j in done if j.deteriorated),
        median_sessions=_median([o.held for o, _ in done]),
        median_days=_median(
            [(o.last_date - o.first_date).days for o, _ in done if o.first_date and o.last_date]
        ),
    )


GROUPINGS: dict[str, Callable[[CourseOutcome], str | None]] = {
    "condition": lambda o: o.condition,
    "adaptation": lambda o: o.adaptation,
    "signer": lambda o: o.signer,
}


@struct(frozen=True)
class Selection:
    """Which courses `ipt outcomes` counts."""

    since: dt.date | None = None
    until: dt.date | None = None
    condition: str | None = None
    adaptation: str | None = None
    signer: str | None = None
    archived: bool = False  # archived courses too

    def admits(self, outcome: CourseOutcome) -> bool:
        return (
            (self.archived or not outcome.archived)
            and (self.since is None or outcome.end >= self.since)
            and (self.until is None or outcome.end <= self.until)
            and (self.condition is None or outcome.condition == self.condition)
            and (self.adaptation is None or outcome.adaptation == self.adaptation)
            and (self.signer is None or outcome.signer == self.signer)
        )


def outcome_groups(
    outcomes: Iterable[CourseOutcome],
    selection: Selection,
    rules: ScoringRules,
    group_by: Sequence[str] = ("condition", "adaptation"),
) -> list[OutcomeGroup]:
    """All the selected courses first, then one group per value of each grouping."""
    chosen = [o for o in outcomes if selection.admits(o)]
    groups = [summarise("all", "all courses", chosen, rules)]
    for by in group_by:
        key = GROUPINGS[by]
        values = sorted({key(o) or "(none)" for o in chosen})
        groups += [
            summarise(by, value, [o for o in chosen if (key(o) or "(none)") == value], rules)
            for value in values
        ]
    return groups


def outcome_definitions(rules: ScoringRules) -> dict[str, str]:
    """The definitions in force, with the thresholds of these scoring rules, as every
    format prints them."""
    phq_case, gad_case = rules.caseness_of(PHQ9), rules.caseness_of(GAD7)
    phq_points, gad_points = rules.reliable_change_points(PHQ9), rules.reliable_change_points(GAD7)
    return {
        "source": "NHS Talking Therapies manual and KPI definitions (docs/clinical-rules.md)",
        "finished": "the course has ended (an ending recorded, archived, or every planned "
        "session held) with at least two sittings with paired scores (the PHQ-9, with the course's "
        "anxiety measure when it uses one)",
        "caseness": f"PHQ-9 >= {phq_case}, or GAD-7 >= {gad_case}",
        "recovery": "a case at the first paired score and not a case on either measure at "
        "the last; rate over cases at start",
        "reliable_improvement": f"a fall of >= {phq_points} (PHQ-9) or >= {gad_points} "
        "(GAD-7) on at least one measure and no reliable rise on the other; rate over "
        "finished courses",
        "reliable_recovery": "recovery and reliable improvement; rate over cases at start",
        "reliable_deterioration": "a reliable rise on at least one measure and no reliable "
        "fall on the other; rate over finished courses",
        "not_finished": "still in treatment (the course has not ended), one paired score or "
        "none: counted in its own row, never an outcome",
        "other_screen_only": "of the courses with no score: measured with the PHQ-A "
        "(adolescents) or the EPDS (perinatal) and never with the PHQ-9, so these adult "
        "definitions do not count them; each course's report gives its outcome",
        "period": "--since/--until select courses by the date of their last paired score "
        "(their start when they have none)",
    }


def outcome_of(course: Course) -> CourseOutcome:
    """A course's outcome record: its sittings in date order (the baseline, the sessions,
    then maintenance), and who signed its latest signed session."""
    held = course.all_sessions()
    every: list[Administration] = [*([course.baseline] if course.baseline else []), *held]
    scored = []
    for sitting in sorted(every, key=lambda s: s.date):
        totals = {m.id: sitting.total(m.id) for m in ANXIETY_MEASURES}
        anxiety = {key: total for key, total in totals.items() if total is not None}
        scored.append(Scored(sitting.date, sitting.total(PHQ9.id), anxiety))
    signed = [s.signature.by for s in held if s.signature is not None]
    screens = [m.name for m in OTHER_SCREENS if any(s.total(m.id) is not None for s in every)]
    return course_outcome(
        course.id,
        course.client,
        course.condition,
        course.adaptation,
        course.archived is not None,
        signed[-1] if signed else None,
        course.start_date,
        len(held),
        scored,
        ended=course.ending is not None
        or course.archived is not None
        or len(course.sessions) >= course.planned_sessions,
        other_screen=" and ".join(screens) or None,
    )
