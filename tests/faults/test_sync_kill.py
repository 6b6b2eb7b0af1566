"""`ipt sync` killed at random instants: the next sync finishes the job, and both machines
end with every acknowledged session and every file loading."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ipt_command

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("seed", [19, 7])
def test_a_sync_killed_at_any_instant_loses_nothing(tmp_path: Path, seed: int) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    env = {**os.environ}

    def ipt(folder: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ipt_command(), "--data-dir", str(tmp_path / folder), *args],
            capture_output=True, text=True, env=env, timeout=60, check=check,
        )  # fmt: skip

    ipt("a", "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05",
        "--problem-area", "grief", "--no-input")  # fmt: skip
    ipt("a", "sync", "--init", str(remote))
    ipt("a", "sync")
    ipt("b", "sync", "--init", str(remote))
    rng = random.Random(seed)
    acknowledged = []
    for n in range(4):
        for side, day in (("a", 10 + 2 * n), ("b", 11 + 2 * n)):
            note = f"session from {side} {n}"
            ipt(side, "session", "ab", "--date", f"2026-01-{day:02d}", "--note", note)
            acknowledged.append(note)
            proc = subprocess.Popen(
                [*ipt_command(), "--data-dir", str(tmp_path / side), "sync"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(rng.uniform(0.0, 0.6))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
    for side in ("a", "b", "a", "b"):
        done = ipt(side, "sync", check=False)
        assert done.returncode == 0, done.stderr
    for side in ("a", "b"):
        exported = json.loads(ipt(side, "export", "ab").stdout)
        assert sorted(s["note"] for s in exported["sessions"]) == sorted(acknowledged)
        ipt(side, "doctor")
        for path in (tmp_path / side).rglob("*"):
            if path.is_file() and ".git" not in path.parts:
                assert b"<<<<<<<" not in path.read_bytes()
