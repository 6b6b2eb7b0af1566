"""A count of the changes this process has committed to disk (light: no imports).

The CLI's one exit path reads it: once a change is on disk, a failure to print its
confirmation (stdout closed, a broken pipe, a full disk behind a redirect) must not be
reported as a failed command, or a script would retry it and record it twice.
"""

from __future__ import annotations

_committed = 0


def note_commit() -> None:
    global _committed
    _committed += 1


def committed() -> int:
    return _committed
