"""`ipt edit`: edit a course file in the user's editor without ever risking the original."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ipt_cli.core.assessment import stored_phase_problem
from ipt_cli.core.signing import broken_seals, sealed_state, signed_change_refusal
from ipt_cli.errors import ConflictError, DataError, InputError
from ipt_cli.interact.editor_command import editor_command
from ipt_cli.store.courses import CourseStore, dump_course, parse_course


def _run_editor(path: Path) -> None:
    import subprocess

    completed = subprocess.run([*editor_command(), str(path)], check=False)
    if completed.returncode != 0:
        raise InputError(
            f"the editor exited with status {completed.returncode}; the course "
            f"was left as it was; your copy is kept at {path}"
        )


def edit_course_file(
    store: CourseStore, course_id: str, retry: Callable[[list[str]], bool]
) -> Path | None:
    """Edit a private copy; replace the real file only with text that validates and that
    leaves every signed session as it was (adding to one is for ipt's own commands).

    Returns the course path when saved, None when nothing changed. On invalid text,
    `retry(problems)` decides whether to edit again; on abort the copy is kept and named.
    """
    path = store.paths.course_file(course_id)
    # A missing or damaged course is refused before the editor opens.
    sealed = sealed_state(store.load(course_id))
    original = store.read_course_text(course_id)
    # An encrypted course's plain copy goes in a fresh 0700 folder outside the data folder.
    folder = tempfile.mkdtemp(prefix="ipt-edit-") if store.cipher is not None else None
    fd, name = tempfile.mkstemp(prefix=f"ipt-edit-{course_id}-", suffix=".toml", dir=folder)
    copy = Path(name)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(original)
    while True:
        _run_editor(copy)
        edited = copy.read_text(encoding="utf-8")
        if edited == original:
            _remove(copy, folder)
            return None
        try:
            course = parse_course(edited, path)
            problem = stored_phase_problem(course)
            if problem:
                raise DataError(path, [problem])
            if course.id != course_id:
                raise DataError(
                    path,
                    [
                        f"id: must stay {course_id!r} (use ipt import --as to "
                        "copy a course under a new id)"
                    ],
                )
            broken = broken_seals(sealed, course)
            if broken:
                raise DataError(path, [signed_change_refusal(course_id, broken)])
        except DataError as error:
            if retry(error.problems):
                continue
            raise InputError(
                f"edit aborted; {path} is unchanged; your edited copy is kept at {copy}"
            ) from None
        with store.locked(course_id):
            if store.read_course_text(course_id) != original:
                raise ConflictError(
                    f"{path} changed while you were editing; it was left as "
                    f"it is; your edited copy is kept at {copy}"
                )
            store.replace(course_id, dump_course(course))
        _remove(copy, folder)
        return path


def _remove(copy: Path, folder: str | None) -> None:
    copy.unlink()
    if folder is not None:
        os.rmdir(folder)
