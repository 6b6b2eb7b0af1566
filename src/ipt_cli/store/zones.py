"""Time zones by IANA name (Europe/London), from the system's zone database or the tzdata
package: reading them is reading files, so it lives here rather than in the core."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ipt_cli.errors import InputError


def time_zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder (Europe)
        raise InputError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/London or UTC"
        ) from None
