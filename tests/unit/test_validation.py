"""Validation errors in plain words, naming the option a user typed."""

import datetime as dt

import pytest

from ipt_cli.core import changes
from ipt_cli.errors import InputError

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def build(**fields: object) -> None:
    changes.build_course("ab", {"client": "A.B.", "problem_areas": ["grief"], **fields}, NOW)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"planned_sessions": 3}, "--sessions: must be 4-30"),
        ({"planned_sessions": 31}, "--sessions: must be 4-30"),
        ({"initial_sessions": 0}, "--initial-sessions: must be 1-10"),
        ({"termination_sessions": 11}, "--termination-sessions: must be 1-10"),
        ({"cadence": "daily"}, "--cadence: must be one of 'weekly', 'fortnightly' or 'monthly'"),
        ({"problem_areas": ["grief", "grief"]}, "--problem-area: the secondary problem area"),
        ({"problem_areas": []}, "--problem-area: needs at least 1"),
        ({"client": ""}, "--client: must not be empty"),
    ],
)
def test_course_options_are_named_in_plain_words(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        build(**fields)
    assert message in caught.value.message
    assert "Input should" not in caught.value.message


def test_session_options_are_named_and_the_value_is_never_echoed() -> None:
    with pytest.raises(InputError) as caught:
        changes.session_record(
            dt.date(2026, 1, 12), note="private words", measure_options={}, mood=11
        )
    assert caught.value.message == "--mood: must be 0-10"
