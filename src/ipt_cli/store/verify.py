"""`ipt verify`: every signed session of one course, or of all, checked (core/signing.py for
the hash chain, ssh_signatures.py for the key signatures)."""

from __future__ import annotations

from pathlib import Path

from ipt_cli.core.structs import struct
from ipt_cli.errors import DataError, IptError
from ipt_cli.store.config import load_signing
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.ssh_signatures import Verification, verify_course


@struct(frozen=True)
class Unreadable:
    course_id: str
    problem: str


def course_ids(store: CourseStore) -> list[str]:
    """The ids of the course files in the data folder, sorted."""
    folder = store.paths.courses
    if not folder.is_dir():
        return []
    suffix = store.paths.course_suffix  # .toml, or .toml.age in an encrypted folder
    return sorted(
        p.name.removesuffix(suffix)
        for p in folder.glob(f"*{suffix}")
        if not p.name.startswith(".") and p.is_file()
    )


def allowed_signers(store: CourseStore, given: Path | None = None) -> Path:
    """The allowed_signers file: the one given, else config.toml's, else the default.
    One that is there passes the ownership gate first (a regular file of this user's, at
    most 1 MiB: a FIFO would hang ssh-keygen, a link to /dev/zero fill its memory)."""
    path = (
        given.expanduser()
        if given is not None
        else load_signing(store.paths.config).allowed_signers
    )
    if path.exists() or path.is_symlink():
        from ipt_cli.store.ownership import read_trusted

        read_trusted(path)
    return path


def verify_courses(
    store: CourseStore, ids: list[str], signers: Path
) -> list[Verification | Unreadable]:
    """Each course verified; a course that cannot be read is named with why (a missing
    course named on the command line is an error, raised)."""
    results: list[Verification | Unreadable] = []
    for course_id in ids:
        try:
            course = store.load(course_id)
        except DataError as error:
            results.append(Unreadable(course_id, "; ".join(error.problems)))
            continue
        except IptError as error:
            if len(ids) == 1:
                raise
            results.append(Unreadable(course_id, error.message))
            continue
        results.append(verify_course(course, signers))
    return results
