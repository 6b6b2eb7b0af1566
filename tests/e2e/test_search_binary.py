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


def test_a_search_of_risk_review_lists_does_not_load_the_models(ipt_setup) -> None:
    """A course file ipt wrote with a risk review's actions and protective factors (tomli-w's
    multi-line arrays, quotes and backslashes escaped) is read by the scanner, not parsed."""
    phq9 = "1,1,1,1,1,1,1,1,1"  # item 9 scored: a flag to review
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start",
              "2026-01-05", "--phq9", phq9, "--no-input")  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", phq9, "--no-input")
    ipt_setup("risk-review", "ab", "--session", "1", "--date", "2026-01-13", "--note", "Seen",
              "--ideation", "passive", "--level", "low", "--action", 'Gave "crisis line" number',
              "--protective", "Sister \\ nearby", "--no-input")  # fmt: skip
    modules = ("pydantic", "rich", "tomli_w", "ipt_cli.core.models")
    out, loaded = run_noting_modules(["search", "CRISIS LINE"], modules)
    assert out == 'ab  session 1  2026-01-13  risk review action: Gave "crisis line" number\n'
    assert loaded == []
    out, loaded = run_noting_modules(["search", "\\ near"], modules)
    assert out == "ab  session 1  2026-01-13  risk review protective factor: Sister \\ nearby\n"
    assert loaded == []
