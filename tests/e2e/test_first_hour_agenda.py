"""Issue 27, item 6: an agenda for a 50-minute session, through the installed `ipt`. A middle
session of a two-area course lists the primary area's next strategies not yet covered, the
goals, the carried-over task and the fixed items; `--all` lists every strategy; the plan and
the report say which strategies are covered; the risk state shows as before."""

import json
import re

import pytest

from tests.conftest import PHQ9_MODERATE, PHQ9_RISK

pytestmark = pytest.mark.e2e


def numbered(text: str) -> list[str]:
    return re.findall(r"^ *\d+\. (.*)$", text, flags=re.MULTILINE)


@pytest.fixture
def two_areas(ipt_setup) -> None:
    """Recorded in-process (set-up); the tests read the real binary."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief",
              "--problem-area", "role-dispute", "--dispute-stage", "impasse",
              "--start", "2026-01-05", "--phq9", PHQ9_MODERATE)  # fmt: skip
    for day in ("2026-01-12", "2026-01-19", "2026-01-26"):
        ipt_setup("session", "ab", "--date", day, "--phq9", PHQ9_MODERATE)
    ipt_setup("session", "ab", "--date", "2026-02-02", "--phq9", PHQ9_RISK,
              "--strategy", "grief-link-onset", "--strategy", "dispute-clarify",
              "--task", "Call her sister")  # fmt: skip


def test_a_middle_session_lists_what_fits_fifty_minutes(ipt_bin, two_areas) -> None:
    focused = ipt_bin("agenda", "ab", env={"COLUMNS": "200"}).stdout
    every = ipt_bin("agenda", "ab", "--all", env={"COLUMNS": "200"}).stdout
    items, all_items = numbered(focused), numbered(every)
    assert len(all_items) == 23 and len(items) == 14  # every strategy of both areas before
    strategies = [i for i in items if " strategy [" in i]
    assert strategies == [  # the primary area's next three, not yet covered, in order
        "Grief strategy [grief-reconstruct]: Reconstruct the relationship with the person "
        "who died, good and bad sides",
        "Grief strategy [grief-events]: Go through the events before, during and after the death",
        "Grief strategy [grief-feelings]: Explore feelings, including guilt, anger and ambivalence",
    ]
    assert len([i for i in items if i.startswith("Goal [")]) == 5  # every goal
    assert items[:3] == all_items[:3]  # opening, symptom rating, the week's event
    assert items[-2:] == all_items[-2:]  # plan the week, summarise and count
    assert "Dispute stage impasse" in focused
    assert "Review last session's task: Call her sister" in focused  # carried over
    assert "Not shown: 9 more strategies (2 of them covered). Every one: ipt agenda ab --week 5 " \
        "--all" in focused  # fmt: skip
    assert "Not shown" not in every
    assert "Role dispute strategy [dispute-clarify]: Clarify the issues and the differing " \
        "expectations and values (covered)" in every  # fmt: skip
    # the risk state, exactly as before: everything above the items is the same
    assert "PHQ-9 item 9 = 1 at session 4" in focused
    assert focused.split("Items:")[0] == every.split("Items:")[0]
    data = json.loads(ipt_bin("agenda", "ab", "--json").stdout)
    data_all = json.loads(ipt_bin("agenda", "ab", "--json", "--all").stdout)
    assert data["items"] == items and data_all["items"] == all_items and data_all["left_out"] == []
    assert len(data["left_out"]) == 9 and data["left_out"][0].startswith(
        "Grief strategy [grief-new"
    )
    assert data["strategies_covered"] == ["grief-link-onset", "dispute-clarify"]
    assert {k: v for k, v in data.items() if k not in ("items", "left_out")} == {
        k: v for k, v in data_all.items() if k not in ("items", "left_out")
    }  # the flags, risk, banner and commands unchanged
    markdown = ipt_bin("agenda", "ab", "--format", "markdown").stdout
    assert "*Not shown: 9 more strategies (2 of them covered)." in markdown


def test_the_next_area_follows_once_the_primary_is_covered(ipt_bin, two_areas) -> None:
    grief = ["grief-reconstruct", "grief-events", "grief-feelings", "grief-new-involvement"]
    ipt_bin("session", "ab", "--date", "2026-02-09",
            *[arg for s in grief for arg in ("--strategy", s)])  # fmt: skip
    items = numbered(ipt_bin("agenda", "ab", env={"COLUMNS": "200"}).stdout)
    shown = [re.search(r"\[(.*?)\]", i).group(1) for i in items if " strategy [" in i]
    assert shown == ["dispute-link-onset", "dispute-options", "dispute-parallels"]


def test_the_plan_and_the_report_say_which_strategies_are_covered(ipt_bin, two_areas) -> None:
    plan = ipt_bin("plan", "ab", env={"COLUMNS": "200"}).stdout
    assert "Strategies covered:" in plan
    assert "Grief: 1 of 5 covered: grief-link-onset (session 4)" in plan
    assert "Role dispute: 1 of 7 covered: dispute-clarify (session 4)" in plan
    planned = json.loads(ipt_bin("plan", "ab", "--json").stdout)["strategies"]
    assert planned[0] == {
        "area": "grief",
        "id": "grief-link-onset",
        "text": "Link the onset of symptoms to the death",
        "sessions": [4],
    }
    assert [s["id"] for s in planned if s["sessions"]] == ["grief-link-onset", "dispute-clarify"]
    report = ipt_bin("report", "ab", env={"COLUMNS": "200"}).stdout
    rows = re.findall(r"^ *\[([a-z-]+)\] .*?  +(Grief|Role dispute) +(\S+)$", report, re.M)
    assert ("grief-link-onset", "Grief", "4") in rows and ("grief-events", "Grief", "-") in rows
    assert ("dispute-clarify", "Role dispute", "4") in rows and len(rows) == 12
    data = json.loads(ipt_bin("report", "ab", "--json").stdout)
    assert data["strategies"] == planned
    markdown = ipt_bin("report", "ab", "--format", "markdown").stdout
    assert "## Strategies" in markdown
    row = "| \\[grief-link-onset\\] Link the onset of symptoms to the death | Grief | 4 |"
    assert row in markdown
