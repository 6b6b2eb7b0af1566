"""Drafts of the assessment wizard (`ipt new-course` on a terminal): what was answered so
far, saved after each step so that Ctrl-C, a closed lid or a lost connection loses at most
the step in hand. A draft holds clinical text, so it is kept like a course: 0600 in a 0700
folder inside the data folder's private area (`edits/drafts/`, never synced), sealed with
age in an encrypted folder, written atomically; removed once the course is saved or the
user discards it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipt_cli.core.structs import struct
from ipt_cli.errors import DataError, IptError
from ipt_cli.store.files import atomic_write, make_private_dir
from ipt_cli.store.ownership import COURSE_LIMIT, check_folder, read_private
from ipt_cli.store.paths import DataPaths, check_course_id

if TYPE_CHECKING:
    from ipt_cli.store.crypto import Cipher

DRAFTS = "drafts"  # under DataPaths.edits
MAX_DRAFT_BYTES = COURSE_LIMIT  # an assessment's text, like a course file's


@struct(frozen=True)
class Draft:
    step: int  # the last step answered (1-9)
    saved: dt.datetime
    fields: dict[str, Any]


DATE_TAG = "$date"  # a date in the draft's JSON: {"$date": "2026-01-05"}, read back a date


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {DATE_TAG: value.isoformat()}
    raise TypeError(f"not JSON: {type(value).__name__}")


def _untagged(value: dict[str, Any]) -> Any:
    if set(value) == {DATE_TAG} and isinstance(value[DATE_TAG], str):
        return dt.date.fromisoformat(value[DATE_TAG])
    return value


class DraftStore:
    def __init__(self, paths: DataPaths, cipher: Cipher | None = None) -> None:
        self.paths = paths
        self.cipher = cipher
        self.folder = paths.edits / DRAFTS

    def path(self, course_id: str) -> Path:
        suffix = ".json.age" if self.cipher is not None else ".json"
        return self.folder / f"{check_course_id(course_id)}{suffix}"

    def save(self, course_id: str, step: int, fields: dict[str, Any], now: dt.datetime) -> None:
        for folder in (self.paths.edits, self.folder):
            check_folder(folder)
            make_private_dir(folder)
        document = {"step": step, "saved": now.isoformat(), "fields": fields}
        raw = json.dumps(document, default=_tagged, ensure_ascii=False).encode("utf-8")
        atomic_write(self.path(course_id), raw if self.cipher is None else self.cipher.encrypt(raw))

    def load(self, course_id: str) -> Draft | None:
        """The saved draft, or None; a draft that cannot be read is an error naming it
        (never silently replaced: it may hold an hour's assessment)."""
        path = self.path(course_id)
        if not os.path.lexists(path):
            return None
        raw = read_private(path, follow=False, limit=MAX_DRAFT_BYTES)  # the gate, capped
        if self.cipher is not None:
            raw = self.cipher.decrypt(raw, path)
        try:
            document = json.loads(raw.decode("utf-8"), object_hook=_untagged)
            return Draft(
                int(document["step"]),
                dt.datetime.fromisoformat(document["saved"]),
                dict(document["fields"]),
            )
        except (ValueError, KeyError, TypeError):
            raise DataError(
                path, ["not a draft ipt can read; move it away or use --discard-draft"]
            ) from None

    def discard(self, course_id: str) -> None:
        try:
            self.path(course_id).unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise IptError(f"cannot remove the draft {self.path(course_id)}: {error}") from None
