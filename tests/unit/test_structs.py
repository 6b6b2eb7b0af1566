"""`@struct` behaves like the dataclass behaviour ipt relied on (core/structs.py)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from ipt_cli.core.structs import FrozenInstanceError, as_dict, field, replace, struct


@struct(frozen=True)
class Point:
    session: int
    label: str
    scores: tuple[int, ...] = ()
    note: str | None = None


@struct
class Tally:
    count: int = 0
    seen: dict[str, int] = field(default_factory=dict)


@struct(frozen=True)
class Pair:
    first: Point
    rest: list[Point] = field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class DataPoint:
    session: int
    label: str
    scores: tuple[int, ...] = ()
    note: str | None = None


def test_construction_matches_a_dataclass() -> None:
    for args, kwargs in (
        ((1, "a"), {}),
        ((1, "a", (2, 3), "n"), {}),  # every field, in order (the fast path)
        ((1,), {"label": "a"}),
        ((), {"session": 2, "label": "b", "note": "n"}),
    ):
        ours, theirs = Point(*args, **kwargs), DataPoint(*args, **kwargs)
        assert as_dict(ours) == dataclasses.asdict(theirs)
        assert repr(ours) == repr(theirs).replace("DataPoint", "Point")


def test_default_factories_give_each_instance_its_own() -> None:
    first, second = Tally(), Tally()
    first.seen["x"] = 1
    first.count += 1
    assert second.seen == {} and second.count == 0 and first.count == 1


def test_frozen_refuses_changes_and_hashes_by_fields() -> None:
    point = Point(1, "a", note="n")
    with pytest.raises(FrozenInstanceError):
        point.label = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.note
    assert Point(1, "a") == Point(1, "a") != Point(2, "a")
    assert Point(1, "a") != DataPoint(1, "a")
    assert {Point(1, "a", (3,)), Point(1, "a", (3,))} == {Point(1, "a", (3,))}
    with pytest.raises(TypeError):
        hash(Tally())  # mutable: unhashable, as a dataclass


def test_bad_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError, match="missing required argument: 'label'"):
        Point(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Point(1, "a", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'session'"):
        Point(1, "a", session=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 4 arguments but 5"):
        Point(1, "a", (), None, 5)  # type: ignore[call-arg]


def test_definitions_that_a_dataclass_refuses_are_refused() -> None:
    with pytest.raises(TypeError, match="mutable default"):

        @struct
        class Shared:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="without a default follows"):

        @struct
        class Order:
            first: int = 0
            second: int  # type: ignore[misc]


def test_replace_and_as_dict_reach_nested_structs() -> None:
    pair = Pair(Point(1, "a", (3,)), [Point(2, "b")])
    changed = replace(pair, rest=[])
    assert changed.rest == [] and pair.rest == [Point(2, "b")] and changed.first is pair.first
    assert as_dict(pair) == {
        "first": {"session": 1, "label": "a", "scores": (3,), "note": None},
        "rest": [{"session": 2, "label": "b", "scores": (), "note": None}],
    }
    with pytest.raises(TypeError):
        replace(pair, colour="red")


def test_copies_and_pickles_round_trip() -> None:
    pair = Pair(Point(1, "a", (3,)), [Point(2, "b")])
    assert copy.deepcopy(pair) == pair
    assert pickle.loads(pickle.dumps(pair)) == pair
    match Point(1, "a"):
        case Point(session, label):
            assert (session, label) == (1, "a")


def test_what_a_dataclass_would_not_take_is_refused_at_definition() -> None:
    from typing import ClassVar

    with pytest.raises(TypeError, match="ClassVar"):

        @struct
        class Counted:
            total: ClassVar[int] = 0

    with pytest.raises(TypeError, match="at least one"):

        @struct
        class Empty:
            pass

    with pytest.raises(TypeError, match="mutable default"):

        @struct
        class Tagged:
            tags: frozenset[str] | set[str] = set()  # noqa: RUF012


def test_a_bare_field_is_a_required_field() -> None:
    @struct(frozen=True)
    class Named:
        name: str = field()

    assert Named("a").name == "a"
    with pytest.raises(TypeError, match="missing required argument: 'name'"):
        Named()  # type: ignore[call-arg]
