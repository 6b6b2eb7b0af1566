"""Optional settings in <data>/config.toml: the parts of scoring on which sources differ.

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
from typing import TYPE_CHECKING

from ipt_cli.core.measures import ScoringRules
from ipt_cli.core.structs import struct

if TYPE_CHECKING:
    from ipt_cli.core.settings import Settings

ALLOWED_SIGNERS = "allowed_signers"  # default file name, in the data folder


@struct(frozen=True)
class SigningConfig:
    """Signing settings of config.toml, paths resolved (relative ones from the data folder)."""

    signer: str | None
    sign_key: Path | None
    allowed_signers: Path


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()  # a dangling link is refused, not ignored


def _settings(path: Path) -> Settings:
    from pydantic import ValidationError

    from ipt_cli.core.settings import Settings
    from ipt_cli.core.validation import describe_validation
    from ipt_cli.errors import DataError
    from ipt_cli.store.format import parse_toml
    from ipt_cli.store.ownership import SETTINGS_LIMIT
    from ipt_cli.store.reading import read_stored_text

    # a regular file of this user's (or their own link to one), at most 1 MiB
    text = read_stored_text(path, limit=SETTINGS_LIMIT)
    try:
        return Settings.model_validate(parse_toml(text, path))
    except ValidationError as error:
        raise DataError(path, describe_validation(error, text=text)) from None


def _resolved(value: str, root: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else root / path


def load_signing(path: Path) -> SigningConfig:
    """The signing settings of the config file at `path` (all optional)."""
    root = path.parent
    if not _exists(path):
        return SigningConfig(None, None, root / ALLOWED_SIGNERS)
    settings = _settings(path)
    return SigningConfig(
        signer=settings.signer,
        sign_key=_resolved(settings.sign_key, root) if settings.sign_key else None,
        allowed_signers=_resolved(settings.allowed_signers or ALLOWED_SIGNERS, root),
    )


def load_rules(path: Path) -> ScoringRules:
    """Scoring rules from the config file; the defaults when there is none (and then
    without importing pydantic: most users have no config file)."""
    if not _exists(path):
        return ScoringRules()
    settings = _settings(path)
    scoring = settings.scoring
    return ScoringRules(
        hamd17_bands=scoring.hamd17_bands,
        reliable_change={str(k): v for k, v in scoring.reliable_change.items()},
        caseness={str(k): v for k, v in scoring.caseness.items()},
        cutoff={str(k): v for k, v in scoring.cutoff.items()},
        not_on_track_percent=settings.outcomes.not_on_track_percent,
    )


def load_sign_within_days(path: Path) -> int:
    """`[record] sign_within_days`: how long a session may wait for its signature."""
    if not _exists(path):
        return 3
    return _settings(path).record.sign_within_days
