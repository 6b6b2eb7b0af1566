"""The canonical form and the hash chain, as docs/signing.md documents them: an auditor can
recompute every hash from the course file with nothing but a JSON library and SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipt_cli.core import record, signing
from ipt_cli.core.models import Course
from ipt_cli.store.format import dump_course, parse_course
from tests.unit.builders import course, phq9, session

AT = dt.datetime(2026, 2, 16, 9, 30, tzinfo=dt.UTC)


def signed_course() -> Course:
    made = course(
        sessions=[
            session(dt.date(2026, 1, 12), note="Grief work: é, 漢字", phq9=phq9(1), mood=4),
            session(dt.date(2026, 1, 19), note="Second", techniques=["role-play"]),
        ]
    )
    record.sign_all(made, "Dr K.", AT)
    record.amend(made, "1", "Addendum text", dt.date(2026, 2, 17), AT, None)
    return made


def test_the_canonical_form_is_sorted_compact_utf8() -> None:
    assert signing.canonical({"b": [1, 2], "a": "é 漢", "c": {"z": None, "y": True}}) == (
        '{"a":"é 漢","b":[1,2],"c":{"y":true,"z":null}}'.encode()
    )


def _documented_session_hash(stored: dict[str, Any], follows_kind: str = "session") -> str:
    """The hash of a session, rebuilt from its TOML table by the rules of docs/signing.md."""
    content = {k: v for k, v in stored.items() if k != "signature"}
    for name in ("addenda", "risk_reviews", "supervision", "fidelity"):
        kept = [e for e in content.get(name, []) if "signature" not in e]
        if kept:
            content[name] = kept
        else:
            content.pop(name, None)
    seal = stored["signature"]
    payload = {
        "form": 1,
        "seq": seal["seq"],
        "previous": seal["previous"],
        "follows": seal.get("follows"),
        "by": seal["by"],
        "at": seal["at"].astimezone(dt.UTC).isoformat(),
        "kind": follows_kind,
        "session": json.loads(json.dumps(content, default=lambda d: d.isoformat())),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_every_hash_can_be_recomputed_from_the_file_by_the_documented_rules() -> None:
    stored = tomllib.loads(dump_course(signed_course()))
    first, second = stored["sessions"]
    assert first["signature"]["hash"] == _documented_session_hash(first)
    assert second["signature"]["hash"] == _documented_session_hash(second)
    assert first["signature"]["previous"] == "0" * 64
    assert second["signature"]["previous"] == first["signature"]["hash"]
    addendum = first["addenda"][0]
    payload = {
        "form": 1,
        "seq": 3,
        "previous": second["signature"]["hash"],
        "follows": 2,
        "by": "Dr K.",
        "at": AT.isoformat(),
        "kind": "addendum",
        "session_id": 1,
        "session_hash": first["signature"]["hash"],
        "entry": {"date": "2026-02-17", "text": "Addendum text"},
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert addendum["signature"]["hash"] == hashlib.sha256(text.encode()).hexdigest()


def test_a_toml_round_trip_keeps_the_chain() -> None:
    made = signed_course()
    again = parse_course(dump_course(made), Path("ab.toml"))
    check = signing.verify_chain(again)
    assert check.problems == [] and len(check.links) == 3
    assert check.head is not None and check.head.seq == 3


@given(st.text(min_size=1, max_size=40))
def test_any_change_to_a_signed_note_breaks_its_seal(new_text: str) -> None:
    made = signed_course()
    if new_text == made.sessions[1].note:
        return
    made.sessions[1].note = new_text
    problems = signing.verify_chain(made).problems
    assert [str(p) for p in problems] == [
        "session 2 (id 2, 2026-01-19): changed after signing: its content no longer matches "
        "signature 2"
    ]


def test_broken_seals_allow_growth_and_nothing_else() -> None:
    made = signed_course()
    before = signing.sealed_state(made)
    record.amend(made, "2", "More", dt.date(2026, 2, 18), AT, "Dr K.")
    assert signing.broken_seals(before, made) == []
    made.sessions[0].addenda.pop(0)
    assert signing.broken_seals(before, made) == ["session 1 (2026-01-12)"]


def test_a_session_cannot_be_signed_twice() -> None:
    from ipt_cli.errors import ConflictError

    made = signed_course()
    with pytest.raises(ConflictError, match="already signed, by Dr K. on 2026-02-16"):
        record.sign(made, "1", "Dr K.", AT)
