"""`ipt group`: Group IPT (WHO model). The group file holds membership, attendance and the
group note; each member's scores live in their own course and raise its flags."""

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import RunIpt

PRE = "2,2,2,2,2,1,1,1,0"  # 13 at the pre-group session


@pytest.fixture
def group(run_ipt: RunIpt) -> RunIpt:
    run_ipt(
        "group", "new", "g1", "--facilitator", "F.A.", "--co-facilitator", "C.B.",
        "--start", "2026-02-02",
    )  # fmt: skip
    for member in ("m1", "m2", "m3"):
        run_ipt(
            "new-course", member, "--adaptation", "group", "--client", f"X.{member}",
            "--problem-area", "grief", "--start", "2026-01-26", "--phq9", PRE, "--no-input",
        )  # fmt: skip
        run_ipt("group", "add", "g1", member)
    return run_ipt


def stored_group(data_home: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads((data_home / "groups" / "g1.toml").read_text())


def test_a_group_file_is_private_and_holds_the_members(group: RunIpt, data_home: Path) -> None:
    path = data_home / "groups" / "g1.toml"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    data = stored_group(data_home)
    assert data["members"] == ["m1", "m2", "m3"] and data["planned_sessions"] == 8
    assert data["facilitator"] == "F.A." and data["co_facilitator"] == "C.B."
    listed = json.loads(group("group", "list", "--format", "json").stdout)
    assert listed[0]["members"] == ["m1", "m2", "m3"] and listed[0]["sessions_held"] == 0


def test_members_must_be_group_courses_in_one_group_only(group: RunIpt) -> None:
    group("new-course", "solo", "--client", "S.", "--problem-area", "grief", "--no-input")
    wrong = group("group", "add", "g1", "solo", exit_code=2)
    assert "--adaptation group" in wrong.stderr
    group("group", "new", "g2", "--facilitator", "F.B.")
    twice = group("group", "add", "g2", "m1", exit_code=5)
    assert "already belongs to group 'g1'" in twice.stderr
    assert group("group", "add", "g1", "nobody", exit_code=3).stderr.startswith("ipt: error:")


def test_a_group_session_records_attendance_scores_and_the_group_note(
    group: RunIpt, data_home: Path
) -> None:
    result = group(
        "group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2",
        "--absent", "m3:unwell", "--phq9", "m1=1,1,1,1,1,1,0,0,0", "--phq9",
        "m2=2,2,2,2,1,1,1,1,1", "--group-note", "GROUPNOTE rules agreed",
    )  # fmt: skip
    assert "Recorded group session 1 of g1" in result.stdout
    assert "m2" in result.stderr and "item 9" in result.stderr  # m2's own flag raised
    meeting = stored_group(data_home)["meetings"][0]
    assert meeting["present"] == ["m1", "m2"] and meeting["note"] == "GROUPNOTE rules agreed"
    assert meeting["absent"] == [{"course_id": "m3", "reason": "unwell"}]
    for member in ("m1", "m2", "m3"):  # the group note stays out of every member's record
        assert "GROUPNOTE" not in (data_home / "courses" / f"{member}.toml").read_text()
    m1 = json.loads(group("report", "m1", "--format", "json").stdout)
    assert m1["sessions"][0]["date"] == "2026-02-02" and m1["measures"]["phq9"]["latest"] == 6
    m2 = json.loads(group("report", "m2", "--format", "json").stdout)
    assert [f["reviewed"] for f in m2["safety_flags"]] == [False]
    m3 = (data_home / "courses" / "m3.toml").read_text()
    assert "group session 1: unwell" in m3 and "[[sessions]]" not in m3


def test_a_refused_group_session_changes_no_file(group: RunIpt, data_home: Path) -> None:
    before = {p.name: p.read_text() for p in (data_home / "courses").glob("*.toml")}
    before_group = (data_home / "groups" / "g1.toml").read_text()
    missing = group("group", "session", "g1", "--date", "2026-02-02", "--present", "m1",
                    exit_code=2)  # fmt: skip
    assert "say whether m2, m3 came" in missing.stderr
    absent_scored = group(
        "group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
        "--phq9", "m4=1,1,1,1,1,1,1,1,1", exit_code=2,
    )  # fmt: skip
    assert "'m4' is not a member" in absent_scored.stderr
    bad_items = group(
        "group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
        "--phq9", "m1=9,9", exit_code=2,
    )  # fmt: skip
    assert "PHQ-9" in bad_items.stderr
    assert {p.name: p.read_text() for p in (data_home / "courses").glob("*.toml")} == before
    assert (data_home / "groups" / "g1.toml").read_text() == before_group


def test_group_agenda_follows_the_who_phases(group: RunIpt) -> None:
    first = json.loads(group("group", "agenda", "g1", "--format", "json").stdout)
    assert first["session"] == 1 and first["phase"] == "initial"
    assert [m["problem_areas"] for m in first["members"]] == [["Grief"]] * 3
    middle = group("group", "agenda", "g1", "--week", "4").stdout
    assert "middle phase" in middle and "Members suggest options to each other" in middle
    assert "Decision analysis" in middle
    last = group("group", "agenda", "g1", "--week", "8").stdout
    assert "termination phase" in last and "Refer on any member still symptomatic" in last
    group("group", "agenda", "g1", "--week", "9", exit_code=2)


def test_group_agenda_lists_unreviewed_flags(group: RunIpt) -> None:
    group(
        "group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
        "--phq9", "m2=2,2,2,2,1,1,1,1,1",
    )  # fmt: skip
    agenda = json.loads(group("group", "agenda", "g1", "--format", "json").stdout)
    m2 = next(m for m in agenda["members"] if m["course_id"] == "m2")
    assert m2["unreviewed_flags"] and m2["review_commands"] == [
        "ipt risk-review m2 --session 1 --note ... --ideation ... --level ... --action ..."
    ]
    assert "UNREVIEWED SAFETY FLAGS" in group("group", "agenda", "g1").stdout


def test_the_member_table_shows_each_members_risk_level_as_the_list_does(group: RunIpt) -> None:
    """The member table said 'HIGH 2 URGENT' in one Flags cell and never a moderate or low
    level; it has the list's Risk and Flags columns now, worded as `ipt list` words them."""
    group(
        "group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
        "--phq9", "m1=2,2,2,2,1,1,1,1,1", "--phq9", "m2=2,2,2,2,1,1,1,1,1",
    )  # fmt: skip
    group("risk-review", "m1", "--session", "1", "--note", "Spoke about it", "--ideation",
          "none", "--level", "moderate", "--action", "Safety plan agreed")  # fmt: skip
    listed = {line.split()[0]: line for line in group("list", COLUMNS="120").stdout.splitlines()}
    for form in ("text", "markdown"):
        shown = group("group", "agenda", "g1", "--format", form, COLUMNS="120").stdout
        rows = {
            line.replace("|", " ").split()[0]: " ".join(line.replace("|", " ").split())
            for line in shown.splitlines()
            if line.replace("|", " ").split()[:1] in (["m1"], ["m2"], ["m3"])
        }
        assert "moderate 0" in rows["m1"] and "moderate" in listed["m1"], form
        assert "not judged 1 " in rows["m2"], form  # then the days waiting, as the list
        assert rows["m2"].split()[-1] == listed["m2"].split()[-1], form
        assert "not judged 0" in rows["m3"], form


def test_a_group_session_repeats_each_members_flags_still_open(group: RunIpt) -> None:
    """As `ipt session` does (HAZ-45): after a group session, each member's flags of other
    sittings still unreviewed, never the new session's own (its SAFETY notice names it)."""
    group("group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
          "--phq9", "m2=2,2,2,2,1,1,1,1,1")  # fmt: skip
    later = group("group", "session", "g1", "--date", "2026-02-09", "--present", "m1,m2",
                  "--absent", "m3:ill", "--phq9", "m1=2,2,2,2,1,1,1,1,1")  # fmt: skip
    said = later.stderr
    assert "m2: Still unreviewed from other sessions: 1 safety flag" in said
    assert "ipt risk-review m2 --session 1" in said
    assert "m1: Still unreviewed" not in said  # its only flag is this session's: the notice
    assert "SAFETY" in said and "m3: Still unreviewed" not in said


def test_group_report_has_grid_trajectories_rate_and_follow_up(group: RunIpt) -> None:
    weeks = ["2026-02-02", "2026-02-09", "2026-02-16"]
    scores = {
        "m1": ["2,2,2,1,1,1,0,0,0", "1,1,1,1,0,0,0,0,0", "1,1,0,0,0,0,0,0,0"],
        "m2": ["2,2,2,2,2,1,1,1,0", "2,2,2,2,2,1,1,1,0", "2,2,2,2,2,1,1,0,0"],
    }
    for n, date in enumerate(weeks):
        args = ["--present", "m1,m2,m3"] if n == 0 else ["--present", "m1,m2", "--absent",
                                                         "m3:travel"]  # fmt: skip
        phq = [a for m, s in scores.items() for a in ("--phq9", f"{m}={s[n]}")]
        group("group", "session", "g1", "--date", date, *args, *phq)
    data = json.loads(group("group", "report", "g1", "--format", "json").stdout)
    assert data["sessions_held"] == 3
    grid = {m["course_id"]: m["attendance"][:4] for m in data["members"]}
    assert grid == {"m1": ["P", "P", "P", None], "m2": ["P", "P", "P", None],
                    "m3": ["P", "A", "A", None]}  # fmt: skip
    m1 = data["members"][0]
    assert [p["total"] for p in m1["phq9"]] == [13, 9, 4, 2] and m1["response"] is True
    assert data["response_rate_percent"] == 50.0  # m1 responds, m2 does not; m3 no score
    follow = {m["course_id"]: m["follow_up"] for m in data["members"]}
    assert "missed 2 group sessions" in follow["m3"]
    text = group("group", "report", "g1").stdout
    assert "Attendance" in text and "pre:13 G1:9 G2:4 G3:2" in text and "50%" in text
    markdown = group("group", "report", "g1", "--format", "markdown").stdout
    assert "| m3 | P | A | A | . |" in markdown


def test_a_damaged_group_file_is_one_line(group: RunIpt, data_home: Path) -> None:
    (data_home / "groups" / "g1.toml").write_text('schema_version = 1\nid = "g1"\n')
    result = group("group", "report", "g1", exit_code=4)
    assert result.stderr.count("\n") >= 1 and "Traceback" not in result.stderr


def test_a_busy_group_waits_then_says_so(group: RunIpt, data_home: Path) -> None:
    import fcntl

    lock = data_home / "locks" / "groups" / "g1.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        from ipt_cli.store import groups

        store = groups.GroupStore(data_home, lock_timeout=0.1)
        from ipt_cli.errors import LockTimeoutError

        with pytest.raises(LockTimeoutError, match="group 'g1' is busy"):
            store.update("g1", lambda g: None)


def test_a_private_note_goes_to_the_members_own_record(group: RunIpt, data_home: Path) -> None:
    group("group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2",
          "--absent", "m3:unwell")  # fmt: skip
    done = group("session", "m1", "--group-session", "1", "--note", "PRIVATENOTE for m1")
    assert "addendum" in done.stdout
    assert "PRIVATENOTE" in (data_home / "courses" / "m1.toml").read_text()
    assert "PRIVATENOTE" not in (data_home / "groups" / "g1.toml").read_text()
    assert "PRIVATENOTE" not in (data_home / "courses" / "m2.toml").read_text()
    absent = group("session", "m3", "--group-session", "1", "--note", "x", exit_code=2)
    assert "was not present" in absent.stderr
    later = group("session", "m1", "--group-session", "2", "--note", "x", exit_code=2)
    assert "no session 2" in later.stderr
    group("new-course", "solo", "--client", "S.", "--problem-area", "grief", "--no-input")
    group("session", "solo", "--group-session", "1", "--note", "x", exit_code=3)
    mixed = group("session", "m1", "--group-session", "1", "--mood", "5", "--note", "x",
                  exit_code=2)  # fmt: skip
    assert "--group-session takes only" in mixed.stderr


def test_doctor_checks_group_files(group: RunIpt, data_home: Path) -> None:
    flat = " ".join(group("doctor").stdout.split())
    assert "groups/g1.toml valid group, 3 members, 0 of 8 sessions" in flat
    (data_home / "courses" / "m3.toml").unlink()  # by hand: ipt delete refuses a member
    broken = group("doctor", exit_code=4)
    assert "member course missing: m3" in " ".join(broken.stdout.split())


def test_a_failure_half_way_leaves_no_member_recorded(
    group: RunIpt, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipt_cli.errors import StorageIOError
    from ipt_cli.store.courses import CourseStore

    before = {p.name: p.read_text() for p in (data_home / "courses").glob("*.toml")}
    real_update = CourseStore.update

    def failing(self: CourseStore, course_id: str, change: object) -> object:
        if course_id == "m2":
            raise StorageIOError("cannot write m2.toml: disk full")
        return real_update(self, course_id, change)  # type: ignore[arg-type]

    monkeypatch.setattr(CourseStore, "update", failing)
    result = group(
        "group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
        "--phq9", "m1=1,1,1,1,1,1,1,1,1", exit_code=7,
    )  # fmt: skip
    assert "disk full" in result.stderr and "SAFETY" not in result.stderr
    after = {p.name: p.read_text() for p in (data_home / "courses").glob("*.toml")}
    assert after == before  # m1, written first, was put back
    assert stored_group(data_home).get("meetings", []) == []


def test_a_group_file_that_cannot_be_written_puts_members_back(
    group: RunIpt, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipt_cli.errors import StorageIOError
    from ipt_cli.store import groups

    before = {p.name: p.read_text() for p in (data_home / "courses").glob("*.toml")}
    real_stage = groups.stage  # a group file is staged, then renamed (as course files are)

    def failing(path: Path, data: bytes) -> Path:
        if path.parent.name == "groups" and path.name == "g1.toml":
            raise StorageIOError(f"cannot write {path}: disk full")
        return real_stage(path, data)

    monkeypatch.setattr(groups, "stage", failing)
    group("group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3",
          exit_code=7)  # fmt: skip
    after = {p.name: p.read_text() for p in (data_home / "courses").glob("*.toml")}
    assert after == before


def test_the_note_of_a_missed_group_session_number_points_to_its_date(group: RunIpt) -> None:
    """`ipt note m3 2` for a group session m3 missed said only "nothing recorded", though the
    missed appointment's note exists, by date (the fresh clinician's walk-through)."""
    group("group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3")
    group("group", "session", "g1", "--date", "2026-02-09", "--present", "m1,m2",
          "--absent", "m3:ill")  # fmt: skip
    refused = group("note", "m3", "2", exit_code=2)
    assert "was missed on 2026-02-09 (its note: ipt note m3 2026-02-09)" in refused.stderr
    assert "ill" in group("note", "m3", "2026-02-09").stdout


def test_the_group_views_take_json_as_every_command_does(group: RunIpt) -> None:
    """`ipt group report --json` was refused while `--format json` worked."""
    group("group", "session", "g1", "--date", "2026-02-02", "--present", "m1,m2,m3")
    for args in (("report", "g1"), ("agenda", "g1"), ("list",)):
        assert json.loads(group("group", *args, "--json").stdout) == json.loads(
            group("group", *args, "--format", "json").stdout
        ), args


def test_an_absence_at_risk_says_its_follow_up_with_the_groups_session_number(
    group: RunIpt,
) -> None:
    """A member flagged at group session 2 and absent from session 3: the group session
    says the FOLLOW-UP it owes (it said only the flags), naming session 3 as the grid does
    (it counted "session 2": the sessions held + 1; the review of this round)."""
    group("group", "session", "g1", "--date", "2026-02-02", "--present", "m2,m3",
          "--absent", "m1:ill")  # fmt: skip
    group("group", "session", "g1", "--date", "2026-02-09", "--present", "m1,m2,m3",
          "--phq9", "m1=2,2,2,2,1,1,1,1,1")  # fmt: skip
    absent = group("group", "session", "g1", "--date", "2026-02-16", "--present", "m2,m3",
                   "--absent", "m1:no show")  # fmt: skip
    said = "FOLLOW-UP: missed session 3 on 2026-02-16 with a risk flag unreviewed"
    assert said in " ".join(absent.stderr.split())
    row = json.loads(group("list", "--json").stdout)
    assert next(r for r in row if r["course_id"] == "m1")["missed_at_risk"].startswith(said[11:])


def test_a_group_of_members_below_caseness_says_why_it_has_no_response_rate(
    run_ipt: RunIpt,
) -> None:
    """Two members with two PHQ-9 scores, both below caseness at the start: the report said
    "no member has two PHQ-9 scores yet", which was false (review of this round)."""
    run_ipt("group", "new", "g2", "--facilitator", "F.A.", "--start", "2026-02-02")
    for member in ("n1", "n2"):
        run_ipt("new-course", member, "--adaptation", "group", "--client", f"X.{member}",
                "--problem-area", "grief", "--start", "2026-01-26", "--phq9",
                "1,1,1,1,1,1,0,0,0", "--no-input")  # fmt: skip
        run_ipt("group", "add", "g2", member)
    run_ipt("group", "session", "g2", "--date", "2026-02-02", "--present", "n1,n2",
            "--phq9", "n1=1,1,1,0,0,0,0,0,0", "--phq9", "n2=1,1,1,0,0,0,0,0,0")  # fmt: skip
    shown = " ".join(run_ipt("group", "report", "g2").stdout.replace("│", " ").split())
    assert "no member who was a case at the start (PHQ-9 10 or more) has two PHQ-9" in shown
