"""Every change a command makes to a course, called directly on in-memory courses.

For each change: what it records, each refusal (the error class, a message a user can act
on and that never quotes note text), and that nothing else in the course moved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ipt_cli.core import catalogue, changes
from ipt_cli.core.models import (
    SCHEMA_VERSION,
    Baseline,
    Course,
    Maintenance,
    RiskReview,
    SessionRecord,
    TimelineEvent,
)
from ipt_cli.core.safety import unreviewed
from ipt_cli.errors import ConflictError, InputError, IptError
from tests.unit.builders import (
    MARKER,
    NOW,
    START,
    TODAY,
    changed_fields,
    course,
    dump,
    gad7,
    hamd17,
    held,
    phq9,
    session,
    week,
)


def refused(
    error: type[IptError], match: str, target: Course | None, call: Any, *args: Any, **kw: Any
) -> str:
    """Call a change that must be refused; check the message, and that `target` is untouched."""
    before = dump(target) if target is not None else None
    with pytest.raises(error, match=match) as caught:
        call(*args, **kw)
    message = caught.value.message
    assert MARKER not in message, "an error message quoted note text"
    assert "\n" not in message, "an error is one line on stderr"
    if target is not None:
        assert dump(target) == before, "a refused change altered the course"
    return message


def completed(planned: int = 8, **fields: Any) -> Course:
    return held(planned, planned=planned, **fields)


# --- measure options -----------------------------------------------------------------------


def test_measure_fields_build_every_instrument() -> None:
    fields = changes.measure_fields(
        phq9="2,2,1,2,1,1,1,0,1",
        phq9_difficulty=2,
        gad7="1 1 1 1 1 1 1",
        hamd17="1,1,0," + ",".join(["1"] * 13) + ",2",  # item 3 (suicide) = 0
        bdi2_total=30,
        bdi2_item9=1,
    )
    record = session(START, **fields)
    assert [record.total(i) for i in ("phq9", "gad7", "hamd17", "bdi2")] == [11, 7, 17, 30]
    assert record.phq9 is not None and record.phq9.difficulty == 2  # stored, never summed
    assert record.risk_scores() == [("phq9", 9, 1), ("bdi2", 9, 1)]
    assert changes.measure_fields() == {}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"phq9_difficulty": 1}, "--phq9-difficulty needs --phq9"),
        ({"phq9": "0,0,0,0,0,0,0,0,0", "phq9_difficulty": 4}, "PHQ-9 difficulty must be 0-3"),
        ({"phq9": "0,0,0"}, "PHQ-9 needs 9 item scores, got 3"),
        ({"phq9": "0,0,0,0,0,0,0,0,x"}, "PHQ-9 scores must be whole numbers"),
        ({"gad7": "0,0,0,0,0,0,4"}, "GAD-7 item 7 must be 0-3, got 4"),
        ({"hamd17": ",".join(["0"] * 3 + ["3"] + ["0"] * 13)}, "HAM-D-17 item 4 must be 0-2"),
        ({"bdi2_total": 20}, "BDI-II needs both --bdi2-total and --bdi2-item9"),
        ({"bdi2_item9": 1}, "BDI-II needs both"),
        ({"bdi2_total": 64, "bdi2_item9": 0}, "BDI-II total must be 0-63, got 64"),
        ({"bdi2_total": 10, "bdi2_item9": 4}, "BDI-II item 9 must be 0-3, got 4"),
    ],
)
def test_measure_fields_refusals(options: dict[str, Any], match: str) -> None:
    refused(InputError, match, None, changes.measure_fields, **options)


# --- a new course --------------------------------------------------------------------------


@pytest.mark.parametrize(("planned", "noted"), [(7, True), (8, False), (20, False), (21, True)])
def test_planned_count_note_outside_the_usual_range(planned: int, noted: bool) -> None:
    note = changes.planned_count_note(planned)
    assert (note is not None) == noted
    if note:
        assert f"{planned} sessions planned" in note and "12-16" in note


@pytest.mark.parametrize("planned", [3, 31, 0, -1])
def test_check_planned_refuses_outside_4_to_30(planned: int) -> None:
    refused(
        InputError,
        "--sessions: must be 4-30",
        None,
        changes.check_planned,
        planned,
    )
    assert changes.check_planned(4) == 4 and changes.check_planned(30) == 30


def test_new_course_defaults_goals_and_baseline() -> None:
    baseline = changes.measure_fields(phq9="2,2,1,2,1,1,1,0,0")
    made = changes.new_course(
        "ab", "A.B.", START, 12, ["grief", "role-transition"], NOW, baseline_measures=baseline
    )
    assert (made.id, made.client, made.start_date, made.planned_sessions) == (
        "ab",
        "A.B.",
        START,
        12,
    )
    assert (made.cadence, made.kind) == ("weekly", "clinician-led")
    # 9: missed N; 10: IPSRT, months, withdrawn, act times, the adaptations' measures
    assert made.schema_version == SCHEMA_VERSION == 10
    assert made.created == NOW.replace(microsecond=0)
    expected_goals = [
        (g.id, area)
        for area in ("grief", "role-transition")
        for g in catalogue.PROBLEM_AREAS[area].goals
    ]
    assert [(g.id, g.area) for g in made.goals] == expected_goals
    assert made.baseline is not None and made.baseline.date == START  # dated on the start
    assert made.baseline.total("phq9") == 10
    assert made.sessions == [] and made.missed == [] and made.maintenance is None


def test_course_document_defaults_and_given_values() -> None:
    document = changes.course_document(
        "cd", {"client": "C.D.", "problem_areas": ["grief"], "kind": None}, NOW, TODAY
    )
    assert document["start_date"] == TODAY  # no start given: today
    assert (document["planned_sessions"], document["cadence"], document["kind"]) == (
        16,
        "weekly",
        "clinician-led",  # None is "not given", so the default stands
    )
    assert document["id"] == "cd" and document["created"] == NOW.replace(microsecond=0)
    given = changes.course_document(
        "cd",
        {"problem_areas": ["grief"], "goals": [], "baseline": {"phq9": {"items": [0] * 9}}},
        NOW,
        TODAY,
    )
    assert given["goals"] == []  # given goals, even none, replace the catalogue's
    assert given["baseline"]["date"] == TODAY  # the baseline is dated on the start date
    dated = changes.course_document(
        "cd", {"problem_areas": ["grief"], "baseline": {"date": START}}, NOW, TODAY
    )
    assert dated["baseline"] == {"date": START}


def test_new_course_with_a_dispute_stage() -> None:
    made = changes.new_course(
        "ab", "A.B.", START, 16, ["role-dispute"], NOW, dispute_stage="impasse"
    )
    assert made.dispute_stage == "impasse"


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"areas": ["sadness"]}, InputError, "--problem-area: must be one of 'grief', 'role-dis"),
        ({"areas": []}, InputError, "--problem-area: needs at least 1"),
        (
            {"areas": ["grief", "role-dispute", "role-transition"]},
            InputError,
            "--problem-area: takes at most 2",
        ),
        ({"areas": ["grief", "grief"]}, InputError, "--problem-area: the secondary problem area"),
        ({"planned": 3}, InputError, "--sessions: must be 4-30"),
        ({"planned": 31}, InputError, "--sessions: must be 4-30"),
        ({"cadence": "daily"}, InputError, "--cadence: must be one of 'weekly', 'fortnightly'"),
        ({"kind": "group"}, InputError, "--kind: must be one of 'clinician-led' or 'self-guided'"),
        ({"dispute_stage": "impasse"}, InputError, "only for courses with a role-dispute area"),
        (
            {"areas": ["role-dispute"], "dispute_stage": "war"},
            InputError,
            "--dispute-stage: must be one of 'renegotiation', 'impasse' or 'dissolution'",
        ),
        ({"course_id": "Bad Id"}, InputError, "course: id: has a line break or characters not"),
        ({"client": f"A.B.\n{MARKER}"}, InputError, "--client: has a line break or characters"),
        ({"client": ""}, InputError, "--client: must not be empty"),
    ],
)
def test_new_course_refusals(overrides: dict[str, Any], error: type[IptError], match: str) -> None:
    args: dict[str, Any] = {
        "course_id": "ab",
        "client": "A.B.",
        "start": START,
        "planned": 16,
        "areas": ["grief"],
        "now": NOW,
        **overrides,
    }
    refused(error, match, None, changes.new_course, **args)


def test_a_course_level_refusal_is_named_once() -> None:
    message = refused(
        InputError,
        "role-dispute",
        None,
        changes.new_course,
        "ab",
        "A.B.",
        START,
        16,
        ["grief"],
        NOW,
        dispute_stage="impasse",
    )
    assert not message.startswith("course: course:")


# --- sessions ------------------------------------------------------------------------------


def test_add_session_numbers_by_date_and_touches_only_sessions() -> None:
    c = held(2, goals=[{"id": "g1", "text": "Goal one"}])
    before = dump(c)
    record = session(week(3), goal_ratings={"g1": 5}, note=f"note {MARKER}")
    assert changes.add_session(c, record) == 3
    assert c.sessions[-1] is record
    assert changed_fields(before, c) == {"sessions"}


def test_a_backfilled_session_takes_its_place_by_date() -> None:
    c = course(sessions=[session(week(1)), session(week(3))])
    number = changes.add_session(c, session(week(2), mood=4))
    assert number == 2
    assert [s.date for s in c.sessions] == [week(1), week(2), week(3)]
    assert c.sessions[1].mood == 4


def test_a_same_day_session_goes_after_the_one_already_held() -> None:
    c = course(sessions=[session(week(1), mood=1)])
    assert changes.add_session(c, session(week(1), mood=2)) == 2
    assert [s.mood for s in c.sessions] == [1, 2]


def test_add_session_refuses_a_full_contract() -> None:
    c = completed(8)
    message = refused(
        ConflictError,
        "all 8 planned sessions of 'ab' are recorded",
        c,
        changes.add_session,
        c,
        session(week(9), note=MARKER),
    )
    assert "ipt contract ab --sessions N --reason TEXT" in message  # says what to do


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"goal_ratings": {"nope": 3}}, "unknown goal 'nope' in 'ab'; known goals: g1"),
        ({"dispute_stage": "impasse"}, "only for a course with a role-dispute area"),
    ],
)
def test_add_session_refuses_what_the_course_does_not_have(
    fields: dict[str, Any], match: str
) -> None:
    c = held(1, goals=[{"id": "g1", "text": "Goal one"}])
    refused(InputError, match, c, changes.add_session, c, session(week(2), note=MARKER, **fields))


def test_unknown_goal_in_a_course_without_goals_says_how_to_add_one() -> None:
    c = course(goals=[])
    message = refused(
        InputError, "unknown goal", c, changes.add_session, c, session(START, goal_ratings={"x": 1})
    )
    assert "none (add one with ipt goal)" in message


def test_record_session_without_maintenance_goes_to_the_acute_course() -> None:
    c = held(1)
    done = changes.record_session(c, session(week(2)))
    assert done == changes.Recorded(2, maintenance=False)
    assert done.label == "session 2"


def maintained(planned: int = 2, held_there: int = 0) -> Course:
    start = week(9)
    return completed(
        8,
        goals=[{"id": "g1", "text": "Goal one"}],
        maintenance=Maintenance(
            opened=week(8),
            start_date=start,
            planned_sessions=planned,
            cadence="monthly",
            sessions=[session(start + dt.timedelta(days=28 * n)) for n in range(held_there)],
        ),
    )


def test_record_session_from_the_maintenance_start_goes_to_maintenance() -> None:
    c = maintained()
    before = dump(c)
    done = changes.record_session(c, session(week(9), goal_ratings={"g1": 6}))
    assert done == changes.Recorded(1, maintenance=True)
    assert done.label == "maintenance session 1"
    assert c.maintenance is not None and len(c.maintenance.sessions) == 1
    assert len(c.sessions) == 8
    assert changed_fields(before, c) == {"maintenance"}


def test_record_session_before_the_maintenance_start_is_acute_and_so_refused() -> None:
    c = maintained()
    refused(
        ConflictError,
        "all 8 planned sessions",
        c,
        changes.record_session,
        c,
        session(week(9) - dt.timedelta(days=1)),
    )


def test_record_session_refuses_a_full_maintenance_contract() -> None:
    c = maintained(planned=2, held_there=2)
    message = refused(
        ConflictError,
        "all 2 maintenance sessions of 'ab' are recorded",
        c,
        changes.record_session,
        c,
        session(week(30), note=MARKER),
    )
    assert "ipt contract ab --maintenance --sessions N --reason TEXT" in message


def test_record_session_checks_goals_in_maintenance_too() -> None:
    c = maintained()
    refused(
        InputError,
        "unknown goal 'zz'",
        c,
        changes.record_session,
        c,
        session(week(9), goal_ratings={"zz": 1}),
    )


def test_record_session_gives_the_next_stable_id() -> None:
    c = course(sessions=[session(week(1)), session(week(3))])
    assert [s.id for s in c.sessions] == [1, 2]
    backfilled = session(week(2), mood=4)
    done = changes.record_session(c, backfilled)
    assert done == changes.Recorded(2, maintenance=False)  # its position follows the date
    assert [(s.date, s.id) for s in c.sessions] == [(week(1), 1), (week(2), 3), (week(3), 2)]
    line = changes.describe_recorded(c, done, backfilled)
    assert line == (
        "Recorded session 2 of 16 for ab (2026-01-12). Backfilled: later sessions are now "
        "numbered from 3."
    )


def test_maintenance_sessions_take_ids_after_the_acute_ones() -> None:
    c = maintained(held_there=1)
    assert c.maintenance is not None
    assert c.maintenance.sessions[0].id == 9
    changes.record_session(c, session(week(14)))
    assert [s.id for s in c.maintenance.sessions] == [9, 10]


def test_one_sitting_has_one_score_of_an_instrument() -> None:
    c = course(baseline=Baseline(date=START, phq9=phq9(12)))
    message = refused(
        InputError,
        "PHQ-9 was already given on 2026-01-05 \\(baseline\\); one sitting has one score: "
        "record this session without --phq9",
        c,
        changes.record_session,
        c,
        session(START, phq9=phq9(11), note=MARKER),
    )
    assert message.startswith("PHQ-9 was already given")
    # The same sitting may add another instrument; that session is session 1.
    assert changes.record_session(c, session(START, gad7=gad7(7))) == changes.Recorded(1, False)
    refused(
        InputError,
        "GAD-7 was already given on 2026-01-05 \\(session 1\\)",
        c,
        changes.record_session,
        c,
        session(START, gad7=gad7(3)),
    )
    assert changes.given_on(c, START) == {"phq9": "baseline", "gad7": "session 1"}
    changes.record_session(c, session(week(2), phq9=phq9(11)))  # another date, another sitting
    assert [s.date for s in c.sessions] == [START, week(2)]


def test_one_sitting_has_one_score_in_maintenance_too() -> None:
    c = maintained(held_there=1)
    assert c.maintenance is not None
    c.maintenance.sessions[0].phq9 = phq9(5)
    refused(
        InputError,
        "PHQ-9 was already given on 2026-03-02 \\(maintenance session 1\\)",
        c,
        changes.record_session,
        c,
        session(week(9), phq9=phq9(6)),
    )


def test_session_record_builds_a_checked_session() -> None:
    record = changes.session_record(
        week(2),
        note="n",
        measure_options=changes.measure_fields(phq9="1,1,1,1,1,1,1,1,0"),
        mood=10,
        events="e",
        focus="grief",
        techniques=["role-play", "exploration", "role-play"],
        strategies=["grief-events", "grief-link-onset", "grief-events"],
        goal_ratings=[("g1", 3), ("g2", 0), ("g1", 5)],
        dispute_stage="impasse",
        task="t",
        task_outcome="o",
    )
    assert record.date == week(2) and record.total("phq9") == 8 and record.mood == 10
    assert record.techniques == ["role-play", "exploration"]  # de-duplicated, order kept
    assert record.strategies == ["grief-events", "grief-link-onset"]
    assert record.goal_ratings == {"g1": 5, "g2": 0}  # the last rating given wins
    assert (record.note, record.events, record.task, record.task_outcome) == ("n", "e", "t", "o")
    assert record.focus == "grief" and record.dispute_stage == "impasse"
    bare = changes.session_record(week(2), note=None, measure_options={})
    assert bare.techniques == [] and bare.goal_ratings == {} and bare.phq9 is None


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"mood": 11}, "--mood: must be 0-10"),
        ({"mood": -1}, "--mood: must be 0-10"),
        ({"focus": "work"}, "--focus: must be one of 'grief'"),
        ({"techniques": ["hypnosis"]}, "--technique: must be one of 'exploration'"),
        ({"strategies": ["grief-forget"]}, "--strategy: unknown strategy 'grief-forget'"),
        ({"dispute_stage": "truce"}, "--dispute-stage: must be one of 'renegotiation'"),
        ({"goal_ratings": [("g1", 11)]}, "--goal: must be at most 10"),
    ],
)
def test_session_record_refusals(options: dict[str, Any], match: str) -> None:
    refused(
        InputError,
        match,
        None,
        changes.session_record,
        week(2),
        note=f"note {MARKER}",
        measure_options={},
        **options,
    )


def test_session_record_refuses_a_date_out_of_range_as_input() -> None:
    refused(
        InputError,
        "--date: must be 1900-01-01",
        None,
        changes.session_record,
        dt.date(1800, 1, 1),
        note=f"note {MARKER}",
        measure_options={},
    )


# --- the contract and maintenance ---------------------------------------------------------


def test_change_contract_logs_and_resizes() -> None:
    c = held(5, planned=12)
    before = dump(c)
    change = changes.change_contract(c, 16, f"reason {MARKER}", TODAY)
    assert (change.date, change.old, change.new, change.reason) == (
        TODAY,
        12,
        16,
        f"reason {MARKER}",
    )
    assert c.planned_sessions == 16 and c.contract_changes == [change]
    assert changed_fields(before, c) == {"planned_sessions", "contract_changes"}
    changes.change_contract(c, 5, "shorter", TODAY)  # down to what is held: allowed
    assert [(x.old, x.new) for x in c.contract_changes] == [(12, 16), (16, 5)]


@pytest.mark.parametrize(
    ("new", "reason", "error", "match"),
    [
        (3, MARKER, InputError, "--sessions: must be 4-30"),
        (31, MARKER, InputError, "--sessions: must be 4-30"),
        (5, MARKER, ConflictError, "6 sessions are already recorded; the contract cannot be"),
        (12, MARKER, InputError, "the contract already has 12 sessions"),
        (14, "   ", InputError, "give a reason for the change with --reason"),
    ],
)
def test_change_contract_refusals(new: int, reason: str, error: type[IptError], match: str) -> None:
    c = held(6, planned=12)
    refused(error, match, c, changes.change_contract, c, new, reason, TODAY)


def test_open_maintenance_after_the_acute_course() -> None:
    c = completed(8)
    before = dump(c)
    plan = changes.open_maintenance(c, 12, "monthly", None, TODAY)
    assert c.maintenance is plan
    assert (plan.opened, plan.planned_sessions, plan.cadence) == (TODAY, 12, "monthly")
    assert plan.start_date == dt.date(2026, 3, 23)  # one month after the last, 2026-02-23
    assert plan.sessions == []
    assert changed_fields(before, c) == {"maintenance"}


def test_maintenance_default_start_clamps_to_the_end_of_a_short_month() -> None:
    c = course(planned=4, sessions=[session(dt.date(2026, 1, d)) for d in (10, 17, 24, 31)])
    plan = changes.open_maintenance(c, 6, "monthly", None, TODAY)
    assert plan.start_date == dt.date(2026, 2, 28)
    weekly = changes.open_maintenance(completed(8), 6, "fortnightly", None, TODAY)
    assert weekly.start_date == week(8) + dt.timedelta(weeks=2)


def test_open_maintenance_with_a_start_date() -> None:
    c = completed(8)
    plan = changes.open_maintenance(c, 1, "weekly", dt.date(2026, 6, 1), TODAY)
    assert plan.start_date == dt.date(2026, 6, 1) and plan.planned_sessions == 1


def test_open_maintenance_again_is_refused_and_points_to_the_contract() -> None:
    c = maintained(planned=2, held_there=2)
    message = refused(
        ConflictError,
        r"'ab' already has a maintenance contract \(2 monthly sessions from ",
        c,
        changes.open_maintenance,
        c,
        24,
        "fortnightly",
        week(40),
        TODAY,
    )
    assert "ipt contract ab --maintenance --sessions N --reason TEXT" in message


def test_maintenance_contract_change_resizes_with_history_and_keeps_what_was_held() -> None:
    c = maintained(planned=2, held_there=2)
    assert c.maintenance is not None
    start, opened = c.maintenance.start_date, c.maintenance.opened
    before = dump(c)
    change = changes.change_maintenance_contract(c, 24, "A second year", "fortnightly", TODAY)
    plan = c.maintenance
    assert (change.old, change.new, change.cadence) == (2, 24, "fortnightly")
    assert (plan.planned_sessions, plan.cadence) == (24, "fortnightly")
    assert (plan.start_date, plan.opened) == (start, opened)
    assert plan.contract_changes == [change] and len(plan.sessions) == 2
    assert changed_fields(before, c) == {"maintenance"}
    assert dump(c)["maintenance"]["sessions"] == before["maintenance"]["sessions"]
    changes.change_maintenance_contract(c, 2, "Ending sooner", None, TODAY)  # down to held
    assert c.maintenance.planned_sessions == 2 and len(c.maintenance.contract_changes) == 2
    assert c.maintenance.contract_changes[1].cadence is None  # the cadence did not change


@pytest.mark.parametrize(
    ("planned", "cadence", "start", "error", "match"),
    [
        (0, "monthly", None, InputError, "--sessions: must be 1-500"),
        (501, "monthly", None, InputError, "--sessions: must be 1-500"),
        (6, "monthly", week(8), InputError, r"must start after the last acute session \(2026-02"),
        (6, "monthly", week(2), InputError, "must start after the last acute session"),
    ],
)
def test_open_maintenance_refusals(
    planned: int, cadence: str, start: dt.date | None, error: type[IptError], match: str
) -> None:
    c = completed(8)
    refused(error, match, c, changes.open_maintenance, c, planned, cadence, start, TODAY)


def test_open_maintenance_refuses_an_unknown_cadence() -> None:
    c = completed(8)
    refused(InputError, "cadence", c, changes.open_maintenance, c, 6, "yearly", None, TODAY)


def test_maintenance_contract_change_refusals() -> None:
    c = maintained(planned=3)
    change = changes.change_maintenance_contract
    refused(InputError, "--cadence", c, change, c, 6, "x", "yearly", TODAY)
    refused(InputError, "--sessions: must be 1-500", c, change, c, 501, "x", None, TODAY)
    refused(InputError, "already has 3 monthly sessions", c, change, c, 3, "x", "monthly", TODAY)
    refused(InputError, "give a reason", c, change, c, 6, " ", None, TODAY)
    bare = completed(8)
    refused(ConflictError, "has no maintenance contract", bare, change, bare, 6, "x", None, TODAY)


def test_open_maintenance_refuses_while_acute_sessions_are_left() -> None:
    c = held(6, planned=8)
    refused(
        ConflictError,
        r"the acute course has 2 session\(s\) left; maintenance follows",
        c,
        changes.open_maintenance,
        c,
        6,
        "monthly",
        None,
        TODAY,
    )


def test_resizing_maintenance_below_what_is_held_is_refused() -> None:
    c = maintained(planned=3, held_there=3)
    refused(
        ConflictError,
        "3 maintenance sessions are already recorded",
        c,
        changes.change_maintenance_contract,
        c,
        2,
        "Shorter",
        None,
        TODAY,
    )


# --- finding a sitting, risk reviews, addenda ---------------------------------------------


def flagged() -> Course:
    """The baseline (with session 1 at its sitting), session 2 and maintenance session 1 each
    score a risk item; session 3 scores none."""
    c = completed(8, baseline=Baseline(date=START, phq9=phq9(12, item9=1)))
    c.sessions[0].gad7 = gad7(9)  # session 1 is the baseline's sitting: no second PHQ-9
    c.sessions[1].phq9 = phq9(10, item9=2)
    c.sessions[2].phq9 = phq9(8)
    c.maintenance = Maintenance(
        opened=week(8),
        start_date=week(9),
        planned_sessions=4,
        cadence="monthly",
        sessions=[session(week(9), hamd17=hamd17(20, item3=3))],
    )
    return c


def test_find_sitting_by_number() -> None:
    c = flagged()
    assert c.baseline is not None and c.maintenance is not None
    assert changes.find_sitting(c, 0) is c.baseline
    assert changes.find_sitting(c, 1) is c.sessions[0]
    assert changes.find_sitting(c, 8) is c.sessions[7]
    assert changes.find_sitting(c, 1, maintenance=True) is c.maintenance.sessions[0]


@pytest.mark.parametrize(
    ("number", "maintenance", "match"),
    [
        (9, False, "no session 9 in 'ab': 8 recorded"),
        (-1, False, "no session -1 in 'ab': 8 recorded"),
        (0, True, "no maintenance session 0: 1 recorded"),
        (2, True, "no maintenance session 2: 1 recorded"),
    ],
)
def test_find_sitting_refusals(number: int, maintenance: bool, match: str) -> None:
    c = flagged()
    refused(InputError, match, c, changes.find_sitting, c, number, maintenance)


def test_find_sitting_without_a_baseline_or_maintenance() -> None:
    c = held(2)
    refused(
        InputError, "course 'ab' has no baseline \\(session 0\\)", c, changes.find_sitting, c, 0
    )
    refused(InputError, "no maintenance session 1: 0 recorded", c, changes.find_sitting, c, 1, True)


@pytest.mark.parametrize(
    ("ref", "maintenance", "reviewed", "described"),
    [
        (0, False, (0, False), "baseline (2026-01-05)"),
        (2, False, (2, False), "session 2 (2026-01-12)"),
        (1, True, (1, True), "maintenance session 1 (2026-03-02)"),
        ("2026-01-12", False, (2, False), "session 2 (2026-01-12)"),
        ("m1", False, (1, True), "maintenance session 1 (2026-03-02)"),
        ("0", False, (0, False), "baseline (2026-01-05)"),
    ],
)
def test_review_risk_clears_that_sittings_flags_only(
    ref: int | str, maintenance: bool, reviewed: tuple[int, bool], described: str
) -> None:
    c = flagged()
    before = dump(c)
    review, where = changes.review_risk(
        c, ref, f"note {MARKER}", "plan", TODAY, maintenance, by="Dr K."
    )
    assert (review.date, review.note, review.plan, review.by) == (
        TODAY,
        f"note {MARKER}",
        "plan",
        "Dr K.",
    )
    assert where.described == described
    assert where.sitting.risk_reviews == [review]
    assert changes.find_sitting(c, reviewed[0], reviewed[1]).risk_reviews == [review]
    left = [(f.session, f.maintenance) for f in unreviewed(c)]
    assert reviewed not in left and len(left) == 2
    where_stored = "maintenance" if reviewed[1] else "sessions" if reviewed[0] else "baseline"
    assert changed_fields(before, c) == {where_stored}


@pytest.mark.parametrize("ref", [1, "1", "2026-01-05"])
def test_a_review_of_session_one_on_the_baselines_day_reviews_that_sitting(
    ref: int | str,
) -> None:
    c = flagged()
    assert c.baseline is not None
    review, where = changes.review_risk(c, ref, "Passive thoughts", None, TODAY)
    assert where.described == "baseline (2026-01-05)"  # the flag shown is the baseline's
    assert c.baseline.risk_reviews == [review] and c.sessions[0].risk_reviews == []
    assert [(f.session, f.maintenance) for f in unreviewed(c)] == [(2, False), (1, True)]


def test_review_risk_refusals() -> None:
    c = flagged()
    refused(
        InputError,
        "nothing to review: session 3 \\(2026-01-19\\) scored no risk item",
        c,
        changes.review_risk,
        c,
        3,
        f"note {MARKER}",
        None,
        TODAY,
    )
    refused(
        InputError,
        "give the outcome of the review with --note",
        c,
        changes.review_risk,
        c,
        2,
        "  \n ",
        None,
        TODAY,
    )
    refused(
        InputError, "no session 12", c, changes.review_risk, c, 12, f"note {MARKER}", None, TODAY
    )
    refused(
        InputError,
        "no session of 'ab' on 2026-01-06",
        c,
        changes.review_risk,
        c,
        "2026-01-06",
        f"note {MARKER}",
        None,
        TODAY,
    )
    no_flag = held(2, baseline=Baseline(date=START, phq9=phq9(12)))
    refused(
        InputError,
        "nothing to review: baseline and session 1 \\(2026-01-05\\) scored no risk item",
        no_flag,
        changes.review_risk,
        no_flag,
        1,
        f"note {MARKER}",
        None,
        TODAY,
    )


def test_a_second_risk_review_keeps_the_first() -> None:
    c = flagged()
    first, _ = changes.review_risk(c, 2, "first review FIRST-7c1", "plan one", TODAY, by="Dr K.")
    later = TODAY + dt.timedelta(days=7)
    second, where = changes.review_risk(c, 2, "second review", None, later)
    assert where.sitting.risk_reviews == [first, second]  # appended, oldest first
    assert first == RiskReview(
        date=TODAY, note="first review FIRST-7c1", plan="plan one", by="Dr K."
    )
    assert (second.date, second.plan, second.by) == (later, None, None)
    assert "FIRST-7c1" in c.model_dump_json()


def test_amend_session_appends_a_dated_addendum() -> None:
    c = held(3)
    c.sessions[1].note = "original"
    before = dump(c)
    changes.amend_session(c, 2, f"addendum {MARKER}", TODAY)
    changes.amend_session(c, 2, "second", TODAY + dt.timedelta(days=1))
    assert [(a.date, a.text) for a in c.sessions[1].addenda] == [
        (TODAY, f"addendum {MARKER}"),
        (TODAY + dt.timedelta(days=1), "second"),
    ]
    assert c.sessions[1].note == "original"  # the note itself is never rewritten
    after = dump(c)
    assert after["sessions"][0] == before["sessions"][0]
    assert after["sessions"][2] == before["sessions"][2]
    assert changed_fields(before, c) == {"sessions"}


def test_amend_a_maintenance_session() -> None:
    c = maintained(held_there=1)
    changes.amend_session(c, 1, "later", TODAY, maintenance=True)
    assert c.maintenance is not None
    assert [a.text for a in c.maintenance.sessions[0].addenda] == ["later"]
    assert all(s.addenda == [] for s in c.sessions)


def test_amend_session_refusals() -> None:
    c = flagged()
    refused(
        InputError,
        "the baseline cannot be amended; amend a session",
        c,
        changes.amend_session,
        c,
        0,
        MARKER,
        TODAY,
    )
    refused(InputError, "no session 9 in 'ab'", c, changes.amend_session, c, 9, MARKER, TODAY)
    refused(
        InputError,
        "no maintenance session 3",
        c,
        changes.amend_session,
        c,
        3,
        MARKER,
        TODAY,
        True,
    )


def test_amend_session_refuses_blank_text() -> None:
    c = held(1)
    refused(InputError, "addendum", c, changes.amend_session, c, 1, "   ", TODAY)


def test_add_missed_keeps_date_order_and_counts_no_session() -> None:
    c = held(2)
    before = dump(c)
    changes.add_missed(c, week(5), f"ill {MARKER}")
    changes.add_missed(c, week(4), "away")
    assert [(m.date, m.reason) for m in c.missed] == [(week(4), "away"), (week(5), f"ill {MARKER}")]
    assert changed_fields(before, c) == {"missed"}


def test_add_missed_needs_a_reason() -> None:
    c = held(2)
    refused(
        InputError,
        "give the reason the appointment was missed",
        c,
        changes.add_missed,
        c,
        week(3),
        " \t",
    )


def test_add_missed_refuses_a_date_out_of_range_as_input() -> None:
    c = held(2)
    refused(InputError, "date", c, changes.add_missed, c, dt.date(1800, 1, 1), f"ill {MARKER}")


# --- the assessment: inventory, timeline, goals, formulation -------------------------------


def test_add_person_with_defaults() -> None:
    c = course()
    before = dump(c)
    person = changes.add_person(c, {"name": "Sam", "ring": 1, "tags": ["support"]})
    assert (person.name, person.relationship, person.ring, person.tags) == (
        "Sam",
        "",
        1,
        ["support"],
    )
    changes.add_person(c, {"name": "Jo", "ring": 3, "relationship": "friend"})
    assert [p.name for p in c.inventory] == ["Sam", "Jo"]  # in the order added
    assert changed_fields(before, c) == {"inventory"}


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"ring": 1}, "a person needs --name"),
        ({"name": "Sam"}, "a person needs --ring"),
        ({"name": "Sam", "ring": None}, "a person needs --ring"),
        ({"name": "Sam", "ring": 4, "satisfying": MARKER}, "--ring: must be 1-3"),
        ({"name": f"Sam\n{MARKER}", "ring": 1}, "--name: has a line break or characters"),
        ({"name": "Sam", "ring": 1, "tags": ["enemy"]}, "--tag: must be one of 'support'"),
        ({"name": "Sam", "ring": 1, MARKER: "x"}, "person: <unknown key>: is not a field ipt"),
    ],
)
def test_add_person_refusals(fields: dict[str, Any], match: str) -> None:
    c = course()
    refused(InputError, match, c, changes.add_person, c, fields)


def test_edit_person_changes_only_the_fields_given() -> None:
    c = course()
    changes.add_person(c, {"name": "Sam", "ring": 1, "contact": "daily"})
    changes.add_person(c, {"name": "Jo", "ring": 2})
    before = dump(c)
    edited = changes.edit_person(c, 1, {"ring": 2, "satisfying": "kind"})
    assert (edited.name, edited.ring, edited.contact, edited.satisfying) == (
        "Sam",
        2,
        "daily",
        "kind",
    )
    assert c.inventory[0] == edited
    assert dump(c)["inventory"][1] == before["inventory"][1]
    assert changed_fields(before, c) == {"inventory"}


@pytest.mark.parametrize(
    ("number", "changed", "match"),
    [
        (0, {"ring": 2}, "no person 0: the inventory has 1"),
        (2, {"ring": 2}, "no person 2: the inventory has 1"),
        (1, {}, "give at least one field to change, e.g. --ring 2"),
        (1, {"ring": 0, "unsatisfying": MARKER}, "--ring: must be 1-3"),
    ],
)
def test_edit_person_refusals(number: int, changed: dict[str, Any], match: str) -> None:
    c = course()
    changes.add_person(c, {"name": "Sam", "ring": 1})
    refused(InputError, match, c, changes.edit_person, c, number, changed)


def test_timeline_events_are_kept_in_date_order() -> None:
    c = course()
    before = dump(c)
    later = changes.timeline_event(dt.date(2025, 12, 1), "Moved house", None)
    earlier = changes.timeline_event(dt.date(2025, 6, 1), "Lost job", "low")
    changes.add_event(c, later)
    changes.add_event(c, earlier)
    assert c.timeline == [earlier, later]
    assert earlier == TimelineEvent(date=dt.date(2025, 6, 1), event="Lost job", mood="low")
    assert changed_fields(before, c) == {"timeline"}


@pytest.mark.parametrize(
    ("date", "event", "match"),
    [
        (None, "Moved", "a timeline event needs --date and --event"),
        (dt.date(2025, 1, 1), "", "a timeline event needs --date and --event"),
        (dt.date(2025, 1, 1), None, "a timeline event needs --date and --event"),
        (dt.date(1800, 1, 1), MARKER, "event: date: must be 1900-01-01"),
    ],
)
def test_timeline_event_refusals(date: dt.date | None, event: str | None, match: str) -> None:
    refused(InputError, match, None, changes.timeline_event, date, event, None)


def test_add_goal() -> None:
    c = course(goals=[])
    before = dump(c)
    goal = changes.add_goal(c, "sleep-well", f"Sleep {MARKER}", "grief")
    assert (goal.id, goal.text, goal.area) == ("sleep-well", f"Sleep {MARKER}", "grief")
    changes.add_goal(c, "walk", "Walk daily", None)
    assert [g.id for g in c.goals] == ["sleep-well", "walk"]
    assert changed_fields(before, c) == {"goals"}


@pytest.mark.parametrize(
    ("goal_id", "text", "area", "error", "match"),
    [
        (None, "t", None, InputError, "a goal needs --id and --text"),
        ("g", "", None, InputError, "a goal needs --id and --text"),
        ("g", MARKER, "work", InputError, "--area: must be one of 'grief', 'role-dispute'"),
        ("grief-mourning", MARKER, None, ConflictError, "goal 'grief-mourning' already exists"),
        ("Bad Id", MARKER, None, InputError, "--id: has a line break or characters not allowed"),
    ],
)
def test_add_goal_refusals(
    goal_id: str | None, text: str, area: str | None, error: type[IptError], match: str
) -> None:
    c = course(goals=catalogue.goal_fields(["grief"]))
    refused(error, match, c, changes.add_goal, c, goal_id, text, area)


def test_set_formulation_new_then_agreed_then_rewritten() -> None:
    c = course()
    before = dump(c)
    first = changes.set_formulation(c, "Draft.", None, START).formulation
    assert (first.text, first.agreed, first.date) == ("Draft.", False, START)
    assert changed_fields(before, c) == {"formulation"}
    agreed = changes.set_formulation(c, None, True, TODAY)  # agree to the text as it stands
    assert not agreed.previous_kept and not agreed.agreement_reset
    assert (agreed.formulation.text, agreed.formulation.agreed) == ("Draft.", True)
    rewritten = changes.set_formulation(c, "Better.", None, TODAY)  # agreement must be sought
    assert (rewritten.formulation.text, rewritten.formulation.agreed) == ("Better.", False)
    assert rewritten.agreement_reset and rewritten.previous_kept
    assert c.formulation == rewritten.formulation
    assert [(f.text, f.agreed) for f in c.formulation_history] == [("Draft.", True)]
    again = changes.set_formulation(c, "Best.", True, TODAY)  # agreed with the new text
    assert again.formulation.agreed and not again.agreement_reset
    assert [f.text for f in c.formulation_history] == ["Draft.", "Better."]


def test_set_formulation_refusals() -> None:
    c = course()
    refused(
        InputError, "the formulation needs text", c, changes.set_formulation, c, None, True, TODAY
    )
    changes.set_formulation(c, "Text.", False, TODAY)
    refused(
        InputError, "the formulation needs text", c, changes.set_formulation, c, " \n", None, TODAY
    )


# --- ending and archiving ------------------------------------------------------------------


def test_record_ending_adds_signs_and_replaces_the_rest() -> None:
    c = completed(8)
    before = dump(c)
    first = changes.record_ending(c, ["Sleeping badly", "  "], True, "Work", "maintenance", "N.")
    assert first.warning_signs == ["Sleeping badly"]  # blank signs are dropped
    assert (first.feelings_discussed, first.remaining_issues) == (True, "Work")
    assert (first.decision, first.decision_note) == ("maintenance", "N.")
    assert changed_fields(before, c) == {"ending"}
    second = changes.record_ending(c, ["Avoiding friends"], None, None, "referral", None)
    assert second.warning_signs == ["Sleeping badly", "Avoiding friends"]
    assert (second.feelings_discussed, second.remaining_issues) == (True, "Work")  # kept
    assert (second.decision, second.decision_note) == ("referral", "N.")
    assert c.ending == second


def test_record_ending_refuses_an_unknown_decision() -> None:
    c = completed(8)
    refused(
        InputError,
        "ending: decision: must be one of 'maintenance', 'referral' or 'end'",
        c,
        changes.record_ending,
        c,
        ["sign"],
        True,
        MARKER,
        "stop",
        MARKER,
    )


def test_archive_and_restore() -> None:
    c = held(2)
    before = dump(c)
    changes.set_archived(c, True, TODAY)
    assert c.archived == TODAY
    assert changed_fields(before, c) == {"archived"}
    refused(
        ConflictError, "course 'ab' is already archived", c, changes.set_archived, c, True, TODAY
    )
    changes.set_archived(c, False, TODAY)
    assert dump(c) == before
    refused(ConflictError, "course 'ab' is not archived", c, changes.set_archived, c, False, TODAY)


def test_check_goals_accepts_known_goals_and_a_dispute_course() -> None:
    c = course(areas=["role-dispute"], goals=[{"id": "g1", "text": "t"}])
    record: SessionRecord = session(START, goal_ratings={"g1": 10}, dispute_stage="dissolution")
    changes.check_goals(c, record)  # no error
    assert changes.add_session(c, record) == 1
