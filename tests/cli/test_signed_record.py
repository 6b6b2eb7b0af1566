"""Signed sessions are tamper-evident (issue 17): a hand edit of a signed session in the TOML
(a changed score, a changed note, a deleted session, swapped sessions) makes `ipt verify`
exit 9 naming the session; addenda after signing are signed and keep it passing; no ipt
command changes a signed session; key signatures verify with the real ssh-keygen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import PHQ9_RISK, RunIpt

SCORES = "1,1,1,1,1,1,1,0,0"
DATES = ["2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"]


def course_file(data_home: Path, course_id: str = "ab") -> Path:
    return data_home / "courses" / f"{course_id}.toml"


def stored(data_home: Path, course_id: str = "ab") -> dict[str, Any]:
    return tomllib.loads(course_file(data_home, course_id).read_text())


def rewrite(data_home: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the course file by hand, as a person with a text editor could."""
    document = stored(data_home)
    change(document)
    course_file(data_home).write_text(tomli_w.dumps(document))


def six_signed(new_course, run_ipt: RunIpt) -> None:
    """Six sessions, session 3 with a PHQ-9 item 9 reviewed, all signed."""
    new_course()
    for number, day in enumerate(DATES, 1):
        run_ipt(
            "session",
            "ab",
            "--date",
            day,
            "--phq9",
            PHQ9_RISK if number == 3 else SCORES,
            "--note",
            f"Session {number}: worked on the funeral",
            IPT_TODAY=day,
        )
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "3",
        "--note",
        "Passive thoughts, no plan",
        "--ideation",
        "passive",
        "--level",
        "low",
        "--action",
        "Reviewed",
        IPT_TODAY="2026-01-26",
    )
    done = run_ipt("sign", "ab", "--all", "--by", "Dr K.", IPT_TODAY="2026-02-16")
    assert "Signed 6 session(s) of ab as Dr K." in done.stdout


def test_a_signed_course_verifies_and_an_unsigned_one_has_nothing_signed(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("plain")
    six_signed(new_course, run_ipt)
    result = run_ipt("verify")
    assert "ab: holds (6 signed session(s), 0 sealed entry(ies)); chain head: link 6" in (
        result.stdout
    )
    assert "plain: nothing signed" in result.stdout
    signature = stored(data_home)["sessions"][1]["signature"]
    assert (signature["seq"], signature["by"], signature["follows"]) == (2, "Dr K.", 1)
    assert signature["previous"] == stored(data_home)["sessions"][0]["signature"]["hash"]
    assert run_ipt("verify", "plain").stdout == "plain: nothing signed\n"


def _change_score(document: dict[str, Any]) -> None:
    document["sessions"][1]["phq9"]["items"][0] = 3


def _change_note(document: dict[str, Any]) -> None:
    document["sessions"][3]["note"] = "Session 4: something else"


def _delete_session(document: dict[str, Any]) -> None:
    del document["sessions"][2]


def _swap_dates(document: dict[str, Any]) -> None:
    second, fifth = document["sessions"][1], document["sessions"][4]
    second["date"], fifth["date"] = fifth["date"], second["date"]


def _swap_signatures(document: dict[str, Any]) -> None:
    second, third = document["sessions"][1], document["sessions"][2]
    second["signature"], third["signature"] = third["signature"], second["signature"]


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (
            _change_score,
            ["session 2 (id 2, 2026-01-19): changed after signing: its content no longer "
             "matches signature 2"],
        ),
        (
            _change_note,
            ["session 4 (id 4, 2026-02-02): changed after signing"],
        ),
        (
            _delete_session,
            ["session 3 (id 4, 2026-02-02): chain broken before it: signature 3, on session "
             "id 3, is missing: a signed session or entry was removed"],
        ),
        (
            _swap_dates,  # session 2 and session 5 change places
            ["(id 2, 2026-02-09): changed after signing", "(id 5, 2026-01-19): changed after "
             "signing"],
        ),
        (
            _swap_signatures,
            ["session 2 (id 2, 2026-01-19): changed after signing",
             "session 3 (id 3, 2026-01-26): changed after signing"],
        ),
    ],
    ids=["changed-score", "changed-note", "deleted-session", "swapped-dates", "swapped-seals"],
)  # fmt: skip
def test_a_hand_edit_of_a_signed_session_fails_verification_naming_it(
    new_course, run_ipt: RunIpt, data_home: Path, tamper: Callable[..., None], named: list[str]
) -> None:
    six_signed(new_course, run_ipt)
    rewrite(data_home, tamper)
    result = run_ipt("verify", "ab", exit_code=9)
    assert result.stdout.startswith("ab: BROKEN")
    for words in named:
        assert f"ab: {words}" in result.stdout or words in result.stdout, words
    assert result.stderr.startswith("ipt: error: verification failed")
    assert "worked on the funeral" not in result.stdout + result.stderr  # no note text
    run_ipt("verify", exit_code=9)  # every course


def test_verify_with_the_real_binary_exits_9_on_a_changed_score(
    new_course, run_ipt: RunIpt, ipt_bin, data_home: Path
) -> None:
    six_signed(new_course, run_ipt)
    assert ipt_bin("verify", "ab").returncode == 0
    rewrite(data_home, _change_score)
    done = ipt_bin("verify", "ab", check_code=9)
    assert "ab: session 2 (id 2, 2026-01-19): changed after signing" in done.stdout
    assert "Traceback" not in done.stderr
    doctor = ipt_bin("doctor", check_code=9)  # doctor includes verify
    assert "changed after signing" in doctor.stdout
    assert json.loads(ipt_bin("verify", "--json", check_code=9).stdout)[0]["holds"] is False


def test_an_addendum_after_signing_is_signed_and_keeps_the_chain(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    six_signed(new_course, run_ipt)
    added = run_ipt(
        "session", "ab", "--amend", "2026-01-19", "--note", "Correction: Friday", "--by", "Dr K."
    )
    assert "the session is signed: the addendum is signed too" in added.stdout
    run_ipt("session", "ab", "--amend", "2", "--note", "Second correction")
    assert "holds (6 signed session(s), 2 sealed entry(ies)); chain head: link 8" in (
        run_ipt("verify", "ab").stdout
    )
    addenda = stored(data_home)["sessions"][1]["addenda"]
    assert [a["signature"]["seq"] for a in addenda] == [7, 8]
    assert addenda[1]["signature"]["by"] == "Dr K."  # the session's signer, when not given
    note = json.loads(run_ipt("note", "ab", "2", "--format", "json").stdout)
    assert [(a["date"], a["text"], a["signed"]["by"]) for a in note["addenda"]] == [
        ("2026-03-01", "Correction: Friday", "Dr K."),
        ("2026-03-01", "Second correction", "Dr K."),
    ]

    def reorder(document: dict[str, Any]) -> None:
        document["sessions"][1]["addenda"].reverse()

    rewrite(data_home, reorder)
    result = run_ipt("verify", "ab", exit_code=9)
    assert "addendum 2 of session 2 (id 2, 2026-01-19): out of order: sealed before addendum 1" in (
        result.stdout
    )

    def edit_addendum(document: dict[str, Any]) -> None:
        document["sessions"][1]["addenda"].reverse()
        document["sessions"][1]["addenda"][0]["text"] = "Correction: Saturday"

    rewrite(data_home, edit_addendum)
    result = run_ipt("verify", "ab", exit_code=9)
    assert "addendum 1 of session 2 (id 2, 2026-01-19): changed after signing" in result.stdout


def test_entries_added_to_a_signed_session_are_sealed(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    six_signed(new_course, run_ipt)
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "3",
        "--note",
        "Eased",
        "--level",
        "low",
        "--ideation",
        "none",
        "--action",
        "Reviewed",
    )
    run_ipt("supervise", "ab", "3", "--comment", "Good review", "--by", "Dr S.", "--sign")
    run_ipt("fidelity", "ab", "5", "--item", "mid-opening=done", "--by", "Dr S.")
    third = stored(data_home)["sessions"][2]
    assert "signature" not in third["risk_reviews"][0]  # recorded before signing: sealed with it
    assert third["risk_reviews"][1]["signature"]["seq"] == 7
    assert third["supervision"][0]["signature"]["by"] == "Dr S."
    assert stored(data_home)["sessions"][4]["fidelity"][0]["signature"]["seq"] == 9
    assert "holds (6 signed session(s), 3 sealed entry(ies))" in run_ipt("verify").stdout

    def forge_sign_off(document: dict[str, Any]) -> None:
        document["sessions"][2]["supervision"][0]["by"] = "Dr X."

    rewrite(data_home, forge_sign_off)
    assert "supervision entry 1 of session 3 (id 3, 2026-01-26): changed after signing" in (
        run_ipt("verify", exit_code=9).stdout
    )


def test_a_signed_session_is_refused_by_sign_and_the_baseline_cannot_be_signed(
    new_course, run_ipt: RunIpt
) -> None:
    six_signed(new_course, run_ipt)
    again = run_ipt("sign", "ab", "2026-01-19", "--by", "Dr K.", exit_code=5)
    assert "session 2 (2026-01-19) of 'ab' is already signed, by Dr K." in again.stderr
    assert "nothing to sign" in run_ipt("sign", "ab", "--all", "--by", "X", exit_code=5).stderr
    new_course("cd", "--phq9", SCORES)
    run_ipt("session", "cd", "--date", "2026-01-12", "--mood", "5")
    assert (
        "baseline is not a session" in run_ipt("sign", "cd", "0", "--by", "X", exit_code=2).stderr
    )
    assert "who signs?" in run_ipt("sign", "cd", "1", exit_code=2).stderr
    assert "one SESSION, or give --all" in run_ipt("sign", "cd", exit_code=2).stderr


def test_signer_comes_from_config(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-12", "--mood", "5")
    (data_home / "config.toml").write_text('signer = "Dr K."\n')
    assert "as Dr K." in run_ipt("sign", "ab", "1").stdout
    assert stored(data_home)["sessions"][0]["signature"]["by"] == "Dr K."


def write_editor(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / name
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + body)
    return f"{sys.executable} {script}"


def test_ipt_edit_refuses_a_save_that_changes_a_signed_session(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    new_course()
    for day in DATES[:3]:
        run_ipt("session", "ab", "--date", day, "--note", f"note of {day}")
    run_ipt("sign", "ab", "2", "--by", "Dr K.")
    before = course_file(data_home).read_bytes()
    change_signed = write_editor(
        tmp_path,
        "signed.py",
        "p.write_text(p.read_text().replace('note of 2026-01-19', 'rewritten'))\n",
    )
    result = run_ipt("edit", "ab", EDITOR=change_signed, exit_code=2)
    assert "session 2 (2026-01-19) of 'ab' is signed" in result.stderr
    assert "ipt session ab --amend" in result.stderr
    assert course_file(data_home).read_bytes() == before
    change_unsigned = write_editor(
        tmp_path,
        "unsigned.py",
        "p.write_text(p.read_text().replace('note of 2026-01-26', 'rewritten'))\n",
    )
    assert "Saved" in run_ipt("edit", "ab", EDITOR=change_unsigned).stdout
    assert stored(data_home)["sessions"][2]["note"] == "rewritten"
    run_ipt("verify", "ab")


def test_import_keeps_signatures_and_restore_never_undoes_one(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    six_signed(new_course, run_ipt)
    exported = tmp_path / "ab.json"
    run_ipt("export", "ab", "--output", str(exported))
    run_ipt("import", str(exported), "--as", "ab-copy")
    run_ipt("import", str(course_file(data_home)), "--as", "ab-toml")
    assert (
        stored(data_home, "ab-copy")["sessions"][5]["signature"]
        == stored(data_home)["sessions"][5]["signature"]
    )
    verified = run_ipt("verify").stdout
    for course_id in ("ab", "ab-copy", "ab-toml"):
        assert f"{course_id}: holds (6 signed session(s)" in verified
    broken = tmp_path / "broken.toml"
    broken.write_text(course_file(data_home).read_text().replace("Session 2: worked", "Edited"))
    warned = run_ipt("import", str(broken), "--as", "ab-broken")
    assert "the signatures of ab-broken do not verify as imported" in warned.stderr
    # The backups were taken before signing: restoring one would undo the signatures.
    refused = run_ipt("restore", "ab", "--from", "1", exit_code=5)
    assert "session 1 (2026-01-12), session 2 (2026-01-19)" in refused.stderr
    assert "a signed session cannot change" in refused.stderr
    run_ipt("verify", "ab")


def test_every_command_leaves_a_signed_session_as_it_was(data_home: Path) -> None:
    """The store refuses any change to a signed session, whatever asks for it."""
    import datetime as dt

    from ipt_cli.core import changes
    from ipt_cli.core.signing import sign_session
    from ipt_cli.errors import ConflictError
    from ipt_cli.store.courses import CourseStore

    store = CourseStore(data_home)
    made = changes.new_course(
        "ab", "A.B.", dt.date(2026, 1, 5), 12, ["grief"], dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    )
    made.sessions.append(changes.session_record(dt.date(2026, 1, 12), note="n", measure_options={}))
    store.create(made)
    at = dt.datetime(2026, 1, 12, 10, tzinfo=dt.UTC)
    store.update("ab", lambda c: sign_session(c, c.sessions[0], "session 1", "Dr K.", at))

    def rewrite_note(course: Any) -> None:
        course.sessions[0].note = "changed"

    with pytest.raises(ConflictError, match=r"session 1 \(2026-01-12\) of 'ab' is signed"):
        store.update("ab", rewrite_note)
    with pytest.raises(ConflictError, match="is signed"):
        store.update("ab", lambda c: c.sessions.clear())
    assert store.load("ab").sessions[0].note == "n"


# Key signatures with the real ssh-keygen.

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"
)


def make_key(folder: Path, name: str, principal: str) -> tuple[Path, Path]:
    """An ed25519 key without a passphrase, and an allowed_signers file for it."""
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", str(key)],
        check=True,
        capture_output=True,
    )
    public = (folder / f"{name}.pub").read_text().split()
    signers = folder / f"{name}.allowed_signers"
    signers.write_text(f"{principal} {public[0]} {public[1]}\n")
    return key, signers


@needs_ssh_keygen
def test_a_key_signature_verifies_with_ssh_keygen_and_fails_with_another_key(
    new_course, run_ipt: RunIpt, ipt_bin, data_home: Path, tmp_path: Path
) -> None:
    key, signers = make_key(tmp_path, "clinician", "dr.k@example.org")
    _, other_signers = make_key(tmp_path, "someone", "x@example.org")
    new_course()
    for day in DATES[:2]:
        run_ipt("session", "ab", "--date", day, "--note", "n")
    (data_home / "config.toml").write_text(
        f'signer = "Dr K."\nsign_key = "{key}"\nallowed_signers = "{signers}"\n'
    )
    signed = ipt_bin("sign", "ab", "1")
    assert "key signature SHA256:" in signed.stdout
    ipt_bin("session", "ab", "--amend", "1", "--note", "Addendum")
    seal = stored(data_home)["sessions"][0]["signature"]
    assert seal["ssh_signature"].startswith("-----BEGIN SSH SIGNATURE-----")
    fingerprint = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(key)], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert seal["key"] == fingerprint
    # The stored signature is ssh-keygen's own: it verifies the hash with ssh-keygen itself.
    sig_file = tmp_path / "hash.sig"
    sig_file.write_text(seal["ssh_signature"])
    checked = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "dr.k@example.org", "-n", "ipt",
         "-s", str(sig_file)],
        input=seal["hash"], capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    done = ipt_bin("verify", "ab")
    assert "2 key signature(s) verified" in done.stdout
    refused = ipt_bin("verify", "ab", "--allowed-signers", str(other_signers), check_code=9)
    assert (
        f"ab: session 1 (id 1, 2026-01-12): its key signature is not by a key in {other_signers}"
        in refused.stdout
    )

    def forge(document: dict[str, Any]) -> None:  # a valid signature of another hash
        first = document["sessions"][0]
        first["signature"]["ssh_signature"] = first["addenda"][0]["signature"]["ssh_signature"]

    rewrite(data_home, forge)
    broken = ipt_bin("verify", "ab", check_code=9)
    assert "session 1 (id 1, 2026-01-12): its key signature does not verify" in broken.stdout


@needs_ssh_keygen
def test_with_a_sign_key_but_without_ssh_keygen_nothing_is_signed(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    key, signers = make_key(tmp_path, "clinician", "dr.k@example.org")
    new_course()
    run_ipt("session", "ab", "--date", DATES[0], "--note", "n")
    (data_home / "config.toml").write_text(f'sign_key = "{key}"\n')
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_ipt("sign", "ab", "1", "--by", "Dr K.", PATH=str(empty), exit_code=2)
    assert "ssh-keygen is not on PATH; nothing was signed" in result.stderr
    assert "signature" not in stored(data_home)["sessions"][0]
    (data_home / "config.toml").write_text(f'sign_key = "{tmp_path / "missing"}"\n')
    missing = run_ipt("sign", "ab", "1", "--by", "Dr K.", exit_code=2)
    assert "is not a file; nothing was signed" in missing.stderr
    assert "signature" not in stored(data_home)["sessions"][0]
    assert os.environ.get("PATH")  # the test runner's own PATH was left alone


def _keyed(setup, data_home: Path, tmp_path: Path) -> Path:
    """Two sessions signed with a key; config.toml names the key and allowed_signers.
    Set-up, in-process (`ipt_setup`): the signing itself is tested above."""
    key, signers = make_key(tmp_path, "clinician", "dr.k@example.org")
    setup("new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
          "--problem-area", "grief", "--no-input")  # fmt: skip
    for day in DATES[:2]:
        setup("session", "ab", "--date", day, "--note", "n")
    (data_home / "config.toml").write_text(
        f'signer = "Dr K."\nsign_key = "{key}"\nallowed_signers = "{signers}"\n'
    )
    setup("sign", "ab", "--all")
    assert "2 key signature(s) verified" in setup("verify", "ab").stdout
    return signers


def _rehash(document: dict[str, Any]) -> None:
    """Strip every key signature and recompute the chain, as a forger without the key can."""
    from ipt_cli.core.models import Course
    from ipt_cli.core.signing import GENESIS, _payload, digest, links

    course = Course.model_validate(document)
    previous = GENESIS
    for link in sorted(links(course), key=lambda found: found.seq):
        fields = link.signature.model_dump() | {"previous": previous}
        fields |= {"hash": digest(_payload(fields, link.subject())), "key": None}
        fields["ssh_signature"] = None
        holder = (
            link.session
            if link.list_name is None
            else getattr(link.session, link.list_name)[link.index - 1]
        )
        holder.signature = type(link.signature).model_validate(fields)
        previous = fields["hash"]
    document.clear()
    document.update(course.model_dump(mode="python", exclude_none=True))


@needs_ssh_keygen
def test_stripped_key_signatures_fail_verify_when_keys_are_in_use(
    ipt_bin, ipt_setup, data_home: Path, tmp_path: Path
) -> None:
    _keyed(ipt_setup, data_home, tmp_path)
    rewrite(data_home, _rehash)
    stripped = stored(data_home)["sessions"][0]["signature"]
    assert "ssh_signature" not in stripped
    done = ipt_bin("verify", "ab", check_code=9)
    assert "session 1 (id 1, 2026-01-12): has no key signature" in done.stdout
    assert "session 2" in done.stdout and "holds" not in done.stdout


@needs_ssh_keygen
@pytest.mark.parametrize(
    "content",
    [b"garbage in a file\n", b"", b"\xff\xfe\x00", b"dr ssh-ed25519 notbase64!!\n"],
)
def test_a_garbage_allowed_signers_is_a_configuration_error(
    ipt_bin, ipt_setup, data_home: Path, tmp_path: Path, content: bytes
) -> None:
    signers = _keyed(ipt_setup, data_home, tmp_path)
    signers.write_bytes(content)
    done = ipt_bin("verify", check_code=2)
    assert done.stderr.startswith(f"ipt: error: allowed_signers {signers}:")
    assert "changed after signing" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
