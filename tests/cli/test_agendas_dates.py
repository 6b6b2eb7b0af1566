"""Phases, agendas, maintenance, formulation agreement and session dates through the CLI
(docs/clinical-rules.md, "Phases, agendas and dates")."""

import json
import sys
import tomllib
from pathlib import Path

from tests.conftest import PHQ9_MODERATE, PHQ9_RISK, RunIpt

LATER = {"IPT_TODAY": "2026-12-01"}


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def agenda(run_ipt: RunIpt, *args: str, **env: str) -> dict:
    return json.loads(run_ipt("agenda", "ab", *args, "--format", "json", **env).stdout)


def new(run_ipt: RunIpt, *extra: str, exit_code: int = 0, course_id: str = "ab"):
    return run_ipt(
        "new-course",
        course_id,
        "--client",
        "A.B.",
        "--start",
        "2026-01-05",
        "--no-input",
        *extra,
        exit_code=exit_code,
    )


def hold(run_ipt: RunIpt, count: int, first_day: int = 5, **env: str) -> None:
    import datetime as dt

    for n in range(count):
        day = dt.date(2026, 1, first_day) + dt.timedelta(weeks=n)
        run_ipt(
            "session", "ab", "--date", day.isoformat(), "--attendee", "client", **(env or LATER)
        )


# Item 5: agendas for every phase length


def test_brief_course_agendas_cover_the_whole_assessment(run_ipt: RunIpt) -> None:
    new(run_ipt, "--sessions", "8", "--problem-area", "role-dispute", "--phq9", PHQ9_MODERATE)
    first, second = agenda(run_ipt, "--week", "1"), agenda(run_ipt, "--week", "2")
    assert first["done"] == ["Baseline symptom rating: PHQ-9 10 on 2026-01-05"]
    assert any("sick role" in i for i in first["items"])
    text = "\n".join(second["items"])
    assert "interpersonal formulation" in text and "Agree the contract" in text
    assert second["items"][0] == "Symptom rating, checking the risk item first"
    assert second["done"] == ["Choose one main problem area (at most one secondary): Role dispute"]
    last = agenda(run_ipt, "--week", "8")
    assert last["items"][0].startswith("Symptom rating") and last["count"].endswith("the last")
    assert "0 session" not in "\n".join(last["items"])
    plan = json.loads(run_ipt("plan", "ab", "--format", "json").stdout)
    assert (
        plan["weeks"][1]["focus"] == "Inventory, formulation, contract; already done: problem area"
    )


def test_one_and_four_initial_sessions(run_ipt: RunIpt) -> None:
    new(run_ipt, "--problem-area", "grief", "--initial-sessions", "1")
    text = "\n".join(agenda(run_ipt, "--week", "1")["items"])
    for task in ("sick role", "interpersonal inventory", "interpersonal formulation", "contract"):
        assert task in text
    assert agenda(run_ipt, "--week", "2")["phase"] == "middle"
    new(run_ipt, "--problem-area", "grief", "--initial-sessions", "4", course_id="cd")
    weeks = [
        json.loads(run_ipt("agenda", "cd", "--week", str(n), "--format", "json").stdout)
        for n in (1, 2, 3, 4)
    ]
    assert sum("Agree the contract" in "\n".join(w["items"]) for w in weeks) == 1


def test_the_wizards_agreements_are_shown_as_done(run_ipt: RunIpt) -> None:
    new(run_ipt, "--sessions", "12", "--problem-area", "grief")
    run_ipt("formulation", "ab", "--text", "Linked to the loss of R.", "--agreed")
    done = "\n".join(agenda(run_ipt, "--week", "3")["done"])
    assert "interpersonal formulation" in done and "agreed 2026-03-01" in done


# Item 6: overrides must leave a middle phase


def test_overrides_without_a_middle_phase_are_refused(run_ipt: RunIpt, data_home: Path) -> None:
    both = new(
        run_ipt,
        "--problem-area",
        "grief",
        "--sessions",
        "8",
        "--initial-sessions",
        "4",
        "--termination-sessions",
        "4",
        exit_code=2,
    )
    assert "--initial-sessions 4 and --termination-sessions 4 leave no middle phase" in both.stderr
    assert "at most 7" in both.stderr and "Traceback" not in both.stderr
    one = new(
        run_ipt,
        "--problem-area",
        "grief",
        "--sessions",
        "8",
        "--initial-sessions",
        "6",
        exit_code=2,
    )
    assert "termination takes the last 2 by default" in one.stderr
    assert not (data_home / "courses" / "ab.toml").exists()
    new(
        run_ipt, "--problem-area", "grief", "--initial-sessions", "4", "--termination-sessions", "4"
    )
    small = run_ipt("contract", "ab", "--sessions", "8", "--reason", "Shorter", exit_code=2)
    assert "leave no middle phase" in small.stderr
    assert stored(data_home)["planned_sessions"] == 16
    assert stored(data_home)["initial_sessions"] == 4  # never cut


def test_an_assessment_file_without_a_middle_phase_is_refused(
    run_ipt: RunIpt, tmp_path: Path
) -> None:
    path = tmp_path / "a.toml"
    path.write_text(
        'client = "A.B."\nproblem_areas = ["grief"]\nplanned_sessions = 6\n'
        "initial_sessions = 3\ntermination_sessions = 3\n"
    )
    refused = run_ipt("new-course", "ab", "--from", str(path), "--no-input", exit_code=4)
    assert "initial_sessions 3 and termination_sessions 3 leave no middle phase" in refused.stderr


def test_ipt_edit_refuses_overrides_without_a_middle_phase(
    run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    new(run_ipt, "--problem-area", "grief", "--sessions", "8")
    script = tmp_path / "ed.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('planned_sessions = 8', "
        "'planned_sessions = 8\\ninitial_sessions = 6'))\n"
    )
    result = run_ipt("edit", "ab", exit_code=2, EDITOR=f"{sys.executable} {script}")
    assert "initial_sessions 6 leaves no middle phase" in result.stderr
    assert "initial_sessions" not in stored(data_home)


# Item 7 (agendas and plan): maintenance is a phase of its own


def test_maintenance_agenda_and_plan(run_ipt: RunIpt) -> None:
    new(run_ipt, "--problem-area", "role-dispute", "--sessions", "4", "--phq9", PHQ9_MODERATE)
    hold(run_ipt, 4)
    run_ipt(  # PHQ-9 10 is still a case: the decision is confirmed (issue 26, defect 4)
        "ending", "ab", "--warning-sign", "Staying in bed", "--decision", "maintenance",
        "--confirm",
    )  # fmt: skip
    run_ipt("maintenance", "ab", "--sessions", "12", "--confirm", **LATER)
    shown = run_ipt("agenda", "ab", **LATER).stdout
    assert "maintenance session 1 of 12, 11 left" in shown and "maintenance phase" in shown
    assert "session 4 of 4" not in shown
    for words in ("relapse warning signs", "Staying in bed", "problem area", "Review risk"):
        assert words in shown
    assert "Role dispute" in shown
    data = agenda(run_ipt, "--week", "m12", **LATER)
    assert data["maintenance"] is True and data["count"] == "maintenance session 12 of 12, the last"
    plan = json.loads(run_ipt("plan", "ab", "--format", "json", **LATER).stdout)
    assert plan["sessions_recorded"] == plan["sessions_held"] == 4
    assert len(plan["weeks"]) == 4  # the acute course, as before
    block = plan["maintenance"]
    assert (block["sessions_planned"], block["sessions_recorded"]) == (12, 0)
    assert [w["session"] for w in block["weeks"]] == list(range(1, 13))
    assert block["weeks"][0]["current"] and block["weeks"][0]["date"] == "2026-02-26"
    text = run_ipt("plan", "ab", **LATER).stdout
    assert "maintenance 0 of 12 held" in text and "m12" in text
    run_ipt("session", "ab", "--date", "2026-02-26", "--attendee", "client", **LATER)
    assert agenda(run_ipt, **LATER)["count"] == "maintenance session 2 of 12, 10 left"
    assert "outside the contract" in run_ipt("agenda", "ab", "--week", "m13", exit_code=2).stderr


# Item 9: formulation agreement


def test_a_changed_formulation_is_no_longer_agreed(run_ipt: RunIpt, data_home: Path) -> None:
    new(run_ipt, "--problem-area", "role-dispute")
    run_ipt("formulation", "ab", "--text", "First text.", "--agreed")
    changed = " ".join(run_ipt("formulation", "ab", "--draft").stdout.split())
    assert "not yet agreed" in changed and "agreement was reset" in changed
    course = stored(data_home)
    assert course["formulation"]["agreed"] is False
    assert "linked to a role dispute" in course["formulation"]["text"]
    assert course["formulation_history"][0].pop("recorded_at")  # when written (schema 10)
    assert course["formulation_history"] == [
        {"text": "First text.", "date": course["formulation"]["date"], "agreed": True}
    ]
    again = " ".join(run_ipt("formulation", "ab", "--text", "Third text.").stdout.split())
    assert "agreement was reset" not in again and "kept in the course history" in again
    assert len(stored(data_home)["formulation_history"]) == 2
    run_ipt("formulation", "ab", "--text", "Fourth text.", "--agreed")
    assert stored(data_home)["formulation"]["agreed"] is True
    assert run_ipt("formulation", "ab", "--agreed").stdout.count("history") == 0


def test_draft_onset_is_the_event_nearest_before_the_start(
    run_ipt: RunIpt, data_home: Path
) -> None:
    new(run_ipt, "--problem-area", "role-transition")
    for date, event in (
        ("2025-06-01", "Moved to a new city"),
        ("2025-11-20", "Lost the job"),
        ("2026-02-01", "Planned retirement party"),
    ):
        run_ipt("timeline", "ab", "add", "--date", date, "--event", event, "--no-input")
    run_ipt("formulation", "ab", "--draft")
    text = stored(data_home)["formulation"]["text"]
    assert "Lost the job (2025-11-20)" in text and "retirement" not in text
    assert "linked to a role transition" in text


# Item 11: focus, strategies


def test_focus_and_strategy_outside_the_course_areas_are_refused(
    run_ipt: RunIpt, data_home: Path
) -> None:
    new(run_ipt, "--problem-area", "role-dispute")
    grief = run_ipt("session", "ab", "--focus", "grief", exit_code=2)
    assert "--focus grief is not a problem area of 'ab'" in grief.stderr
    other = run_ipt("session", "ab", "--strategy", "grief-events", exit_code=2)
    assert "--strategy grief-events belongs to another problem area" in other.stderr
    assert "sessions" not in stored(data_home)
    run_ipt("session", "ab", "--focus", "role-dispute", "--strategy", "dissolution-mourning")


# Item 13: maintenance contracts


def test_open_maintenance_contract_is_renegotiated_with_history(
    run_ipt: RunIpt, data_home: Path
) -> None:
    new(run_ipt, "--problem-area", "grief", "--sessions", "4")
    hold(run_ipt, 4)
    run_ipt("maintenance", "ab", "--sessions", "6", **LATER)
    again = run_ipt("maintenance", "ab", "--start", "2026-09-01", exit_code=5, **LATER)
    assert "already has a maintenance contract (6 monthly sessions from 2026-02-26)" in again.stderr
    assert "ipt contract ab --maintenance --sessions N --reason TEXT" in again.stderr
    plan = stored(data_home)["maintenance"]
    assert (plan["planned_sessions"], plan["start_date"].isoformat()) == (6, "2026-02-26")
    done = run_ipt(
        "contract",
        "ab",
        "--maintenance",
        "--sessions",
        "12",
        "--cadence",
        "fortnightly",
        "--reason",
        "Second year agreed",
        **LATER,
    )
    assert "Maintenance contract for ab: 6 -> 12 sessions, now fortnightly." in done.stdout
    plan = stored(data_home)["maintenance"]
    assert plan["planned_sessions"] == 12 and plan["cadence"] == "fortnightly"
    assert plan["contract_changes"][0].pop("recorded_at")  # when written (schema 10)
    assert plan["contract_changes"] == [
        {
            "date": plan["contract_changes"][0]["date"],
            "old": 6,
            "new": 12,
            "reason": "Second year agreed",
            "cadence": "fortnightly",
        }
    ]
    assert stored(data_home)["planned_sessions"] == 4  # the acute contract is untouched
    same = run_ipt(
        "contract", "ab", "--maintenance", "--sessions", "12", "--reason", "x", exit_code=2
    )
    assert "already has 12 fortnightly sessions" in same.stderr
    acute = run_ipt(
        "contract", "ab", "--sessions", "8", "--cadence", "weekly", "--reason", "x", exit_code=2
    )
    assert "--cadence changes only a maintenance contract" in acute.stderr


def test_maintenance_contract_change_needs_a_contract(run_ipt: RunIpt) -> None:
    new(run_ipt, "--problem-area", "grief")
    refused = run_ipt(
        "contract", "ab", "--maintenance", "--sessions", "3", "--reason", "x", exit_code=5
    )
    assert "has no maintenance contract; open one with: ipt maintenance ab" in refused.stderr


# Item 15: session dates


def test_impossible_session_dates_are_refused(run_ipt: RunIpt, data_home: Path) -> None:
    new(run_ipt, "--problem-area", "grief", "--phq9", PHQ9_MODERATE)
    cases = [
        (
            ["--date", "2030-01-12", "--attendee", "client"],
            "--date 2030-01-12 is after today (2026-03-01)",
        ),
        (
            ["--date", "2025-12-29", "--attendee", "client"],
            "--date 2025-12-29 is before the course started (2026-01-05)",
        ),
        (["--date", "1899-12-31", "--attendee", "client"], "--date 1899-12-31 is before 1900"),
        (["--date", "2030-01-12", "--missed", "Ill"], "is after today"),
        (["--date", "1899-12-31", "--missed", "Ill"], "before 1900"),
    ]
    for args, message in cases:
        result = run_ipt("session", "ab", *args, exit_code=2)
        assert message in result.stderr and "Traceback" not in result.stderr
    assert "sessions" not in stored(data_home) and "missed" not in stored(data_home)
    assert json.loads(run_ipt("list", "--json").stdout)[0]["next_session_date"] == "2026-01-05"


def test_two_sittings_on_one_day_need_same_day(run_ipt: RunIpt, data_home: Path) -> None:
    new(run_ipt, "--problem-area", "grief")
    run_ipt("session", "ab", "--date", "2026-01-12", "--attendee", "client")
    twice = run_ipt("session", "ab", "--date", "2026-01-12", "--attendee", "client", exit_code=2)
    assert "session 1 is already recorded on 2026-01-12" in twice.stderr
    assert "--same-day" in twice.stderr
    missed = run_ipt("session", "ab", "--date", "2026-01-12", "--missed", "Ill", exit_code=2)
    assert "session 1 is already recorded on 2026-01-12" in missed.stderr
    run_ipt("session", "ab", "--date", "2026-01-19", "--missed", "Ill")
    held = run_ipt("session", "ab", "--date", "2026-01-19", "--attendee", "client", exit_code=2)
    assert "a missed appointment is already recorded on 2026-01-19" in held.stderr
    run_ipt("session", "ab", "--date", "2026-01-12", "--same-day", "--attendee", "client")
    run_ipt("session", "ab", "--date", "2026-01-19", "--same-day", "--attendee", "client")
    course = stored(data_home)
    assert [s["date"].isoformat() for s in course["sessions"]] == ["2026-01-12"] * 2 + [
        "2026-01-19"
    ]


# Item 16: clearer words


def test_flags_box_names_the_real_command(run_ipt: RunIpt) -> None:
    new(run_ipt, "--problem-area", "grief", "--phq9", PHQ9_RISK, course_id="rd-1")
    for command in (("agenda", "rd-1"), ("report", "rd-1")):
        text = run_ipt(*command, COLUMNS="120").stdout  # the whole command on one line
        assert (
            "ipt risk-review rd-1 --session 0 --note ... --ideation ... --level ... --action ..."
            in text
        )
        assert "COURSE_ID" not in text
    data = json.loads(run_ipt("agenda", "rd-1", "--format", "json").stdout)
    assert data["review_commands"] == [
        "ipt risk-review rd-1 --session 0 --note ... --ideation ... --level ... --action ..."
    ]
    notice = run_ipt(
        "session", "rd-1", "--date", "2026-01-12", "--phq9", PHQ9_RISK, COLUMNS="140"
    ).stderr
    assert (
        "Record a review with: ipt risk-review rd-1 --session 1 --note ... --ideation ... "
        "--level ... --action ..." in notice
    )


def test_guide_phase_alone_and_hamd_item_ranges(run_ipt: RunIpt) -> None:
    initial = run_ipt("guide", "initial").stdout
    assert "Initial phase" in initial and "(initial)" not in initial
    assert "Termination" not in initial and "Middle" not in initial
    assert "Maintenance phase" in run_ipt("guide", "maintenance").stdout
    everything = run_ipt("guide").stdout
    assert "Initial (initial)" not in everything and "## Grief\n" in everything
    hamd = run_ipt("guide", "hamd17").stdout
    assert "- scored 0-4: 1 depressed mood; 2 feelings of guilt; 3 suicide; 7 work" in hamd
    assert "- scored 0-2: 4 insomnia: early" in hamd and "see the form" not in hamd
    assert "dissolution-mourning" in run_ipt("guide", "role-dispute").stdout


def test_list_latest_scores_are_never_cut_at_80_columns(run_ipt: RunIpt) -> None:
    new(
        run_ipt,
        "--problem-area",
        "grief",
        "--client",
        "C.D.",
        "--phq9",
        "3,3,3,3,3,2,2,0,0",
        "--gad7",
        "3,3,3,2,2,2,2",
        "--hamd17",
        "3,3,0,2,2,2,3,2,2,2,2,1,1,1,2,1,1",
        "--bdi2-total",
        "30",
        "--bdi2-item9",
        "0",
        course_id="cd-2026",
    )
    text = run_ipt("list").stdout
    lines = text.splitlines()
    start, end = lines[0].index("Latest"), lines[0].index("Risk")
    latest = " ".join(line[start:end] for line in lines[2:])  # the Latest column
    scores = ("PHQ-9 19 moderately severe,", "GAD-7 17 severe,", "HAM-D-17 30 severe,", "BDI-II 30")
    for score in scores:
        assert score in " ".join(latest.split())
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    assert lines[2].startswith("cd-2026  C.D.  ")


def test_readme_quick_start_starts_a_week_before_today() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "date -d '7 days ago' +%F" in quick and '--start "$start"' in quick


def test_an_older_file_with_overrides_that_do_not_fit_still_loads_and_says_so(
    run_ipt: RunIpt, data_home: Path
) -> None:
    new(run_ipt, "--problem-area", "grief", "--sessions", "8")
    path = data_home / "courses" / "ab.toml"
    text = path.read_text().replace(
        "planned_sessions = 8",
        "planned_sessions = 8\ninitial_sessions = 4\ntermination_sessions = 4",
    )
    path.write_text(text)
    shown = run_ipt("plan", "ab")
    assert "leave no middle phase in 8 sessions" in " ".join(shown.stderr.split())
    assert "ipt edit ab" in " ".join(shown.stderr.split())
    assert stored(data_home)["initial_sessions"] == 4  # nothing is cut in the file
    assert agenda(run_ipt, "--week", "5")["phase"] == "termination"
