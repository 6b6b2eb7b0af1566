"""Storage guarantees: atomic writes, private files, damaged files never overwritten,
schema versions, locking."""

import datetime as dt
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from ipt_cli.core import changes
from ipt_cli.core.models import SCHEMA_VERSION, Course, SessionRecord
from ipt_cli.errors import (
    ConflictError,
    DataError,
    InputError,
    LockTimeoutError,
    NotFoundError,
    StorageIOError,
)
from ipt_cli.store import files as courses
from ipt_cli.store import format as course_format
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.format import dump_course, load_course_file, parse_course
from ipt_cli.store.paths import check_course_id
from tests.conftest import EXAMPLES

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def make_course(course_id: str = "ab", planned: int = 16) -> Course:
    baseline = changes.measure_fields(phq9="2,2,1,2,1,1,1,0,0")
    return changes.new_course(
        course_id, "A.B.", dt.date(2026, 1, 5), planned, ["grief"], NOW, baseline_measures=baseline
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_create_makes_private_folders_and_files(tmp_path: Path) -> None:
    store = CourseStore(tmp_path / "data")
    path = store.create(make_course())
    assert path == tmp_path / "data" / "courses" / "ab.toml"
    assert mode(tmp_path / "data") == 0o700
    assert mode(tmp_path / "data" / "courses") == 0o700
    assert mode(path) == 0o600


def test_private_modes_hold_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = CourseStore(tmp_path / "data").create(make_course())
    finally:
        os.umask(old)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_load_then_save_is_byte_identical(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    path = store.create(make_course())
    store.update(
        "ab",
        lambda c: changes.add_session(
            c,
            SessionRecord(
                date=dt.date(2026, 1, 12), note='Line one\nline two "quoted" \\ backslash\ttab'
            ),
        ),
    )
    before = path.read_bytes()
    store.update("ab", lambda c: None)
    assert path.read_bytes() == before
    assert dump_course(load_course_file(path)).encode() == before


def test_empty_lists_are_each_records_own_and_never_written() -> None:
    """Empty lists and dicts are made per record (default factories): one record's list is
    never another's, and an empty one is left out of the file as before."""
    first, second = (SessionRecord(date=dt.date(2026, 1, day)) for day in (12, 19))
    first.techniques.append("role-play")
    first.goal_ratings["x"] = 3
    assert second.techniques == [] and second.goal_ratings == {}
    assert SessionRecord(date=dt.date(2026, 1, 26)).techniques == []
    written = dump_course(make_course().model_copy(update={"sessions": [second]}))
    for key in ("techniques", "goal_ratings", "addenda", "risk_reviews", "inventory"):
        assert key not in written


def test_note_with_crlf_round_trips_exactly(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    store.create(make_course())
    note = "first\r\nsecond\rthird\n\u202eRTL 🙂 e\u0301 \x07"
    store.update(
        "ab", lambda c: changes.add_session(c, SessionRecord(date=dt.date(2026, 1, 12), note=note))
    )
    assert store.load("ab").sessions[0].note == note


def test_duplicate_create_leaves_existing_file_untouched(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    path = store.create(make_course())
    before = path.read_bytes()
    with pytest.raises(ConflictError, match="already exists"):
        store.create(make_course(planned=12))
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "bad_id", ["../x", "a/b", "has space", "", "-lead", "UPPER", "a" * 65, "x.toml", "é"]
)
def test_unsafe_course_ids_are_refused(bad_id: str) -> None:
    with pytest.raises(InputError, match="invalid course id"):
        check_course_id(bad_id)


def test_good_course_ids_are_accepted() -> None:
    for good in ("a", "0", "grief-2026-ab", "a" * 64):
        assert check_course_id(good) == good


def test_toml_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('schema_version = 1\nid = "ab\n')
    with pytest.raises(DataError) as caught:
        load_course_file(path)
    assert str(path) in caught.value.message
    assert "line 2" in caught.value.message and "column" in caught.value.message


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            ("items = [\n    2,", "items = [\n    7,"),
            "baseline.phq9.items: PHQ-9 item 1 must be 0-3",
        ),
        (('"grief"', '"sadness"'), "problem_areas[0]"),
        (("planned_sessions = 16", "planned_sessions = -3"), "planned_sessions"),
        (("planned_sessions = 16", 'planned_sessions = "16"'), "planned_sessions"),
        (("cadence = ", "colour = 1\ncadence = "), "colour: is not a field ipt knows"),
    ],
)
def test_validation_error_names_the_field(
    tmp_path: Path, edit: tuple[str, str], field: str
) -> None:
    store = CourseStore(tmp_path)
    path = store.create(make_course())
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    broken = path.read_bytes()
    with pytest.raises(DataError) as caught:
        store.load("ab")
    assert caught.value.message.startswith(str(path))
    assert field in caught.value.message
    # A write to the damaged course is refused and the file stays byte-identical.
    with pytest.raises(DataError):
        store.update("ab", lambda c: changes.add_session(c, SessionRecord(date=dt.date.today())))
    assert path.read_bytes() == broken


def test_every_bad_session_is_named_at_its_place(tmp_path: Path) -> None:
    """Sessions are validated one by one before the course (to free each table as its
    record is made); every error is still reported, at its place, and only once."""
    store = CourseStore(tmp_path)
    path = store.create(make_course())
    for day in (12, 19, 26):
        store.update(
            "ab",
            lambda c, day=day: changes.add_session(
                c, SessionRecord(date=dt.date(2026, 1, day), mood=3)
            ),
        )
    text = path.read_text()
    for edit in (("id = 1, mood = 3", "id = 1, mood = 11"), ("id = 2, mood = 3", "id = 2, x = 1")):
        assert edit[0] in text
        text = text.replace(*edit)
    path.write_text(text)
    with pytest.raises(DataError) as caught:
        store.load("ab")
    message = caught.value.message
    assert message.count("sessions[0].mood") == 1
    assert message.count("sessions[1].x: is not a field ipt knows") == 1
    assert "sessions[2]" not in message and message.count("sessions[") == 2


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    text = dump_course(make_course())
    path.write_text(text.replace(f"schema_version = {SCHEMA_VERSION}", "schema_version = 99"))
    with pytest.raises(DataError, match="schema_version 99 was written by a newer ipt"):
        load_course_file(path)


def test_older_schema_is_migrated_on_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The migration hook: pretend the next schema renamed a key."""
    text = dump_course(make_course()).replace("client =", "alias =")

    def to_next(document: dict[str, object]) -> dict[str, object]:
        document["client"] = document.pop("alias")
        return document

    monkeypatch.setattr(course_format, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(course_format, "MIGRATIONS", {SCHEMA_VERSION: to_next})
    course = parse_course(text, tmp_path / "old.toml")
    assert course.client == "A.B." and course.schema_version == SCHEMA_VERSION + 1


def test_missing_course_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no course 'zz'"):
        CourseStore(tmp_path).load("zz")


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CourseStore(tmp_path)
    path = store.create(make_course())
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(courses.os, "fsync", no_space)
    with pytest.raises(StorageIOError, match="No space left on device"):
        store.update("ab", lambda c: changes.add_session(c, SessionRecord(date=dt.date.today())))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["ab.toml"]  # no temp file left


def test_over_contract_session_is_refused_with_a_pointer(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    store.create(make_course(planned=4))
    for day in range(4):
        store.update(
            "ab",
            lambda c, d=day: changes.add_session(
                c, SessionRecord(date=dt.date(2026, 1, 5) + dt.timedelta(weeks=d))
            ),
        )
    with pytest.raises(ConflictError, match="ipt contract ab --sessions N --reason TEXT"):
        store.update("ab", lambda c: changes.add_session(c, SessionRecord(date=dt.date.today())))
    assert len(store.load("ab").sessions) == 4


def test_backfilled_sessions_are_sorted_and_numbered_by_date(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    store.create(make_course())
    numbers = [
        store.update(
            "ab",
            lambda c, d=d: changes.add_session(
                c, SessionRecord(date=dt.date(2026, 1, d), note=f"day {d}")
            ),
        )
        for d in (19, 5, 12, 12)
    ]
    assert numbers == [1, 1, 2, 3]  # same day: after the one already there
    assert [s.note for s in store.load("ab").sessions] == ["day 5", "day 12", "day 12", "day 19"]


def test_second_writer_waits_then_sees_fresh_data(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    store.create(make_course())
    entered = threading.Event()

    def slow_first(course: Course) -> None:
        entered.set()
        time.sleep(0.3)
        changes.add_session(course, SessionRecord(date=dt.date(2026, 1, 12), note="first"))

    first = threading.Thread(target=store.update, args=("ab", slow_first))
    first.start()
    entered.wait()
    CourseStore(tmp_path).update(
        "ab",
        lambda c: changes.add_session(c, SessionRecord(date=dt.date(2026, 1, 19), note="second")),
    )
    first.join()
    assert [s.note for s in store.load("ab").sessions] == ["first", "second"]


def test_lock_wait_is_bounded(tmp_path: Path) -> None:
    store = CourseStore(tmp_path)
    store.create(make_course())
    impatient = CourseStore(tmp_path, lock_timeout=0.2)
    raised: list[Exception] = []

    def wait_for_the_lock() -> None:
        try:
            impatient.update("ab", lambda c: None)
        except LockTimeoutError as error:
            raised.append(error)

    with store.locked("ab"):
        waiter = threading.Thread(target=wait_for_the_lock, daemon=True)
        waiter.start()
        waiter.join(timeout=60)  # a generous net: an unbounded wait would block here for ever
        assert not waiter.is_alive(), "the writer never gave up waiting for the lock"
    assert len(raised) == 1 and "busy" in str(raised[0])


@pytest.mark.parametrize(
    "example",
    sorted(p for p in EXAMPLES.glob("*.toml") if not p.name.startswith("assessment")),
    ids=lambda p: p.stem,
)
def test_examples_load(example: Path) -> None:
    course = load_course_file(example)
    assert course.id == example.stem


def test_the_schema_5_step_makes_an_older_course_standard_ipt() -> None:
    from ipt_cli.store.format import MIGRATIONS

    assert MIGRATIONS[4]({"schema_version": 4, "id": "ab"}) == {
        "schema_version": 4,
        "id": "ab",
        "adaptation": "standard",
    }
    kept = {"schema_version": 4, "adaptation": "ipsrt"}
    assert MIGRATIONS[4](dict(kept)) == kept
