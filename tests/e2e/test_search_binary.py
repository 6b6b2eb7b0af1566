"""`ipt search` stays light: no models, no Rich, for files ipt wrote."""

from __future__ import annotations

import pytest

from tests.e2e.test_binary import run_noting_modules

pytestmark = pytest.mark.e2e


def test_search_does_not_load_the_models_or_rich(ipt_setup) -> None:
    ipt_setup(
        "new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start", "2026-01-05"
    )
    ipt_setup("session", "ab", "--date", "2026-01-12", "--note", "Talked about the funeral")
    out, loaded = run_noting_modules(
        ["search", "FUNERAL"], ("pydantic", "rich", "tomli_w", "ipt_cli.core.models")
    )
    assert out == "ab  session 1  2026-01-12  note: Talked about the funeral\n"
    assert loaded == []
