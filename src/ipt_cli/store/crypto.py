"""Encryption at rest with age (through pyrage): the one place bytes are sealed and opened.

A data folder is encrypted when `<data>/encryption.toml` exists. It says which kind of
identity opens the files ("x25519": age keys; recipients in `<data>/recipients.txt`, one
public key a line; or "passphrase": scrypt) and, for keys, where the identity file is.
Every file ipt writes there is then the standard age format, readable with `age -d -i`.

pyrage is imported only here and only when a folder is encrypted: a plain folder never
loads it. Decryption happens in memory only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import tomli

from ipt_cli.errors import IdentityError, InputError, StorageIOError

AGE_SUFFIX = ".age"
IDENTITY_ENV = "IPT_IDENTITY"
PASSPHRASE_ENV = "IPT_PASSPHRASE"
ARMOR_HEADER = b"-----BEGIN AGE ENCRYPTED FILE-----"
BINARY_HEADER = b"age-encryption.org/v1"

_passphrases: dict[Path, str] = {}  # asked once per process and folder


def default_identity_path() -> Path:
    """`IPT_IDENTITY`, else identity.txt in the platform's config folder for ipt."""
    if os.environ.get(IDENTITY_ENV):
        return Path(os.environ[IDENTITY_ENV]).expanduser()
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
        import getpass

        _passphrases[self.folder] = getpass.getpass("Passphrase for the ipt data folder: ")
        return _passphrases[self.folder]

    def identities(self) -> list[Any]:
        """The age identities in the identity file (loaded once)."""
        if self._identities is None:
            self._identities = load_identities(self.identity_path or default_identity_path())
        return self._identities

    def check(self) -> None:
        """Refuse now (exit 8) when the identity is missing, before anything is written."""
        if self.mode == "passphrase":
            self._passphrase()
        else:
            self.identities()

    def encrypt(self, data: bytes, *, armored: bool = False) -> bytes:
        import pyrage

        if self.mode == "passphrase":
            from pyrage import passphrase

            return passphrase.encrypt(data, self._passphrase(), armored=armored)
        from pyrage import x25519

        keys = [x25519.Recipient.from_str(key) for key in self.recipients]
        return pyrage.encrypt(data, keys, armored=armored)

    def decrypt(self, data: bytes, path: Path) -> bytes:
        import pyrage

        try:
            if self.mode == "passphrase":
                from pyrage import passphrase

                return passphrase.decrypt(data, self._passphrase())
            return pyrage.decrypt(data, self.identities())
        except pyrage.DecryptError:
            if not is_age(data):
                from ipt_cli.errors import DataError

                raise DataError(path, ["not an age-encrypted file"]) from None
            raise IdentityError(f"cannot decrypt {path} with {self.describe()}") from None


def choose_passphrase(folder: Path) -> None:
    """A new passphrase: $IPT_PASSPHRASE, else asked twice on a terminal (then kept for
    the rest of this process)."""
    if os.environ.get(PASSPHRASE_ENV) or not sys.stdin.isatty():
        return  # the environment's, or a clear refusal when the folder is first opened
    import getpass

    first = getpass.getpass("New passphrase for the ipt data folder: ")
    if not first or getpass.getpass("The same again: ") != first:
        raise InputError("the two passphrases differ (or are empty); nothing was changed")
    _passphrases[folder] = first


def load_identities(path: Path) -> list[Any]:
    from pyrage import IdentityError as AgeIdentityError
    from pyrage import x25519

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IdentityError(
            f"no age identity at {path}: restore it from your backup, or set {IDENTITY_ENV}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise IdentityError(f"cannot read the age identity {path}: {error}") from None
    keys = [line.strip() for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-")]
    try:
        found = [x25519.Identity.from_str(key) for key in keys]
    except AgeIdentityError:
        found = []
    if not found:
        raise IdentityError(f"{path} holds no age identity (AGE-SECRET-KEY-1...)")
    return found


def cipher_for(root: Path) -> Cipher | None:
    """The folder's cipher, or None for a plain folder (then pyrage is never imported)."""
    settings_path = root / "encryption.toml"
    try:
        raw = settings_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StorageIOError(f"cannot read {settings_path}: {error.strerror}") from None
    try:
        settings = tomli.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError):
        settings = {}
    mode = settings.get("mode")
    if mode not in ("x25519", "passphrase"):
        from ipt_cli.errors import DataError

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
            recipients = parse_recipients(
                (root / "recipients.txt").read_text(encoding="utf-8"), root / "recipients.txt"
            )
        except OSError as error:
            raise StorageIOError(
                f"cannot read {root / 'recipients.txt'}: {error.strerror}"
            ) from None
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
    import json

    return json.dumps(value)  # a JSON string is a valid TOML basic string


def recipients_text(keys: Iterable[str]) -> str:
    return (
        "# age public keys that can open this data folder, one a line (ipt recipients)\n"
        + "".join(f"{key}\n" for key in keys)
    )


def generate_identity(path: Path) -> str:
    """Write a new age identity to `path` (mode 0600, never over an existing file); its
    public key is returned."""
    import datetime as dt

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
