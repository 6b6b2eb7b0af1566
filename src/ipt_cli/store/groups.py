"""Group files: `<data>/groups/<id>.toml`, validated on read, written atomically under a lock
(the same atomic_write and flock as course files), with a backup of each replaced version.

A group file holds membership, attendance and the group's own notes; members' scores and
private notes live in their course files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import tomli_w
from pydantic import ValidationError

from ipt_cli.core.group import GROUP_SCHEMA_VERSION, Group
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import (
    ConflictError,
    DataError,
    IdentityError,
    InputError,
    IptError,
    NotFoundError,
)
from ipt_cli.store.backups import BackupFolder, rotate_backups, take_backup
from ipt_cli.store.conversion import refuse_if_interrupted
from ipt_cli.store.crypto import cipher_for
from ipt_cli.store.files import (
    LOCK_TIMEOUT_SECONDS,
    atomic_write,
    commit,
    folder_lock,
    hold_lock,
    holds_folder_lock,
    make_private_dir,
    stage,
)
from ipt_cli.store.format import open_text, parse_toml, seal_text
from ipt_cli.store.ownership import check_folder, check_ownership
from ipt_cli.store.paths import DataPaths, check_course_id, check_new_course_id
from ipt_cli.store.reading import read_stored_bytes

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

T = TypeVar("T")


def parse_group(text: str, path: Path) -> Group:
    document = parse_toml(text, path)
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DataError(path, ["schema_version: missing or not a positive integer"])
    if version > GROUP_SCHEMA_VERSION:
        raise DataError(
            path,
            [
                f"schema_version {version} was written by a newer ipt; this one reads group "
                f"files up to {GROUP_SCHEMA_VERSION}: upgrade ipt"
            ],
        )
    try:
        return Group.model_validate(document)
    except ValidationError as error:
        raise DataError(path, describe_validation(error)) from None


def dump_group(group: Group) -> str:
    data: dict[str, Any] = group.model_dump(mode="python", exclude_none=True)
    data = {"schema_version": data.pop("schema_version"), **data}
    return tomli_w.dumps(data, multiline_strings=True)


class GroupStore:
    def __init__(self, root: Path, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self.root = root
        self.folder = root / "groups"
        self.locks = root / "locks" / "groups"  # apart from course locks: ids may match
        self.backups = root / "backups" / "groups"
        self.lock_timeout = lock_timeout
        self.suffix = DataPaths(root).course_suffix  # .toml.age in an encrypted folder
        self._cipher: Cipher | None = None

    @property
    def cipher(self) -> Cipher | None:
        """The folder's age cipher (store/crypto.py); None for a plain folder."""
        if self._cipher is None and self.suffix.endswith(".age"):
            self._cipher = cipher_for(self.root)
        return self._cipher

    def path(self, group_id: str) -> Path:
        return self.folder / f"{check_course_id(group_id)}{self.suffix}"

    def _ensure_dirs(self) -> None:
        for directory in (self.root, self.folder, self.root / "locks", self.locks):
            check_folder(directory)
            make_private_dir(directory)

    @contextmanager
    def locked(self, group_id: str) -> Iterator[None]:
        """The folder lock shared (see store/files.py), then the group's own lock; the
        folder's form (plain or encrypted) is read again once the folder lock is held."""
        self._ensure_dirs()
        busy = f"group {group_id!r} is busy"
        first = not holds_folder_lock(self.root / "locks")
        with folder_lock(
            self.root / "locks", exclusive=False, timeout=self.lock_timeout, busy=busy
        ):
            if first:
                refuse_if_interrupted(DataPaths(self.root))
                self.suffix = DataPaths(self.root).course_suffix
                self._cipher = None
            lock = self.locks / f"{check_course_id(group_id)}.lock"
            with hold_lock(lock, self.lock_timeout, busy):
                yield

    def exists(self, group_id: str) -> bool:
        path = self.path(group_id)
        return path.exists() or path.is_symlink()

    def load(self, group_id: str) -> Group:
        return self._read(group_id)[1]

    def _read(self, group_id: str) -> tuple[str, Group]:
        """A group file, through the ownership gate (open_text: a regular file of this
        user's; a FIFO or another user's file is refused, never blocked on)."""
        path = self.path(group_id)
        if not self.exists(group_id):
            raise NotFoundError(f"no group {group_id!r} in {self.folder}")
        check_ownership(path)
        text = open_text(path, self.cipher)
        group = parse_group(text, path)
        if group.id != group_id:  # a copied or renamed file: its writes would go elsewhere
            raise DataError(path, [f"its id {group.id!r} is not its file name ({group_id!r})"])
        return text, group

    def ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        names = (p.name.removesuffix(self.suffix) for p in self.folder.glob(f"*{self.suffix}"))
        return sorted(n for n in names if not n.startswith("."))

    def all(self) -> list[Group]:
        return [self.load(group_id) for group_id in self.ids()]

    def readable(self) -> tuple[list[Group], list[IptError]]:
        """Every group that reads, and why each other one does not (`ipt group list`: one
        damaged file does not hide the others)."""
        groups, problems = [], []
        for group_id in self.ids():
            try:
                groups.append(self.load(group_id))
            except IdentityError:
                raise
            except IptError as error:
                problems.append(error)
        return groups, problems

    def groups_of(self, course_id: str) -> list[str]:
        """The groups a course belongs to (at most one, by the rules)."""
        return [g.id for g in self.all() if course_id in g.members]

    def create(self, group: Group) -> Path:
        check_new_course_id(group.id, "group")
        path = self.path(group.id)
        with self.locked(group.id):
            if path.exists():
                raise ConflictError(f"group {group.id!r} already exists; it was left untouched")
            atomic_write(path, seal_text(dump_group(group), self.cipher), exclusive=True)
        return path

    def update(self, group_id: str, change: Callable[[Group], T]) -> T:
        """Read, change, re-validate and write a group under its lock."""
        with self.locked(group_id):
            path = self.path(group_id)
            original, group = self._read(group_id)
            result = change(group)
            try:
                checked = Group.model_validate(group.model_dump())
            except ValidationError as error:
                raise InputError("; ".join(describe_validation(error))) from None
            text = dump_group(checked)
            if text != original:
                # As for courses: staged first, backed up (by sequence) only once the new
                # version is on disk, rotated after the rename.
                staged = stage(path, seal_text(text, self.cipher))
                try:
                    self._back_up(group_id, original, path)
                    commit(staged, path)
                except BaseException:
                    staged.unlink(missing_ok=True)
                    raise
                rotate_backups(self._backup_folder(group_id), text)
        return result

    def _backup_folder(self, group_id: str) -> BackupFolder:
        return BackupFolder(self.backups / check_course_id(group_id), self.suffix, self.cipher)

    def _back_up(self, group_id: str, text: str, path: Path) -> None:
        where = self._backup_folder(group_id)
        for directory in (self.root / "backups", self.backups, where.folder):
            check_folder(directory)
            make_private_dir(directory)
        # an encrypted file's backup is its ciphertext, copied: never sealed again
        take_backup(where, text, read_stored_bytes(path) if self.cipher is not None else None)
