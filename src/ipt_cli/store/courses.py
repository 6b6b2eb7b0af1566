"""The course store: courses read, changed and written under their locks, with backups
and, in a synced folder, a git commit for each write.

The file format is store/format.py, the disk primitives and locks store/files.py, the
backups store/backups.py; this module puts them together for the commands.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from ipt_cli.core.models import Course
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import (
    ConflictError,
    DataError,
    IdentityError,
    InputError,
    IptError,
    NotFoundError,
    StorageIOError,
)
from ipt_cli.store.backups import Backup, BackupFolder, list_backups, rotate_backups, take_backup
from ipt_cli.store.commits import note_commit
from ipt_cli.store.conversion import refuse_if_interrupted
from ipt_cli.store.files import (
    LOCK_TIMEOUT_SECONDS,
    atomic_write,
    commit,
    folder_lock,
    fsync_dir,
    hold_lock,
    holds_folder_lock,
    make_private_dir,
    stage,
    try_lock_file,
)
from ipt_cli.store.format import (
    check_course_name,
    decode_text,
    dump_course,
    open_text,
    parse_course,
    seal_text,
)
from ipt_cli.store.ownership import check_course, check_folder
from ipt_cli.store.paths import DataPaths, check_new_course_id
from ipt_cli.store.reading import read_stored_bytes

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

T = TypeVar("T")


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
            # lazy: keeps store.crypto off `ipt report ab`
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
            # lazy: keeps store.sync (10 modules) off start-up
            from ipt_cli.store.sync import recover

            recover(self.paths.root)  # a killed `ipt sync` is undone before a write reads

    def _check(self, course_id: str) -> None:
        check_course(self.paths, course_id, self._warn, self._warned)

    def read_raw(self, course_id: str) -> tuple[Path, str]:
        """A course file's path and text, after the ownership checks; not parsed."""
        path = self.paths.course_file(course_id)
        self._check(course_id)
        if not self.exists(course_id):
            raise self.paths.no_course(course_id)
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
                # an encrypted file's backup is its ciphertext, copied: never sealed again
                stored = read_stored_bytes(path) if self.cipher is not None else None
                take_backup(self._backup_folder(course_id, create=True), original, stored)
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
        # lazy: keeps store.sync (10 modules) off start-up
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
        # lazy: keeps core.signing off `ipt agenda ab`
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
        """Hold the folder lock shared, then the course's lock; flock dies with its
        process, so a killed writer never blocks a later command."""
        busy = f"course {course_id!r} is busy"
        with self.folder_locked(busy=busy):
            self._ensure_dirs()
            with hold_lock(self.paths.lock_file(course_id), self.lock_timeout, busy):
                yield

    @contextmanager
    def folder_locked(
        self, *, exclusive: bool = False, busy: str = "the data folder is busy"
    ) -> Iterator[None]:
        """Hold the folder lock: shared for a write of one file, exclusive for a change
        of the whole folder (encrypt, decrypt, re-key, sync). Once held, whether the
        folder is encrypted is read again: a writer that waited for an `ipt encrypt`
        writes in the folder's new form, never the old one."""
        check_folder(self.paths.root)
        make_private_dir(self.paths.root)
        check_folder(self.paths.locks)
        make_private_dir(self.paths.locks)
        first = not holds_folder_lock(self.paths.locks)
        with folder_lock(
            self.paths.locks, exclusive=exclusive, timeout=self.lock_timeout, busy=busy
        ):
            if first:
                if not exclusive:  # a conversion killed half-way is finished first
                    refuse_if_interrupted(self.paths)
                self.paths.forget_encryption()
                self._cipher = None
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
        with self.locked(course.id):
            path = self.paths.course_file(course.id)  # after the lock: the folder's form now
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
        # lazy: keeps store.sync (10 modules) off start-up
        from ipt_cli.store.sync import commit_all

        try:
            commit_all(self.paths.root, message)
        except IptError as error:
            self._warn(f"warning: saved, but not committed ({error.message}); ipt sync will")

    def update(self, course_id: str, change: Callable[[Course], T]) -> T:
        """Read, change and write a course under its lock; the fresh data is always used.

        `change` edits the course in place (or raises to abandon the write).
        """
        # lazy: keeps core.signing off `ipt agenda ab`
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
                raise self.paths.no_course(course_id)
            self._remove_backups(course_id)
            try:
                path.unlink()
            except FileNotFoundError:
                raise NotFoundError(f"no course {course_id!r}") from None
            except OSError as error:
                raise StorageIOError(f"cannot delete {path}: {error.strerror}") from None
            fsync_dir(path.parent)
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
            fsync_dir(self.paths.backups)
        except OSError as error:
            raise StorageIOError(
                f"cannot remove the backups in {folder}: {error.strerror}; the course was kept"
            ) from None


def _message(command: str, course: Course, before: set[int | None]) -> str:
    """A commit message: the command, course and session number; never note text or the
    client alias."""
    for position, session in course.numbered_sessions():
        if session.id not in before:
            return f"ipt: session {position} recorded for {course.id}"
    if course.maintenance:
        for position, session in enumerate(course.maintenance.sessions, 1):
            if session.id not in before:
                return f"ipt: maintenance session {position} recorded for {course.id}"
    return f"ipt: {command} for {course.id}"


def _no_commit() -> None:
    pass
