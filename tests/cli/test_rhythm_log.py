"""`ipt rhythm`: the IPSRT social rhythm log, its report, and its place in the agenda."""

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import RunIpt

TIMES = ("--out-of-bed", "--first-contact", "--start-activity", "--dinner", "--to-bed")


@pytest.fixture
def ipsrt(run_ipt: RunIpt) -> RunIpt:
    run_ipt(
        "new-course", "bp", "--client", "B.P.", "--problem-area", "lost-healthy-self",
        "--adaptation", "ipsrt", "--start", "2026-01-05", "--no-input",
    )  # fmt: skip
    return run_ipt


def log(run_ipt: RunIpt, date: str, times: tuple[str, ...], mood: int, *extra: str) -> None:
    args = [a for pair in zip(TIMES, times, strict=True) for a in pair if pair[1] != "-"]
    run_ipt("rhythm", "bp", "--date", date, *args, "--mood", str(mood), *extra)


def test_a_day_is_logged_and_kept(ipsrt: RunIpt, data_home: Path) -> None:
    log(ipsrt, "2026-02-01", ("07:30", "08:15", "09:00", "18:30", "00:15"), 2,
        "--with-people", "0,1,3,2,1")  # fmt: skip
    stored = tomllib.loads((data_home / "courses" / "bp.toml").read_text())
    entry = stored["rhythm"][0]
    assert str(entry["out_of_bed"]) == "07:30:00" and str(entry["to_bed"]) == "00:15:00"
    assert entry["involvement"] == [0, 1, 3, 2, 1] and entry["mood"] == 2
    assert "with_people" not in entry  # the legacy counts of people


def test_a_day_is_replaced_only_when_asked(ipsrt: RunIpt) -> None:
    log(ipsrt, "2026-02-01", ("07:30", "-", "-", "-", "-"), 0)
    again = ipsrt("rhythm", "bp", "--date", "2026-02-01", "--mood", "1", exit_code=5)
    assert "--replace" in again.stderr
    done = ipsrt("rhythm", "bp", "--date", "2026-02-01", "--mood", "1", "--replace")
    assert "Replaced" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dinner", "7pm"), "--dinner: expected a time as HH:MM"),
        (("--to-bed", "25:00"), "--to-bed: expected a time"),
        (("--mood", "6"), "--mood: must be from -5 to 5"),
        (("--out-of-bed", "07:00", "--with-people", "1,2"), "--with-people"),
        (("--out-of-bed", "07:00", "--with-people", "0,1,4,2,1"), "involvement scale (0 alone"),
        (("--date", "2026-03-02", "--mood", "1"), "in the future"),
        ((), "give at least one time"),
        (("report", "--mood", "1"), "takes only --weeks and --format"),
        (("summary",), "unknown action"),
    ],
)
def test_bad_input_is_one_line(ipsrt: RunIpt, args: tuple[str, ...], message: str) -> None:
    result = ipsrt("rhythm", "bp", *args, exit_code=2)
    assert message in result.stderr and result.stderr.count("\n") == 1


def two_weeks(run_ipt: RunIpt) -> None:
    for n in range(1, 15):
        up = "10:30" if n == 10 else "07:30"  # one late morning, far from the habitual time
        log(run_ipt, f"2026-02-{n:02d}", (up, "08:15", "09:00", "18:30", "23:00"), n % 3 - 1)


def test_the_report_scores_each_week(ipsrt: RunIpt) -> None:
    two_weeks(ipsrt)
    data = json.loads(ipsrt("rhythm", "bp", "report", "--weeks", "3", "--format", "json").stdout)
    assert data["days_logged"] == 14 and len(data["weeks"]) == 2
    first, last = data["weeks"]
    assert (first["start"], first["end"]) == ("2026-02-01", "2026-02-07")
    assert first["srm_score"] == 7 and first["hits"] == 35
    assert last["srm_score"] == pytest.approx(34 / 5) and last["hits_per_day"] == pytest.approx(
        34 / 7, abs=0.01
    )
    assert last["habitual_times"]["to_bed"] == "23:00"
    assert last["days"][2] == {
        "date": "2026-02-10", "out_of_bed": "10:30", "first_contact": "08:15",
        "start_activity": "09:00", "dinner": "18:30", "to_bed": "23:00", "involvement": None,
        "with_people": None, "mood": 0,
    }  # fmt: skip
    text = ipsrt("rhythm", "bp", "report", "--weeks", "2").stdout
    assert "Regularity by week" in text and "10:30!" in text and "SRM 6.8 of 7" in text
    markdown = ipsrt("rhythm", "bp", "report", "--format", "markdown").stdout
    assert "## Week 2026-02-08 to 2026-02-14" in markdown and "| 2026-02-10 | 10:30! |" in markdown


def test_the_ipsrt_agenda_reviews_the_log_and_the_report_summarises_it(ipsrt: RunIpt) -> None:
    before = ipsrt("agenda", "bp", "--week", "4").stdout
    assert "Review the social rhythm log" in before and "nothing logged yet" in before
    two_weeks(ipsrt)
    agenda = json.loads(ipsrt("agenda", "bp", "--week", "8", "--format", "json").stdout)
    line = next(i for i in agenda["items"] if "social rhythm log" in i)
    assert "week to 2026-02-14" in line and "SRM 6.8 of 7" in line
    data = json.loads(ipsrt("report", "bp", "--format", "json").stdout)
    assert data["rhythm"]["days_logged"] == 14
    assert data["rhythm"]["last_week"]["srm_score"] == pytest.approx(6.8)
    assert "Rhythm log" in ipsrt("report", "bp").stdout


def test_a_standard_course_has_no_rhythm_review(run_ipt: RunIpt) -> None:
    run_ipt("new-course", "st", "--client", "S.", "--problem-area", "grief", "--no-input")
    assert "rhythm" not in run_ipt("agenda", "st", "--week", "5").stdout
    assert json.loads(run_ipt("report", "st", "--format", "json").stdout)["rhythm"] is None


def test_an_empty_log_reports_so(ipsrt: RunIpt) -> None:
    assert "Nothing logged yet" in ipsrt("rhythm", "bp", "report").stdout
    data = json.loads(ipsrt("rhythm", "bp", "report", "--format", "json").stdout)
    assert data["weeks"] == []
