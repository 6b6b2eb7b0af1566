"""The clinician's walk-through of the risk views, through the real `ipt` binary: the text
list shows every course's standing risk level (and says when it is out of date), a recorded
session repeats the flags still open from other sessions, and a lifetime risk answer that
goes from "yes" to "no" is recorded with a warning (hazards HAZ-44, HAZ-45, HAZ-46)."""

from __future__ import annotations

import json
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

Bin = Callable[..., subprocess.CompletedProcess[str]]
ITEM9_1 = "1,1,1,1,1,1,1,1,1"
ITEM9_2 = "1,1,1,1,1,1,1,1,2"  # URGENT
ITEM9_0 = "1,1,1,1,1,1,1,1,0"
JUDGED = ("--ideation", "passive", "--action", "Safety plan reviewed")
OPEN = "Still unreviewed from other sessions"

pytestmark = pytest.mark.e2e


def new(setup: Bin, course_id: str, *extra: str) -> None:
    setup(
        "new-course", course_id, "--client", course_id.upper(), "--start", "2026-01-05",
        "--problem-area", "grief", "--no-input", *extra,
    )  # fmt: skip


def review(setup: Bin, course_id: str, session: str, level: str) -> None:
    setup("risk-review", course_id, "--session", session, "--note", "Seen", "--level", level,
          *JUDGED)  # fmt: skip


def caseload(setup: Bin) -> None:
    """Four courses, one at each standing level, one of them out of date: "mo" judged
    moderate; "hi" judged HIGH; "lo" judged low on 2026-01-05, then an URGENT flag on
    2026-01-12 not yet reviewed; "nj" never judged."""
    new(setup, "mo", "--phq9", ITEM9_1)
    review(setup, "mo", "0", "moderate")
    new(setup, "hi", "--phq9", ITEM9_1)
    review(setup, "hi", "0", "high")
    new(setup, "lo", "--phq9", ITEM9_1)
    setup("risk-review", "lo", "--session", "0", "--note", "Seen", "--level", "low",
          "--date", "2026-01-05", *JUDGED)  # fmt: skip
    setup("session", "lo", "--date", "2026-01-12", "--phq9", ITEM9_2, "--note", "x")
    new(setup, "nj", "--phq9", ITEM9_0)


def test_the_text_list_shows_each_standing_level_and_when_it_is_out_of_date(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    caseload(ipt_setup)
    rows = {r["course_id"]: r for r in json.loads(ipt_bin("list", "--json").stdout)}
    assert rows["lo"]["risk_level_out_of_date_since"] == "2026-01-12"  # the JSON, as before
    wide = ipt_bin("list", env={"COLUMNS": "120"}).stdout.splitlines()
    assert wide[0].split()[-2:] == ["Risk", "Flags"]
    risk = wide[0].index("Risk")
    shown = {line.split()[0]: line[risk:] for line in wide[2:] if line[0] != " "}
    assert {course: " ".join(cells.split("  ")[0].split()) for course, cells in shown.items()} == {
        "mo": "moderate",
        "hi": "HIGH",  # in capitals, as every view writes it (and the row is coloured)
        "lo": "low, out of date",
        "nj": "not judged",
    }
    assert shown["lo"].endswith("  1 URGENT 48d")  # beside it, the flags as before
    narrow = ipt_bin("list", env={"COLUMNS": "70"}).stdout
    assert max(map(len, narrow.splitlines())) <= 70
    for course_id, level in (
        ("mo", "moderate"),
        ("hi", "HIGH"),
        ("lo", "low, out of date since 2026-01-12"),
        ("nj", "not judged"),
    ):
        block = narrow[narrow.index(f"{course_id}  {course_id.upper()}") :].splitlines()
        assert block[3] == f"  Risk: {level}", course_id
        assert block[4].startswith("  Flags: ")
    # Reviewing the newer flag brings the level up to date, in both layouts.
    review(ipt_setup, "lo", "1", "moderate")
    assert "out of date" not in ipt_bin("list", env={"COLUMNS": "120"}).stdout
    assert "out of date" not in ipt_bin("list", env={"COLUMNS": "70"}).stdout


def test_a_recorded_session_repeats_the_flags_still_open_from_other_sessions(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    new(ipt_setup, "ab", "--phq9", ITEM9_1)
    first = ipt_bin("session", "ab", "--date", "2026-01-12", "--phq9", ITEM9_2, "--note", "x")
    notice, still_open = first.stderr.split(OPEN)
    assert "session 1: PHQ-9 item 9 = 2 URGENT" in notice
    assert still_open.splitlines() == [
        ": 1 safety flag",
        "SAFETY: unreviewed PHQ-9 item 9 = 1 at baseline (2026-01-05), waiting 55 days",
        "Record a review with:",
        "  ipt risk-review ab --session 0 --note ... --ideation ... --level ... --action ...",
    ]  # the session's own flag is its notice's, not repeated
    quiet = ipt_bin("session", "ab", "--date", "2026-01-19", "--mood", "5")  # no measures
    assert quiet.stdout == "Recorded session 2 of 16 for ab (2026-01-19).\n"
    assert quiet.stderr.splitlines() == [
        f"{OPEN}: 2 safety flags (1 URGENT)",
        "SAFETY: unreviewed PHQ-9 item 9 = 1 at baseline (2026-01-05), waiting 55 days",
        "SAFETY: unreviewed PHQ-9 item 9 = 2 URGENT at session 1 (2026-01-12), waiting 48 days",
        "Record a review with:",
        "  ipt risk-review ab --session 0 --note ... --ideation ... --level ... --action ...",
        "  ipt risk-review ab --session 1 --note ... --ideation ... --level ... --action ...",
    ]
    review(ipt_setup, "ab", "0", "low")
    review(ipt_setup, "ab", "1", "moderate")
    calm = ipt_bin("session", "ab", "--date", "2026-01-26", "--mood", "6")
    assert calm.stderr == ""  # nothing open: nothing said


def test_the_interactive_session_repeats_the_flags_still_open(ipt_bin: Bin, ipt_setup: Bin) -> None:
    new(ipt_setup, "ab", "--phq9", ITEM9_1)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", ITEM9_2, "--note", "x")
    # Who attended; the PHQ-9 (item 9 = 1) and its difficulty; mood, events, techniques,
    # strategies, two goals, task, note; save.
    answers = ["client", "y", ITEM9_1, "1", "5", "", "", "", "", "", "", "", "y"]
    done = ipt_bin(
        "session", "ab", "--date", "2026-01-19",
        input="\n".join(answers) + "\n", env={"IPT_INTERACTIVE": "1"},
    )  # fmt: skip
    assert "Recorded session 2 of 16 for ab (2026-01-19)." in done.stdout
    notice, still_open = done.stderr.split(OPEN)
    assert "session 2: PHQ-9 item 9 = 1" in notice
    assert still_open.splitlines()[:3] == [
        ": 2 safety flags (1 URGENT)",
        "SAFETY: unreviewed PHQ-9 item 9 = 1 at baseline (2026-01-05), waiting 55 days",
        "SAFETY: unreviewed PHQ-9 item 9 = 2 URGENT at session 1 (2026-01-12), waiting 48 days",
    ]
    assert "session 2" not in still_open
    assert "  ipt risk-review ab --session 1 --note" in still_open


def adolescent(setup: Bin, *baseline: str) -> None:
    new(
        setup, "ad", "--adaptation", "adolescent", "--guardian", "G.", "--consent-by",
        "guardian", "--consent-date", "2026-01-05", *baseline,
    )  # fmt: skip


def phqa(attempt: str, thoughts: str = "no") -> tuple[str, ...]:
    return ("--phqa", ITEM9_0, "--phqa-attempt", attempt, "--phqa-suicidal-thoughts", thoughts)


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ipt: warning:")]


def test_a_lifetime_yes_then_no_is_recorded_with_a_warning(
    ipt_bin: Bin, ipt_setup: Bin, data_home: Path
) -> None:
    adolescent(ipt_setup, *phqa("yes"))
    review(ipt_setup, "ad", "0", "low")
    done = ipt_bin("session", "ad", "--date", "2026-01-12", *phqa("no"), "--note", "x")
    assert done.stdout == "Recorded session 1 of 12 for ad (2026-01-12).\n"  # never refused
    [warning] = warnings(done.stderr)  # one line
    assert warning == (
        "ipt: warning: PHQ-A suicide attempt ever = no at session 1 (2026-01-12), but yes at "
        "baseline (2026-01-05): a lifetime answer does not change, so one of the two is "
        'mistaken. Both are kept and the earlier "yes" stands (already reviewed). Ask the '
        "client which is right and record it in a risk review before correcting either: "
        "ipt risk-review ad --session 0 --note ... --ideation ... --level ... --action ..."
    )  # it never offers to correct the "yes" away (the review of finding 1)
    stored = tomllib.loads((data_home / "courses" / "ad.toml").read_text())
    assert stored["sessions"][0]["phqa"]["attempt"] is False
    # A "yes" at a session, unreviewed, then a "no": the review named is of that session.
    ipt_setup("session", "ad", "--date", "2026-01-19", *phqa("yes", "yes"), "--note", "x")
    later = ipt_bin("session", "ad", "--date", "2026-01-26", *phqa("no"), "--note", "x")
    [warning] = warnings(later.stderr)
    assert "= no at session 3 (2026-01-26), but yes at session 2 (2026-01-19)" in warning
    assert warning.endswith("ipt risk-review ad --session 2 --note ... --ideation ... --level "
                            "... --action ...")  # fmt: skip
    assert '"yes" stands (a flag until reviewed)' in warning  # session 2 is not reviewed
    # Correcting session 2's "yes" away while it is unreviewed is refused (HAZ-48) ...
    fix = ("session", "ad", "--fix", "2", "--phqa", ITEM9_0, "--phqa-attempt", "no",
           "--reason", "Attempt misheard")  # fmt: skip
    refused = ipt_bin(*fix, check_code=5)
    assert "would remove the unreviewed safety flag PHQ-A suicide attempt ever" in refused.stderr
    assert "ipt risk-review ad --session 2" in refused.stderr
    # ... and allowed once it is reviewed; the past-month "yes" is kept (not given again),
    # and session 2's "no" now stands against the baseline's "yes", and is said so.
    review(ipt_setup, "ad", "2", "moderate")
    fixed = ipt_bin(*fix)
    assert "suicidal thoughts yes; attempt no" in fixed.stdout
    [warning] = warnings(fixed.stderr)
    assert "= no at session 2 (2026-01-19), but yes at baseline (2026-01-05)" in warning
    # A "yes" again after the "no"s is the URGENT flag it was (no warning of its own).
    again = ipt_bin("session", "ad", "--date", "2026-02-02", *phqa("yes"), "--note", "x")
    assert warnings(again.stderr) == []
    assert "PHQ-A suicide attempt ever = yes, previously no URGENT" in again.stderr


def test_a_fix_to_no_after_an_earlier_yes_is_warned_of_too(ipt_bin: Bin, ipt_setup: Bin) -> None:
    adolescent(ipt_setup, *phqa("no"))
    first = ipt_bin("session", "ad", "--date", "2026-01-12", *phqa("no"), "--note", "x")
    assert warnings(first.stderr) == []  # "no" after "no"
    ipt_setup("session", "ad", "--date", "2026-01-19", *phqa("yes"), "--note", "x")
    ipt_setup("session", "ad", "--date", "2026-01-26", *phqa("yes"), "--note", "x")
    review(ipt_setup, "ad", "3", "low")  # a flag is reviewed before it is corrected away
    fixed = ipt_bin("session", "ad", "--fix", "3", *phqa("no"), "--reason", "Misread the form")
    [warning] = warnings(fixed.stderr)
    assert "= no at session 3 (2026-01-26), but yes at session 2 (2026-01-19)" in warning


def test_a_fix_that_raises_a_flag_at_a_later_sitting_says_so(ipt_bin: Bin, ipt_setup: Bin) -> None:
    """A "yes" reviewed at the baseline, then "yes" as before at sessions 1 and 2 (history);
    a fix of session 1 to "no" makes session 2's "yes" one after a "no": URGENT. The fix
    said only its lifetime warning (the review of this round, finding 2)."""
    adolescent(ipt_setup, *phqa("yes"))
    ipt_setup("risk-review", "ad", "--session", "0", "--date", "2026-01-05", "--note", "Seen",
              "--level", "low", *JUDGED)  # fmt: skip
    for day in ("2026-01-12", "2026-01-19"):
        ipt_setup("session", "ad", "--date", day, *phqa("yes"), "--note", "x")
    fixed = ipt_bin("session", "ad", "--fix", "1", "--phqa", ITEM9_0, "--phqa-attempt", "no",
                    "--reason", "Misheard")  # fmt: skip
    notice = fixed.stderr[fixed.stderr.index("SAFETY") :]
    assert "session 2: PHQ-A suicide attempt ever = yes, previously no URGENT" in notice
    assert "ipt risk-review ad --session 2" in notice


def test_a_missed_appointment_says_the_flags_open_and_the_follow_up_it_owes(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """Recording a missed appointment said nothing, though an URGENT flag waited and the
    missed appointment now owed a contact (the review of this round, finding 3; HAZ-45)."""
    new(ipt_setup, "ab", "--phq9", ITEM9_1)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", ITEM9_2, "--note", "x")
    missed = ipt_bin("session", "ab", "--date", "2026-01-19", "--missed", "did not attend")
    lines = missed.stderr.splitlines()
    assert lines[0] == "Still unreviewed: 2 safety flags (1 URGENT)"
    assert (
        "  ipt risk-review ab --session 1 --note ... --ideation ... --level ... --action ..."
        in (lines)
    )
    follow = [line for line in lines if line.startswith("FOLLOW-UP: ")]
    assert follow == [
        "FOLLOW-UP: missed session 2 on 2026-01-19 with an URGENT risk flag unreviewed: contact "
        "the client (then: ipt contact ab --date DATE --note TEXT)"
    ]
    agenda = ipt_bin("agenda", "ab").stdout
    assert "contact the client" in " ".join(agenda.split())  # the same follow-up, as shown


def test_a_risk_review_says_the_flags_of_other_sittings_still_waiting(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """One review closes one sitting's flags; the reply said nothing of the others (the fresh
    clinician's walk-through: four flags of one disclosure, three reviews)."""
    new(ipt_setup, "ab", "--phq9", ITEM9_1)
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", ITEM9_2, "--note", "x")
    first = ipt_bin("risk-review", "ab", "--session", "0", "--note", "Seen", "--level", "low",
                    *JUDGED)  # fmt: skip
    assert first.stderr.splitlines()[:2] == [
        "Still unreviewed from other sessions: 1 safety flag (1 URGENT)",
        "SAFETY: unreviewed PHQ-9 item 9 = 2 URGENT at session 1 (2026-01-12), waiting 48 days",
    ]
    last = ipt_bin("risk-review", "ab", "--session", "1", "--note", "Seen", "--level", "moderate",
                   *JUDGED)  # fmt: skip
    assert last.stderr == ""  # nothing left waiting: nothing said


def test_the_interactive_session_questions_a_lifetime_no_before_saving(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """The contradicting "no" was warned of only after "Recorded session ...", when the
    client has usually left (the fresh clinician's walk-through): the "yes" on record is
    said as the question is asked, and a "no" is questioned at once."""
    adolescent(ipt_setup, *phqa("yes"))
    answers = ["client", "y", ITEM9_0, "no", "no", *[""] * 11, "y"]
    done = ipt_bin(
        "session", "ad", "--date", "2026-01-12",
        input="\n".join(answers) + "\n", env={"IPT_INTERACTIVE": "1"},
    )  # fmt: skip
    shown = " ".join(done.stdout.split())
    on_record = shown.index("On record: suicide attempt ever = yes at baseline (2026-01-05)")
    assert on_record < shown.index("tried to kill yourself")
    said = " ".join(done.stderr.split())  # the person's stream: before the saved session's
    assert said.index('"No" contradicts the "yes" at baseline') < said.index("ipt: warning:")


def test_a_fix_that_takes_urgent_from_a_later_sittings_flag_says_so(
    ipt_bin: Bin, ipt_setup: Bin
) -> None:
    """No, no, yes: session 2's "yes" after a "no" is URGENT. A fix of session 1 to "yes"
    makes it a plain "yes" (the earlier one unreviewed): said, not silent (review, finding 1)."""
    adolescent(ipt_setup, *phqa("no"))
    ipt_setup("session", "ad", "--date", "2026-01-12", *phqa("no"), "--note", "x")
    ipt_setup("session", "ad", "--date", "2026-01-19", *phqa("yes"), "--note", "x")
    fixed = ipt_bin("session", "ad", "--fix", "1", "--phqa", ITEM9_0, "--phqa-attempt", "yes",
                    "--reason", "Misheard")  # fmt: skip
    said = " ".join(fixed.stderr.split())
    assert (
        "No longer URGENT after this correction, still waiting for review: PHQ-A suicide "
        "attempt ever = yes at session 2 (2026-01-19)" in said
    )


def test_list_risk_first_puts_the_courses_at_risk_first(ipt_bin: Bin, ipt_setup: Bin) -> None:
    """Sorted by next date, an URGENT course could come last in a long caseload (the fresh
    clinician's walk-through); --risk-first leads with it, then any flag waiting."""
    caseload(ipt_setup)
    new(ipt_setup, "aa", "--phq9", ITEM9_0)  # no risk, first by date and name
    by_date = [r["course_id"] for r in json.loads(ipt_bin("list", "--json").stdout)]
    assert by_date[0] == "aa"
    ranked = json.loads(ipt_bin("list", "--risk-first", "--json").stdout)
    assert sorted(by_date) == sorted(r["course_id"] for r in ranked)  # the same courses

    def rank(row: dict) -> int:  # type: ignore[type-arg]
        if row["risk_level"] == "high" or row["urgent"]:
            return 0
        waiting = row["unreviewed_flags"] or row["missed_at_risk"]
        return 1 if waiting or row["risk_level"] == "moderate" else 2

    assert [rank(r) for r in ranked] == sorted(rank(r) for r in ranked)
    assert rank(ranked[0]) == 0 and ranked[-2:] == [
        r for r in ranked if r["course_id"] in ("aa", "nj")
    ]  # the two without risk last, in the usual order
    text = ipt_bin("list", "--risk-first").stdout.splitlines()
    assert text[2].split()[0] == ranked[0]["course_id"]
