"""The validated shape of <data>/config.toml (see config.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Points = Annotated[int, Field(ge=1, le=144)]
Scored = Literal["phq9", "gad7", "hamd17", "bdi2", "pcl5", "mini_spin", "lsas"]


class ScoringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    hamd17_bands: Literal["zimmerman", "alternative"] = "zimmerman"
    reliable_change: dict[Scored, Points] = {}
    caseness: dict[Scored, Points] = {}
    # A positive screen at or above: PCL-5 probable PTSD (default 33), Mini-SPIN (default 6).
    cutoff: dict[Literal["pcl5", "mini_spin"], Points] = {}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    scoring: ScoringSettings = ScoringSettings()
