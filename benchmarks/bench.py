"""Side-by-side benchmarks of ipt's everyday path, cold (a script, not a test).

    python benchmarks/bench.py [--runs 15] [--jrnl /path/to/jrnl] [--only NAME]

Each target compares two commands run alternately (A, B, A, B, ...) in one session and
reports the ratio of their medians, so machine load hits both sides alike. A command may
have a preparation step (untimed) run before each of its runs: `ipt session` gets a fresh
copy of its course, so every run is the same write; a cold `ipt list` gets its index
removed. Results are written up in docs/performance.md. Needs only the standard library, an
installed ipt and, for the jrnl rows, jrnl in its own virtualenv.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FLOOR = [
    sys.executable,
    "-c",
    "import typer, rich.console, pydantic, tomllib, tomli_w, platformdirs",
]


def ipt() -> list[str]:
    found = shutil.which("ipt", path=str(Path(sys.executable).parent)) or shutil.which("ipt")
    return [found] if found else [sys.executable, "-m", "ipt_cli"]


def make_course(course_id: str, acute: int, maintenance: int, held: int | None = None) -> str:
    """A realistic course: a PHQ-9 every session, notes, goals, techniques; `held` of the
    `acute` planned sessions recorded (all by default), then `maintenance` sessions."""
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
    for n in range(acute if held is None else held):
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
        plan = changes.open_maintenance(course, 12, "weekly", None, start)
        # Appended directly: a contract of more than 500 sessions is not offered, but a
        # file may hold them (years of weekly maintenance), and a report must stay fast.
        plan.sessions = [
            SessionRecord(
                date=plan.start_date + dt.timedelta(weeks=n),
                note="Maintenance " + "notes " * 40,
                **changes.measure_fields(phq9="1,1,0,0,0,0,0,0,0"),
            )
            for n in range(maintenance)
        ]
        plan.planned_sessions = min(max(maintenance, 12), 500)
    return dump_course(course)


def make_rhythm_course(course_id: str, days: int) -> str:
    """An IPSRT course of 16 held sessions with `days` daily social rhythm entries, every
    anchor logged with the people involved and a mood."""
    from ipt_cli.core.models import Course, RhythmEntry
    from ipt_cli.store.courses import dump_course, parse_course

    course: Course = parse_course(make_course(course_id, 16, 0), Path(f"{course_id}.toml"))
    course.adaptation = "ipsrt"
    end = dt.date(2020, 4, 26)
    course.rhythm = [
        RhythmEntry(
            date=end - dt.timedelta(days=n),
            out_of_bed=dt.time(7, n % 50),
            first_contact=dt.time(8, n % 40),
            start_activity=dt.time(9, n % 30),
            dinner=dt.time(18 + n % 2, 30),
            to_bed=dt.time(n % 2, 15),
            with_people=[0, 1, 3, 2, 1],
            mood=n % 11 - 5,
        )
        for n in range(days)
    ]
    return dump_course(Course.model_validate(course.model_dump()))


def make_home(root: Path, courses: dict[str, str]) -> Path:
    (root / "courses").mkdir(parents=True, mode=0o700)
    root.chmod(0o700)
    for course_id, text in courses.items():
        path = root / "courses" / f"{course_id}.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    return root


Prepare = Callable[[], None] | None


@dataclass(frozen=True)
class Side:
    command: list[str]
    env: dict[str, str]
    prepare: Prepare = None


def run_once(side: Side) -> tuple[float, int]:
    """Wall time in seconds and peak resident memory in KiB of one run."""
    if side.prepare is not None:
        side.prepare()
    started = time.perf_counter()
    proc = subprocess.Popen(
        side.command, env=side.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(side.command)}")
    return elapsed, usage.ru_maxrss


def peak_kib(side: Side) -> int:
    """Peak resident memory of one run, measured by /usr/bin/time: the rusage that os.wait4
    reports for a child of this (large) benchmark process carries the parent's peak across
    fork and exec, so it would overstate every command."""
    timer = shutil.which("time", path="/usr/bin")
    if timer is None:
        return run_once(side)[1]
    if side.prepare is not None:
        side.prepare()
    done = subprocess.run(
        [timer, "-f", "%M", *side.command],
        env=side.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1])


def run_sequence(sides: list[Side]) -> tuple[float, int]:
    total, peak = 0.0, 0
    for side in sides:
        elapsed, mem = run_once(side)
        total, peak = total + elapsed, max(peak, mem)
    return total, peak


def compare(
    name: str, a: list[Side], b: list[Side], runs: int, target: float | None
) -> dict[str, object]:
    """Median wall times of A and B (each a sequence of commands, usually one), and their
    ratio against `target` (None: no target, measured for the record)."""
    for _ in range(2):  # warm the file cache on both sides
        run_sequence(a)
        run_sequence(b)
    times_a, times_b, peak = [], [], 0
    for _ in range(runs):
        ta, mem = run_sequence(a)
        tb, _ = run_sequence(b)
        times_a.append(ta)
        times_b.append(tb)
        peak = max(peak, mem)
    peak = max(peak_kib(side) for side in a)
    med_a, med_b = statistics.median(times_a), statistics.median(times_b)
    ratio = med_a / med_b
    ok = target is None or ratio <= target
    verdict = "(no target)" if target is None else f"(<= {target}) {'OK' if ok else 'MISSED'}"
    print(
        f"{name:60s} {med_a * 1000:7.1f} / {med_b * 1000:7.1f} ms = {ratio:4.2f} {verdict}"
        f"  peak {peak / 1024:.1f} MiB",
        flush=True,
    )
    return {"name": name, "ratio": ratio, "ok": ok, "peak_kib": peak}


def restore(path: Path, text: str) -> Prepare:
    def write() -> None:
        path.write_text(text, encoding="utf-8")

    return write


def unlink(path: Path) -> Prepare:
    def remove() -> None:
        path.unlink(missing_ok=True)

    return remove


def make_journal(root: Path) -> dict[str, str]:
    """A one-entry jrnl journal and the environment that points jrnl at it."""
    config_home = root / "config"
    (config_home / "jrnl").mkdir(parents=True)
    journal = root / "journal.txt"
    journal.write_text("[2020-01-06 09:00 AM] Session notes\nA short entry.\n\n")
    (config_home / "jrnl" / "jrnl.yaml").write_text(
        "colors: {body: none, date: none, tags: none, title: none}\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\n"
        "highlight: false\nindent_character: '|'\n"
        f"journals: {{default: {{journal: {journal}}}}}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\ntimeformat: '%F %r'\n"
        "version: v4.2\n"
    )
    return {"XDG_CONFIG_HOME": str(config_home), "XDG_DATA_HOME": str(root / "data")}


def compile_ipt() -> None:
    """Byte-compile the installed ipt package, as `pip install` does. An editable install
    under PYTHONDONTWRITEBYTECODE=1 (set on some machines) would otherwise compile every
    module from source on every run, which no installed copy does (jrnl, the comparison,
    is compiled at install too)."""
    import ipt_cli

    compileall.compile_dir(Path(ipt_cli.__file__).parent, quiet=1)


def main() -> None:  # noqa: C901 - a flat list of measurements
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--jrnl", default=os.environ.get("JRNL"), help="path to jrnl")
    parser.add_argument(
        "--only", default="", help="run only the rows whose name has one of these (comma-separated)"
    )
    args = parser.parse_args()
    compile_ipt()
    print(
        f"{dt.date.today()} | {platform.platform()} | {platform.processor() or ''} | "
        f"{os.cpu_count()} CPUs | Python {platform.python_version()} | {args.runs} runs"
    )
    with tempfile.TemporaryDirectory(prefix="ipt-bench-") as folder:
        root = Path(folder)
        c16 = make_course("c16", 16, 0)
        c16_open = make_course("w16", 30, 0, held=16)
        c2000 = make_course("c2000", 30, 1970, held=30)
        one = make_home(
            root / "one",
            {
                "c16": c16,
                "w16": c16_open,
                "c2000": c2000,
                "rhythm-week": make_rhythm_course("rhythm-week", 7),
                "rhythm-year": make_rhythm_course("rhythm-year", 365),
            },
        )
        base = {**os.environ, "NO_COLOR": "1", "IPT_TODAY": "2026-06-01"}
        home = {**base, "IPT_HOME": str(one)}
        floor = Side(FLOOR, base)
        write_course = restore(one / "courses" / "w16.toml", c16_open)
        session = Side(
            [*ipt(), "session", "w16", "--date", "2020-05-01", "--phq9", "1,1,1,1,0,0,0,0,0",
             "--mood", "6", "--note", "Talked about the move"],
            home,
            write_course,
        )  # fmt: skip
        reads = {
            "report": Side([*ipt(), "report", "c16"], home),
            "agenda": Side([*ipt(), "agenda", "w16"], home, write_course),
            "plan": Side([*ipt(), "plan", "c16"], home),
        }
        rows: list[tuple[str, list[Side], list[Side], float | None]] = [
            ("ipt session (write, 16 sessions) vs floor", [session], [floor], 2.0),
            *[(f"ipt {n} (cold) vs floor", [s], [floor], 2.0) for n, s in reads.items()],
            ("ipt session then ipt report vs two floors", [session, reads["report"]],
             [floor, floor], 2.0),
            ("ipt report: 2,000 sessions vs 16", [Side([*ipt(), "report", "c2000"], home)],
             [reads["report"]], 1.5),
            *[(f"ipt report --format {f}: 2,000 sessions vs 16",
               [Side([*ipt(), "report", "c2000", "--format", f], home)],
               [Side([*ipt(), "report", "c16", "--format", f], home)], None)
              for f in ("json", "markdown")],
            ("ipt report: a year of daily rhythm logs vs a week's",
             [Side([*ipt(), "report", "rhythm-year"], home)],
             [Side([*ipt(), "report", "rhythm-week"], home)], 1.3),
            ("ipt rhythm report: a year of daily logs vs a week's",
             [Side([*ipt(), "rhythm", "rhythm-year", "report", "--weeks", "4"], home)],
             [Side([*ipt(), "rhythm", "rhythm-week", "report", "--weeks", "4"], home)], 1.3),
        ]  # fmt: skip
        if args.jrnl:
            journal_env = {**base, **make_journal(root / "jrnl")}
            last_entry = Side([args.jrnl, "-n", "1"], journal_env)
            version = Side([args.jrnl, "--version"], journal_env)
            rows += [
                ("ipt session vs jrnl -n 1", [session], [last_entry], 1.3),
                *[(f"ipt {n} vs jrnl -n 1", [s], [last_entry], 1.3) for n, s in reads.items()],
                ("ipt --help vs jrnl --version", [Side([*ipt(), "--help"], base)], [version],
                 0.8),
                ("ipt guide vs jrnl --version", [Side([*ipt(), "guide"], base)], [version], 0.8),
            ]  # fmt: skip
        else:
            print("skipped: the jrnl rows (give --jrnl PATH)")
        if not args.only or "list" in args.only:  # slow to set up: only when asked
            rows += list_rows(root, c16, base, floor)
        if not args.only or "search" in args.only:
            rows += search_rows(root, c16, base)
        rows += encrypted_rows(root, {"c16": c16, "w16": c16_open}, base, session, reads)
        results = [
            compare(name, a, b, args.runs, target)
            for name, a, b, target in rows
            if any(part in name for part in args.only.split(","))
        ]
        # scrypt's own memory (age's work factor) is the passphrase's cost, not ipt's
        kept = [r for r in results if "passphrase" not in str(r["name"])]
        peak = max(int(str(r["peak_kib"])) for r in kept) if kept else 0
        print(
            f"peak memory of any ipt command above (passphrase rows aside): {peak / 1024:.1f} "
            f"MiB (<= 40 MiB) {'OK' if peak <= 40 * 1024 else 'MISSED'}"
        )


def encrypted_rows(
    root: Path, courses: dict[str, str], base: dict[str, str], session: Side, reads: dict[str, Side]
) -> list[tuple[str, list[Side], list[Side], float | None]]:
    """The same report and session on an age-encrypted copy of the folder (issue 19)."""
    import pyrage
    from pyrage import x25519

    identity = x25519.Identity.generate()
    key_file = root / "identity.txt"
    key_file.write_text(f"{identity}\n")
    key_file.chmod(0o600)  # ipt refuses a private key others can read
    sealed = make_home(root / "sealed", courses)
    env = {**base, "IPT_HOME": str(sealed), "IPT_IDENTITY": str(key_file)}
    subprocess.run([*ipt(), "init", "--encrypt"], env=env, check=True, capture_output=True)
    w16 = sealed / "courses" / "w16.toml.age"
    plain_w16 = courses["w16"].encode()

    def write_sealed() -> None:
        w16.write_bytes(pyrage.encrypt(plain_w16, [identity.to_public()]))

    sealed_session = Side([*ipt(), *session.command[len(ipt()) :]], env, write_sealed)
    sealed_report = Side([*ipt(), "report", "c16"], env)
    phrase_session, phrase_report = passphrase_sides(root, courses, base, session)
    plain_pair = [session, reads["report"]]
    return [
        ("ipt report: encrypted vs plain", [sealed_report], [reads["report"]], 1.1),
        ("ipt session: encrypted vs plain", [sealed_session], [session], 1.1),
        ("ipt session then ipt report: key-encrypted vs plain",
         [sealed_session, sealed_report], plain_pair, 1.1),
        # one scrypt per command (issue 25): its cost is the passphrase's, measured only
        ("ipt session then ipt report: passphrase vs plain",
         [phrase_session, phrase_report], plain_pair, None),
        ("ipt session then ipt report: passphrase vs key-encrypted",
         [phrase_session, phrase_report], [sealed_session, sealed_report], None),
    ]  # fmt: skip


def passphrase_sides(
    root: Path, courses: dict[str, str], base: dict[str, str], session: Side
) -> tuple[Side, Side]:
    """The session and report on a passphrase-encrypted copy of the folder (age's own
    pattern: an identity sealed with the passphrase, files sealed to it)."""
    import pyrage
    from pyrage import passphrase, x25519

    secret = "bench passphrase"
    home = make_home(root / "phrase", courses)
    env = {**base, "IPT_HOME": str(home), "IPT_PASSPHRASE": secret}
    subprocess.run(
        [*ipt(), "init", "--encrypt", "--passphrase"], env=env, check=True, capture_output=True
    )
    key = passphrase.decrypt((home / "identity.age").read_bytes(), secret).decode()
    identity = x25519.Identity.from_str(
        next(line for line in key.splitlines() if line.startswith("AGE-SECRET-KEY-"))
    )
    w16 = home / "courses" / "w16.toml.age"
    plain_w16 = courses["w16"].encode()

    def write_sealed() -> None:
        w16.write_bytes(pyrage.encrypt(plain_w16, [identity.to_public()]))

    return (
        Side([*ipt(), *session.command[len(ipt()) :]], env, write_sealed),
        Side([*ipt(), "report", "c16"], env),
    )


def list_rows(
    root: Path, c16: str, base: dict[str, str], floor: Side
) -> list[tuple[str, list[Side], list[Side], float | None]]:
    def folder(name: str, count: int) -> Path:
        return make_home(
            root / name, {f"c{n:05d}": c16.replace('"c16"', f'"c{n:05d}"') for n in range(count)}
        )

    warm = folder("warm10k", 10_000)
    cold = folder("cold1k", 1_000)
    warm_env = {**base, "IPT_HOME": str(warm)}
    subprocess.run([*ipt(), "list"], env=warm_env, stdout=subprocess.DEVNULL, check=True)
    cold_list = Side([*ipt(), "list"], {**base, "IPT_HOME": str(cold)}, unlink(cold / "index.json"))
    return [
        ("ipt list, 10,000 courses, index warm, vs floor", [Side([*ipt(), "list"], warm_env)],
         [floor], 3.0),
        ("ipt list, 1,000 courses, index cold, vs floor", [cold_list], [floor], 10.0),
        ("ipt outcomes, 10,000 courses, index warm, vs ipt list",
         [Side([*ipt(), "outcomes"], warm_env)], [Side([*ipt(), "list"], warm_env)], 3.0),
    ]  # fmt: skip


def searchable(course: str, n: int) -> str:
    """Course n of 1,000: "mother" in one note of every course, "funeral" in one note of
    every hundredth (what the search rows look for)."""
    text = course.replace('"c16"', f'"c{n:05d}"').replace("Session 5:", "Session 5: mother")
    return text.replace("Session 3:", "Session 3: funeral") if n % 100 == 0 else text


def search_rows(
    root: Path, c16: str, base: dict[str, str]
) -> list[tuple[str, list[Side], list[Side], float | None]]:
    """ipt search against ipt list (index warm) over the same 1,000 courses."""
    home = make_home(root / "search1k", {f"c{n:05d}": searchable(c16, n) for n in range(1000)})
    env = {**base, "IPT_HOME": str(home)}
    subprocess.run([*ipt(), "list"], env=env, stdout=subprocess.DEVNULL, check=True)
    listing = Side([*ipt(), "list"], env)
    return [
        (f"ipt search {query} ({what}) vs ipt list, 1,000 courses",
         [Side([*ipt(), "search", query], env)], [listing], target)
        for query, what, target in (
            ("funeral", "in 10 courses", 2.0),
            ("mother", "in every course", 2.0),
        )
    ]  # fmt: skip


if __name__ == "__main__":
    main()
