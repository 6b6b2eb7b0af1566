"""Issue 26: what a clinician found unsafe or wrong, each checked through the real `ipt`
binary (defects 4, 5, 6, 7, 9, 10, 13, 15)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

Bin = Callable[..., subprocess.CompletedProcess[str]]

PHQ9_16 = "2,2,2,2,2,2,2,2,0"  # 16, item 9 = 0
PHQ9_18 = "2,2,2,2,2,2,2,2,2"  # 18, item 9 = 2 (flags; reviewed below)
PHQ9_18_SAFE = "3,3,2,2,2,2,2,2,0"  # 18, item 9 = 0
PHQ9_4 = "1,1,0,1,1,0,0,0,0"
PHQ9_2 = "1,1,0,0,0,0,0,0,0"
PHQ9_3 = "1,1,1,0,0,0,0,0,0"
PCL5_52 = "3,3,3,3,3, 3,3, 3,3,3,3,3,2,2, 2,2,2,2,2,2"  # 52
PCL5_28 = "2,2,2,1,1, 2,2, 1,1,1,1,2,2,1, 1,1,2,2,1,0"  # 28


def course(ipt_bin: Bin, course_id: str = "ab", *extra: str) -> None:
    ipt_bin(
        "new-course",
        course_id,
        "--client",
        "A.B.",
        "--start",
        "2026-01-05",
        "--problem-area",
        "grief",
        "--no-input",
        *extra,
    )


def report_json(ipt_bin: Bin, course_id: str = "ab") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ipt_bin("report", course_id, "--format", "json").stdout)
    return data


def flat(text: str) -> str:
    """Words as a reader sees them, whatever the terminal width wrapped."""
    return " ".join(text.split())


# Defect 4 -------------------------------------------------------------------------------


def test_ending_care_while_still_a_case_needs_confirm_and_names_a_referral(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "ab", "--phq9", PHQ9_16)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_18_SAFE)
    for decision in ("end", "maintenance"):
        refused = ipt_bin("ending", "ab", "--decision", decision, "--no-input", check_code=2)
        assert "still a case" in refused.stderr and "--confirm" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert "referral" in flat(refused.stdout + refused.stderr)
        assert "WHO Group IPT (2016)" in flat(refused.stdout + refused.stderr)
    assert report_json(ipt_bin)["ending"] is None  # nothing was recorded
    done = ipt_bin("ending", "ab", "--decision", "end", "--confirm")
    assert "decision: end" in done.stdout + done.stderr
    ipt_bin("ending", "ab", "--decision", "referral")  # a referral needs no confirmation


def test_ending_care_after_remission_is_not_gated(ipt_bin: Bin, ipt_setup: Bin) -> None:
    course(ipt_setup, "ab", "--phq9", PHQ9_16)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_3)
    done = ipt_bin("ending", "ab", "--decision", "end", "--no-input")
    assert "still a case" not in done.stdout + done.stderr


# Defect 5 -------------------------------------------------------------------------------


def ptsd(setup: Bin, later: str) -> None:
    course(setup, "ab", "--condition", "ptsd", "--pcl5", PCL5_52)
    setup("session", "ab", "--date", "2026-01-12", "--pcl5", later)


def test_pcl5_has_no_50_percent_response_and_a_large_fall_is_not_a_non_response(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    ptsd(ipt_setup, PCL5_28)
    pcl5 = report_json(ipt_bin)["measures"]["pcl5"]
    assert (pcl5["baseline"], pcl5["latest"], pcl5["response"]) == (52, 28, None)
    text = flat(ipt_bin("report", "ab").stdout)
    assert "No response" not in text and "different treatment" not in text
    assert "clinically meaningful" in text and "National Center for PTSD" in text
    done = ipt_bin("ending", "ab", "--decision", "maintenance", "--no-input")
    assert "different treatment" not in done.stdout + done.stderr


def test_pcl5_without_reliable_improvement_gets_the_advice(ipt_bin: Bin, ipt_setup: Bin) -> None:
    ptsd(ipt_setup, PCL5_52.replace("3,3,3,3,3,", "3,3,3,2,2,", 1))  # 50: -2
    refused = ipt_bin("ending", "ab", "--decision", "maintenance", "--no-input", check_code=2)
    assert "No reliable improvement on PCL-5 (52 to 50" in flat(refused.stdout + refused.stderr)


# Defect 6 -------------------------------------------------------------------------------


def test_no_response_or_remission_for_a_client_who_was_never_a_case(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "ab", "--phq9", PHQ9_4)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_2)
    phq9 = report_json(ipt_bin)["measures"]["phq9"]
    assert (phq9["response"], phq9["remission"], phq9["case_at_baseline"]) == (None, None, False)
    text = ipt_bin("report", "ab").stdout
    assert "not a case at baseline" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("PHQ-9 "))
    assert "yes" not in row
    md = ipt_bin("report", "ab", "--format", "markdown").stdout
    assert "not a case at baseline" in md


# Defect 7 -------------------------------------------------------------------------------


def test_the_dispute_stage_is_the_latest_dated_event_from_either_command(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    ipt_setup(
        "new-course", "rd", "--client", "R.D.", "--start", "2026-01-05",
        "--problem-area", "role-dispute", "--dispute-stage", "renegotiation", "--no-input",
    )  # fmt: skip
    for day in ("05", "12", "19", "26"):
        ipt_setup("session", "rd", "--date", f"2026-01-{day}", "--attendee", "client")
    ipt_bin("session", "rd", "--date", "2026-02-02", "--dispute-stage", "impasse")
    changed = ipt_bin("course", "rd", "set", "--dispute-stage", "dissolution")
    assert "impasse -> dissolution" in changed.stdout + changed.stderr  # not renegotiation
    assert report_json(ipt_bin, "rd")["dispute_stage"] == "dissolution"
    assert "dispute stage: dissolution" in ipt_bin("report", "rd").stdout
    assert "Role dispute (dissolution)" in ipt_bin("agenda", "rd").stdout
    # A later session's stage is later again (a week on).
    week_on = {"IPT_TODAY": "2026-03-08"}
    ipt_bin("session", "rd", "--date", "2026-03-08", "--dispute-stage", "impasse", env=week_on)
    assert report_json(ipt_bin, "rd")["dispute_stage"] == "impasse"
    changed = ipt_bin("course", "rd", "set", "--dispute-stage", "renegotiation", env=week_on)
    assert "impasse -> renegotiation" in changed.stdout + changed.stderr


# Defect 9 -------------------------------------------------------------------------------


def test_an_adolescent_course_needs_its_guardian_and_consent(ipt_bin: Bin) -> None:
    for missing in ((), ("--guardian", "Mother (M.)"), ("--consent-by", "young person")):
        refused = ipt_bin(
            "new-course", "ya", "--client", "J. (15)", "--problem-area", "role-dispute",
            "--adaptation", "adolescent", "--no-input", *missing, check_code=2,
        )  # fmt: skip
        assert "needs the parent or guardian and the consent" in flat(refused.stderr) or (
            "need --guardian" in refused.stderr
        )
        assert len(refused.stderr.strip().splitlines()) == 1  # one clear line
    ipt_bin(
        "new-course", "ya", "--client", "J. (15)", "--problem-area", "role-dispute",
        "--adaptation", "adolescent", "--no-input", "--guardian", "Mother (M.)",
        "--consent-by", "guardian and young person", "--consent-date", "2026-01-02",
    )  # fmt: skip
    ipt_bin(
        "new-course", "yb", "--client", "K. (17)", "--problem-area", "grief",
        "--adaptation", "adolescent", "--no-input", "--consent-by", "young person",
        "--consent-reason", "lives independently; assessed competent to consent",
    )  # fmt: skip
    guardian = report_json(ipt_bin, "yb")["guardian"]
    assert guardian["alias"] is None and guardian["consent_by"] == "young person"
    assert guardian["consent_reason"].startswith("lives independently")
    assert "none (lives independently" in flat(ipt_bin("report", "yb").stdout)


def test_the_ipt_a_phases_follow_mufson_2004(ipt_bin: Bin, ipt_setup: Bin) -> None:
    ipt_setup(
        "new-course", "ya", "--client", "J. (15)", "--problem-area", "role-dispute",
        "--adaptation", "adolescent", "--no-input", "--guardian", "M.",
        "--consent-by", "guardian",
    )  # fmt: skip
    weeks = json.loads(ipt_bin("plan", "ya", "--format", "json").stdout)["weeks"]
    phases = [w["phase"] for w in weeks]
    assert phases == ["initial"] * 4 + ["middle"] * 4 + ["termination"] * 4


# Defect 10 ------------------------------------------------------------------------------


def test_the_maintenance_headline_shows_end_of_acute_and_the_current_score(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    later = {"IPT_TODAY": "2026-06-01"}
    course(ipt_setup, "mm", "--sessions", "4", "--phq9", PHQ9_16)
    for day in ("01-12", "01-19", "01-26", "02-02"):
        ipt_setup("session", "mm", "--date", f"2026-{day}", "--phq9", PHQ9_2, env=later)
    ipt_setup("maintenance", "mm", "--sessions", "6", "--no-input", env=later)
    ipt_setup("session", "mm", "--date", "2026-03-02", "--phq9", "2,2,2,2,2,1,1,0,0", env=later)
    md = ipt_bin("report", "mm", "--format", "markdown", env=later).stdout
    header = next(line for line in md.splitlines() if line.startswith("| Measure | Baseline"))
    assert "| End of acute | Current |" in header and "| Latest |" not in header
    assert "| PHQ-9 | 16 | 2 | 12 (m1) RELAPSE |" in md
    text = ipt_bin("report", "mm", env=later).stdout
    table = text[text.index("Measures") : text.index("PHQ-9 by session")]
    assert "Acute" in table and "Now" in table
    row = next(line for line in table.splitlines() if line.strip().startswith("PHQ-9"))
    assert row.split()[:4] == ["PHQ-9", "16", "2", "12"]
    assert "outcome columns measure the acute course" in flat(table)


# Defect 13 ------------------------------------------------------------------------------


def test_fidelity_adherence_counts_the_phase_items_and_shows_the_unrated(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "ff")
    for day in ("01-05", "01-12", "01-19", "01-26", "02-02"):
        ipt_setup("session", "ff", "--date", f"2026-{day}", "--attendee", "client")
    rated = ipt_bin("fidelity", "ff", "5", "--item", "mid-opening=done")
    said = flat(rated.stdout + rated.stderr)
    assert "1 of 12 applicable item(s) done (8%)" in said and "11 unrated" in said
    assert "100%" not in said
    adherence = report_json(ipt_bin, "ff")["adherence"]["by_phase"]["middle"]
    assert (adherence["applicable"], adherence["done"], adherence["unrated"]) == (12, 1, 11)
    assert adherence["percent"] == 8
    assert "11 unrated" in flat(ipt_bin("report", "ff", "--format", "markdown").stdout)


# Defect 15 ------------------------------------------------------------------------------


def test_a_safety_plan_without_crisis_contact_or_means_restriction_warns(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "sp")
    saved = ipt_bin("safety-plan", "sp", "edit", "--warning-sign", "Not sleeping")
    assert "no crisis contact" in flat(saved.stderr) and "no means restriction" in saved.stderr
    complete = ipt_bin(
        "safety-plan", "sp", "edit", "--professional", "Crisis line 0800 000",
        "--environment", "Medicines kept by my sister",
    )  # fmt: skip
    assert "no crisis contact" not in complete.stderr
    assert "no means restriction" not in complete.stderr


def test_the_safety_plan_as_markdown_is_markdown(ipt_bin: Bin, ipt_setup: Bin) -> None:
    course(ipt_setup, "sp")
    ipt_setup("safety-plan", "sp", "edit", "--helper", "Sister *0123*")
    md = ipt_bin("safety-plan", "sp", "--format", "markdown").stdout
    assert md.startswith("# Safety plan of sp\n")
    assert "### People to ask for help\n\n- Sister \\*0123\\*\n" in md
    assert md != ipt_bin("safety-plan", "sp").stdout


def test_the_draft_grief_formulation_links_the_onset_to_the_death(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "gr")
    ipt_setup("timeline", "add", "gr", "--date", "2025-11-14", "--event", "Father dies")
    ipt_setup("timeline", "add", "gr", "--date", "2026-01-02", "--event", "Returns to work")
    ipt_bin("formulation", "gr", "--draft")
    text = report_json(ipt_bin, "gr")["formulation"]["text"]
    assert "started around this event: Father dies (2025-11-14)" in text
    assert "Returns to work" not in text


def test_holding_a_termination_session_does_not_tick_the_review(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "tc", "--sessions", "4")
    for day in ("01-05", "01-12", "01-19", "01-26"):
        ipt_setup("session", "tc", "--date", f"2026-{day}", "--attendee", "client")
    checklist = report_json(ipt_bin, "tc")["termination_checklist"]
    review = next(item for item in checklist if item["id"] == "review-change")
    assert review["done"] is False  # only held, nothing reviewed
    ipt_bin("fidelity", "tc", "4", "--item", "term-review=done")
    checklist = report_json(ipt_bin, "tc")["termination_checklist"]
    assert next(item for item in checklist if item["id"] == "review-change")["done"] is True


def test_the_csv_adaptation_column_names_the_adaptation(ipt_bin: Bin, ipt_setup: Bin) -> None:
    course(ipt_setup, "cs", "--phq9", PHQ9_16)
    text = ipt_bin("export", "cs", "--format", "csv").stdout
    header, first = text.splitlines()[:2]
    column = header.split(",").index("adaptation")
    assert first.split(",")[column] == "standard"


def test_binge_free_weeks_start_at_the_period_the_counts_cover(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    course(ipt_setup, "be", "--condition", "eating-disorder", "--binges", "6")
    for day, binges in (("01-12", "5"), ("01-19", "0"), ("01-26", "0"), ("02-02", "3")):
        ipt_setup("session", "be", "--date", f"2026-{day}", "--binges", binges)
    md = flat(ipt_bin("report", "be", "--format", "markdown").stdout)
    # Zero at 01-19 and 01-26: the weeks 01-12 to 01-26 (counted since the previous sitting).
    assert "session 2 to session 3 (2026-01-12 to 2026-01-26, 2 weeks)" in md


# Defect 12 (record integrity; the risk-review --date part is not here) -----------------


def signed_course(ipt_bin: Bin, setup: Bin) -> dict[str, str]:
    later = {"IPT_TODAY": "2027-02-08"}
    course(setup, "sg")
    for day in ("01-05", "01-12"):
        setup("session", "sg", "--date", f"2026-{day}", "--attendee", "client", env=later)
    ipt_bin("sign", "sg", "1", "--by", "Dr A.", env=later)
    return later


def test_a_signature_is_never_dated_before_the_link_it_follows(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    signed_course(ipt_bin, ipt_setup)
    refused = ipt_bin("sign", "sg", "2", "--by", "Dr A.", env={"IPT_TODAY": "2026-10-19"},
                      check_code=5)  # fmt: skip
    assert "cannot follow signature 1" in flat(refused.stderr)
    assert "2027-02-08" in refused.stderr and "Traceback" not in refused.stderr
    assert "holds" in ipt_bin("verify", "sg").stdout  # nothing was signed out of order


def test_a_backdated_link_in_a_file_does_not_verify(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Any
) -> None:
    later = signed_course(ipt_bin, ipt_setup)
    ipt_bin("sign", "sg", "2", "--by", "Dr A.", env=later)
    path = data_home / "courses" / "sg.toml"
    text = path.read_text()
    # Rewrite the second link's date as a backdating clock would have (its hash now breaks
    # too; the check names the backdating itself).
    first, second = text.split("[sessions.signature]")[1:3]
    at = next(line for line in second.splitlines() if line.startswith("at = "))
    # Only the second link: both may carry the same time to the second.
    path.write_text(text.replace(second, second.replace(at, "at = 2026-10-19T10:00:00Z")))
    shown = ipt_bin("verify", "sg", check_code=None)
    assert shown.returncode != 0
    assert "before signature 1 it follows" in flat(shown.stdout + shown.stderr)


def test_the_wall_clock_time_of_signing_is_kept(ipt_bin: Bin, ipt_setup: Bin) -> None:
    signed_course(ipt_bin, ipt_setup)
    note = json.loads(ipt_bin("note", "sg", "1", "--format", "json").stdout)
    signed = note["signed"]
    assert signed["at"].startswith("2027-02-08") and signed["signed_at"] is not None
    assert not signed["signed_at"].startswith("2027-02-08")  # the real clock, not IPT_TODAY


def test_a_clinician_cannot_countersign_their_own_session(ipt_bin: Bin, ipt_setup: Bin) -> None:
    later = signed_course(ipt_bin, ipt_setup)
    refused = ipt_bin("supervise", "sg", "1", "--sign", "--by", "dr  a.", env=later,
                      check_code=5)  # fmt: skip
    assert "a supervisor's sign-off is a second person's check" in flat(refused.stderr)
    ipt_bin("supervise", "sg", "1", "--sign", "--by", "Dr S.", env=later)
