"""Turning a data folder's encryption on and off, and changing who can open it.

A conversion holds the folder lock exclusive from start to end: writers (which hold it
shared) wait, then write in the folder's new form; none is lost and none is written in the
old form after the switch. Every file is converted on its own and atomically; an original
is removed only after its new copy has been written, read back and compared. The switch
(`encryption.toml`) is flipped between the two halves, so a conversion killed at any instant
leaves a folder that opens as it was before, or as it is after.

A journal (store/conversion.py) is written before the first file and removed after the
last: a rerun of the command finishes a killed conversion from its journal (with the
settings it started with), and until then every other write is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ipt_cli.errors import ConflictError, DataError, InputError, StorageIOError
from ipt_cli.store import crypto
from ipt_cli.store.conversion import Journal, read_journal, remove_journal, write_journal
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.files import (
    LOCK_TIMEOUT_SECONDS,
    atomic_write,
    hold_lock,
    make_private_dir,
    read_bytes,
)
from ipt_cli.store.paths import DataPaths

Progress = Callable[[int, int], None]  # (done, total)
AGE = crypto.AGE_SUFFIX
BUSY = "cannot convert the data folder while other ipt commands write in it"


def plain_files(paths: DataPaths) -> list[Path]:
    """Course files, group files and their backups in plain text."""
    found = []
    if paths.courses.is_dir():
        found += sorted(p for p in paths.courses.glob("*.toml") if p.is_file())
    groups = paths.root / "groups"
    if groups.is_dir():
        found += sorted(p for p in groups.glob("*.toml") if p.is_file())
    if paths.backups.is_dir():
        found += sorted(p for p in paths.backups.glob("*/*.toml") if p.is_file())
        found += sorted(p for p in paths.backups.glob("groups/*/*.toml") if p.is_file())
    drafts = paths.edits / "drafts"  # the wizard's (store/drafts.py): clinical text too
    if drafts.is_dir():
        found += sorted(p for p in drafts.glob("*.json") if p.is_file())
    return [p for p in found if not p.name.startswith(".")]


def sealed_files(paths: DataPaths) -> list[Path]:
    """Course files, group files and their backups in age (not the list index)."""
    return [
        p
        for p in crypto.encrypted_files(paths.root)
        if not p.name.startswith(".") and p.parent != paths.root
    ]


def _lock_of(path: Path, paths: DataPaths) -> Path:
    """The lock of the course or group a file belongs to (held while it is converted, so
    that `ipt doctor --fix` never takes a conversion's temp file for a stray one)."""
    relative = path.relative_to(paths.root).parts
    if relative[0] == "courses":
        return paths.lock_file(path.name.split(".toml")[0])
    if relative[0] == "edits":  # edits/drafts/<course-id>.json[.age]
        return paths.lock_file(path.name.split(".json")[0])
    if relative[0] == "groups":
        return paths.locks / "groups" / f"{path.name.split('.toml')[0]}.lock"
    if relative[1] == "groups":  # backups/groups/<group-id>/<stamp>.toml[.age]
        return paths.locks / "groups" / f"{path.parent.name}.lock"
    return paths.lock_file(path.parent.name)  # backups/<course-id>/<stamp>.toml[.age]


def _write_checked(
    target: Path, data: bytes, expected: bytes, opened: Callable[[bytes], bytes]
) -> None:
    atomic_write(target, data)
    if opened(read_bytes(target)) != expected:
        target.unlink(missing_ok=True)
        raise StorageIOError(f"{target} did not read back as written; the original is kept")


def _convert(
    paths: DataPaths,
    files: list[Path],
    convert: Callable[[Path], None],
    progress: Progress | None,
) -> None:
    make_private_dir(paths.locks / "groups")
    for done, path in enumerate(files, 1):
        with hold_lock(_lock_of(path, paths), LOCK_TIMEOUT_SECONDS, BUSY):
            convert(path)
        if progress is not None:
            progress(done, len(files))


@contextmanager
def _whole_folder(root: Path) -> Iterator[CourseStore]:
    """The folder lock held exclusive for a whole conversion (writers wait for it)."""
    store = CourseStore(root)
    with store.folder_locked(exclusive=True, busy=BUSY):
        yield store


def _cipher_of(journal: Journal, root: Path) -> crypto.Cipher:
    identity = None if journal.identity is None else Path(journal.identity)
    cipher = crypto.Cipher(journal.mode, journal.recipients, identity, root)
    cipher.check()
    return cipher


def _opens_to(cipher: crypto.Cipher, path: Path, expected: bytes) -> bool:
    """Whether `path` exists and opens to `expected` (a file converted before a kill)."""
    if not path.is_file():
        return False
    try:
        return cipher.decrypt(read_bytes(path), path) == expected
    except DataError:  # not age at all; a wrong identity or passphrase is refused
        return False


def _finish_encrypt(paths: DataPaths, journal: Journal, progress: Progress | None) -> int:
    """Seal every plain file beside itself, flip the switch, remove the plain files."""
    cipher = _cipher_of(journal, paths.root)
    files = plain_files(paths)

    def seal(path: Path) -> None:
        plain = read_bytes(path)
        target = path.with_name(path.name + AGE)
        if _opens_to(cipher, target, plain):
            return  # sealed before the kill
        _write_checked(target, cipher.encrypt(plain), plain, lambda b: cipher.decrypt(b, target))

    _convert(paths, files, seal, progress)
    named = None if journal.named_identity is None else Path(journal.named_identity)
    if journal.mode == "x25519":
        atomic_write(paths.recipients, crypto.recipients_text(journal.recipients).encode())
    atomic_write(paths.encryption, crypto.settings_text(journal.mode, named).encode("utf-8"))
    paths.forget_encryption()  # the switch: from now on .age is read
    for path in files:
        path.unlink(missing_ok=True)
    paths.root.joinpath("index.json").unlink(missing_ok=True)  # rebuilt, encrypted
    paths.root.joinpath("index.json" + AGE).unlink(missing_ok=True)
    remove_journal(paths)
    return len(files)


def _finish_decrypt(paths: DataPaths, journal: Journal, progress: Progress | None) -> int:
    """Open every sealed file beside itself, flip the switch, remove the sealed files."""
    cipher = _cipher_of(journal, paths.root)
    files = sealed_files(paths)

    def open_(path: Path) -> None:
        plain = cipher.decrypt(read_bytes(path), path)
        target = path.with_name(path.name.removesuffix(AGE))
        if target.is_file() and read_bytes(target) == plain:
            return  # opened before the kill
        _write_checked(target, plain, plain, lambda b: b)

    _convert(paths, files, open_, progress)
    paths.encryption.unlink(missing_ok=True)  # the switch: from now on plain files are read
    paths.forget_encryption()
    paths.recipients.unlink(missing_ok=True)
    paths.root.joinpath(crypto.IDENTITY_AGE).unlink(missing_ok=True)  # a passphrase identity
    for path in files:
        path.unlink(missing_ok=True)
    paths.root.joinpath("index.json" + AGE).unlink(missing_ok=True)
    remove_journal(paths)
    return len(files)


def _finish_rekey(paths: DataPaths, journal: Journal, progress: Progress | None) -> int:
    """Seal every file again for the journal's recipients, then write recipients.txt."""
    cipher = _cipher_of(journal, paths.root)  # its identity opens both old and new files
    files = sealed_files(paths)

    def reseal(path: Path) -> None:
        plain = cipher.decrypt(read_bytes(path), path)
        _write_checked(path, cipher.encrypt(plain), plain, lambda b: cipher.decrypt(b, path))

    paths.root.joinpath("index.json" + AGE).unlink(missing_ok=True)  # rebuilt for the new keys
    _convert(paths, files, reseal, progress)
    atomic_write(paths.recipients, crypto.recipients_text(journal.recipients).encode("utf-8"))
    remove_journal(paths)
    return len(files)


def _finish(paths: DataPaths, journal: Journal, progress: Progress | None) -> int:
    if journal.operation == "encrypt":
        if journal.mode == "passphrase" and not paths.encrypted:
            crypto.choose_passphrase(paths.root)  # asked twice: nothing is sealed with it yet
        return _finish_encrypt(paths, journal, progress)
    if journal.operation == "decrypt":
        return _finish_decrypt(paths, journal, progress)
    return _finish_rekey(paths, journal, progress)


def resume(root: Path, progress: Progress | None = None) -> tuple[Journal, int] | None:
    """Finish a conversion that was killed (its journal, and how many files), if any."""
    if not (root / "locks").is_dir():
        return None
    with _whole_folder(root) as store:
        journal = read_journal(store.paths)
        if journal is None:
            return None
        return journal, _finish(store.paths, journal, progress)


def encrypt_folder(
    root: Path,
    mode: str,
    recipients: list[str],
    identity: Path | None,
    progress: Progress | None = None,
) -> int:
    """Encrypt every plain course file and backup of the folder; returns how many files.

    The new settings are checked first: the identity must open what the recipients seal.
    """
    make_private_dir(root)
    with _whole_folder(root) as store:
        paths = store.paths
        journal = read_journal(paths)
        if journal is not None:
            _finish(paths, journal, None)
        if paths.encrypted:
            raise ConflictError(
                f"{root} is already encrypted; ipt recipients add|remove changes who can open it"
            )
        cipher = crypto.Cipher(mode, recipients, identity, root)
        cipher.check()
        probe = b"ipt"
        if cipher.decrypt(cipher.encrypt(probe), paths.encryption) != probe:  # pragma: no cover
            raise InputError("the identity cannot open what the recipients seal")
        if mode == "x25519" and identity is not None:
            own = set(crypto.public_keys_of(identity))
            if not own & set(recipients):
                raise InputError(
                    f"none of the recipients is the public key of {identity}: you could not "
                    "open your own files"
                )
        # The default identity is not named: a clone on another machine finds its own there.
        named = None if identity == crypto.default_identity_path() else identity
        journal = Journal(
            "encrypt",
            "ipt encrypt",
            mode,
            recipients,
            None if identity is None else str(identity),
            None if named is None else str(named),
        )
        write_journal(paths, journal)
        return _finish_encrypt(paths, journal, progress)


def decrypt_folder(root: Path, progress: Progress | None = None) -> int:
    """Write every encrypted course file and backup back in plain text."""
    with _whole_folder(root) as store:
        paths = store.paths
        journal = read_journal(paths)
        if journal is not None:
            _finish(paths, journal, None)
        cipher = crypto.cipher_for(root)
        if cipher is None:
            raise ConflictError(f"{root} is not encrypted")
        cipher.check()
        journal = Journal(
            "decrypt",
            "ipt decrypt",
            cipher.mode,
            list(cipher.recipients),
            None if cipher.identity_path is None else str(cipher.identity_path),
        )
        write_journal(paths, journal)
        return _finish_decrypt(paths, journal, progress)


def change_recipients(
    root: Path,
    add: list[str],
    remove: list[str],
    progress: Progress | None = None,
    command: str = "ipt recipients",
) -> tuple[list[str], int | None]:
    """Re-encrypt every file for the new set of recipients; returns the set and the count
    of files (None when the set did not change: a key added twice)."""
    with _whole_folder(root) as store:
        paths = store.paths
        journal = read_journal(paths)
        if journal is not None:
            _finish(paths, journal, None)
        old = crypto.cipher_for(root)
        if old is None:
            raise ConflictError(f"{root} is not encrypted; see ipt init --encrypt")
        if old.mode != "x25519":
            raise ConflictError(f"{root} is encrypted with a passphrase: it has no recipients")
        old.check()
        keys = list(old.recipients)
        for key in add:
            key = crypto.check_recipient(key)
            if key not in keys:
                keys.append(key)
        for key in remove:
            key = crypto.normal_recipient(key)
            if key not in keys:
                raise InputError(f"{key[:80]!r} is not a recipient of {root}")
            keys.remove(key)
        if keys == old.recipients:
            return keys, None
        own = {str(i.to_public()) for i in old.identities()}
        if not own & set(keys):
            raise InputError(
                f"that would leave no key of {old.identity_path} among the recipients: "
                "you could not open your own files"
            )
        identity = None if old.identity_path is None else str(old.identity_path)
        journal = Journal("recipients", command, "x25519", keys, identity)
        write_journal(paths, journal)
        return keys, _finish_rekey(paths, journal, progress)


def new_identity_path(given: Path | None) -> tuple[Path, bool]:
    """The identity to use, and whether it must be generated."""
    if given is not None:
        return given.expanduser().absolute(), False
    path = crypto.default_identity_path()
    return path, not path.exists()
