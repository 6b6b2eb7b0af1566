"""The validated shape of <data>/config.toml (see config.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Points = Annotated[int, Field(ge=1, le=63)]


class ScoringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    hamd17_bands: Literal["zimmerman", "alternative"] = "zimmerman"
    reliable_change: dict[Literal["phq9", "gad7", "hamd17", "bdi2"], Points] = {}
    caseness: dict[Literal["phq9", "gad7", "hamd17", "bdi2"], Points] = {}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    scoring: ScoringSettings = ScoringSettings()
