"""Turning a data folder's encryption on and off, and changing who can open it.

Every file is converted on its own and atomically; an original is removed only after its
new copy has been written, read back and compared. The switch (`encryption.toml`) is
flipped between the two halves, so a conversion killed at any instant leaves a folder that
opens as it was before, or as it is after: running the command again finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipt_cli.errors import ConflictError, InputError, StorageIOError
from ipt_cli.store import crypto
from ipt_cli.store.courses import CourseStore
from ipt_cli.store.files import atomic_write, make_private_dir, read_bytes
from ipt_cli.store.paths import DataPaths

Progress = Callable[[int, int], None]  # (done, total)
AGE = crypto.AGE_SUFFIX


def _plain_files(paths: DataPaths) -> list[Path]:
    """Course files and backups in plain text."""
    found = []
    if paths.courses.is_dir():
        found += sorted(
            p for p in paths.courses.glob("*.toml") if p.is_file() and not p.name.startswith(".")
        )
    groups = paths.root / "groups"
    if groups.is_dir():
        found += sorted(p for p in groups.glob("*.toml") if p.is_file())
    if paths.backups.is_dir():
        found += sorted(p for p in paths.backups.glob("*/*.toml") if p.is_file())
        found += sorted(p for p in paths.backups.glob("groups/*/*.toml") if p.is_file())
    return [p for p in found if not p.name.startswith(".")]


def _sealed_files(paths: DataPaths) -> list[Path]:
    return [p for p in crypto.encrypted_files(paths.root) if not p.name.startswith(".")]


def _course_of(path: Path, paths: DataPaths) -> str:
    if path.parent == paths.courses:
        return path.name.split(".toml")[0]
    return path.parent.name  # backups/<course-id>/<stamp>.toml[.age]


def _write_checked(
    target: Path, data: bytes, expected: bytes, opened: Callable[[bytes], bytes]
) -> None:
    atomic_write(target, data)
    if opened(read_bytes(target)) != expected:
        target.unlink(missing_ok=True)
        raise StorageIOError(f"{target} did not read back as written; the original is kept")


def _convert(
    store: CourseStore,
    files: list[Path],
    convert: Callable[[Path], None],
    progress: Progress | None,
) -> None:
    for done, path in enumerate(files, 1):
        with store.locked(_course_of(path, store.paths)):
            convert(path)
        if progress is not None:
            progress(done, len(files))


def _write_settings(paths: DataPaths, mode: str, identity: Path | None, keys: list[str]) -> None:
    if mode == "x25519":
        atomic_write(paths.recipients, crypto.recipients_text(keys).encode("utf-8"))
    atomic_write(paths.encryption, crypto.settings_text(mode, identity).encode("utf-8"))


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
    paths = DataPaths(root)
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
    make_private_dir(root)
    store = CourseStore(root)
    files = _plain_files(paths)

    def seal(path: Path) -> None:
        plain = read_bytes(path)
        target = path.with_name(path.name + AGE)
        _write_checked(target, cipher.encrypt(plain), plain, lambda b: cipher.decrypt(b, target))

    _convert(store, files, seal, progress)
    # The default identity is not named: a clone on another machine finds its own there.
    named = None if identity == crypto.default_identity_path() else identity
    _write_settings(paths, mode, named, recipients)  # the switch: from now on .age is read
    for path in files:
        path.unlink(missing_ok=True)
    paths.root.joinpath("index.json").unlink(missing_ok=True)  # rebuilt, encrypted
    return len(files)


def decrypt_folder(root: Path, progress: Progress | None = None) -> int:
    """Write every encrypted course file and backup back in plain text."""
    paths = DataPaths(root)
    cipher = crypto.cipher_for(root)
    if cipher is None:
        raise ConflictError(f"{root} is not encrypted")
    cipher.check()
    store = CourseStore(root)
    files = [p for p in _sealed_files(paths) if p != paths.index]

    def open_(path: Path) -> None:
        plain = cipher.decrypt(read_bytes(path), path)
        target = path.with_name(path.name.removesuffix(AGE))
        _write_checked(target, plain, plain, lambda b: b)

    _convert(store, files, open_, progress)
    paths.encryption.unlink()  # the switch: from now on plain files are read
    paths.recipients.unlink(missing_ok=True)
    (root / crypto.IDENTITY_AGE).unlink(missing_ok=True)  # a passphrase folder's identity
    for path in files:
        path.unlink(missing_ok=True)
    paths.index.unlink(missing_ok=True)
    return len(files)


def change_recipients(
    root: Path, add: list[str], remove: list[str], progress: Progress | None = None
) -> tuple[list[str], int]:
    """Re-encrypt every file for the new set of recipients; returns the set and the count."""
    paths = DataPaths(root)
    old = crypto.cipher_for(root)
    if old is None:
        raise ConflictError(f"{root} is not encrypted; see ipt init --encrypt")
    if old.mode != "x25519":
        raise ConflictError(f"{root} is encrypted with a passphrase: it has no recipients")
    old.check()
    keys = list(old.recipients)
    for key in add:
        crypto.check_recipient(key)
        if key not in keys:
            keys.append(key)
    for key in remove:
        if key not in keys:
            raise InputError(f"{key[:80]!r} is not a recipient of {root}")
        keys.remove(key)
    own = {str(i.to_public()) for i in old.identities()}
    if not own & set(keys):
        raise InputError(
            f"that would leave no key of {old.identity_path} among the recipients: "
            "you could not open your own files"
        )
    new = crypto.Cipher("x25519", keys, old.identity_path, root)
    new._identities = old.identities()
    store = CourseStore(root)
    files = [p for p in _sealed_files(paths) if p != paths.index]

    def reseal(path: Path) -> None:
        plain = old.decrypt(read_bytes(path), path)
        _write_checked(path, new.encrypt(plain), plain, lambda b: new.decrypt(b, path))

    _convert(store, files, reseal, progress)
    atomic_write(paths.recipients, crypto.recipients_text(keys).encode("utf-8"))
    paths.index.unlink(missing_ok=True)  # rebuilt for the new recipients
    return keys, len(files)


def new_identity_path(given: Path | None) -> tuple[Path, bool]:
    """The identity to use, and whether it must be generated."""
    if given is not None:
        return given.expanduser().absolute(), False
    path = crypto.default_identity_path()
    return path, not path.exists()
