"""Private working folders for editing (`ipt edit`, `--edit`): never in a shared $TMPDIR.

Each is a fresh 0700 folder under <data>/edits, locked (flock on the folder) while its
editor runs, and removed when the edit ends, whether saved, aborted or failed. One left
by a killed ipt is reported by `ipt doctor`, and removed by `--fix` once no one holds it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ipt_cli.errors import StorageIOError
from ipt_cli.store.ownership import check_folder
from ipt_cli.store.paths import DataPaths

PREFIX = "ipt-edit-"


@contextmanager
def edit_folder(root: Path) -> Iterator[Path]:
    """A new private folder for one edit; always removed afterwards. In an encrypted data
    folder no plain text is ever kept under it: the folder is a fresh 0700 one in the
    system's temporary folder instead (removed just the same)."""
    from ipt_cli.store.files import make_private_dir

    paths = DataPaths(root)
    if paths.encrypted:
        edits = Path(tempfile.gettempdir())
    else:
        edits = paths.edits
        for folder in (root, edits):
            check_folder(folder)
            make_private_dir(folder)
    try:
        folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=edits))  # mode 0700
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise StorageIOError(f"cannot make a working folder in {edits}: {error.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


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
