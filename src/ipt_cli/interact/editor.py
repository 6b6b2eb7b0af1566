"""`ipt edit`: edit a course file in the user's editor without ever risking the original."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipt_cli.core.assessment import stored_phase_problem
from ipt_cli.core.signing import Sealed, broken_seals, sealed_state, signed_change_refusal
from ipt_cli.errors import ConflictError, DataError, InputError
from ipt_cli.interact.editor_command import (
    editor_command,
    read_edited,
    run_editor,
    write_copy,
)
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.format import dump_course, parse_course
from ipt_cli.store.workdir import edit_folder


def _problems(
    raw: bytes, path: Path, course_id: str, sealed: dict[int, Sealed]
) -> tuple[str | None, list[str]]:
    """The edited text, and what is wrong with it (nothing when it is a valid course)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [f"not UTF-8 text (byte {error.start})"]
    try:
        course = parse_course(text, path)
    except DataError as error:
        return text, error.problems
    problem = stored_phase_problem(course)
    if problem:
        return text, [problem]
    if course.id != course_id:
        return text, [
            f"id: must stay {course_id!r} (use ipt import --as to copy a course under a new id)"
        ]
    broken = broken_seals(sealed, course)
    if broken:
        return text, [signed_change_refusal(course_id, broken)]
    return text, []


def edit_course_file(
    store: CourseStore, course_id: str, retry: Callable[[list[str]], bool]
) -> Path | None:
    """Edit a private copy; replace the real file only with text that validates and that
    leaves every signed session as it was (adding to one is for ipt's own commands).

    Returns the course path when saved, None when nothing changed. On invalid text,
    `retry(problems)` decides whether to edit again. The copy is in a 0700 folder under
    the data folder and is removed however the edit ends.
    """
    path = store.paths.course_file(course_id)
    # A missing or damaged course is refused before the editor opens.
    sealed = sealed_state(store.load(course_id))
    original = store.read_course_text(course_id)  # decrypted in memory if need be
    command = editor_command()
    with edit_folder(store.paths.root) as folder:
        copy = folder / f"{course_id}.toml"
        write_copy(copy, original)
        while True:
            run_editor(command, copy)
            text, problems = _problems(read_edited(copy), path, course_id, sealed)
            if text == original:
                return None
            if problems or text is None:
                if retry(problems):
                    continue
                raise InputError(f"edit aborted; {path} is unchanged; the edited copy was removed")
            with store.locked(course_id):
                if store.read_course_text(course_id) != original:
                    raise ConflictError(
                        f"{path} changed while you were editing; it was left as it is and "
                        "the edited copy was removed: run ipt edit again"
                    )
                store.replace(course_id, dump_course(parse_course(text, path)))
            return path
