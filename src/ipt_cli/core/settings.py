"""The validated shape of <data>/config.toml (see config.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ipt_cli.core.measures import built_from_registry

Points = Annotated[int, Field(ge=1, le=144)]
if TYPE_CHECKING:
    Scored = str
    Screened = str
else:
    # Every instrument of the registry (core/measures.py); for [scoring.cutoff], those with
    # one unnamed cut-off (the PCL-5, the Mini-SPIN): a Literal made from the registry.
    _literal: Any = Literal
    _instruments = built_from_registry("the settings")
    Scored = _literal[tuple(_instruments)]
    Screened = _literal[tuple(i.id for i in _instruments.values() if i.cutoff and not i.cutoffs)]


class ScoringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    hamd17_bands: Literal["zimmerman", "alternative"] = "zimmerman"
    reliable_change: dict[Scored, Points] = {}
    caseness: dict[Scored, Points] = {}
    # A positive screen at or above: PCL-5 probable PTSD (default 33), Mini-SPIN (default 6).
    cutoff: dict[Screened, Points] = {}


Path = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class OutcomeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # A course is judged "not on track" from this share of its planned sessions (percent).
    not_on_track_percent: Annotated[int, Field(ge=10, le=100)] = 50


class RecordSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # A session held longer ago than this and not signed is "unsigned past the limit".
    sign_within_days: Annotated[int, Field(ge=0, le=365)] = 3


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    scoring: ScoringSettings = ScoringSettings()
    outcomes: OutcomeSettings = OutcomeSettings()
    record: RecordSettings = RecordSettings()
    # Signing (docs/signing.md): the name `ipt sign` records when --by is not given, the SSH
    # private key that also signs each hash, and the allowed_signers file that verifies them.
    signer: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    sign_key: Path | None = None
    allowed_signers: Path | None = None
