"""Find the imports made inside functions in src/ipt_cli, and say which of them are free.

An import inside a function is worth its cost only when it keeps a heavy module off a
start-up path, or breaks an import cycle. To tell, each module M is imported in a fresh
interpreter and the modules then loaded are noted: a function-level import in M whose
target is already loaded once M is imported costs nothing at the top of M (the set of
modules any command loads stays the same), unless the target itself imports M (a cycle).
One that adds a few small modules of our own (at most LIGHT, none GUARDED) moves too,
unless one of the EVERYDAY commands, run cold, would then load a module more.

    python scripts/function_imports.py                # count, and list the free ones
    python scripts/function_imports.py --move         # move the free ones to the top
    python scripts/function_imports.py --stays        # list those that stay, by module
    python scripts/function_imports.py --comment      # say why above each that stays
    python scripts/function_imports.py --check        # exit 1 if one that stays in a
                                                      # CHECKED module has no comment

After --move, run `ruff check --fix --select I src && ruff format src` to sort the new
top imports. An import that stays says why in a comment on the line above its group (or
at the end of its own line); tests/unit/test_function_imports.py runs --check, so an
uncommented one cannot come back in the modules cleaned.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "ipt_cli"

# What a cold everyday command must not load for nothing (tests/e2e/test_binary.py pins
# them): an import that would add one of these, or any third-party package, stays lazy.
GUARDED = (
    "pydantic",
    "rich",
    "importlib.metadata",
    "email",
    "ipt_cli.core.models",
    "ipt_cli.core.group",
    "ipt_cli.core.rhythm",
    "ipt_cli.cli.choices",
    "ipt_cli.views.json_shapes",
    "ipt_cli.views.markdown",
    "ipt_cli.views.wording",
    "ipt_cli.views.html",
)
# An import that adds at most this many modules, none of them guarded, is light: it moves
# to the top too, unless an everyday command would then load one module more.
LIGHT = 6

# The everyday commands (a cold run each, on a one-course data folder): no move may add a
# module to what one of them loads.
EVERYDAY = (
    ("--version",),
    ("--help",),  # loads every command's module, for each one's first sentence
    ("list",),
    ("list", "--json"),
    ("report", "ab"),
    ("report", "ab", "--format", "json"),
    ("report", "ab", "--format", "markdown"),
    ("agenda", "ab"),
    ("agenda", "ab", "--format", "json"),
    ("plan", "ab"),
    ("plan", "ab", "--format", "json"),
    ("session", "ab", "--mood", "6", "--note", "x"),
)

# Packages (or modules) whose every function-level import must carry a comment.
CHECKED = (
    "ipt_cli.cli",
    "ipt_cli.store",
    "ipt_cli.views",
    "ipt_cli.core",
    "ipt_cli.interact",
    "ipt_cli.errors",
)


@dataclass(frozen=True, slots=True)
class FunctionImport:
    module: str  # the module that holds the import
    path: Path
    node: ast.Import | ast.ImportFrom
    targets: tuple[str, ...]  # modules it loads, absolute
    commented: bool
    group: int  # the line of the first import of its run


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> list[tuple[str, Path]]:
    return sorted((module_name(p), p) for p in PACKAGE.rglob("*.py"))


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> tuple[str, ...]:
    if isinstance(node, ast.Import):
        return tuple(alias.name for alias in node.names)
    base = _resolve(module, path, node)
    found = [base]
    for alias in node.names:  # `from package import submodule` loads the submodule
        sub = f"{base}.{alias.name}"
        if sub.startswith("ipt_cli.") and _is_module(sub):
            found.append(sub)
    return tuple(found)


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (SRC / relative).with_suffix(".py").exists() or (SRC / relative / "__init__.py").exists()


def _group_start(node: ast.stmt, body: list[ast.stmt]) -> ast.stmt:
    """The first statement of the run of imports `node` belongs to."""
    index = body.index(node)
    while index > 0 and isinstance(body[index - 1], ast.Import | ast.ImportFrom):
        index -= 1
    return body[index]


def _commented(lines: list[str], node: ast.stmt, body: list[ast.stmt]) -> bool:
    """A comment at the end of the import's line, or on the line above its group (the
    run of import statements it belongs to)."""
    if "#" in lines[node.lineno - 1]:
        return True
    first = _group_start(node, body)
    above = lines[first.lineno - 2].strip() if first.lineno >= 2 else ""
    return above.startswith("#")


def function_imports() -> list[FunctionImport]:
    found: list[FunctionImport] = []
    for module, path in modules():
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for holder in ast.walk(function):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    body = getattr(holder, field, None)
                    if not isinstance(body, list):
                        continue
                    for node in body:
                        if isinstance(node, ast.Import | ast.ImportFrom) and _inside(
                            node, function
                        ):
                            found.append(
                                FunctionImport(
                                    module,
                                    path,
                                    node,
                                    _targets(module, path, node),
                                    _commented(lines, node, body),
                                    _group_start(node, body).lineno,
                                )
                            )
    unique = {(f.module, f.node.lineno): f for f in found}  # nested functions walk twice
    return sorted(unique.values(), key=lambda f: (f.module, f.node.lineno))


def _inside(node: ast.stmt, function: ast.AST) -> bool:
    """Only the innermost function owns a statement: skip those of nested functions."""
    for child in ast.walk(function):
        if child is not function and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            if any(n is node for n in ast.walk(child)):
                return False
    return True


def loaded_after(module: str) -> frozenset[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return frozenset(json.loads(done.stdout))


def loaded_sets(names: set[str]) -> dict[str, frozenset[str]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(sorted(names), pool.map(loaded_after, sorted(names)), strict=True))


_NOTE_MODULES = """import os, sys
sys.argv = ['ipt', *sys.argv[1:]]
real_exit = os._exit
def noting_exit(status):
    sys.stderr.write('\\n@@' + ' '.join(sorted(sys.modules)))
    sys.stderr.flush()
    real_exit(status)
os._exit = noting_exit
from ipt_cli.cli.app import main
main()
"""


def everyday_sets() -> dict[str, frozenset[str]]:
    """What each EVERYDAY command loads, run cold on a fresh one-course data folder."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "IPT_HOME": home, "IPT_TODAY": "2026-03-01", "PAGER": "cat"}

        def run(args: tuple[str, ...]) -> frozenset[str]:
            done = subprocess.run(
                [sys.executable, "-c", _NOTE_MODULES, *args],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
            )
            found = frozenset(done.stderr.rsplit("@@", 1)[-1].split())
            if done.returncode != 0 or "ipt_cli.cli.app" not in found:
                raise SystemExit(f"ipt {' '.join(args)} failed: {done.stderr[-500:]}")
            return found

        run(("new-course", "ab", "--client", "A.B.", "--problem-area", "grief"))
        run(("list",))  # builds the index: the list runs below are warm
        return {"ipt " + " ".join(args): run(args) for args in EVERYDAY}


def classify(
    imports: list[FunctionImport],
) -> tuple[list[FunctionImport], list[tuple[FunctionImport, str]]]:
    """The free imports, and those that stay with the reason found."""
    wanted = {f.module for f in imports} | {
        t for f in imports for t in f.targets if t.startswith("ipt_cli")
    }
    loaded = loaded_sets(wanted)
    everyday = everyday_sets()
    free: list[FunctionImport] = []
    stays: list[tuple[FunctionImport, str]] = []
    for item in imports:
        before = loaded[item.module]
        missing = [t for t in item.targets if t not in before]
        cycle = [t for t in item.targets if t in loaded and item.module in loaded[t]]
        added: set[str] = set()
        if missing:
            added = set().union(*(loaded.get(t, frozenset({t})) for t in missing)) - before
        heavy = _heavy(added)
        named = "/".join(missing).removeprefix("ipt_cli.")
        grown = [
            command
            for command, modules in everyday.items()
            if item.module in modules and not added <= modules
        ]
        if heavy or len(added) > LIGHT:
            short = [f"{named} ({len(added)} modules)"]
            stays.append((item, "lazy: keeps " + ", ".join(heavy or short)))
        elif grown:
            stays.append((item, f"lazy: keeps {named} off `{grown[0]}`"))
        elif cycle:
            stays.append((item, f"cycle: {', '.join(cycle)} imports {item.module}"))
        else:
            free.append(item)
    return free, stays


# How a comment names what an import keeps off start-up (the first two found).
SHORT = {
    "ipt_cli.core.models": "the models (pydantic)",
    "c787785866c7b801238d__mypyc": "tomli",
    "ipt_cli.views.json_shapes": "the JSON shapes",
    "ipt_cli.views.markdown": "the Markdown rendering",
    "ipt_cli.views.wording": "the shared wording",
    "ipt_cli.views.html": "the HTML rendering",
    "ipt_cli.core.group": "group IPT",
    "ipt_cli.core.rhythm": "social rhythm",
    "ipt_cli.cli.choices": "the CLI's enums",
    "rich": "Rich",
    "pyrage": "pyrage (encryption)",
}
DROPPED = {"importlib.metadata", "email", "annotated_types", "pydantic_core", "typing_extensions"}
DROPPED |= {"typing_inspection"}


def comment(reasons: list[str]) -> str:
    """`# lazy: keeps X (and Y) off start-up`, from the reasons classify() gave."""
    if all("`" in reason for reason in reasons):  # light, but off an everyday command
        return "# " + reasons[0]
    reasons = [reason for reason in reasons if "`" not in reason]
    names: list[str] = []
    models = any("ipt_cli.core.models" in reason for reason in reasons)
    for reason in reasons:
        for name in reason.removeprefix("lazy: keeps ").split(", "):
            if name in DROPPED or (name == "pydantic" and models):
                continue
            short = SHORT.get(name, name)
            if short not in names:
                names.append(short)
    return "# lazy: keeps " + " and ".join(names[:2]) + " off start-up"


def add_comments(stays: list[tuple[FunctionImport, str]]) -> int:
    """Put the reason above each group of imports that stays without a comment."""
    groups: dict[tuple[Path, int], list[str]] = {}
    for item, why in stays:
        if not item.commented:
            groups.setdefault((item.path, item.group), []).append(why)
    for path in {p for p, _ in groups}:
        lines = path.read_text().splitlines(keepends=True)
        for (where, line), reasons in sorted(groups.items(), reverse=True):
            if where == path:
                text = lines[line - 1]
                indent = text[: len(text) - len(text.lstrip())]
                lines.insert(line - 1, f"{indent}{comment(reasons)}\n")
        path.write_text("".join(lines))
    return len(groups)


def _heavy(added: set[str]) -> list[str]:
    """The guarded modules and third-party packages among `added`, outermost first."""
    guarded = [g for g in GUARDED if g in added]
    third = sorted(
        {m.split(".")[0] for m in added}
        - set(sys.stdlib_module_names)
        - {"ipt_cli", "_sysconfigdata__linux_x86_64-linux-gnu"}
        - {g.split(".")[0] for g in guarded}
    )
    return [*guarded, *third]


def move(free: list[FunctionImport]) -> None:
    by_path: dict[Path, list[FunctionImport]] = {}
    for item in free:
        by_path.setdefault(item.path, []).append(item)
    for path, items in by_path.items():
        lines = path.read_text().splitlines(keepends=True)
        tree = ast.parse("".join(lines))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        after = max((n.end_lineno or n.lineno) for n in top) if top else _after_docstring(tree)
        moved = []
        for item in sorted(items, key=lambda i: i.node.lineno, reverse=True):
            start, end = item.node.lineno - 1, item.node.end_lineno or item.node.lineno
            text = "".join(line.strip() + " " for line in lines[start:end]).strip()
            moved.append(ast.unparse(ast.parse(text).body[0]) + "\n")
            indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
            if _only_statement(tree, item.node):
                lines[start:end] = [f"{indent}pass\n"]
            else:
                del lines[start:end]
        unique = sorted(set(moved) - {line.strip() + "\n" for line in lines[:after]})
        lines[after:after] = unique
        path.write_text("".join(lines))


def _after_docstring(tree: ast.Module) -> int:
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        return first.end_lineno or 0
    return 0


def _only_statement(tree: ast.Module, node: ast.stmt) -> bool:
    for holder in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(holder, field, None)
            if isinstance(body, list) and any(n is node for n in body):
                return len(body) == 1
    return False


def checked(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in CHECKED)


def uncommented() -> list[FunctionImport]:
    """Function-level imports in the CHECKED modules that do not say why they stay."""
    return [f for f in function_imports() if checked(f.module) and not f.commented]


def _where(item: FunctionImport) -> str:
    return f"{item.path.relative_to(ROOT)}:{item.node.lineno}"


def _counts(imports: list[FunctionImport]) -> str:
    per = Counter(f.module.split(".")[1] if "." in f.module else f.module for f in imports)
    return f"{len(imports)} function-level imports: " + ", ".join(
        f"{n} in {package}/" for package, n in per.most_common()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--move", action="store_true", help="move the free imports to the top")
    action.add_argument("--stays", action="store_true", help="list the imports that stay")
    action.add_argument("--comment", action="store_true", help="say why each stays")
    action.add_argument("--check", action="store_true", help="fail on an uncommented one")
    args = parser.parse_args()
    if args.check:
        missing = uncommented()
        for item in missing:
            print(f"{_where(item)}: {ast.unparse(item.node)}  (no comment saying why)")
        return 1 if missing else 0
    imports = function_imports()
    print(_counts(imports))
    free, stays = classify(imports)
    if args.move:
        move(free)
        print(f"moved {len(free)} to the top; {len(stays)} stay")
        return 0
    if args.comment:
        print(f"commented {add_comments(stays)} groups")
        return 0
    if args.stays:
        for item, why in stays:
            mark = "" if item.commented else "  [no comment]"
            print(f"{_where(item)}: {ast.unparse(item.node)}  # {why}{mark}")
    else:
        for item in free:
            print(f"{_where(item)}: {ast.unparse(item.node)}  (free)")
    print(f"{len(free)} free, {len(stays)} stay ({sum(not i.commented for i, _ in stays)} bare)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
