"""The course file format: parse, migrate, validate, dump; seal and open its bytes.

No disk writes and no locks here (those are store/files.py), so that `sync`, `search`,
`encryption` and `doctor` can read and write the format without the store. A file that
fails to parse or validate raises DataError naming the file and the line or field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli
import tomli_w
from pydantic import ValidationError

from ipt_cli.core.models import SCHEMA_VERSION, Course, SessionRecord
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import DataError
from ipt_cli.store.files import read_bytes
from ipt_cli.store.reading import read_opened
from ipt_cli.store.reading import read_text as read_text

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher


def _sittings_of(document: dict[str, Any]) -> list[Any]:
    """The baseline, sessions and maintenance sessions of a raw document, as found."""
    found: list[Any] = [document.get("baseline")]
    for holder in (document, document.get("maintenance")):
        if isinstance(holder, dict) and isinstance(holder.get("sessions"), list):
            found += holder["sessions"]
    return [s for s in found if isinstance(s, dict)]


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 keeps every risk review (`risk_reviews`, a list) where schema 1 kept one
    (`risk_review`, replaced by the next). Session ids are new in 2: sessions without one
    get them, in date order, when the course is validated."""
    for sitting in _sittings_of(document):
        if "risk_review" in sitting:
            sitting["risk_reviews"] = [sitting.pop("risk_review")]
    return document


def _v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 3 adds signatures, structured risk-review fields, the safety plan, supervision
    and fidelity ratings: every new field is optional, so a version-2 document is a valid
    version-3 one as it stands."""
    return document


def _v3_to_v4(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 4 adds condition profiles (`condition`) and the PCL-5, Mini-SPIN, LSAS-SR and
    eating-disorder counts. Every new field has a default (a course without `condition` is a
    depression course), so an older document needs no change: a no-op, kept as a step."""
    return document


def _v4_to_v5(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 5 adds the course's adaptation (and its guardian, attendees and rhythm log,
    all optional): courses written before it are standard IPT."""
    document.setdefault("adaptation", "standard")
    return document


def _v5_to_v6(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 6 keeps corrections: the course's change history (`changes`), a goal's
    `retired` date and a session's `corrections`; older files have none of them."""
    document.setdefault("changes", [])
    return document


def _v6_to_v7(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 7 keeps when each risk review was recorded (`recorded_at`); older reviews have
    none and count as recorded before every review that has one, in their date order."""
    return document


def _v7_to_v8(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 8 keeps contacts outside sessions (`contacts`); older files have none."""
    return document


def _v8_to_v9(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 9: a member's missed group session takes its number in the member's course
    (`missed[].number`). `ipt group session` wrote their reasons as 'group session N: ...';
    a group course's missed appointments get that N back (issue 26, defect 8)."""
    if document.get("adaptation") != "group":
        return document
    for missed in document.get("missed") or []:
        if not isinstance(missed, dict) or "number" in missed:
            continue
        found = _GROUP_MISSED.match(str(missed.get("reason", "")))
        if found:
            missed["number"] = int(found.group(1))
    return document


_GROUP_MISSED = re.compile(r"group session (\d{1,2}): ")


def _v9_to_v10(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 10 adds a session's `withdrawn` (recorded by mistake, kept) and the
    `recorded_at` time of contract changes, the formulation, the ending, supervision entries
    and fidelity ratings, beside the date of the act (and the ending's `date`) (issue 27);
    a timeline event's `precision` (issue 27); IPSRT's rhythm targets, the SRM involvement
    scale of a day's entry (`involvement`, 0-3) and warning signs of each pole, and the
    adaptations' measures (`epds`, `phqa`, `asrm` in the baseline and sessions) (issue 28).
    Every new field is optional, so an older document needs no change; a rhythm entry's
    older `with_people` counts are kept as they are (shown as legacy counts)."""
    return document


# schema_version -> function that turns a document of that version into the next one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
    8: _v8_to_v9,
    9: _v9_to_v10,
}


def migrate(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring an older document up to SCHEMA_VERSION; refuse a newer one."""
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DataError(path, ["schema_version: missing or not a positive integer"])
    if version > SCHEMA_VERSION:
        raise DataError(
            path,
            [
                f"schema_version {version} was written by a newer ipt; this one reads up to "
                f"{SCHEMA_VERSION}: upgrade ipt"
            ],
        )
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version += 1
        document["schema_version"] = version
    return document


_QUOTED_TEXT = r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"'
_QUOTED = re.compile(_QUOTED_TEXT)
_KEY_TUPLE = re.compile(rf"\((?:{_QUOTED_TEXT})(?:, ?(?:{_QUOTED_TEXT}))*,?\)")


def toml_problem(error: tomli.TOMLDecodeError) -> str:
    """The parser's message with its position, but never a key or string from the document
    (a key there may be a fragment of a note): only a short token such as ']' is kept."""
    message = _KEY_TUPLE.sub("a key", str(error))
    return _QUOTED.sub(lambda m: m.group() if len(m.group()) <= 8 else "a value", message)


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        raise DataError(path, [f"not valid TOML: {toml_problem(error)}"]) from None
    except RecursionError:
        raise DataError(path, ["not a course: nested too deeply"]) from None


def read_toml(path: Path) -> dict[str, Any]:
    return parse_toml(read_text(path), path)


def _validate_sessions(document: dict[str, Any]) -> None:
    """Validate each session table of a parsed document on its own and put its record in
    its place, so that each table is freed as its record is made: a long course's peak
    memory then holds the records, not the tables and the records. A session that fails
    is left as it was, for the course's validation to report at its place (sessions.N,
    maintenance.sessions.N) with every other error, exactly as before."""
    validate = SessionRecord.__pydantic_validator__.validate_python  # model_validate's own
    for holder in (document, document.get("maintenance")):
        sessions = holder.get("sessions") if isinstance(holder, dict) else None
        if not isinstance(sessions, list):
            continue
        for index, table in enumerate(sessions):
            if isinstance(table, dict):
                try:
                    sessions[index] = validate(table)
                except ValidationError:
                    pass


def parse_course(text: str, path: Path) -> Course:
    document = migrate(parse_toml(text, path), path)
    try:
        _validate_sessions(document)  # one by one first (see there): less memory
        return Course.model_validate(document)
    except ValidationError as error:
        raise DataError(path, describe_validation(error, Course, text=text)) from None
    except RecursionError:
        raise DataError(path, ["not a course: nested too deeply"]) from None


def _has_crlf(value: object) -> bool:
    if isinstance(value, str):
        return "\r\n" in value
    if isinstance(value, dict):
        return any(_has_crlf(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_crlf(v) for v in value)
    return False


def dump_course(course: Course) -> str:
    data = course.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    data = {"schema_version": data.pop("schema_version"), **data}
    # Multi-line strings keep notes readable, but tomli-w turns CRLF into LF inside them;
    # a note with CRLF is kept exact by writing every string escaped instead.
    return tomli_w.dumps(data, multiline_strings=not _has_crlf(data))


def decode_text(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, [f"not UTF-8 text (byte {error.start})"]) from None


def open_text(path: Path, cipher: Cipher | None, *, follow: bool = False) -> str:
    """The text of a stored file (through the ownership gate: a regular file of this
    user's, never blocking): decrypted in memory when the folder is encrypted."""
    return read_opened(path, cipher, follow=follow)


def seal_text(text: str, cipher: Cipher | None) -> bytes:
    """The bytes to store for `text`: age-encrypted when the folder is encrypted."""
    data = text.encode("utf-8")
    return data if cipher is None else cipher.encrypt(data)


def load_course_file(path: Path, cipher: Cipher | None = None) -> Course:
    """A course file of a courses folder; its id must be its file name."""
    course = parse_course(open_text(path, cipher), path)
    check_course_name(course, path)
    return course


def check_course_name(course: Course, path: Path) -> None:
    """A copied or renamed course file would show two courses under one id."""
    # ab.toml, or ab.toml.age; a copy such as ab.orig.toml or ab.sync-conflict-....toml is
    # not course ab (the list index files a row under its file's name)
    named = path.name.removesuffix(".age").removesuffix(".toml")
    if course.id != named:
        raise DataError(
            path,
            [
                f"id {course.id!r} does not match the file name {path.name!r}: rename "
                f"the file after its id, or change its id to {named!r}"
            ],
        )


def read_course_document(path: Path, cipher: Cipher | None = None) -> Course:
    """A course from a .toml file, or from a .json one written by `ipt export` (either may
    be age-encrypted: then `cipher` opens it)."""
    raw = read_bytes(path)
    name = path.name.lower().removesuffix(".age")
    # lazy: keeps store.crypto off `ipt report ab`
    from ipt_cli.store.crypto import is_age

    if is_age(raw):
        if cipher is None:
            # lazy: keeps store.crypto off `ipt report ab`
            from ipt_cli.store.crypto import Cipher as AgeCipher
            from ipt_cli.store.crypto import default_identity_path, load_identities

            cipher = AgeCipher("x25519", [], default_identity_path(), path.parent)
            load_identities(default_identity_path())
        raw = cipher.decrypt(raw, path)
    text = decode_text(raw, path)
    if not name.endswith(".json"):
        return parse_course(text, path)

    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(path, [f"not valid JSON: {error}"]) from None
    except RecursionError:
        raise DataError(path, ["not a course: nested too deeply"]) from None
    if not isinstance(document, dict):
        raise DataError(path, ["not a course: expected a JSON object"])
    document = migrate(document, path)
    try:
        # JSON has no dates: lax mode parses ISO strings, and then the strict model checks all.
        lax = Course.model_validate(document, strict=False)
        return Course.model_validate(lax.model_dump())
    except ValidationError as error:
        raise DataError(path, describe_validation(error)) from None
    except RecursionError:
        raise DataError(path, ["not a course: nested too deeply"]) from None
