"""`ipt init`, `ipt encrypt`, `ipt decrypt` and `ipt recipients`: age encryption at rest."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.errors import ConflictError, InputError
from ipt_cli.store.paths import DataPaths

if TYPE_CHECKING:
    from ipt_cli.store.encryption import Progress

RecipientOption = Annotated[
    list[str] | None,
    typer.Option(
        "--recipient",
        metavar="AGE_PUBLIC_KEY",
        help="Also encrypt for this age public key (a supervisor's, a second machine's).",
    ),
]
IdentityOption = Annotated[
    Path | None,
    typer.Option(
        "--identity",
        metavar="FILE",
        help="Your age identity file (default: $IPT_IDENTITY, else one is generated in "
        "ipt's config folder).",
    ),
]
PassphraseOption = Annotated[
    bool,
    typer.Option(
        "--passphrase",
        help="Encrypt with a passphrase (scrypt) instead of keys; asked on a terminal, "
        "or $IPT_PASSPHRASE.",
    ),
]


def _progress(ctx: typer.Context, label: str) -> "Progress":
    """A progress line on stderr, for folders of many courses (nothing for a few)."""

    def show(done: int, total: int) -> None:
        if total >= 20 and sys.stderr.isatty():
            end = "\n" if done == total else ""
            filled = 30 * done // total
            bar = "#" * filled + "-" * (30 - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total} files{end}")
            sys.stderr.flush()

    return show


SYNCED_WARNING = (
    "This folder is synced with git: its history (here and on the remote) still holds the "
    "plain notes committed before. To keep only encrypted data, start a fresh remote: make "
    "a new empty repository, then `rm -rf {root}/.git`, `ipt sync --init NEW_URL` and "
    "`ipt sync`; delete the old remote (and every clone of it)."
)


def _resumed(ctx: typer.Context, root: Path, label: str) -> str | None:
    """Finish a conversion that was killed (from its journal); the command it was."""
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.store.encryption import resume

    done = resume(root, _progress(ctx, label))
    if done is None:
        return None
    journal, count = done
    common.output(ctx).message(f"Finished the interrupted `{journal.command}` ({count} files).")
    return journal.command


def _warn_if_synced(ctx: typer.Context, root: Path) -> None:
    if DataPaths(root).synced:
        common.output(ctx).warn("warning: " + SYNCED_WARNING.format(root=root))


def _turn_on(
    ctx: typer.Context,
    recipients: list[str] | None,
    identity: Path | None,
    passphrase: bool,
    label: str,
) -> None:
    # lazy: keeps tomli and the models (pydantic) off start-up
    from ipt_cli.store import crypto
    from ipt_cli.store.encryption import encrypt_folder, new_identity_path

    root = common.data_paths(ctx).root
    out = common.output(ctx)
    if _resumed(ctx, root, label) == "ipt encrypt":
        out.done(f"Encrypted {root}.")
        _warn_if_synced(ctx, root)
        return
    if passphrase:
        if recipients or identity:
            raise InputError("--passphrase replaces keys: give no --recipient or --identity")
        crypto.choose_passphrase(root)
        count = encrypt_folder(root, "passphrase", [], None, _progress(ctx, label))
        out.done(f"Encrypted {root} with a passphrase ({count} files converted).")
        out.message("Forgetting the passphrase loses the data: there is no way back in.")
        _warn_if_synced(ctx, root)
        return
    keys = [crypto.check_recipient(key) for key in recipients or []]
    path, generate = new_identity_path(identity)
    if generate:
        public = crypto.generate_identity(path)
        out.message(f"Generated an age identity: {path} (mode 0600)")
        out.message(
            "Losing this file loses the data: copy it somewhere safe now (a password "
            "manager, an encrypted USB key), away from this laptop."
        )
    else:
        public = crypto.public_keys_of(path)[0]
    keys = list(dict.fromkeys([public, *keys]))
    count = encrypt_folder(root, "x25519", keys, path, _progress(ctx, label))
    out.done(
        f"Encrypted {root} for {len(keys)} recipient(s) ({count} files converted); identity: {path}"
    )
    _warn_if_synced(ctx, root)


def init(
    ctx: typer.Context,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Encrypt every course file with age.")
    ] = False,
    recipient: RecipientOption = None,
    identity: IdentityOption = None,
    passphrase: PassphraseOption = False,
) -> None:
    """Create the data folder; with --encrypt, keep every course in it encrypted with age."""
    # lazy: keeps store.files (8 modules) off start-up
    from ipt_cli.store.files import make_private_dir

    root = common.data_paths(ctx).root
    if not encrypt:
        if recipient or identity or passphrase:
            raise InputError("--recipient, --identity and --passphrase go with --encrypt")
        make_private_dir(root)
        common.output(ctx).done(f"Data folder: {root}")
        return
    _turn_on(ctx, recipient, identity, passphrase, "Encrypting")


def encrypt(
    ctx: typer.Context,
    recipient: RecipientOption = None,
    identity: IdentityOption = None,
    passphrase: PassphraseOption = False,
) -> None:
    """Encrypt an existing plain data folder (course files and backups), file by file."""
    _turn_on(ctx, recipient, identity, passphrase, "Encrypting")


def decrypt(ctx: typer.Context) -> None:
    """Turn encryption off: every course file and backup back in plain text."""
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.store.encryption import decrypt_folder

    root = common.data_paths(ctx).root
    if _resumed(ctx, root, "Decrypting") == "ipt decrypt":
        common.output(ctx).done(f"Decrypted {root}.")
        return
    count = decrypt_folder(root, _progress(ctx, "Decrypting"))
    common.output(ctx).done(f"Decrypted {root} ({count} files now in plain text).")


recipients_app = typer.Typer(
    name="recipients",
    help="List, add or remove the age public keys that can open the data folder.",
    epilog="Examples:\n\n  ipt recipients list\n\n  ipt recipients add age1...\n\n  "
    "ipt recipients remove age1...",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@recipients_app.command("list")
def list_recipients(ctx: typer.Context) -> None:
    """The public keys every file is encrypted for."""
    # lazy: the cipher (and tomli) only for an encrypted folder
    from ipt_cli.store.crypto import cipher_for

    root = common.data_paths(ctx).root
    cipher = cipher_for(root)
    if cipher is None or cipher.mode != "x25519":
        raise ConflictError(f"{root} has no recipients (see ipt init --encrypt)")
    for key in cipher.recipients:
        common.output(ctx).data(key + "\n")


def _change(ctx: typer.Context, add: list[str], remove: list[str]) -> None:
    # lazy: keeps tomli and the models (pydantic) off start-up
    from ipt_cli.store.crypto import normal_recipient
    from ipt_cli.store.encryption import change_recipients

    root = common.data_paths(ctx).root
    out = common.output(ctx)
    verb, key = ("add", add[0]) if add else ("remove", remove[0])
    command = f"ipt recipients {verb} {normal_recipient(key)}"
    if _resumed(ctx, root, "Re-encrypting") == command:
        out.done("Re-encrypted every file.")
        return
    keys, count = change_recipients(root, add, remove, _progress(ctx, "Re-encrypting"), command)
    if count is None:
        out.done(f"{normal_recipient(key)} is already a recipient: nothing was changed.")
        return
    out.done(f"Re-encrypted {count} files for {len(keys)} recipient(s).")


@recipients_app.command("add")
def add_recipient(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="AGE_PUBLIC_KEY")],
) -> None:
    """Add a public key and re-encrypt every file for it."""
    _change(ctx, [key], [])


@recipients_app.command("remove")
def remove_recipient(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="AGE_PUBLIC_KEY")],
) -> None:
    """Remove a public key and re-encrypt every file without it (copies it could already
    read stay readable to it: rotate what matters)."""
    _change(ctx, [], [key])


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt init\n\n  ipt init --encrypt\n\n  ipt init --encrypt "
        "--recipient age1... --identity ~/.config/ipt/identity.txt"
    )(init)
    app.command(epilog="Example:\n\n  ipt encrypt --recipient age1...")(encrypt)
    app.command(epilog="Example:\n\n  ipt decrypt")(decrypt)
    app.add_typer(recipients_app)


@recipients_app.command("accept")
def accept_recipients(ctx: typer.Context) -> None:
    """Accept the remote's change to recipients.txt or encryption.toml (shown first): a
    synced folder takes it at the next ipt sync, never silently."""
    # lazy: keeps tomli off start-up
    from ipt_cli.store.sync import accept_recipients as accept

    names, difference = accept(common.data_paths(ctx).root)
    out = common.output(ctx)
    if not names:
        out.done("The remote has not changed recipients.txt or encryption.toml: nothing to accept.")
        return
    out.message(difference.rstrip("\n"))
    out.done(f"Accepted the remote's {', '.join(names)}; ipt sync now takes it.")
