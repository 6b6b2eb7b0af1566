"""Course files are TOML 1.0, read as every TOML 1.0 reader reads them (tomli below 2.4)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ipt_cli.errors import DataError
from ipt_cli.store.format import parse_toml

TOML_1_1_ONLY = [
    'client = "A\\eB"',  # the \e escape
    'client = "A\\x1bB"',  # \x escapes
    "goal = {id = 'a',}",  # a trailing comma in an inline table
    "goal = {\n  id = 'a'\n}",  # a multi-line inline table
    "at = 07:32",  # a time without seconds
]


@pytest.mark.parametrize("text", TOML_1_1_ONLY)
def test_what_toml_1_0_refuses_is_a_damaged_file(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)  # the standard library's reader agrees
    with pytest.raises(DataError, match="not valid TOML"):
        parse_toml(text, Path("ab.toml"))


def test_the_same_document_as_the_standard_library() -> None:
    text = (
        'id = "ab"\nstart_date = 2026-01-05\n[[sessions]]\ndate = 2026-01-12\nnote = """x\ny"""\n'
    )
    assert parse_toml(text, Path("ab.toml")) == tomllib.loads(text)
