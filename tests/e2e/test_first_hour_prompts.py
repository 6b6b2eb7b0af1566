"""Issue 27, item 4: the prompts accept what people type, on a real terminal (a pty) through
the installed `ipt`: item scores as a comma list, y/n and yes/no at every yes/no question, a
month-only date for a life event, a goal id suggested from its words, each choice list
printed once with its descriptions."""

import json
import os
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PHQ9_RISK, ipt_command
from tests.e2e.pty_driver import Terminal

pytestmark = pytest.mark.e2e


def start(*args: str) -> Terminal:
    env = {k: v for k, v in os.environ.items() if k != "IPT_INTERACTIVE"}
    return Terminal([*ipt_command(), *args], env)


def stored(data_home: Path, course_id: str) -> dict:
    return tomllib.loads((data_home / "courses" / f"{course_id}.toml").read_text())


def test_the_wizard_takes_what_people_type(ipt_bin, data_home: Path) -> None:
    term = start("new-course", "np")
    term.answer("Condition", "Anxious")  # not a choice: asked again, the list not reprinted
    term.answer("choose a number 1-5 or a name from the list above", "1")
    term.answer("Adaptation", "perinatal")
    term.answer("Client alias", "N.P.")
    term.answer("Date of session 1", "2026-01-05")
    term.answer("Planned sessions", "12")
    term.answer("Cadence", "")
    term.answer("Kind of course", "")
    term.answer("Take the EPDS baseline now? [y/n] (y):", "NO")  # perinatal: the EPDS first
    term.answer("Take the PHQ-9 baseline now? [y/n] (y):", "Yes")
    term.answer("PHQ-9 1.", "2,2,1")  # neither one score nor all nine
    term.answer("or all 9 separated by commas (got 3)", "2,2,1,2,1,1,1,0,1")
    screen = term.expect("how difficult")
    assert "PHQ-9 2." not in screen  # all nine at once: no item asked again
    assert "SAFETY" in screen and "PHQ-9 item 9 = 1" in screen  # the risk item, at once
    term.send("1")
    term.answer("Also take the GAD-7? [y/n] (n):", "no")
    term.answer("Sick role given?", "Y")
    term.answer("Note on the sick role", "")
    term.answer("Medication considered", "")
    term.answer("Add a person?", "n")
    term.answer("Add a life event?", "yes")
    term.answer("Date of the event (YYYY-MM-DD, or YYYY-MM if only the month is known)", "2025-13")
    term.answer("is not a month in the form YYYY-MM", "2025-10")  # the day is not known
    term.answer("What happened", "Baby born")
    term.answer("Mood around it", "")
    term.answer("Add a life event?", "N")
    term.answer("Primary problem area", "3")
    term.answer("Secondary problem area (a number or name above; Enter for none)", "3")
    term.answer("role-transition is the primary area", "2")  # from the same list
    term.answer("Stage of the dispute", "impasse")
    screen = term.answer("Use the draft", "use")
    assert "Baby born (2025-10)" in screen  # the month as it was given
    term.answer("Did the client agree", "y")
    term.answer("Keep all of these goals as they are?", "y")
    term.answer("Add a goal of your own?", "y")
    term.answer("Goal:", "Night Feeds")
    term.answer("Goal id (lowercase letters, digits, hyphens) (night-feeds):", "")  # Enter
    term.answer("Add a goal of your own?", "n")
    term.answer("Has the client agreed this contract?", "y")
    term.answer("Save this course?", "yes")
    term.expect("Created course np")
    assert term.finish() == 0
    screen = term.screen
    assert "Traceback" not in screen and "Please enter Y or N" not in screen
    # each choice list printed once, numbered, with its descriptions
    assert screen.count("1. depression: Depression, primary outcome PHQ-9") == 1
    conditions = screen.split("Adaptation (")[0]  # after a wrong answer too
    assert conditions.count("ptsd") == 1 and conditions.count("eating-disorder") == 1
    assert screen.count("4. perinatal: Perinatal IPT") == 1
    assert screen.count("3. role-transition: The episode follows a life change") == 1
    assert "role-transition:" not in screen.split("Suggested:")[1]  # not listed again
    assert screen.count("2. impasse: Talking has stopped") == 1
    course = stored(data_home, "np")
    assert course["baseline"]["phq9"] == {"items": [2, 2, 1, 2, 1, 1, 1, 0, 1], "difficulty": 1}
    assert course["problem_areas"] == ["role-transition", "role-dispute"]
    assert course["timeline"] == [
        {"date": course["timeline"][0]["date"], "event": "Baby born", "precision": "month"}
    ]
    assert course["timeline"][0]["date"].isoformat() == "2025-10-01"  # kept as its 1st
    assert {"id": "night-feeds", "text": "Night Feeds"} in [
        {k: g[k] for k in ("id", "text")} for g in course["goals"]
    ]
    listed = ipt_bin("timeline", "list", "np").stdout
    assert "2025-10 " in listed and "2025-10-01" not in listed
    report = json.loads(ipt_bin("report", "np", "--json").stdout)
    assert report["timeline"] == [
        {"date": "2025-10", "precision": "month", "event": "Baby born", "mood": None}
    ]


def test_a_month_only_event_by_option_and_old_files_still_read(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "role-transition",
              "--start", "2026-01-05")  # fmt: skip
    ipt_setup("timeline", "add", "ab", "--date", "2025-11-14", "--event", "Job lost")
    done = ipt_bin("timeline", "add", "ab", "--date", "2025-06", "--event", "Moved city")
    assert done.stdout.startswith("Added an event on 2025-06 to ab.")
    bad = ipt_bin("timeline", "add", "ab", "--date", "2025-6", "--event", "X", check_code=2)
    assert bad.stderr == (
        "ipt: error: --date '2025-6' is not a date in the form YYYY-MM-DD (or YYYY-MM for a "
        "month)\n"
    )
    course = stored(data_home, "ab")
    assert [e.get("precision") for e in course["timeline"]] == ["month", None]  # date order
    # a file written before schema 10 (no precision anywhere) still reads, its days as days
    path = data_home / "courses" / "ab.toml"
    old = path.read_text().replace("schema_version = 10", "schema_version = 9")
    path.write_text(old.replace(', precision = "month"', "").replace("2025-06-01", "2025-06-03"))
    listed = ipt_bin("timeline", "list", "ab").stdout
    assert "2025-06-03" in listed and "2025-11-14" in listed


def test_yes_no_everywhere_and_a_goal_id_from_its_words(
    ipt_bin, ipt_setup, data_home: Path
) -> None:
    ipt_setup("new-course", "ab", "--client", "A.B.", "--problem-area", "grief", "--start",
              "2026-01-05")  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_RISK)
    term = start("risk-review", "ab", "--session", "1")
    term.answer("Thoughts of death or suicide", "2")
    term.answer("A plan made? [y/n] (Enter to skip)", "n")  # refused before issue 27
    term.answer("Intent to act?", "N")
    term.answer("Access to means?", "y")
    term.answer("Protective factor", "")
    term.answer("Risk level (your judgement)", "moderate")
    term.answer("What was done", "Safety plan reviewed")
    term.answer("What was done", "")
    term.answer("Outcome of the review", "Passive thoughts")
    term.expect("Risk level: moderate.")
    assert term.finish() == 0
    screen = term.screen
    assert screen.count("2. passive: passive thoughts of death") == 1
    assert "[none/passive/active]" not in screen
    review = stored(data_home, "ab")["sessions"][0]["risk_reviews"][0]
    assert (review["ideation"], review["plan_made"], review["intent"], review["means"]) == (
        "passive",
        False,
        False,
        True,
    )
    term = start("goal", "add", "ab")
    term.answer("Goal", "Night Feeds")
    term.answer("(night-feeds):", "")
    term.expect("Added goal night-feeds to ab.")
    assert term.finish() == 0
    term = start("goal", "add", "ab")
    term.answer("Goal", "Night feeds, shared!")
    term.answer("(night-feeds-shared):", "")  # a new id, not the one taken
    assert term.finish() == 0
    term = start("goal", "add", "ab")
    term.answer("Goal", "Night feeds")
    term.answer("(night-feeds-2):", "")  # the words' id is taken
    assert term.finish() == 0
    ids = [g["id"] for g in stored(data_home, "ab")["goals"]]
    assert ids[-3:] == ["night-feeds", "night-feeds-shared", "night-feeds-2"]
