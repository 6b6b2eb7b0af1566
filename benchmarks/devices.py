"""Do ipt's speed devices pay their keep? Each one A/B, in one run (a script, not a test).

    python benchmarks/devices.py [--runs 15] [--only NAME]

A device is code kept only because it was faster. For each, a copy of the installed
package with the device taken out (B) runs the command the device serves, alternately with
an untouched copy (A), both as `python -m ipt_cli` from a temporary folder so that they
start alike; the row is B's median over A's. A device stays where removing it breaks a
target of bench.py or costs more than 5% of its command (issue 30); the figures are written
up in docs/performance.md (gc.disable(), measured here first, did not pay and is gone). Needs
only the standard library and an installed ipt.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench  # noqa: E402 - the benchmark helpers beside this script

Patch = tuple[str, str, str]  # (file under ipt_cli/, text to replace, replacement)

STRUCTS_AS_DATACLASSES = '''"""@struct as the standard dataclass (B of benchmarks/devices.py)."""
import dataclasses
from dataclasses import FrozenInstanceError, field, replace


def struct(cls=None, /, *, frozen=False):
    def wrap(cls):
        return dataclasses.dataclass(frozen=frozen)(cls)  # slots: vars() is used on some

    return wrap if cls is None else wrap(cls)


def as_dict(value):
    return dataclasses.asdict(value)
'''

FUTURES_POOL = """

_JOB = None


def _do_share(index):
    items, work, encode, count = _JOB
    return [encode(work(item)) for item in items[index::count]]


def map_shared(items, work, encode, decode, *, progress=None, processes=None):
    import concurrent.futures
    import multiprocessing

    global _JOB
    count = min(processes or usable_cpus(), MAX_PROCESSES, len(items) // (MIN_ITEMS // 2) or 1)
    if len(items) < MIN_ITEMS or count < 2 or not _can_fork():
        return _serial(items, work, progress)
    _JOB = (items, work, encode, count)
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(count - 1, mp_context=context) as pool:
        futures = [pool.submit(_do_share, n) for n in range(1, count)]
        mine = [work(item) for item in items[0::count]]
        theirs = [[decode(r) for r in f.result()] for f in futures]
    shares = [mine, *theirs]
    return [shares[n % count][n // count] for n in range(len(items))]
"""


@dataclass(frozen=True)
class Device:
    name: str
    what: str
    patches: list[Patch]
    rows: list[str]  # which commands it serves: "report", "session", "list", "search"


DEVICES = [
    Device(
        "struct",
        "@struct (core/structs.py) against the standard dataclass",
        [("core/structs.py", "*", STRUCTS_AS_DATACLASSES)],
        ["report", "session"],
    ),
    Device(
        "pydantic-plugin-stand-in",
        "the stand-in for pydantic.plugin._loader (cli/startup.py)",
        [("cli/startup.py", "        _skip_plugin_loader()\n", "        pass\n")],
        ["report", "session"],
    ),
    Device(
        "worker-pool",
        "the fork-based worker pool (store/workers.py) against one process",
        [("store/workers.py", "    return hasattr(os, \"fork\") and", "    return False and")],
        ["list"],
    ),
    Device(
        "worker-pool-futures",
        "the fork-based worker pool against concurrent.futures (fork context)",
        [("store/workers.py", "def map_shared(", "def _own_map_shared("),
         ("store/workers.py", "+", FUTURES_POOL)],
        ["list"],
    ),
    Device(
        "search-pool",
        "the worker pool (store/workers.py) for ipt search against one process",
        [("store/search.py", "processes=1 if cipher is not None else None", "processes=1")],
        ["search"],
    ),
    Device(
        "search-scanner",
        "the regex TOML scanner (store/search.py) against parsing and validating each file",
        [
            ("store/search.py", "            document = self.document(raw,",
             "            raise _GiveUp\n            document = self.document(raw,"),
            ("store/search.py", "    try:\n        return scan(text)\n    except _GiveUp:",
             "    try:\n        raise _GiveUp\n    except _GiveUp:"),
        ],
        ["search"],
    ),
    Device(
        "terminal-detection",
        "Rich's terminal detection copied into Output (a pipe gets plain text without Rich)",
        [("cli/report.py", "    elif out.draws_for_terminal():  # colours: Rich draws",
          "    elif True:  # B: Rich decides")],
        ["list-warm"],
    ),
]  # fmt: skip


def variant(root: Path, name: str, patches: list[Patch]) -> Path:
    """A compiled copy of the installed ipt_cli under root/name, with `patches` applied."""
    import ipt_cli

    source = Path(ipt_cli.__file__).parent
    target = root / name / "ipt_cli"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    for relative, old, new in patches:
        path = target / relative
        text = path.read_text(encoding="utf-8")
        if old == "*":
            text = new
        elif old == "+":
            text += new
        elif old not in text:
            raise SystemExit(f"{name}: {relative} no longer holds the device's code: {old!r}")
        else:
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    compileall.compile_dir(target, quiet=1)
    return root / name


def sides(
    root: Path, package: Path, row: str, base: dict[str, str], homes: dict[str, Path]
) -> list[bench.Side]:
    """The command a row measures, run from `package`."""
    python = [sys.executable, "-m", "ipt_cli"]
    env = {**base, "PYTHONPATH": str(package)}
    if row == "report":
        return [bench.Side([*python, "report", "c16"], {**env, "IPT_HOME": str(homes["one"])})]
    if row == "session":
        course = homes["one"] / "courses" / "w16.toml"
        text = OPEN_COURSE  # as made, before any run added its session
        return [
            bench.Side(
                [*python, "session", "w16", "--date", "2020-05-01", "--phq9",
                 "1,1,1,1,0,0,0,0,0", "--mood", "6", "--note", "Talked about the move"],
                {**env, "IPT_HOME": str(homes["one"])},
                bench.restore(course, text),
            )
        ]  # fmt: skip
    if row == "list-warm":
        return [bench.Side([*python, "list"], {**env, "IPT_HOME": str(homes["list"])})]
    if row == "list":
        cold = homes["list"]
        return [
            bench.Side(
                [*python, "list"], {**env, "IPT_HOME": str(cold)}, bench.unlink(cold / "index.json")
            )
        ]
    return [bench.Side([*python, "search", "mother"], {**env, "IPT_HOME": str(homes["search"])})]


OPEN_COURSE = bench.make_course("w16", 30, 0, held=16)

LABELS = {
    "report": "cold ipt report, one 16-session course",
    "session": "cold ipt session, one 16-session course",
    "list": "cold ipt list, 1,000 courses (index rebuilt)",
    "list-warm": "warm ipt list to a pipe, 1,000 courses",
    "search": "ipt search 'mother' (every course), 1,000 courses",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", help="one device by name")
    args = parser.parse_args()
    chosen = [d for d in DEVICES if args.only in (None, d.name)]
    if not chosen:
        raise SystemExit(f"no device {args.only!r}: {', '.join(d.name for d in DEVICES)}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "IPT_TODAY": "2020-06-01"}
        c16 = bench.make_course("c16", 16, 0)
        homes = {
            "one": bench.make_home(root / "one", {"c16": c16, "w16": OPEN_COURSE}),
            "list": bench.make_home(
                root / "list",
                {f"c{n:05d}": c16.replace('"c16"', f'"c{n:05d}"') for n in range(1000)},
            ),
            "search": bench.make_home(
                root / "search", {f"c{n:05d}": bench.searchable(c16, n) for n in range(1000)}
            ),
        }
        untouched = variant(root, "A", [])
        print(f"{'device (B = without it) / command':72s}  A ms /   B ms   B/A")
        for device in chosen:
            without = variant(root, device.name, device.patches)
            for row in device.rows:
                a = sides(root, untouched, row, base, homes)
                b = sides(root, without, row, base, homes)
                for _ in range(2):
                    bench.run_sequence(a)
                    bench.run_sequence(b)
                times_a, times_b = [], []
                for _ in range(args.runs):
                    times_a.append(bench.run_sequence(a)[0])
                    times_b.append(bench.run_sequence(b)[0])
                med_a, med_b = sorted(times_a)[args.runs // 2], sorted(times_b)[args.runs // 2]
                label = f"{device.name}: {LABELS[row]}"
                figures = f"{med_a * 1000:6.1f} / {med_b * 1000:6.1f}  {med_b / med_a:4.2f}"
                print(f"{label:72s} {figures}", flush=True)


if __name__ == "__main__":
    main()
