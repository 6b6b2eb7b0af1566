"""Shared fixtures: every test gets its own data folder; nothing touches a real home."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ipt_cli.cli.app import app
from ipt_cli.views import console

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
PHQ9_MODERATE = "2,2,1,2,1,1,1,0,0"  # total 10
PHQ9_RISK = "1,1,1,1,1,1,1,1,1"  # item 9 = 1


@pytest.fixture(autouse=True, scope="session")
def ipt_bytecode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Where PYTHONDONTWRITEBYTECODE is set, every `ipt` a test starts would compile ipt's
    modules afresh (an editable install has no bytecode of them): ~70 ms of a ~0.23 s start.
    Those processes get a bytecode cache in the session's temp folder instead; the source
    tree stays free of bytecode, as the setting asks. The code they run is the same."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONDONTWRITEBYTECODE")
        patch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path_factory.getbasetemp() / "pycache"))
        yield


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "ipt-home"
    monkeypatch.setenv("IPT_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("IPT_TODAY", "2026-03-01")
    monkeypatch.setenv("PAGER", "cat")  # a test that pages sets its own (tests/e2e)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # a generated identity
    for name in (
        "IPT_DEBUG",
        "FORCE_COLOR",
        "VISUAL",
        "EDITOR",
        "IPT_IDENTITY",
        "IPT_PASSPHRASE",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


RunIpt = Callable[..., Result]


@pytest.fixture
def run_ipt() -> RunIpt:
    """Invoke ipt in-process; fail loudly, with its output, on an unexpected exit code."""

    def run(*args: str, exit_code: int = 0, input: str | None = None, **env: str) -> Result:
        console.out.cache_clear()  # each run sees its own terminal and environment, as a
        console.err.cache_clear()  # new process would
        result = CliRunner().invoke(app, list(args), input=input, env=env or None, prog_name="ipt")
        if result.exit_code != exit_code:
            raise AssertionError(
                f"ipt {' '.join(args)} exited {result.exit_code}, expected {exit_code}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}\n"
                f"--- exception ---\n{result.exception!r}"
            )
        return result

    return run


@pytest.fixture
def ipt_setup(run_ipt: RunIpt) -> Callable[..., Result]:
    """Set-up that is not what a test is about: the same commands, run in this process
    (~20 ms instead of a ~0.2 s start of the binary), called as `ipt_bin` is (`check_code=`,
    `env=`). What the test asserts on still comes from the binary."""

    def run(*args: str, check_code: int = 0, env: dict[str, str] | None = None) -> Result:
        return run_ipt(*args, exit_code=check_code, **(env or {}))

    return run


def ipt_command() -> list[str]:
    """The installed console script, else the module (same code)."""
    found = shutil.which("ipt", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "ipt_cli"]


@pytest.fixture
def ipt_bin(data_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(
        *args: str, check_code: int | None = 0, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **kwargs.pop("env", {})}
        done = subprocess.run(
            [*ipt_command(), *args], capture_output=True, text=True, env=env, timeout=60, **kwargs
        )
        if check_code is not None and done.returncode != check_code:
            raise AssertionError(
                f"ipt {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        return done

    return run


def concurrent_sessions(
    ipt_bin: Callable[..., subprocess.CompletedProcess[str]], writers: int, each: int, date: str
) -> list[str]:
    """Run `writers` threads, each recording `each` sessions through the real binary at
    once; return the stderr of every failed run (notes are "w<i>-<n>")."""
    import threading

    failures: list[str] = []

    def writer(index: int) -> None:
        for n in range(each):
            done = ipt_bin(  # many sittings on one day, on purpose: --same-day
                "session",
                "ab",
                "--date",
                date,
                "--same-day",
                "--note",
                f"w{index}-{n}",
                check_code=None,
            )
            if done.returncode != 0:
                failures.append(done.stderr)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.fixture
def new_course(run_ipt: RunIpt) -> Callable[..., Result]:
    def make(course_id: str = "ab", *extra: str, **env: str) -> Result:
        args = [
            "new-course",
            course_id,
            "--client",
            "A.B.",
            "--start",
            "2026-01-05",
            "--problem-area",
            "grief",
            "--no-input",
            *extra,
        ]
        return run_ipt(*args, **env)

    return make
