"""Optional settings in <data>/config.toml: the parts of scoring on which sources differ.

[scoring]
hamd17_bands = "alternative"     # or "zimmerman" (default)

[scoring.reliable_change]        # points of change counted as reliable
phq9 = 6
gad7 = 4

[scoring.caseness]               # a total at or above this is a clinical case
phq9 = 10
gad7 = 8

[scoring.reliable_change] also takes pcl5 (default 10; sources give 5-10), mini_spin, lsas.

[scoring.cutoff]                 # a positive screen at or above this ("above_cutoff")
pcl5 = 33                        # probable PTSD; sources give 31-33
mini_spin = 6
"""

from __future__ import annotations

from pathlib import Path

from ipt_cli.core.measures import ScoringRules


def load_rules(path: Path) -> ScoringRules:
    """Scoring rules from the config file; the defaults when there is none (and then
    without importing pydantic: most users have no config file)."""
    if not path.exists():
        return ScoringRules()
    import tomllib

    from pydantic import ValidationError

    from ipt_cli.core.settings import Settings
    from ipt_cli.core.validation import describe_validation
    from ipt_cli.errors import DataError
    from ipt_cli.store.courses import read_text

    try:
        settings = Settings.model_validate(tomllib.loads(read_text(path)))
    except tomllib.TOMLDecodeError as error:
        raise DataError(path, [f"not valid TOML: {error}"]) from None
    except ValidationError as error:
        raise DataError(path, describe_validation(error)) from None
    scoring = settings.scoring
    return ScoringRules(
        hamd17_bands=scoring.hamd17_bands,
        reliable_change={str(k): v for k, v in scoring.reliable_change.items()},
        caseness={str(k): v for k, v in scoring.caseness.items()},
        cutoff={str(k): v for k, v in scoring.cutoff.items()},
    )
