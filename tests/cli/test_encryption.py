"""Encryption at rest: age files readable by the standard format, no plain text of a
course anywhere under the data folder, and every command the same on an encrypted folder."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from pathlib import Path

import pyrage
import pytest
from pyrage import passphrase, x25519

from tests.cheap_age import seal_with_passphrase
from tests.conftest import PHQ9_MODERATE, RunIpt

NOTE = "Spoke about the hospital night with her sister"
ALIAS = "A.B."


def identity_file(config: Path) -> Path:
    return config / "ipt" / "identity.txt"


def opener(path: Path) -> list[x25519.Identity]:
    keys = [line for line in path.read_text().splitlines() if line.startswith("AGE-SECRET")]
    return [x25519.Identity.from_str(key) for key in keys]


def every_file(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def assert_no_plain_text(root: Path, *secrets: str) -> None:
    for path in every_file(root):
        raw = path.read_bytes()
        for secret in (NOTE, ALIAS, *secrets):
            assert secret.encode() not in raw, f"{secret!r} in plain text in {path}"


def open_course(path: Path, identities: list[x25519.Identity]) -> dict[str, object]:
    return tomllib.loads(pyrage.decrypt(path.read_bytes(), identities).decode())


@pytest.fixture
def encrypted(new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path) -> Path:
    """A course with a session and a backup, then `ipt init --encrypt`; the identity."""
    new_course("ab", "--phq9", PHQ9_MODERATE)
    run_ipt("session", "ab", "--date", "2026-01-12", "--mood", "5", "--note", NOTE)
    run_ipt("list")  # a plain index, to be replaced by an encrypted one
    result = run_ipt("init", "--encrypt")
    identity = identity_file(tmp_path / "config")
    said = result.stdout + result.stderr
    assert str(identity) in said and "Losing this file loses the data" in said
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    return identity


def test_init_encrypt_converts_everything_to_standard_age(
    encrypted: Path, data_home: Path, run_ipt: RunIpt
) -> None:
    identities = opener(encrypted)
    course = data_home / "courses" / "ab.toml.age"
    assert not (data_home / "courses" / "ab.toml").exists()
    stored = open_course(course, identities)
    assert stored["client"] == ALIAS
    assert stored["sessions"][0]["note"] == NOTE  # type: ignore[index]
    backups = list((data_home / "backups" / "ab").iterdir())
    assert backups and all(p.name.endswith(".toml.age") for p in backups)
    for backup in backups:
        open_course(backup, identities)
    public = str(identities[0].to_public())
    assert public in (data_home / "recipients.txt").read_text().splitlines()
    assert not (data_home / "index.json").exists()
    assert_no_plain_text(data_home)


def test_every_command_works_the_same_on_an_encrypted_folder(
    encrypted: Path, data_home: Path, run_ipt: RunIpt, new_course, tmp_path: Path
) -> None:
    identities = opener(encrypted)
    new_course("cd", "--phq9", PHQ9_MODERATE)
    run_ipt("session", "ab", "--date", "2026-01-19", "--mood", "6", "--note", "Second " + NOTE)
    assert NOTE in run_ipt("export", "ab", "--plain").stdout
    report = run_ipt("report", "ab").stdout
    assert ALIAS in report and "session" in report.lower()
    listed = run_ipt("list").stdout
    assert "ab" in listed and "cd" in listed and ALIAS in listed
    index = data_home / "index.json.age"
    assert b"entries" in pyrage.decrypt(index.read_bytes(), identities)
    assert "cd" in run_ipt("list").stdout  # warm: read back from the encrypted index
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "import stat\n"
        "assert stat.S_IMODE(p.parent.stat().st_mode) == 0o700\n"
        "assert p.parent.name.startswith('ipt-edit-')\n"
        "assert p.parent.parent.name == 'edits' and 'ipt-home' in str(p)\n"
        f"pathlib.Path({str(tmp_path / 'seen')!r}).write_text(str(p))\n"
        "p.write_text(p.read_text().replace('planned_sessions = 16', 'planned_sessions = 14'))\n"
    )
    assert "Saved" in run_ipt("edit", "ab", EDITOR=f"{sys.executable} {editor}").stdout
    copy = Path((tmp_path / "seen").read_text())
    assert not copy.exists() and not copy.parent.exists()  # the plain copy is gone
    assert open_course(data_home / "courses" / "ab.toml.age", identities)["planned_sessions"] == 14
    doctor = run_ipt("doctor").stdout
    assert "ab.toml.age" in doctor and "valid" in doctor
    backups = run_ipt("restore", "ab", "--list").stdout.splitlines()
    assert len(backups) >= 2
    run_ipt("restore", "ab", "--from", "1")
    assert open_course(data_home / "courses" / "ab.toml.age", identities)["planned_sessions"] == 16
    # exports: age unless --plain
    armored = run_ipt("export", "ab").stdout
    assert armored.startswith("-----BEGIN AGE ENCRYPTED FILE-----") and NOTE not in armored
    assert NOTE in pyrage.decrypt(armored.encode(), identities).decode()
    out = tmp_path / "ab.json"
    assert "age-encrypted" in run_ipt("export", "ab", "-o", str(out)).stderr
    sealed = tmp_path / "ab.json.age"
    assert not out.exists() and NOTE in pyrage.decrypt(sealed.read_bytes(), identities).decode()
    run_ipt("import", str(sealed), "--as", "ef")
    assert open_course(data_home / "courses" / "ef.toml.age", identities)["id"] == "ef"
    plain = run_ipt("export", "ab", "--plain", "-o", str(tmp_path / "plain.json"))
    assert "unencrypted" in plain.stderr
    assert_no_plain_text(data_home, "Second " + NOTE)


def test_a_missing_or_wrong_identity_is_exit_8_and_writes_nothing(
    encrypted: Path, data_home: Path, run_ipt: RunIpt, tmp_path: Path
) -> None:
    before = {p: p.read_bytes() for p in every_file(data_home)}
    missing = tmp_path / "nowhere.txt"
    for args in (["report", "ab"], ["list"], ["session", "ab", "--mood", "5"]):
        result = run_ipt(*args, exit_code=8, IPT_IDENTITY=str(missing))
        assert str(missing) in result.stderr and "Traceback" not in result.stderr
    other = tmp_path / "other.txt"
    other.write_text(str(x25519.Identity.generate()) + "\n")
    other.chmod(0o600)
    for args in (["report", "ab"], ["list"], ["session", "ab", "--mood", "5"], ["doctor"]):
        result = run_ipt(*args, exit_code=8, IPT_IDENTITY=str(other))
        assert str(other) in result.stderr
    assert {p: p.read_bytes() for p in every_file(data_home)} == before


def test_decrypt_restores_the_plain_folder(
    encrypted: Path, data_home: Path, run_ipt: RunIpt
) -> None:
    report = run_ipt("report", "ab").stdout
    run_ipt("decrypt")
    assert not list(data_home.rglob("*.age"))
    assert not (data_home / "encryption.toml").exists()
    text = (data_home / "courses" / "ab.toml").read_text()
    assert NOTE in text
    assert run_ipt("report", "ab").stdout == report
    assert run_ipt("restore", "ab", "--list").stdout.strip()


def test_recipients_add_and_remove_reencrypt_every_file(
    encrypted: Path, data_home: Path, run_ipt: RunIpt
) -> None:
    supervisor = x25519.Identity.generate()
    key = str(supervisor.to_public())
    run_ipt("recipients", "add", key)
    assert key in run_ipt("recipients", "list").stdout
    sealed = [p for p in every_file(data_home) if p.name.endswith(".age")]
    assert sealed
    for path in sealed:
        pyrage.decrypt(path.read_bytes(), [supervisor])
    run_ipt("recipients", "remove", key)
    for path in sealed:
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(path.read_bytes(), [supervisor])
        pyrage.decrypt(path.read_bytes(), opener(encrypted))
    own = str(opener(encrypted)[0].to_public())
    assert "could not open" in run_ipt("recipients", "remove", own, exit_code=2).stderr
    assert "not an age public key" in run_ipt("recipients", "add", "age1nope", exit_code=2).stderr


def test_init_with_a_given_identity_and_a_supervisor(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    mine, theirs = x25519.Identity.generate(), x25519.Identity.generate()
    identity = tmp_path / "me.txt"
    identity.write_text(f"# public key: {mine.to_public()}\n{mine}\n")
    identity.chmod(0o600)  # a private key others can read is refused, as ssh does
    run_ipt(
        "init", "--encrypt", "--identity", str(identity), "--recipient", str(theirs.to_public())
    )
    assert not identity_file(tmp_path / "config").exists()
    new_course("ab")
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", NOTE)
    for who in (mine, theirs):
        assert open_course(data_home / "courses" / "ab.toml.age", [who])["client"] == ALIAS
    assert_no_plain_text(data_home)


def test_passphrase_mode(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course("ab")
    run_ipt("init", "--encrypt", "--passphrase", IPT_PASSPHRASE="correct horse")
    sealed = (data_home / "courses" / "ab.toml.age").read_bytes()
    # age's own pattern: an identity sealed with the passphrase, files sealed to it
    key = passphrase.decrypt((data_home / "identity.age").read_bytes(), "correct horse")
    identity = [line for line in key.decode().splitlines() if line.startswith("AGE-SECRET")]
    assert b"A.B." in pyrage.decrypt(sealed, [x25519.Identity.from_str(identity[0])])
    # the same identity at a cheap scrypt work factor: what follows tests ipt, not scrypt
    (data_home / "identity.age").write_bytes(seal_with_passphrase(key, "correct horse"))
    assert ALIAS in run_ipt("report", "ab", IPT_PASSPHRASE="correct horse").stdout
    assert "IPT_PASSPHRASE" in run_ipt("report", "ab", exit_code=8).stderr
    run_ipt("report", "ab", exit_code=8, IPT_PASSPHRASE="wrong")
    assert_no_plain_text(data_home)


def test_a_conversion_that_fails_midway_leaves_the_folder_plain_and_whole(
    new_course, run_ipt: RunIpt, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipt_cli.errors import StorageIOError
    from ipt_cli.store import encryption

    new_course("ab")
    new_course("cd")
    real = encryption.atomic_write
    calls = []

    def failing(path: Path, data: bytes, **kwargs: bool) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise StorageIOError(f"cannot write {path}: No space left on device")
        real(path, data, **kwargs)

    monkeypatch.setattr(encryption, "atomic_write", failing)
    result = run_ipt("init", "--encrypt", exit_code=7)
    assert "No space left" in result.stderr
    monkeypatch.setattr(encryption, "atomic_write", real)
    assert not (data_home / "encryption.toml").exists()
    assert "A.B." in run_ipt("report", "cd").stdout  # still the plain folder
    run_ipt("encrypt")  # running it again finishes the job
    assert sorted(p.name for p in (data_home / "courses").iterdir()) == [
        "ab.toml.age",
        "cd.toml.age",
    ]
    assert_no_plain_text(data_home)


def test_an_already_encrypted_folder_is_not_encrypted_twice(
    encrypted: Path, run_ipt: RunIpt
) -> None:
    assert "already encrypted" in run_ipt("encrypt", exit_code=5).stderr
    assert os.path.exists(encrypted)


def test_search_and_score_exports_read_an_encrypted_folder(
    encrypted: Path, data_home: Path, run_ipt: RunIpt, tmp_path: Path
) -> None:
    found = run_ipt("search", "hospital night").stdout
    assert "ab" in found and "hospital night" in found
    sealed = run_ipt("export", "--all", "--format", "csv").stdout
    assert sealed.startswith("-----BEGIN AGE ENCRYPTED FILE-----")
    assert "PHQ-9" in pyrage.decrypt(sealed.encode(), opener(encrypted)).decode()
    other = tmp_path / "other.txt"
    other.write_text(str(x25519.Identity.generate()) + "\n")
    other.chmod(0o600)
    assert str(other) in run_ipt("search", "x", exit_code=8, IPT_IDENTITY=str(other)).stderr
    assert_no_plain_text(data_home)


def test_group_files_are_encrypted_too(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    new_course("gm", "--adaptation", "group")
    run_ipt("group", "new", "g1", "--facilitator", "F.K.", "--start", "2026-01-05")
    run_ipt("group", "add", "g1", "gm")
    run_ipt("init", "--encrypt")
    assert (data_home / "groups" / "g1.toml.age").exists()
    assert not (data_home / "groups" / "g1.toml").exists()
    group_note = "The group talked about the winter"
    run_ipt(
        "group", "session", "g1", "--date", "2026-01-05", "--present", "gm",
        "--group-note", group_note,
    )  # fmt: skip
    identities = opener(identity_file(tmp_path / "config"))
    opened = pyrage.decrypt((data_home / "groups" / "g1.toml.age").read_bytes(), identities)
    assert group_note in opened.decode()
    assert "g1" in run_ipt("group", "list").stdout
    run_ipt("doctor")
    assert_no_plain_text(data_home, group_note, "F.K.")
    run_ipt("decrypt")
    assert group_note in (data_home / "groups" / "g1.toml").read_text()


def test_a_wizard_draft_is_sealed_by_encrypt_and_opened_by_decrypt(
    run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    """The wizard's draft (store/drafts.py) holds an assessment: never plain in an
    encrypted folder."""
    import datetime as dt

    from ipt_cli.store.drafts import DraftStore
    from ipt_cli.store.paths import DataPaths

    run_ipt("init")
    DraftStore(DataPaths(data_home)).save(
        "wz", 4, {"client": "Z.Q.", "start_date": dt.date(2026, 1, 5)}, dt.datetime.now(dt.UTC)
    )
    run_ipt("encrypt")
    drafts = data_home / "edits" / "drafts"
    assert [p.name for p in drafts.iterdir()] == ["wz.json.age"]
    assert b"Z.Q." not in (drafts / "wz.json.age").read_bytes()
    identities = opener(identity_file(tmp_path / "config"))
    sealed = pyrage.decrypt((drafts / "wz.json.age").read_bytes(), identities)
    assert b"Z.Q." in sealed
    run_ipt("decrypt")
    draft = DraftStore(DataPaths(data_home)).load("wz")
    assert draft is not None and draft.fields["start_date"] == dt.date(2026, 1, 5)


def test_a_damaged_encrypted_index_is_rebuilt_not_an_error(
    encrypted: Path, data_home: Path, run_ipt: RunIpt
) -> None:
    """A garbage or truncated index.json.age stopped `ipt list` (exit 4, or exit 8 'cannot
    decrypt ... with the identity', though the identity opened every course) until it was
    deleted by hand; the index is a cache, rebuilt from the course files (diff review)."""
    index = data_home / "index.json.age"
    run_ipt("list")
    whole = index.read_bytes()
    for damaged in (b"garbage", b"", whole[: len(whole) // 2]):
        index.write_bytes(damaged)
        listed = run_ipt("list")
        assert "ab" in listed.stdout and ALIAS in listed.stdout and listed.stderr == ""
        assert b"entries" in pyrage.decrypt(index.read_bytes(), opener(encrypted))  # rebuilt
    other = x25519.Identity.generate()
    wrong = data_home.parent / "wrong.key"
    wrong.write_text(str(other) + "\n")
    wrong.chmod(0o600)
    refused = run_ipt("list", exit_code=8, IPT_IDENTITY=str(wrong))  # still refused
    assert refused.stdout == ""


def test_a_search_closed_to_the_identity_still_warns_of_a_readable_file(
    encrypted: Path, data_home: Path, run_ipt: RunIpt
) -> None:
    """Searches gather each file's warnings; a folder closed to the identity (exit 8) lost
    the 'can be read by other users' warning of the file it stopped at (diff review)."""
    course = data_home / "courses" / "ab.toml.age"
    course.chmod(0o644)
    wrong = data_home.parent / "wrong.key"
    wrong.write_text(str(x25519.Identity.generate()) + "\n")
    wrong.chmod(0o600)
    refused = run_ipt("search", "anything", exit_code=8, IPT_IDENTITY=str(wrong))
    assert "ab.toml.age" in refused.stderr and "other users" in refused.stderr
