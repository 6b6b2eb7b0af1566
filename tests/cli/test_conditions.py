"""Condition profiles (issue 21): PTSD, eating disorders, anxiety and social anxiety courses
measure what their profile names, and depression courses are unchanged."""

import json
import tomllib
from pathlib import Path

from tests.conftest import RunIpt

PCL5_HIGH = "3,3,3,2,2, 3,3, 2,2,2,2,3,3,2, 2,2,3,3,2,2"  # 49: B 13, C 6, D 16, E 14
PCL5_LOWER = "2,2,2,1,1, 2,2, 1,1,1,1,2,2,1, 1,1,2,2,1,1"  # 29 (-20)
PCL5_SLIGHTLY_LOWER = "3,3,3,2,2, 3,3, 2,2,2,2,3,3,2, 2,2,3,3,0,0"  # 45 (-4)


def report(run_ipt: RunIpt, course_id: str = "ab", **env: str) -> dict:
    return json.loads(run_ipt("report", course_id, "--format", "json", **env).stdout)


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def ptsd_course(new_course, *extra: str):
    return new_course("ab", "--condition", "ptsd", "--pcl5", PCL5_HIGH, *extra)


def test_a_course_is_a_depression_course_by_default_and_its_file_does_not_change(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("ab", "--phq9", "2,2,1,2,1,1,1,0,0")
    assert "condition" not in stored(data_home)  # the default is not written
    data = report(run_ipt)
    assert (data["condition"], data["primary_measure"]) == ("depression", "phq9")
    assert list(data["measures"]) == ["phq9"] and data["eating"] is None


def test_a_schema_2_file_loads_as_depression_and_reading_never_writes(
    run_ipt: RunIpt, data_home: Path
) -> None:
    (data_home / "courses").mkdir(parents=True)
    path = data_home / "courses" / "old.toml"
    text = (
        'schema_version = 2\nid = "old"\nclient = "O.L."\n'
        "created = 2026-01-01T09:00:00+00:00\nstart_date = 2026-01-05\n"
        'planned_sessions = 12\ncadence = "weekly"\nkind = "clinician-led"\n'
        'problem_areas = ["grief"]\n\n[baseline]\ndate = 2026-01-05\n\n[baseline.phq9]\n'
        "items = [2, 2, 1, 2, 1, 1, 1, 0, 0]\n"
    )
    path.write_text(text)
    data = report(run_ipt, "old")
    assert data["condition"] == "depression" and data["measures"]["phq9"]["baseline"] == 10
    assert path.read_text() == text


def test_ptsd_course_reports_the_pcl5_first_with_clusters_and_cutoff(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    ptsd_course(new_course, "--phq9", "1,1,1,1,1,1,1,1,0")
    assert stored(data_home)["condition"] == "ptsd"
    run_ipt("session", "ab", "--date", "2026-01-12", "--pcl5", PCL5_LOWER)
    data = report(run_ipt)
    assert data["condition"] == "ptsd" and data["primary_measure"] == "pcl5"
    assert list(data["measures"])[0] == "pcl5"  # the headline measure comes first
    pcl5 = data["measures"]["pcl5"]
    assert (pcl5["baseline"], pcl5["latest"], pcl5["change"]) == (49, 29, -20)
    assert pcl5["severity"] is None  # no empirically derived bands
    assert pcl5["remission"] is None  # the PCL-5 defines no remission
    assert pcl5["reliable_improvement"] is True  # >= 10 points by default
    assert pcl5["reliable_recovery"] is None  # no caseness convention
    assert (pcl5["cutoff"], pcl5["above_cutoff"]) == (33, False)
    assert pcl5["dsm5_rule"] is True  # 3 B, 2 C, 2 D and 2 E items rated 2 or more
    assert pcl5["clusters"] == {
        "intrusion": 8,
        "avoidance": 4,
        "negative_cognitions_mood": 9,
        "arousal_reactivity": 8,
    }
    first = pcl5["series"][0]
    assert first["above_cutoff"] is True and first["severity"] is None
    assert first["clusters"] == {
        "intrusion": 13,
        "avoidance": 6,
        "negative_cognitions_mood": 16,
        "arousal_reactivity": 14,
    }
    text = run_ipt("report", "ab").stdout
    assert "Post-traumatic stress (PTSD); primary outcome PCL-5" in text
    assert "below the cut-off (33) for probable PTSD" in text
    assert text.index("PCL-5") < text.index("PHQ-9")


def test_pcl5_cutoff_and_reliable_change_are_settings(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    ptsd_course(new_course)
    run_ipt("session", "ab", "--date", "2026-01-12", "--pcl5", PCL5_SLIGHTLY_LOWER)
    pcl5 = report(run_ipt)["measures"]["pcl5"]
    assert (pcl5["latest"], pcl5["reliable_improvement"], pcl5["above_cutoff"]) == (45, False, True)
    (data_home / "config.toml").write_text(
        "[scoring.reliable_change]\npcl5 = 4\n\n[scoring.cutoff]\npcl5 = 50\n"
    )
    pcl5 = report(run_ipt)["measures"]["pcl5"]
    assert (pcl5["reliable_improvement"], pcl5["cutoff"], pcl5["above_cutoff"]) == (True, 50, False)


def test_wrong_pcl5_scores_are_refused_in_one_line(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "ptsd")
    short = run_ipt("session", "ab", "--pcl5", "1,1,1", exit_code=2)
    assert "PCL-5 needs 20 item scores, got 3" in short.stderr
    high = run_ipt("session", "ab", "--pcl5", PCL5_HIGH.replace("3,3,3", "5,3,3", 1), exit_code=2)
    assert "PCL-5 item 1 must be 0-4, got 5" in high.stderr
    assert len(high.stderr.strip().splitlines()) == 1 and "Traceback" not in high.stderr


def test_the_phq9_risk_item_still_flags_in_a_ptsd_course(new_course, run_ipt: RunIpt) -> None:
    ptsd_course(new_course, "--phq9", "1,1,1,1,1,1,1,1,1")
    data = report(run_ipt)
    assert [(f["instrument"], f["item"]) for f in data["safety_flags"]] == [("phq9", 9)]
    assert "SAFETY" in run_ipt("report", "ab").stdout


def test_unknown_condition_is_refused(new_course, run_ipt: RunIpt) -> None:
    result = run_ipt(
        "new-course", "zz", "--client", "Z.", "--problem-area", "grief", "--condition",
        "astrology", "--no-input", exit_code=2,
    )  # fmt: skip
    assert "astrology" in result.stderr


def test_eating_disorder_counts_weekly_episodes_abstinence_and_edeq(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course(
        "ab", "--condition", "eating-disorder", "--binges", "6", "--compensatory", "2",
        "--edeq-global", "3.40",
    )  # fmt: skip
    counts = [("2026-01-12", 4, 1), ("2026-01-19", 0, 0), ("2026-01-26", 1, 0)]
    counts += [("2026-02-02", 0, 0), ("2026-02-09", 0, 0), ("2026-02-16", 0, 0)]
    counts += [("2026-02-23", 0, 0)]
    for date, binges, compensatory in counts:
        run_ipt(
            "session", "ab", "--date", date, "--binges", str(binges),
            "--compensatory", str(compensatory),
        )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-03-01", "--binges", "0", "--edeq-global", "1.5")
    assert stored(data_home)["baseline"]["edeq_global"] == 3.4
    data = report(run_ipt)
    assert (data["condition"], data["primary_measure"]) == ("eating-disorder", "binges")
    eating = data["eating"]
    assert [w["binges_per_week"] for w in eating["weeks"]] == [6, 4, 0, 1, 0, 0, 0, 0, 0]
    assert eating["weeks"][-1]["days"] == 6  # 2026-02-23 to 2026-03-01
    assert eating["binges_per_week"] == {
        "first_weeks": 5.0,
        "recent_weeks": 0.0,
        "change": -5.0,
        "change_percent": -100.0,
    }
    assert eating["abstinence"]["current_days"] == 34
    assert eating["abstinence"]["abstinent_28_days"] is True
    assert [(r["from"], r["days"]) for r in eating["abstinence"]["runs"]] == [
        ("2026-01-19", 7),
        ("2026-02-02", 34),
    ]
    assert eating["edeq_global"]["first"] == 3.4 and eating["edeq_global"]["latest"] == 1.5
    assert eating["edeq_global"]["change"] == -1.9
    assert "Binge episodes per week" in run_ipt("report", "ab").stdout
    markdown = run_ipt("report", "ab", "--format", "markdown").stdout
    assert "## Eating: episodes per week" in markdown
    assert "no binges over the last 28 days: yes" in markdown
    assert "EDE-Q global (0-6): 3.40 -> 1.50 (-1.90)" in markdown
    assert "Binge episodes: 5 per week in the first weeks, 0 in the most recent" in markdown


def test_eating_counts_are_checked(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "eating-disorder")
    for bad, shown in (("7", "must be 0-6"), ("2.755", "up to two decimals"), ("x", "0-6")):
        result = run_ipt("session", "ab", "--edeq-global", bad, exit_code=2)
        assert shown in result.stderr and "Traceback" not in result.stderr
    assert "--binges" in run_ipt("session", "ab", "--binges", "-1", exit_code=2).stderr


def test_social_anxiety_totals_with_the_mini_spin_cutoff(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "social-anxiety", "--mini-spin", "9", "--lsas", "82")
    run_ipt("session", "ab", "--date", "2026-01-12", "--mini-spin", "5", "--lsas", "60")
    data = report(run_ipt)
    assert list(data["measures"])[0] == "mini_spin"
    spin, lsas = data["measures"]["mini_spin"], data["measures"]["lsas"]
    assert (spin["baseline"], spin["latest"], spin["cutoff"], spin["above_cutoff"]) == (
        9,
        5,
        6,
        False,
    )
    assert spin["series"][0]["above_cutoff"] is True
    assert (lsas["baseline"], lsas["latest"], lsas["severity"]) == (82, 60, None)
    assert lsas["remission"] is None and lsas["reliable_improvement"] is None
    assert "must be 0-12" in run_ipt("session", "ab", "--mini-spin", "13", exit_code=2).stderr
    assert "must be 0-144" in run_ipt("session", "ab", "--lsas", "145", exit_code=2).stderr


def test_anxiety_course_heads_with_the_gad7(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "anxiety", "--phq9", "1,1,1,1,1,1,1,0,0")
    data = report(run_ipt)
    assert data["primary_measure"] == "gad7" and list(data["measures"]) == ["gad7", "phq9"]
    week5 = json.loads(run_ipt("agenda", "ab", "--week", "5", "--format", "json").stdout)
    assert "Symptom rating (GAD-7, PHQ-9), checking the PHQ-9 risk item first" in week5["items"]


def test_agendas_use_the_profile_wording(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "ptsd")
    agenda = json.loads(run_ipt("agenda", "ab", "--format", "json").stdout)
    assert any(
        item.startswith("Baseline symptom rating (PCL-5, PHQ-9)") for item in agenda["items"]
    )
    assert any("without reliving the trauma" in item for item in agenda["items"])
    week5 = json.loads(run_ipt("agenda", "ab", "--week", "5", "--format", "json").stdout)
    assert "Symptom rating (PCL-5, PHQ-9), checking the PHQ-9 risk item first" in week5["items"]


def test_depression_agendas_keep_their_wording(new_course, run_ipt: RunIpt) -> None:
    new_course("ab")
    week5 = json.loads(run_ipt("agenda", "ab", "--week", "5", "--format", "json").stdout)
    assert "Symptom rating, checking the risk item first" in week5["items"]


def test_list_shows_the_primary_measure_first(new_course, run_ipt: RunIpt) -> None:
    ptsd_course(new_course, "--phq9", "1,1,1,1,1,1,1,0,0")
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert row["primary_measure"] == "pcl5"
    assert row["latest_primary"] == {"total": 49, "severity": None}
    assert list(row["latest"]) == ["pcl5", "phq9"]
    assert row["latest_phq9"] == 7  # the old key keeps working
    assert "PCL-5 49, PHQ-9 7 mild" in run_ipt("list", COLUMNS="100").stdout


def test_guide_conditions_describes_each_profile(run_ipt: RunIpt) -> None:
    text = run_ipt("guide", "conditions").stdout
    for name in ("Depression", "Anxiety", "Social anxiety", "Eating disorder", "Post-trau"):
        assert f"## {name}" in text
    assert text.count("Primary outcome") == 5
    assert "PHQ-9" in run_ipt("guide", "ptsd").stdout
    pcl5 = run_ipt("guide", "pcl5").stdout
    assert "no empirically derived severity bands" in pcl5 and "Remission: not defined" in pcl5


def test_demo_replays_the_ptsd_example(run_ipt: RunIpt) -> None:
    text = run_ipt("demo", "--condition", "ptsd").stdout
    assert "ptsd-assault" in text and "PCL-5 by session" in text
    refused = run_ipt("demo", "--condition", "social-anxiety", exit_code=3)
    assert "no example course for condition 'social-anxiety'" in refused.stderr


ASK = {"IPT_INTERACTIVE": "1", "IPT_TODAY": "2026-01-12"}
# After the measures: mood, events, focus, techniques, strategies, two goals, task, note.
REST = ["", "", "", "", "", "", "", "", "", "y"]


def test_the_interactive_session_asks_the_eating_counts(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "eating-disorder", "--binges", "5")
    answers = ["", "", "3", "1", "2.5", "n", *REST]  # date, who attended, counts
    shown = run_ipt("session", "ab", input="\n".join(answers) + "\n", **ASK).stdout
    assert "Objective binge episodes since the last session" in shown
    assert "EDE-Q global" in shown
    weeks = report(run_ipt)["eating"]["weeks"]
    assert [(w["binges"], w["compensatory"], w["edeq_global"]) for w in weeks] == [
        (5, None, None),
        (3, 1, 2.5),
    ]


def test_the_interactive_session_asks_the_pcl5_first(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "ptsd")
    answers = ["", "", "y", *["2"] * 20, "n", *REST]
    shown = run_ipt("session", "ab", input="\n".join(answers) + "\n", **ASK).stdout
    assert shown.index("Give the PCL-5 now?") < shown.index("Give the PHQ-9 now?")
    assert "PCL-5 total 40 of 80: at or above the cut-off (33)" in shown
    assert report(run_ipt)["measures"]["pcl5"]["series"][0]["total"] == 40


def test_the_wizard_asks_the_condition_first(run_ipt: RunIpt, data_home: Path) -> None:
    answers = [
        "ptsd",  # the condition, first
        "",  # the adaptation: standard
        "Z.Q.",
        "2026-01-05",
        "12",
        "",
        "",
        "y",  # the PCL-5 baseline
        *["1"] * 20,
        "n",  # no PHQ-9
        "n",  # no GAD-7
        "y",
        "",
        "",
        "n",
        "n",
        "role-transition",
        "none",
        "type",
        "Linked to the change.",
        "y",
        "y",
        "n",
        "y",
        "y",
    ]
    result = run_ipt("new-course", "zz", input="\n".join(answers) + "\n", **ASK)
    assert result.stdout.index("Condition") < result.stdout.index("Client alias")
    assert "Psychoeducation: PTSD is a treatable response to trauma" in result.stdout
    course = stored(data_home, "zz")
    assert course["condition"] == "ptsd"
    assert course["baseline"]["pcl5"]["items"] == [1] * 20


def test_html_report_draws_the_pcl5_cutoff_and_the_eating_section(
    new_course, run_ipt: RunIpt
) -> None:
    ptsd_course(new_course)
    run_ipt("session", "ab", "--date", "2026-01-12", "--pcl5", PCL5_LOWER)
    page = run_ipt("report", "ab", "--format", "html").stdout
    assert "cut-off (33)" in page and "stroke-dasharray" in page
    assert "primary outcome PCL-5" in page
    new_course("ed", "--condition", "eating-disorder", "--binges", "4")
    page = run_ipt("report", "ed", "--format", "html").stdout
    assert "<h2>Binge episodes per week</h2>" in page


def test_list_shows_the_latest_binge_count_first(new_course, run_ipt: RunIpt) -> None:
    new_course(
        "ab", "--condition", "eating-disorder", "--binges", "5", "--phq9", "1,1,1,1,1,1,1,0,0"
    )
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert (row["primary_measure"], row["latest_primary"]) == (
        "binges",
        {"total": 5, "severity": None},
    )
    run_ipt("session", "ab", "--date", "2026-01-12", "--binges", "2")
    assert "binges 2, PHQ-9 7 mild" in run_ipt("list", COLUMNS="100").stdout


def test_the_session_note_shows_the_pcl5_and_the_eating_counts(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--condition", "eating-disorder")
    run_ipt(
        "session", "ab", "--date", "2026-01-12", "--binges", "2", "--compensatory", "0",
        "--edeq-global", "2.25", "--pcl5", PCL5_LOWER,
    )  # fmt: skip
    text = run_ipt("note", "ab", "1").stdout
    assert "PCL-5: 29\n" in text
    assert "Binge episodes since the last session: 2" in text
    assert "Compensatory behaviours since the last session: 0" in text
    assert "EDE-Q global: 2.25" in text


def test_an_assessment_file_can_name_the_condition(
    run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "assessment.toml"
    path.write_text(
        'client = "A.B."\nstart_date = 2026-01-05\nproblem_areas = ["role-transition"]\n'
        'condition = "social-anxiety"\n\n[baseline]\nmini_spin = { total = 7 }\n'
    )
    run_ipt("new-course", "ab", "--from", str(path), "--no-input")
    data = report(run_ipt)
    assert data["condition"] == "social-anxiety"
    assert data["measures"]["mini_spin"]["baseline"] == 7
    path.write_text(path.read_text().replace("social-anxiety", "insomnia"))
    refused = run_ipt("new-course", "cd", "--from", str(path), "--no-input", exit_code=4)
    assert "condition" in refused.stderr and "Traceback" not in refused.stderr
