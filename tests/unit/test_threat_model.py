"""docs/threat-model.md names, for each threat, the test that proves its control: every
test it names exists (`tests/x.py::name`, and `::name` for another test of the file named
just before it in the same cell)."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "docs" / "threat-model.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_every_test_the_threat_model_names_exists() -> None:
    checked = 0
    for line in MODEL.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        for cell in line.split(" | "):
            current = None
            for path, function in REFERENCE.findall(cell):
                if path:
                    current = REPO / path
                    assert current.is_file(), f"threat model names a missing file: {path}"
                if function:
                    assert current is not None, f"::{function} without a file before it"
                    assert function in _defined(current), f"missing test: {current}::{function}"
                    checked += 1
    assert checked >= 40
