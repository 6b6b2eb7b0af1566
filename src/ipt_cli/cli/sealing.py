"""What the commands that add to the clinical record share: the time of a signature, the
signer's name and the key signer, from <data>/config.toml (docs/signing.md)."""

import datetime as dt
import os
from typing import TYPE_CHECKING

import typer

from ipt_cli.cli import common
from ipt_cli.errors import InputError
from ipt_cli.store.config import load_signing, user_config_path, where

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.signing import Sealer
    from ipt_cli.store.config import SigningConfig


def now() -> "dt.datetime":
    """The time of a signature, in UTC; with IPT_TODAY pinned, on that day (at the real time
    of day), so that a backdated record is signed on the day it is dated."""
    real = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if not os.environ.get("IPT_TODAY"):
        return real
    day = common.today()
    return real.replace(year=day.year, month=day.month, day=day.day)


def recorded_now() -> "dt.datetime":
    """The wall-clock time an entry is written (UTC, to the microsecond; IPT_TODAY does not
    move it): the order reviews were recorded in, which decides the standing risk level."""
    return dt.datetime.now(dt.UTC)


def wall_clock() -> "dt.datetime":
    """The real time, in UTC, whatever IPT_TODAY says: kept beside a signature's date."""
    return recorded_now().replace(microsecond=0)


def config(ctx: typer.Context) -> "SigningConfig":
    """The signing settings; in a synced folder, who signs and with which key only from
    the user's own file (store/config.py load_signing)."""
    paths = common.data_paths(ctx)
    return load_signing(paths.config, synced=paths.synced)


def signer(ctx: typer.Context, by: str | None) -> str | None:
    """--by, else `signer` in config.toml, else None."""
    return by or config(ctx).signer


def _not_yours(key: str) -> str:
    return (
        f"the synced folder's config.toml sets {key}, which other machines can change, so "
        f"it is not used: set {key} in your own {user_config_path()}"
    )


def required_signer(ctx: typer.Context, by: str | None) -> str:
    if by:
        return by
    settings = config(ctx)  # the config files read once
    if settings.signer:
        return settings.signer
    if "signer" in settings.ignored:
        raise InputError(f"who signs? give --by NAME; {_not_yours('signer')}")
    raise InputError(
        f'who signs? give --by NAME, or set signer = "NAME" in '
        f"{where(common.data_paths(ctx).config, personal=True)}"
    )


def sealer(ctx: typer.Context) -> "Sealer":
    """The key signer of config.toml's sign_key, made when a link is first sealed (so that a
    change that seals nothing never needs the key or ssh-keygen); it signs nothing without
    a sign_key. Any failure abandons the change: nothing is saved."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.store import ssh_signatures

    made: list[Sealer | None] = []

    def seal(hash_hex: str) -> tuple[str, str] | None:
        if not made:
            settings = config(ctx)
            if "sign_key" in settings.ignored:  # unsigned links would fail `ipt verify`
                raise InputError(f"nothing was signed: {_not_yours('sign_key')}")
            made.append(ssh_signatures.sealer(settings, common.output(ctx).warn))
        real = made[0]
        return real(hash_hex) if real is not None else None

    return seal
