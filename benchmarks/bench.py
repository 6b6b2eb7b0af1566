"""Side-by-side start-up and scale benchmarks for ipt (a script, not a test).

    python benchmarks/bench.py [--runs 15] [--jrnl /path/to/jrnl]

Each target compares two commands run alternately (A, B, A, B, ...) in one session and
reports the ratio of their medians, so machine load hits both sides alike. Results are
written up in docs/performance.md. Needs only the standard library and an installed ipt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = [
    sys.executable,
    "-c",
    "import typer, rich.console, pydantic, tomllib, tomli_w, platformdirs",
]


def ipt() -> list[str]:
    found = shutil.which("ipt", path=str(Path(sys.executable).parent)) or shutil.which("ipt")
    return [found] if found else [sys.executable, "-m", "ipt_cli"]


def make_course(course_id: str, acute: int, maintenance: int) -> str:
    """A realistic course: a PHQ-9 every session, notes, goals, techniques."""
    from ipt_cli.core import changes
    from ipt_cli.core.models import SessionRecord
    from ipt_cli.store.courses import dump_course

    start = dt.date(2020, 1, 6)
    course = changes.new_course(
        course_id,
        "B.M.",
        start,
        acute,
        ["role-transition"],
        dt.datetime(2020, 1, 6, tzinfo=dt.UTC),
        baseline_measures=changes.measure_fields(phq9="2,2,2,2,2,2,2,1,0"),
    )
    for n in range(acute):
        changes.add_session(
            course,
            SessionRecord(
                date=start + dt.timedelta(weeks=n),
                note=f"Session {n + 1}: " + "notes " * 60,
                techniques=["clarification", "role-play"],
                goal_ratings={"transition-mastery": n % 11},
                **changes.measure_fields(phq9=",".join([str(max(2 - n // 6, 0))] * 8 + ["0"])),
            ),
        )
    if maintenance:
        changes.open_maintenance(course, maintenance, "monthly", None, start)
        for n in range(maintenance):
            changes.record_session(
                course,
                SessionRecord(
                    date=course.maintenance.start_date + dt.timedelta(days=30 * n),  # type: ignore[union-attr]
                    note="Maintenance " + "notes " * 40,
                    **changes.measure_fields(phq9="1,1,0,0,0,0,0,0,0"),
                ),
            )
    return dump_course(course)


def searchable(course: str, n: int) -> str:
    """Course n of the 1,000: "mother" in one note of every course, "funeral" in one note
    of every hundredth (what `ipt search` looks for)."""
    text = course.replace('"c16"', f'"c{n:04d}"').replace("Session 5:", "Session 5: mother")
    return text.replace("Session 3:", "Session 3: funeral") if n % 100 == 0 else text


def make_home(root: Path, courses: dict[str, str]) -> Path:
    (root / "courses").mkdir(parents=True, mode=0o700)
    root.chmod(0o700)
    for course_id, text in courses.items():
        path = root / "courses" / f"{course_id}.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    return root


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time in seconds and peak resident memory in KiB of one run."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss


def compare(
    name: str,
    a: list[str],
    a_env: dict[str, str],
    b: list[str],
    b_env: dict[str, str],
    runs: int,
    target: float | None,
) -> dict[str, object]:
    """Median wall times of A and B, and their ratio against `target` (None: no target,
    measured for the record)."""
    for _ in range(2):  # warm caches (and the list index) on both sides
        run_once(a, a_env)
        run_once(b, b_env)
    times_a, times_b, peak = [], [], 0
    for _ in range(runs):
        ta, mem = run_once(a, a_env)
        tb, _ = run_once(b, b_env)
        times_a.append(ta)
        times_b.append(tb)
        peak = max(peak, mem)
    med_a, med_b = statistics.median(times_a), statistics.median(times_b)
    ratio = med_a / med_b
    ok = target is None or ratio <= target
    row = {
        "name": name,
        "a_ms": med_a * 1000,
        "b_ms": med_b * 1000,
        "ratio": ratio,
        "target": target,
        "ok": ok,
        "peak_kib": peak,
    }
    verdict = (
        "(no target)" if target is None else (f"(target <= {target}) {'OK' if ok else 'MISSED'}")
    )
    print(
        f"{name:58s} {med_a * 1000:7.1f} ms / {med_b * 1000:7.1f} ms = {ratio:4.2f} {verdict}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--jrnl",
        default=os.environ.get("JRNL"),
        help="path to jrnl 4.6, installed in its own virtualenv",
    )
    args = parser.parse_args()
    print(
        f"{dt.date.today()} | {platform.platform()} | {platform.processor() or ''} | "
        f"{os.cpu_count()} CPUs | Python {platform.python_version()} | {args.runs} runs"
    )
    with tempfile.TemporaryDirectory(prefix="ipt-bench-") as folder:
        root = Path(folder)
        c16 = make_course("c16", 16, 0)
        c200 = make_course("c200", 16, 184)
        small = make_home(
            root / "small", {f"c{n:04d}": c16.replace('"c16"', f'"c{n:04d}"') for n in range(10)}
        )
        large = make_home(root / "large", {f"c{n:04d}": searchable(c16, n) for n in range(1000)})
        one = make_home(root / "one", {"c16": c16, "c200": c200})
        base = {**os.environ, "NO_COLOR": "1", "IPT_TODAY": "2020-06-01"}
        env = {
            n: {**base, "IPT_HOME": str(p)}
            for n, p in (("small", small), ("large", large), ("one", one))
        }
        results = []
        if args.jrnl:
            results.append(
                compare(
                    "ipt --help vs jrnl --version",
                    [*ipt(), "--help"],
                    base,
                    [args.jrnl, "--version"],
                    base,
                    args.runs,
                    1.0,
                )
            )
        else:
            print("skipped: ipt --help vs jrnl --version (give --jrnl PATH)")
        results.append(
            compare(
                "ipt report (16 sessions) vs import floor",
                [*ipt(), "report", "c16"],
                env["one"],
                FLOOR,
                base,
                args.runs,
                1.3,
            )
        )
        results.append(
            compare(
                "ipt report (16 sessions), cache off, vs import floor",
                [*ipt(), "report", "c16"],
                {**env["one"], "IPT_NO_CACHE": "1"},
                FLOOR,
                base,
                args.runs,
                None,
            )
        )
        results.append(
            compare(
                "ipt list: 1,000 courses vs 10 courses",
                [*ipt(), "list"],
                env["large"],
                [*ipt(), "list"],
                env["small"],
                args.runs,
                2.0,
            )
        )
        for query, what in (
            ("funeral", "in 10 courses"),
            ("mother", "in every course"),
            ("notes", "in every note, 16,000 lines"),
        ):
            results.append(
                compare(
                    f"ipt search {query} ({what}) vs ipt list, 1,000 courses",
                    [*ipt(), "search", query],
                    env["large"],
                    [*ipt(), "list"],
                    env["large"],
                    args.runs,
                    None if query == "notes" else 2.0,
                )
            )
        results.append(
            compare(
                "ipt report: 200 sessions vs 16 sessions",
                [*ipt(), "report", "c200"],
                env["one"],
                [*ipt(), "report", "c16"],
                env["one"],
                args.runs,
                1.3,
            )
        )
        results.append(
            compare(
                "ipt report: 200 sessions vs 16, cache off",
                [*ipt(), "report", "c200"],
                {**env["one"], "IPT_NO_CACHE": "1"},
                [*ipt(), "report", "c16"],
                {**env["one"], "IPT_NO_CACHE": "1"},
                args.runs,
                1.3,
            )
        )
        peak = max(int(r["peak_kib"]) for r in results if "report" in str(r["name"]))
        print(
            f"peak memory of ipt report (200 sessions): {peak / 1024:.1f} MiB "
            f"(target <= 50 MiB) {'OK' if peak <= 50 * 1024 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
