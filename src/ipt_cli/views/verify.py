"""`ipt verify` results as lines of text and as JSON."""

from __future__ import annotations

from typing import Any

from ipt_cli.store.ssh_signatures import Verification
from ipt_cli.store.verify import Unreadable


def verification_lines(result: Verification | Unreadable) -> list[str]:
    """One course: a summary line, then one line per problem and per note."""
    if isinstance(result, Unreadable):
        return [f"{result.course_id}: cannot be read: {result.problem}"]
    course_id = result.course.id
    chain = result.chain
    if not chain.links:
        return [f"{course_id}: nothing signed"]
    counts = f"{chain.sessions_signed} signed session(s), {chain.entries_signed} sealed entry(ies)"
    if not result.holds:
        lines = [f"{course_id}: BROKEN ({counts}); {len(result.problems)} problem(s):"]
        return lines + [f"  {course_id}: {problem}" for problem in result.problems]
    head = chain.head
    assert head is not None
    keys = f"; {result.keys_checked} key signature(s) verified" if result.keys_checked else ""
    line = (
        f"{course_id}: holds ({counts}{keys}); chain head: link {head.seq}, {head.signature.hash}"
    )
    return [line] + [f"  {course_id}: not checked: {note}" for note in result.notes]


def verification_json(result: Verification | Unreadable) -> dict[str, Any]:
    if isinstance(result, Unreadable):
        return {"course_id": result.course_id, "holds": None, "unreadable": result.problem}
    head = result.chain.head
    return {
        "course_id": result.course.id,
        "holds": result.holds,
        "signed_sessions": result.chain.sessions_signed,
        "sealed_entries": result.chain.entries_signed,
        "key_signatures_verified": result.keys_checked,
        "head": None if head is None else {"seq": head.seq, "hash": head.signature.hash},
        "problems": [{"where": p.where, "what": p.what} for p in result.problems],
        "not_checked": list(result.notes),
    }
