"""Imports at the top (issue 30 item 5): an import left inside a function says why in a
comment, checked by scripts/function_imports.py, so a bare one cannot come back."""

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "function_imports.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("function_imports", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_function_level_import_says_why_it_stays() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_check_finds_a_bare_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    package = tmp_path / "ipt_cli" / "store"
    package.mkdir(parents=True)
    (package / "x.py").write_text(
        "def said():\n"
        "    # lazy: keeps pydantic off start-up\n"
        "    import json\n"
        "    from os import path\n"
        "\n"
        "    return json, path\n"
        "\n"
        "\n"
        "def bare():\n"
        "    import csv\n"
        "\n"
        "    return csv\n"
    )
    monkeypatch.setattr(script, "SRC", tmp_path)
    monkeypatch.setattr(script, "PACKAGE", tmp_path / "ipt_cli")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    found = script.uncommented()
    assert [(f.module, f.node.lineno) for f in found] == [("ipt_cli.store.x", 10)]
