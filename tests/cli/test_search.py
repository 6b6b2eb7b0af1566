"""`ipt search`: what a clinician finds, where, and how it is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import RunIpt


@pytest.fixture
def notes(new_course, run_ipt: RunIpt) -> None:
    new_course("ab")
    run_ipt("session", "ab", "--date", "2026-01-05", "--note", "Talked about the Funeral\n"
            "and the wake", "--task", "Visit the grave", "--no-input")  # fmt: skip
    run_ipt("session", "ab", "--date", "2026-01-12", "--note", "Quiet week", "--no-input",
            "--task-outcome", "Went to the funeral home")  # fmt: skip
    run_ipt("session", "ab", "--amend", "1", "--note", "Funeral date moved", "--no-input")
    run_ipt("timeline", "ab", "add", "--date", "2025-11-02", "--event", "Father's funeral",
            "--no-input")  # fmt: skip
    run_ipt("inventory", "ab", "add", "--name", "R.", "--relationship", "sister", "--ring",
            "1", "--satisfying", "Came to the FUNERAL", "--no-input")  # fmt: skip
    run_ipt("formulation", "ab", "--text", "Grief after a funeral; Straße", "--no-input")
    new_course("cd")
    run_ipt("session", "cd", "--date", "2026-01-05", "--note", "funeral of a colleague")
    new_course("ef")
    run_ipt("session", "ef", "--date", "2026-01-05", "--note", "an old funeral")
    run_ipt("archive", "ef")


def test_search_prints_course_place_date_and_line(notes, run_ipt: RunIpt) -> None:
    result = run_ipt("search", "funeral")
    assert result.stdout.splitlines() == [
        "ab  session 1  2026-01-05  note: Talked about the Funeral",
        "ab  session 1  2026-03-01  addendum: Funeral date moved",
        "ab  session 2  2026-01-12  task outcome: Went to the funeral home",
        "ab  formulation  2026-03-01  formulation: Grief after a funeral; Straße",
        "ab  inventory  -  inventory: R. (satisfying): Came to the FUNERAL",
        "ab  timeline  2025-11-02  timeline: Father's funeral",
        "cd  session 1  2026-01-05  note: funeral of a colleague",
    ]
    assert "\x1b[" not in result.stdout  # not a terminal: plain
    assert result.stderr == ""
    assert "an old funeral" in run_ipt("search", "funeral", "--all").stdout  # archived too
    assert run_ipt("search", "STRASSE").stdout.count("\n") == 1  # casefolded: ß is ss


def test_fields_and_one_course(notes, run_ipt: RunIpt) -> None:
    tasks = run_ipt("search", "the", "--field", "task").stdout.splitlines()
    assert tasks == [
        "ab  session 1  2026-01-05  task: Visit the grave",
        "ab  session 2  2026-01-12  task outcome: Went to the funeral home",
    ]
    both = run_ipt("search", "funeral", "--field", "inventory", "--field", "timeline").stdout
    assert [line.split("  ")[1] for line in both.splitlines()] == ["inventory", "timeline"]
    one = run_ipt("search", "funeral", "--course", "cd").stdout
    assert one == "cd  session 1  2026-01-05  note: funeral of a colleague\n"
    archived = run_ipt("search", "old", "--course", "ef").stdout  # named: searched anyway
    assert archived == "ef  session 1  2026-01-05  note: an old funeral\n"
    assert "no course 'zz'" in run_ipt("search", "x", "--course", "zz", exit_code=3).stderr


def test_json_for_scripts(notes, run_ipt: RunIpt) -> None:
    found = json.loads(run_ipt("search", "wake", "--json").stdout)
    assert found == [
        {
            "course_id": "ab",
            "field": "note",
            "session": 1,
            "maintenance": False,
            "date": "2026-01-05",
            "label": "note",
            "line": "and the wake",
            "matches": [[8, 12]],
        }
    ]
    assert json.loads(run_ipt("search", "nothing like this", "--json").stdout) == []


def test_matches_are_highlighted_on_a_terminal(
    notes, run_ipt: RunIpt, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    line = run_ipt("search", "wake", FORCE_COLOR="1").stdout
    assert line == "\x1b[1mab\x1b[0m  session 1  2026-01-05  note: and the \x1b[1;7mwake\x1b[0m\n"
    assert "\x1b[" not in run_ipt("search", "wake").stdout  # a pipe: plain
    assert "\x1b[" not in run_ipt("search", "wake", FORCE_COLOR="1", TERM="dumb").stdout


def test_no_match_and_bad_input(notes, run_ipt: RunIpt, data_home: Path) -> None:
    result = run_ipt("search", "zebra")
    assert result.stdout == "" and result.stderr == "ipt: no match\n"
    for query in ("", "   ", "two\nlines"):
        bad = run_ipt("search", query, exit_code=2)
        assert bad.stderr == "ipt: error: give the text to search for, on one line\n"
    (data_home / "courses" / "zz.toml").write_text('note = "funeral', encoding="utf-8")
    damaged = run_ipt("search", "funeral")
    assert "skipped:" in damaged.stderr and "zz.toml" in damaged.stderr
    assert "funeral" not in damaged.stderr  # never the file's text
    assert damaged.stdout.count("\n") == 7


def test_a_hand_edited_file_is_still_searched(new_course, run_ipt: RunIpt, data_home) -> None:
    new_course("ab")
    path = data_home / "courses" / "ab.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + '\n[[sessions]]\n"date" = 2026-01-05\nnote = """Quoted key,\nfuneral"""\n',
        encoding="utf-8",
    )  # a quoted key: the scanner gives up, and the file is read the ordinary way
    assert run_ipt("search", "FUNERAL").stdout == "ab  session 1  2026-01-05  note: funeral\n"


@pytest.mark.parametrize("plain", [False, True], ids=["inline-tables", "plain-lines"])
@pytest.mark.parametrize("table", ["epds", "phqa", "asrm", "phq9", "goal_ratings"])
def test_text_under_a_score_table_is_damage_not_a_note(
    new_course, run_ipt: RunIpt, data_home, table: str, plain: bool
) -> None:
    """The scanner skips the tables of scores; a searched key planted under one (a hostile
    or damaged synced file) was found as the session's note, while `ipt note` refused the
    file. It is a damaged file, named and skipped, as the models read it (diff review)."""
    new_course("ab")
    run_ipt("session", "ab", "--date", "2026-01-05", "--mood", "5")
    path = data_home / "courses" / "ab.toml"
    text = path.read_text(encoding="utf-8")
    inline = "sessions = [\n    { date = 2026-01-05, id = 1, mood = 5 },\n]\n"
    assert inline in text
    headed = f"[[sessions]]\ndate = 2026-01-05\nid = 1\nmood = 5\n\n[sessions.{table}]\n"
    planted = headed + 'note = "planted text"\n'
    text = text.replace(inline, planted)
    if plain:  # no inline table left: the file is read line by line, in part
        text = re.sub(r"goals = \[\n(    \{.*\},\n)*\]\n", "", text)
        assert "{" not in text
    path.write_text(text, encoding="utf-8")
    found = run_ipt("search", "planted")
    assert found.stdout == "" and "planted" not in found.stderr
    assert "skipped:" in found.stderr and "ab.toml" in found.stderr
    assert "planted" not in run_ipt("note", "ab", "1", exit_code=4).stdout


PHQ9_ITEM9 = "1,1,1,1,1,1,1,1,1"  # item 9 scored: a flag for a risk review to review
JUDGED = ("--ideation", "passive", "--level", "low", "--no-input")


@pytest.fixture
def reviews(ipt_setup) -> None:
    """Risk reviews of the baseline, of session 2 and of maintenance session 1, with
    actions and protective factors (awkward ones too: a quote, a backslash, `]`, `#`)."""
    ipt_setup("new-course", "ab", "--client", "A.B.", "--start", "2026-01-05", "--problem-area",
              "grief", "--sessions", "4", "--phq9", PHQ9_ITEM9, "--no-input")  # fmt: skip
    for day in ("01-12", "01-19", "01-26", "02-02"):
        ipt_setup("session", "ab", "--date", f"2026-{day}", "--phq9", PHQ9_ITEM9, "--no-input")
    ipt_setup("maintenance", "ab", "--sessions", "3", "--cadence", "monthly", "--start",
              "2026-02-09")  # fmt: skip
    ipt_setup("session", "ab", "--date", "2026-02-09", "--phq9", PHQ9_ITEM9, "--no-input")
    ipt_setup("risk-review", "ab", "--session", "0", "--date", "2026-01-05", "--note",
              "At intake", "--action", "Crisis line card given", *JUDGED)  # fmt: skip
    ipt_setup("risk-review", "ab", "--session", "2", "--date", "2026-01-20", "--note",
              "Passive thoughts", "--plan", "Call the crisis team if worse", "--action",
              "Gave crisis line number", "--action", 'Safety plan "reviewed"', "--protective",
              "Sister nearby", "--protective", "Her dog, \\ and ] # x", *JUDGED)  # fmt: skip
    ipt_setup("risk-review", "ab", "--session", "m1", "--date", "2026-02-10", "--note",
              "Reviewed", "--action", "Crisis line number again", "--protective",
              "Sister visits weekly", *JUDGED)  # fmt: skip


@pytest.mark.e2e
@pytest.mark.parametrize("plain", [False, True], ids=["as-written", "plain-lines"])
def test_a_reviews_actions_and_protective_factors_are_found(
    reviews, ipt_bin, data_home: Path, plain: bool
) -> None:
    """A clinician who searches for "crisis line" finds every review whose actions mention
    it, told from a protective factor, with the session (baseline, session, maintenance)
    and the review's date, as other review hits show them. Through the real binary, on
    the file as ipt wrote it (tomli-w's multi-line arrays; inline tables: every string
    stepped over) and without its inline tables (read line by line, in part)."""
    if plain:
        path = data_home / "courses" / "ab.toml"
        text = re.sub(r"goals = \[\n(    \{.*\},\n)*\]\n", "", path.read_text(encoding="utf-8"))
        assert "{" not in text and "actions = [\n" in text
        path.write_text(text, encoding="utf-8")
    crisis = ipt_bin("search", "crisis line")
    assert crisis.stdout.splitlines() == [
        "ab  baseline  2026-01-05  risk review action: Crisis line card given",
        "ab  session 2  2026-01-20  risk review action: Gave crisis line number",
        "ab  maintenance 1  2026-02-10  risk review action: Crisis line number again",
    ]
    assert crisis.stderr == ""
    sister = ipt_bin("search", "SISTER")
    assert sister.stdout.splitlines() == [
        "ab  session 2  2026-01-20  risk review protective factor: Sister nearby",
        "ab  maintenance 1  2026-02-10  risk review protective factor: Sister visits weekly",
    ]
    crisis_team = ipt_bin("search", "crisis").stdout.splitlines()
    assert "ab  session 2  2026-01-20  risk review plan: Call the crisis team if worse" in (
        crisis_team
    )  # the plan, then the actions: as the review is shown
    assert [line.split(": ")[0].split("  ")[-1] for line in crisis_team[1:3]] == [
        "risk review plan",
        "risk review action",
    ]
    for query in ("] # x", "\\ and", '"reviewed"'):  # escaped, or trips a scanner
        found = ipt_bin("search", query, "--json")
        assert [(h["label"], h["session"], h["date"]) for h in json.loads(found.stdout)] == [
            (
                "risk review action" if "reviewed" in query else "risk review protective factor",
                2,
                "2026-01-20",
            )
        ]
    maintenance = json.loads(ipt_bin("search", "weekly", "--json").stdout)
    assert maintenance == [
        {
            "course_id": "ab",
            "field": "note",
            "session": 1,
            "maintenance": True,
            "date": "2026-02-10",
            "label": "risk review protective factor",
            "line": "Sister visits weekly",
            "matches": [[14, 20]],
        }
    ]
    assert ipt_bin("search", "crisis line", "--field", "task").stdout == ""
