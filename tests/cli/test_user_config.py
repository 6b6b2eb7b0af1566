"""Issue 27 item 12: settings live where the platform keeps configuration
(`~/.config/ipt/config.toml`, under $XDG_CONFIG_HOME), the data folder's config.toml is
still read and wins key by key, every message about config.toml names the files, and
`ipt doctor` names both. The user's file passes the same gate as the data folder's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ipt_command

Bin = Callable[..., subprocess.CompletedProcess[str]]
NOBODY = 65534


@pytest.fixture
def user_config(data_home: Path) -> Path:
    """The user's config.toml, where the conftest's XDG_CONFIG_HOME puts it."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "ipt" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _course(ipt_bin: Bin) -> None:
    """PHQ-9 10 -> 5 and GAD-7 8 -> 4: a 5- and a 4-point fall."""
    ipt_bin(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--phq9", "2,2,1,2,1,1,1,0,0", "--gad7", "2,1,1,1,1,1,1", "--no-input",
    )  # fmt: skip
    ipt_bin(
        "session", "ab", "--date", "2026-01-12", "--phq9", "1,1,1,1,1,0,0,0,0",
        "--gad7", "1,1,1,1,0,0,0", "--note", "x",
    )  # fmt: skip


def _improved(ipt_bin: Bin) -> dict[str, bool]:
    report = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    return {k: m["reliable_improvement"] for k, m in report["measures"].items()}


def test_the_users_settings_are_read_and_the_data_folders_win_key_by_key(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path, user_config: Path
) -> None:
    _course(ipt_setup)
    assert _improved(ipt_bin) == {"phq9": False, "gad7": True}  # defaults: 6 and 4 points
    user_config.write_text(
        'signer = "Dr U."\n[scoring.reliable_change]\nphq9 = 5\ngad7 = 5\n', encoding="utf-8"
    )
    assert _improved(ipt_bin) == {"phq9": True, "gad7": False}  # the user's file is read
    (data_home / "config.toml").write_text("[scoring.reliable_change]\ngad7 = 4\n")
    assert _improved(ipt_bin) == {"phq9": True, "gad7": True}  # gad7 from the data folder's,
    # phq9 still from the user's: merged key by key inside a table
    assert "Dr U." in ipt_bin("sign", "ab", "1").stdout  # the signer from the user's file
    ipt_setup("session", "ab", "--date", "2026-01-19", "--note", "y")
    (data_home / "config.toml").write_text('signer = "Dr D."\n')
    signed = ipt_bin("sign", "ab", "2").stdout  # who signs is personal: the user's file wins
    assert "Dr U." in signed and "Dr D." not in signed
    user_config.write_text("[scoring.reliable_change]\nphq9 = 5\n")
    ipt_setup("session", "ab", "--date", "2026-01-26", "--note", "z")
    assert "Dr D." in ipt_bin("sign", "ab", "3").stdout  # none of the user's: the folder's


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_a_synced_folders_config_never_says_who_signs_or_with_which_key(
    ipt_bin: Bin, data_home: Path, user_config: Path, tmp_path: Path
) -> None:
    """In a synced folder, config.toml is a file other machines change: its signer and
    sign_key signed this clinician's sessions under another name and key when the user's own
    file set none. They are not used there; the user's file says who signs."""
    from tests.cli.test_signed_record import make_key

    _course(ipt_bin)
    key, signers = make_key(tmp_path, "id_other", "Dr D.")
    (data_home / "config.toml").write_text(f'signer = "Dr D."\nsign_key = "{key}"\n')
    subprocess.run(["git", "init", "-q", str(data_home)], check=True)
    refused = ipt_bin("sign", "ab", "1", check_code=2)
    assert refused.stderr == (
        "ipt: error: who signs? give --by NAME; the synced folder's config.toml sets signer, "
        f"which other machines can change, so it is not used: set signer in your own "
        f"{user_config}\n"
    )
    keyed = ipt_bin("sign", "ab", "1", "--by", "Dr U.", check_code=2)  # the folder's key
    assert keyed.stderr.startswith("ipt: error: nothing was signed: the synced folder's "
                                   "config.toml sets sign_key")  # fmt: skip
    assert json.loads(ipt_bin("note", "ab", "1", "--format", "json").stdout)["signed"] is None
    mine, _ = make_key(tmp_path, "id_mine", "Dr U.")
    user_config.write_text(f'signer = "Dr U."\nsign_key = "{mine}"\n')
    signed = ipt_bin("sign", "ab", "1").stdout  # the user's own file: signer and key
    assert "as Dr U." in signed and "key signature SHA256:" in signed
    shutil.rmtree(data_home / ".git")  # not synced: the folder's settings apply where
    user_config.write_text("")  # the user set none, as before
    ipt_bin("session", "ab", "--date", "2026-01-19", "--note", "y")
    assert "as Dr D." in ipt_bin("sign", "ab", "2").stdout


def test_a_message_about_config_toml_names_both_files_in_full(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path, user_config: Path
) -> None:
    _course(ipt_setup)
    done = ipt_bin("sign", "ab", "1", check_code=2)
    assert f"{user_config} (yours, which wins; or {data_home / 'config.toml'})" in done.stderr
    user_config.write_text("[scoring]\nhamd17_bands = 3\n")
    done = ipt_bin("report", "ab", check_code=4)
    assert done.stderr.startswith(f"ipt: error: {user_config}: scoring.hamd17_bands")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    user_config.write_text('sign_key = "no-such-key"\n')
    done = ipt_bin("sign", "ab", "1", "--by", "Dr K.", check_code=2)
    assert f"sign_key in {user_config}: {user_config.parent / 'no-such-key'} is not a file" in (
        done.stderr
    )  # a relative path is read from the folder of the file that names it


def test_doctor_names_both_config_files_in_text_and_json(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path, user_config: Path
) -> None:
    _course(ipt_setup)
    data_config = data_home / "config.toml"
    text = ipt_bin("doctor", env={"COLUMNS": "200"}).stdout  # a path whole on a line
    assert f"ok: {user_config}\n    your settings: none (optional)" in text
    assert f"ok: {data_config}\n    the data folder's settings: none" in text
    user_config.write_text('signer = "Dr U."\n')
    found = json.loads(ipt_bin("doctor", "--json").stdout)
    assert {"path", "status", "detail", "problem", "fixed"} == set(found[0])  # scripts' keys
    assert all(f["detail"] == f["problem"] for f in found)  # "problem" of an ok row read oddly
    settings = {f["path"]: f for f in found[:2]}
    assert settings[str(user_config)]["problem"].startswith("your settings: read")
    assert settings[str(data_config)]["problem"] == "the data folder's settings: none (optional)"
    assert any(f["path"].endswith("ab.toml") for f in found)  # the other findings still there
    data_config.write_text("signer = 1\n")
    found = json.loads(ipt_bin("doctor", "--json", check_code=4).stdout)  # damaged: exit 4
    assert [f["status"] for f in found if f["path"] == str(data_config)] == ["error"]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    """A short timeout: a read that blocks fails the test, not the run."""
    return subprocess.run(
        [*ipt_command(), *args], capture_output=True, text=True, env=dict(os.environ), timeout=20
    )


@pytest.mark.parametrize("kind", ["fifo", "too-big", "theirs", "dangling"])
@pytest.mark.parametrize("which", ["user", "data"])
def test_the_users_config_passes_the_same_gate_as_the_data_folders(
    ipt_bin: Bin,
    ipt_setup: Bin,
    data_home: Path,
    user_config: Path,
    tmp_path: Path,
    kind: str,
    which: str,
) -> None:
    """A FIFO, an oversized file, another user's file and a dangling link are refused alike
    in either place: one line naming the file, never a hang or a read of the whole."""
    _course(ipt_setup)
    path = user_config if which == "user" else data_home / "config.toml"
    if kind == "fifo":
        os.mkfifo(path, 0o600)
        expected = (4, "not a regular file")
    elif kind == "too-big":
        with path.open("wb") as handle:
            handle.truncate(2 << 20)
        expected = (4, "1 MiB")
    elif kind == "theirs":
        if os.geteuid() != 0:
            pytest.skip("needs root to give a file to another user")
        path.write_text('signer = "someone else"\n')
        os.chown(path, NOBODY, NOBODY)
        expected = (8, "another user")
    else:
        path.symlink_to(tmp_path / "gone.toml")
        expected = (8, "dangling symlink")
    done = _run(["report", "ab"])
    assert done.returncode == expected[0], done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ipt: error:") and str(path) in lines[0]
    assert expected[1] in lines[0]


@pytest.mark.parametrize("which", ["user", "data"])
def test_a_linked_or_group_writable_config_is_read_alike_in_either_place(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path, user_config: Path, tmp_path: Path, which: str
) -> None:
    """The user's own link to a file of theirs is followed, and a group-writable file read,
    in the user's folder as in the data folder (the same gate, store/reading.py)."""
    _course(ipt_setup)
    path = user_config if which == "user" else data_home / "config.toml"
    real = tmp_path / "shared.toml"
    real.write_text("[scoring.reliable_change]\nphq9 = 5\n")
    path.symlink_to(real)
    assert _improved(ipt_bin)["phq9"] is True
    path.unlink()
    path.write_text("[scoring.reliable_change]\nphq9 = 5\n")
    path.chmod(0o664)
    assert _improved(ipt_bin)["phq9"] is True


def test_a_misspelt_setting_names_the_nearest_known_key(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path, user_config: Path
) -> None:
    _course(ipt_setup)
    user_config.write_text('signr = "Dr U."\n[scoring]\nhamd17_band = "alternative"\n')
    done = ipt_bin("report", "ab", check_code=4)
    assert "signr: is not a field ipt knows; did you mean signer? (line 1)" in done.stderr
    assert "scoring.hamd17_band: is not a field ipt knows; did you mean hamd17_bands?" in (
        done.stderr
    )
    assert len(done.stderr.splitlines()) == 1
