"""Key signatures of the hash chain with OpenSSH: `ssh-keygen -Y sign` and `-Y verify`.

The same mechanism git uses for SSH-signed commits: the clinician's own key signs, under the
namespace "ipt", the 64 hexadecimal characters of each link's hash (no newline); an
`allowed_signers` file (one `principal key-type key` line per signer, see ssh-keygen(1))
says whose keys are accepted. ssh-keygen runs as a subprocess, never through a shell, on
private temporary files. Without ssh-keygen on PATH the hash chain stands on its own.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from ipt_cli.core.models import Course
from ipt_cli.core.signing import ChainCheck, Problem, Sealer, verify_chain
from ipt_cli.core.structs import field, struct
from ipt_cli.errors import InputError
from ipt_cli.store.config import SigningConfig

NAMESPACE = "ipt"
PROGRAM = "ssh-keygen"
VERIFY_TIMEOUT = 30.0
NO_PROGRAM = f"{PROGRAM} is not on PATH"


def program() -> str | None:
    return shutil.which(PROGRAM)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def fingerprint(ssh_keygen: str, key: Path) -> str:
    """SHA256:... of a key file (`ssh-keygen -l -f KEY`)."""
    done = subprocess.run(
        [ssh_keygen, "-l", "-f", str(key)],
        capture_output=True,
        text=True,
        check=False,
        timeout=VERIFY_TIMEOUT,
    )
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) < 2:
        raise InputError(f"{PROGRAM} cannot read the key {key}: {_first_line(done.stderr)}")
    return fields[1]


def sign_hash(ssh_keygen: str, key: Path, hash_hex: str) -> str:
    """The armored signature of `hash_hex` with `key`. ssh-keygen may ask for the key's
    passphrase on the terminal."""
    with tempfile.TemporaryDirectory(prefix="ipt-sign-") as folder:
        message = Path(folder) / "hash"
        message.write_text(hash_hex, encoding="ascii")
        done = subprocess.run(
            [ssh_keygen, "-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(message)],
            capture_output=True,  # a passphrase is asked for on /dev/tty, not on stderr
            text=True,
            check=False,
        )
        signature = message.with_name("hash.sig")
        if done.returncode != 0 or not signature.exists():
            raise InputError(
                f"{PROGRAM} could not sign with {key}: {_first_line(done.stderr)}; "
                "nothing was signed"
            )
        return signature.read_text(encoding="ascii")


def sealer(config: SigningConfig, warn: Callable[[str], None]) -> Sealer | None:
    """The key signer for new links: None without a sign_key, or without ssh-keygen (then
    said on stderr: the hash chain is kept, without key signatures). The key is checked
    before anything is signed."""
    key = config.sign_key
    if key is None:
        return None
    source = config.sign_key_from or "config.toml"
    if not key.is_file():
        raise InputError(f"sign_key in {source}: {key} is not a file; nothing was signed")
    ssh_keygen = program()
    if ssh_keygen is None:  # a link without its key signature could not be told from a
        raise InputError(  # forged one (`ipt verify` requires one on every link)
            f"sign_key is set in {source} but {NO_PROGRAM}; nothing was signed (install "
            "OpenSSH, or remove sign_key to sign with the hash chain only)"
        )
    found: str = ssh_keygen
    key_id = fingerprint(found, key)

    def seal(hash_hex: str) -> tuple[str, str]:
        return key_id, sign_hash(found, key, hash_hex)

    return seal


def check_key_signature(
    ssh_keygen: str, allowed_signers: Path, hash_hex: str, armored: str
) -> str | None:
    """None when the signature of `hash_hex` is good and by an allowed signer; else what is
    wrong, in a few words."""
    with tempfile.TemporaryDirectory(prefix="ipt-verify-") as folder:
        signature = Path(folder) / "hash.sig"
        signature.write_text(armored, encoding="ascii")
        found = subprocess.run(
            [ssh_keygen, "-Y", "find-principals", "-s", str(signature), "-f", str(allowed_signers)],
            capture_output=True,
            text=True,
            check=False,
            timeout=VERIFY_TIMEOUT,
        )
        principals = found.stdout.split()
        if found.returncode != 0 or not principals:
            return f"its key signature is not by a key in {allowed_signers}"
        done = subprocess.run(
            [
                ssh_keygen,
                "-Y",
                "verify",
                "-f",
                str(allowed_signers),
                "-I",
                principals[0],
                "-n",
                NAMESPACE,
                "-s",
                str(signature),
            ],
            input=hash_hex,
            capture_output=True,
            text=True,
            check=False,
            timeout=VERIFY_TIMEOUT,
        )
        if done.returncode != 0:
            return "its key signature does not verify against its hash"
    return None


@struct
class Verification:
    """One course's verification: the chain, the key signatures, and what could not be
    checked."""

    course: Course
    chain: ChainCheck
    key_problems: list[Problem] = field(default_factory=list)
    keys_checked: int = 0
    notes: list[str] = field(default_factory=list)  # what was not checked, and why

    @property
    def problems(self) -> list[Problem]:
        return self.chain.problems + self.key_problems

    @property
    def holds(self) -> bool:
        return not self.problems


MISSING_KEY = (
    "has no key signature, though keys are in use (sign_key or an allowed_signers file): "
    "signed before keys were set up, or its key signature was removed; a link without one "
    "cannot be told from a forged link"
)


def verify_course(
    course: Course,
    allowed_signers: Path,
    *,
    require_keys: bool = False,
    settings: str = "config.toml",
) -> Verification:
    """The hash chain, then every key signature against `allowed_signers`. With
    `require_keys` (keys in use: store/verify.py), every link needs a key signature that
    verifies; the caller has checked that ssh-keygen and `allowed_signers` are there.
    `settings` names the config files in a note (config.where)."""
    result = Verification(course, verify_chain(course))
    keyed = [link for link in result.chain.links if link.signature.ssh_signature]
    if require_keys:
        result.key_problems += [
            Problem(link.described, MISSING_KEY)
            for link in result.chain.links
            if not link.signature.ssh_signature
        ]
    if not keyed:
        return result
    ssh_keygen = program()
    if ssh_keygen is None:
        result.notes.append(f"{NO_PROGRAM}: {len(keyed)} key signature(s) not checked")
        return result
    if not allowed_signers.is_file():
        result.notes.append(
            f"no allowed_signers file at {allowed_signers}: {len(keyed)} key signature(s) not "
            f"checked (set allowed_signers in {settings}, or give --allowed-signers)"
        )
        return result
    for link in keyed:
        armored = link.signature.ssh_signature
        assert armored is not None
        problem = check_key_signature(ssh_keygen, allowed_signers, link.signature.hash, armored)
        result.keys_checked += 1
        if problem:
            result.key_problems.append(Problem(link.described, problem))
    return result
