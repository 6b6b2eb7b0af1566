"""The record is never overwritten or misfiled: risk reviews are a history, and sessions have
a stable identity that survives backfilling (issue 14, items 12 and 14)."""

import datetime as dt
import json
import re
import tomllib
from pathlib import Path

from ipt_cli.core import changes
from ipt_cli.core.models import SessionRecord
from ipt_cli.store.courses import CourseStore
from tests.conftest import PHQ9_MODERATE, PHQ9_RISK, RunIpt


def stored(data_home: Path, course_id: str = "ab") -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def report(run_ipt: RunIpt) -> dict:
    return json.loads(run_ipt("report", "ab", "--format", "json").stdout)


def flat(text: str) -> str:
    return " ".join(re.sub(r"[┃│║]", " ", text).split())


# Item 12: risk reviews are append-only.


def test_a_second_risk_review_is_added_not_replacing_the_first(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_RISK)
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "1",
        "--note",
        "Passive thoughts, no plan",
        "--plan",
        "Safety plan written",
        "--by",
        "Dr K.",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
        IPT_TODAY="2026-01-12",
    )
    second = run_ipt(
        "risk-review",
        "ab",
        "--session",
        "1",
        "--note",
        "Thoughts have eased",
        "--plan",
        "Plan kept; GP informed",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
        IPT_TODAY="2026-01-19",
    )
    assert "review 2 of that session; earlier ones are kept" in second.stdout
    reviews = stored(data_home)["sessions"][0]["risk_reviews"]
    assert [(r["note"], r["plan"]) for r in reviews] == [
        ("Passive thoughts, no plan", "Safety plan written"),
        ("Thoughts have eased", "Plan kept; GP informed"),
    ]
    assert reviews[0]["by"] == "Dr K." and "by" not in reviews[1]
    data = report(run_ipt)
    assert [(r["date"], r["note"], r["plan"], r["by"]) for r in data["risk_reviews"]] == [
        ("2026-01-12", "Passive thoughts, no plan", "Safety plan written", "Dr K."),
        ("2026-01-19", "Thoughts have eased", "Plan kept; GP informed", None),
    ]
    first = "Review 1, 2026-01-12 by Dr K.: Passive thoughts, no plan. Plan: Safety plan written"
    later = "Review 2, 2026-01-19: Thoughts have eased. Plan: Plan kept; GP informed"
    for name in ("text", "markdown", "html"):
        shown = flat(run_ipt("report", "ab", "--format", name).stdout)
        assert "session 1 (2026-01-12): PHQ-9 item 9 = 1" in shown, name
        assert first in shown and later in shown, name
        assert shown.index(first) < shown.index(later), name


V1_WITH_A_REVIEW = """schema_version = 1
id = "ab"
client = "A.B."
created = 2026-01-05T10:00:00+00:00
start_date = 2026-01-05
planned_sessions = 12
cadence = "weekly"
kind = "clinician-led"
problem_areas = ["grief"]

[[sessions]]
date = 2026-01-19
note = "Third held, second in the file"

[[sessions]]
date = 2026-01-05
note = "First"

[sessions.phq9]
items = [1, 1, 1, 1, 1, 1, 1, 1, 1]

[sessions.risk_review]
date = 2026-01-05
note = "No intent"
plan = "Crisis numbers given"

[[sessions]]
date = 2026-01-12
"""


def test_a_schema_1_file_is_read_and_upgraded_on_the_next_write(
    run_ipt: RunIpt, data_home: Path
) -> None:
    (data_home / "courses").mkdir(parents=True)
    path = data_home / "courses" / "ab.toml"
    path.write_text(V1_WITH_A_REVIEW)
    data = report(run_ipt)
    assert data["safety_flags"][0]["reviewed"] is True
    assert [(r["note"], r["plan"]) for r in data["risk_reviews"]] == [
        ("No intent", "Crisis numbers given")
    ]
    assert [s["id"] for s in data["sessions"]] == [1, 2, 3]  # ids in date order
    assert path.read_text() == V1_WITH_A_REVIEW  # reading never writes
    run_ipt(
        "risk-review",
        "ab",
        "--session",
        "2026-01-05",
        "--note",
        "Reviewed again",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
    )
    upgraded = stored(data_home)
    assert upgraded["schema_version"] == 10
    assert [s["id"] for s in upgraded["sessions"]] == [1, 2, 3]
    assert [r["note"] for r in upgraded["sessions"][0]["risk_reviews"]] == [
        "No intent",
        "Reviewed again",
    ]
    assert "risk_review" not in upgraded["sessions"][0]


# Item 14: stable session identity; sessions addressed by number or date.


def test_a_backfilled_session_keeps_the_ids_of_the_others(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "Week two")
    run_ipt("session", "ab", "--date", "2026-01-26", "--note", "Week four")
    before = {s["note"]: s["id"] for s in stored(data_home)["sessions"]}
    backfill = run_ipt("session", "ab", "--date", "2026-01-19", "--note", "Week three")
    assert "later sessions are now numbered from 3" in backfill.stdout
    sessions = stored(data_home)["sessions"]
    assert [s["note"] for s in sessions] == ["Week two", "Week three", "Week four"]
    ids = {s["note"]: s["id"] for s in sessions}
    assert ids["Week two"] == before["Week two"] and ids["Week four"] == before["Week four"]
    assert ids["Week three"] == 3  # the next id at recording, whatever its position
    assert [s["id"] for s in report(run_ipt)["sessions"]] == [1, 3, 2]


def test_an_addendum_addressed_by_date_goes_to_that_note(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "Week two")
    run_ipt("session", "ab", "--date", "2026-01-26", "--note", "Week four")
    run_ipt("session", "ab", "--date", "2026-01-19", "--note", "Week three")  # backfilled
    done = run_ipt("session", "ab", "--amend", "2026-01-26", "--note", "Correction")
    assert done.stdout == "Added an addendum to session 3 (2026-01-26) of ab.\n"
    by_note = {s["note"]: s for s in stored(data_home)["sessions"]}
    assert [a["text"] for a in by_note["Week four"]["addenda"]] == ["Correction"]
    assert "addenda" not in by_note["Week three"]
    by_number = run_ipt("session", "ab", "--amend", "2", "--note", "Also")
    assert by_number.stdout == "Added an addendum to session 2 (2026-01-19) of ab.\n"
    refused = run_ipt("session", "ab", "--amend", "2026-02-02", "--note", "x", exit_code=2)
    assert refused.stderr.strip() == "ipt: error: no session of 'ab' on 2026-02-02"
    refused = run_ipt("session", "ab", "--amend", "2026-13-02", "--note", "x", exit_code=2)
    assert "is not a date in the form YYYY-MM-DD" in refused.stderr


def test_a_risk_review_addressed_by_date_echoes_the_session(new_course, run_ipt: RunIpt) -> None:
    new_course("ab", "--phq9", PHQ9_RISK)
    run_ipt("session", "ab", "--date", "2026-01-19", "--phq9", PHQ9_RISK)
    run_ipt("session", "ab", "--date", "2026-01-12")  # backfilled: the flagged one is now 2
    done = run_ipt(
        "risk-review",
        "ab",
        "--session",
        "2026-01-19",
        "--note",
        "No intent",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
    )
    assert done.stdout.strip() == (
        "Risk review recorded for session 2 (2026-01-19) of ab. Risk level: low."
    )
    flags = {f["session"]: f["reviewed"] for f in report(run_ipt)["safety_flags"]}
    assert flags == {0: False, 2: True}
    done = run_ipt(
        "risk-review",
        "ab",
        "--session",
        "0",
        "--note",
        "No intent",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
    )
    assert (
        done.stdout.strip()
        == "Risk review recorded for baseline (2026-01-05) of ab. Risk level: low."
    )
    refused = run_ipt(
        "risk-review",
        "ab",
        "--session",
        "2026-01-12",
        "--note",
        "x",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
        exit_code=2,
    )
    assert refused.stderr.strip() == (
        "ipt: error: nothing to review: session 1 (2026-01-12) scored no risk item"
    )
    new_course("cd", "--phq9", PHQ9_MODERATE)  # the baseline and session 1 on its day: no flag
    run_ipt("session", "cd", "--date", "2026-01-05")
    refused = run_ipt(
        "risk-review",
        "cd",
        "--session",
        "2026-01-05",
        "--note",
        "x",
        "--ideation",
        "none",
        "--level",
        "low",
        "--action",
        "Reviewed",
        exit_code=2,
    )
    assert refused.stderr.strip() == (
        "ipt: error: nothing to review: baseline and session 1 (2026-01-05) scored no risk item"
    )


def test_two_sessions_on_one_date_need_the_number(
    run_ipt: RunIpt, new_course, data_home: Path
) -> None:
    new_course()
    store = CourseStore(data_home)
    for note in ("Morning", "Afternoon"):
        store.update(
            "ab",
            lambda c, n=note: changes.record_session(
                c, SessionRecord(date=dt.date(2026, 1, 12), note=n)
            ),
        )
    refused = run_ipt("session", "ab", "--amend", "2026-01-12", "--note", "x", exit_code=2)
    assert refused.stderr.strip() == (
        "ipt: error: 2 sessions on 2026-01-12 (session 1, session 2): give the session "
        "number instead"
    )
    done = run_ipt("session", "ab", "--amend", "2", "--note", "x")
    assert "session 2 (2026-01-12)" in done.stdout
