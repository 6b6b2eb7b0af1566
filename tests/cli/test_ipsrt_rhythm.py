"""IPSRT through the real binary: target times and the deviation from them, the SRM's
involvement scale (and older counts of people, shown as legacy), the life chart in the
terminal and in the HTML report (issue 28)."""

import json
import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import RunIpt

Bin = Callable[..., subprocess.CompletedProcess[str]]
REGULAR = ("--out-of-bed", "07:30", "--first-contact", "08:15", "--start-activity", "09:00",
           "--dinner", "18:30")  # fmt: skip
TARGETS = ("--out-of-bed", "07:00", "--first-contact", "08:00", "--start-activity", "09:00",
           "--dinner", "18:30", "--to-bed", "22:30")  # fmt: skip


@pytest.fixture
def ipsrt(run_ipt: RunIpt) -> RunIpt:
    run_ipt(
        "new-course", "bp", "--client", "B.P.", "--problem-area", "lost-healthy-self",
        "--adaptation", "ipsrt", "--start", "2026-01-05", "--phq9", "2,2,2,2,1,1,1,0,0",
        "--no-input",
    )  # fmt: skip
    return run_ipt


def the_example_week(run_ipt: RunIpt) -> None:
    """Issue 28's example: six bedtimes at 22:40, one at 04:00; the rest regular."""
    for n in range(1, 8):
        bed = "04:00" if n == 7 else "22:40"
        run_ipt("rhythm", "bp", "--date", f"2026-02-0{n}", *REGULAR, "--to-bed", bed,
                "--mood", "1", "--with-people", "0,1,2,2,1")  # fmt: skip


def stored(data_home: Path) -> dict[str, object]:
    return tomllib.loads((data_home / "courses" / "bp.toml").read_text())


def test_targets_are_dated_and_kept_and_the_report_shows_the_deviation_beside_the_srm(
    ipsrt: RunIpt, ipt_bin: Bin, data_home: Path
) -> None:
    the_example_week(ipsrt)
    first = ipt_bin("rhythm", "bp", "target", "--date", "2026-02-01", *TARGETS)
    assert "Targets of bp from 2026-02-01: out of bed 07:00" in first.stdout
    later = ipt_bin("rhythm", "bp", "target", "--date", "2026-02-04", "--to-bed", "23:00")
    assert "out of bed 07:00" in later.stdout and "to bed 23:00" in later.stdout
    targets = stored(data_home)["rhythm_targets"]
    assert isinstance(targets, list) and len(targets) == 2  # the earlier target is kept
    assert str(targets[0]["to_bed"]) == "22:30:00" and str(targets[1]["to_bed"]) == "23:00:00"
    assert str(targets[1]["out_of_bed"]) == "07:00:00"  # not given: kept from the first

    data = json.loads(ipt_bin("rhythm", "bp", "report", "--json").stdout)
    week = data["weeks"][0]
    assert week["srm_score"] == pytest.approx(6.8) and week["habitual_times"]["to_bed"] == "22:40"
    # Bedtimes against the target in force each day: 22:30 for three days (+10 each), then
    # 23:00 (-20 three times, and 04:00 = 28:00 is +300): mean |off| 390/7, signed 270/7.
    assert week["against_targets"]["to_bed"] == {
        "target": "23:00", "days": 7, "mean_deviation_minutes": 55.7,
        "mean_offset_minutes": 38.6, "days_within_45": 6,
    }  # fmt: skip
    assert week["against_targets"]["out_of_bed"]["mean_offset_minutes"] == 30
    assert [t["date"] for t in data["targets"]] == ["2026-02-01", "2026-02-04"]

    text = ipt_bin("rhythm", "bp", "report").stdout
    assert "SRM 6.8 of 7" in text and "Against the targets" in text
    bed = next(line for line in text.splitlines() if line.strip().startswith("Bed "))
    assert re.search(r"23:00\s+22:40\s+55\.7 \(\+38\.6 later\)\s+6 of 7", bed)
    assert "No target times agreed yet" not in text


def test_a_report_without_targets_says_how_to_set_them(ipsrt: RunIpt, ipt_bin: Bin) -> None:
    the_example_week(ipsrt)
    text = ipt_bin("rhythm", "bp", "report").stdout
    assert "No target times agreed yet: ipt rhythm bp target" in text
    assert (
        json.loads(ipt_bin("rhythm", "bp", "report", "--json").stdout)["weeks"][0][
            "against_targets"
        ]
        is None
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give at least one target time"),
        (("--dinner", "7pm"), "--dinner: expected a time as HH:MM"),
        (("--date", "2025-12-01", "--dinner", "18:00"), "before the course started"),
        (("--dinner", "18:00", "--mood", "1"), "takes only the five times and --date"),
        (("--dinner", "18:00", "--json"), "takes only the five times and --date"),
    ],
)
def test_bad_targets_are_refused_in_one_line(
    ipsrt: RunIpt, ipt_bin: Bin, args: tuple[str, ...], message: str
) -> None:
    done = ipt_bin("rhythm", "bp", "target", *args, check_code=2)
    assert message in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_involvement_is_the_srm_scale_and_older_counts_of_people_are_shown_as_legacy(
    ipsrt: RunIpt, ipt_bin: Bin, data_home: Path
) -> None:
    refused = ipt_bin("rhythm", "bp", "--date", "2026-02-01", "--dinner", "18:00",
                      "--with-people", "0,1,4,2,1", check_code=2)  # fmt: skip
    assert "involvement scale (0 alone, 1 others present" in refused.stderr
    ipt_bin("rhythm", "bp", "--date", "2026-02-01", "--dinner", "18:00",
            "--with-people", "0,1,3,2,1")  # fmt: skip
    ipsrt("rhythm", "bp", "--date", "2026-02-02", "--dinner", "18:10")
    # An entry written before schema 10 kept how many people took part (here 4).
    path = data_home / "courses" / "bp.toml"
    text = re.sub(r"schema_version = \d+", "schema_version = 9", path.read_text())
    marker = "dinner = 18:10:00\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "with_people = [0, 1, 4, 2, 1]\n"))
    report = ipt_bin("rhythm", "bp", "report").stdout
    assert "0,1,3,2,1 " in report and "0,1,4,2,1#" in report
    assert "#: a legacy count of people per anchor" in report
    assert "People: who was involved, per anchor (0 alone" in report
    days = json.loads(ipt_bin("rhythm", "bp", "report", "--json").stdout)["weeks"][0]["days"]
    assert (days[0]["involvement"], days[0]["with_people"]) == ([0, 1, 3, 2, 1], None)
    assert (days[1]["involvement"], days[1]["with_people"]) == (None, [0, 1, 4, 2, 1])


def has_asrm() -> bool:
    from ipt_cli.core.models import SessionRecord

    return "asrm" in SessionRecord.model_fields


def test_the_life_chart_puts_mood_srm_and_the_scores_of_both_poles_by_week(
    ipsrt: RunIpt, ipt_bin: Bin
) -> None:
    the_example_week(ipsrt)  # 2026-02-01..07: the course's weeks start on Mondays (01-05)
    ipsrt("session", "bp", "--date", "2026-02-03", "--phq9", "1,1,1,1,1,0,1,0,1")
    ipsrt("session", "bp", "--date", "2026-02-10", "--phq9", "1,1,1,0,1,0,1,0,0")
    chart = ipt_bin("rhythm", "bp", "chart").stdout
    lines = chart.splitlines()
    assert lines[0].startswith("Life chart of bp")
    weeks = next(line for line in lines if line.startswith("Week of")).split()[2:]
    # A score rates the week before its sitting: the baseline (01-05) the week before the
    # course, the PHQ-9 of 02-03 the week of 01-26, that of 02-10 the week of 02-02.
    assert weeks == ["12-29", "01-05", "01-12", "01-19", "01-26", "02-02"]
    row = {line[:14].strip(): line[14:].split() for line in lines if line[:1].isalpha()}
    assert row["SRM (0-7)"] == ["-", "-", "-", "-", "-", "5.8"]  # 02-02..02-08: 6 days
    assert row["Mood (-5..5)"] == ["-", "-", "-", "-", "+1.0", "+1.0"]
    assert row["PHQ-9 (0-27)"] == ["11", "-", "-", "-", "7*", "5"]  # *: item 9 above 0
    assert "*: PHQ-9 item 9 (thoughts of death or self-harm) above 0" in chart
    assert ("ASRM (0-20)" in row) is has_asrm()
    plotted = [line for line in lines if line.startswith("+1")]
    assert plotted and plotted[0].count("●") == 2
    assert "Week of" in ipt_bin("rhythm", "bp", "chart", "--weeks", "2").stdout
    last_two = ipt_bin("rhythm", "bp", "chart", "--weeks", "2").stdout
    assert "01-26" in last_two and "02-02" in last_two and "01-19" not in last_two
    refused = ipt_bin("rhythm", "bp", "chart", "--json", check_code=2)
    assert "is text" in refused.stderr and refused.stderr.count("\n") == 1


def test_the_html_report_of_an_ipsrt_course_draws_the_life_chart(
    ipsrt: RunIpt, ipt_bin: Bin, run_ipt: RunIpt
) -> None:
    the_example_week(ipsrt)
    html = ipt_bin("report", "bp", "--format", "html").stdout
    assert "<h2>Life chart (IPSRT)</h2>" in html
    svg = html.split("<h2>Life chart (IPSRT)</h2>", 1)[1].split("</svg>", 1)[0]
    assert 'aria-label="Life chart: mood, SRM and both poles by week"' in svg
    assert "<title>SRM: 5.8</title>" in svg and "PHQ-9 10" in svg
    run_ipt("new-course", "st", "--client", "S.", "--problem-area", "grief", "--no-input")
    assert "Life chart" not in ipt_bin("report", "st", "--format", "html").stdout


def agenda_items(ipt_bin: Bin, *args: str) -> list[str]:
    items = json.loads(ipt_bin("agenda", "bp", *args, "--json").stdout)["items"]
    assert isinstance(items, list)
    return [str(i) for i in items]


def test_the_agenda_reviews_the_log_only_when_it_is_current_and_names_a_stale_one(
    ipsrt: RunIpt, ipt_bin: Bin
) -> None:
    the_example_week(ipsrt)  # 2026-02-01..07
    ipsrt("session", "bp", "--date", "2026-02-03", "--phq9", "1,1,1,1,1,0,1,0,0")
    current = agenda_items(ipt_bin)  # session 2: the log runs past session 1
    assert any(
        i.startswith("Review the social rhythm log since the last session: week to 2026-02-07")
        and "SRM 6.8 of 7" in i
        for i in current
    )
    ipsrt("session", "bp", "--date", "2026-02-10", "--phq9", "1,1,1,1,1,0,1,0,0")
    stale = agenda_items(ipt_bin)  # session 3: nothing logged since session 2
    assert not any("Review the social rhythm log" in i for i in stale)
    line = next(i for i in stale if i.startswith("Social rhythm log: stale"))
    assert (
        "its latest day is 2026-02-07 (that week: SRM 6.8 of 7), before the last session "
        "(2026-02-10)" in line
    )  # a stale log still says where it stood (the fresh clinician's walk-through)
    assert "ipt rhythm bp --date" in line
    report = ipt_bin("report", "bp").stdout
    assert "stale, its latest day is 2026-02-07 (that week: SRM 6.8 of 7)" in " ".join(
        report.replace("│", " ").split()
    )
    ipsrt("rhythm", "bp", "--date", "2026-02-11", *REGULAR, "--to-bed", "22:40")
    assert any(i.startswith("Review the social rhythm log") for i in agenda_items(ipt_bin))


def test_the_ipsrt_medication_item_is_adherence_and_side_effects_with_the_prescriber(
    ipsrt: RunIpt, ipt_bin: Bin, run_ipt: RunIpt
) -> None:
    items = agenda_items(ipt_bin, "--week", "1")
    assert "Review medication adherence and side effects; liaise with the prescriber" in items
    assert not any("Decide whether medication is needed" in i for i in items)
    run_ipt("new-course", "st", "--client", "S.", "--problem-area", "grief", "--no-input")
    standard = json.loads(ipt_bin("agenda", "st", "--week", "1", "--json").stdout)["items"]
    assert "Decide whether medication is needed" in standard


def test_warning_signs_of_both_poles_are_recorded_for_ipsrt_and_the_relapse_plan_prints_both(
    ipsrt: RunIpt, ipt_bin: Bin, data_home: Path
) -> None:
    early = ipt_bin("course", "bp", "set", "--warning-sign-mania", "Sleeping 5 hours, not tired")
    assert "Changed warning-sign-mania of bp: (none) -> Sleeping 5 hours, not tired." in (
        early.stdout
    )
    ending = ipt_bin("ending", "bp", "--warning-sign", "Not calling R.",
                     "--warning-sign-depression", "Staying in bed",
                     "--warning-sign-mania", "Spending")  # fmt: skip
    assert "1 of depression and 2 of mania" in ending.stdout
    course = stored(data_home)
    assert course["warning_signs_depression"] == ["Staying in bed"]
    assert course["warning_signs_mania"] == ["Sleeping 5 hours, not tired", "Spending"]
    report = ipt_bin("report", "bp").stdout
    plain = " ".join(report.replace("║", " ").split())
    assert "Relapse warning signs: Not calling R." in plain
    assert "Warning signs of depression: Staying in bed" in plain
    assert "Warning signs of mania: Sleeping 5 hours, not tired; Spending" in plain
    data = json.loads(ipt_bin("report", "bp", "--json").stdout)
    assert data["warning_signs_by_pole"] == {
        "depression": ["Staying in bed"],
        "mania": ["Sleeping 5 hours, not tired", "Spending"],
    }


@pytest.mark.parametrize("command", [("ending", "st"), ("course", "st", "set")])
@pytest.mark.parametrize("option", ["--warning-sign-depression", "--warning-sign-mania"])
def test_warning_signs_of_a_pole_are_refused_for_another_adaptation_in_one_line(
    run_ipt: RunIpt, ipt_bin: Bin, data_home: Path, command: tuple[str, ...], option: str
) -> None:
    run_ipt("new-course", "st", "--client", "S.", "--problem-area", "grief", "--no-input")
    before = (data_home / "courses" / "st.toml").read_text()
    refused = ipt_bin(*command, option, "Spending", check_code=2)
    assert f"{option}: only for IPSRT courses" in refused.stderr
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert (data_home / "courses" / "st.toml").read_text() == before


def test_a_blank_warning_sign_of_a_pole_is_refused(ipsrt: RunIpt, ipt_bin: Bin) -> None:
    refused = ipt_bin("course", "bp", "set", "--warning-sign-mania", " ", check_code=2)
    assert "--warning-sign-mania: one line of 1-500 characters" in refused.stderr
