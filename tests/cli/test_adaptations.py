"""Issue 20: adaptations of IPT (brief, adolescent, perinatal, IPSRT), attendees per session,
and the guardian and consent of an adolescent course."""

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PHQ9_MODERATE, RunIpt


def new(run_ipt: RunIpt, course_id: str, *extra: str, area: str = "grief") -> None:
    if "adolescent" in extra:  # an IPT-A course needs its guardian and consent (issue 26)
        if "--guardian" not in extra:
            extra = (*extra, "--guardian", "M.")
        if "--consent-by" not in extra:
            extra = (*extra, "--consent-by", "guardian")
    run_ipt(
        "new-course", course_id, "--client", "A.B.", "--problem-area", area,
        "--start", "2026-01-05", "--phq9", PHQ9_MODERATE, "--no-input", *extra,
    )  # fmt: skip


def report(run_ipt: RunIpt, course_id: str) -> dict:  # type: ignore[type-arg]
    return json.loads(run_ipt("report", course_id, "--format", "json").stdout)


def stored(data_home: Path, course_id: str) -> dict:  # type: ignore[type-arg]
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


@pytest.mark.parametrize(
    ("adaptation", "planned", "initial_sessions"),
    [("standard", 16, 3), ("brief", 8, 2), ("adolescent", 12, 4), ("perinatal", 12, 3),
     ("ipsrt", 16, 3), ("group", 8, 1)],
)  # fmt: skip
def test_an_adaptation_sets_the_course_defaults(
    run_ipt: RunIpt, adaptation: str, planned: int, initial_sessions: int
) -> None:
    new(run_ipt, "c1", "--adaptation", adaptation)
    data = report(run_ipt, "c1")
    assert data["adaptation"] == adaptation and data["sessions_planned"] == planned
    plan = json.loads(run_ipt("plan", "c1", "--format", "json").stdout)
    initial = [w for w in plan["weeks"] if w["phase"] == "initial"]
    assert len(initial) == initial_sessions


@pytest.mark.parametrize(
    "adaptation", ["standard", "brief", "adolescent", "perinatal", "ipsrt", "group"]
)
def test_new_course_help_names_the_defaults_each_adaptation_sets(
    run_ipt: RunIpt, adaptation: str
) -> None:
    """`new-course --help` gives each adaptation's own defaults, as a new course takes them
    (it said 16 sessions and 3 per phase whatever --adaptation was given)."""
    shown = " ".join(run_ipt("new-course", "--help").stdout.split())
    new(run_ipt, "c1", "--adaptation", adaptation)
    planned = report(run_ipt, "c1")["sessions_planned"]
    weeks = json.loads(run_ipt("plan", "c1", "--format", "json").stdout)["weeks"]
    spans = {p: sum(w["phase"] == p for w in weeks) for p in ("initial", "termination")}
    options = {
        "--sessions N": planned,
        "--initial-sessions N": spans["initial"],
        "--termination-sessions N": spans["termination"],
    }
    by_length = 3 if planned >= 10 else 2 if planned >= 6 else 1  # as the help says
    for option, value in options.items():
        text = shown.split(option, 1)[1].split(" --", 1)[0]
        if f" {adaptation} " in text:
            assert f" {adaptation} {value}" in text, (option, text)
        elif option == "--sessions N":
            assert "(default 16;" in text and value == 16, (option, text)
        else:
            assert "(default 3; 2 in a course of 6-9, 1 below 6;" in text, (option, text)
            assert value == by_length, (option, text)


def test_given_sessions_win_over_the_adaptation(run_ipt: RunIpt) -> None:
    new(run_ipt, "c1", "--adaptation", "adolescent", "--sessions", "16")
    assert report(run_ipt, "c1")["sessions_planned"] == 16


def test_a_course_without_an_adaptation_loads_as_standard(run_ipt: RunIpt, data_home: Path) -> None:
    new(run_ipt, "c1")
    path = data_home / "courses" / "c1.toml"
    text = path.read_text().replace("schema_version = 5", "schema_version = 2")
    assert "adaptation" not in text
    path.write_text(text)
    assert report(run_ipt, "c1")["adaptation"] == "standard"
    assert "Adaptation" not in run_ipt("report", "c1").stdout


def test_the_ipsrt_area_is_offered_only_in_ipsrt_courses(run_ipt: RunIpt) -> None:
    refused = run_ipt(
        "new-course", "c1", "--client", "A.B.", "--problem-area", "lost-healthy-self",
        "--no-input", exit_code=2,
    )  # fmt: skip
    assert "offered only in ipsrt courses" in refused.stderr
    new(run_ipt, "c2", "--adaptation", "ipsrt", area="lost-healthy-self")
    agenda = run_ipt("agenda", "c2", "--week", "5").stdout
    assert "Grief for the lost healthy self strategy" in agenda
    assert "Review the social rhythm log" in agenda


def test_attendees_are_recorded_and_reported(run_ipt: RunIpt, data_home: Path) -> None:
    new(run_ipt, "c1", "--adaptation", "perinatal")
    run_ipt(
        "session", "c1", "--date", "2026-01-05", "--attendee", "client", "--attendee",
        "partner", "--attendee", "other:Doula",
    )  # fmt: skip
    assert stored(data_home, "c1")["sessions"][0]["attendees"] == [
        "client", "partner", "other:Doula",
    ]  # fmt: skip
    assert report(run_ipt, "c1")["sessions"][0]["attendees"] == [
        "client", "partner", "other:Doula",
    ]  # fmt: skip
    text = run_ipt("report", "c1").stdout
    assert "Attendance" in text and "client, partner, other:Doula" in text
    markdown = run_ipt("report", "c1", "--format", "markdown").stdout
    assert "## Attendance" in markdown and "| 1 | 2026-01-05 | client, partner, other:Doula |" in (
        markdown
    )
    assert "The partner may attend" in run_ipt("agenda", "c1").stdout


@pytest.mark.parametrize("bad", ["friend", "other:", "client,guardian"])
def test_an_unknown_attendee_is_refused_in_one_line(run_ipt: RunIpt, bad: str) -> None:
    new(run_ipt, "c1")
    result = run_ipt("session", "c1", "--attendee", bad, "--mood", "5", exit_code=2)
    assert result.stderr.count("\n") == 1 and "--attendee" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_attendee_listed_twice_is_refused(run_ipt: RunIpt) -> None:
    new(run_ipt, "c1")
    result = run_ipt("session", "c1", "--attendee", "client", "--attendee", "client", exit_code=2)
    assert "listed twice" in result.stderr


def test_an_adolescent_course_keeps_guardian_and_consent(run_ipt: RunIpt) -> None:
    new(
        run_ipt, "c1", "--adaptation", "adolescent", "--guardian", "Mother (M.)",
        "--consent-by", "guardian and young person", "--consent-date", "2026-01-04",
        area="role-dispute",
    )  # fmt: skip
    data = report(run_ipt, "c1")
    assert data["guardian"] == {
        "alias": "Mother (M.)",
        "consent_by": "guardian and young person",
        "consent_date": "2026-01-04",
        "consent_reason": None,
    }
    text = run_ipt("report", "c1").stdout
    assert "IPT for adolescents (IPT-A)" in text and "Mother (M.)" in text
    assert "consent by guardian and young person on" in text


def test_guardian_fields_are_refused_where_they_do_not_belong(run_ipt: RunIpt) -> None:
    no_guardian = run_ipt(
        "new-course", "c1", "--client", "A.B.", "--problem-area", "grief", "--adaptation",
        "adolescent", "--consent-by", "guardian", "--no-input", exit_code=2,
    )  # fmt: skip
    assert "need --guardian" in no_guardian.stderr
    adult = run_ipt(
        "new-course", "c2", "--client", "A.B.", "--problem-area", "grief", "--guardian",
        "M.", "--no-input", exit_code=2,
    )  # fmt: skip
    assert "only in adolescent courses" in adult.stderr
    bad_date = run_ipt(
        "new-course", "c3", "--client", "A.B.", "--problem-area", "grief", "--adaptation",
        "adolescent", "--guardian", "M.", "--consent-date", "2026-13-01", "--no-input",
        exit_code=2,
    )  # fmt: skip
    assert "--consent-date" in bad_date.stderr


def test_adolescent_agendas_plan_the_guardian_at_start_middle_and_end(run_ipt: RunIpt) -> None:
    new(run_ipt, "c1", "--adaptation", "adolescent", "--guardian", "M.")
    joins = [
        week
        for week in range(1, 13)
        if "guardian joins" in run_ipt("agenda", "c1", "--week", str(week)).stdout
    ]
    assert joins == [1, 6, 12]
    first = run_ipt("agenda", "c1", "--week", "1").stdout
    assert "limited sick role" in first and "keeps going to school" in first
    plan = json.loads(run_ipt("plan", "c1", "--format", "json").stdout)
    assert [w["session"] for w in plan["weeks"] if "guardian joins" in w["focus"]] == [1, 6, 12]
    run_ipt("session", "c1", "--date", "2026-01-05", "--attendee", "client")
    text = run_ipt("report", "c1").stdout
    assert "client (guardian planned)" in text  # the guardian was planned but did not come


def test_an_assessment_file_may_set_the_adaptation_and_guardian(
    run_ipt: RunIpt, tmp_path: Path
) -> None:
    path = tmp_path / "a.toml"
    path.write_text(
        'client = "A.B."\nproblem_areas = ["grief"]\nadaptation = "adolescent"\n'
        '[guardian]\nalias = "Father"\nconsent_by = "guardian"\nconsent_date = 2026-01-02\n'
    )
    run_ipt("new-course", "c1", "--from", str(path), "--no-input")
    data = report(run_ipt, "c1")
    assert data["adaptation"] == "adolescent" and data["sessions_planned"] == 12
    assert data["guardian"]["alias"] == "Father"


def test_guide_describes_every_adaptation(run_ipt: RunIpt) -> None:
    text = run_ipt("guide", "adaptations").stdout
    for name in ("IPT-B", "IPT-A", "Perinatal", "IPSRT", "8 sessions", "12 sessions"):
        assert name in text
    assert "not quoted" in text
    assert "2 sessions" in run_ipt("guide", "brief").stdout


def test_the_html_report_shows_the_adaptation_and_attendance(run_ipt: RunIpt) -> None:
    new(run_ipt, "c1", "--adaptation", "adolescent", "--guardian", "<M.>")
    run_ipt("session", "c1", "--date", "2026-01-05", "--attendee", "client", "--attendee",
            "guardian")  # fmt: skip
    page = run_ipt("report", "c1", "--format", "html").stdout
    assert "IPT for adolescents (IPT-A)" in page and "&lt;M.&gt;" in page and "<M.>" not in page
    assert "<h2>Attendance</h2>" in page and "client, guardian" in page


def test_the_interactive_session_asks_who_attended(run_ipt: RunIpt) -> None:
    new(run_ipt, "c1", "--adaptation", "adolescent")
    answers = "2026-01-05\nfriend\nclient, guardian\nn\n" + "\n" * 30  # n: no PHQ-A now
    result = run_ipt("session", "c1", input=answers, IPT_INTERACTIVE="1")
    assert "Who attended" in result.stdout and "Attended    client, guardian" in result.stdout
    assert report(run_ipt, "c1")["sessions"][0]["attendees"] == ["client", "guardian"]
    new(run_ipt, "c2")  # standard IPT: asked too (issue 27), the client by default
    plain = run_ipt("session", "c2", input="2026-01-05\n" + "\n" * 30, IPT_INTERACTIVE="1")
    assert "Who attended" in plain.stdout
    assert report(run_ipt, "c2")["sessions"][0]["attendees"] == ["client"]


def test_the_research_export_names_the_adaptation(run_ipt: RunIpt) -> None:
    new(run_ipt, "c1", "--adaptation", "brief")
    new(run_ipt, "c2")
    brief = run_ipt("export", "c1", "--format", "csv").stdout.splitlines()
    assert brief[1].startswith("c1,brief,grief,0,")
    standard = run_ipt("export", "c2", "--format", "csv").stdout.splitlines()
    assert standard[1].startswith("c2,standard,grief,0,")


def test_the_wizard_asks_the_adaptation_and_an_adolescents_guardian(
    run_ipt: RunIpt, data_home: Path
) -> None:
    answers = ["", "adolescent", "Guardian (M.)", "both", "Y.A.", "2026-01-05"]
    result = run_ipt(
        "new-course", "ya", input="\n".join(answers) + "\n", exit_code=130, IPT_INTERACTIVE="1"
    )
    assert "ipsrt" in result.stdout and "group:" not in result.stdout  # group: ipt group add
    assert "Parent or guardian's alias" in result.stdout
    assert "Planned sessions, acute IPT usually 12-16 (12)" in result.stdout  # IPT-A default
