"""Encryption against a lost laptop, another local user and a careless day (issue 25,
items 2, 5, 6 and 9), through the installed `ipt` binary: an encrypted folder is never
written in plain text, nothing is written that could not be read back, a passphrase costs
one scrypt per command, and every key and settings file passes the ownership gate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyrage
import pytest
from pyrage import passphrase, x25519

from tests.cheap_age import cheapen_identity, seal_with_passphrase
from tests.conftest import ipt_command

pytestmark = [pytest.mark.faults, pytest.mark.e2e]
Bin = Callable[..., subprocess.CompletedProcess[str]]
NOBODY = 65534
PASS = "correct horse battery"
NOTE = "Spoke about the hospital night with her sister"


def _make(ipt_bin: Bin, course_id: str = "ab", **env: str) -> subprocess.CompletedProcess[str]:
    return ipt_bin(
        "new-course",
        course_id,
        "--client",
        "A.B.",
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        "--no-input",
        env=env,
        check_code=None,
    )


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and "locks" not in p.parts}


def _one_line_error(done: subprocess.CompletedProcess[str], code: int, *names: str) -> None:
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ipt: error:"), done.stderr
    for name in names:
        assert name in lines[0], lines[0]


@pytest.fixture
def keyed(ipt_bin: Bin, data_home: Path, tmp_path: Path) -> Path:
    """A course with two sessions in a folder encrypted with keys; the identity file."""
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-12", "--mood", "5", "--note", NOTE)
    ipt_bin("init", "--encrypt")
    return tmp_path / "config" / "ipt" / "identity.txt"


@pytest.fixture
def with_passphrase(ipt_bin: Bin, data_home: Path) -> dict[str, str]:
    """A course in a folder encrypted with a passphrase; the environment that opens it."""
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-12", "--mood", "5", "--note", NOTE)
    env = {"IPT_PASSPHRASE": PASS}
    ipt_bin("init", "--encrypt", "--passphrase", env=env)  # the real work factor, once
    cheapen_identity(data_home, PASS)
    return env


# Item 2: once encrypted, never plain --------------------------------------------------


def test_a_missing_encryption_toml_is_exit_8_and_nothing_is_written_plain(
    keyed: Path, ipt_bin: Bin, data_home: Path
) -> None:
    (data_home / "encryption.toml").unlink()
    before = _snapshot(data_home)
    for args in (
        ["session", "ab", "--date", "2026-01-19", "--mood", "4", "--note", NOTE],
        ["new-course", "cd", "--client", "C.D.", "--problem-area", "grief", "--no-input"],
        ["list"],
        ["report", "ab"],
    ):
        _one_line_error(ipt_bin(*args, check_code=None), 8, "encryption.toml", "ab.toml.age")
    assert _snapshot(data_home) == before
    assert not list((data_home / "courses").glob("*.toml"))


# Item 5: a write that could not be read back is not written --------------------------


def test_recipients_without_your_key_refuse_every_write(
    keyed: Path, ipt_bin: Bin, data_home: Path
) -> None:
    stranger = x25519.Identity.generate().to_public()
    (data_home / "recipients.txt").write_text(f"{stranger}\n")
    before = _snapshot(data_home)
    done = ipt_bin("session", "ab", "--date", "2026-01-19", "--note", "x", check_code=None)
    _one_line_error(done, 8, "recipients.txt")
    _one_line_error(_make(ipt_bin, "cd"), 8, "recipients.txt")
    assert _snapshot(data_home) == before


def test_a_wrong_identity_writes_nothing(
    keyed: Path, ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    other.chmod(0o600)
    before = _snapshot(data_home)
    _one_line_error(_make(ipt_bin, "cd", IPT_IDENTITY=str(other)), 8, str(other))
    assert _snapshot(data_home) == before


def test_a_wrong_passphrase_writes_nothing(
    with_passphrase: dict[str, str], ipt_bin: Bin, data_home: Path
) -> None:
    before = _snapshot(data_home)
    wrong = {"IPT_PASSPHRASE": "wrong"}
    done = ipt_bin("session", "ab", "--note", "x", env=wrong, check_code=None)
    _one_line_error(done, 8, "passphrase")
    _one_line_error(_make(ipt_bin, "cd", **wrong), 8, "passphrase")
    assert _snapshot(data_home) == before


def _to_older_form(data_home: Path) -> None:
    """The folder as an older ipt wrote it: every file sealed with the passphrase itself,
    no identity.age."""
    identity_age = data_home / "identity.age"
    text = passphrase.decrypt(identity_age.read_bytes(), PASS).decode()
    key = x25519.Identity.from_str(next(x for x in text.splitlines() if x.startswith("AGE-")))
    for path in data_home.rglob("*.age"):
        if path != identity_age:
            path.write_bytes(seal_with_passphrase(pyrage.decrypt(path.read_bytes(), [key]), PASS))
    identity_age.unlink()


def test_a_wrong_passphrase_in_an_older_folder_writes_nothing(
    with_passphrase: dict[str, str], ipt_bin: Bin, data_home: Path
) -> None:
    _to_older_form(data_home)
    before = _snapshot(data_home)
    wrong = {"IPT_PASSPHRASE": "wrong"}
    _one_line_error(_make(ipt_bin, "cd", **wrong), 8, "passphrase")
    done = ipt_bin("session", "ab", "--note", "x", env=wrong, check_code=None)
    _one_line_error(done, 8, "passphrase")
    assert _snapshot(data_home) == before


# Item 6: one scrypt per command ------------------------------------------------------

COUNTER = """
import os
import pyrage
_p = pyrage.passphrase

def _counted(real):
    def run(*args, **kwargs):
        with open(os.environ["SCRYPT_COUNT"], "a") as out:  # ipt may leave by os._exit
            out.write(real.__name__ + "\\n")
        return real(*args, **kwargs)
    return run

_p.encrypt, _p.decrypt = _counted(_p.encrypt), _counted(_p.decrypt)
"""


def _scrypts(ipt_bin: Bin, tmp_path: Path, *args: str) -> int:
    """How many scrypt operations (passphrase seals and opens) one command ran."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(COUNTER)
    count = tmp_path / "scrypt-count.txt"
    count.write_text("")
    env = {"IPT_PASSPHRASE": PASS, "PYTHONPATH": str(site), "SCRYPT_COUNT": str(count)}
    ipt_bin(*args, env=env)
    return len(count.read_text().split())


def _identity_of(data_home: Path) -> x25519.Identity:
    text = passphrase.decrypt((data_home / "identity.age").read_bytes(), PASS).decode()
    return x25519.Identity.from_str(next(x for x in text.splitlines() if x.startswith("AGE-")))


def test_a_passphrase_folder_runs_one_scrypt_per_command_in_standard_age(
    with_passphrase: dict[str, str], ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    course = data_home / "courses" / "ab.toml.age"
    stored = course.read_bytes()
    for day in ("19", "26"):
        session = ("session", "ab", "--date", f"2026-01-{day}", "--mood", "6", "--note", NOTE)
        assert _scrypts(ipt_bin, tmp_path, *session) == 1
    for args in (("report", "ab"), ("list",), ("export", "ab", "--plain"), ("doctor",)):
        assert _scrypts(ipt_bin, tmp_path, *args) == 1, args
    # the standard age format: the identity opens with the passphrase, files with it
    identity = _identity_of(data_home)
    opened = pyrage.decrypt(course.read_bytes(), [identity]).decode()
    assert opened.count(NOTE) == 3
    # a backup is the replaced file's ciphertext, copied, never sealed again
    backups = sorted((data_home / "backups" / "ab").iterdir())
    assert stored in [b.read_bytes() for b in backups]


def test_an_older_passphrase_folder_still_opens_and_moves_to_the_identity_on_a_write(
    with_passphrase: dict[str, str], ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _to_older_form(data_home)
    report = ipt_bin("report", "ab", "--format", "json", env=with_passphrase)
    assert json.loads(report.stdout)["sessions_recorded"] == 1
    ipt_bin("session", "ab", "--date", "2026-01-19", "--note", NOTE, env=with_passphrase)
    course = (data_home / "courses" / "ab.toml.age").read_bytes()
    assert pyrage.decrypt(course, [_identity_of(data_home)]).decode().count(NOTE) == 2
    # the first write moved the course and its backups to the identity: one scrypt after
    assert _scrypts(ipt_bin, tmp_path, "report", "ab") == 1
    assert (
        _scrypts(ipt_bin, tmp_path, "session", "ab", "--date", "2026-01-26", "--attendee", "client")
        == 1
    )


def test_a_lost_identity_age_is_refused_not_replaced(
    with_passphrase: dict[str, str], ipt_bin: Bin, data_home: Path
) -> None:
    (data_home / "identity.age").unlink()
    before = _snapshot(data_home)
    done = ipt_bin("session", "ab", "--note", "x", env=with_passphrase, check_code=None)
    _one_line_error(done, 8, "identity.age")
    assert _snapshot(data_home) == before


# Item 9: every key and settings file through the gate --------------------------------


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The binary with a short timeout: a read that blocks fails the test, not the run."""
    return subprocess.run(
        [*ipt_command(), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=20,
    )


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "too-big"])
@pytest.mark.parametrize("name", ["identity", "recipients.txt", "encryption.toml"])
def test_a_key_or_settings_file_that_is_no_regular_file_is_refused_fast(
    keyed: Path, data_home: Path, tmp_path: Path, name: str, kind: str
) -> None:
    target = keyed if name == "identity" else data_home / name
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target, 0o600)
    elif kind == "dev-zero":
        target.symlink_to("/dev/zero")
    elif name == "identity":  # a real key, padded past the 1 MiB cap with comments
        target.write_text(f"{x25519.Identity.generate()}\n" + ("#" * 1023 + "\n") * 2048)
        target.chmod(0o600)
    else:
        with target.open("wb") as handle:
            handle.truncate(2 << 20)  # 2 MiB (sparse): over the 1 MiB cap
        target.chmod(0o600)
    before = _snapshot(data_home) if kind != "too-big" or name == "identity" else None
    for args in (["report", "ab"], ["session", "ab", "--note", "x"]):
        _one_line_error(_run(args, {}), 8, str(target))
    if before is not None:
        assert _snapshot(data_home) == before


def test_an_identity_others_can_read_is_refused_as_ssh_does(
    keyed: Path, ipt_bin: Bin, data_home: Path
) -> None:
    keyed.chmod(0o644)
    done = ipt_bin("report", "ab", check_code=None)
    _one_line_error(done, 8, str(keyed), f"chmod 600 {keyed}")
    keyed.chmod(0o600)
    ipt_bin("report", "ab")


def test_another_users_identity_is_refused(keyed: Path, ipt_bin: Bin) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    os.chown(keyed, NOBODY, NOBODY)
    _one_line_error(ipt_bin("report", "ab", check_code=None), 8, "another user")


def test_oversized_course_and_config_files_are_refused_not_read(
    ipt_bin: Bin, data_home: Path
) -> None:
    _make(ipt_bin)
    config = data_home / "config.toml"
    config.symlink_to("/dev/zero")  # root's device: another user's, unless we are root
    _one_line_error(_run(["report", "ab"], {}), 4 if os.geteuid() == 0 else 8, "config.toml")
    config.unlink()
    with config.open("wb") as handle:
        handle.truncate(2 << 20)
    _one_line_error(_run(["report", "ab"], {}), 4, "config.toml", "1 MiB")
    config.unlink()
    big = data_home / "courses" / "cd.toml"
    with big.open("wb") as handle:
        handle.truncate(65 << 20)  # sparse: costs no disk
    big.chmod(0o600)
    _one_line_error(_run(["report", "cd"], {}), 4, "cd.toml", "64 MiB")


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_an_allowed_signers_fifo_or_device_is_refused_not_handed_to_ssh_keygen(
    ipt_bin: Bin, data_home: Path, tmp_path: Path, kind: str
) -> None:
    key = tmp_path / "clinician"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dr.k", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-12", "--note", "n")
    (data_home / "config.toml").write_text(f'signer = "Dr K."\nsign_key = "{key}"\n')
    ipt_bin("sign", "ab", "1")
    signers = data_home / "allowed_signers"
    if kind == "fifo":
        os.mkfifo(signers, 0o600)
    else:
        signers.symlink_to("/dev/zero")
    _one_line_error(_run(["verify", "ab"], {}), 8, str(signers))
