"""Private working folders for editing (`ipt edit`, `--edit`): never in a shared $TMPDIR.

Each is a fresh 0700 folder under <data>/edits (in an encrypted folder too: the plain copy
an editor needs stays in the data folder's private area, which sync never commits), locked
(flock on the folder) while its editor runs, and removed when the edit ends, whether saved,
aborted, failed or stopped by SIGTERM or SIGHUP. One left by a killed ipt (SIGKILL, a
power cut) is reported by `ipt doctor`, and removed by `--fix` once no one holds it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ipt_cli.errors import StorageIOError
from ipt_cli.store.files import make_private_dir
from ipt_cli.store.ownership import check_folder
from ipt_cli.store.paths import DataPaths

PREFIX = "ipt-edit-"


@contextmanager
def edit_folder(root: Path) -> Iterator[Path]:
    """A new private folder for one edit under <data>/edits; always removed afterwards."""
    edits = DataPaths(root).edits
    for folder in (root, edits):
        check_folder(folder)
        make_private_dir(folder)
    try:
        folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=edits))  # mode 0700
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise StorageIOError(f"cannot make a working folder in {edits}: {error.strerror}") from None
    try:
        with _stopped_cleanly():
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds: the working copy is removed, the editor stopped


@contextmanager
def _stopped_cleanly() -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal, a shutdown) end the edit like Ctrl-C does,
    so the plain working copy is removed; the previous handlers are put back after."""
    wanted = (signal.SIGTERM, signal.SIGHUP)
    try:
        previous = {s: signal.signal(s, _interrupt) for s in wanted}
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def in_use(folder: Path) -> bool:
    """Whether a running ipt still edits in `folder`."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
