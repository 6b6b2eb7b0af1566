"""Optional settings in config.toml: the parts of scoring on which sources differ, the
signer and the signing key.

Two files are read, both optional: the user's own, where the platform keeps configuration
(`platformdirs.user_config_path("ipt") / "config.toml"`: `~/.config/ipt/config.toml` on
Linux, or under $XDG_CONFIG_HOME), and the data folder's `<data>/config.toml`. The data
folder's wins, key by key (a table's keys one by one): a synced folder shares its settings
with every machine, and a machine's own file fills in what it leaves unset. Except who signs
and with which key (`signer`, `sign_key`): set in the user's file, those are the user's.
Both pass the same gate (store/ownership.py): a regular file of this user's, or this user's
link to one, at most 1 MiB. A relative path in either (sign_key, allowed_signers) is read
from the folder of the file that names it.

[scoring]
hamd17_bands = "alternative"     # or "zimmerman" (default)

[scoring.reliable_change]        # points of change counted as reliable
phq9 = 6
gad7 = 4

[scoring.caseness]               # a total at or above this is a clinical case
phq9 = 10
gad7 = 8

[scoring.reliable_change] also takes pcl5 (default 10; sources give 5-10), mini_spin, lsas,
epds (default 4, Matthey 2004) and phqa (default 6, the PHQ-9's); [scoring.caseness] phqa
(default 10, the PHQ-9's); asrm (no default: no source gives one).

[scoring.cutoff]                 # a positive screen at or above this ("above_cutoff")
pcl5 = 33                        # probable PTSD; sources give 31-33
mini_spin = 6

[outcomes]
not_on_track_percent = 50        # judge "not on track" from this share of the planned sessions

[record]
sign_within_days = 3             # a session older than this and unsigned is overdue

and, for signed sessions (docs/signing.md), at the top of the file:

signer = "Dr K."                       # the name `ipt sign` records without --by
sign_key = "~/.ssh/id_ed25519"         # also sign each hash with this SSH key
allowed_signers = "allowed_signers"    # who may sign (default: <data>/allowed_signers)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipt_cli.core.measures import ScoringRules
from ipt_cli.core.structs import struct
from ipt_cli.errors import DataError
from ipt_cli.store.ownership import SETTINGS_LIMIT

if TYPE_CHECKING:
    from ipt_cli.core.settings import Settings

ALLOWED_SIGNERS = "allowed_signers"  # default file name, in the data folder


@struct(frozen=True)
class SigningConfig:
    """Signing settings of config.toml, paths resolved (relative ones from the data folder)."""

    signer: str | None
    sign_key: Path | None
    allowed_signers: Path
    sign_key_from: Path | None = None  # the config file that set sign_key (for messages)
    # PERSONAL_KEYS a synced folder's own config.toml set and that were not used: who
    # signs, and with which key, is the user's own file's to say there (load_signing).
    ignored: tuple[str, ...] = ()


def user_config_path() -> Path:
    """The user's own config.toml, where the platform keeps configuration (XDG_CONFIG_HOME
    on Linux): read under the data folder's, which wins."""
    # lazy: keeps platformdirs off start-up
    import platformdirs

    return platformdirs.user_config_path("ipt") / "config.toml"


def where(data_config: Path, user: Path | None = None, personal: bool = False) -> str:
    """Both config files, named in full for a message ("set X in ..."); `personal`: a key
    of PERSONAL_KEYS, where the user's file wins."""
    user = user_config_path() if user is None else user
    if personal:
        return f"{user} (yours, which wins; or {data_config})"
    return f"{user} (or {data_config}, which wins)"


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()  # a dangling link is refused, not ignored


def _read(path: Path) -> dict[str, Any]:
    """One config file's table, checked on its own (so that an error names its file)."""
    # lazy: keeps the models (pydantic) and tomli off start-up
    from pydantic import ValidationError

    from ipt_cli.core.settings import Settings
    from ipt_cli.core.validation import describe_validation
    from ipt_cli.store.format import parse_toml
    from ipt_cli.store.reading import read_stored_text

    # a regular file of this user's (or their own link to one), at most 1 MiB
    text = read_stored_text(path, limit=SETTINGS_LIMIT)
    table = parse_toml(text, path)
    try:
        Settings.model_validate(table)
    except ValidationError as error:
        raise DataError(path, describe_validation(error, Settings, text=text)) from None
    return table


def check_file(path: Path) -> None:
    """Raise the error, naming `path`, that this one config file would give when read."""
    _read(path)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` wins key by key, tables merged key by key too."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        both = isinstance(value, dict) and isinstance(below, dict)
        merged[key] = _merge(below, value) if both else value  # type: ignore[arg-type]
    return merged


# A person's own: set in the user's file, these win over a (shared) data folder's, so that
# a folder's settings never sign a session under another name or key.
PERSONAL_KEYS = frozenset({"signer", "sign_key"})


@struct(frozen=True)
class _Loaded:
    settings: Settings
    origin: dict[str, Path]  # each top-level key: the file that set it


def _load(data_config: Path, user: Path | None) -> _Loaded | None:
    """The settings of both files, the data folder's winning; None when neither exists."""
    files = [user_config_path() if user is None else user, data_config]
    tables = [(path, _read(path)) for path in files if _exists(path)]
    if not tables:
        return None
    # lazy: keeps pydantic off start-up
    from ipt_cli.core.settings import Settings

    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for path, table in tables:
        merged = _merge(merged, table)
        origin.update(dict.fromkeys(table, path))
    mine = dict(tables[0][1]) if tables[0][0] == files[0] else {}
    for key in PERSONAL_KEYS.intersection(mine):  # who signs, and with which key: yours
        merged[key], origin[key] = mine[key], files[0]
    return _Loaded(Settings.model_validate(merged), origin)


def _resolved(value: str, root: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else root / path


def load_signing(path: Path, user: Path | None = None, *, synced: bool = False) -> SigningConfig:
    """The signing settings of the config files (the data folder's at `path`, the user's
    at `user`, default `user_config_path()`), all optional. The allowed_signers file is
    the data folder's unless one of them names another. `synced`: the data folder is a git
    repository whose config.toml other machines change, so its `signer` and `sign_key` are
    not used (listed in `ignored`): a pulled file never signs under another name or key."""
    root = path.parent
    loaded = _load(path, user)
    if loaded is None:
        return SigningConfig(None, None, root / ALLOWED_SIGNERS)
    settings, origin = loaded.settings, loaded.origin
    ignored = tuple(sorted(k for k in PERSONAL_KEYS if synced and origin.get(k) == path))
    sign_key = settings.sign_key if "sign_key" not in ignored else None
    return SigningConfig(
        signer=settings.signer if "signer" not in ignored else None,
        sign_key=_resolved(sign_key, origin["sign_key"].parent) if sign_key else None,
        allowed_signers=(
            _resolved(settings.allowed_signers, origin["allowed_signers"].parent)
            if settings.allowed_signers
            else root / ALLOWED_SIGNERS
        ),
        sign_key_from=origin.get("sign_key"),
        ignored=ignored,
    )


def load_rules(path: Path, user: Path | None = None) -> ScoringRules:
    """Scoring rules from the config files; the defaults when there is none (and then
    without importing pydantic: most users have no config file)."""
    loaded = _load(path, user)
    if loaded is None:
        return ScoringRules()
    settings = loaded.settings
    scoring = settings.scoring
    return ScoringRules(
        hamd17_bands=scoring.hamd17_bands,
        reliable_change={str(k): v for k, v in scoring.reliable_change.items()},
        caseness={str(k): v for k, v in scoring.caseness.items()},
        cutoff={str(k): v for k, v in scoring.cutoff.items()},
        not_on_track_percent=settings.outcomes.not_on_track_percent,
    )


def load_sign_within_days(path: Path, user: Path | None = None) -> int:
    """`[record] sign_within_days`: how long a session may wait for its signature."""
    loaded = _load(path, user)
    return 3 if loaded is None else loaded.settings.record.sign_within_days
