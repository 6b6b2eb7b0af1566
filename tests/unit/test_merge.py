"""core/merge.py: three versions of a course in, one out; nothing lost, nothing guessed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ipt_cli.core.merge import describe, merge_documents, resolve


def session(sid: int, day: int, note: str = "n", **extra: Any) -> dict[str, Any]:
    return {"id": sid, "date": dt.date(2026, 1, day), "note": note, **extra}


def course(*sessions: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"schema_version": 2, "id": "ab", "client": "A.B.", "sessions": list(sessions), **fields}


def test_sessions_added_on_both_sides_are_all_kept_with_unique_ids() -> None:
    base = course(session(1, 5))
    ours = course(session(1, 5), session(2, 12, "ours"))
    theirs = course(session(1, 5), session(2, 13, "theirs"))
    merged, conflicts = merge_documents(base, ours, theirs)
    assert conflicts == 0
    assert [(s["id"], s["note"]) for s in merged["sessions"]] == [
        (1, "n"),
        (2, "ours"),
        (3, "theirs"),
    ]
    merged, _ = merge_documents(base, ours, theirs, renumber="ours")
    assert {(s["id"], s["note"]) for s in merged["sessions"]} == {
        (1, "n"),
        (2, "theirs"),
        (3, "ours"),
    }


def test_one_sided_changes_are_taken_and_removals_kept() -> None:
    base = course(session(1, 5), session(2, 12), medication="none")
    ours = course(session(1, 5, "edited here"), session(2, 12), medication="none")
    theirs = course(session(1, 5), medication="sertraline")  # session 2 removed there
    merged, conflicts = merge_documents(base, ours, theirs)
    assert conflicts == 0
    assert merged["sessions"] == [session(1, 5, "edited here")]
    assert merged["medication"] == "sertraline"


def test_a_session_both_sides_changed_stays_ours_with_theirs_kept_as_a_conflict() -> None:
    base = course(session(1, 5))
    ours = course(session(1, 5, "ours"))
    theirs = course(session(1, 5, "theirs"))
    merged, conflicts = merge_documents(base, ours, theirs)
    assert conflicts == 1
    assert merged["sessions"] == [session(1, 5, "ours")]
    assert merged["conflicts"] == [{"where": "sessions#1", "theirs": session(1, 5, "theirs")}]
    assert describe(merged["conflicts"][0]) == "session id 1 changed on both machines"
    assert "theirs" not in describe(merged["conflicts"][0])  # never the content
    kept, count = resolve(dict(merged), "mine")
    assert count == 1 and "conflicts" not in kept and kept["sessions"][0]["note"] == "ours"
    taken, _ = resolve(dict(merged), "theirs")
    assert taken["sessions"][0]["note"] == "theirs" and "conflicts" not in taken


def test_plain_lists_keep_every_addition_and_drop_removals() -> None:
    base = course(session(1, 5, addenda=["a"]), timeline=["x", "y"])
    ours = course(session(1, 5, addenda=["a", "b"]), timeline=["x", "y", "z"])
    theirs = course(session(1, 5, addenda=["a"]), timeline=["y", "w"])
    merged, conflicts = merge_documents(base, ours, theirs)
    assert conflicts == 0
    assert merged["timeline"] == ["y", "z", "w"]
    assert merged["sessions"][0]["addenda"] == ["a", "b"]


def test_a_field_both_sides_set_differently_is_a_conflict() -> None:
    merged, conflicts = merge_documents(
        course(medication="none"), course(medication="a"), course(medication="b")
    )
    assert conflicts == 1 and merged["medication"] == "a"
    settled, _ = resolve(merged, "theirs")
    assert settled["medication"] == "b"


def test_no_common_ancestor_merges_as_two_additions() -> None:
    merged, conflicts = merge_documents({}, course(session(1, 5)), course(session(1, 5)))
    assert conflicts == 0 and merged["sessions"] == [session(1, 5)]
