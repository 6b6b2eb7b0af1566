"""The `ipt list` index is a speed-up only: never stale, rebuilt when damaged, private."""

import json
import os
import stat
from pathlib import Path

from tests.conftest import PHQ9_MODERATE, RunIpt


def listed(run_ipt: RunIpt) -> dict[str, dict]:
    return {r["course_id"]: r for r in json.loads(run_ipt("list", "--json").stdout)}


def test_index_is_private_and_follows_every_change(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    assert listed(run_ipt)["ab"]["sessions_recorded"] == 0
    index = data_home / "index.json"
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", "0,0,0,0,0,0,0,0,0")
    row = listed(run_ipt)["ab"]
    assert row["sessions_recorded"] == 1 and row["latest_phq9"] == 0


def test_same_size_edit_with_restored_mtime_is_still_seen(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    assert listed(run_ipt)["ab"]["client"] == "A.B."
    before = path.stat()
    path.write_text(path.read_text().replace('client = "A.B."', 'client = "X.Y."'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == before.st_size
    assert listed(run_ipt)["ab"]["client"] == "X.Y."  # the change time gives it away


def test_damaged_index_is_rebuilt(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    listed(run_ipt)
    for junk in (
        "{not json",
        '{"fingerprint": 1, "entries": []}',
        "[]",
        '{"fingerprint": "x", "entries": {"ab.toml": {"key": 1, "row": 2}}}',
    ):
        (data_home / "index.json").write_text(junk)
        assert listed(run_ipt)["ab"]["client"] == "A.B."
    assert json.loads((data_home / "index.json").read_text())["entries"]["ab.toml"]


def test_deleted_and_damaged_courses_are_never_served_from_the_index(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    new_course("ab")
    new_course("cd")
    assert set(listed(run_ipt)) == {"ab", "cd"}
    run_ipt("delete", "cd", "--yes")
    (data_home / "courses" / "ab.toml").write_text("broken = = toml")
    rows = listed(run_ipt)
    assert set(rows) == {"ab"} and rows["ab"]["damaged"] is True


def test_new_scoring_rules_rebuild_the_index(new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course("ab", "--hamd17", "3,2,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1")  # total 19
    assert listed(run_ipt)["ab"]["latest"]["hamd17"]["severity"] == "moderate"
    (data_home / "config.toml").write_text('[scoring]\nhamd17_bands = "alternative"\n')
    assert listed(run_ipt)["ab"]["latest"]["hamd17"]["severity"] == "severe"


def test_a_symlinked_course_file_is_listed_as_refused(
    new_course, run_ipt: RunIpt, data_home: Path, tmp_path: Path
) -> None:
    new_course()
    link = data_home / "courses" / "ab.toml"
    target = tmp_path / "elsewhere.toml"
    target.write_text(link.read_text().replace('client = "A.B."', 'client = "X.Y."'))
    target.chmod(0o600)
    link.unlink()
    link.symlink_to(target)  # a file kept elsewhere: never read through the link (issue 25)
    row = listed(run_ipt)["ab"]
    assert row["damaged"] is True and "symlink" in row["problem"]
    assert "X.Y." not in json.dumps(row)


def _many_courses(new_course, run_ipt: RunIpt, data_home: Path, count: int) -> Path:
    """`count` copies of a course with a session and a deterioration alert, plus damaged
    files of three kinds; returns the courses folder."""
    new_course("ab", "--phq9", "1,1,1,0,0,0,0,0,0")
    run_ipt("session", "ab", "--date", "2026-01-12", "--phq9", PHQ9_MODERATE)
    courses = data_home / "courses"
    text = (courses / "ab.toml").read_text()
    for n in range(count):
        copy = courses / f"c{n:03d}.toml"
        copy.write_text(text.replace('id = "ab"', f'id = "c{n:03d}"'))
        copy.chmod(0o600)
    (courses / "c010.toml").write_text("broken = = toml")  # among a worker's files
    (courses / "c011.toml").write_text(text)  # its id is ab: a copied file
    (courses / "c012.toml").write_text(text.replace("schema_version = ", "schema_version = 9"))
    return courses


def test_a_cold_rebuild_shared_by_processes_lists_what_one_process_lists(
    new_course, run_ipt: RunIpt, data_home: Path, monkeypatch
) -> None:
    from ipt_cli.store import workers

    _many_courses(new_course, run_ipt, data_home, workers.MIN_ITEMS + 16)
    forks, real_fork = [], os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(workers.os, "fork", counting_fork)
    monkeypatch.setattr(workers, "usable_cpus", lambda: 2)
    (data_home / "index.json").unlink(missing_ok=True)
    shared = (run_ipt("list", "--json"), run_ipt("list"))  # cold, then warm
    assert forks, "the cold rebuild was shared with a worker process"
    monkeypatch.setattr(workers, "MAX_PROCESSES", 1)
    (data_home / "index.json").unlink()
    alone = (run_ipt("list", "--json"), run_ipt("list"))
    assert [r.stdout for r in shared] == [r.stdout for r in alone]
    assert all(r.stderr == "" for r in (*shared, *alone))  # no progress bar into a pipe
    rows = {r["course_id"]: r for r in json.loads(shared[0].stdout)}
    assert len(rows) == workers.MIN_ITEMS + 17
    assert "not valid TOML" in rows["c010"]["problem"]
    assert "does not match the file name" in rows["c011"]["problem"]
    assert "written by a newer ipt" in rows["c012"]["problem"]
    assert rows["c013"]["alerts"] == rows["ab"]["alerts"] != []  # a deterioration, in every row
    assert shared[1].stdout.count("reliable deterioration") == workers.MIN_ITEMS + 14


def test_a_copy_with_a_dot_in_its_name_is_the_same_row_cold_and_warm(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    """A copy such as ab.orig.toml (or a sync tool's ab.sync-conflict-....toml) is not
    course ab: a cold and a warm list both show it as a damaged file under its own name."""
    new_course("ab")
    courses = data_home / "courses"
    (courses / "ab.orig.toml").write_bytes((courses / "ab.toml").read_bytes())
    (courses / "ab.orig.toml").chmod(0o600)
    (data_home / "index.json").unlink(missing_ok=True)
    cold = json.loads(run_ipt("list", "--json").stdout)
    warm = json.loads(run_ipt("list", "--json").stdout)
    assert cold == warm
    ids = [row["course_id"] for row in cold]
    assert ids.count("ab") == 1 and "ab.orig" in ids
    damaged = next(row for row in cold if row["course_id"] == "ab.orig")
    assert "does not match the file name" in damaged["problem"]


def test_the_index_is_read_a_line_at_a_time_and_a_damaged_line_costs_only_its_rows(
    new_course, run_ipt: RunIpt, data_home: Path
) -> None:
    """One entry a line, in the files' order (store/index.py): a damaged line ends what is
    read there, an entry out of order is not used; the rows are right either way and the
    index is written again, whole."""
    for course_id in ("ab", "cd", "ef"):
        new_course(course_id)
    listed(run_ipt)
    index = data_home / "index.json"
    lines = index.read_text().splitlines()
    assert lines[0].startswith('{"fingerprint": ') and lines[-1] == "}}"
    assert [line.split(":")[0] for line in lines[1:-1]] == ['"ab.toml"', '"cd.toml"', '"ef.toml"']
    assert set(json.loads(index.read_text())["entries"]) == {"ab.toml", "cd.toml", "ef.toml"}
    whole = index.read_text()
    index.write_text("\n".join([lines[0], lines[1], "[damaged", lines[3], lines[4]]) + "\n")
    assert {k: r["client"] for k, r in listed(run_ipt).items()} == dict.fromkeys(
        ("ab", "cd", "ef"), "A.B."
    )
    assert index.read_text() == whole  # written again, as it was
    forged = lines[1].replace('"A.B."', '"FORGED"').removesuffix(",")
    index.write_text("\n".join([lines[0], lines[2], lines[3] + ",", forged, lines[4]]) + "\n")
    assert listed(run_ipt)["ab"]["client"] == "A.B."  # out of order: not used
    assert index.read_text() == whole
