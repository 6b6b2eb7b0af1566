"""`ipt outcomes` on a small caseload whose rates are worked out by hand (issue 29), and the
not-on-track and follow-up alerts in `ipt list`.

The caseload (PHQ-9 only, so caseness is PHQ-9 >= 10 and reliable change 6 points):

    rec  16 -> 6    a case; recovered (6 < 10) and reliably improved (-10): reliably recovered
    imp  20 -> 12   a case; still a case, reliably improved (-8)
    det  12 -> 19   a case; reliably deteriorated (+7)
    non   6 -> 4    not a case at the start; no reliable change
    one  15         one score: not finished, counted in its own row
    ong  18 -> 10   two scores but still in treatment (1 of 12 sessions): not finished
    arc  14 -> 5    archived (only with --all): a case, reliably recovered

Every course but "ong" and the archived one has an ending recorded: it finished treatment.

Open courses: finished 4 (rec, imp, det, non), not finished 2, cases at start 3;
recovered 1 of 3; reliably improved 2 of 4; reliably recovered 1 of 3; deteriorated 1 of 4.
With --all: finished 5, cases 4; recovered 2 of 4; improved 3 of 5; reliably recovered 2
of 4; deteriorated 1 of 5.
"""

import csv
import io
import json

import pytest

from tests.conftest import RunIpt


def phq9(total: int) -> str:
    """PHQ-9 item scores with the given total and item 9 at 0."""
    items, left = [], total
    for _ in range(8):
        items.append(min(3, left))
        left -= items[-1]
    assert left == 0
    return ",".join(map(str, [*items, 0]))


CASELOAD = {"rec": (16, 6), "imp": (20, 12), "det": (12, 19), "non": (6, 4), "one": (15,)}


@pytest.fixture
def caseload(run_ipt: RunIpt, data_home) -> RunIpt:
    for course_id, scores in [*CASELOAD.items(), ("arc", (14, 5)), ("ong", (18, 10))]:
        run_ipt(
            "new-course", course_id, "--client", f"Client {course_id}", "--start", "2026-01-05",
            "--problem-area", "grief", "--no-input", "--phq9", phq9(scores[0]),
        )  # fmt: skip
        for n, total in enumerate(scores[1:], 1):
            run_ipt(
                "session", course_id, "--date", f"2026-01-{5 + 7 * n:02d}", "--phq9", phq9(total)
            )
    run_ipt("archive", "arc")
    run_ipt("session", "rec", "--date", "2026-01-19", "--note", "Talked about her mother.")
    for course_id in CASELOAD:  # care ended early ("ong" goes on: still in treatment)
        run_ipt(
            "ending", course_id, "--decision", "end", "--warning-sign", "sleep", "--confirm",
            "--no-input",
        )  # fmt: skip
    return run_ipt


def first_group(run_ipt: RunIpt, *args: str) -> dict:
    data = json.loads(run_ipt("outcomes", "--json", *args).stdout)
    assert data["groups"][0]["by"] == "all"
    assert "recovery" in data["definitions"]
    return data["groups"][0]


def test_the_rates_are_those_worked_out_by_hand(caseload: RunIpt) -> None:
    every = first_group(caseload)
    assert every["courses"] == 6
    assert (every["finished"], every["not_finished"], every["cases_at_start"]) == (4, 2, 3)
    assert (every["in_treatment"], every["one_score"]) == (1, 1)
    assert (every["recovered"], every["recovery_rate"]) == (1, pytest.approx(1 / 3))
    assert (every["reliably_improved"], every["reliable_improvement_rate"]) == (2, 0.5)
    assert (every["reliably_recovered"], every["reliable_recovery_rate"]) == (
        1,
        pytest.approx(1 / 3),
    )
    assert (every["deteriorated"], every["deterioration_rate"]) == (1, 0.25)


def test_archived_courses_count_only_with_all(caseload: RunIpt) -> None:
    every = first_group(caseload, "--all")
    assert (every["finished"], every["cases_at_start"]) == (5, 4)
    assert (every["recovered"], every["recovery_rate"]) == (2, 0.5)
    assert (every["reliably_improved"], every["reliable_improvement_rate"]) == (3, 0.6)
    assert (every["reliably_recovered"], every["reliable_recovery_rate"]) == (2, 0.5)
    assert (every["deteriorated"], every["deterioration_rate"]) == (1, 0.2)


def test_a_period_selects_by_the_last_score(caseload: RunIpt) -> None:
    # rec's last paired score is 2026-01-12 (its later session has no PHQ-9): all finished
    # courses end on 2026-01-12, and "one" counts under its start.
    assert first_group(caseload, "--since", "2026-01-13")["courses"] == 0
    assert first_group(caseload, "--until", "2026-01-05")["courses"] == 1  # "one"


def test_every_format_holds_the_same_numbers_and_no_names(caseload: RunIpt) -> None:
    text = caseload("outcomes").stdout
    assert "Recovered                  1 of 3     33%" in text
    assert "Reliably deteriorated      1 of 4     25%" in text
    rows = list(csv.DictReader(io.StringIO(caseload("outcomes", "--format", "csv").stdout)))
    assert rows[0]["finished"] == "4" and rows[0]["recovered"] == "1"
    page = caseload("outcomes", "--format", "html").stdout
    assert "<html" in page and "33%" in page
    for shown in (text, page, json.dumps(first_group(caseload))):
        assert "Client" not in shown and "mother" not in shown
    named = caseload("outcomes", "--names").stdout
    assert "Client rec" in named and "mother" not in named
    assert "in treatment" in named


def test_a_course_screened_with_the_phqa_is_named_not_read_as_no_score(
    caseload: RunIpt,
) -> None:
    """An ended IPT-A course with four PHQ-A scores was counted as 'not finished, none':
    a supervisor read it as a course without scores. These adult definitions still count
    the PHQ-9 only, and the counts now say which courses they leave out, in every format."""
    caseload("new-course", "ad", "--client", "A.D.", "--start", "2026-01-05", "--problem-area",
             "grief", "--adaptation", "adolescent", "--guardian", "M.", "--consent-by", "M.",
             "--phqa", "2,2,2,2,2,1,1,0,0", "--phqa-attempt", "no", "--no-input")  # fmt: skip
    for day in ("12", "19", "26"):
        caseload("session", "ad", "--date", f"2026-01-{day}", "--phqa", "1,1,1,1,0,0,0,0,0")
    caseload("ending", "ad", "--decision", "end", "--warning-sign", "sleep", "--confirm",
             "--no-input")  # fmt: skip
    every = first_group(caseload)
    assert (every["courses"], every["finished"], every["no_score"]) == (7, 4, 1)
    assert every["other_screen_only"] == 1  # the PHQ-A course, not one without scores
    text = caseload("outcomes").stdout
    assert "of which 1 with the PHQ-A or EPDS only: not counted" in text
    said = [line for line in text.splitlines() if "EPDS only" in line or "adult PHQ-9" in line]
    assert len(said) == 2 * 3 and max(map(len, said)) <= 60  # all, condition, adaptation
    rows = list(csv.DictReader(io.StringIO(caseload("outcomes", "--format", "csv").stdout)))
    assert rows[0]["other_screen_only"] == "1" and list(rows[0])[-1] == "other_screen_only"
    assert "PHQ-A or EPDS only" in caseload("outcomes", "--format", "html").stdout
    data = json.loads(caseload("outcomes", "--json").stdout)
    assert "never with the PHQ-9" in data["definitions"]["other_screen_only"]
    adolescent = [g for g in data["groups"] if g["name"] == "adolescent"]
    assert adolescent[0]["other_screen_only"] == 1
    named = caseload("outcomes", "--names").stdout  # it said only "not finished"
    assert "ad (A.D.): not counted: measured with the PHQ-A only" in named


def test_bad_dates_give_one_line(caseload: RunIpt) -> None:
    done = caseload("outcomes", "--since", "2026-02-01", "--until", "2026-01-01", exit_code=2)
    assert "--since is after --until" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_not_on_track_and_unsigned_in_the_list(run_ipt: RunIpt, data_home) -> None:
    run_ipt(
        "new-course", "nt", "--client", "N.T.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input", "--phq9", phq9(18), "--sessions", "4",
    )  # fmt: skip
    run_ipt("session", "nt", "--date", "2026-01-12", "--phq9", phq9(16))
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert row["not_on_track"] is None  # session 1 of 4: before the check at session 2
    run_ipt("session", "nt", "--date", "2026-01-19", "--phq9", phq9(15))
    rows = json.loads(run_ipt("list", "--json").stdout)
    alert = rows[0]["not_on_track"]
    assert (alert["measure"], alert["baseline"], alert["latest"], alert["session"]) == (
        "PHQ-9",
        18,
        15,
        2,
    )
    assert rows[0]["unsigned_overdue"] == ["1", "2"]  # today is 2026-03-01
    assert rows[0]["days_without_session"] == 41  # 2026-01-19 to 2026-03-01; weekly allows 14
    listed = run_ipt("list").stdout
    assert "not on track: PHQ-9 18 -> 15 at session 2" in " ".join(listed.split())
    run_ipt("session", "nt", "--date", "2026-01-26", "--missed", "ill")
    listed = " ".join(run_ipt("list").stdout.split())  # the date may be a missed one: said so
    assert "no appointment, held or missed, for 34 days since 2026-01-26" in listed
    for args in (("agenda", "nt"), ("agenda", "nt", "--format", "markdown"), ("report", "nt")):
        shown = " ".join(run_ipt(*args).stdout.replace("┃", " ").split())
        assert "not on track: PHQ-9 18 -> 15 at session 2" in shown, args
    assert "WARNING: not on track" in run_ipt("note", "nt", "2").stdout
    assert json.loads(run_ipt("note", "nt", "1", "--json").stdout)["alerts"] == []  # before
    agenda = json.loads(run_ipt("agenda", "nt", "--json").stdout)
    assert agenda["alerts"][0].startswith("not on track: PHQ-9 18 -> 15")
    run_ipt("session", "nt", "--date", "2026-02-02", "--phq9", phq9(11))  # -7: reliable
    assert json.loads(run_ipt("list", "--json").stdout)[0]["not_on_track"] is None


def test_the_real_binary_prints_the_outcomes(ipt_bin, ipt_setup, data_home) -> None:
    ipt_setup(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input", "--phq9", phq9(16),
    )  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", phq9(6))
    ongoing = json.loads(ipt_bin("outcomes", "--json").stdout)["groups"][0]
    assert (ongoing["in_treatment"], ongoing["finished"]) == (1, 0)  # not an outcome yet
    ipt_bin("ending", "ab", "--decision", "end", "--warning-sign", "sleep", "--no-input")
    data = json.loads(ipt_bin("outcomes", "--json").stdout)
    assert data["groups"][0]["reliably_recovered"] == 1


def test_the_supervision_report_names_sessions_unsigned_past_the_limit(
    run_ipt: RunIpt, data_home
) -> None:
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-02-02", "--problem-area",
        "grief", "--no-input", "--phq9", phq9(16),
    )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-02-09", "--phq9", phq9(14))
    run_ipt("session", "ab", "--date", "2026-02-26", "--phq9", phq9(12))  # 3 days before today
    shown = run_ipt("report", "ab", "--supervision").stdout
    assert "Unsigned more than 3 days: session(s) 1." in shown
    (data_home / "config.toml").write_text("[record]\nsign_within_days = 30\n")
    data = json.loads(run_ipt("report", "ab", "--supervision", "--format", "json").stdout)
    assert (data["unsigned_overdue"], data["sign_within_days"]) == ([], 30)
    run_ipt("sign", "ab", "1", "--by", "Dr A")
    (data_home / "config.toml").write_text("[record]\nsign_within_days = 1\n")
    assert json.loads(run_ipt("list", "--json").stdout)[0]["unsigned_overdue"] == ["2"]


def test_unsigned_sessions_are_named_as_the_views_number_them(run_ipt: RunIpt, data_home) -> None:
    """A backfilled session renumbers the others: the warning names the number the report
    and `ipt sign` use, not a stored id."""
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input",
    )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "second week")
    run_ipt("session", "ab", "--date", "2026-01-05", "--note", "first week")  # backfilled
    run_ipt("sign", "ab", "2", "--by", "Dr A")  # the 2026-01-12 session
    assert json.loads(run_ipt("list", "--json").stdout)[0]["unsigned_overdue"] == ["1"]
