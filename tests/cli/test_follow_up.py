"""A missed appointment at moderate or high risk, or with a flag unreviewed, owes a follow-up
(issue 29): named in every view that shows the course until a later session or a recorded
contact (`ipt contact`)."""

import json

import pytest

from tests.conftest import RunIpt

ITEM9 = "2,2,2,2,1,1,1,1,1"  # PHQ-9 13, item 9 = 1


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").replace("┃", " ").split())


def course_at(run_ipt: RunIpt, level: str) -> None:
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input", "--phq9", ITEM9,
    )  # fmt: skip
    run_ipt(
        "risk-review", "ab", "--session", "0", "--ideation", "passive", "--level", level,
        "--action", "safety plan agreed", "--note", "Reviewed with the client", "--no-input",
    )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--missed", "did not attend")


MISSED = "missed session 1 on 2026-01-12 at HIGH risk: contact the client"


def every_view(run_ipt: RunIpt) -> dict[str, str]:
    return {
        "list": run_ipt("list").stdout,
        "list json": json.dumps(json.loads(run_ipt("list", "--json").stdout)[0]),
        "agenda": run_ipt("agenda", "ab").stdout,
        "plan": run_ipt("plan", "ab", "--format", "markdown").stdout,
        "report": run_ipt("report", "ab").stdout,
        "report markdown": run_ipt("report", "ab", "--format", "markdown").stdout,
        "report html": run_ipt("report", "ab", "--format", "html").stdout,
        "report json": run_ipt("report", "ab", "--format", "json").stdout,
        "note": run_ipt("note", "ab", "2026-01-12").stdout,
        "supervision": run_ipt("report", "ab", "--supervision").stdout,
        "supervision json": run_ipt("report", "ab", "--supervision", "--format", "json").stdout,
    }


def test_a_missed_appointment_at_high_risk_is_named_everywhere_until_a_contact(
    run_ipt: RunIpt, data_home
) -> None:
    course_at(run_ipt, "high")
    for view, text in every_view(run_ipt).items():
        assert MISSED in flat(text), view
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert row["missed_at_risk"].startswith(MISSED)
    report = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert report["risk"]["follow_up"].startswith(MISSED)

    done = run_ipt("contact", "ab", "--date", "2026-01-12", "--note", "Phoned: safe, rebooked")
    assert "Recorded a contact on 2026-01-12" in done.stdout
    for view, text in every_view(run_ipt).items():
        assert "missed session 1" not in text, view
    report = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert report["contacts"] == [{"date": "2026-01-12", "note": "Phoned: safe, rebooked"}]
    assert (
        "Contact outside the session: Phoned: safe, rebooked"
        in run_ipt("note", "ab", "2026-01-12").stdout
    )


def test_a_later_session_clears_it_and_low_risk_never_raises_it(run_ipt: RunIpt, data_home) -> None:
    course_at(run_ipt, "moderate")
    row = json.loads(run_ipt("list", "--json").stdout)[0]
    assert "at moderate risk" in row["missed_at_risk"]
    run_ipt("session", "ab", "--date", "2026-01-19", "--phq9", "1,1,1,1,1,1,1,1,0")
    assert json.loads(run_ipt("list", "--json").stdout)[0]["missed_at_risk"] is None


def test_a_missed_appointment_with_an_urgent_flag_unreviewed_owes_a_follow_up(
    run_ipt: RunIpt, data_home
) -> None:
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input", "--phq9", "2,2,2,2,1,1,1,0,2",
    )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--missed", "no contact")
    shown = run_ipt("report", "ab", "--supervision").stdout
    assert "URGENT" in shown and "with an URGENT risk flag unreviewed" in flat(shown)


def test_a_missed_appointment_with_any_flag_unreviewed_owes_a_follow_up(
    run_ipt: RunIpt, data_home
) -> None:
    """A flag no one has reviewed (item 9 = 1, not URGENT) is a risk signal not yet judged:
    when its client misses the next appointment, the contact is owed as for an URGENT one
    (the clinician's walk-through of this round found no follow-up anywhere)."""
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input", "--phq9", ITEM9,
    )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--missed", "no show")
    said = "missed session 1 on 2026-01-12 with a risk flag unreviewed: contact the client"
    assert json.loads(run_ipt("list", "--json").stdout)[0]["missed_at_risk"].startswith(said)
    assert said in flat(run_ipt("agenda", "ab").stdout)
    run_ipt("risk-review", "ab", "--session", "0", "--ideation", "passive", "--level", "low",
            "--action", "safety plan agreed", "--note", "Phoned", "--no-input")  # fmt: skip
    assert json.loads(run_ipt("list", "--json").stdout)[0]["missed_at_risk"] is None  # judged low


def test_low_risk_owes_no_follow_up(run_ipt: RunIpt, data_home) -> None:
    course_at(run_ipt, "low")
    assert json.loads(run_ipt("list", "--json").stdout)[0]["missed_at_risk"] is None


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--date", "2026-03-02", "--note", "x"), "after today"),
        (("--date", "2025-12-01", "--note", "x"), "before the course started"),
        (("--note", "  "), "give --note TEXT"),
    ],
)
def test_a_contact_that_cannot_be_is_one_line(run_ipt: RunIpt, data_home, args, said) -> None:
    course_at(run_ipt, "high")
    done = run_ipt("contact", "ab", *args, exit_code=2)
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_ending_care_at_high_risk_is_named_and_needs_confirming(run_ipt: RunIpt, data_home) -> None:
    """Discharging a client at HIGH standing risk (scores in remission or not) is never
    silent (clinician walk-through): the SAFETY advice, and --confirm."""
    course_at(run_ipt, "high")
    for day in ("2026-01-19", "2026-01-26"):
        run_ipt("session", "ab", "--date", day, "--phq9", "1,0,0,1,0,0,0,0,0")
    ending = ("ending", "ab", "--decision", "end", "--warning-sign", "sleep", "--no-input")
    refused = run_ipt(*ending, exit_code=2)
    assert "HIGH standing risk" in refused.stderr and "add --confirm" in refused.stderr
    assert "SAFETY: HIGH RISK" in flat(refused.stderr)
    done = run_ipt(*ending, "--confirm")
    assert "SAFETY: HIGH RISK" in flat(done.stderr)


def test_the_report_lists_the_missed_appointments_in_every_format(
    run_ipt: RunIpt, data_home
) -> None:
    """The report's attendance listed only the sessions held: the absences were nowhere (the
    fresh clinician's walk-through of issue 30's fourth session)."""
    course_at(run_ipt, "low")  # a missed appointment on 2026-01-12: "did not attend"
    run_ipt("session", "ab", "--date", "2026-01-19", "--phq9", "1,1,1,1,1,1,1,1,0")
    for form in ("text", "markdown", "html"):
        shown = flat(run_ipt("report", "ab", "--format", form).stdout.replace("|", " "))
        assert "2026-01-12 missed: did not attend" in shown.replace("</td><td>", " "), form
    report = json.loads(run_ipt("report", "ab", "--format", "json").stdout)
    assert report["missed_appointments"] == [
        {"date": "2026-01-12", "reason": "did not attend", "session": None}
    ]


def test_the_follow_up_names_a_missed_maintenance_or_group_session_as_every_view_does(
    run_ipt: RunIpt, data_home
) -> None:
    """It counted every session held + 1: "missed session 6" for maintenance session 2, and
    "session 2" for a member's missed group session 3 (the review of this round)."""
    run_ipt(
        "new-course", "mx", "--client", "M.X.", "--start", "2026-01-05", "--sessions", "4",
        "--problem-area", "grief", "--no-input", "--phq9", "3,3,2,2,2,2,1,1,0",
    )  # fmt: skip
    for day in ("2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"):
        run_ipt("session", "mx", "--date", day, "--phq9", "1,1,0,0,0,0,0,0,0", "--note", "x")
    run_ipt("maintenance", "mx", "--sessions", "4", "--start", "2026-02-09", "--no-input",
            "--confirm")  # fmt: skip
    run_ipt("session", "mx", "--date", "2026-02-09", "--phq9", ITEM9, "--note", "m1")
    missed = run_ipt("session", "mx", "--date", "2026-02-23", "--missed", "no show")
    said = "missed maintenance session 2 on 2026-02-23 with a risk flag unreviewed"
    assert said in flat(missed.stderr)
    assert json.loads(run_ipt("list", "--json").stdout)[0]["missed_at_risk"].startswith(said)


def test_beside_an_absence_the_attendance_lists_every_session_held(
    run_ipt: RunIpt, data_home
) -> None:
    """With no attendees recorded, the Attendance section showed the absence alone, which
    read as if nothing was attended (review of this round, finding 6)."""
    course_at(run_ipt, "low")  # missed 2026-01-12
    run_ipt("session", "ab", "--date", "2026-01-19", "--phq9", "1,1,1,1,1,1,1,1,0", "--no-input")
    shown = flat(run_ipt("report", "ab", "--format", "markdown").stdout.replace("|", " "))
    assert "2026-01-12 missed: did not attend" in shown
    assert "2026-01-19 not recorded" in shown


def test_the_follow_up_names_a_flag_still_waiting_beside_the_level(
    run_ipt: RunIpt, data_home
) -> None:
    """Judged moderate at the baseline, an URGENT flag at session 1 unreviewed, then a
    missed appointment: "at moderate risk" alone read as the whole state (the final read)."""
    run_ipt(
        "new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
        "grief", "--no-input", "--phq9", ITEM9,
    )  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", "2,2,2,1,1,1,1,1,2")
    run_ipt("risk-review", "ab", "--session", "0", "--ideation", "passive", "--level",
            "moderate", "--action", "safety plan", "--note", "Seen", "--no-input")  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-19", "--missed", "no show")
    said = (
        "missed session 2 on 2026-01-19 at moderate risk, with an URGENT risk flag "
        "unreviewed: contact the client"
    )
    assert json.loads(run_ipt("list", "--json").stdout)[0]["missed_at_risk"].startswith(said)
    assert said in flat(run_ipt("agenda", "ab").stdout)
