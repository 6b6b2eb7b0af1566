"""`ipt verify`: every signed session of one course, or of all, checked (core/signing.py for
the hash chain, ssh_signatures.py for the key signatures)."""

from __future__ import annotations

import base64
import binascii
import stat
from pathlib import Path

from ipt_cli.core.structs import struct
from ipt_cli.errors import DataError, InputError, IptError
from ipt_cli.store.config import load_signing, where
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.ownership import read_trusted
from ipt_cli.store.ssh_signatures import NO_PROGRAM, Verification, program, verify_course


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
        read_trusted(path)
    return path


MAX_SIGNERS_BYTES = 1 << 20
KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


def keys_in_use(store: CourseStore, signers: Path) -> bool:
    """Whether key signatures are required on every signed link: a sign_key in
    config.toml, or an allowed_signers file (given, configured or in the data folder)."""
    return load_signing(store.paths.config).sign_key is not None or _exists(signers)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def check_allowed_signers(signers: Path, settings: str = "config.toml") -> None:
    """Refuse, as a configuration error (exit 2), an allowed_signers file that cannot be
    what ssh-keygen checks against: missing, not a regular file, not text, or with a line
    that is not `principals [options] key-type base64-key`. Never "changed after
    signing": the record is not what is wrong."""

    def refuse(why: str) -> InputError:
        return InputError(
            f"allowed_signers {signers}: {why}; key signatures cannot be checked (see "
            f"ssh-keygen(1), ALLOWED SIGNERS; set allowed_signers in {settings} or give "
            "--allowed-signers)"
        )

    try:
        info = signers.stat()
    except FileNotFoundError:
        raise refuse("no such file, and keys are in use (sign_key is set)") from None
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse("not a regular file")
    if info.st_size > MAX_SIGNERS_BYTES:
        raise refuse("larger than 1 MiB")
    try:
        text = signers.read_bytes()[:MAX_SIGNERS_BYTES].decode("utf-8")
    except (OSError, UnicodeDecodeError):
        raise refuse("not UTF-8 text") from None
    keys = 0
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        at = next((n for n, w in enumerate(words) if w in KEY_TYPES), None)
        if at is None or at == 0 or at + 1 >= len(words):
            raise refuse(f"line {number} is not `principals key-type key`")
        try:
            blob = base64.b64decode(words[at + 1], validate=True)
        except (binascii.Error, ValueError):
            raise refuse(f"line {number}: the key is not base64") from None
        if blob[4 : 4 + len(words[at])] != words[at].encode():
            raise refuse(f"line {number}: the key is not a {words[at]} key")
        keys += 1
    if not keys:
        raise refuse("it holds no key")


def verify_courses(
    store: CourseStore, ids: list[str], signers: Path
) -> list[Verification | Unreadable]:
    """Each course verified; a course that cannot be read is named with why (a missing
    course named on the command line is an error, raised). When keys are in use, a
    broken allowed_signers file or a missing ssh-keygen is a configuration error (exit 2),
    and every signed link needs a valid key signature."""
    require_keys = keys_in_use(store, signers)
    settings = where(store.paths.config)
    if require_keys:
        check_allowed_signers(signers, settings)
        if program() is None:
            raise InputError(
                f"keys are in use (sign_key or {signers}) but {NO_PROGRAM}: key signatures "
                "cannot be checked; install OpenSSH"
            )
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
        results.append(verify_course(course, signers, require_keys=require_keys, settings=settings))
    return results
