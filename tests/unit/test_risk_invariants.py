"""Safety invariants of the risk state, as properties (issue 26).

Random histories of a course — sessions with or without a risk item (PHQ-9, HAM-D-17,
BDI-II, or none), fixes that raise or lower a risk item, addenda, missed appointments, risk
reviews of any flagged sitting in any order (many on the same day), a maintenance contract
and its sessions — are applied through the core's own commands (what `ipt` calls). A small
reference model, kept beside them, knows which sittings were flagged and reviewed and which
judgement was recorded last. After every history, every view is rendered in-process: the
list row and its JSON, the agenda (JSON, Markdown, text), the plan (JSON), the report (JSON,
Markdown, text), every session's note (text, JSON), and the group agenda and report of a
WHO-model group the course is a member of (each session a group meeting). They must:

1. show every flag until a review of its sitting is recorded (and none after);
2. give the level of the review recorded last, whatever sitting it belongs to;
3. name HIGH (a standing high level) and URGENT (an urgent unreviewed flag) wherever the
   course is shown;
4. agree with each other (count, level, urgency, oldest wait).

The fast suite runs a bounded number of examples; tests/faults/test_risk_invariants_long.py
runs many more under the `faults` marker.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipt_cli.core import changes, corrections
from ipt_cli.core.course_row import row_json
from ipt_cli.core.group import GROUP_SCHEMA_VERSION, Group, Meeting
from ipt_cli.core.group import build_agenda as group_agenda
from ipt_cli.core.group import build_report as group_report
from ipt_cli.core.models import Baseline, Course, SessionRecord
from ipt_cli.core.notes import all_notes
from ipt_cli.core.planning import agenda_for, build_plan
from ipt_cli.core.progress import build_report, course_row
from ipt_cli.core.safety import is_urgent
from ipt_cli.errors import IptError
from ipt_cli.views import record as views_record
from ipt_cli.views import terminal
from ipt_cli.views.json_shapes import (
    agenda_json,
    group_agenda_json,
    group_report_json,
    plan_json,
    report_json,
)
from ipt_cli.views.markdown import (
    agenda_markdown,
    group_agenda_markdown,
    group_report_markdown,
    report_markdown,
)
from ipt_cli.views.note import note_json, note_text
from tests.unit.builders import INTAKE, START, bdi2, course, hamd17, phq9

TODAY = dt.date(2026, 6, 1)
ACUTE = 4  # a short acute course, so that histories reach maintenance
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LEVELS = ("low", "moderate", "high")

# One step of a history.
session_op = st.tuples(
    st.just("session"),
    st.sampled_from(["phq9", "hamd17", "bdi2", "none"]),
    st.integers(0, 3),  # the risk item's score
)
fix_op = st.tuples(st.just("fix"), st.integers(0, 20), st.integers(0, 3))
review_op = st.tuples(st.just("review"), st.integers(0, 20), st.sampled_from(LEVELS))
other_op = st.sampled_from([("missed",), ("amend",), ("maintenance",)])
history = st.lists(st.one_of(session_op, fix_op, review_op, other_op), max_size=14)


@dataclass
class Model:
    """What the record holds about risk, kept by the test: per sitting date, the risk
    scores (instrument -> score) and whether a review was recorded; the last level."""

    scores: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    reviewed: set[dt.date] = field(default_factory=set)
    level: str | None = None

    def unreviewed(self) -> dict[dt.date, dict[str, int]]:
        return {
            d: {i: s for i, s in found.items() if s >= 1}
            for d, found in self.scores.items()
            if d not in self.reviewed and any(s >= 1 for s in found.values())
        }

    def flag_count(self) -> int:
        return sum(len(found) for found in self.unreviewed().values())

    def urgent(self) -> bool:
        return any(
            is_urgent(i, s) for found in self.unreviewed().values() for i, s in found.items()
        )


def _scores(instrument: str, risk: int) -> dict[str, Any]:
    if instrument == "phq9":
        return {"phq9": phq9(max(risk, 8), item9=risk)}
    if instrument == "hamd17":
        return {"hamd17": hamd17(max(risk, 12), item3=risk)}
    if instrument == "bdi2":
        return {"bdi2": bdi2(max(risk, 15), item9=risk)}
    return {}


@dataclass
class Runner:
    course: Course
    model: Model
    clock: dt.datetime = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    next_date: dt.date = START

    def sittings(self) -> list[tuple[str, Baseline | SessionRecord]]:
        found: list[tuple[str, Baseline | SessionRecord]] = []
        if self.course.baseline:
            found.append(("0", self.course.baseline))
        found += [(str(n), s) for n, s in enumerate(self.course.sessions, 1)]
        if self.course.maintenance:
            found += [(f"m{n}", s) for n, s in enumerate(self.course.maintenance.sessions, 1)]
        return found

    def apply(self, op: tuple[Any, ...]) -> None:
        kind = op[0]
        if kind == "session":
            self.session(op[1], op[2])
        elif kind == "fix":
            self.fix(op[1], op[2])
        elif kind == "review":
            self.review(op[1], op[2])
        elif kind == "missed":
            changes.add_missed(self.course, self.next_date, "ill")
            self.next_date += dt.timedelta(weeks=1)
        elif kind == "amend" and self.course.sessions:
            changes.amend_session(self.course, 1, "Addendum", TODAY)
        elif kind == "maintenance" and len(self.course.sessions) >= ACUTE:
            if self.course.maintenance is None:
                changes.open_maintenance(self.course, 6, "monthly", self.next_date, TODAY)

    def session(self, instrument: str, risk: int) -> None:
        if len(self.course.sessions) >= ACUTE and self.course.maintenance is None:
            return  # the acute course is full: a session waits for maintenance
        date = self.next_date
        record = SessionRecord.model_validate({"date": date, **_scores(instrument, risk)})
        try:
            changes.record_session(self.course, record)
        except IptError:
            return  # e.g. the maintenance contract is full: nothing recorded
        self.next_date += dt.timedelta(weeks=1)
        self.model.scores[date] = {i: s for i, _, s in record.risk_scores()}

    def fix(self, index: int, risk: int) -> None:
        held = self.course.sessions
        if not held:
            return
        number = index % len(held) + 1
        session = held[number - 1]
        self.clock += dt.timedelta(microseconds=1)
        fields = {"phq9": phq9(max(risk, 8), item9=risk)}
        try:
            corrections.fix_session(
                self.course, number, fields, "typo", TODAY, recorded_at=self.clock
            )
        except IptError:
            return  # nothing changed, or a second PHQ-9 on the baseline's day
        before = self.model.scores.get(session.date, {}).get("phq9", 0)
        if risk >= 1 and risk > before:  # a raised risk item: a new flag to review
            self.model.reviewed.discard(session.date)
        self.model.scores[session.date] = {i: s for i, _, s in session.risk_scores()}

    def review(self, index: int, level: str) -> None:
        flagged = [(ref, s) for ref, s in self.sittings() if s.risk_scores()]
        if not flagged:
            return
        ref, sitting = flagged[index % len(flagged)]
        self.clock += dt.timedelta(microseconds=1)  # recorded in this order, on one day
        structured = {"ideation": "passive", "level": level, "actions": ["Safety plan"]}
        changes.review_risk(
            self.course, ref, "Seen", None, TODAY, structured=structured, recorded_at=self.clock
        )
        self.model.reviewed.add(sitting.date)
        self.model.level = level


def run_history(baseline_risk: int, ops: list[tuple[Any, ...]]) -> Runner:
    base = Baseline(date=INTAKE, phq9=phq9(max(baseline_risk, 10), item9=baseline_risk))
    runner = Runner(course(planned=ACUTE, baseline=base), Model())
    runner.model.scores[INTAKE] = {i: s for i, _, s in base.risk_scores()}
    for op in ops:
        runner.apply(op)
    return runner


def check_views(runner: Runner) -> None:
    c, model = runner.course, runner.model
    count, urgent, level = model.flag_count(), model.urgent(), model.level
    high = level == "high"

    # The list row and its JSON.
    row = row_json(course_row(c), TODAY)
    assert row["unreviewed_flags"] == count
    assert row["urgent"] is urgent
    assert row["risk_level"] == level
    assert row["high_risk"] is high
    if count:
        oldest = min(model.unreviewed())
        assert row["oldest_flag_days"] == (TODAY - oldest).days
    else:
        assert row["oldest_flag_days"] is None

    # The report in every format.
    report = build_report(c, TODAY)
    data = json.loads(json.dumps(report_json(report)))
    risk = data["risk"]
    assert len(risk["unreviewed"]) == count
    assert (risk["level"], risk["urgent"]) == (level, urgent)
    assert (data["high_risk"] is not None) is high
    assert sum(not f["reviewed"] for f in data["safety_flags"]) == count
    text = terminal.report_text(report, width=100)
    markdown = report_markdown(report)
    for shown in (text, markdown):
        assert ("HIGH RISK" in shown) is high
        if urgent:
            assert "URGENT" in shown
        if count:
            assert "unreviewed" in shown.lower()
        assert "Standing risk level" in shown or "Risk " in shown

    # The agenda (JSON, Markdown, text) and the plan.
    agenda = agenda_for(c, None, TODAY)
    agenda_data = agenda_json(agenda)
    assert len(agenda_data["safety_flags"]) == count
    assert agenda_data["risk"] == risk
    assert (agenda_data["high_risk"] is not None) is high
    agenda_md = agenda_markdown(agenda)
    assert ("HIGH RISK" in agenda_md) is high
    assert ("URGENT" in agenda_md) is urgent
    agenda_text = _render(terminal.agenda_view(agenda))
    assert ("HIGH RISK" in agenda_text) is high
    assert ("URGENT" in agenda_text) is urgent
    assert plan_json(build_plan(c, TODAY))["risk"] == risk

    # Every session's note: the standing level, the banner, each flag of its sitting.
    for note in all_notes(c, None, TODAY):
        shown = note_text(note)
        assert ("HIGH RISK" in shown) is high
        assert note_json(note)["risk"] == risk
        if note.session is not None and note.session.date in model.scores:
            scored = model.scores[note.session.date]
            if not any(s >= 1 for s in scored.values()):
                assert "Risk screen:" in shown  # says what the screen found

    check_group_views(c, model, risk)


def check_group_views(c: Course, model: Model, risk: dict[str, Any]) -> None:
    """The group agenda and report show the member's risk state as the course's views do."""
    held = c.sessions[:8]
    group = Group(
        schema_version=GROUP_SCHEMA_VERSION,
        id="g1",
        facilitator="F.",
        start_date=START,
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        members=["ab"],
        meetings=[Meeting(number=n, date=s.date, present=["ab"]) for n, s in enumerate(held, 1)],
    )
    high, urgent = model.level == "high", model.urgent()
    report = group_report(group, {"ab": c}, TODAY)
    (member,) = report.members
    assert member.risk is not None and views_record.risk_json(member.risk) == risk
    assert member.flags == model.flag_count()
    follow = "; ".join(member.follow_up)
    assert ("HIGH" in follow) is high
    assert ("URGENT" in follow) is urgent
    data = group_report_json(report)["members"][0]
    assert data["risk"] == risk
    for shown in (
        group_report_markdown(report),
        _render(terminal.group_report_view(report)),
    ):
        assert ("HIGH" in shown) is high
    agenda = group_agenda(group, {"ab": c}, None, TODAY)
    (line,) = agenda.members
    assert len(line.flags) == model.flag_count()
    follow_up = line.risk is not None and line.risk.follow_up is not None
    # the banner, then each flag, then the follow-up a missed session at risk owes
    assert len(line.alerts) == model.flag_count() + high + follow_up
    assert follow_up == ("FOLLOW-UP" in _render(terminal.group_agenda_view(agenda)))
    assert ("HIGH" in _render(terminal.group_agenda_view(agenda))) is high
    assert group_agenda_json(agenda)["members"][0]["risk"] == risk
    assert ("HIGH RISK" in group_agenda_markdown(agenda)) is high


def _render(renderable: Any) -> str:
    from rich.console import Console

    console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


@FAST
@given(st.integers(0, 3), history)
def test_every_view_renders_one_risk_state(baseline_risk: int, ops: list[tuple[Any, ...]]) -> None:
    check_views(run_history(baseline_risk, ops))


@FAST
@given(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=6), st.integers(0, 3))
def test_the_review_recorded_last_stands_whatever_its_session(
    levels: list[str], first: int
) -> None:
    """Reviews of the baseline and of sessions 1-3 on one day, in any order: the level of
    the one written last stands (defect 1: a review of session 1 outranked a later review
    of the baseline)."""
    ops: list[tuple[Any, ...]] = [("session", "phq9", 2) for _ in range(3)]
    ops += [("review", first + n, level) for n, level in enumerate(levels)]
    runner = run_history(1, ops)
    assert runner.model.level == levels[-1]
    check_views(runner)
