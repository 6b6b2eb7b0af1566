"""Optional settings in <data>/config.toml: the parts of scoring on which sources differ.

    [scoring]
    hamd17_bands = "alternative"     # or "zimmerman" (default)

    [scoring.reliable_change]        # points of change counted as reliable
    phq9 = 6
    gad7 = 4
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ipt_cli.errors import DataError
from ipt_cli.measures import ScoringRules
from ipt_cli.storage import describe_validation, read_text

Points = Annotated[int, Field(ge=1, le=63)]


class ScoringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    hamd17_bands: Literal["zimmerman", "alternative"] = "zimmerman"
    reliable_change: dict[Literal["phq9", "gad7", "hamd17", "bdi2"], Points] = {}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    scoring: ScoringSettings = ScoringSettings()


def load_rules(path: Path) -> ScoringRules:
    """Scoring rules from the config file; the defaults when there is none."""
    if not path.exists():
        return ScoringRules()
    try:
        settings = Settings.model_validate(tomllib.loads(read_text(path)))
    except tomllib.TOMLDecodeError as error:
        raise DataError(path, [f"not valid TOML: {error}"]) from None
    except ValidationError as error:
        raise DataError(path, describe_validation(error)) from None
    scoring = settings.scoring
    return ScoringRules(hamd17_bands=scoring.hamd17_bands,
                        reliable_change={str(k): v for k, v in scoring.reliable_change.items()})
