"""Issue 30, item 6: interact says everything beyond its questions through `Output`, the one
seam (views/output.py): no module of interact/ reaches the stderr console, the safety
notice's or a notice's drawing, or sys.stderr by itself."""

import ast
from pathlib import Path

import ipt_cli.interact

INTERACT = Path(ipt_cli.interact.__file__).parent
BYPASSES = {
    ("ipt_cli.views.console", "err"),
    ("ipt_cli.views.terminal", "safety_notice"),
    ("ipt_cli.views.terminal", "notice"),
}


def test_interact_says_its_notices_only_through_output() -> None:
    found = []
    for path in sorted(INTERACT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                found += [
                    f"{path.name}: {node.module}.{alias.name}"
                    for alias in node.names
                    if (node.module, alias.name) in BYPASSES
                ]
            elif isinstance(node, ast.Attribute) and node.attr == "stderr":
                found.append(f"{path.name}:{node.lineno}: .stderr")
            elif isinstance(node, ast.Name) and node.id == "print":
                found.append(f"{path.name}:{node.lineno}: print()")
    assert found == []
