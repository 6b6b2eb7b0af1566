"""The HTML report has every section the text report has (issue 27 item 7), as written."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PHQ9_MODERATE


def test_the_html_report_has_the_strategies_and_a_month_only_event_as_given(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief",
              "--start", "2026-01-05", "--phq9", PHQ9_MODERATE)  # fmt: skip
    ipt_setup("timeline", "add", "ab", "--date", "2025-10", "--event", "Mother died")
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_MODERATE,
              "--strategy", "grief-reconstruct", "--note", "x")  # fmt: skip
    text = ipt_bin("report", "ab").stdout
    html = ipt_bin("report", "ab", "--format", "html").stdout
    assert "Strategies" in text and "<h2>Strategies</h2>" in html
    assert "grief-reconstruct" in html
    assert "2025-10" in html and "2025-10-01" not in html  # the month, as it was given
