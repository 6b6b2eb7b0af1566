"""Every shipped example loads, plans and reports; text and Markdown match golden files.

Golden files are updated only on purpose: IPT_UPDATE_GOLDEN=1 python -m pytest tests/cli
"""

import json
import os
import shutil
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO, RunIpt

GOLDEN = REPO / "tests" / "golden"
COURSES = sorted(p.stem for p in EXAMPLES.glob("*.toml") if not p.stem.startswith("assessment"))
TODAY = "2026-06-01"  # fixed, so that "overdue" and phases never drift


@pytest.fixture
def imported(run_ipt: RunIpt, data_home: Path) -> RunIpt:
    (data_home / "courses").mkdir(parents=True)
    for name in COURSES:
        shutil.copy(EXAMPLES / f"{name}.toml", data_home / "courses" / f"{name}.toml")
    return run_ipt


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("IPT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with IPT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_there_are_four_depression_examples_one_per_area_and_two_of_other_conditions() -> None:
    documents = {c: tomllib.loads((EXAMPLES / f"{c}.toml").read_text()) for c in COURSES}
    depression = [d for d in documents.values() if d.get("condition", "depression") == "depression"]
    assert len(depression) == 4 and len({d["problem_areas"][0] for d in depression}) == 4
    others = {c: d["condition"] for c, d in documents.items() if d not in depression}
    assert others == {"ptsd-assault": "ptsd", "binge-eating-move": "eating-disorder"}


@pytest.mark.parametrize("course", COURSES)
def test_example_reports_match_golden_files(imported: RunIpt, course: str) -> None:
    text = imported("report", course, IPT_TODAY=TODAY).stdout
    check_golden(f"{course}.report.txt", text)
    assert "\x1b[" not in text and max(len(line) for line in text.splitlines()) <= 80
    check_golden(
        f"{course}.report.md",
        imported("report", course, "--format", "markdown", IPT_TODAY=TODAY).stdout,
    )


@pytest.mark.parametrize("course", COURSES)
def test_example_plans_and_agendas(imported: RunIpt, course: str) -> None:
    plan = json.loads(imported("plan", course, "--format", "json", IPT_TODAY=TODAY).stdout)
    held = [w for w in plan["weeks"] if w["status"] == "held"]
    assert len(held) == plan["sessions_held"] >= 12
    agenda = json.loads(imported("agenda", course, "--format", "json", IPT_TODAY=TODAY).stdout)
    assert agenda["items"] and agenda["phase"] in ("initial", "middle", "termination")
    report = json.loads(imported("report", course, "--format", "json", IPT_TODAY=TODAY).stdout)
    assert report["course_id"] == course and report["measures"]["phq9"]["series"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_self_contained_with_a_chart(imported: RunIpt, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    imported("report", "dispute-partner", "--format", "html", "--output", str(out), IPT_TODAY=TODAY)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    page = _Collector()
    page.feed(out.read_text(encoding="utf-8"))
    assert "svg" in page.tags and "polyline" in page.tags and "circle" in page.tags
    assert "script" not in page.tags and "link" not in page.tags
    assert any("moderately severe (15-19)" in t for t in page.text)  # bands are labelled
    assert any("SAFETY" in t for t in page.text)  # the unreviewed flag comes first


def test_html_escapes_user_text(run_ipt: RunIpt, new_course) -> None:
    run_ipt(
        "new-course",
        "xx",
        "--client",
        "<script>alert(1)</script>",
        "--problem-area",
        "grief",
        "--no-input",
    )
    page = run_ipt("report", "xx", "--format", "html").stdout
    assert "<script>" not in page and "&lt;script&gt;" in page
