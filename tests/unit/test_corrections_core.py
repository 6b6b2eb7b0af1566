"""core/corrections.py: settings changed, goals retired or reworded, session values fixed."""

from __future__ import annotations

import datetime as dt

import pytest

from ipt_cli.core import changes, corrections
from ipt_cli.core.models import Course
from ipt_cli.errors import ConflictError, InputError

TODAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def course(*areas: str, stage: str | None = None) -> Course:
    made = changes.new_course(
        "ab", "A.B.", dt.date(2026, 1, 5), 12, list(areas) or ["grief"], NOW, dispute_stage=stage
    )
    return made


def test_a_dispute_becoming_a_transition_clears_its_stage_and_offers_goals() -> None:
    c = course("role-dispute", stage="dissolution")
    done = corrections.set_course(c, {"problem_areas": ["role-transition"]}, TODAY)
    assert c.problem_areas == ["role-transition"] and c.dispute_stage is None
    assert done.dispute_stage_cleared and done.added_areas == ["role-transition"]
    assert [(x.what, x.old, x.new) for x in c.changes] == [
        ("problem-area", "role-dispute", "role-transition"),
        ("dispute-stage", "dissolution", "(none)"),
    ]
    offered = corrections.offered_goals(c, done.added_areas)
    assert offered and {area for area, _, _ in offered} == {"role-transition"}
    Course.model_validate(dict(c))  # the whole course still validates


def test_a_refused_change_leaves_the_course_as_it_was() -> None:
    c = course()
    before = c.model_dump()
    with pytest.raises(InputError, match="--dispute-stage|dispute"):
        corrections.set_course(c, {"dispute_stage": "impasse"}, TODAY)
    with pytest.raises(InputError, match="--initial-sessions"):
        corrections.set_course(c, {"initial_sessions": 0}, TODAY)
    assert c.model_dump() == before


def test_a_retired_goal_is_refused_a_rating() -> None:
    c = course()
    changes.add_goal(c, "walk", "Walk", None)
    corrections.retire_goal(c, "walk", TODAY)
    with pytest.raises(ConflictError):
        corrections.retire_goal(c, "walk", TODAY)
    record = changes.session_record(
        dt.date(2026, 1, 5), note=None, measure_options={}, goal_ratings=[("walk", 3)]
    )
    with pytest.raises(InputError, match="retired"):
        changes.check_goals(c, record)


def test_history_lists_settings_and_session_fixes_by_date() -> None:
    c = course()
    changes.add_session(c, changes.session_record(dt.date(2026, 1, 5), note=None,
                                                  measure_options={}, mood=3))  # fmt: skip
    corrections.fix_session(c, 1, {"mood": 5}, "typo", dt.date(2026, 1, 6))
    corrections.set_course(c, {"medication": "none"}, TODAY)
    lines = corrections.history(c)
    assert [(h.what, h.old, h.new, h.reason) for h in lines] == [
        ("session 1 mood", "3", "5", "typo"),
        ("medication", "(none)", "none", None),
    ]
