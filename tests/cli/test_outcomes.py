"""Outcomes a clinician reads: reliable change with its direction, one score that is not an
outcome, baselines of instruments first given later, one score per sitting, maintenance
and relapse, non-response at the ending (issue 14, items 1-4, 7, 10 and 11)."""

import html
import json
import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import RunIpt

ASK = {"IPT_INTERACTIVE": "1"}


def phq9(total: int, item9: int = 0) -> str:
    """PHQ-9 item scores with the given total (items 1-8 filled first, item 9 as given)."""
    items, left = [], total - item9
    for _ in range(8):
        items.append(min(3, left))
        left -= items[-1]
    assert left == 0, "total too high for items 1-8"
    return ",".join(map(str, [*items, item9]))


def report(run_ipt: RunIpt, course_id: str = "ab") -> dict:
    return json.loads(run_ipt("report", course_id, "--format", "json").stdout)


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def every_format(run_ipt: RunIpt, course_id: str = "ab") -> dict[str, str]:
    """Each report format as a reader sees it: HTML unescaped, and every run of spaces,
    line breaks and box borders read as one space."""
    shown = {}
    for name in ("text", "markdown", "html"):
        text = run_ipt("report", course_id, "--format", name).stdout
        text = html.unescape(text) if name == "html" else text
        shown[name] = " ".join(re.sub(r"[┃│║]", " ", text).split())
    return shown


def flat(text: str) -> str:
    return " ".join(re.sub(r"[┃│║]", " ", text).split())


# Item 1: reliable change has a direction.


def test_a_worse_score_is_a_reliable_deterioration_and_a_warning(
    new_course, run_ipt: RunIpt
) -> None:
    new_course("ab", "--phq9", phq9(8))
    recorded = run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", phq9(15))
    assert flat(recorded.stderr).startswith("warning: PHQ-9 reliable deterioration: 8 at")
    m = report(run_ipt)["measures"]["phq9"]
    assert (m["baseline"], m["latest"], m["change"]) == (8, 15, 7)
    assert m["reliable_change"] is False  # the old key means improvement, never "yes" here
    assert m["reliable_improvement"] is False and m["reliable_deterioration"] is True
    assert m["reliable_recovery"] is False
    warning = (
        "PHQ-9 reliable deterioration: 8 at baseline (2026-01-05) to 15 at session 1 "
        "(2026-01-12), +7 points (reliable change: 6)"
    )
    text = run_ipt("report", "ab").stdout
    assert text.index("OUTCOME WARNINGS") < text.index("IPT progress report")
    assert re.search(r"PHQ-9\s+8\s+15\s+\+87%.*DETERIORATION\n", text)
    formats = every_format(run_ipt)
    assert warning in formats["text"]
    assert f"> **WARNING: outcomes to act on** > > - {warning}" in formats["markdown"]
    assert "| DETERIORATION |" in formats["markdown"]
    assert "WARNING: outcomes to act on" in formats["html"] and warning in formats["html"]
    assert 'class="warnings"' in run_ipt("report", "ab", "--format", "html").stdout
    listing = " ".join(run_ipt("list").stdout.split())  # an alert wraps at words
    assert f"! {warning}" in listing
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert row["alerts"] == [warning]


def test_reliable_recovery_and_improvement_are_told_apart(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", phq9(15), "--gad7", "3,3,2,2,2,1,1")  # GAD-7 14
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", phq9(9), "--gad7", "2,2,2,2,1,1,0")
    measures = report(run_ipt)["measures"]
    phq, gad = measures["phq9"], measures["gad7"]
    # PHQ-9 15 -> 9: 6 points and from a case (>= 10) to below it: reliable recovery.
    assert phq["reliable_improvement"] is True and phq["reliable_recovery"] is True
    assert phq["reliable_deterioration"] is False and phq["reliable_change"] is True
    # GAD-7 14 -> 10: 4 points, but 10 is still a case (>= 8): improvement, not recovery.
    assert gad["reliable_improvement"] is True and gad["reliable_recovery"] is False
    text = run_ipt("report", "ab").stdout
    assert re.search(r"PHQ-9 .* recovery", text) and re.search(r"GAD-7 .* improvement", text)
    assert "OUTCOME WARNINGS" not in text


# Item 2: one score is not an outcome.


def test_a_baseline_alone_is_not_an_outcome(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", phq9(4))  # minimal at intake: not a "remission"
    m = report(run_ipt)["measures"]["phq9"]
    assert m["baseline"] == 4 and m["baseline_session"] == 0 and m["severity"] == "minimal"
    for key in (
        "latest",
        "change",
        "change_percent",
        "response",
        "remission",
        "reliable_change",
        "reliable_improvement",
        "reliable_deterioration",
        "reliable_recovery",
    ):
        assert m[key] is None, key
    text = run_ipt("report", "ab").stdout
    row = next(line for line in text.splitlines() if line.strip().startswith("PHQ-9 "))
    assert row.split() == ["PHQ-9", "4", "n/a", "n/a", "minimal", "n/a", "n/a", "n/a"]
    assert "one score so far; an outcome needs a later score" in text
    markdown = run_ipt("report", "ab", "--format", "markdown").stdout
    assert "| PHQ-9 | 4 | n/a | n/a | minimal | n/a | n/a | n/a |" in markdown


# Item 3: the baseline of an instrument first given later.


def test_an_instrument_first_rated_later_is_measured_from_that_rating(
    new_course, run_ipt: RunIpt
) -> None:
    new_course("ab", "--phq9", phq9(16))
    hamd_20 = "3,2,1,1,1,1,2,1,1,2,2,1,1,0,1,0,0"
    hamd_8 = "1,1,0,1,0,0,1,1,0,1,1,1,0,0,0,0,0"
    run_ipt("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", phq9(14))
    run_ipt("session", "ab", "--date", "2026-01-19", "--hamd17", hamd_20)
    run_ipt("session", "ab", "--date", "2026-01-26", "--hamd17", hamd_8)
    hamd = report(run_ipt)["measures"]["hamd17"]
    assert hamd["baseline"] == 20 and hamd["baseline_session"] == 3
    assert hamd["latest"] == 8 and hamd["change"] == -12 and hamd["change_percent"] == -60
    assert hamd["response"] is True and hamd["remission"] is False  # remission is <= 7
    assert hamd["reliable_improvement"] is None  # no convention for HAM-D by default
    assert report(run_ipt)["measures"]["phq9"]["baseline_session"] == 0
    for shown in every_format(run_ipt).values():
        assert "HAM-D-17: first rated at session 3 (2026-01-19)" in shown


# Item 4: one sitting, one score.


def test_a_second_administration_on_one_date_is_refused(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("ab", "--phq9", phq9(12))  # the baseline is dated on the start, 2026-01-05
    before = (data_home / "courses" / "ab.toml").read_bytes()
    refused = run_ipt("session", "ab", "--date", "2026-01-05", "--phq9", phq9(11), exit_code=2)
    assert refused.stderr.strip() == (
        "ipt: error: PHQ-9 was already given on 2026-01-05 (baseline); one sitting has one "
        "score: record this session without --phq9"
    )
    assert (data_home / "courses" / "ab.toml").read_bytes() == before
    # The same sitting may add an instrument not yet given, and session 1 is recorded.
    run_ipt("session", "ab", "--date", "2026-01-05", "--gad7", "1,1,1,1,1,1,1")
    refused = run_ipt(  # a second sitting that day, on purpose; still one GAD-7 a day
        "session",
        "ab",
        "--date",
        "2026-01-05",
        "--same-day",
        "--gad7",
        "0,0,0,0,0,0,0",
        exit_code=2,
    )
    assert "GAD-7 was already given on 2026-01-05 (session 1)" in refused.stderr
    data = report(run_ipt)
    assert [p["session"] for p in data["measures"]["phq9"]["series"]] == [0]
    assert data["measures"]["phq9"]["latest"] is None  # still one score
    assert data["sessions_recorded"] == 1


LEGACY = """schema_version = 1
id = "ab"
client = "A.B."
created = 2026-01-05T10:00:00+00:00
start_date = 2026-01-05
planned_sessions = 12
cadence = "weekly"
kind = "clinician-led"
problem_areas = ["grief"]

[baseline]
date = 2026-01-05

[baseline.phq9]
items = [2, 2, 2, 2, 2, 2, 2, 0, 1]

[[sessions]]
date = 2026-01-05
note = "Assessment"

[sessions.phq9]
items = [2, 2, 2, 2, 2, 2, 1, 0, 2]

[[sessions]]
date = 2026-01-12

[sessions.phq9]
items = [1, 1, 1, 1, 1, 1, 1, 0, 0]
"""


def test_a_legacy_double_score_is_charted_and_flagged_once(
    run_ipt: RunIpt, data_home: Path
) -> None:
    (data_home / "courses").mkdir(parents=True)
    (data_home / "courses" / "ab.toml").write_text(LEGACY)
    data = report(run_ipt)
    series = data["measures"]["phq9"]["series"]
    assert [(p["session"], p["total"]) for p in series] == [(0, 15), (2, 7)]
    assert data["measures"]["phq9"]["baseline"] == 15 and data["measures"]["phq9"]["latest"] == 7
    # One flag for the sitting, with the higher item-9 score of its two records.
    assert [(f["session"], f["score"]) for f in data["safety_flags"]] == [(0, 2)]
    text = run_ipt("report", "ab").stdout
    assert re.search(r"base +2026-01-05 +█", text)  # one bar on the chart for that day
    assert not re.search(r"S1 +2026-01-05", text)
    # A review of either record is a review of the sitting.
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "1",
        "--note",
        "Passive thoughts, no plan",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
    )
    assert report(run_ipt)["safety_flags"][0]["reviewed"] is True


def test_the_interactive_session_does_not_offer_the_phq9_twice_on_the_baseline_day(
    new_course, run_ipt: RunIpt
) -> None:
    new_course("ab", "--phq9", phq9(12))
    same_day = run_ipt("session", "ab", input="2026-01-05\n\n", exit_code=130, **ASK)
    assert "PHQ-9 already given on 2026-01-05 (baseline)." in same_day.stdout
    assert "Give the PHQ-9 now?" not in same_day.stdout
    later = run_ipt("session", "ab", input="2026-01-12\n\n", exit_code=130, **ASK)
    assert "Give the PHQ-9 now?" in later.stdout


# Item 7, the outcome half: maintenance against the end of the acute course; relapse.


def _acute_course_ending_in_remission(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4", "--phq9", phq9(16), "--gad7", "2,2,2,2,1,1,1")
    run_ipt("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    for day, total in ((12, 12), (19, 7), (26, 4)):
        run_ipt("session", "ab", "--date", f"2026-01-{day}", "--phq9", phq9(total))
    run_ipt("maintenance", "ab", "--sessions", "6")  # monthly, from 2026-02-26


def test_maintenance_is_a_phase_with_its_latest_score_in_the_list(
    new_course, run_ipt: RunIpt
) -> None:
    _acute_course_ending_in_remission(new_course, run_ipt)
    run_ipt("session", "ab", "--date", "2026-02-26", "--phq9", phq9(6))
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert row["phase"] == "maintenance" and row["latest_phq9"] == 6
    assert row["latest"]["phq9"] == {"total": 6, "severity": "mild"}
    assert row["latest"]["gad7"] == {"total": 11, "severity": "moderate"}  # intake only
    assert row["alerts"] == []
    listing = run_ipt("list").stdout
    assert "maintenance" in listing and "PHQ-9 6" in listing
    data = report(run_ipt)
    assert data["phase"] == "maintenance" and data["completed"] is True
    assert len(data["termination_checklist"]) == 5  # the acute course's ending stays shown
    block = data["maintenance"]
    assert block["end_of_acute"] == {"phq9": 4, "gad7": 11}
    assert block["relapse"] == {"phq9": False, "gad7": None}  # no GAD-7 in maintenance
    phq = block["measures"]["phq9"]
    assert (phq["baseline"], phq["end_of_acute"], phq["latest"]) == (16, 4, 6)
    assert phq["change_from_end_of_acute"] == 2 and phq["relapse"] is False
    text = run_ipt("report", "ab").stdout
    assert "maintenance: session 2 of 6 (acute course of 4 completed)" in text
    assert "PHQ-9 in maintenance" in text and "m1" in text


def test_a_return_to_caseness_in_maintenance_is_a_relapse(new_course, run_ipt: RunIpt) -> None:
    _acute_course_ending_in_remission(new_course, run_ipt)
    run_ipt("session", "ab", "--date", "2026-02-26", "--phq9", phq9(6))
    today = {"IPT_TODAY": "2026-04-30"}  # a session is never dated after today
    relapse = run_ipt("session", "ab", "--date", "2026-03-26", "--phq9", phq9(12), **today)
    assert flat(relapse.stderr).startswith("warning: PHQ-9 relapse: 12 at maintenance session 2")
    later = run_ipt("session", "ab", "--date", "2026-04-26", "--phq9", phq9(8), **today)
    assert later.stderr == ""  # the relapse was told when it happened
    data = report(run_ipt)
    assert data["maintenance"]["relapse"] == {"phq9": True, "gad7": None}
    phq = data["maintenance"]["measures"]["phq9"]
    assert phq["latest"] == 8 and phq["end_of_acute"] == 4 and phq["relapse"] is True
    warning = (
        "PHQ-9 relapse: 12 at maintenance session 2 (2026-03-26), a case again (>= 10) and "
        "a reliable deterioration (+8) from 4 at the end of the acute course"
    )
    assert [a["text"] for a in data["alerts"]] == [warning]
    formats = every_format(run_ipt)
    assert warning in formats["text"]
    assert "## Maintenance" in formats["markdown"] and f"> - {warning}" in formats["markdown"]
    assert "| PHQ-9 | 16 | 4 | 8 | +4 | mild | RELAPSE |" in formats["markdown"]
    assert "<h2>Maintenance</h2>" in formats["html"] and "<td>RELAPSE</td>" in formats["html"]
    assert warning in formats["html"]
    assert json.loads(run_ipt("list", "--json").stdout)[0]["alerts"] == [warning]
    assert f"! {warning}" in " ".join(run_ipt("list").stdout.split())  # wrapped at words


# Item 10: non-response is named at the ending.


def _course_without_response(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4", "--phq9", phq9(16))
    run_ipt("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    for day, total in ((12, 15), (19, 14), (26, 13)):
        run_ipt("session", "ab", "--date", f"2026-01-{day}", "--phq9", phq9(total))


ADVICE = "offering a different treatment rather than more of the same"


def test_maintenance_without_a_response_needs_confirming(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    _course_without_response(new_course, run_ipt)
    refused = flat(run_ipt("maintenance", "ab", "--no-input", exit_code=2).stderr)
    assert f"No response on PHQ-9 (16 to 13): the IPT manuals advise {ADVICE}" in refused
    assert refused.endswith(
        "ipt: error: the client has no response and is still a case; to record maintenance "
        "all the same, add --confirm"
    )
    assert "maintenance" not in stored(data_home)
    declined = run_ipt("maintenance", "ab", input="n\n", exit_code=130, **ASK)
    assert ADVICE in flat(declined.stderr) and "maintenance" not in stored(data_home)
    done = run_ipt("maintenance", "ab", "--no-input", "--confirm")
    assert ADVICE in flat(done.stderr) and "Maintenance for ab" in done.stdout
    assert "maintenance" in stored(data_home)


def test_a_decision_for_maintenance_without_a_response_needs_confirming(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    _course_without_response(new_course, run_ipt)
    refused = run_ipt("ending", "ab", "--decision", "maintenance", "--no-input", exit_code=2)
    assert ADVICE in flat(refused.stderr) and "ending" not in stored(data_home)
    run_ipt("ending", "ab", "--decision", "maintenance", input="y\n", **ASK)
    assert stored(data_home)["ending"]["decision"] == "maintenance"
    # Other decisions, and courses with a response, are not held up.
    run_ipt("ending", "ab", "--decision", "referral", "--no-input")
    for shown in every_format(run_ipt).values():
        assert f"No response on PHQ-9 (16 to 13): the IPT manuals advise {ADVICE}" in shown


def test_maintenance_after_a_response_is_not_held_up(new_course, run_ipt: RunIpt) -> None:
    _acute_course_ending_in_remission(new_course, run_ipt)  # opens maintenance, no --confirm
    run_ipt("ending", "ab", "--decision", "maintenance", "--no-input")


def test_an_ending_before_the_last_session_is_in_the_report(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", phq9(16))
    run_ipt("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", phq9(15))
    run_ipt(
        "ending",
        "ab",
        "--decision",
        "referral",
        "--note",
        "Moving away",
        "--warning-sign",
        "Not sleeping",
    )
    for name, shown in every_format(run_ipt).items():
        assert "Ending (recorded after session 2 of 16)" in shown, name
        assert "Decision after the course: referral (Moving away)" in shown, name
        assert "Relapse warning signs: Not sleeping" in shown, name


# Item 11 (part): BDI-II totals, URGENT notices, goals never rated.


def test_a_bdi2_total_below_its_item9_is_refused(new_course, run_ipt: RunIpt) -> None:
    new_course()
    low = ("--bdi2-total", "2", "--bdi2-item9", "3")
    expected = "ipt: error: BDI-II total 2 is below its item 9 (3); check both"
    assert run_ipt("session", "ab", *low, exit_code=2).stderr.strip() == expected
    new = ("new-course", "cd", "--client", "C.", "--problem-area", "grief", "--no-input")
    assert run_ipt(*new, *low, exit_code=2).stderr.strip() == expected
    run_ipt("session", "ab", "--bdi2-total", "3", "--bdi2-item9", "3")  # equal is possible


def test_the_immediate_notice_for_hamd_item3_says_urgent(new_course, run_ipt: RunIpt) -> None:
    new_course()
    hamd = "0,0,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0"
    result = run_ipt("session", "ab", "--hamd17", hamd)
    assert "session 1: HAM-D-17 item 3 = 3 URGENT" in result.stderr
    baseline = run_ipt(
        "new-course", "cd", "--client", "C.", "--problem-area", "grief", "--hamd17", hamd
    )
    assert "baseline: HAM-D-17 item 3 = 3 URGENT" in baseline.stderr
    mild = run_ipt("session", "ab", "--date", "2026-02-01", "--hamd17", hamd.replace("3", "1"))
    notice, still_open = mild.stderr.split("Still unreviewed from other sessions")
    assert "HAM-D-17 item 3 = 1" in notice and "URGENT" not in notice
    assert "HAM-D-17 item 3 = 3 URGENT at session 2 (2026-03-01)" in still_open  # renumbered


def test_the_end_of_course_summary_never_prints_na_out_of_ten(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--sessions", "4")
    for day in (5, 12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--goal", "grief-mourning=6")
    for shown in every_format(run_ipt).values():
        assert "n/a/10" not in shown
        assert "Goal grief-mourning: latest 6/10." in shown
        assert "Goal grief-reconnect: not rated." in shown


@pytest.mark.parametrize("width", [60, 48])
def test_a_narrow_terminal_folds_the_outcome_words_and_cuts_nothing(
    new_course, run_ipt: RunIpt, width: int
) -> None:
    """Below 80 columns the measures table is one block per measure (issue 27 item 14): no
    word is shortened with an ellipsis, folded across lines or cropped at the edge."""
    new_course("ab", "--phq9", phq9(10))  # a case at baseline: no note under the table
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", phq9(16))
    text = run_ipt("report", "ab", COLUMNS=str(width)).stdout
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    block = text[text.index("Measures") : text.index("PHQ-9 by session")].splitlines()
    assert [line.split() for line in block if line.strip()][:9] == [
        ["Measures"],
        ["PHQ-9"],
        ["Baseline", "10"],
        ["Now", "16"],
        ["Change", "+60%"],
        ["Severity", "moderately", "severe"],
        ["Response", "no"],
        ["Remission", "no"],
        ["Reliable", "DETERIORATION"],  # whole
    ]
