"""The core loop through the CLI: new-course, session, report, list, contract."""

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PHQ9_MODERATE, PHQ9_RISK, RunIpt


def report_json(run_ipt: RunIpt, course_id: str = "ab") -> dict:
    return json.loads(run_ipt("report", course_id, "--format", "json").stdout)


def test_new_course_writes_the_course_file(new_course, data_home: Path) -> None:
    result = new_course("ab", "--phq9", "3,3,2,2,2,2,2,1,0", "--sessions", "12")
    assert "Created course ab" in result.stdout
    assert "session 1 of 12" in result.stdout  # the first agenda
    data = tomllib.loads((data_home / "courses" / "ab.toml").read_text())
    assert data["schema_version"] == 10
    assert data["client"] == "A.B." and data["planned_sessions"] == 12
    assert data["problem_areas"] == ["grief"]
    assert data["baseline"]["phq9"]["items"] == [3, 3, 2, 2, 2, 2, 2, 1, 0]
    assert "total" not in data["baseline"]["phq9"]  # totals are computed, never stored


def test_missing_required_values_are_named(run_ipt: RunIpt, data_home: Path) -> None:
    result = run_ipt("new-course", "ab", "--problem-area", "grief", "--no-input", exit_code=2)
    assert "missing --client" in result.stderr
    result = run_ipt("new-course", "ab", "--client", "A.B.", exit_code=2)  # stdin is no tty
    assert "missing --problem-area" in result.stderr
    assert not (data_home / "courses" / "ab.toml").exists()


def test_bad_values_are_refused_with_one_line(run_ipt: RunIpt, new_course) -> None:
    cases = [
        (["new-course", "../x", "--client", "X", "--problem-area", "grief"], "invalid course id"),
        (
            ["new-course", "cd", "--client", "X", "--problem-area", "sadness"],
            "'sadness' is not one of 'grief'",
        ),
        (
            ["new-course", "cd", "--client", "X", "--problem-area", "grief", "--sessions", "3"],
            "--sessions: must be 4-30",
        ),
        (
            [
                "new-course",
                "cd",
                "--client",
                "X",
                "--problem-area",
                "grief",
                "--start",
                "2026-13-01",
            ],
            "--start '2026-13-01' is not a date",
        ),
        (
            ["new-course", "cd", "--client", "X", "--problem-area", "grief", "--phq9", "1,2"],
            "PHQ-9 needs 9 item scores, got 2",
        ),
    ]
    for args, message in cases:
        result = run_ipt(*args, exit_code=2)
        assert message in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    new_course()
    result = run_ipt("session", "ab", "--phq9", "0,0,0,0,0,0,0,0,4", exit_code=2)
    assert "PHQ-9 item 9 must be 0-3, got 4" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["session", "ab", "--bogus"], "No such option: --bogus"),
        (["report", "ab", "--format", "pdf"], "'pdf' is not one of"),
        (["contract", "ab", "--sessions", "many", "--reason", "x"], "'many' is not a valid"),
        (["report"], "Missing argument"),
    ],
)
def test_command_line_mistakes_are_usage_errors(
    args: list[str], message: str, run_ipt: RunIpt, new_course
) -> None:
    new_course()
    result = run_ipt(*args, exit_code=2)
    assert message in result.stderr and "unexpected error" not in result.stderr


def test_duplicate_course_is_refused_and_untouched(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    before = path.read_bytes()
    result = run_ipt("new-course", "ab", "--client", "Z", "--problem-area", "grief", exit_code=5)
    assert "already exists" in result.stderr
    assert path.read_bytes() == before


def test_short_course_prints_a_note(new_course) -> None:
    result = new_course("ab", "--sessions", "6")
    assert "acute IPT usually runs 12-16" in result.stderr


def test_core_loop_json_contract(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", "3,3,2,2,2,2,1,1,1", "--sessions", "12")  # 17, item 9 = 1
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_MODERATE, "--note", "one")
    run_ipt("session", "ab", "--date", "2026-01-19", "--phq9", "1,1,1,1,1,1,1,1,0")
    data = report_json(run_ipt)
    for key in (
        "course_id",
        "client",
        "start_date",
        "sessions_planned",
        "sessions_recorded",
        "phase",
        "problem_areas",
        "measures",
        "safety_flags",
    ):
        assert key in data
    assert data["course_id"] == "ab" and data["client"] == "A.B."
    assert data["start_date"] == "2026-01-05"
    assert (data["sessions_planned"], data["sessions_recorded"]) == (12, 2)
    assert data["phase"] == "initial" and data["problem_areas"] == ["grief"]
    phq9 = data["measures"]["phq9"]
    assert phq9["baseline"] == 17 and phq9["latest"] == 8
    assert phq9["change_percent"] == -52.94
    assert phq9["severity"] == "mild" and phq9["response"] is True and phq9["remission"] is False
    assert phq9["series"] == [
        {"session": 0, "date": "2026-01-05", "total": 17, "severity": "moderately severe"},
        {"session": 1, "date": "2026-01-12", "total": 10, "severity": "moderate"},
        {"session": 2, "date": "2026-01-19", "total": 8, "severity": "mild"},
    ]
    assert data["safety_flags"] == [
        {
            "session": 0,
            "date": "2026-01-05",
            "instrument": "phq9",
            "item": 9,
            "score": 1,
            "reviewed": False,
            "urgent": False,
            "maintenance": False,
            "session_id": None,
        }
    ]


def test_baseline_falls_back_to_session_one(new_course, run_ipt: RunIpt) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-05", "--phq9", PHQ9_MODERATE)
    phq9 = report_json(run_ipt)["measures"]["phq9"]
    assert phq9["baseline"] == 10 and phq9["baseline_session"] == 1
    assert phq9["latest"] is None and phq9["change_percent"] is None  # one score


@pytest.mark.parametrize(
    ("planned", "expected"),
    [
        (12, ["initial"] * 3 + ["middle"] * 6 + ["termination"] * 3),
        (8, ["initial"] * 2 + ["middle"] * 4 + ["termination"] * 2),  # below 10: 2 and 2
    ],
)
def test_phase_follows_the_sessions_held(
    new_course, run_ipt: RunIpt, planned: int, expected: list[str]
) -> None:
    new_course("ab", "--sessions", str(planned))
    phases = []
    for week in range(planned):
        phases.append(report_json(run_ipt)["phase"])
        run_ipt("session", "ab", "--date", f"2026-02-{week + 1:02d}")
    phases.append(report_json(run_ipt)["phase"])
    assert phases == expected + ["completed"]


def test_contract_renegotiation_is_kept(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4")
    for day in (5, 12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}")
    refused = run_ipt("session", "ab", "--date", "2026-02-02", exit_code=5)
    assert "ipt contract ab --sessions N --reason TEXT" in refused.stderr
    run_ipt("contract", "ab", "--sessions", "6", "--reason", "Slow start")
    run_ipt("session", "ab", "--date", "2026-02-02")
    data = report_json(run_ipt)
    assert data["sessions_planned"] == 6 and data["sessions_recorded"] == 5
    assert data["contract_changes"] == [
        {"date": "2026-03-01", "old": 4, "new": 6, "reason": "Slow start"}
    ]
    assert "4 -> 6" in run_ipt("report", "ab").stdout


def test_report_text_and_markdown(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", PHQ9_RISK)
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_MODERATE)
    text = run_ipt("report", "ab").stdout
    assert text.index("UNREVIEWED SAFETY FLAGS") < text.index("IPT progress report")
    assert "PHQ-9 item 9 = 1 at baseline (2026-01-05)" in text
    assert "moderate" in text and "\x1b[" not in text  # NO_COLOR: no escape codes
    markdown = run_ipt("report", "ab", "--format", "markdown").stdout
    assert markdown.startswith("# IPT course `ab`: A.B.")
    assert "| PHQ-9 | 9 | 10 | +11.1111%" not in markdown
    # 9 was not a case: no response or remission to judge (issue 26, defect 6)
    assert "| PHQ-9 | 9 | 10 | +11.11% | moderate | n/a | n/a | no |" in markdown


def test_list_shows_courses_and_damaged_files(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    (data_home / "courses" / "zz.toml").write_text("schema_version = 1\nid = 3\n")
    rows = json.loads(run_ipt("list", "--json").stdout)
    assert rows[0]["course_id"] == "ab" and rows[0]["latest_phq9"] == 10
    assert rows[0]["latest_phq9_severity"] == "moderate" and rows[0]["phase"] == "initial"
    assert rows[0]["sessions_recorded"] == 0 and rows[0]["sessions_planned"] == 16
    assert rows[1]["course_id"] == "zz" and rows[1]["damaged"] is True
    text = run_ipt("list").stdout
    assert "DAMAGED" in text and "ab" in text
    # Other commands on the damaged course fail clearly; the good one still works.
    result = run_ipt("report", "zz", exit_code=4)
    assert "zz.toml" in result.stderr and "id:" in result.stderr
    run_ipt("report", "ab")


def test_unknown_course_is_not_found(run_ipt: RunIpt) -> None:
    result = run_ipt("report", "nope", exit_code=3)
    assert "no course 'nope'" in result.stderr


def test_data_dir_option_beats_ipt_home(
    new_course, run_ipt: RunIpt, tmp_path: Path, data_home: Path
) -> None:
    other = tmp_path / "elsewhere"
    run_ipt(
        "--data-dir",
        str(other),
        "new-course",
        "ab",
        "--client",
        "A.B.",
        "--problem-area",
        "grief",
        "--no-input",
    )
    assert (other / "courses" / "ab.toml").exists()
    assert not (data_home / "courses" / "ab.toml").exists()


def test_version_and_help(run_ipt: RunIpt) -> None:
    assert run_ipt("--version").stdout.startswith("ipt 0.")
    help_text = run_ipt("--help").stdout
    for command in (
        "new-course",
        "session",
        "report",
        "list",
        "plan",
        "agenda",
        "contract",
        "risk-review",
        "demo",
    ):
        assert f"  {command} " in help_text
    for command in ("new-course", "session", "report", "list", "plan", "agenda"):
        assert "Example" in run_ipt(command, "--help").stdout


def test_unexpected_errors_hide_details(new_course, run_ipt: RunIpt, monkeypatch) -> None:
    new_course()
    from ipt_cli.core import progress

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("SECRET-NOTE-TEXT")

    monkeypatch.setattr(progress, "build_report", explode)
    result = run_ipt("report", "ab", exit_code=1)
    assert "unexpected error (RuntimeError)" in result.stderr and "IPT_DEBUG=1" in result.stderr
    assert "SECRET-NOTE-TEXT" not in result.stderr + result.stdout


def test_config_file_changes_the_configurable_scoring(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    hamd = "3,2,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1"  # total 19
    new_course("ab", "--hamd17", hamd, "--phq9", "3,3,2,2,2,2,1,1,0")  # PHQ-9 16
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", "2,2,1,2,1,1,1,1,0")  # 11
    data = report_json(run_ipt)
    assert data["measures"]["hamd17"]["severity"] == "moderate"  # Zimmerman: 17-23
    assert data["measures"]["phq9"]["reliable_change"] is False  # 5 < 6 points
    (data_home / "config.toml").write_text(
        '[scoring]\nhamd17_bands = "alternative"\n[scoring.reliable_change]\nphq9 = 5\n'
    )
    data = report_json(run_ipt)
    assert data["measures"]["hamd17"]["severity"] == "severe"  # alternative: 19-22
    assert data["measures"]["phq9"]["reliable_change"] is True
    # HAM-D-17 has no reliable-change convention until one is set, with a caseness.
    run_ipt("session", "ab", "--date", "2026-01-19", "--hamd17", "1" + ",0" * 16)  # 1
    assert data_home.joinpath("config.toml").exists()
    assert report_json(run_ipt)["measures"]["hamd17"]["reliable_recovery"] is None
    (data_home / "config.toml").write_text(
        "[scoring.reliable_change]\nhamd17 = 8\n[scoring.caseness]\nhamd17 = 15\n"
    )
    hamd = report_json(run_ipt)["measures"]["hamd17"]
    assert hamd["reliable_improvement"] is True and hamd["reliable_recovery"] is True
    (data_home / "config.toml").write_text('[scoring]\nhamd17_bands = "other"\n')
    result = run_ipt("report", "ab", exit_code=4)
    assert "config.toml" in result.stderr and "scoring.hamd17_bands" in result.stderr


def test_other_instruments_are_reported_only_when_used(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    assert set(report_json(run_ipt)["measures"]) == {"phq9"}
    run_ipt(
        "session",
        "ab",
        "--date",
        "2026-01-12",
        "--gad7",
        "3,3,3,3,3,0,0",
        "--bdi2-total",
        "30",
        "--bdi2-item9",
        "1",
        "--hamd17",
        "1,1,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
    )
    data = report_json(run_ipt)
    assert set(data["measures"]) == {"phq9", "gad7", "hamd17", "bdi2"}
    gad7 = data["measures"]["gad7"]  # one score each: a baseline, not yet an outcome
    assert (gad7["baseline"], gad7["baseline_session"], gad7["latest"]) == (15, 1, None)
    assert gad7["severity"] == "severe"
    assert data["measures"]["bdi2"]["baseline"] == 30
    assert data["measures"]["hamd17"]["baseline"] == 5
    assert set(data["measures"]["gad7"]) == set(data["measures"]["phq9"])
    flags = {(f["instrument"], f["item"], f["score"], f["urgent"]) for f in data["safety_flags"]}
    assert flags == {("hamd17", 3, 3, True), ("bdi2", 9, 1, False)}


def test_bad_measure_options_name_the_item(new_course, run_ipt: RunIpt) -> None:
    new_course()
    cases = [
        (["--gad7", "1,1,1"], "GAD-7 needs 7 item scores, got 3"),
        (["--hamd17", "0,0,0,3,0,0,0,0,0,0,0,0,0,0,0,0,0"], "HAM-D-17 item 4 must be 0-2, got 3"),
        (["--bdi2-total", "64", "--bdi2-item9", "0"], "BDI-II total must be 0-63, got 64"),
        (["--bdi2-total", "20"], "BDI-II needs both --bdi2-total and --bdi2-item9"),
        (["--phq9", "a,b"], "PHQ-9 scores must be whole numbers"),
        (["--phq9", PHQ9_MODERATE, "--phq9-difficulty", "4"], "PHQ-9 difficulty must be 0-3"),
    ]
    for args, message in cases:
        assert message in run_ipt("session", "ab", *args, exit_code=2).stderr
    assert report_json(run_ipt)["sessions_recorded"] == 0


def test_phase_overrides_from_new_course(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "16", "--initial-sessions", "4", "--termination-sessions", "2")
    plan = json.loads(run_ipt("plan", "ab", "--format", "json").stdout)
    phases = [w["phase"] for w in plan["weeks"]]
    assert phases == ["initial"] * 4 + ["middle"] * 10 + ["termination"] * 2
    refused = run_ipt(
        "new-course",
        "cd",
        "--client",
        "X",
        "--problem-area",
        "grief",
        "--initial-sessions",
        "11",
        exit_code=2,
    )
    assert "--initial-sessions: must be 1-10" in refused.stderr
