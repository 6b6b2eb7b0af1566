"""Note text never reaches an error message: a marker planted in every free-text field is
looked for in the output of every error path."""

import json
from pathlib import Path

import pytest

from ipt_cli.core import progress
from tests.conftest import RunIpt

pytestmark = pytest.mark.faults
MARKER = "SECRET-MARKER-7f3a"


@pytest.fixture
def private_course(new_course, run_ipt: RunIpt, data_home: Path) -> Path:
    new_course("ab", "--sessions", "4")
    run_ipt(
        "session",
        "ab",
        "--date",
        "2026-01-05",
        "--note",
        f"note {MARKER}",
        "--events",
        f"events {MARKER}",
        "--task",
        f"task {MARKER}",
    )
    run_ipt("session", "ab", "--amend", "1", "--note", f"addendum {MARKER}")
    return data_home / "courses" / "ab.toml"


def assert_private(result) -> None:  # type: ignore[no-untyped-def]
    assert MARKER not in result.stderr and MARKER not in result.stdout


def test_damaged_file_errors_do_not_quote_notes(private_course: Path, run_ipt: RunIpt) -> None:
    text = private_course.read_text()
    variants = [
        text.replace(f'note = "note {MARKER}"', f'note = "note {MARKER}'),  # unterminated
        text.replace(f'note = "note {MARKER}"', f'note = ["note {MARKER}"]'),  # wrong type
        text.replace(f'task = "task {MARKER}"', f'task = "task {MARKER}"\nmood = "{MARKER}"'),
        text.replace("[[sessions]]", f'[[sessions]]\n"{MARKER}" = "{MARKER}"'),
    ]
    for variant in variants:
        assert variant != text
        private_course.write_text(variant)
        for args in (["report", "ab"], ["session", "ab", "--note", "x"], ["plan", "ab"]):
            assert_private(run_ipt(*args, exit_code=4))
        assert_private(run_ipt("doctor", exit_code=4))


def test_refused_commands_do_not_echo_note_text(
    private_course: Path, run_ipt: RunIpt, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cases = [
        (["session", "ab", "--note", MARKER, "--missed", "ill", "--mood", "2"], 2),
        (["session", "ab", "--amend", "9", "--note", MARKER], 2),
        (["session", "ab", "--note", MARKER, "--goal", "nope=3"], 2),
        (["session", "ab", "--note", MARKER, "--technique", "nope"], 2),
        (
            [
                "risk-review",
                "ab",
                "--session",
                "1",
                "--note",
                MARKER,
                "--ideation",
                "none",
                "--level",
                "low",
                "--action",
                "Reviewed",
            ],
            2,
        ),
        (["contract", "ab", "--sessions", "4", "--reason", MARKER], 2),
        (["formulation", "ab", "--text", " "], 2),
    ]
    for args, code in cases:
        assert_private(run_ipt(*args, exit_code=code))
    for day in (12, 19, 26):
        run_ipt("session", "ab", "--date", f"2026-01-{day:02d}", "--attendee", "client")
    assert_private(run_ipt("session", "ab", "--note", MARKER, exit_code=5))  # contract full

    def explode(*args: object, **kwargs: object) -> None:
        raise ValueError(f"boom {MARKER}")

    monkeypatch.setattr(progress, "build_report", explode)
    assert_private(run_ipt("report", "ab", exit_code=1))


def test_import_errors_do_not_quote_content(run_ipt: RunIpt, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "id": "zz", "client": 5, "note": MARKER}))
    assert_private(run_ipt("import", str(bad), exit_code=4))
    broken = tmp_path / "broken.toml"
    broken.write_text(f'schema_version = 1\nclient = "{MARKER}\n')
    assert_private(run_ipt("import", str(broken), exit_code=4))
