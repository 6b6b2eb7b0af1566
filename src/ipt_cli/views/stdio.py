"""The process's standard streams, made safe to use before any command runs.

Light on purpose (no Rich): `main()` calls `prepare_standard_streams` first thing.

- A closed stdin, stdout or stderr (`ipt ... >&-`) is reopened on the null device, so
  nothing fails for want of a stream, and no file ipt opens can land on fd 0-2 (where a
  later print would write into it).
- Output in an encoding that cannot hold all of Unicode (`PYTHONIOENCODING=ascii`, a C
  locale) never raises UnicodeEncodeError: what it cannot encode becomes '?' (JSON is
  ASCII already, and text views draw ASCII bars there).
"""

from __future__ import annotations

import io
import os
import sys

_STREAMS = ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY))


def _reopen_closed(fd: int, flags: int) -> bool:
    try:
        os.fstat(fd)
        return False
    except OSError:
        pass
    null = os.open(os.devnull, flags)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)
    return True


def prepare_standard_streams() -> None:
    for fd, name, flags in _STREAMS:
        reopened = _reopen_closed(fd, flags)
        if reopened or getattr(sys, name) is None:
            mode = "r" if name == "stdin" else "w"
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            # 'replace' also covers file names that are not valid UTF-8 (surrogates).
            stream.reconfigure(errors="replace")
