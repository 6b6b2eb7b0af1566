"""Group files: `<data>/groups/<id>.toml`, validated on read, written atomically under a lock
(the same atomic_write and flock as course files), with a backup of each replaced version.

A group file holds membership, attendance and the group's own notes; members' scores and
private notes live in their course files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import tomli_w
from pydantic import ValidationError

from ipt_cli.core.group import GROUP_SCHEMA_VERSION, Group
from ipt_cli.core.validation import describe_validation
from ipt_cli.errors import ConflictError, DataError, InputError, NotFoundError
from ipt_cli.store.courses import (
    LOCK_TIMEOUT_SECONDS,
    atomic_write,
    hold_lock,
    make_private_dir,
    open_text,
    parse_toml,
    seal_text,
)
from ipt_cli.store.ownership import check_ownership
from ipt_cli.store.paths import DataPaths, check_course_id

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

T = TypeVar("T")
BACKUPS_KEPT = 5


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
            from ipt_cli.store.crypto import cipher_for

            self._cipher = cipher_for(self.root)
        return self._cipher

    def path(self, group_id: str) -> Path:
        return self.folder / f"{check_course_id(group_id)}{self.suffix}"

    def _ensure_dirs(self) -> None:
        for directory in (self.root, self.folder, self.root / "locks", self.locks):
            check_ownership(directory)
            make_private_dir(directory)

    @contextmanager
    def locked(self, group_id: str) -> Iterator[None]:
        self._ensure_dirs()
        lock = self.locks / f"{check_course_id(group_id)}.lock"
        with hold_lock(lock, self.lock_timeout, f"group {group_id!r} is busy"):
            yield

    def exists(self, group_id: str) -> bool:
        return self.path(group_id).exists()

    def load(self, group_id: str) -> Group:
        path = self.path(group_id)
        if not path.exists():
            raise NotFoundError(f"no group {group_id!r} in {self.folder}")
        check_ownership(path)
        return parse_group(open_text(path, self.cipher), path)

    def all(self) -> list[Group]:
        if not self.folder.is_dir():
            return []
        found = sorted(self.folder.glob(f"*{self.suffix}"))
        return [self.load(p.name.removesuffix(self.suffix)) for p in found]

    def groups_of(self, course_id: str) -> list[str]:
        """The groups a course belongs to (at most one, by the rules)."""
        return [g.id for g in self.all() if course_id in g.members]

    def create(self, group: Group) -> Path:
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
            group = self.load(group_id)
            original = open_text(path, self.cipher)
            result = change(group)
            try:
                checked = Group.model_validate(group.model_dump())
            except ValidationError as error:
                raise InputError("; ".join(describe_validation(error))) from None
            text = dump_group(checked)
            if text != original:
                self._back_up(group_id, original)
                atomic_write(path, seal_text(text, self.cipher))
        return result

    def _back_up(self, group_id: str, text: str) -> None:
        folder = self.backups / group_id
        for directory in (self.root / "backups", self.backups, folder):
            make_private_dir(directory)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        sealed = seal_text(text, self.cipher)
        atomic_write(folder / f"{stamp}{self.suffix}", sealed, exclusive=True)
        for old in sorted(folder.glob(f"*{self.suffix}"), reverse=True)[BACKUPS_KEPT:]:
            old.unlink(missing_ok=True)
