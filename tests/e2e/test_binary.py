"""The installed `ipt` in a subprocess: what a person or a script really runs."""

import ast
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PHQ9_MODERATE, concurrent_sessions, ipt_command

pytestmark = pytest.mark.e2e


def test_binary_core_loop(ipt_bin, data_home: Path) -> None:
    ipt_bin(
        "new-course",
        "ab",
        "--client",
        "A.B.",
        "--problem-area",
        "role-dispute",
        "--dispute-stage",
        "impasse",
        "--start",
        "2026-01-05",
        "--phq9",
        PHQ9_MODERATE,
    )
    ipt_bin("session", "ab", "--date", "2026-01-12", "--phq9", "1,1,1,1,1,1,1,0,0")
    data = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    assert data["measures"]["phq9"]["latest"] == 7
    assert oct((data_home / "courses" / "ab.toml").stat().st_mode & 0o777) == "0o600"
    text = ipt_bin("report", "ab").stdout
    assert "Role dispute (dispute stage: impasse)" in text
    assert "\x1b[" not in text  # piped output is plain


def test_module_entry_point_matches(data_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ipt_cli", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("ipt ")


def test_bad_input_never_shows_a_traceback(ipt_bin, data_home: Path) -> None:
    (data_home / "courses").mkdir(parents=True)
    (data_home / "courses" / "bad.toml").write_bytes(b"\xff\xfe not utf8")
    for args in (
        ["report", "bad"],
        ["session", "bad"],
        ["new-course", "a/b"],
        ["report", "missing"],
        ["agenda", "bad"],
    ):
        done = ipt_bin(*args, check_code=None)
        assert done.returncode not in (0, 1)
        assert "Traceback" not in done.stderr
        assert done.stderr.splitlines()[-1].startswith("ipt: error:")


def run_noting_modules(args: list[str], modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """Run ipt in a fresh interpreter: its standard output, and which of `modules` it
    imported."""
    code = (  # ipt ends with os._exit: note the modules on the way out
        f"import os, sys; sys.argv = ['ipt', *{args!r}]\n"
        "real_exit = os._exit\n"
        "def noting_exit(status):\n"
        f"    sys.stderr.write(repr([m for m in {modules!r} if m in sys.modules]))\n"
        "    sys.stderr.flush()\n"
        "    real_exit(status)\n"
        "os._exit = noting_exit\n"
        "from ipt_cli.cli.app import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ}
    )
    return done.stdout, ast.literal_eval(done.stderr)


EVERYDAY_HEAVY = ("pydantic", "rich", "importlib.metadata", "email", "ipt_cli.core.models")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # a write needs the models, never Rich (its confirmation is one plain line)
        (["session", "ab", "--mood", "6", "--note", "x"], ["pydantic", "ipt_cli.core.models"]),
        # a JSON report needs the models, never Rich
        (["report", "ab", "--format", "json"], ["pydantic", "ipt_cli.core.models"]),
        # a piped text report draws through Rich
        (["report", "ab"], ["pydantic", "rich", "ipt_cli.core.models"]),
        # an agenda or a plan for a script: its JSON shape, never the terminal view's Rich
        (["agenda", "ab", "--format", "json"], ["pydantic", "ipt_cli.core.models"]),
        (["plan", "ab", "--format", "json"], ["pydantic", "ipt_cli.core.models"]),
        # a warm list into a pipe needs neither the models, nor pydantic, nor Rich
        (["list"], []),
        (["list", "--json"], []),
    ],
)
def test_the_import_graph_of_everyday_commands(
    ipt_setup, data_home: Path, args: list[str], expected: list[str]
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    ipt_setup("list")  # builds the index
    shown, loaded = run_noting_modules(args, EVERYDAY_HEAVY)
    assert loaded == expected


def test_a_report_loads_only_what_a_course_report_needs(ipt_setup, data_home: Path) -> None:
    """Group IPT, social rhythm and the command line's enums are for other commands."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    unneeded = (
        "ipt_cli.core.group", "ipt_cli.core.rhythm", "ipt_cli.cli.choices",
        "rich._emoji_codes",  # Rich's emoji table: panel titles are plain Text
    )  # fmt: skip
    for args in (["report", "ab"], ["agenda", "ab"], ["plan", "ab"]):
        shown, loaded = run_noting_modules(args, unneeded)
        assert shown and loaded == [], args


RENDERINGS = ("ipt_cli.views.json_shapes", "ipt_cli.views.markdown", "ipt_cli.views.wording")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "ab"], ["ipt_cli.views.wording"]),
        (["report", "ab", "--format", "json"], ["ipt_cli.views.json_shapes"]),
        (
            ["report", "ab", "--format", "markdown"],
            ["ipt_cli.views.markdown", "ipt_cli.views.wording"],
        ),
        (["report", "ab", "--format", "html"], ["ipt_cli.views.wording"]),
        (["agenda", "ab"], []),
        (["agenda", "ab", "--format", "json"], ["ipt_cli.views.json_shapes"]),
        (["plan", "ab", "--format", "json"], ["ipt_cli.views.json_shapes"]),
    ],
)
def test_each_format_loads_only_its_own_rendering(
    ipt_setup, data_home: Path, args: list[str], expected: list[str]
) -> None:
    """A JSON shape needs no wording, the terminal no JSON shape or Markdown (issue 30)."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    shown, loaded = run_noting_modules(args, RENDERINGS)
    assert shown and loaded == expected


def test_the_guide_reads_the_catalogue_without_the_models() -> None:
    shown, loaded = run_noting_modules(["guide"], EVERYDAY_HEAVY)
    assert "IPT" in shown and loaded == []


def test_help_does_not_import_heavy_modules() -> None:
    """`ipt --help` loads every command's module for its first sentence: what the commands
    need only when they run stays off it (bench.py: `ipt --help` <= 0.8 of jrnl --version)."""
    shown, loaded = run_noting_modules(
        ["--help"],
        ("pydantic", "rich", "rich.table", "tomli_w", "ipt_cli.core.models",
         "ipt_cli.core.planning", "zoneinfo", "tempfile", "ipt_cli.core.merge",
         "ipt_cli.core.search"),
    )  # fmt: skip
    assert "calendar" in shown and loaded == []


def _acknowledged_amends(
    ipt: list[str], env: dict[str, str], rounds: int, seed: int
) -> tuple[list[str], int]:
    """Start writers and SIGKILL each at a random instant; return the acknowledged notes.
    The instants are drawn over this machine's own time for one writer (the faster of two
    timed first and left to finish: the first start may fill a bytecode cache), from its
    middle to just past its end, where the write is: a fixed window landed too early on a
    slow, loaded machine and too late on a fast one."""
    rng = random.Random(seed)
    acknowledged, kills, whole = [], 0, 60.0
    for n in range(rounds + 2):
        text = f"addendum {n}"
        started = time.monotonic()
        proc = subprocess.Popen(
            [*ipt, "session", "ab", "--amend", "1", "--note", text],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if n < 2:
            assert proc.wait(timeout=60) == 0
            whole = min(whole, time.monotonic() - started)
            acknowledged.append(text)
            continue
        time.sleep(rng.uniform(0.5, 1.1) * whole)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        if proc.wait() == 0:
            acknowledged.append(text)
    return acknowledged, kills


def test_sigkill_at_random_instants_never_loses_or_damages(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    ipt_setup(
        "new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start", "2026-01-05"
    )
    ipt_setup("session", "ab", "--date", "2026-01-12", "--note", "the original")
    rounds = int(os.environ.get("IPT_KILL_ROUNDS", "20"))  # the faults run kills 200 writers
    acknowledged, kills = _acknowledged_amends(ipt_command(), dict(os.environ), rounds, seed=7)
    assert kills >= rounds // 4, f"the kills should land while writers run ({kills} of {rounds})"
    data = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)  # file still loads
    assert data["sessions_recorded"] == 1
    from ipt_cli.store.format import load_course_file

    course = load_course_file(data_home / "courses" / "ab.toml")
    saved = [a.text for a in course.sessions[0].addenda]
    assert course.sessions[0].note == "the original"
    assert set(acknowledged) <= set(saved)


def test_two_concurrent_writers_lose_nothing(ipt_bin, data_home: Path) -> None:
    ipt_bin(
        "new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--sessions", "30",
        "--start", "2026-01-05",
    )  # fmt: skip
    failures = concurrent_sessions(ipt_bin, writers=2, each=10, date="2026-02-01")
    assert failures == []
    from ipt_cli.store.format import load_course_file

    notes = [s.note for s in load_course_file(data_home / "courses" / "ab.toml").sessions]
    assert sorted(notes) == sorted(f"w{i}-{n}" for i in range(2) for n in range(10))


def test_warm_list_does_not_load_the_models(ipt_setup, data_home: Path) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    ipt_setup("list")  # builds the index
    unneeded = ("ipt_cli.core.models", "ipt_cli.store.courses", "ipt_cli.views.terminal")
    shown, loaded = run_noting_modules(["list"], unneeded)
    assert loaded == [] and "ab" in shown


def test_a_cold_list_into_a_pipe_reads_the_courses_without_rich(ipt_setup, data_home: Path) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    (data_home / "index.json").unlink(missing_ok=True)
    shown, loaded = run_noting_modules(["list"], EVERYDAY_HEAVY)
    assert loaded == ["pydantic", "ipt_cli.core.models"] and "A.B." in shown


def test_a_warm_list_in_an_encrypted_folder_is_served_from_its_index(
    ipt_setup, data_home: Path
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    ipt_setup("init", "--encrypt")
    ipt_setup("list")  # builds the (encrypted) index
    shown, loaded = run_noting_modules(["list"], ("pyrage", "ipt_cli.core.models"))
    assert loaded == ["pyrage"] and "A.B." in shown  # the index read, no course parsed


@pytest.mark.parametrize("args", [["guide"], ["demo"], ["list", "--json"], ["list"]])
def test_a_closed_pipe_is_not_a_bug(data_home: Path, args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `ipt guide | head -0`
    try:
        done = subprocess.run(
            [*ipt_command(), *args], stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141 and done.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["session", "ab", "--mood", "6", "--note", "x"],
        ["report", "ab"],
        ["report", "ab", "--format", "json"],
        ["list"],
        ["export", "ab"],
        ["doctor"],
    ],
)
def test_a_plain_data_folder_never_imports_pyrage(
    ipt_setup, data_home: Path, args: list[str]
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    ipt_setup("list")
    _, loaded = run_noting_modules(args, ("pyrage",))
    assert loaded == []


def test_an_encrypted_data_folder_opens_with_pyrage(ipt_setup, data_home: Path) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief")
    ipt_setup("init", "--encrypt")
    shown, loaded = run_noting_modules(["report", "ab", "--format", "json"], ("pyrage",))
    assert loaded == ["pyrage"] and '"client": "A.B."' in shown
