"""Pure aggregation of a course into a report: phase, measure trends, goals, flags.

The report is one model; text, Markdown and JSON are renderings of it (see render.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence

from ipt_cli.core import catalogue
from ipt_cli.core.course_row import CourseRow
from ipt_cli.core.measures import (
    INSTRUMENTS,
    Band,
    Instrument,
    ScoringRules,
    cluster_scores,
    outcome,
    pcl5_dsm5_rule,
    reached_cutoff,
    severity,
)
from ipt_cli.core.models import Administration, Course, Ending, RiskReview, SessionRecord
from ipt_cli.core.outcomes import outcome_of
from ipt_cli.core.planning import (
    StrategyStatus,
    course_phase,
    course_spans,
    current_dispute_stage,
    next_session_date,
    primary_of,
    strategy_coverage,
)
from ipt_cli.core.record import RecordSummary, summarise
from ipt_cli.core.risk import OpenFlag, RiskState, risk_state
from ipt_cli.core.safety import SafetyFlag, risk_labels, safety_flags
from ipt_cli.core.signals import pack_unsigned
from ipt_cli.core.structs import field, replace, struct
from ipt_cli.core.tracking import allowed_gap, not_on_track, screen_alerts, unsigned_sessions


@struct(frozen=True)
class Point:
    session: int  # 0 is the baseline
    date: dt.date
    total: int
    severity: str | None  # None: the instrument has no bands (PCL-5, Mini-SPIN, LSAS-SR)
    maintenance: bool = False  # a maintenance session's number
    clusters: dict[str, int] | None = None  # the PCL-5's cluster scores
    dsm5_rule: bool | None = None  # the PCL-5's provisional DSM-5 symptom rule is met

    @property
    def label(self) -> str:
        if self.maintenance:
            return f"maintenance session {self.session}"
        return "baseline" if self.session == 0 else f"session {self.session}"


@struct(frozen=True)
class MeasureSummary:
    """One instrument's outcome: its first score (the baseline) against its latest.

    For the maintenance block, `latest` is the latest maintenance score, still measured
    against the acute baseline, and the end_of_acute fields measure it against the last
    score of the acute course.
    """

    instrument: str
    name: str
    baseline: int | None
    first_point: Point | None  # where the baseline was taken
    latest: int | None  # None with one score: one score is not an outcome
    change: int | None
    change_percent: float | None
    severity: str | None  # the band of the most recent score
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None
    series: list[Point]
    latest_point: Point | None = None
    reliable_points: int | None = None  # the threshold used, when there is one
    caseness: int | None = None
    end_of_acute: int | None = None  # maintenance only
    change_from_end_of_acute: int | None = None
    relapse: bool | None = None
    relapse_point: Point | None = None
    cutoff: int | None = None  # a positive screen at or above (PCL-5, Mini-SPIN)
    case_at_baseline: bool | None = None  # False: response and remission do not apply
    # The most recent score on record (baseline, acute or maintenance sitting): in the
    # acute block of a course in maintenance, a maintenance score, not the acute end.
    recent_point: Point | None = None

    @property
    def current(self) -> Point | None:
        """The most recent score on record, whatever block this summary measures: where a
        screen, a cut-off or 'most recent' is said (an ASRM of 8 at maintenance session 1
        is not 'most recent 1', the acute end)."""
        if self.recent_point is not None:
            return self.recent_point
        return self.series[-1] if self.series else None

    @property
    def above_cutoff(self) -> bool | None:
        """The most recent score at or above the cut-off; None without a cut-off or score."""
        current = self.current
        if self.cutoff is None or current is None:
            return None
        return current.total >= self.cutoff

    @property
    def screen(self) -> str | None:
        """The highest named cut-off the most recent score reaches ('probable depression'),
        None below them all or without named cut-offs."""
        current = self.current
        reached = (
            None if current is None else reached_cutoff(INSTRUMENTS[self.instrument], current.total)
        )
        return None if reached is None else reached.label

    @property
    def clusters(self) -> dict[str, int] | None:
        """The most recent score's cluster scores (PCL-5)."""
        current = self.current
        return current.clusters if current else None

    @property
    def reliable_change(self) -> bool | None:
        """Kept for scripts: reliable change means reliable improvement."""
        return self.reliable_improvement

    @property
    def baseline_session(self) -> int | None:
        """0 for the intake score, else the session it was first given at."""
        return None if self.first_point is None else self.first_point.session


@struct(frozen=True)
class GoalSummary:
    id: str
    text: str
    ratings: list[int]
    retired: dt.date | None = None  # kept in the record, no longer rated

    @property
    def shown(self) -> str:
        """The goal's text, marked when it was retired."""
        return self.text + (f" (retired {self.retired.isoformat()})" if self.retired else "")

    @property
    def latest(self) -> int | None:
        return self.ratings[-1] if self.ratings else None


@struct(frozen=True)
class TaskRow:
    session: int
    date: dt.date
    task: str
    outcome: str | None  # recorded at the next session


@struct(frozen=True)
class ChecklistItem:
    id: str
    text: str
    done: bool


@struct(frozen=True)
class Report:
    course: Course
    today: dt.date
    phase: str
    next_date: dt.date | None
    measures: dict[str, MeasureSummary]
    maintenance_measures: dict[str, MeasureSummary]
    dispute_stage: str | None
    flags: list[SafetyFlag]  # every flag, reviewed or not (the history)
    risk: RiskState  # what every rendering shows about risk (core/risk.py)
    goals: list[GoalSummary]
    techniques: dict[str, int] = field(default_factory=dict)
    tasks: list[TaskRow] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)  # termination phase on
    record: RecordSummary | None = None  # signatures, supervision, fidelity, standing risk
    eating: EatingSummary | None = None  # eating-disorder counts, when any are recorded
    follow_ups: list[Alert] = field(default_factory=list)  # not on track
    strategies: list[StrategyStatus] = field(default_factory=list)  # covered or not yet

    @property
    def condition(self) -> catalogue.ConditionProfile:
        return catalogue.CONDITIONS[self.course.condition]

    @property
    def completed(self) -> bool:
        """The acute course is over (maintenance may follow)."""
        return self.phase in ("completed", "maintenance")

    @property
    def alerts(self) -> list[Alert]:
        return outcome_alerts(self.measures, self.maintenance_measures) + self.follow_ups

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.done]

    @property
    def sessions_recorded(self) -> int:
        return len(self.course.sessions)

    @property
    def unreviewed_flags(self) -> list[OpenFlag]:
        return self.risk.flags


@struct(frozen=True)
class Alert:
    """An outcome a clinician must not miss: a reliable deterioration, or a relapse."""

    instrument: str
    kind: str  # "deterioration", "relapse" or "not-on-track"
    text: str
    date: dt.date | None = None  # of the score that shows it


def _where(point: Point | None, maintenance: bool = False) -> str:
    if point is None:
        return ""
    label = f"maintenance session {point.session}" if maintenance else point.label
    return f" at {label} ({point.date.isoformat()})"


def outcome_alerts(
    measures: dict[str, MeasureSummary], maintenance: dict[str, MeasureSummary]
) -> list[Alert]:
    """Reliable deterioration in the acute course or in maintenance, and relapse."""
    alerts = []
    for during, group in ((False, measures), (True, maintenance)):
        for m in group.values():
            if m.relapse and m.relapse_point:
                alerts.append(Alert(m.instrument, "relapse", relapse_text(m), m.relapse_point.date))
            elif m.reliable_deterioration:
                alerts.append(
                    Alert(
                        m.instrument,
                        "deterioration",
                        f"{m.name} reliable deterioration{' in maintenance' if during else ''}: "
                        f"{m.baseline}{_where(m.first_point)} to {m.latest}"
                        f"{_where(m.latest_point, during)}, +{m.change} points (reliable "
                        f"change: {m.reliable_points})",
                        m.latest_point.date if m.latest_point else None,
                    )
                )
    return alerts


def relapse_text(m: MeasureSummary) -> str:
    point = m.relapse_point
    assert point is not None and m.end_of_acute is not None
    reasons = []
    if m.caseness is not None and m.end_of_acute < m.caseness <= point.total:
        reasons.append(f"a case again (>= {m.caseness})")
    if m.reliable_points is not None and point.total - m.end_of_acute >= m.reliable_points:
        reasons.append(f"a reliable deterioration (+{point.total - m.end_of_acute})")
    return (
        f"{m.name} relapse: {point.total}{_where(point, True)}, {' and '.join(reasons)} "
        f"from {m.end_of_acute} at the end of the acute course"
    )


DEPRESSION_MEASURES = ("phq9", "phqa", "hamd17", "bdi2")  # response: a depression outcome


def judged_measures(condition: str) -> tuple[str, ...]:
    """The measures whose response decides non-response: the depression measures for a
    depression course, else the profile's primary instrument (none for eating disorders,
    whose outcome is abstinence, not a 50% fall)."""
    if condition == "depression":
        return DEPRESSION_MEASURES
    primary = catalogue.CONDITIONS[condition].primary
    return (primary,) if primary in INSTRUMENTS else ()


def non_response(
    measures: dict[str, MeasureSummary], judged_ids: tuple[str, ...] = DEPRESSION_MEASURES
) -> str | None:
    """'No response on PHQ-9 (17 to 15)' when the judged measures (by default the depression
    measures) with an outcome show no response (a fall of at least 50%); None when one
    responded or none has an outcome. A measure with no sourced response rule (the PCL-5)
    is judged by reliable improvement instead (the National Center for PTSD's guidance)."""
    judged = [measures[i] for i in judged_ids if i in measures]
    judged = [m for m in judged if _responded(m) is not None]
    if not judged or any(_responded(m) for m in judged):
        return None
    if all(not INSTRUMENTS[m.instrument].response_rule for m in judged):
        shown = ", ".join(
            f"{m.name} ({m.baseline} to {m.latest}, {_signed(m.change)} points; reliable "
            f"change {m.reliable_points})"
            for m in judged
        )
        return f"No reliable improvement on {shown}: {catalogue.NON_RESPONSE_ADVICE}."
    shown = ", ".join(f"{m.name} ({m.baseline} to {m.latest})" for m in judged)
    return f"No response on {shown}: {catalogue.NON_RESPONSE_ADVICE}."


def _responded(m: MeasureSummary) -> bool | None:
    """Response by the instrument's own rule: the 50% fall where a source gives it, else a
    reliable improvement (PCL-5: 5-10 points reliable, National Center for PTSD)."""
    if INSTRUMENTS[m.instrument].response_rule or m.case_at_baseline is False:
        return m.response
    return m.reliable_improvement


def _signed(value: int | None) -> str:
    return "n/a" if value is None else f"{value:+d}"


def still_a_case(measures: dict[str, MeasureSummary]) -> list[str]:
    """The measures whose most recent score is a case (at or above caseness; with no
    caseness, at or above the screening cut-off): 'PHQ-9 18 (a case at 10 or more)'."""
    found = []
    for m in measures.values():
        if m.current is None:
            continue
        last = m.current.total  # a maintenance score, once maintenance has one
        if m.caseness is not None and last >= m.caseness:
            found.append(f"{m.name} {last} (a case at {m.caseness} or more)")
        elif m.caseness is None and m.cutoff is not None and last >= m.cutoff:
            found.append(f"{m.name} {last} (at or above the cut-off, {m.cutoff})")
    return found


@struct(frozen=True)
class EndingGate:
    """Why ending care, or moving to maintenance, needs the clinician's confirmation."""

    reason: str  # short: "the client is still a case", for the one-line refusal
    advice: str  # the full advice, naming a referral


def ending_gate(
    course: Course, rules: ScoringRules | None = None, ending_care: bool = False
) -> EndingGate | None:
    """Non-response, or a case at the most recent score, when the course is to end or go on
    to maintenance: the advice names a referral (WHO Group IPT 2016: refer if still
    symptomatic; Weissman et al. 2018: offer another treatment). None when neither holds."""
    rules = rules or ScoringRules()
    measures = _used_measures(course, rules, maintenance=False)
    lines, reasons = [], []
    no_response = non_response(measures, judged_measures(course.condition))
    if no_response:  # judged as at the ending: the depression measures or the primary one
        lines.append(no_response)
        reasons.append("has no response")
    judged = judged_measures(course.condition)
    cases = still_a_case({k: m for k, m in measures.items() if k in judged})
    if cases:
        lines.append(f"Still a case at the most recent score: {'; '.join(cases)}.")
        reasons.append("is still a case")
    if lines:
        lines.append(f"{catalogue.REFERRAL_ADVICE[0].upper()}{catalogue.REFERRAL_ADVICE[1:]}.")
    if ending_care:  # discharging a client at risk: named, whatever the scores say
        state = risk_state(course, dt.date.min)
        if state.high is not None:
            lines.append(
                f"SAFETY: {state.high.banner}; review risk and agree who holds it before care ends."
            )
            reasons.append("is at HIGH standing risk")
        if state.flags:
            lines.append(
                f"SAFETY: {len(state.flags)} risk flag(s) unreviewed: "
                + "; ".join(f.flag.label for f in state.flags)
                + "; review them before care ends."
            )
            reasons.append("has unreviewed risk flags")
    if not lines:
        return None
    return EndingGate(f"the client {' and '.join(reasons)}", " ".join(lines))


def course_non_response(course: Course, rules: ScoringRules | None = None) -> str | None:
    """The non-response advice for a course's acute outcome, if it applies."""
    rules = rules or ScoringRules()
    measures = _used_measures(course, rules, maintenance=False)
    return non_response(measures, judged_measures(course.condition))


@struct(frozen=True)
class ReviewedSitting:
    """A sitting's risk reviews, in the order they were recorded."""

    where: str  # baseline, session N, maintenance session N
    date: dt.date
    maintenance: bool
    number: int
    session_id: int | None
    flags: list[str]  # what was flagged there, e.g. "PHQ-9 item 9 = 1"
    reviews: list[RiskReview]
    withdrawn: bool = False  # a session withdrawn (its number: the one it had)


def review_history(course: Course) -> list[ReviewedSitting]:
    """Every reviewed sitting, a withdrawn session's too: its flags and reviews stay in the
    safety record (hazard HAZ-36)."""
    numbered: list[tuple[int, bool, Administration]] = [(n, False, s) for n, s in sittings(course)]
    if course.maintenance:
        numbered += [(n, True, s) for n, s in enumerate(course.maintenance.sessions, 1)]
    kept_apart = course.maintenance.withdrawn_sessions if course.maintenance else []
    numbered += [
        (s.withdrawn.number or 0 if s.withdrawn else 0, any(s is k for k in kept_apart), s)
        for s in course.withdrawn()
    ]
    history = []
    for number, maintenance, sitting in numbered:
        if not sitting.risk_reviews:
            continue
        withdrawn = isinstance(sitting, SessionRecord) and sitting.withdrawn is not None
        where = "baseline" if number == 0 and not withdrawn else f"session {number}"
        where = f"maintenance {where}" if maintenance else where
        where = f"withdrawn {where}" if withdrawn else where
        history.append(
            ReviewedSitting(
                where=where,
                date=sitting.date,
                maintenance=maintenance,
                number=number,
                session_id=sitting.id if isinstance(sitting, SessionRecord) else None,
                flags=risk_labels(sitting),
                reviews=list(sitting.risk_reviews),
                withdrawn=withdrawn,
            )
        )
    return history


def sittings(course: Course) -> list[tuple[int, Administration]]:
    numbered: list[tuple[int, Administration]] = [(0, course.baseline)] if course.baseline else []
    return numbered + list(course.numbered_sessions())


def summarise_measure(
    course: Course, instrument: Instrument, rules: ScoringRules, maintenance: bool = False
) -> MeasureSummary:
    """First score against latest. The first administration is the baseline (the intake
    score when there is one); maintenance scores are measured against it and against the
    last score of the acute course."""
    bands = rules.bands(instrument)
    acute = _series(sittings(course), instrument, bands)
    series = acute
    if maintenance and course.maintenance:
        series = _series(list(enumerate(course.maintenance.sessions, 1)), instrument, bands)
    first = acute[0] if acute else (series[0] if series else None)
    if first is not None and not acute and series is not acute:
        first = replace(first, maintenance=True)  # first rated in maintenance
        series = [first, *series[1:]]
    later = series[-1] if series and series[-1] is not first else None
    recent = series[-1] if series else None
    if not maintenance and course.maintenance:  # the acute block: the latest score on record
        held = _series(list(enumerate(course.maintenance.sessions, 1)), instrument, bands)
        recent = replace(held[-1], maintenance=True) if held else recent
    result = outcome(
        instrument, first.total if first else None, later.total if later else None, rules
    )
    summary = MeasureSummary(
        instrument=instrument.id,
        name=instrument.name,
        baseline=result.baseline,
        first_point=first,
        latest=result.latest,
        change=result.change,
        change_percent=result.change_percent,
        severity=series[-1].severity if series else None,
        response=result.response,
        remission=result.remission,
        reliable_improvement=result.reliable_improvement,
        reliable_deterioration=result.reliable_deterioration,
        reliable_recovery=result.reliable_recovery,
        series=series,
        latest_point=later,
        reliable_points=rules.reliable_change_points(instrument),
        caseness=rules.caseness_of(instrument),
        cutoff=rules.cutoff_of(instrument),
        case_at_baseline=result.case_at_baseline,
        recent_point=recent,
    )
    if maintenance and course.maintenance and acute:  # no contract: nothing to relapse from
        summary = _against_end_of_acute(summary, acute[-1], series)
    return summary


def _against_end_of_acute(
    summary: MeasureSummary, end: Point, series: list[Point]
) -> MeasureSummary:
    """Relapse: a return to caseness, or a reliable deterioration, from the last acute score
    (ipt-domain.md section 8); the first maintenance score that shows it is kept."""
    case, points = summary.caseness, summary.reliable_points
    relapse_point = None
    relapse: bool | None = None
    if series and (case is not None or points is not None):
        relapse_point = next(
            (
                p
                for p in series
                if (case is not None and end.total < case <= p.total)
                or (points is not None and p.total - end.total >= points)
            ),
            None,
        )
        relapse = relapse_point is not None
    return replace(
        summary,
        end_of_acute=end.total,
        change_from_end_of_acute=series[-1].total - end.total if series else None,
        relapse=relapse,
        relapse_point=relapse_point,
    )


def _series(
    numbered: Sequence[tuple[int, Administration]], instrument: Instrument, bands: tuple[Band, ...]
) -> list[Point]:
    """One point per sitting: a second administration on the same date (the baseline and
    a session 1 on its day, in files written before that was refused) is not charted."""
    points: list[Point] = []
    seen: set[dt.date] = set()
    for number, sitting in numbered:
        entry = getattr(sitting, instrument.id)
        if entry is None:  # not given here (most sittings, for most instruments)
            continue
        total = sitting.total(instrument.id)
        if total is not None and sitting.date not in seen:
            seen.add(sitting.date)
            clusters, rule = None, None
            if instrument.clusters:
                clusters = cluster_scores(instrument, entry.items)
                rule = pcl5_dsm5_rule(entry.items)
            bands_of = severity(total, bands)  # every field in order: the fastest struct
            points.append(Point(number, sitting.date, total, bands_of, False, clusters, rule))
    return points


def measure_order(course: Course) -> list[Instrument]:
    """Every instrument, the course's primary one first (the report's headline), or a
    depression course's adaptation measures first (a perinatal course's EPDS, then the
    PHQ-9; an IPSRT course's PHQ-9, then the ASRM), the rest in the catalogue's order."""
    primary = primary_of(course)
    lead = catalogue.ADAPTATIONS[course.adaptation].measures
    first = list(lead) if course.condition == "depression" else [primary, *lead]
    if primary not in first:
        first.insert(0, primary)
    rank = {instrument: n for n, instrument in enumerate(dict.fromkeys(first))}
    return sorted(INSTRUMENTS.values(), key=lambda i: rank.get(i.id, len(rank)))


def _used_measures(
    course: Course, rules: ScoringRules, maintenance: bool
) -> dict[str, MeasureSummary]:
    """The measures with a score; in the acute report the PHQ-9 and the condition's primary
    instrument always, the primary first."""
    primary = primary_of(course)
    screen = catalogue.ADAPTATIONS[course.adaptation].screen  # the PHQ-9, or the PHQ-A
    held = course.maintenance.sessions if maintenance and course.maintenance else []
    given = _given([s for _, s in sittings(course)] if not held else held)
    measures = {}
    for instrument in measure_order(course):
        always = instrument.id in (screen, primary) and not maintenance
        if instrument.id not in given and not always:
            continue  # never given: no series (a long course is not scanned for it)
        summary = summarise_measure(course, instrument, rules, maintenance)
        if summary.series or always:
            measures[instrument.id] = summary
    return measures


def _given(held: Sequence[Administration]) -> set[str]:
    """The instruments given at any of these sittings (at least: those set on a record)."""
    found: set[str] = set()
    for sitting in held:
        found |= sitting.model_fields_set
    return found & INSTRUMENTS.keys()


def task_rows(course: Course) -> list[TaskRow]:
    rows = []
    sessions = course.sessions
    for index, session in enumerate(sessions):
        if session.task:
            following = sessions[index + 1] if index + 1 < len(sessions) else None
            rows.append(
                TaskRow(
                    index + 1,
                    session.date,
                    session.task,
                    following.task_outcome if following else None,
                )
            )
    return rows


def _change_reviewed(course: Course) -> bool:
    """The review of change is recorded, not assumed from a termination session being held
    (issue 26, defect 15): a termination-phase session whose fidelity rating marks the review
    done, or that recorded both a symptom score and a goal rating (the change in symptoms and
    in the problem area)."""
    spans = course_spans(course)
    for number, session in course.numbered_sessions():
        if spans.phase_of(number, course.planned_sessions) != "termination":
            continue
        if session.fidelity and session.fidelity[-1].items.get("term-review") == "done":
            return True
        if session.instruments() and session.goal_ratings:
            return True
    return False


def termination_checklist(course: Course) -> list[ChecklistItem]:
    """The termination tasks, each marked done from what the course records."""
    ending = course.ending or Ending()
    done = {
        "review-change": _change_reviewed(course),
        "warning-signs": bool(
            ending.warning_signs or course.warning_signs_depression or course.warning_signs_mania
        ),
        "ending-feelings": ending.feelings_discussed,
        "remaining-issues": ending.remaining_issues is not None,
        "next-steps": ending.decision is not None,
    }
    return [
        ChecklistItem(task.id, task.text, done[task.id])
        for task in catalogue.PHASES["termination"].tasks
    ]


def build_report(course: Course, today: dt.date, rules: ScoringRules | None = None) -> Report:
    rules = rules or ScoringRules()
    goals = [
        GoalSummary(
            g.id,
            g.text,
            [s.goal_ratings[g.id] for s in course.sessions if g.id in s.goal_ratings],
            g.retired,
        )
        for g in course.goals
    ]
    techniques = Counter(t for s in course.sessions for t in s.techniques)
    phase = course_phase(course)
    flags = safety_flags(course)
    return Report(
        course=course,
        today=today,
        phase=phase,
        next_date=next_session_date(course),
        measures=_used_measures(course, rules, maintenance=False),
        maintenance_measures=_used_measures(course, rules, maintenance=True)
        if course.maintenance
        else {},
        dispute_stage=current_dispute_stage(course),
        flags=flags,
        risk=risk_state(course, today, flags),
        goals=goals,
        techniques=dict(techniques.most_common()),
        tasks=task_rows(course),
        checklist=termination_checklist(course)
        if phase in ("termination", "completed", "maintenance")
        else [],
        eating=eating_summary(course),
        record=summarise(course),
        follow_ups=follow_up_alerts(course, rules),
        strategies=strategy_coverage(course),
    )


def follow_up_alerts(course: Course, rules: ScoringRules) -> list[Alert]:
    """The outcome warnings measurement-based care adds (core/tracking.py): a mania alert
    (the ASRM's latest score at or above 6, issue 28), not on track.
    (Overdue and unsigned sessions are the caseload's follow-ups: `ipt list` shows them.)"""
    lagging = not_on_track(course, rules)
    alerts = [Alert(a.instrument, "mania", a.text, a.date) for a in screen_alerts(course)]
    if lagging is not None:
        alerts.append(Alert(lagging.instrument, "not-on-track", lagging.text))
    return alerts


def course_row(course: Course, rules: ScoringRules | None = None) -> CourseRow:
    """The list row of a course; nothing in it depends on today (see CourseRow.is_overdue)."""
    rules = rules or ScoringRules()
    latest = {}
    acute, maintenance = {}, {}
    held: list[Administration] = [*([course.baseline] if course.baseline else [])]
    held += course.all_sessions()
    given = {i for sitting in held for i in sitting.instruments()}
    for instrument in measure_order(course):
        if instrument.id not in given:
            continue  # never given: no score, no alert (the row needs no summary of it)
        summary = summarise_measure(course, instrument, rules)
        kept = (
            summarise_measure(course, instrument, rules, maintenance=True)
            if course.maintenance
            else summary
        )
        if summary.series:
            acute[instrument.id] = summary
        if course.maintenance and kept.series:
            maintenance[instrument.id] = kept
        recent = (kept.series or summary.series)[-1:]  # the most recent score, one or more
        for point in recent:
            latest[instrument.id] = (point.total, point.severity)
    counts = [s.binges for s in held if s.binges is not None]
    if course.condition == "eating-disorder" and counts:  # the primary: latest binge count
        latest = {catalogue.EPISODES: (counts[-1], None), **latest}
    state = risk_state(course, dt.date.min)  # the row keeps dates, not days (see CourseRow)
    return CourseRow(
        course_id=course.id,
        client=course.client,
        phase=course_phase(course),
        recorded=len(course.sessions),  # held; the phase and next date count missed group
        # sessions as used (Course.sessions_used)
        planned=course.planned_sessions,
        next_date=next_session_date(course),
        archived=course.archived is not None,
        latest=latest,
        unreviewed_flags=len(state.flags),
        risk_level=state.level,
        urgent_flags=sum(f.flag.urgent for f in state.flags),
        oldest_flag=state.flags[0].flag.date if state.flags else None,
        missed_at_risk=state.follow_up,
        level_out_of_date_since=None if state.newer_flag is None else state.newer_flag.flag.date,
        alerts=[a.text for a in screen_alerts(course)]
        + [a.text for a in outcome_alerts(acute, maintenance)]
        + (
            [f"{len(course.conflicts)} sync conflict(s): ipt resolve {course.id}"]
            if course.conflicts
            else []
        ),
        primary=primary_of(course),
        outcome_data=json.dumps(outcome_of(course).to_cache()),
        not_on_track=not_on_track(course, rules),
        unsigned=pack_unsigned(unsigned_sessions(course)),
        gap=allowed_gap(course),
    )


@struct(frozen=True)
class EpisodeWeek:
    """One sitting's self-monitoring: counts since the previous sitting, as weekly rates."""

    session: int  # 0: the assessment (baseline)
    date: dt.date
    days: int  # the period the counts cover: since the previous sitting (7 for the first)
    binges: int | None
    compensatory: int | None
    edeq_global: float | None

    @property
    def weeks(self) -> float:
        return self.days / 7

    @property
    def period_start(self) -> dt.date:
        """The first day the counts cover: they are counted since the previous sitting."""
        return self.date - dt.timedelta(days=self.days)

    @property
    def binges_per_week(self) -> float | None:
        return None if self.binges is None else round(self.binges / self.weeks, 1)

    @property
    def compensatory_per_week(self) -> float | None:
        return None if self.compensatory is None else round(self.compensatory / self.weeks, 1)

    @property
    def label(self) -> str:
        return "baseline" if self.session == 0 else f"session {self.session}"


FIRST_WEEKS = 2  # "the first weeks": the first two recorded periods (docs/clinical-rules.md)
ABSTINENCE_DAYS = 28  # abstinence: no binges over the last 28 days (ipt-domain.md section 9)


@struct(frozen=True)
class EatingSummary:
    """Binge and compensatory episodes per week, abstinence runs, change from the first
    weeks, and the EDE-Q global trend (ipt-domain.md section 9)."""

    weeks: list[EpisodeWeek]

    def _rate(self, rows: list[EpisodeWeek], what: str) -> float | None:
        counted: list[tuple[int, int]] = [
            (getattr(r, what), r.days) for r in rows if getattr(r, what) is not None
        ]
        if not counted:
            return None
        return round(sum(c for c, _ in counted) / (sum(d for _, d in counted) / 7), 1)

    def _windows(self, what: str) -> tuple[list[EpisodeWeek], list[EpisodeWeek]]:
        rows = [r for r in self.weeks if getattr(r, what) is not None]
        size = min(FIRST_WEEKS, len(rows) // 2)
        if size == 0:
            return rows[:1], []
        return rows[:size], rows[-size:]

    def first_weeks(self, what: str = "binges") -> float | None:
        return self._rate(self._windows(what)[0], what)

    def recent_weeks(self, what: str = "binges") -> float | None:
        recent = self._windows(what)[1]
        return self._rate(recent, what) if recent else None

    def change(self, what: str = "binges") -> float | None:
        first, recent = self.first_weeks(what), self.recent_weeks(what)
        return None if first is None or recent is None else round(recent - first, 1)

    def change_percent(self, what: str = "binges") -> float | None:
        first, change = self.first_weeks(what), self.change(what)
        return None if not first or change is None else round(change / first * 100, 1)

    def abstinence_runs(self) -> list[tuple[EpisodeWeek, EpisodeWeek, int]]:
        """Each run of consecutive periods without a binge: (first, last, days covered)."""
        runs: list[tuple[EpisodeWeek, EpisodeWeek, int]] = []
        current: list[EpisodeWeek] = []
        for row in [r for r in self.weeks if r.binges is not None]:
            if row.binges == 0:
                current.append(row)
                continue
            if current:
                runs.append((current[0], current[-1], sum(r.days for r in current)))
            current = []
        if current:
            runs.append((current[0], current[-1], sum(r.days for r in current)))
        return runs

    @property
    def current_abstinence_days(self) -> int | None:
        rows = [r for r in self.weeks if r.binges is not None]
        if not rows:
            return None
        days = 0
        for row in reversed(rows):
            if row.binges != 0:
                break
            days += row.days
        return days

    @property
    def longest_abstinence_days(self) -> int | None:
        if not any(r.binges is not None for r in self.weeks):
            return None
        return max((days for _, _, days in self.abstinence_runs()), default=0)

    @property
    def abstinent(self) -> bool | None:
        """No binges over the last 28 days; None without a count."""
        days = self.current_abstinence_days
        return None if days is None else days >= ABSTINENCE_DAYS

    @property
    def edeq(self) -> list[EpisodeWeek]:
        return [r for r in self.weeks if r.edeq_global is not None]

    @property
    def edeq_change(self) -> float | None:
        series = self.edeq
        if len(series) < 2:
            return None
        first, last = series[0].edeq_global, series[-1].edeq_global
        assert first is not None and last is not None
        return round(last - first, 2)


def eating_summary(course: Course) -> EatingSummary | None:
    """The acute course's self-monitoring counts; None when none were recorded."""
    rows = []
    previous: dt.date | None = None
    for number, sitting in sittings(course):
        recorded = (sitting.binges, sitting.compensatory, sitting.edeq_global)
        if any(v is not None for v in recorded):
            days = 7 if previous is None else max((sitting.date - previous).days, 1)
            rows.append(EpisodeWeek(number, sitting.date, days, *recorded))
        previous = sitting.date
    return EatingSummary(rows) if rows else None
