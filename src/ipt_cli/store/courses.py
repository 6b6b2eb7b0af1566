"""Course files in and out: TOML, validated on read, written atomically under a lock.

A file that fails to parse or validate raises DataError naming the file and the line or
field, and is never written over.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import tomli
import tomli_w
from pydantic import ValidationError

from ipt_cli.core.models import SCHEMA_VERSION, Course, SessionRecord
from ipt_cli.core.structs import struct
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import (
    ConflictError,
    DataError,
    IdentityError,
    InputError,
    IptError,
    LockTimeoutError,
    NotFoundError,
    StorageIOError,
)
from ipt_cli.store.commits import note_commit
from ipt_cli.store.ownership import (
    check_course,
    check_folder,
    kind_of,
    open_private,
)
from ipt_cli.store.paths import DataPaths, check_new_course_id
from ipt_cli.store.reading import read_opened as read_opened  # re-exported
from ipt_cli.store.reading import read_stored_text as read_stored_text  # re-exported
from ipt_cli.store.reading import read_text as read_text  # re-exported

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

T = TypeVar("T")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
LOCK_TIMEOUT_SECONDS = 10.0


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


# schema_version -> function that turns a document of that version into the next one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
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
        raise DataError(path, describe_validation(error, text=text)) from None
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


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise StorageIOError(f"cannot read {path}: {error.strerror}") from None


def decode_text(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, [f"not UTF-8 text (byte {error.start})"]) from None


def open_text(path: Path, cipher: Cipher | None, *, follow: bool = True) -> str:
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
    from ipt_cli.store.crypto import is_age

    if is_age(raw):
        if cipher is None:
            from ipt_cli.store.crypto import Cipher as AgeCipher
            from ipt_cli.store.crypto import default_identity_path, load_identities

            cipher = AgeCipher("x25519", [], default_identity_path(), path.parent)
            load_identities(default_identity_path())
        raw = cipher.decrypt(raw, path)
    text = decode_text(raw, path)
    if not name.endswith(".json"):
        return parse_course(text, path)
    import json

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


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage(path: Path, data: bytes) -> Path:
    """The first half of an atomic write: `data` in a temp file beside `path`, flushed
    and fsynced. A write the disk refuses (full, too large, failing) stops here, before
    anything else is touched; the temp file is removed."""
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise StorageIOError(f"cannot write in {path.parent}: {error.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), PRIVATE_FILE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def commit(tmp: Path, path: Path, *, exclusive: bool = False) -> None:
    """The second half: rename the staged file into place (or link it, if exclusive)."""
    try:
        if exclusive:
            os.link(tmp, path)
            tmp.unlink()
        else:
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise ConflictError(f"{path} already exists; it was left untouched") from None
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write via a temp file in the same folder, fsync, then rename (or link, if exclusive).

    Killed at any instant, this leaves the old file or the new one, never a partial one.
    With exclusive=True an existing file is refused and left untouched.
    """
    commit(stage(path, data), path, exclusive=exclusive)


def make_private_dir(directory: Path) -> None:
    """Create a folder readable by its owner only; an existing one is left as it is."""
    try:
        directory.mkdir(mode=PRIVATE_DIR, parents=True)
    except FileExistsError:
        if not directory.is_dir():
            raise StorageIOError(f"{directory} exists and is not a folder") from None
        return
    except OSError as error:
        raise StorageIOError(f"cannot create {directory}: {error.strerror}") from None
    directory.chmod(PRIVATE_DIR)  # mkdir's mode is narrowed by the umask, never widened


@contextmanager
def hold_lock(lock_path: Path, timeout: float, busy: str) -> Iterator[None]:
    """Hold an exclusive flock on `lock_path` (created if needed; a regular file of this
    user's, never a link: see try_lock_file), waiting up to `timeout` seconds; `busy`
    names what is locked in the error. Closing the file releases it."""
    deadline = time.monotonic() + timeout
    while (fd := try_lock_file(lock_path)) is None:
        if time.monotonic() >= deadline:
            raise LockTimeoutError(
                f"{busy}: another ipt process has held it for {timeout:.0f} s; try again"
            )
        time.sleep(0.02)
    try:
        yield
    finally:
        os.close(fd)  # closing releases the lock


BACKUPS_KEPT = 5


@struct(frozen=True)
class Backup:
    number: int  # 1 is the newest
    path: Path
    taken: dt.datetime  # by the clock at the time: shown, never used for order
    sequence: int = 0  # 0 for the time-named backups of an older ipt


# <sequence>-<UTC time><suffix>, the suffix .toml (or .toml.age in an encrypted folder):
# the sequence orders backups (1 = newest is always the newest, whatever the clock does);
# the time is only shown. Before, <UTC time><suffix>: still read, older than any numbered.
BACKUP_NAME = re.compile(r"(\d{10})-(\d{8}T\d{12}Z)\.toml(?:\.age)?")
OLD_BACKUP_NAME = re.compile(r"(\d{8}T\d{12}Z)\.toml(?:\.age)?")
STAMP = "%Y%m%dT%H%M%S%fZ"


def backup_name_parts(name: str) -> tuple[int, str] | None:
    """(sequence, time) of a backup file name ipt writes (or wrote), else None."""
    new = BACKUP_NAME.fullmatch(name)
    if new:
        return int(new.group(1)), new.group(2)
    old = OLD_BACKUP_NAME.fullmatch(name)
    return (0, old.group(1)) if old else None


def _taken(stamp: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stamp, STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@struct(frozen=True)
class BackupFolder:
    """Where one file's backups are (made and checked by the caller), how they are named
    (`suffix`), sealed for storage and opened again (an encrypted folder's are age)."""

    folder: Path
    suffix: str
    cipher: Cipher | None = None

    def seal(self, text: str) -> bytes:
        return seal_text(text, self.cipher)

    def opened(self, path: Path) -> str | None:
        """A backup's text, None when it cannot be read (it is then left to doctor)."""
        try:
            return open_text(path, self.cipher, follow=False)
        except IptError:
            return None


def list_backups(folder: Path, suffix: str = ".toml") -> list[Backup]:
    """The backups ipt wrote in `folder` (checked by the caller), newest first. Anything
    else there (a stray copy, another user's file, a link, a FIFO) is ignored; `ipt
    doctor` reports it."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    except OSError as error:
        raise StorageIOError(f"cannot list {folder}: {error.strerror}") from None
    found = []
    for entry in entries:
        parts = backup_name_parts(entry.name)
        if parts is None or not entry.name.endswith(suffix):
            continue
        if suffix == ".toml" and entry.name.endswith(".age"):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            continue
        taken = _taken(parts[1])
        if taken is not None:
            found.append((parts, Path(entry.path), taken))
    found.sort(key=lambda item: item[0], reverse=True)
    return [Backup(n, path, taken, seq) for n, ((seq, _), path, taken) in enumerate(found, 1)]


def _next_sequence(folder: Path) -> int:
    """One more than any sequence number in the folder (counted from every name that
    looks like a backup, so a stray entry never makes a name collide)."""
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    numbers = [parts[0] for parts in map(backup_name_parts, names) if parts is not None]
    return max(numbers, default=0) + 1


def take_backup(where: BackupFolder, text: str) -> None:
    """Keep `text`, the version about to be replaced, as the newest backup: never a second
    copy of one already kept (that older copy is dropped instead). Compared as text, so an
    encrypted folder's (whose ciphertexts always differ) dedupe too."""
    same = [b for b in list_backups(where.folder, where.suffix) if where.opened(b.path) == text]
    if same and same[0].number == 1:
        for older in same[1:]:
            older.path.unlink(missing_ok=True)
        return  # already the newest backup
    stamp = dt.datetime.now(dt.UTC).strftime(STAMP)
    name = f"{_next_sequence(where.folder):010d}-{stamp}{where.suffix}"
    atomic_write(where.folder / name, where.seal(text), exclusive=True)
    for older in same:
        older.path.unlink(missing_ok=True)


def rotate_backups(where: BackupFolder, current: str) -> None:
    """After a committed write: drop backups equal to the current version (it is not lost:
    it is the file) and all but the newest BACKUPS_KEPT. Never fails the write."""
    try:
        every = list_backups(where.folder, where.suffix)
        kept = [b for b in every if where.opened(b.path) != current]
        for old in [b for b in every if b not in kept] + kept[BACKUPS_KEPT:]:
            old.path.unlink(missing_ok=True)
    except (IptError, OSError):
        pass  # the next write rotates again; `ipt doctor` shows the folder


class CourseStore:
    def __init__(
        self,
        root: Path,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        warn: Callable[[str], None] | None = None,
        throwaway: bool = False,
    ) -> None:
        """`throwaway`: a scratch folder (`ipt demo`), whose writes are no user's change."""
        self.paths = DataPaths(root)
        self.lock_timeout = lock_timeout
        self._warn = warn or (lambda message: None)
        self._warned: set[Path] = set()
        self._cipher: Cipher | None = None
        self.command = "change"  # named in git commit messages (set by the CLI)
        self._note_commit: Callable[[], None] = _no_commit if throwaway else note_commit

    @property
    def cipher(self) -> Cipher | None:
        """The folder's age cipher; None for a plain folder (pyrage is then never loaded)."""
        if self._cipher is None and self.paths.encrypted:
            from ipt_cli.store.crypto import cipher_for

            self._cipher = cipher_for(self.paths.root)
        return self._cipher

    def _seal(self, text: str) -> bytes:
        return seal_text(text, self.cipher)

    def read_course_text(self, course_id: str) -> str:
        """The TOML of a course file as ipt wrote it (decrypted in memory if need be)."""
        return self.read_raw(course_id)[1]

    def _ensure_dirs(self) -> None:
        for directory in (self.paths.root, self.paths.courses, self.paths.locks):
            check_folder(directory)
            make_private_dir(directory)
        if self.cipher is not None:
            self.cipher.check()  # a missing identity is refused before anything is written
        if (self.paths.root / ".git").exists():
            from ipt_cli.store.sync import recover

            recover(self.paths.root)  # a killed `ipt sync` is undone before a write reads

    def _check(self, course_id: str) -> None:
        check_course(self.paths, course_id, self._warn, self._warned)

    def read_raw(self, course_id: str) -> tuple[Path, str]:
        """A course file's path and text, after the ownership checks; not parsed."""
        path = self.paths.course_file(course_id)
        self._check(course_id)
        if not self.exists(course_id):
            raise NotFoundError(f"no course {course_id!r} in {self.paths.courses}")
        return path, open_text(path, self.cipher)

    def _read(self, course_id: str) -> tuple[str, Course]:
        path, text = self.read_raw(course_id)
        course = parse_course(text, path)
        check_course_name(course, path)
        return text, course

    # Backups -------------------------------------------------------------------------

    def backup_dir(self, course_id: str, create: bool = False) -> Path:
        """The course's backup folder, checked: ours, a folder, never another user's."""
        folder = self.paths.backup_dir(course_id)
        for directory in (self.paths.backups, folder):
            check_folder(directory)
            if create:
                make_private_dir(directory)
        return folder

    def _backup_folder(self, course_id: str, create: bool = False) -> BackupFolder:
        return BackupFolder(
            self.backup_dir(course_id, create), self.paths.course_suffix, self.cipher
        )

    def backups(self, course_id: str) -> list[Backup]:
        """The backups ipt wrote, newest first (see list_backups)."""
        return list_backups(self.backup_dir(course_id), self.paths.course_suffix)

    def _write_with_backup(
        self, course_id: str, original: str | None, new_text: str, message: str
    ) -> None:
        """Replace a course file whose lock the caller holds. The new version is staged
        first: a write the disk refuses leaves the file and its backups as they were; the
        old version is backed up only once the new one is safely on disk."""
        path = self.paths.course_file(course_id)
        staged = stage(path, self._seal(new_text))
        try:
            if original is not None:
                take_backup(self._backup_folder(course_id, create=True), original)
            commit(staged, path)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        self._note_commit()
        self._commit(message)
        rotate_backups(self._backup_folder(course_id), new_text)

    def restore(self, course_id: str, number: int) -> Course:
        """Put back backup `number` (1 = newest); the current file is backed up first."""
        with self.locked(course_id):
            chosen = {b.number: b for b in self.backups(course_id)}.get(number)
            if chosen is None:
                raise NotFoundError(
                    f"no backup {number} of {course_id!r}; see ipt restore {course_id} --list"
                )
            text = open_text(chosen.path, self.cipher, follow=False)
            return self._put_back(course_id, text, chosen.path)

    def restore_commit(self, course_id: str, revision: str) -> Course:
        """Put back the course as it was in a git commit of a synced folder (`ipt history`
        lists them); the current file is backed up first."""
        from ipt_cli.store.sync import file_at

        with self.locked(course_id):
            name = self.paths.course_file(course_id).name
            raw = file_at(self.paths.root, revision, f"courses/{name}")
            source = self.paths.root / f"{revision}:courses/{name}"
            if self.cipher is not None:
                raw = self.cipher.decrypt(raw, source)
            return self._put_back(course_id, decode_text(raw, source), source)

    def _put_back(self, course_id: str, text: str, source: Path) -> Course:
        """Replace a course (whose lock the caller holds) with an earlier version."""
        course = parse_course(text, source)
        if course.id != course_id:
            raise DataError(source, [f"id {course.id!r} is not the course {course_id!r}"])
        self._check(course_id)
        path = self.paths.course_file(course_id)
        current = open_text(path, self.cipher) if self.exists(course_id) else None
        if current is not None:
            self._keep_signed(course_id, current, path, course)
        if current != text:
            self._write_with_backup(course_id, current, text, f"ipt: restore of {course_id}")
        return course

    @staticmethod
    def _keep_signed(course_id: str, current: str, path: Path, restored: Course) -> None:
        """Refuse a restore that would undo or change a signed session whose chain holds
        (a damaged file, or a chain already broken by hand, may be restored over)."""
        from ipt_cli.core.signing import (
            broken_seals,
            sealed_state,
            signed_change_refusal,
            verify_chain,
        )

        try:
            now = parse_course(current, path)
        except DataError:
            return
        if verify_chain(now).problems:
            return
        broken = broken_seals(sealed_state(now), restored)
        if broken:
            raise ConflictError(signed_change_refusal(course_id, broken))

    @contextmanager
    def locked(self, course_id: str) -> Iterator[None]:
        """Hold the course's lock; flock dies with its process, so a killed writer never
        blocks a later command."""
        self._ensure_dirs()
        busy = f"course {course_id!r} is busy"
        with hold_lock(self.paths.lock_file(course_id), self.lock_timeout, busy):
            yield

    @contextmanager
    def lock_if_free(self, course_id: str) -> Iterator[bool]:
        """Hold the course's lock if no one else does (for `ipt doctor --fix`): True while
        held, False when a writer has it."""
        self._ensure_dirs()
        fd = try_lock_file(self.paths.lock_file(course_id))
        try:
            yield fd is not None
        finally:
            if fd is not None:
                os.close(fd)

    # Courses -------------------------------------------------------------------------

    def course_ids(self) -> list[str]:
        return self.paths.course_ids()

    def load_every(self) -> tuple[list[Course], list[IptError]]:
        """Every course that reads and validates, and why each other one does not."""
        courses, problems = [], []
        for course_id in self.course_ids():
            try:
                courses.append(self.load(course_id))
            except IdentityError:
                raise  # the folder is closed to this identity: exit 8, not skipped courses
            except IptError as error:
                problems.append(error)
        return courses, problems

    def exists(self, course_id: str) -> bool:
        path = self.paths.course_file(course_id)
        return path.exists() or path.is_symlink()

    def load(self, course_id: str) -> Course:
        return self._read(course_id)[1]

    def create(self, course: Course) -> Path:
        check_new_course_id(course.id)
        path = self.paths.course_file(course.id)
        with self.locked(course.id):
            self._check(course.id)
            if self.exists(course.id):
                raise ConflictError(f"course {course.id!r} already exists; it was left untouched")
            atomic_write(path, self._seal(dump_course(course)), exclusive=True)
            self._note_commit()
            self._commit(f"ipt: course {course.id} created ({self.command})")
        return path

    def replace(self, course_id: str, text: str, message: str | None = None) -> None:
        """Write a course file whose lock the caller holds (backing up the current one)."""
        current = self.read_raw(course_id)[1] if self.exists(course_id) else None
        if current != text:
            self._write_with_backup(
                course_id, current, text, message or f"ipt: {self.command} for {course_id}"
            )

    def _commit(self, message: str) -> None:
        """In a synced folder, a write is a commit (never pushed: that is `ipt sync`)."""
        if not (self.paths.root / ".git").exists():
            return
        from ipt_cli.errors import IptError
        from ipt_cli.store.sync import commit_all

        try:
            commit_all(self.paths.root, message)
        except IptError as error:
            self._warn(f"warning: saved, but not committed ({error.message}); ipt sync will")

    def update(self, course_id: str, change: Callable[[Course], T]) -> T:
        """Read, change and write a course under its lock; the fresh data is always used.

        `change` edits the course in place (or raises to abandon the write).
        """
        from ipt_cli.core.signing import broken_seals, sealed_state, signed_change_refusal

        with self.locked(course_id):
            original, course = self._read(course_id)
            before = {s.id for s in course.all_sessions()}
            sealed = sealed_state(course)  # what no command may change: signed sessions
            result = change(course)
            # Re-validate the whole course: field assignments alone miss cross-field rules.
            try:
                checked = Course.model_validate(course.model_dump())
            except ValidationError as error:
                raise InputError("; ".join(describe_validation(error))) from None
            broken = broken_seals(sealed, checked)
            if broken:
                raise ConflictError(signed_change_refusal(course_id, broken))
            new_text = dump_course(checked)
            if new_text != original:
                message = _message(self.command, checked, before)
                self._write_with_backup(course_id, original, new_text, message)
        return result

    def delete(self, course_id: str) -> None:
        """Delete a course for good: its backups first (they hold every note), then the
        file, then its lock. Killed half-way, what is left is the course, never backups of
        a course that says it was deleted. (A synced folder's git history keeps what it
        committed.)"""
        with self.locked(course_id):
            path = self.paths.course_file(course_id)
            self._check(course_id)
            if not self.exists(course_id):
                raise NotFoundError(f"no course {course_id!r}")
            self._remove_backups(course_id)
            try:
                path.unlink()
            except FileNotFoundError:
                raise NotFoundError(f"no course {course_id!r}") from None
            except OSError as error:
                raise StorageIOError(f"cannot delete {path}: {error.strerror}") from None
            _fsync_dir(path.parent)
            self._note_commit()
            self._commit(f"ipt: course {course_id} deleted")
            self.paths.lock_file(course_id).unlink(missing_ok=True)  # held: see try_lock_file

    def _remove_backups(self, course_id: str) -> None:
        """Every file in the course's backup folder (ours, not following links), then the
        folder itself."""
        folder = self.backup_dir(course_id)
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return
        except OSError as error:
            raise StorageIOError(f"cannot list {folder}: {error.strerror}") from None
        try:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    os.unlink(entry.path)
            if folder.is_symlink():
                folder.unlink()
            else:
                folder.rmdir()
            _fsync_dir(self.paths.backups)
        except OSError as error:
            raise StorageIOError(
                f"cannot remove the backups in {folder}: {error.strerror}; the course was kept"
            ) from None


def _message(command: str, course: Course, before: set[int | None]) -> str:
    """A commit message: the command, course and session number; never note text or the
    client alias."""
    for position, session in enumerate(course.sessions, 1):
        if session.id not in before:
            return f"ipt: session {position} recorded for {course.id}"
    if course.maintenance:
        for position, session in enumerate(course.maintenance.sessions, 1):
            if session.id not in before:
                return f"ipt: maintenance session {position} recorded for {course.id}"
    return f"ipt: {command} for {course.id}"


def try_lock_file(lock_path: Path) -> int | None:
    """The lock at `lock_path`, held, as an open descriptor; None while another holds it.

    The lock file must be a regular file of this user's (never a link). A lock file
    removed or replaced (by `ipt delete`) while we waited is opened again, so two processes
    never hold two different files as the same lock.
    """
    fd = open_private(lock_path, follow=False, write=True, create=True)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(fd)
        if error.errno not in (errno.EAGAIN, errno.EACCES):
            raise StorageIOError(f"cannot lock {lock_path}: {error.strerror}") from None
        return None
    held = os.fstat(fd)
    try:
        now = lock_path.lstat()
        same = (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return try_lock_file(lock_path)
    return fd


def _no_commit() -> None:
    pass


def write_output(path: Path, data: bytes) -> Path:
    """Write an export or report where the user asked (`-o FILE`), returning what was
    written. A regular file is replaced atomically (0600); a symlink is written through to
    its target (the link stays); a device or FIFO (/dev/null, /dev/stdout, a named pipe
    with a reader) is written to as it is, never replaced; a folder is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        target = path.resolve() if path.is_symlink() else path  # a link to a new file
        atomic_write(target, data)
        return target
    except OSError as error:
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path} is a folder; give a file name to write to")
    if stat.S_ISREG(info.st_mode):
        target = path.resolve() if path.is_symlink() else path
        atomic_write(target, data)
        return target
    if not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise InputError(f"{path} is {kind_of(info.st_mode)}; ipt writes only to files")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        why = "no program is reading it" if error.errno == errno.ENXIO else error.strerror
        raise StorageIOError(f"cannot write {path}: {why}") from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    except OSError as error:
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    finally:
        os.close(fd)
    return path
