"""Signed sessions: the canonical form, the SHA-256 hash chain, and its verification. Pure.

A signature seals a session's recorded content. Every signature of a course is a link of one
chain, numbered by `seq` in the order the links were made: each link's hash covers its own
content and the hash of the link before it, so that editing, removing or reordering a signed
record breaks the chain at that record. After signing, a session only grows: addenda, risk
reviews, supervision entries and fidelity ratings added to it are each sealed as a link of
their own. docs/signing.md states the rules; this module is their one implementation.

Canonical form: the value as JSON with keys sorted, no whitespace between tokens (separators
"," and ":"), non-ASCII text written as UTF-8 characters (never escaped), encoded as UTF-8.
Fields that are absent or equal to their default are left out; dates and times are ISO 8601
text (times in UTC). Text is hashed exactly as stored (no Unicode or line-end normalisation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from ipt_cli.core.models import (
    Addendum,
    Course,
    FidelityRating,
    RiskReview,
    SessionRecord,
    Signature,
    SupervisionEntry,
)
from ipt_cli.core.structs import struct
from ipt_cli.errors import ConflictError

GENESIS = "0" * 64  # the `previous` of the first link
FORM = 1  # the version of the canonical payload below; hashed, so a later form is told apart
# The lists a signed session may still grow, each entry then sealed as a link of its own.
APPENDED: dict[str, str] = {
    "addenda": "addendum",
    "risk_reviews": "risk review",
    "supervision": "supervision entry",
    "fidelity": "fidelity rating",
}
Entry = Addendum | RiskReview | SupervisionEntry | FidelityRating
# Signs a hash with a key: returns (key fingerprint, armored signature), or None when no
# key signature was made (store/ssh_signatures.py provides it; the core never runs a program).
Sealer = Callable[[str], tuple[str, str] | None]


def canonical(value: Any) -> bytes:
    """The canonical bytes of a JSON-able value (see the module docstring)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def _dump(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = record.model_dump(
        mode="json", exclude_none=True, exclude_defaults=True, exclude={"signature"}
    )
    return data


def session_content(session: SessionRecord) -> dict[str, Any]:
    """What a session's signature seals: every recorded field, with the entries it held when
    it was signed (entries added later carry their own signature and are left out)."""
    data = _dump(session)
    for name in APPENDED:
        held = [_dump(e) for e in getattr(session, name) if e.signature is None]
        if held:
            data[name] = held
        else:
            data.pop(name, None)
    return data


def _at(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()


def _payload(signature: Signature | dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    fields = signature if isinstance(signature, dict) else signature.model_dump()
    return {
        "form": FORM,
        "seq": fields["seq"],
        "previous": fields["previous"],
        "follows": fields["follows"],
        "by": fields["by"],
        "at": _at(fields["at"]),
        **({"signed_at": _at(fields["signed_at"])} if fields.get("signed_at") else {}),
        **subject,
    }


def _session_subject(session: SessionRecord) -> dict[str, Any]:
    return {"kind": "session", "session": session_content(session)}


def _entry_subject(session: SessionRecord, name: str, entry: Entry) -> dict[str, Any]:
    assert session.signature is not None
    return {
        "kind": APPENDED[name],
        "session_id": session.id,
        "session_hash": session.signature.hash,
        "entry": _dump(entry),
    }


@struct(frozen=True)
class Link:
    """One signature of the course and what it seals."""

    signature: Signature
    session: SessionRecord
    session_label: str  # "session 3" or "maintenance session 2"
    list_name: str | None = None  # None for the session's own signature
    index: int = 0  # 1-based place in its list, for an entry

    @property
    def seq(self) -> int:
        return self.signature.seq

    @property
    def session_described(self) -> str:
        return f"{self.session_label} (id {self.session.id}, {self.session.date.isoformat()})"

    @property
    def described(self) -> str:
        if self.list_name is None:
            return self.session_described
        return f"{APPENDED[self.list_name]} {self.index} of {self.session_described}"

    def subject(self) -> dict[str, Any]:
        if self.list_name is None:
            return _session_subject(self.session)
        entry = getattr(self.session, self.list_name)[self.index - 1]
        return _entry_subject(self.session, self.list_name, entry)


def numbered_sessions(course: Course) -> Iterator[tuple[str, SessionRecord]]:
    """("session N", session) for the acute sessions, then the maintenance ones."""
    for number, session in course.numbered_sessions():
        yield f"session {number}", session
    if course.maintenance:
        for number, session in enumerate(course.maintenance.sessions, 1):
            yield f"maintenance session {number}", session


def links(course: Course) -> list[Link]:
    """Every signature of the course, in the order of the record (not of the chain)."""
    found = []
    for label, session in numbered_sessions(course):
        if session.signature is not None:
            found.append(Link(session.signature, session, label))
        for name in APPENDED:
            for index, entry in enumerate(getattr(session, name), 1):
                if entry.signature is not None:
                    found.append(Link(entry.signature, session, label, name, index))
    return found


def _next_link(course: Course) -> tuple[int, str, int | None]:
    """(seq, previous hash, session id of the previous link) for a new link."""
    chain = sorted(links(course), key=lambda link: link.seq)
    if not chain:
        return 1, GENESIS, None
    last = chain[-1]
    return last.seq + 1, last.signature.hash, last.session.id


def _check_forward(course: Course, at: dt.datetime) -> None:
    """A new link is not dated before the link it follows: the record's time only moves
    forward (a past IPT_TODAY, or a wrong clock, would otherwise backdate a signature)."""
    chain = sorted(links(course), key=lambda link: link.seq)
    if chain and at < chain[-1].signature.at:
        last = chain[-1]
        raise ConflictError(
            f"a signature dated {at.date().isoformat()} cannot follow signature {last.seq} "
            f"(on {last.described}), dated {last.signature.at.date().isoformat()}: the "
            "record's signatures only move forward; check the date (IPT_TODAY) and the clock"
        )


def _signature(
    course: Course,
    subject: Callable[[], dict[str, Any]],
    by: str,
    at: dt.datetime,
    sealer: Sealer | None,
    wall: dt.datetime | None = None,
) -> Signature:
    at = at.astimezone(dt.UTC).replace(microsecond=0)
    _check_forward(course, at)
    seq, previous, follows = _next_link(course)
    fields: dict[str, Any] = {
        "seq": seq,
        "previous": previous,
        "follows": follows,
        "by": by,
        "at": at,
    }
    if wall is not None:
        fields["signed_at"] = wall.astimezone(dt.UTC).replace(microsecond=0)
    fields["hash"] = digest(_payload(fields, subject()))
    sealed = sealer(fields["hash"]) if sealer is not None else None
    if sealed is not None:
        fields["key"], fields["ssh_signature"] = sealed
    return Signature.model_validate(fields)


def sign_session(
    course: Course,
    session: SessionRecord,
    label: str,
    by: str,
    at: dt.datetime,
    sealer: Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
) -> Signature:
    """Seal a session as the next link of the course's chain (`at`: the record's time;
    `wall`: the wall-clock time it is written, kept beside it)."""
    if session.signature is not None:
        done = session.signature
        raise ConflictError(
            f"{label} ({session.date.isoformat()}) of {course.id!r} is already signed, by "
            f"{done.by} on {done.at.date().isoformat()}; add to it with: ipt session "
            f"{course.id} --amend {session.date.isoformat()}"
        )
    session.signature = _signature(course, lambda: _session_subject(session), by, at, sealer, wall)
    return session.signature


def seal_entry(
    course: Course,
    session: SessionRecord,
    name: str,
    entry: Entry,
    by: str | None,
    at: dt.datetime,
    sealer: Sealer | None = None,
    *,
    wall: dt.datetime | None = None,
) -> Signature | None:
    """Seal an entry just added to `session`'s list `name`, when the session is signed (an
    unsigned session's entries are sealed with it when it is signed). The entry is signed by
    `by`, else by its own `by`, else by whoever signed the session."""
    if session.signature is None:
        return None
    signer = by or getattr(entry, "by", None) or session.signature.by
    entry.signature = _signature(
        course, lambda: _entry_subject(session, name, entry), signer, at, sealer, wall
    )
    return entry.signature


def is_signed(session: SessionRecord) -> bool:
    return session.signature is not None


@struct(frozen=True)
class Problem:
    """What broke, and where."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@struct(frozen=True)
class ChainCheck:
    """The result of verifying a course's chain."""

    links: list[Link]
    problems: list[Problem]

    @property
    def sessions_signed(self) -> int:
        return sum(1 for link in self.links if link.list_name is None)

    @property
    def entries_signed(self) -> int:
        return len(self.links) - self.sessions_signed

    @property
    def head(self) -> Link | None:
        return max(self.links, key=lambda link: link.seq) if self.links else None


def _content_problems(chain: list[Link]) -> list[Problem]:
    problems = []
    for link in chain:
        if link.list_name is not None and link.session.signature is None:
            problems.append(
                Problem(
                    link.described,
                    "is sealed but its session's signature is missing (removed by hand?)",
                )
            )
            continue
        if digest(_payload(link.signature, link.subject())) != link.signature.hash:
            problems.append(
                Problem(
                    link.described,
                    f"changed after signing: its content no longer matches signature {link.seq}",
                )
            )
    return problems


def _chain_problems(chain: list[Link]) -> list[Problem]:
    """Duplicates, gaps and broken links in the order of `seq`."""
    problems: list[Problem] = []
    by_seq: dict[int, Link] = {}
    for link in sorted(chain, key=lambda link: link.seq):
        if link.seq in by_seq:
            problems.append(
                Problem(
                    link.described,
                    f"signature {link.seq} appears twice (also on {by_seq[link.seq].described})",
                )
            )
            continue
        by_seq[link.seq] = link
    for seq, link in sorted(by_seq.items()):
        if seq == 1:
            if link.signature.previous != GENESIS:
                problems.append(Problem(link.described, "chain broken: signature 1 must start it"))
            continue
        before = by_seq.get(seq - 1)
        if before is None:
            was_on = link.signature.follows
            where = f", on session id {was_on}," if was_on is not None else ""
            problems.append(
                Problem(
                    link.described,
                    f"chain broken before it: signature {seq - 1}{where} is missing: a signed "
                    "session or entry was removed",
                )
            )
        elif link.signature.previous != before.signature.hash:
            problems.append(
                Problem(
                    link.described,
                    f"chain broken: it does not follow signature {seq - 1} (on "
                    f"{before.described}): records were replaced or reordered",
                )
            )
    return problems


def _order_problems(chain: list[Link]) -> list[Problem]:
    """An entry is sealed after its session, each list keeps the order of its seals, and no
    link is dated before the link it follows."""
    problems = []
    by_seq = sorted(chain, key=lambda link: link.seq)
    for before, link in zip(by_seq, by_seq[1:], strict=False):
        if link.signature.at < before.signature.at:
            problems.append(
                Problem(
                    link.described,
                    f"dated {link.signature.at.date().isoformat()}, before signature "
                    f"{before.seq} it follows ({before.signature.at.date().isoformat()}): "
                    "backdated",
                )
            )
    session_seq = {id(link.session): link.seq for link in chain if link.list_name is None}
    last_in_list: dict[tuple[int, str], Link] = {}
    for link in chain:  # record order
        if link.list_name is None:
            continue
        signed_at = session_seq.get(id(link.session))
        if signed_at is not None and link.seq < signed_at:
            problems.append(
                Problem(link.described, "sealed before its session was signed: out of order")
            )
        key = (id(link.session), link.list_name)
        earlier = last_in_list.get(key)
        if earlier is not None and link.seq < earlier.seq:
            problems.append(
                Problem(
                    link.described,
                    f"out of order: sealed before {APPENDED[link.list_name]} {earlier.index}",
                )
            )
        last_in_list[key] = link
    return problems


def verify_chain(course: Course) -> ChainCheck:
    """Check every signature of a course: content, chain and order."""
    chain = links(course)
    problems = _content_problems(chain) + _chain_problems(chain) + _order_problems(chain)
    return ChainCheck(chain, problems)


@struct(frozen=True)
class Sealed:
    """What may no longer change about one signed session."""

    label: str
    date: dt.date
    core: str  # digest of the signature and the signed content
    entries: dict[str, list[str]]  # per list, digests of the sealed entries, in order


def sealed_state(course: Course) -> dict[int, Sealed]:
    """Every signed session by id (empty, and cheap, for a course with no signature)."""
    state: dict[int, Sealed] = {}
    for label, session in numbered_sessions(course):
        signature = session.signature
        if signature is None or session.id is None:
            continue
        core = digest(
            {"signature": signature.model_dump(mode="json"), "content": session_content(session)}
        )
        entries = {
            name: [
                digest(e.model_dump(mode="json", exclude_none=True))
                for e in getattr(session, name)
                if e.signature is not None
            ]
            for name in APPENDED
        }
        state[session.id] = Sealed(label, session.date, core, entries)
    return state


def broken_seals(before: dict[int, Sealed], after: Course) -> list[str]:
    """The signed sessions of `before` that `after` removes or changes (adding sealed entries
    is no change), each as "session 3 (2026-01-26)"."""
    if not before:
        return []
    now = sealed_state(after)
    broken = []
    for session_id, sealed in before.items():
        kept = now.get(session_id)
        intact = kept is not None and kept.core == sealed.core
        if intact and kept is not None:
            intact = all(
                kept.entries[name][: len(old)] == old for name, old in sealed.entries.items()
            )
        if not intact:
            broken.append(f"{sealed.label} ({sealed.date.isoformat()})")
    return broken


def signed_change_refusal(course_id: str, broken: list[str]) -> str:
    """The one line that refuses a change to signed sessions."""
    which = ", ".join(broken)
    plural = "are" if len(broken) > 1 else "is"
    return (
        f"{which} of {course_id!r} {plural} signed: a signed session cannot change; an addendum "
        f"is the way: ipt session {course_id} --amend N --note TEXT"
    )
