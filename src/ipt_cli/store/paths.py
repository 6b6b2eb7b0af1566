"""Where data lives: --data-dir, then IPT_HOME, then the platform's user data folder."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path

from ipt_cli.core.vocabulary import ID_PATTERN, ID_RULE
from ipt_cli.errors import InputError, NotFoundError, UnsafeFileError

COURSE_ID_PATTERN = re.compile(ID_PATTERN)
COURSE_ID_RULE = ID_RULE
# Names Windows reserves for devices, whatever the extension: a data folder holding
# con.toml could not be copied to, or synced with, a Windows machine.
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(10)]
)
# backups/groups/ and locks/groups/ hold the Group IPT groups' files, and locks/git.lock is
# `ipt sync`'s: a course of either id would share its backup folder or its lock with them.
RESERVED_IDS = frozenset(["groups", "git"])


def resolve_data_dir(
    option: Path | None,
    environ: Mapping[str, str] | None = None,
    warn: Callable[[str], None] | None = None,
) -> Path:
    """The data directory: the option wins, then IPT_HOME, then platformdirs.

    A relative IPT_HOME would put the data wherever the command happens to run (a second,
    empty data folder in every working directory): it is made absolute, with a warning.
    """
    env = os.environ if environ is None else environ
    if option is not None:
        return option.expanduser()
    if env.get("IPT_HOME"):
        home = Path(env["IPT_HOME"]).expanduser()
        if not home.is_absolute():
            home = Path.cwd() / home
            if warn is not None:
                warn(
                    f"warning: IPT_HOME is a relative path; using {home}. Set it to an "
                    "absolute path to use the same data folder from every directory"
                )
        return home
    import platformdirs  # only when neither override is given

    return platformdirs.user_data_path("ipt")


def check_course_id(course_id: str) -> str:
    """Refuse any id that could escape the courses folder or surprise a shell."""
    if not COURSE_ID_PATTERN.fullmatch(course_id):
        raise InputError(f"invalid course id {course_id!r}: use {COURSE_ID_RULE}")
    return course_id


def check_new_course_id(course_id: str, what: str = "course") -> str:
    """The rules for a new course (or group, `what`): a valid id that is not a name ipt or
    Windows reserves."""
    check_course_id(course_id)
    if course_id in RESERVED_IDS:
        raise InputError(
            f"{what} id {course_id!r} is reserved (ipt's groups and sync use the name); "
            "choose another"
        )
    if course_id in RESERVED_NAMES:
        raise InputError(
            f"{what} id {course_id!r} is a device name on Windows (con, prn, aux, nul, "
            "com1-9, lpt1-9); choose another so the data folder can be copied anywhere"
        )
    return course_id


# The data folders this process uses. A data folder may itself be the user's own symlink
# (`--data-dir ~/link`): it is chosen by the user. No folder inside one may be a link.
_DATA_ROOTS: set[Path] = set()


def is_data_root(path: Path) -> bool:
    """Whether `path` is the top of a data folder in use (a link there is the user's)."""
    return path.absolute() in _DATA_ROOTS


class DataPaths:
    """The layout of one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        _DATA_ROOTS.add(root.absolute())

    @property
    def courses(self) -> Path:
        return self.root / "courses"

    @property
    def synced(self) -> bool:
        """A git repository (`ipt sync`): its files can come from other machines."""
        return (self.root / ".git").exists()

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def backup_dir(self, course_id: str) -> Path:
        return self.backups / check_course_id(course_id)

    @property
    def index(self) -> Path:
        return self.root / ("index.json.age" if self.encrypted else "index.json")

    @property
    def encryption(self) -> Path:
        """Present when the folder is encrypted with age (store/crypto.py)."""
        return self.root / "encryption.toml"

    @property
    def recipients(self) -> Path:
        return self.root / "recipients.txt"

    @cached_property
    def encrypted(self) -> bool:
        """encryption.toml is there (a link too: the gate then judges it). Without it, a
        sealed course file is refused (exit 8), never taken for a plain folder: once a
        folder is encrypted, nothing may be written there in plain text."""
        if self.encryption.exists() or self.encryption.is_symlink():
            return True
        orphan = self._sealed_course_file()
        if orphan is not None:
            raise UnsafeFileError(
                f"{self.encryption} is missing, but {orphan} is encrypted: restore "
                "encryption.toml (from your backup, or `git checkout encryption.toml` in a "
                "synced folder); ipt writes nothing in plain text here"
            )
        return False

    def _sealed_course_file(self) -> Path | None:
        """A course or group file sealed with age whose plain twin is absent (a plain twin
        is a decrypt that was cut short, for doctor to tidy)."""
        for folder in (self.courses, self.root / "groups"):
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            plain = set(names)
            for name in names:
                if name.endswith(".toml.age") and name.removesuffix(".age") not in plain:
                    if not name.startswith("."):
                        return folder / name
        return None

    def forget_encryption(self) -> None:
        """Read `encrypted` again next time (the folder lock is now held: see
        CourseStore.folder_locked)."""
        self.__dict__.pop("encrypted", None)

    @property
    def course_suffix(self) -> str:
        """Of course files and their backups: .toml, or .toml.age when encrypted."""
        return ".toml.age" if self.encrypted else ".toml"

    @property
    def index_lock(self) -> Path:
        """Held while the index is written, and by `ipt doctor --fix` before it removes an
        index temp file (a dot name: never a course id's lock)."""
        return self.locks / ".index.lock"

    @property
    def edits(self) -> Path:
        """Private working copies of `ipt edit` and --edit, one 0700 folder each."""
        return self.root / "edits"

    @property
    def old_report_cache(self) -> Path:
        """Rendered reports kept by ipt before 0.2; `ipt doctor --fix` removes the folder."""
        return self.root / "cache"

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    def course_ids(self) -> list[str]:
        """The id of every course file, sorted (temp files and stray names left out)."""
        folder = self.courses
        if not folder.is_dir():
            return []
        suffix = self.course_suffix  # .toml, or .toml.age in an encrypted folder
        ids = (p.name.removesuffix(suffix) for p in folder.glob(f"*{suffix}"))
        return sorted(i for i in ids if not i.startswith(".") and COURSE_ID_PATTERN.fullmatch(i))

    def no_course(self, course_id: str) -> NotFoundError:
        """The error for a course that is not there, naming the nearest ids that are."""
        near = difflib.get_close_matches(course_id, self.course_ids(), n=3, cutoff=0.6)
        hint = f"; did you mean: {', '.join(near)}?" if near else " (see: ipt list --all)"
        return NotFoundError(f"no course {course_id!r} in {self.courses}{hint}")

    def course_file(self, course_id: str) -> Path:
        return self.courses / f"{check_course_id(course_id)}{self.course_suffix}"

    def lock_file(self, course_id: str) -> Path:
        return self.locks / f"{check_course_id(course_id)}.lock"
