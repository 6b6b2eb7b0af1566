"""`ipt export --format csv | csv-wide | redcap-dictionary | fhir`: research and service data,
never a note."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from tests.conftest import RunIpt

HAMD = "2,1,0,1,1,1,2,1,1,1,1,1,1,0,1,0,0"  # total 15
SECRETS = ("SECRET-NOTE", "SECRET-TASK", "SECRET-FORMULATION", "SECRET-EVENT", "A.B.")
PHQ9_ITEMS = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
ANSWERS = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}


@pytest.fixture
def scored(new_course, run_ipt: RunIpt) -> None:
    """ab: a PHQ-9 baseline, four acute sessions with every instrument in session 2, and a
    maintenance session."""
    new_course("ab", "--sessions", "4", "--phq9", "2,2,1,2,1,1,1,0,0", "--gad7", "2,2,1,1,1,1,1")
    run_ipt("formulation", "ab", "--text", "SECRET-FORMULATION", "--agreed", "--no-input")
    run_ipt("session", "ab", "--date", "2026-01-06", "--phq9", "1,1,1,1,1,1,1,0,0",
            "--note", "SECRET-NOTE, with \"quotes\"", "--task", "SECRET-TASK")  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", "1,1,1,1,1,0,0,0,1",
            "--gad7", "1,1,0,0,0,0,0", "--hamd17", HAMD, "--bdi2-total", "18",
            "--bdi2-item9", "1", "--events", "SECRET-EVENT")  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-19", "--attendee", "client")
    run_ipt("session", "ab", "--date", "2026-01-26", "--phq9", "0,0,1,0,1,0,0,0,0")
    run_ipt("maintenance", "ab", "--sessions", "3", "--start", "2026-02-20")
    run_ipt("session", "ab", "--date", "2026-02-23", "--phq9", "1,0,0,0,0,0,0,0,0")


def rows(text: str) -> list[dict[str, str]]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_long_csv_has_one_row_per_item_score(scored, run_ipt: RunIpt) -> None:
    text = run_ipt("export", "ab", "--format", "csv").stdout_bytes.decode()
    assert text.split("\r\n")[0] == (
        "course_id,adaptation,problem_area,session,date,phase,instrument,item,score,total,severity"
    )
    assert not any(secret in text for secret in SECRETS)
    found = rows(text)
    assert {r["course_id"] for r in found} == {"ab"}
    assert {r["adaptation"] for r in found} == {"standard"}  # not the kind (issue 26)
    assert {r["problem_area"] for r in found} == {"grief"}
    sittings = {(r["session"], r["date"], r["phase"]) for r in found}
    assert sittings == {
        ("0", "2026-01-05", "baseline"),
        ("1", "2026-01-06", "initial"),
        ("2", "2026-01-12", "middle"),
        ("4", "2026-01-26", "termination"),
        ("1", "2026-02-23", "maintenance"),
    }
    baseline_phq = [r for r in found if r["session"] == "0" and r["instrument"] == "PHQ-9"]
    assert [(r["item"], r["score"]) for r in baseline_phq] == [
        (str(n), s) for n, s in enumerate("221211100", 1)
    ]
    assert {(r["total"], r["severity"]) for r in baseline_phq} == {("10", "moderate")}
    baseline_gad = [r for r in found if r["session"] == "0" and r["instrument"] == "GAD-7"]
    assert len(baseline_gad) == 7 and {r["total"] for r in baseline_gad} == {"9"}
    two = [r for r in found if r["session"] == "2"]
    by_instrument = {name: [r for r in two if r["instrument"] == name] for name in
                     ("PHQ-9", "GAD-7", "HAM-D-17", "BDI-II")}  # fmt: skip
    assert [len(v) for v in by_instrument.values()] == [9, 7, 17, 2]
    hamd = by_instrument["HAM-D-17"]
    assert [r["score"] for r in hamd] == HAMD.split(",")
    assert {(r["total"], r["severity"]) for r in hamd} == {("15", "mild")}
    bdi = by_instrument["BDI-II"]
    assert [(r["item"], r["score"], r["total"], r["severity"]) for r in bdi] == [
        ("", "", "18", "mild"),  # the total-only row
        ("9", "1", "18", "mild"),  # and its kept risk item
    ]
    assert {r["total"] for r in found if r["phase"] == "maintenance"} == {"1"}


def test_wide_csv_and_its_redcap_dictionary(
    scored, new_course, run_ipt: RunIpt, tmp_path: Path, data_home: Path
) -> None:
    new_course("cd", "--phq9", "3,3,3,3,3,3,3,3,0")
    run_ipt("archive", "cd")
    (data_home / "courses" / "zz.toml").write_text("not = [valid", encoding="utf-8")
    out = tmp_path / "wide.csv"
    result = run_ipt("export", "--all", "--format", "csv-wide", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "skipped" in result.stderr and "zz.toml" in result.stderr
    text = out.read_text(encoding="utf-8", errors="strict")
    assert not any(secret in text for secret in SECRETS)
    found = rows(out.read_bytes().decode())
    assert list(found[0]) == [
        "course_id", "redcap_event_name", "adaptation", "problem_area", "session",
        "sitting_date", "phase", "phq9_total", "gad7_total", "hamd17_total", "bdi2_total",
        "pcl5_total", "mini_spin_total", "lsas_total", "epds_total", "phqa_total",
        "asrm_total", "phqa_suicidal_thoughts", "phqa_attempt",
    ]  # fmt: skip
    table = [(r["course_id"], r["redcap_event_name"], r["sitting_date"], r["phase"],
              r["phq9_total"], r["gad7_total"], r["hamd17_total"], r["bdi2_total"])
             for r in found]  # fmt: skip
    assert table == [
        ("ab", "baseline_arm_1", "2026-01-05", "baseline", "10", "9", "", ""),
        ("ab", "session_1_arm_1", "2026-01-06", "initial", "7", "", "", ""),
        ("ab", "session_2_arm_1", "2026-01-12", "middle", "6", "2", "15", "18"),
        ("ab", "session_3_arm_1", "2026-01-19", "middle", "", "", "", ""),
        ("ab", "session_4_arm_1", "2026-01-26", "termination", "2", "", "", ""),
        ("ab", "maintenance_1_arm_1", "2026-02-23", "maintenance", "1", "", "", ""),
        ("cd", "baseline_arm_1", "2026-01-05", "baseline", "24", "", "", ""),
    ]
    dictionary = rows(run_ipt("export", "--format", "redcap-dictionary").stdout_bytes.decode())
    assert list(dictionary[0]) == [
        "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
        "Choices, Calculations, OR Slider Labels", "Field Note",
        "Text Validation Type OR Show Slider Number", "Text Validation Min",
        "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
        "Required Field?", "Custom Alignment", "Question Number (surveys only)",
        "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
    ]  # fmt: skip
    fields = {r["Variable / Field Name"]: r for r in dictionary}
    # Every column of the wide file but REDCap's own event column, record id first.
    assert list(fields) == [c for c in found[0] if c != "redcap_event_name"]
    assert {r["Form Name"] for r in dictionary} == {"ipt_sitting"}
    assert {r["Field Type"] for r in dictionary} == {"text", "yesno"}
    assert [r["Variable / Field Name"] for r in dictionary if r["Field Type"] == "yesno"] == [
        "phqa_suicidal_thoughts",
        "phqa_attempt",
    ]
    assert fields["sitting_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    tops = {"phq9_total": "27", "gad7_total": "21", "hamd17_total": "52", "bdi2_total": "63",
            "pcl5_total": "80", "mini_spin_total": "12", "lsas_total": "144",
            "epds_total": "30", "phqa_total": "27", "asrm_total": "20"}  # fmt: skip
    for name, top in tops.items():
        assert fields[name]["Text Validation Type OR Show Slider Number"] == "integer"
        assert (fields[name]["Text Validation Min"], fields[name]["Text Validation Max"]) == (
            "0",
            top,
        )
    assert fields["course_id"]["Identifier?"] == "y"


def observations(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"]]


def code_of(resource: dict[str, Any]) -> str:
    codings = resource["code"]["coding"]
    assert len(codings) == 1 and codings[0]["system"] == "http://loinc.org"
    return str(codings[0]["code"])


def test_fhir_bundle_is_valid_r4_with_checked_loinc_codes(
    scored, run_ipt: RunIpt, tmp_path: Path
) -> None:
    out = tmp_path / "ab.json"
    result = run_ipt("export", "ab", "--format", "fhir", "-o", str(out))
    assert "HAM-D-17, BDI-II left out of the FHIR export" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert not any(secret in text for secret in SECRETS)
    Bundle.model_validate_json(text)  # R4B models: structure, types, no stray keys
    bundle = json.loads(text)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])
    found = observations(bundle)
    for resource in found:
        assert resource["resourceType"] == "Observation" and resource["status"] == "final"
        assert resource["category"] == [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey", "display": "Survey",
        }]}]  # fmt: skip
        assert resource["subject"] == {"reference": "Patient/ab"}
    totals = [(r["effectiveDateTime"], r["valueInteger"]) for r in found
              if code_of(r) == "44261-6"]  # fmt: skip
    assert totals == [("2026-01-05", 10), ("2026-01-06", 7), ("2026-01-12", 6),
                      ("2026-01-26", 2), ("2026-02-23", 1)]  # fmt: skip
    gad = [(r["effectiveDateTime"], r["valueInteger"]) for r in found if code_of(r) == "70274-6"]
    assert gad == [("2026-01-05", 9), ("2026-01-12", 2)]
    assert not any(code_of(r) == "69737-5" for r in found)  # an unchecked panel code
    panels = [r for r in found if code_of(r) == "44249-1"]
    assert len(panels) == 5 and all("value" not in "".join(r) for r in panels)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    session_two = next(p for p in panels if p["effectiveDateTime"] == "2026-01-12")
    members = [by_url[m["reference"]] for m in session_two["hasMember"]]
    assert [code_of(m) for m in members] == ["44261-6", *PHQ9_ITEMS]
    assert members[0]["valueInteger"] == 6
    for member, score in zip(members[1:], [1, 1, 1, 1, 1, 0, 0, 0, 1], strict=True):
        answer = member["valueCodeableConcept"]["coding"]
        assert answer[0]["system"] == "http://loinc.org" and answer[0]["code"] == ANSWERS[score]
        assert member["effectiveDateTime"] == "2026-01-12"
    again = json.loads(run_ipt("export", "ab", "--format", "fhir").stdout)
    assert [e["fullUrl"] for e in again["entry"]] == urls  # the same ids on every export


def test_fhir_of_a_course_without_scores_has_no_entries(new_course, run_ipt: RunIpt) -> None:
    new_course("ab")
    text = run_ipt("export", "ab", "--format", "fhir").stdout
    bundle = json.loads(text)
    assert "entry" not in bundle and bundle["type"] == "collection"
    Bundle.model_validate_json(text)


def test_default_export_is_unchanged(scored, run_ipt: RunIpt) -> None:
    data = json.loads(run_ipt("export", "ab").stdout)
    assert data["id"] == "ab" and data["sessions"][0]["note"] == 'SECRET-NOTE, with "quotes"'
    assert "## Session notes" in run_ipt("export", "ab", "-f", "markdown").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "csv"), "--format csv takes a COURSE_ID or --all"),
        (("ab", "--all", "--format", "csv-wide"), "--format csv-wide takes a COURSE_ID or --all"),
        (("--all",), "--format json exports one course"),
        (("--all", "--format", "fhir"), "--format fhir exports one course"),
        (("--format", "markdown"), "give the COURSE_ID"),
        (("ab", "--format", "redcap-dictionary"), "takes no COURSE_ID and no --all"),
    ],
)
def test_wrong_selections_are_one_line_errors(
    new_course, run_ipt: RunIpt, args: tuple[str, ...], message: str
) -> None:
    new_course("ab")
    result = run_ipt("export", *args, exit_code=2)
    assert message in result.stderr and result.stderr.count("\n") == 1 and result.stdout == ""
