"""Rendered reports are reused only while nothing they are drawn from has changed.

A planted marker in the cache file shows when a report was served from it: a report that
must be fresh never shows the marker.
"""

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import PHQ9_MODERATE, RunIpt

MARKER = "SERVED-FROM-CACHE"


def cache_file(data_home: Path, course_id: str = "ab") -> Path:
    return data_home / "cache" / f"{course_id}.report.json"


def plant_marker(data_home: Path, course_id: str = "ab") -> None:
    """Overwrite every cached rendering (keeping its key) with the marker."""
    path = cache_file(data_home, course_id)
    entry = json.loads(path.read_text())
    entry["variants"] = dict.fromkeys(entry["variants"], MARKER)
    path.write_text(json.dumps(entry))


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_a_repeated_report_is_the_same_and_comes_from_the_private_cache(
        fmt: str, new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    first = run_ipt("report", "ab", "--format", fmt).stdout
    assert run_ipt("report", "ab", "--format", fmt).stdout == first
    assert run_ipt("report", "ab", "--format", fmt, IPT_NO_CACHE="1").stdout == first
    assert stat.S_IMODE(cache_file(data_home).stat().st_mode) == 0o600
    assert stat.S_IMODE((data_home / "cache").stat().st_mode) == 0o700
    plant_marker(data_home)
    assert run_ipt("report", "ab", "--format", fmt).stdout == MARKER


@pytest.mark.parametrize("changed", [
    {"IPT_TODAY": "2026-04-01"},  # another day: overdue sessions, phase
    {"COLUMNS": "100"},  # another width
    {"NO_COLOR": "", "FORCE_COLOR": "1", "TERM": "xterm-256color"},  # colours on
    {"config": "[scoring.reliable_change]\nphq9 = 5\n"},  # other scoring rules
])
def test_every_input_of_the_report_is_part_of_its_key(changed: dict[str, str], new_course,
                                                      run_ipt: RunIpt,
                                                      data_home: Path) -> None:
    new_course("ab", "--phq9", PHQ9_MODERATE)
    run_ipt("report", "ab")
    plant_marker(data_home)
    assert run_ipt("report", "ab").stdout == MARKER  # unchanged: served from the cache
    env = dict(changed)
    if "config" in env:
        (data_home / "config.toml").write_text(env.pop("config"))
    fresh = run_ipt("report", "ab", **env).stdout
    assert MARKER not in fresh and "Measures" in fresh


def test_a_same_size_edit_with_restored_mtime_is_seen(new_course, run_ipt: RunIpt,
                                                      data_home: Path) -> None:
    new_course()
    path = data_home / "courses" / "ab.toml"
    assert "A.B." in run_ipt("report", "ab").stdout
    before = path.stat()
    path.write_text(path.read_text().replace('client = "A.B."', 'client = "X.Y."'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    text = run_ipt("report", "ab").stdout
    assert "X.Y." in text and "A.B." not in text


@pytest.mark.parametrize("change", [
    ["session", "ab", "--date", "2026-01-12", "--phq9", "0,0,0,0,0,0,0,0,0"],
    ["archive", "ab"],
    ["contract", "ab", "--sessions", "14", "--reason", "agreed"],
    ["restore", "ab", "--from", "1"],
    ["delete", "ab", "--yes"],
])
def test_every_write_through_ipt_removes_the_cached_rendering(
        change: list[str], new_course, run_ipt: RunIpt, data_home: Path) -> None:
    """An old rendering of since-changed notes must not linger on disk."""
    new_course()
    run_ipt("goal", "ab", "add", "--id", "sleep", "--text", "Sleep better",
            "--area", "grief")  # leaves a backup for restore
    run_ipt("report", "ab")
    assert cache_file(data_home).exists()
    run_ipt(*change)
    assert not cache_file(data_home).exists()


def test_ipt_edit_removes_the_cached_rendering(new_course, run_ipt: RunIpt, data_home: Path,
                                               tmp_path: Path) -> None:
    new_course()
    run_ipt("report", "ab")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/A.B./C.D./' \"$1\"\n")
    editor.chmod(0o700)
    run_ipt("edit", "ab", EDITOR=str(editor))
    assert not cache_file(data_home).exists()
    assert "C.D." in run_ipt("report", "ab").stdout


@pytest.mark.parametrize("junk", ["{not json", "[]", '{"source": 1, "variants": 2}',
                                  '{"variants": {"json": 3}}', ""])
def test_a_damaged_cache_is_ignored_and_replaced(junk: str, new_course, run_ipt: RunIpt,
                                                 data_home: Path) -> None:
    new_course()
    first = run_ipt("report", "ab", "--format", "json").stdout
    cache_file(data_home).write_text(junk)
    assert run_ipt("report", "ab", "--format", "json").stdout == first
    assert json.loads(cache_file(data_home).read_text())["variants"]["json"] == first


def test_a_symlinked_cache_file_is_never_read_nor_followed(new_course, run_ipt: RunIpt,
                                                           data_home: Path,
                                                           tmp_path: Path) -> None:
    new_course()
    run_ipt("report", "ab")
    planted = tmp_path / "planted.json"
    planted.write_text(cache_file(data_home).read_text())
    plant_marker(data_home)
    os.replace(cache_file(data_home), planted)  # the marker now lives in the link's target
    cache_file(data_home).symlink_to(planted)
    assert MARKER not in run_ipt("report", "ab").stdout
    assert not cache_file(data_home).is_symlink()  # replaced by a real file of ours
    assert MARKER in planted.read_text()  # the target was not written through the link


def test_a_cached_report_still_warns_and_refuses_like_a_full_read(
        new_course, run_ipt: RunIpt, data_home: Path) -> None:
    new_course()
    run_ipt("report", "ab")
    plant_marker(data_home)
    course = data_home / "courses" / "ab.toml"
    os.chmod(data_home / "courses", 0o755)  # the folder, so the course file keeps its key
    result = run_ipt("report", "ab")
    assert result.stdout == MARKER and "can be read by other users" in result.stderr
    course.unlink()  # deleted behind ipt's back: not found, never a cached answer
    missing = run_ipt("report", "ab", exit_code=3)
    assert MARKER not in missing.stdout and "no course 'ab'" in missing.stderr


def test_no_cache_when_turned_off_or_writing_a_file(new_course, run_ipt: RunIpt,
                                                    data_home: Path, tmp_path: Path) -> None:
    new_course()
    run_ipt("report", "ab", IPT_NO_CACHE="1")
    run_ipt("report", "ab", "--output", str(tmp_path / "ab.txt"))
    assert not (data_home / "cache").exists()


def test_doctor_keeps_the_cache_private_and_removes_orphans(new_course, run_ipt: RunIpt,
                                                           data_home: Path) -> None:
    new_course("ab")
    run_ipt("report", "ab")
    cache_file(data_home).chmod(0o644)
    orphan = cache_file(data_home, "gone")
    orphan.write_text("{}")
    temp = data_home / "cache" / ".ab.report.json.x1.tmp"
    temp.write_text("partial")
    found = json.loads(run_ipt("doctor", "--fix", "--json").stdout)
    fixed = {Path(f["path"]).name: f["fixed"] for f in found if f["fixed"]}
    assert fixed == {"ab.report.json": "set to 0600", "gone.report.json": "removed",
                     ".ab.report.json.x1.tmp": "removed"}
    assert not orphan.exists() and not temp.exists()
    assert stat.S_IMODE(cache_file(data_home).stat().st_mode) == 0o600


def test_a_cache_that_cannot_be_written_never_breaks_the_report(new_course, run_ipt: RunIpt,
                                                                data_home: Path) -> None:
    new_course()
    (data_home / "cache").write_text("a file where the cache folder should be")
    first = run_ipt("report", "ab", "--format", "json").stdout
    assert json.loads(first)["course_id"] == "ab"
    assert run_ipt("report", "ab", "--format", "json").stdout == first
    assert (data_home / "cache").read_text().startswith("a file")


def test_a_change_to_ipts_code_retires_the_cached_reports_and_the_list_index(
        new_course, run_ipt: RunIpt, data_home: Path) -> None:
    import ipt_cli.catalogue

    new_course()
    run_ipt("report", "ab")
    run_ipt("list")
    plant_marker(data_home)
    index = data_home / "index.json"
    index.write_text(index.read_text().replace('"A.B."', f'"{MARKER}"'))
    assert MARKER in run_ipt("list").stdout  # the planted row is what a warm list shows
    module = Path(ipt_cli.catalogue.__file__)
    if not os.access(module, os.W_OK):
        pytest.skip("ipt is installed read-only here")
    before = module.stat()
    try:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        assert MARKER not in run_ipt("report", "ab").stdout
        assert MARKER not in run_ipt("list").stdout
    finally:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_the_four_latest_variants_are_kept(new_course, run_ipt: RunIpt,
                                           data_home: Path) -> None:
    new_course()
    for fmt in ("text", "markdown", "json", "html"):
        run_ipt("report", "ab", "--format", fmt)
    run_ipt("report", "ab", COLUMNS="100")  # a fifth: the first stored (80 columns) goes
    kept = list(json.loads(cache_file(data_home).read_text())["variants"])
    assert kept[:3] == ["markdown", "json", "html"] and len(kept) == 4
    assert kept[3].startswith("text:100:")
