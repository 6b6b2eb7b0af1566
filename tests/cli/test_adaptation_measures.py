"""The adaptations' measures through the command line (issue 28): recorded, flagged, reported
in every format, listed, in the note and exported (CSV, REDCap, FHIR)."""

import csv
import io
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from tests.conftest import RunIpt

EPDS_HIGH = "2,2,2,2,2,2,1,1,1,1"  # 16: probable depression, item 10 = 1
EPDS_URGENT = "1,1,1,1,1,1,1,1,0,2"  # 10: possible depression, item 10 = 2 (URGENT)
EPDS_LOW = "1,1,1,1,1,1,1,0,0,0"  # 7: below the cut-off


def stored(data_home: Path, course_id: str = "pn") -> dict[str, Any]:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def as_json(run_ipt: RunIpt, *args: str) -> Any:
    return json.loads(run_ipt(*args).stdout)


def perinatal(new_course: Callable[..., Any], *extra: str) -> Any:
    return new_course("pn", "--adaptation", "perinatal", *extra)


def epds_course(new_course: Callable[..., Any], run_ipt: RunIpt) -> None:
    perinatal(new_course, "--epds", EPDS_HIGH, "--phq9", "1,1,1,1,1,1,1,1,0")
    run_ipt("session", "pn", "--date", "2026-01-12", "--epds", EPDS_URGENT)
    run_ipt(
        "session", "pn", "--date", "2026-01-19", "--epds", EPDS_LOW, "--phq9", "1,1,0,0,0,0,0,0,0"
    )


def test_an_epds_baseline_is_stored_flagged_and_said_at_once(
    new_course: Callable[..., Any], data_home: Path
) -> None:
    made = perinatal(new_course, "--epds", EPDS_HIGH)
    assert stored(data_home)["baseline"]["epds"] == {"items": [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]}
    assert stored(data_home)["schema_version"] == 10
    assert "baseline: EPDS item 10 = 1" in made.stderr  # the SAFETY notice
    assert "ipt risk-review pn --session 0" in made.stderr


def test_epds_report_json_orders_it_first_with_both_cutoffs_and_reliable_change(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    epds_course(new_course, run_ipt)
    data = as_json(run_ipt, "report", "pn", "--format", "json")
    assert list(data["measures"])[:2] == ["epds", "phq9"]  # a perinatal course shows it first
    epds = data["measures"]["epds"]
    assert (epds["baseline"], epds["latest"], epds["change"]) == (16, 7, -9)
    assert epds["severity"] is None and epds["remission"] is None and epds["response"] is None
    assert epds["reliable_improvement"] is True  # 9 points >= 4 (Matthey 2004)
    assert (epds["cutoff"], epds["above_cutoff"], epds["screen"]) == (10, False, None)
    assert epds["cutoffs"] == [
        {"score": 10, "label": "possible depression", "above": False},
        {"score": 13, "label": "probable depression", "above": False},
    ]
    assert [p["above_cutoff"] for p in epds["series"]] == [True, True, False]
    flags = [(f["instrument"], f["item"], f["score"], f["urgent"]) for f in data["safety_flags"]]
    assert flags == [("epds", 10, 1, False), ("epds", 10, 2, True)]
    assert data["risk"]["urgent"] is True
    assert [f["label"] for f in data["risk"]["unreviewed"]][1].startswith(
        "EPDS item 10 = 2 URGENT at session 1"
    )


def test_epds_in_every_report_format_the_list_and_the_note(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    epds_course(new_course, run_ipt)
    text = run_ipt("report", "pn").stdout
    assert "EPDS item 10 = 2 URGENT at session 1" in text
    assert "EPDS: most recent 7, below the cut-off for possible depression (10)." in text
    assert text.index("EPDS by session") < text.index("PHQ-9 by session")
    markdown = run_ipt("report", "pn", "--format", "markdown").stdout
    assert "EPDS item 10 = 2 URGENT" in markdown and "| EPDS |" in markdown
    html = run_ipt("report", "pn", "--format", "html").stdout
    assert "EPDS item 10 = 2 URGENT" in html and "EPDS" in html
    listed = as_json(run_ipt, "list", "--json")[0]
    assert listed["latest"]["epds"] == {"total": 7, "severity": None}
    assert (listed["unreviewed_flags"], listed["urgent"]) == (2, True)
    assert "2 (1 URGENT)" in run_ipt("list").stdout  # one of the two flags is URGENT
    note = run_ipt("note", "pn", "1").stdout
    assert "EPDS: 10 (possible depression (10 or more); risk item 10 = 2 URGENT)" in note
    assert "EPDS item 10 = 2 URGENT (NOT YET REVIEWED)" in note
    note_json = as_json(run_ipt, "note", "pn", "1", "--format", "json")
    assert note_json["measures"]["epds"]["risk_item"] == {"item": 10, "score": 2, "urgent": True}
    assert as_json(run_ipt, "note", "pn", "2", "--format", "json")["risk_screen"] == (
        "screened negative (PHQ-9 item 9 = 0, EPDS item 10 = 0)"
    )


def test_the_perinatal_agenda_rates_the_epds_first(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    perinatal(new_course)
    first = run_ipt("agenda", "pn").stdout
    assert "Baseline symptom rating (EPDS, PHQ-9), checking EPDS item 10" in first
    run_ipt("session", "pn", "--date", "2026-01-05", "--epds", EPDS_LOW)
    later = run_ipt("agenda", "pn").stdout
    assert "Symptom rating (EPDS, PHQ-9), checking EPDS item 10 and PHQ-9 item 9 first" in later


def test_epds_exports_csv_redcap_and_leaves_fhir_out(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    epds_course(new_course, run_ipt)
    long = list(csv.DictReader(io.StringIO(run_ipt("export", "pn", "--format", "csv").stdout)))
    rows = [
        (r["session"], r["item"], r["score"], r["total"]) for r in long if r["instrument"] == "EPDS"
    ]
    assert rows[:2] == [("0", "1", "2", "16"), ("0", "2", "2", "16")] and len(rows) == 30
    assert ("1", "10", "2", "10") in rows
    wide = list(csv.DictReader(io.StringIO(run_ipt("export", "pn", "--format", "csv-wide").stdout)))
    assert [r["epds_total"] for r in wide] == ["16", "10", "7"]
    dictionary = run_ipt("export", "--format", "redcap-dictionary").stdout
    row = next(
        r
        for r in csv.DictReader(io.StringIO(dictionary))
        if r["Variable / Field Name"] == "epds_total"
    )
    assert (row["Field Label"], row["Text Validation Min"], row["Text Validation Max"]) == (
        "EPDS total",
        "0",
        "30",
    )
    fhir = run_ipt("export", "pn", "--format", "fhir")
    assert "EPDS left out of the FHIR export" in fhir.stderr  # no checked LOINC total code
    Bundle.model_validate_json(fhir.stdout)
    codes = {e["resource"]["code"]["coding"][0]["code"] for e in json.loads(fhir.stdout)["entry"]}
    assert "71354-5" not in codes and codes >= {"44261-6"}


def test_bad_epds_input_is_one_line_and_nothing_is_written(
    new_course: Callable[..., Any], run_ipt: RunIpt, data_home: Path
) -> None:
    perinatal(new_course)
    before = (data_home / "courses" / "pn.toml").read_text()
    short = run_ipt("session", "pn", "--epds", "1,1,1,1,1,1,1,1,1", exit_code=2)
    assert short.stderr.strip().splitlines()[-1].endswith("EPDS needs 10 item scores, got 9")
    wide = run_ipt("session", "pn", "--epds", "1,1,1,1,1,1,1,1,1,4", exit_code=2)
    assert "EPDS item 10 must be 0-3, got 4" in wide.stderr and "Traceback" not in wide.stderr
    assert (data_home / "courses" / "pn.toml").read_text() == before


def test_one_epds_per_sitting(new_course: Callable[..., Any], run_ipt: RunIpt) -> None:
    perinatal(new_course, "--epds", EPDS_LOW)
    refused = run_ipt("session", "pn", "--date", "2026-01-05", "--epds", EPDS_LOW, exit_code=2)
    assert "EPDS was already given on 2026-01-05 (baseline); one sitting has one score" in (
        refused.stderr
    )


def test_epds_reliable_change_setting_and_maintenance_relapse(
    new_course: Callable[..., Any], run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("pn", "--adaptation", "perinatal", "--sessions", "4", "--epds", EPDS_HIGH)
    for day, scores in (("12", EPDS_LOW), ("19", EPDS_LOW), ("26", EPDS_LOW), ("28", EPDS_LOW)):
        run_ipt("session", "pn", "--date", f"2026-01-{day}", "--epds", scores)
    run_ipt("maintenance", "pn", "--sessions", "3", "--cadence", "monthly", "--start", "2026-02-02")
    run_ipt("session", "pn", "--date", "2026-02-02", "--epds", "1,1,1,1,1,1,1,1,1,0")  # 9: +2
    assert (
        as_json(run_ipt, "report", "pn", "--format", "json")["maintenance"]["relapse"]["epds"]
        is False
    )
    run_ipt("session", "pn", "--date", "2026-02-16", "--epds", "2,1,1,1,1,1,1,1,1,0")  # 10: ...
    run_ipt("session", "pn", "--date", "2026-02-23", "--epds", "2,2,1,1,1,1,1,1,1,0")  # 11: +4
    data = as_json(run_ipt, "report", "pn", "--format", "json")
    assert data["maintenance"]["relapse"]["epds"] is True
    assert any(
        a["kind"] == "relapse" and a["text"].startswith("EPDS relapse: 11 at maintenance session 3")
        for a in data["alerts"]
    )
    (data_home / "config.toml").write_text("[scoring.reliable_change]\nepds = 10\n")
    data = as_json(run_ipt, "report", "pn", "--format", "json")
    assert data["measures"]["epds"]["reliable_improvement"] is False  # 16 -> 7: 9 < 10
    assert data["maintenance"]["relapse"]["epds"] is False


def test_epds_through_the_installed_binary(ipt_bin: Callable[..., Any], data_home: Path) -> None:
    made = ipt_bin(
        "new-course", "pn", "--client", "P.N.", "--start", "2026-01-05", "--problem-area",
        "role-transition", "--adaptation", "perinatal", "--epds", EPDS_URGENT, "--no-input",
    )  # fmt: skip
    assert "baseline: EPDS item 10 = 2 URGENT" in made.stderr
    report = json.loads(ipt_bin("report", "pn", "--format", "json").stdout)
    assert report["measures"]["epds"]["screen"] == "possible depression"
    assert "EPDS" in ipt_bin("list").stdout


ASK = {"IPT_INTERACTIVE": "1", "IPT_TODAY": "2026-01-12"}
# After the measures: mood, events, focus, techniques, strategies, three goals, task, note.
REST = ["", "", "", "", "", "", "", "", "", "", "y"]


def test_the_interactive_session_asks_the_epds_first_with_its_source(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    perinatal(new_course)
    epds = ["1", "1", "1", "1", "1", "1", "1", "1", "0", "2"]
    answers = ["", "", "y", *epds, "n", *REST]
    shown = run_ipt("session", "pn", input="\n".join(answers) + "\n", **ASK)
    text = shown.stdout + shown.stderr
    assert text.index("Give the EPDS now?") < text.index("Give the PHQ-9 now?")
    assert "enter each item's scored value 0-3: items 3 and 5-10 are" in text
    assert "EPDS 10. The thought of harming myself has occurred to me (0-3)" in text
    assert "EPDS item 10 = 2 URGENT" in text  # the safety notice, as the item is scored
    assert "EPDS total 10 of 30: possible depression (10 or more)" in text
    assert "Cox, J.L., Holden, J.M. and Sagovsky, R. (1987)" in text
    data = as_json(run_ipt, "report", "pn", "--format", "json")
    assert data["measures"]["epds"]["series"][0]["total"] == 10
    assert data["safety_flags"][0]["urgent"] is True


def test_the_wizard_takes_the_epds_baseline_before_the_phq9(
    run_ipt: RunIpt, data_home: Path
) -> None:
    answers = [
        "",  # the condition: depression
        "perinatal",
        "Z.Q.",
        "2026-01-05",
        "12",
        "",
        "",
        "y",  # the EPDS baseline, first
        *["1"] * 9,
        "0",
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
        "Linked to the birth.",
        "y",
        "y",
        "n",
        "y",
        "y",
    ]
    result = run_ipt("new-course", "zz", input="\n".join(answers) + "\n", **ASK)
    assert result.stdout.index("Take the EPDS baseline now?") < result.stdout.index(
        "Take the PHQ-9 baseline now?"
    )
    assert "EPDS total 9 of 30: below the cut-off for possible depression (10)" in result.stdout
    assert stored(data_home, "zz")["baseline"]["epds"] == {"items": [1] * 9 + [0]}


PHQA_BASE = "2,2,2,2,2,1,1,1,0"  # 13: moderate
PHQA_RISK = "1,1,1,1,1,1,1,0,2"  # 9: mild, item 9 = 2 (URGENT)


def adolescent(new_course: Callable[..., Any], *extra: str) -> Any:
    return new_course(
        "ad", "--adaptation", "adolescent", "--guardian", "M.", "--consent-by", "M.", *extra
    )


def phqa_course(new_course: Callable[..., Any], run_ipt: RunIpt) -> Any:
    made = adolescent(
        new_course, "--phqa", PHQA_BASE, "--phqa-suicidal-thoughts", "no", "--phqa-attempt", "yes"
    )
    run_ipt("session", "ad", "--date", "2026-01-12", "--phqa", PHQA_RISK,
            "--phqa-suicidal-thoughts", "yes")  # fmt: skip
    run_ipt("session", "ad", "--date", "2026-01-19", "--phqa", "1,1,1,0,0,0,0,0,0",
            "--phqa-suicidal-thoughts", "no", "--phqa-attempt", "yes")  # fmt: skip
    return made


def test_phqa_is_stored_with_its_suicide_questions_and_each_yes_is_a_flag(
    new_course: Callable[..., Any], run_ipt: RunIpt, data_home: Path
) -> None:
    made = phqa_course(new_course, run_ipt)
    assert "baseline: PHQ-A suicide attempt ever = yes" in made.stderr
    assert stored(data_home, "ad")["baseline"]["phqa"] == {
        "items": [2, 2, 2, 2, 2, 1, 1, 1, 0],
        "suicidal_thoughts": False,
        "attempt": True,
    }
    data = as_json(run_ipt, "report", "ad", "--format", "json")
    assert data["primary_measure"] == "phqa" and list(data["measures"]) == ["phqa"]
    phqa = data["measures"]["phqa"]
    assert (phqa["baseline"], phqa["latest"], phqa["severity"]) == (13, 3, "minimal")
    assert (phqa["response"], phqa["remission"], phqa["reliable_improvement"]) == (True, True, True)
    flags = [(f["session"], f["item"], f["score"], f["urgent"]) for f in data["safety_flags"]]
    assert flags == [(0, 11, 1, False), (1, 9, 2, True), (1, 10, 1, True), (2, 11, 1, False)]
    labels = [f["label"] for f in data["risk"]["unreviewed"]]
    assert labels[2].startswith(
        "PHQ-A serious thoughts of ending life in the past month = yes URGENT at session 1"
    )


def test_phqa_in_every_report_format_the_list_and_the_note(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    phqa_course(new_course, run_ipt)
    text = run_ipt("report", "ad").stdout
    assert "PHQ-A item 9 = 2 URGENT at session 1" in text and "PHQ-A by session" in text
    assert "PHQ-A suicide attempt ever = yes at baseline" in text
    markdown = run_ipt("report", "ad", "--format", "markdown").stdout
    assert "| PHQ-A |" in markdown and "serious thoughts of ending life" in markdown
    html = run_ipt("report", "ad", "--format", "html").stdout
    assert "PHQ-A item 9 = 2 URGENT" in html
    listed = as_json(run_ipt, "list", "--json")[0]
    assert listed["primary_measure"] == "phqa" and listed["latest_primary"]["total"] == 3
    assert (listed["unreviewed_flags"], listed["urgent"]) == (4, True)
    note = run_ipt("note", "ad", "1").stdout
    assert "PHQ-A: 9 (mild; risk item 9 = 2 URGENT)" in note
    assert (
        "PHQ-A serious thoughts of ending life in the past month = yes URGENT (NOT YET REVIEWED)"
        in note
    )
    negative = as_json(run_ipt, "note", "ad", "2", "--format", "json")
    assert [f["item"] for f in negative["flags"]] == [11]


def test_phqa_exports_csv_redcap_and_leaves_fhir_out(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    phqa_course(new_course, run_ipt)
    long = list(csv.DictReader(io.StringIO(run_ipt("export", "ad", "--format", "csv").stdout)))
    answers = [(r["session"], r["item"], r["score"]) for r in long if not r["item"].isdigit()]
    assert answers == [
        ("0", "suicidal_thoughts", "0"), ("0", "attempt", "1"), ("1", "suicidal_thoughts", "1"),
        ("2", "suicidal_thoughts", "0"), ("2", "attempt", "1"),
    ]  # fmt: skip
    wide = list(csv.DictReader(io.StringIO(run_ipt("export", "ad", "--format", "csv-wide").stdout)))
    assert [(r["phqa_total"], r["phqa_suicidal_thoughts"], r["phqa_attempt"]) for r in wide] == [
        ("13", "0", "1"), ("9", "1", ""), ("3", "0", "1"),
    ]  # fmt: skip
    dictionary = {
        r["Variable / Field Name"]: r
        for r in csv.DictReader(
            io.StringIO(run_ipt("export", "--format", "redcap-dictionary").stdout)
        )
    }
    assert dictionary["phqa_total"]["Text Validation Max"] == "27"
    assert dictionary["phqa_attempt"]["Field Type"] == "yesno"
    fhir = run_ipt("export", "ad", "--format", "fhir")
    assert "PHQ-A left out of the FHIR export" in fhir.stderr  # no checked LOINC code
    Bundle.model_validate_json(fhir.stdout)
    assert "entry" not in json.loads(fhir.stdout)


def test_phqa_bad_input_is_one_line(new_course: Callable[..., Any], run_ipt: RunIpt) -> None:
    adolescent(new_course)
    alone = run_ipt("session", "ad", "--phqa-attempt", "yes", exit_code=2)
    assert "--phqa-attempt needs --phqa" in alone.stderr
    wrong = run_ipt("session", "ad", "--phqa", PHQA_BASE, "--phqa-attempt", "maybe", exit_code=2)
    assert "'maybe' is not one of 'yes', 'no'" in wrong.stderr
    short = run_ipt("session", "ad", "--phqa", "1,1", exit_code=2)
    assert "PHQ-A needs 9 item scores, got 2" in short.stderr and "Traceback" not in short.stderr


def test_an_ipt_a_agenda_and_session_ask_the_phqa_not_the_phq9(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    adolescent(new_course)
    assert "Baseline symptom rating (PHQ-A), checking item 9 and the two suicide" in (
        run_ipt("agenda", "ad").stdout
    )
    answers = ["", "", "y", *["1"] * 8, "0", "no", "yes", *REST]
    shown = run_ipt("session", "ad", input="\n".join(answers) + "\n", **ASK)
    text = shown.stdout + shown.stderr
    assert "Give the PHQ-A now?" in text and "Give the PHQ-9 now?" not in text
    assert "PHQ-A 1. Feeling down, depressed, irritable, or hopeless (0-3)" in text
    assert "PHQ-A: Has there been a time in the past month" in text
    assert "PHQ-A suicide attempt ever = yes" in text  # the safety notice, as answered
    data = as_json(run_ipt, "report", "ad", "--format", "json")
    assert [(f["item"], f["urgent"]) for f in data["safety_flags"]] == [(11, False)]


def test_an_ipt_a_course_recorded_with_the_phq9_keeps_it_as_its_headline(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    adolescent(new_course, "--phq9", "2,2,1,2,1,1,1,0,0")
    data = as_json(run_ipt, "report", "ad", "--format", "json")
    assert data["primary_measure"] == "phq9" and data["measures"]["phq9"]["baseline"] == 10
    assert as_json(run_ipt, "list", "--json")[0]["latest_primary"]["total"] == 10


MANIA = (
    "MANIA ALERT: ASRM 7 at session 1 (2026-01-12), possible (hypo)mania (6 or more): "
    "contact the prescriber; check sleep and the social rhythm (ipt rhythm)"
)


def ipsrt_course(new_course: Callable[..., Any], run_ipt: RunIpt) -> None:
    new_course("bp", "--adaptation", "ipsrt", "--phq9", "2,2,1,2,1,1,1,0,0", "--asrm", "1,0,1,0,1")
    run_ipt("session", "bp", "--date", "2026-01-12", "--asrm", "2,2,1,1,1",
            "--phq9", "1,1,0,1,0,0,0,0,0")  # fmt: skip


def test_an_asrm_of_6_is_a_mania_alert_in_list_agenda_report_and_note_not_a_flag(
    new_course: Callable[..., Any], run_ipt: RunIpt, data_home: Path
) -> None:
    ipsrt_course(new_course, run_ipt)
    assert stored(data_home, "bp")["sessions"][0]["asrm"] == {"items": [2, 2, 1, 1, 1]}
    listed = run_ipt("list").stdout
    assert "! MANIA ALERT: ASRM 7 at session 1" in listed
    row = as_json(run_ipt, "list", "--json")[0]
    assert MANIA in row["alerts"] and row["unreviewed_flags"] == 0  # not a suicide flag
    agenda = run_ipt("agenda", "bp").stdout
    assert "MANIA ALERT: ASRM 7 at session 1" in agenda
    assert "Symptom rating of both poles (PHQ-9, ASRM)" in agenda
    assert MANIA in as_json(run_ipt, "agenda", "bp", "--format", "json")["alerts"]
    assert "MANIA ALERT: ASRM 7" in run_ipt("agenda", "bp", "--format", "markdown").stdout
    data = as_json(run_ipt, "report", "bp", "--format", "json")
    assert {"instrument": "asrm", "kind": "mania", "text": MANIA} in data["alerts"]
    assert data["safety_flags"] == []
    asrm = data["measures"]["asrm"]
    assert (asrm["baseline"], asrm["latest"], asrm["change"]) == (3, 7, 4)
    assert (asrm["screen"], asrm["above_cutoff"]) == ("possible (hypo)mania", True)
    assert asrm["reliable_deterioration"] is None  # no source gives a reliable change
    assert list(data["measures"]) == ["phq9", "asrm"]  # both poles, the PHQ-9 first
    text = run_ipt("report", "bp").stdout
    assert "MANIA ALERT: ASRM 7 at session 1" in text
    assert "ASRM: most recent 7, possible (hypo)mania (6 or more)." in text
    assert text.index("PHQ-9 by session") < text.index("ASRM by session")
    assert "MANIA ALERT: ASRM 7" in run_ipt("report", "bp", "--format", "markdown").stdout
    assert "MANIA ALERT: ASRM 7" in run_ipt("report", "bp", "--format", "html").stdout
    note = as_json(run_ipt, "note", "bp", "1", "--format", "json")
    assert note["alerts"] == [MANIA] and note["measures"]["asrm"]["total"] == 7
    assert "MANIA ALERT" in run_ipt("note", "bp", "1").stdout


def test_a_later_asrm_below_6_ends_the_alert(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    ipsrt_course(new_course, run_ipt)
    run_ipt("session", "bp", "--date", "2026-01-19", "--asrm", "1,1,1,1,1")  # 5
    assert not [a for a in as_json(run_ipt, "report", "bp", "--format", "json")["alerts"]
                if a["kind"] == "mania"]  # fmt: skip
    assert "MANIA" not in run_ipt("list").stdout
    assert "MANIA" in run_ipt("note", "bp", "1").stdout  # the note of the sitting keeps it


def test_asrm_exports_csv_redcap_and_leaves_fhir_out(
    new_course: Callable[..., Any], run_ipt: RunIpt, data_home: Path
) -> None:
    ipsrt_course(new_course, run_ipt)
    wide = list(csv.DictReader(io.StringIO(run_ipt("export", "bp", "--format", "csv-wide").stdout)))
    assert [r["asrm_total"] for r in wide] == ["3", "7"]
    long = list(csv.DictReader(io.StringIO(run_ipt("export", "bp", "--format", "csv").stdout)))
    assert [r["score"] for r in long if r["instrument"] == "ASRM" and r["session"] == "1"] == [
        "2", "2", "1", "1", "1",
    ]  # fmt: skip
    dictionary = run_ipt("export", "--format", "redcap-dictionary").stdout
    row = next(
        r
        for r in csv.DictReader(io.StringIO(dictionary))
        if r["Variable / Field Name"] == "asrm_total"
    )
    assert (row["Text Validation Min"], row["Text Validation Max"]) == ("0", "20")
    fhir = run_ipt("export", "bp", "--format", "fhir")
    assert "ASRM left out of the FHIR export" in fhir.stderr
    Bundle.model_validate_json(fhir.stdout)
    (data_home / "config.toml").write_text("[scoring.reliable_change]\nasrm = 4\n")
    asrm = as_json(run_ipt, "report", "bp", "--format", "json")["measures"]["asrm"]
    assert asrm["reliable_deterioration"] is True  # +4 with a configured reliable change


def test_asrm_bad_input_is_one_line(new_course: Callable[..., Any], run_ipt: RunIpt) -> None:
    new_course("bp", "--adaptation", "ipsrt")
    wrong = run_ipt("session", "bp", "--asrm", "1,1,1,1,5", exit_code=2)
    assert "ASRM item 5 must be 0-4, got 5" in wrong.stderr and "Traceback" not in wrong.stderr
    short = run_ipt("session", "bp", "--asrm", "1,1,1", exit_code=2)
    assert "ASRM needs 5 item scores, got 3" in short.stderr


def mania(total: int, where: str, date: str) -> str:
    return (
        f"MANIA ALERT: ASRM {total} at {where} ({date}), possible (hypo)mania (6 or more): "
        "contact the prescriber; check sleep and the social rhythm (ipt rhythm)\n"
    )


def test_an_asrm_of_6_says_its_mania_alert_the_moment_it_is_recorded(
    ipt_bin: Callable[..., Any],
) -> None:
    """As a risk item's SAFETY notice is shown when it is recorded, the MANIA ALERT is said
    when the ASRM is recorded (session, baseline, fix): one whole line on stderr, in the
    report's words; a backfilled sitting's own score says it although a later one ended it."""
    made = ipt_bin(
        "new-course", "bp", "--client", "B.P.", "--start", "2026-01-05", "--problem-area",
        "grief", "--adaptation", "ipsrt", "--asrm", "2,2,2,0,0", "--no-input",
    )  # fmt: skip
    assert made.stderr == mania(6, "baseline", "2026-01-05")
    done = ipt_bin("session", "bp", "--date", "2026-01-12", "--asrm", "1,2,3,0,0")
    assert done.stdout == "Recorded session 1 of 16 for bp (2026-01-12).\n"
    assert done.stderr == mania(6, "session 1", "2026-01-12")  # once, not as a "warning:"
    report = json.loads(ipt_bin("report", "bp", "--format", "json").stdout)
    assert mania(6, "session 1", "2026-01-12").strip() in [a["text"] for a in report["alerts"]]
    below = ipt_bin("session", "bp", "--date", "2026-01-26", "--asrm", "1,1,1,1,1")
    assert below.stderr == ""  # 5: no alert
    backfilled = ipt_bin("session", "bp", "--date", "2026-01-19", "--asrm", "4,4,0,0,0")
    assert backfilled.stderr == mania(8, "session 2", "2026-01-19")
    fixed = ipt_bin("session", "bp", "--fix", "3", "--asrm", "3,3,3,0,0", "--reason", "Misread")
    assert fixed.stderr == mania(9, "session 3", "2026-01-26")
    mood = ipt_bin("session", "bp", "--fix", "3", "--mood", "4", "--reason", "Misread")
    assert mood.stderr == ""  # the ASRM not corrected: nothing new to say


def test_the_ipsrt_session_asks_the_asrm_after_the_phq9_and_says_the_alert(
    new_course: Callable[..., Any], run_ipt: RunIpt
) -> None:
    new_course("bp", "--adaptation", "ipsrt")
    answers = [
        "",
        "",  # who attended: the client
        "y",
        *["0"] * 9,
        "y",
        "2",
        "2",
        "1",
        "1",
        "0",
        *REST,
    ]  # PHQ-9 0: no "how difficult"
    shown = run_ipt("session", "bp", input="\n".join(answers) + "\n", **ASK)
    text = shown.stdout + shown.stderr
    assert text.index("Give the PHQ-9 now?") < text.index("Give the ASRM now?")
    assert "ASRM 3. Needing less sleep than usual (0-4)" in text
    assert "ASRM total 6 of 20: possible (hypo)mania (6 or more)" in text
    assert "MANIA ALERT: contact the prescriber; check sleep and the social rhythm" in text
    assert "Altman, E.G." in text
    assert (
        as_json(run_ipt, "report", "bp", "--format", "json")["measures"]["asrm"]["latest"] is None
    )


def test_the_adaptation_demos_show_their_measures(run_ipt: RunIpt) -> None:
    perinatal = run_ipt("demo", "--adaptation", "perinatal").stdout
    assert "EPDS by session" in perinatal and "Symptom rating (EPDS, PHQ-9)" in perinatal
    adolescent = run_ipt("demo", "--adaptation", "adolescent").stdout
    assert "PHQ-A by session" in adolescent and "PHQ-9 by session" not in adolescent
    ipsrt = run_ipt("demo", "--adaptation", "ipsrt").stdout
    assert ipsrt.index("PHQ-9 by session") < ipsrt.index("ASRM by session")
