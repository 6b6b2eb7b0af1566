"""docs/hazard-log.md is a document with tests: every test it names as the evidence for a
control exists (a renamed or deleted test would leave a control unverified)."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOG = REPO / "docs" / "hazard-log.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def test_every_test_the_hazard_log_names_exists() -> None:
    text = LOG.read_text(encoding="utf-8")
    named = NAMED.findall(text)
    assert len(named) >= 20
    for path, function in named:
        source = REPO / path
        assert source.is_file(), f"hazard log names a missing file: {path}"
        if function:
            tree = ast.parse(source.read_text(encoding="utf-8"))
            defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert function in defined, f"hazard log names a missing test: {path}::{function}"


def test_every_defect_of_issue_26_has_a_row() -> None:
    rows = [
        line for line in LOG.read_text(encoding="utf-8").splitlines() if line.startswith("| HAZ-")
    ]
    ids = [line.split("|")[1].strip() for line in rows]
    assert len(ids) == len(set(ids))
    for defect in range(1, 16):
        assert any(f"(defect {defect})" in line for line in rows), defect
