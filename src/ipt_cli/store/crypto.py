"""Encryption at rest with age (through pyrage): the one place bytes are sealed and opened.

A data folder is encrypted when `<data>/encryption.toml` exists. It says which kind of
identity opens the files ("x25519": age keys; recipients in `<data>/recipients.txt`, one
public key a line; or "passphrase") and, for keys, where the identity file is.
Every file ipt writes there is then the standard age format, readable with `age -d -i`.

A passphrase folder uses age's own pattern for it: `<data>/identity.age` is an X25519
identity sealed with the passphrase (scrypt), opened once per command and kept in memory;
every file is sealed to its public key, so a command runs one scrypt, however many files
it reads and writes. Files of an older ipt, sealed with the passphrase itself, still open
(one scrypt each) and are sealed to the identity when next written; the identity is made
by the first write there.

Nothing is sealed that could not be opened again: `Cipher.encrypt` opens what it sealed
with this process's identity before handing it back, so a recipients.txt without your key,
a wrong identity or a wrong passphrase is refused (exit 8) before any file is replaced.

pyrage is imported only here and only when a folder is encrypted: a plain folder never
loads it. Decryption happens in memory only.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import tomli

from ipt_cli.errors import (
    ConflictError,
    DataError,
    IdentityError,
    InputError,
    IptError,
    NotFoundError,
    StorageIOError,
    UnsafeFileError,
)
from ipt_cli.store.ownership import (
    COURSE_LIMIT,
    SETTINGS_LIMIT,
    open_private,
    read_private,
    read_trusted,
)

AGE_SUFFIX = ".age"
IDENTITY_ENV = "IPT_IDENTITY"
PASSPHRASE_ENV = "IPT_PASSPHRASE"
ARMOR_HEADER = b"-----BEGIN AGE ENCRYPTED FILE-----"
BINARY_HEADER = b"age-encryption.org/v1"

IDENTITY_AGE = "identity.age"  # a passphrase folder's identity, sealed with the passphrase
SCRYPT_STANZA = b"\n-> scrypt "

_passphrases: dict[Path, str] = {}  # asked once per process and folder
# A passphrase folder's identity, opened once per process, by folder and passphrase (a
# process that runs ipt twice, as the tests do, never reuses it without the passphrase).
_opened: dict[tuple[Path, str], Any] = {}
_passphrase_checked: set[tuple[Path, str]] = set()  # older folders the passphrase opened


def default_identity_path() -> Path:
    """`IPT_IDENTITY`, else identity.txt in the platform's config folder for ipt."""
    if os.environ.get(IDENTITY_ENV):
        return Path(os.environ[IDENTITY_ENV]).expanduser()
    # lazy: keeps platformdirs off start-up
    import platformdirs

    return platformdirs.user_config_path("ipt") / "identity.txt"


def is_age(data: bytes) -> bool:
    return data.startswith(BINARY_HEADER) or data.lstrip().startswith(ARMOR_HEADER)


def normal_recipient(key: str) -> str:
    """An age public key in its one spelling: bech32 is case-insensitive, and age writes
    it in lower case, so AGE1ABC and age1abc are one key (stored, compared and removed as
    one)."""
    return key.strip().lower()


def parse_recipients(text: str, source: Path | None = None) -> list[str]:
    """Public keys, one a line, normalised and without repeats; blank lines and # comments
    are skipped. A line that is not an age public key is refused naming its file and line
    (exit 8: the folder's recipients are not what ipt wrote)."""
    # lazy: keeps pyrage (encryption) off start-up
    from pyrage import RecipientError, x25519

    keys: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key = normal_recipient(line)
        try:
            x25519.Recipient.from_str(key)
        except RecipientError:
            where = source or Path("recipients.txt")
            raise IdentityError(
                f"{where}, line {number}: not an age public key (they start with age1); "
                "fix or remove the line"
            ) from None
        if key not in keys:
            keys.append(key)
    return keys


def check_recipient(key: str) -> str:
    """A public key given by the user, normalised (see normal_recipient); refused if it
    is not one."""
    # lazy: keeps pyrage (encryption) off start-up
    from pyrage import RecipientError, x25519

    normal = normal_recipient(key)
    try:
        x25519.Recipient.from_str(normal)
    except RecipientError:
        raise InputError(f"{key[:80]!r} is not an age public key (they start with age1)") from None
    return normal


class Cipher:
    """Seals and opens the files of one encrypted data folder."""

    def __init__(
        self,
        mode: str,
        recipients: list[str],
        identity_path: Path | None,
        folder: Path,
    ) -> None:
        self.mode = mode
        self.recipients = recipients
        self.identity_path = identity_path
        self.folder = folder
        self._identities: list[Any] | None = None

    def describe(self) -> str:
        if self.mode == "passphrase":
            return f"the passphrase (${PASSPHRASE_ENV})"
        return f"the identity {self.identity_path}"

    def _passphrase(self) -> str:
        if os.environ.get(PASSPHRASE_ENV):
            return os.environ[PASSPHRASE_ENV]
        if self.folder in _passphrases:
            return _passphrases[self.folder]
        if not sys.stdin.isatty():
            raise IdentityError(
                f"{self.folder} is encrypted with a passphrase: set {PASSPHRASE_ENV} or run "
                "ipt on a terminal"
            )

        _passphrases[self.folder] = getpass.getpass("Passphrase for the ipt data folder: ")
        return _passphrases[self.folder]

    def identities(self) -> list[Any]:
        """The age identities that open this folder's files (loaded once): the identity
        file's, or a passphrase folder's identity.age (none yet in an older folder)."""
        if self._identities is None:
            if self.mode == "passphrase":
                opened = self._passphrase_identity(create=False)
                self._identities = [] if opened is None else [opened]
            else:
                self._identities = load_identities(self.identity_path or default_identity_path())
        return self._identities

    def check(self) -> None:
        """Refuse now (exit 8) when the identity is missing or the passphrase wrong,
        before anything is written."""
        if self.mode == "passphrase":
            self._passphrase_identity(create=False)
        else:
            self.identities()

    def encrypt(self, data: bytes, *, armored: bool = False) -> bytes:
        """`data` sealed for the folder's recipients, and opened again with this process's
        identity first: what it could not open is never handed back to be written."""
        # lazy: keeps pyrage (encryption) off start-up
        import pyrage
        from pyrage import x25519

        if self.mode == "passphrase":
            identity = self._passphrase_identity(create=True)
            assert identity is not None
            keys = [identity.to_public()]
            openers = [identity]
        else:
            keys = [x25519.Recipient.from_str(key) for key in self.recipients]
            openers = self.identities()
        sealed = pyrage.encrypt(data, keys, armored=armored)
        try:
            if pyrage.decrypt(sealed, openers) == data:
                return sealed
        except pyrage.DecryptError:
            pass
        if self.mode == "passphrase":  # pragma: no cover - sealed to the identity itself
            raise IdentityError(f"{self.describe()} could not open what it sealed")
        raise IdentityError(
            f"{self.describe()} could not open what would be written: none of its public "
            f"keys is in {self.folder / 'recipients.txt'}; nothing was written (use the "
            "right identity, or ask whoever changed recipients.txt)"
        )

    def decrypt(self, data: bytes, path: Path) -> bytes:
        # lazy: keeps pyrage (encryption) off start-up
        import pyrage

        try:
            if self.mode == "passphrase":
                return self._open_passphrase_file(data)
            return pyrage.decrypt(data, self.identities())
        except pyrage.DecryptError:
            if not is_age(data):
                raise DataError(path, ["not an age-encrypted file"]) from None
            raise IdentityError(f"cannot decrypt {path} with {self.describe()}") from None

    def is_older_seal(self, data: bytes) -> bool:
        """Sealed with the passphrase itself by an older ipt (one scrypt to open): a
        backup of that kind is sealed again to the identity when a write meets it."""
        return self.mode == "passphrase" and SCRYPT_STANZA in data[:256]

    def _open_passphrase_file(self, data: bytes) -> bytes:
        """A file sealed to the folder's identity; or, from an older ipt, sealed with the
        passphrase itself (one scrypt)."""
        # lazy: keeps pyrage (encryption) off start-up
        import pyrage
        from pyrage import passphrase

        if SCRYPT_STANZA in data[:256]:
            return passphrase.decrypt(data, self._passphrase())
        return pyrage.decrypt(data, self.identities())

    # A passphrase folder's identity --------------------------------------------------

    def _passphrase_identity(self, *, create: bool) -> Any:
        """The identity in identity.age, opened with the passphrase (one scrypt, once per
        process); None in a folder of an older ipt that has none yet, unless `create`."""
        key = (self.folder.absolute(), self._passphrase())
        if key in _opened:
            return _opened[key]
        path = self.folder / IDENTITY_AGE
        try:
            sealed = _read_key_file(path, follow=False)
        except NotFoundError:
            sealed = None
        if (
            sealed is not None
            and not (self.folder / "encryption.toml").exists()
            and next(encrypted_files(self.folder), None) is None
        ):
            path.unlink(missing_ok=True)  # left by an `ipt encrypt` that failed: not in use
            sealed = None
        if sealed is not None:
            _opened[key] = self._open_identity(path, sealed)
        elif not create:
            self._check_passphrase()  # an older folder: the passphrase must open its files
            return None
        else:
            _opened[key] = self._make_identity(path)
        return _opened[key]

    def _open_identity(self, path: Path, sealed: bytes) -> Any:
        # lazy: keeps pyrage (encryption) off start-up
        import pyrage
        from pyrage import IdentityError as AgeIdentityError
        from pyrage import passphrase, x25519

        try:
            text = passphrase.decrypt(sealed, self._passphrase()).decode("utf-8")
            return x25519.Identity.from_str(
                next(line for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-"))
            )
        except (pyrage.DecryptError, AgeIdentityError, UnicodeDecodeError, StopIteration):
            pass
        raise IdentityError(
            f"cannot decrypt {path} with {self.describe()}: is it the right passphrase? "
            "Nothing was written"
        )

    def _check_passphrase(self) -> None:
        """In a folder without identity.age, the passphrase must open its files (one
        scrypt, once per process): a wrong one is refused (exit 8), never used to write.
        A file sealed to an identity means identity.age was lost: refused, never replaced
        by a new one that could not open it."""
        # lazy: keeps pyrage (encryption) off start-up
        import pyrage
        from pyrage import passphrase

        key = (self.folder.absolute(), self._passphrase())
        if key in _passphrase_checked:
            return
        sample: Path | None = None
        for path in encrypted_files(self.folder):
            try:
                fd = open_private(path, follow=False)
            except IptError:
                continue  # not ipt's: left to doctor
            try:
                head = os.read(fd, 256)
            finally:
                os.close(fd)
            if SCRYPT_STANZA not in head:
                raise IdentityError(
                    f"{self.folder / IDENTITY_AGE} is missing, and {path} is sealed to it: "
                    "restore it from your backup (or `git checkout identity.age` in a "
                    "synced folder); nothing was written"
                )
            sample = sample or path
        if sample is None:
            self._passphrase()
        else:
            try:
                passphrase.decrypt(
                    read_private(sample, follow=False, limit=COURSE_LIMIT), self._passphrase()
                )
            except pyrage.DecryptError:
                raise IdentityError(
                    f"cannot decrypt {sample} with {self.describe()}: is it the right passphrase? "
                    "Nothing was written"
                ) from None
        _passphrase_checked.add(key)

    def _make_identity(self, path: Path) -> Any:
        """A new identity for the folder, sealed with the passphrase into identity.age
        (after the passphrase was checked against the folder's files)."""
        # lazy: keeps pyrage (encryption) and store.files (18 modules) off start-up
        from pyrage import passphrase, x25519

        from ipt_cli.store.files import atomic_write

        self._check_passphrase()
        identity = x25519.Identity.generate()
        text = (
            "# ipt: this data folder's age identity, sealed with its passphrase\n"
            f"# public key: {identity.to_public()}\n{identity}\n"
        )
        try:
            atomic_write(
                path, passphrase.encrypt(text.encode("utf-8"), self._passphrase()), exclusive=True
            )
        except ConflictError:  # another ipt made it first: use theirs
            return self._open_identity(path, _read_key_file(path, follow=False))
        return identity


def choose_passphrase(folder: Path) -> None:
    """A new passphrase: $IPT_PASSPHRASE, else asked twice on a terminal (then kept for
    the rest of this process)."""
    if os.environ.get(PASSPHRASE_ENV) or not sys.stdin.isatty():
        return  # the environment's, or a clear refusal when the folder is first opened

    first = getpass.getpass("New passphrase for the ipt data folder: ")
    if not first or getpass.getpass("The same again: ") != first:
        raise InputError("the two passphrases differ (or are empty); nothing was changed")
    _passphrases[folder] = first


def load_identities(path: Path) -> list[Any]:
    # lazy: keeps pyrage (encryption) off start-up
    from pyrage import IdentityError as AgeIdentityError
    from pyrage import x25519

    try:
        text = _read_key_file(path, secret=True).decode("utf-8")
    except NotFoundError:
        raise IdentityError(
            f"no age identity at {path}: restore it from your backup, or set {IDENTITY_ENV}"
        ) from None
    except UnicodeDecodeError as error:
        raise IdentityError(f"cannot read the age identity {path}: {error}") from None
    keys = [line.strip() for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-")]
    try:
        found = [x25519.Identity.from_str(key) for key in keys]
    except AgeIdentityError:
        found = []
    if not found:
        raise IdentityError(f"{path} holds no age identity (AGE-SECRET-KEY-1...)")
    return found


def _read_key_file(
    path: Path, *, secret: bool = False, follow: bool = True, limit: int | None = None
) -> bytes:
    """A settings or key file, through the ownership gate: a regular file of this user's,
    capped, never blocking; anything else is exit 8 (see ownership.read_trusted).
    follow=False for the files ipt keeps in the data folder itself (never a link)."""
    if follow:
        return read_trusted(path, secret=secret, limit=limit or SETTINGS_LIMIT)

    try:
        return read_private(path, follow=False, limit=limit or SETTINGS_LIMIT)
    except DataError as error:
        raise UnsafeFileError(error.message) from None


def cipher_for(root: Path) -> Cipher | None:
    """The folder's cipher, or None for a plain folder (then pyrage is never imported)."""
    settings_path = root / "encryption.toml"
    try:
        raw = _read_key_file(settings_path)
    except NotFoundError:
        return None
    try:
        settings = tomli.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError):
        settings = {}
    mode = settings.get("mode")
    if mode not in ("x25519", "passphrase"):
        raise DataError(settings_path, ['mode: must be "x25519" or "passphrase"'])
    identity = settings.get("identity")
    identity_path = (
        Path(os.environ[IDENTITY_ENV]).expanduser()
        if os.environ.get(IDENTITY_ENV)
        else Path(identity)
        if isinstance(identity, str)
        else default_identity_path()
    )
    recipients: list[str] = []
    if mode == "x25519":
        try:
            raw_keys = _read_key_file(root / "recipients.txt").decode("utf-8")
        except NotFoundError:
            raise IdentityError(f"{root / 'recipients.txt'} is missing") from None
        except UnicodeDecodeError:
            raise IdentityError(f"{root / 'recipients.txt'} is not UTF-8 text") from None
        recipients = parse_recipients(raw_keys, root / "recipients.txt")
        if not recipients:
            raise IdentityError(f"{root / 'recipients.txt'} names no recipient")
    return Cipher(mode, recipients, identity_path if mode == "x25519" else None, root)


def settings_text(mode: str, identity: Path | None) -> str:
    lines = [
        "# ipt: this data folder is encrypted with age (see README, Encryption)",
        f'mode = "{mode}"',
    ]
    if identity is not None and mode == "x25519":
        lines.append(f"identity = {_toml_string(str(identity))}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def recipients_text(keys: Iterable[str]) -> str:
    return (
        "# age public keys that can open this data folder, one a line (ipt recipients)\n"
        + "".join(f"{key}\n" for key in keys)
    )


def generate_identity(path: Path) -> str:
    """Write a new age identity to `path` (mode 0600, never over an existing file); its
    public key is returned."""
    # lazy: keeps pyrage (encryption) off start-up
    from pyrage import x25519

    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    text = (
        f"# created: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n"
        f"# public key: {public}\n{identity}\n"
    )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IdentityError(f"{path} already exists; give it with --identity to use it") from None
    except OSError as error:
        raise StorageIOError(f"cannot write {path}: {error.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return public


def public_keys_of(path: Path) -> list[str]:
    return [str(identity.to_public()) for identity in load_identities(path)]


def encrypted_files(root: Path) -> Iterator[Path]:
    """Every age file ipt keeps: courses, groups, backups, the wizard's drafts and the list
    index."""
    for folder in (root / "courses", root / "groups", root / "backups", root / "edits" / "drafts"):
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob(f"*{AGE_SUFFIX}") if p.is_file())
    index = root / f"index.json{AGE_SUFFIX}"
    if index.is_file():
        yield index


Progress = Callable[[int, int], None]
