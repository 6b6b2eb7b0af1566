"""What an attacker and a bad day tried (issue 15), through the installed `ipt` binary:
backups under a wrong clock or a full disk, files that are not the user's, FIFOs, deep
nesting, closed streams, hostile text for terminals and Markdown, odd encodings, editors
that fail, dates out of range. One test (or a few) per class; each failed before the fix."""

import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ipt_cli.core.course_row import CACHE_FIELDS
from ipt_cli.store.index import KEY_LENGTH, index_text
from tests.conftest import PHQ9_RISK, ipt_command

pytestmark = [pytest.mark.faults, pytest.mark.e2e]
Bin = Callable[..., subprocess.CompletedProcess[str]]
NOBODY = 65534
SECRET = "Client disclosed abuse by her uncle"


def _make(ipt_bin: Bin, course_id: str = "ab", *extra: str) -> None:
    ipt_bin(
        "new-course",
        course_id,
        "--client",
        "A.B.",
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        "--no-input",
        *extra,
    )


def _sessions(ipt_bin: Bin) -> int:
    return int(json.loads(ipt_bin("report", "ab", "--format", "json").stdout)["sessions_recorded"])


def _as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")


def _give_away(path: Path) -> None:
    os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


# 1, 2, 13. Backups -------------------------------------------------------------------


def test_backups_follow_a_sequence_not_the_clock(ipt_bin: Bin, data_home: Path) -> None:
    """Backups written while the clock ran ahead (time-named, as ipt before named them) must
    never push out the versions written after the clock stepped back."""
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--note", "one")
    folder = data_home / "backups" / "ab"
    first = next(folder.iterdir()).read_bytes()
    for n in range(5):  # taken when the clock said 2099
        (folder / f"20990101T00000{n}000000Z.toml").write_bytes(first)
    ipt_bin("session", "ab", "--date", "2026-01-12", "--note", "two")
    ipt_bin("session", "ab", "--date", "2026-01-19", "--note", "three")
    listing = ipt_bin("restore", "ab", "--list").stdout.splitlines()
    assert len(listing) == 5 and listing[0].startswith("1  ")
    ipt_bin("restore", "ab", "--from", "1")  # the newest backup: before session three
    assert _sessions(ipt_bin) == 2
    ipt_bin("restore", "ab", "--from", "1")  # and restore kept what it replaced
    assert _sessions(ipt_bin) == 3


def test_a_frozen_clock_never_fails_a_write(
    new_course, run_ipt, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as real

    from ipt_cli.store import backups as courses

    class Frozen(real.datetime):
        @classmethod
        def now(cls, tz: real.tzinfo | None = None) -> "Frozen":
            return cls(2026, 3, 1, 12, 0, 0, tzinfo=tz)

    class Clock:
        datetime = Frozen
        UTC = real.UTC

    new_course()
    with monkeypatch.context() as frozen:
        frozen.setattr(courses, "dt", Clock)
        for day in (5, 12, 19):
            run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    assert len(list((data_home / "backups" / "ab").iterdir())) == 3
    run_ipt("restore", "ab", "--from", "1")
    assert len(json.loads(run_ipt("report", "ab", "--format", "json").stdout)["sessions"]) == 2


def _limit_file_size(size: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))  # writes beyond: EFBIG

    return limit


def test_refused_writes_leave_the_backups_alone(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    for day in range(5, 12):
        ipt_bin("session", "ab", "--date", f"2026-01-{day:02d}", "--note", f"note {day}")
    folder = data_home / "backups" / "ab"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    course = (data_home / "courses" / "ab.toml").read_bytes()
    big = "x" * 20_000
    for _ in range(6):
        done = ipt_bin(
            "session",
            "ab",
            "--date",
            "2026-01-20",
            "--note",
            big,
            check_code=7,
            preexec_fn=_limit_file_size(len(course) + 1000),
        )
        assert "File too large" in done.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert (data_home / "courses" / "ab.toml").read_bytes() == course


def test_backups_hold_no_duplicate_of_the_current_version(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    for day in (5, 12, 19):
        ipt_bin("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    for _ in range(3):
        ipt_bin("restore", "ab", "--from", "1")
        ipt_bin("restore", "ab", "--from", "2")
    kept = [p.read_bytes() for p in (data_home / "backups" / "ab").iterdir()]
    assert len(kept) == len(set(kept))
    assert (data_home / "courses" / "ab.toml").read_bytes() not in kept


def test_stray_files_in_the_backups_folder_are_ignored_and_reported(
    ipt_bin: Bin, data_home: Path
) -> None:
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    folder = data_home / "backups" / "ab"
    (folder / "copy of backup.toml").write_text("a copy the user made")
    (folder / "notes.txt").write_text("x")
    for day in (12, 19):
        ipt_bin("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    assert len(ipt_bin("restore", "ab", "--list").stdout.splitlines()) == 3
    ipt_bin("restore", "ab", "--from", "1")
    assert (folder / "copy of backup.toml").read_text() == "a copy the user made"
    found = json.loads(ipt_bin("doctor", "--json").stdout)
    strays = {Path(f["path"]).name: f["problem"] for f in found if f["status"] == "warning"}
    assert "not a backup ipt wrote" in strays["copy of backup.toml"]
    assert "notes.txt" in strays


# 3, 11. Only the user's own regular files -----------------------------------------------


def _forge(entry: list[object], **fields: object) -> None:
    """Change fields of an index entry (the file's identity, then the row's fields)."""
    for name, value in fields.items():
        entry[KEY_LENGTH + CACHE_FIELDS.index(name)] = value


def test_a_forged_index_of_another_user_is_never_shown(ipt_bin: Bin, data_home: Path) -> None:
    _as_root()
    _make(ipt_bin)
    ipt_bin("list")
    index = data_home / "index.json"
    data = json.loads(index.read_text())
    _forge(data["entries"]["ab.toml"], client="FORGED", unreviewed_flags=0)
    index.write_text(index_text(data["fingerprint"], data["entries"].items()))  # as ipt lays it out
    _give_away(index)
    index.chmod(0o666)
    rows = json.loads(ipt_bin("list", "--json").stdout)
    assert [r["client"] for r in rows] == ["A.B."]
    assert "FORGED" not in ipt_bin("list").stdout


def test_an_index_others_can_write_is_not_trusted(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    ipt_bin("list")
    index = data_home / "index.json"
    data = json.loads(index.read_text())
    _forge(data["entries"]["ab.toml"], client="FORGED")
    index.write_text(index_text(data["fingerprint"], data["entries"].items()))  # as ipt lays it out
    index.chmod(0o600)
    assert "FORGED" in ipt_bin("list").stdout  # well formed: read while it is private
    index.chmod(0o666)
    assert "FORGED" not in ipt_bin("list").stdout
    assert stat.S_IMODE(index.stat().st_mode) == 0o600  # rebuilt, private


def test_a_backup_folder_linked_to_another_users_folder_is_refused(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _as_root()
    _make(ipt_bin)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    _give_away(theirs)
    (data_home / "backups").mkdir(mode=0o700)
    (data_home / "backups" / "ab").symlink_to(theirs, target_is_directory=True)
    course = (data_home / "courses" / "ab.toml").read_bytes()
    done = ipt_bin("session", "ab", "--note", "private words", check_code=8)
    assert "another user" in done.stderr
    assert list(theirs.iterdir()) == []
    assert (data_home / "courses" / "ab.toml").read_bytes() == course


def test_a_backup_of_another_user_is_never_restored(ipt_bin: Bin, data_home: Path) -> None:
    _as_root()
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    folder = data_home / "backups" / "ab"
    forged = (data_home / "courses" / "ab.toml").read_text().replace("A.B.", "EVIL")
    planted = folder / "20990101T000000000000Z.toml"  # the newest name of the old scheme
    planted.write_text(forged)
    _give_away(planted)
    assert len(ipt_bin("restore", "ab", "--list").stdout.splitlines()) == 1
    ipt_bin("restore", "ab", "--from", "1")
    assert json.loads(ipt_bin("report", "ab", "--format", "json").stdout)["client"] == "A.B."
    doctor = json.loads(ipt_bin("doctor", "--json").stdout)
    assert [f for f in doctor if f["path"] == str(planted) and "another user" in f["problem"]]


def test_a_lock_or_config_that_is_not_the_users_is_refused(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _as_root()
    _make(ipt_bin)
    theirs = tmp_path / "theirs.lock"
    theirs.write_text("")
    _give_away(theirs)
    lock = data_home / "locks" / "ab.lock"
    lock.unlink()
    lock.symlink_to(theirs)
    assert ipt_bin("session", "ab", "--mood", "3", check_code=8).stderr.startswith("ipt: error:")
    lock.unlink()
    config = data_home / "config.toml"
    config.write_text('[scoring]\nhamd17_bands = "alternative"\n')
    _give_away(config)
    assert "another user" in ipt_bin("report", "ab", check_code=8).stderr


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.mkfifo(path, 0o600)


def test_fifos_and_folders_where_files_belong_never_hang(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    _fifo(data_home / "courses" / "cd.toml")
    (data_home / "courses" / "ef.toml").mkdir()
    (data_home / "courses" / "gh.toml").symlink_to("/dev/zero")
    (data_home / "index.json").unlink(missing_ok=True)
    _fifo(data_home / "index.json")
    _fifo(data_home / "backups" / "ab" / "0000000099-20990101T000000000000Z.toml")
    rows = {r["course_id"]: r for r in json.loads(ipt_bin("list", "--json").stdout)}
    assert rows["ab"]["damaged"] is False and rows["ab"]["client"] == "A.B."
    assert "FIFO" in rows["cd"]["problem"] and "folder" in rows["ef"]["problem"]
    assert any(w in rows["gh"]["problem"] for w in ("device", "another user", "symlink"))
    assert ipt_bin("report", "cd", check_code=4).stderr.startswith("ipt: error:")
    assert ipt_bin("session", "cd", "--mood", "2", check_code=4).stderr
    doctor = ipt_bin("doctor", check_code=4).stdout
    assert "cd.toml" in doctor and "ef.toml" in doctor
    ipt_bin(
        "session", "ab", "--date", "2026-01-12", "--attendee", "client"
    )  # the FIFO among backups is ignored
    ipt_bin("restore", "ab", "--list")
    _fifo(data_home / "config.toml")
    assert "FIFO" in ipt_bin("report", "ab", check_code=4).stderr
    (data_home / "config.toml").unlink()
    lock = data_home / "locks" / "ab.lock"
    lock.unlink()
    _fifo(lock)
    assert "FIFO" in ipt_bin("session", "ab", "--mood", "2", check_code=4).stderr


# 4. A course file's id is its name ------------------------------------------------------


def test_a_copied_course_file_is_a_damaged_file(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    courses = data_home / "courses"
    shutil.copy(courses / "ab.toml", courses / "cd.toml")
    rows = {r["course_id"]: r for r in json.loads(ipt_bin("list", "--json").stdout)}
    assert rows["ab"]["damaged"] is False
    assert rows["cd"]["damaged"] is True and "'ab'" in rows["cd"]["problem"]
    error = ipt_bin("report", "cd", check_code=4).stderr
    assert "cd.toml" in error and "'ab'" in error
    assert ipt_bin("session", "cd", "--mood", "1", check_code=4)
    found = json.loads(ipt_bin("doctor", "--json", check_code=4).stdout)
    assert [f for f in found if f["path"].endswith("cd.toml") and f["status"] == "error"]


# 5. Delete deletes ------------------------------------------------------------------------


def test_delete_leaves_nothing_to_restore(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--note", SECRET)
    ipt_bin("session", "ab", "--date", "2026-01-12", "--note", "more")
    ipt_bin("delete", "ab", "--yes")
    for path in data_home.rglob("*"):
        assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path
    assert not (data_home / "locks" / "ab.lock").exists()
    ipt_bin("restore", "ab", "--from", "1", check_code=3)


# 6. Closed and broken streams ------------------------------------------------------------


def _sh(command: str, **env: str) -> subprocess.CompletedProcess[str]:
    ipt = " ".join(ipt_command())
    return subprocess.run(
        ["sh", "-c", command.replace("ipt ", f"{ipt} ", 1)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_a_write_with_stdout_closed_is_reported_as_done(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    done = _sh("ipt session ab --date 2026-01-05 --mood 2 >&-")
    assert done.returncode == 0, done.stderr
    assert _sessions(ipt_bin) == 1
    done = _sh(f"ipt session ab --date 2026-01-12 --phq9 {PHQ9_RISK} >&- 2>&-")  # and a notice
    assert done.returncode == 0
    assert _sessions(ipt_bin) == 2
    done = _sh("ipt session ab --date 2026-01-19 --mood 3 > /dev/full")
    assert done.returncode == 0 and "saved" in done.stderr
    assert _sessions(ipt_bin) == 3


def test_a_write_into_a_closed_pipe_is_reported_as_done(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [*ipt_command(), "session", "ab", "--mood", "4"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0 and "the change was saved" in done.stderr
    assert _sessions(ipt_bin) == 1


def test_closed_stdin_never_crashes_a_command(ipt_bin: Bin, data_home: Path) -> None:
    new = _sh("ipt new-course ab --problem-area grief <&-")
    assert new.returncode == 2 and "--client" in new.stderr
    _make(ipt_bin)
    for command, expected in (
        ("ipt session ab <&-", "nothing to record"),
        ("ipt delete ab <&-", "refusing to delete"),
    ):
        done = _sh(command)
        assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert _sessions(ipt_bin) == 0 and (data_home / "courses" / "ab.toml").exists()


# 7, 8. Text that could drive the terminal or add Markdown structure ------------------------

HOSTILE = "x\x1b[99F\x1b[J\x1b]0;title\x07\x9b2J\u202eevil\u2066\x08y"  # argv holds no NUL
ONLY_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def _no_raw_controls(text: str) -> None:
    rest = ONLY_COLOURS.sub("", text)
    unsafe = r"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
    assert not re.search(unsafe, rest), rest


def test_user_text_never_drives_the_terminal(ipt_bin: Bin, data_home: Path) -> None:
    ipt_bin(
        "new-course",
        "ab",
        "--client",
        f"A{HOSTILE}",  # an alias: one line
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        "--phq9",
        PHQ9_RISK,
        "--no-input",
    )
    ipt_bin("session", "ab", "--date", "2026-01-12", "--task", HOSTILE + "\r", "--phq9", PHQ9_RISK)
    ipt_bin("goal", "add", "ab", "--id", "g", "--text", HOSTILE)
    ipt_bin("formulation", "ab", "--text", HOSTILE, "--agreed")
    ipt_bin("inventory", "add", "ab", "--name", "R", "--ring", "1", "--contact", HOSTILE)
    ipt_bin("timeline", "add", "ab", "--date", "2026-01-01", "--event", HOSTILE)
    (data_home / "courses" / f"bad{HOSTILE[1:6]}.toml").write_text("x = = 1")
    colour = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": ""}
    for args in (
        ["agenda", "ab"],
        ["report", "ab"],
        ["report", "ab", "--format", "markdown"],
        ["report", "ab", "--format", "html"],
        ["report", "ab", "--format", "json"],
        ["export", "ab", "--format", "markdown"],
        ["list"],
        ["plan", "ab"],
        ["goal", "list", "ab"],
        ["inventory", "list", "ab"],
        ["timeline", "list", "ab"],
        ["formulation", "ab"],
        ["doctor"],
        ["session", "ab", "--note-file", f"/nonexistent/{HOSTILE}"],
        ["session", "ab", "--goal", f"{HOSTILE}=3"],
    ):
        done = ipt_bin(*args, check_code=None, env=colour)
        assert "Traceback" not in done.stderr, args
        _no_raw_controls(done.stdout)
        _no_raw_controls(done.stderr)
    shown = ipt_bin("agenda", "ab", env=colour).stdout
    assert "UNREVIEWED SAFETY FLAGS" in shown and "\\x1b[99F" in shown and "\\u202e" in shown
    stored = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    assert stored["tasks"][0]["task"] == HOSTILE + "\r"  # kept exactly as typed


def _markdown_tokens(text: str) -> list[str]:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    kinds = []
    for token in parser.parse(text):
        kinds.append(token.type)
        kinds += [child.type for child in token.children or []]
    return kinds


def test_user_text_adds_no_markdown_structure(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin, "ab", "--phq9", PHQ9_RISK)
    plain = _markdown_tokens(ipt_bin("report", "ab", "--format", "markdown").stdout)
    forged = (
        "Linked to grief.\n\n## Safety flags\n\n| Flag | Reviewed |\n|---|---|\n| none | yes |"
        "\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n    indented\n"
        "1. one\n- two\n> quote\n[link](javascript:alert(1)) ![i](x) **bold** `code` ~~s~~"
        "\n---\n&#x202e; &lt;b&gt;"
    )
    ipt_bin("formulation", "ab", "--text", forged, "--agreed")
    ipt_bin("session", "ab", "--date", "2026-01-05", "--task", forged, "--note", forged)
    for args in (
        ["report", "ab", "--format", "markdown"],
        ["export", "ab", "--format", "markdown"],
    ):
        text = ipt_bin(*args).stdout
        assert text.splitlines().count("## Safety flags") == 1
        kinds = _markdown_tokens(text)
        assert "html_block" not in kinds and "html_inline" not in kinds
        assert "link_open" not in kinds and "image" not in kinds and "code_block" not in kinds
        assert "s_open" not in kinds and "strong_open" in kinds  # ipt's own bold only
    shape = _markdown_tokens(ipt_bin("report", "ab", "--format", "markdown").stdout)
    # What ipt itself adds for a formulation, a task and a first session held: one heading
    # each (the formulation, the tasks, the strategies covered), two tables (tasks, strategies).
    assert shape.count("heading_open") == plain.count("heading_open") + 3
    assert shape.count("table_open") == plain.count("table_open") + 2
    for kind in ("blockquote_open", "bullet_list_open", "ordered_list_open", "hr"):
        assert shape.count(kind) == plain.count(kind), kind


# 9. No clinical text from damaged files ---------------------------------------------------


def test_damaged_files_are_described_by_field_and_line_never_by_value(
    ipt_bin: Bin, data_home: Path
) -> None:
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--strategy", "grief-feelings")
    path = data_home / "courses" / "ab.toml"
    good = path.read_text()
    damaged = [
        good.replace('"grief-feelings"', f'"{SECRET}"'),
        good.replace("[[sessions]]", f'[[sessions]]\n"{SECRET}" = 1\n"{SECRET}" = 2'),
        good.replace('client = "A.B."', f'client = "A.B."\ngoals = {{"{SECRET}" = 1}}'),
    ]
    for text in damaged:
        assert text != good
        path.write_text(text)
        outputs = [
            ipt_bin("list", check_code=None),
            ipt_bin("list", "--json", check_code=None),
            ipt_bin("doctor", check_code=4),
            ipt_bin("report", "ab", check_code=4),
            ipt_bin("session", "ab", "--mood", "2", check_code=4),
        ]
        for done in outputs:
            assert SECRET not in done.stdout + done.stderr
    path.write_text(damaged[0])
    error = ipt_bin("report", "ab", check_code=4).stderr
    assert "sessions[0].strategies" in error and re.search(r"\(line \d+\)", error)


# 10. Any output encoding ----------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "latin-1:strict"},
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": ""},
    ],
)
def test_output_in_any_encoding(ipt_bin: Bin, data_home: Path, env: dict[str, str]) -> None:
    ipt_bin(
        "new-course",
        "ab",
        "--client",
        "Zoë 李 🙂",
        "--problem-area",
        "grief",
        "--start",
        "2026-01-05",
        "--phq9",
        "2,2,1,2,1,1,1,0,0",
        "--no-input",
    )
    ipt_bin("session", "ab", "--date", "2026-01-12", "--task", "Café ☕", "--phq9", PHQ9_RISK)
    utf8 = json.loads(ipt_bin("report", "ab", "--format", "json").stdout)
    for args in (
        ["list"],
        ["list", "--json"],
        ["report", "ab"],
        ["report", "ab", "--format", "markdown"],
        ["agenda", "ab"],
        ["plan", "ab"],
        ["doctor"],
        ["guide"],
        ["export", "ab", "--format", "markdown"],
    ):
        done = ipt_bin(*args, env=env, errors="replace")
        assert "Traceback" not in done.stderr and done.stdout, args
    done = ipt_bin("report", "ab", "--format", "json", env=env)
    assert done.stdout.isascii() and json.loads(done.stdout) == utf8
    chart = ipt_bin("report", "ab", env=env, errors="replace").stdout
    assert "##########" in chart and "█" not in chart  # an ASCII chart
    assert "Zo" in ipt_bin("list", env=env, errors="replace").stdout


# 12. Deep nesting ------------------------------------------------------------------------


def test_deep_nesting_is_a_damaged_file(ipt_bin: Bin, data_home: Path, tmp_path: Path) -> None:
    _make(ipt_bin)
    deep = data_home / "courses" / "deep.toml"
    deep.write_text("schema_version = 1\nx = " + "[" * 500 + "]" * 500 + "\n")
    rows = {r["course_id"]: r for r in json.loads(ipt_bin("list", "--json").stdout)}
    assert rows["ab"]["damaged"] is False and "nested too deeply" in rows["deep"]["problem"]
    ipt_bin("doctor", check_code=4)
    assert "nested too deeply" in ipt_bin("report", "deep", check_code=4).stderr
    ipt_bin("session", "deep", "--mood", "1", check_code=4)
    nested = tmp_path / "deep.json"
    nested.write_text('{"schema_version": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested too deeply" in ipt_bin("import", str(nested), check_code=4).stderr


# 14. Dates out of range --------------------------------------------------------------------


def test_dates_out_of_range_are_one_rule_everywhere(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    rule = re.compile(r"(after 2199|before 1900): check the year")
    for args, env in (
        (["session", "ab", "--date", "2200-01-01"], {}),
        (["session", "ab", "--date", "2200-01-01", "--missed", "ill"], {}),
        (["session", "ab", "--mood", "3"], {"IPT_TODAY": "9999-12-31"}),
        (["session", "ab", "--date", "1899-12-31", "--note", "x"], {}),
        (
            [
                "new-course",
                "cd",
                "--client",
                "C",
                "--problem-area",
                "grief",
                "--start",
                "2200-01-01",
            ],
            {},
        ),
        (["timeline", "add", "ab", "--date", "2200-01-01", "--event", "e"], {}),
        (["maintenance", "ab", "--start", "2200-01-01"], {}),
    ):
        done = ipt_bin(*args, check_code=2, env=env)
        assert rule.search(done.stderr), args
    assert _sessions(ipt_bin) == 0


# 15. Editors -------------------------------------------------------------------------------


def _editor(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / f"{name}.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + body)
    return f"{sys.executable} {script}"


def test_failing_editors_are_clear_errors_and_leave_no_copy(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--note", SECRET)
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    course = (data_home / "courses" / "ab.toml").read_bytes()
    editors = {
        "missing": "/nonexistent/editor",
        "unparsable": '"unclosed',
        "deletes": _editor(tmp_path, "deletes", "p.unlink()\n"),
        "binary": _editor(tmp_path, "binary", "p.write_bytes(b'\\xff\\xfe\\x00bad')\n"),
        "fails": _editor(tmp_path, "fails", "sys.exit(3)\n"),
    }
    for name, editor in editors.items():
        for args in (["edit", "ab"], ["session", "ab", "--edit"], ["formulation", "ab", "--edit"]):
            done = ipt_bin(*args, check_code=2, env={"EDITOR": editor, "TMPDIR": str(scratch)})
            assert done.stderr.splitlines()[-1].startswith("ipt: error:"), (name, args)
            assert SECRET not in done.stderr
    assert list(scratch.iterdir()) == []  # nothing in $TMPDIR
    assert list((data_home / "edits").iterdir()) == []  # nor in the data folder
    assert (data_home / "courses" / "ab.toml").read_bytes() == course


def test_doctor_reports_and_removes_an_abandoned_edit_copy(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    left = data_home / "edits" / "ipt-edit-abc123"
    left.mkdir(parents=True)
    (left / "ab.toml").write_text(SECRET)
    found = json.loads(ipt_bin("doctor", "--json").stdout)
    assert [f for f in found if f["path"] == str(left) and "interrupted edit" in f["problem"]]
    ipt_bin("doctor", "--fix")
    assert not left.exists()


# 16. Smaller ----------------------------------------------------------------------------


def test_doctor_fix_never_follows_a_link_out_of_the_data_folder(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    _make(ipt_bin)
    outside = tmp_path / "outside.toml"
    shutil.move(data_home / "courses" / "ab.toml", outside)
    outside.chmod(0o644)
    (data_home / "courses" / "ab.toml").symlink_to(outside)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    (data_home / "locks" / "gone.lock").symlink_to(shared / "x")
    assert "symlink" in ipt_bin("doctor", "--fix", check_code=None).stdout  # reported, kept
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_doctor_fix_leaves_the_temp_file_of_a_writer_of_backups(
    ipt_bin: Bin, data_home: Path
) -> None:
    from ipt_cli.store.courses import CourseStore

    _make(ipt_bin)
    ipt_bin("session", "ab", "--date", "2026-01-05", "--attendee", "client")
    live = data_home / "backups" / "ab" / ".0000000002-20260301T000000000000Z.toml.x1.tmp"
    live.write_text("being written")
    with CourseStore(data_home).locked("ab"):
        ipt_bin("doctor", "--fix")
        assert live.exists()
    ipt_bin("doctor", "--fix")
    assert not live.exists()


def test_doctor_reports_and_removes_index_temp_files(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    temp = data_home / ".index.json.k2j3.tmp"
    temp.write_text("{}")
    found = json.loads(ipt_bin("doctor", "--json").stdout)
    assert [f for f in found if f["path"] == str(temp)]
    ipt_bin("doctor", "--fix")
    assert not temp.exists()


def test_note_file_keeps_line_ends(ipt_bin: Bin, data_home: Path, tmp_path: Path) -> None:
    _make(ipt_bin)
    note = tmp_path / "note.txt"
    note.write_bytes(b"one\r\ntwo\rthree\n")
    ipt_bin("session", "ab", "--date", "2026-01-05", "--note-file", str(note))
    exported = json.loads(ipt_bin("export", "ab").stdout)
    assert exported["sessions"][0]["note"] == "one\r\ntwo\rthree\n"


def test_output_to_stdout_links_and_devices(ipt_bin: Bin, data_home: Path, tmp_path: Path) -> None:
    _make(ipt_bin)
    assert json.loads(ipt_bin("export", "ab", "-o", "-").stdout)["id"] == "ab"
    assert "IPT progress report" in ipt_bin("report", "ab", "-o", "-").stdout
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    ipt_bin("export", "ab", "-o", str(link))
    assert link.is_symlink() and json.loads(target.read_text())["id"] == "ab"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a program reading the pipe
    try:
        ipt_bin("export", "ab", "-o", str(fifo))  # written to, never replaced
        assert json.loads(os.read(reader, 1 << 20))["id"] == "ab"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert "no program is reading" in ipt_bin("export", "ab", "-o", str(fifo), check_code=7).stderr
    assert ipt_bin("export", "ab", "-o", str(tmp_path), check_code=2).stderr


def test_a_relative_ipt_home_is_resolved_with_a_warning(ipt_bin: Bin, tmp_path: Path) -> None:
    env = {"IPT_HOME": "rel-data"}
    done = ipt_bin(
        "new-course", "ab", "--client", "A", "--problem-area", "grief", cwd=tmp_path, env=env
    )
    assert "IPT_HOME is a relative path" in done.stderr
    assert str(tmp_path / "rel-data") in done.stderr
    assert (tmp_path / "rel-data" / "courses" / "ab.toml").exists()


def test_reserved_windows_names_are_refused_as_course_ids(
    ipt_bin: Bin, data_home: Path, tmp_path: Path
) -> None:
    for name in ("con", "nul", "aux", "prn", "com1", "lpt9"):
        done = ipt_bin("new-course", name, "--client", "A", "--problem-area", "grief", check_code=2)
        assert "device name on Windows" in done.stderr
    _make(ipt_bin)
    exported = tmp_path / "ab.json"
    ipt_bin("export", "ab", "-o", str(exported))
    ipt_bin("import", str(exported), "--as", "nul", check_code=2)
    ipt_bin("new-course", "con-2026", "--client", "A", "--problem-area", "grief")


def test_session_with_nothing_to_record_is_refused(ipt_bin: Bin, data_home: Path) -> None:
    _make(ipt_bin)
    done = ipt_bin("session", "ab", check_code=2, stdin=subprocess.DEVNULL)
    assert "nothing to record" in done.stderr
    ipt_bin("session", "ab", "--no-input", check_code=2)
    assert _sessions(ipt_bin) == 0


def test_prompts_show_user_text_as_text(ipt_bin: Bin, data_home: Path) -> None:
    """Last week's task and a goal reach the interactive session's questions: as plain
    text, never as Rich markup (a stray '[/bold]' crashed it) or terminal controls."""
    from tests.e2e.pty_driver import Terminal

    _make(ipt_bin)
    ipt_bin("goal", "add", "ab", "--id", "g", "--text", "[/bold] goal \x1b[2J")
    ipt_bin("session", "ab", "--date", "2026-01-05", "--task", "[bold]call[/] R. \x1b]0;t\x07")
    term = Terminal([*ipt_command(), "session", "ab"], dict(os.environ))
    term.answer("Date", "2026-01-12")
    term.answer("Who attended", "")
    term.answer("Give the PHQ-9 now?", "n")
    term.answer("Mood", "")
    term.answer("Mood and events", "")
    term.answer("How did last session's task go? ([bold]call[/] R. \\x1b]0;t\\x07)", "ok")
    term.answer("Techniques used", "")
    term.answer("Strategies covered", "")
    for _ in range(2):  # the catalogue's goals, then the one added
        term.answer("Progress on", "")
    term.answer("Progress on '[/bold] goal \\x1b[2J'", "4")
    term.answer("Task until next session", "")
    term.answer("Note", "")
    term.expect("Save this session?")
    term.send("y")
    term.expect("Recorded session 2 of 16")
    assert term.finish() == 0


def test_group_files_pass_the_same_gate(ipt_bin: Bin, data_home: Path) -> None:
    """Group files (added after issue 15) get what course files get: a FIFO never hangs,
    backups follow a sequence, and no course may take the id of the groups' folders."""
    ipt_bin("group", "new", "g1", "--facilitator", "F.", "--start", "2026-01-05")
    ipt_bin("group", "new", "g2", "--facilitator", "F.", "--start", "2026-01-05")
    group = data_home / "groups" / "g2.toml"
    group.unlink()
    _fifo(group)
    done = ipt_bin("group", "report", "g2", check_code=4)
    assert "FIFO" in done.stderr
    assert "not a regular file" in done.stderr or "FIFO" in done.stderr
    refused = ipt_bin(
        "new-course", "groups", "--client", "A", "--problem-area", "grief", check_code=2
    )
    assert "reserved" in refused.stderr
