"""Dates typed by people, and today's date. Light: the fast read paths need today."""

from __future__ import annotations

import datetime as dt
import os

from ipt_cli.errors import InputError


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None


def today(environ: dict[str, str] | None = None) -> dt.date:
    """Today's date; IPT_TODAY=YYYY-MM-DD pins it (for tests, demos and backdated work)."""
    env = os.environ if environ is None else environ
    pinned = env.get("IPT_TODAY")
    return parse_date(pinned, "IPT_TODAY") if pinned else dt.date.today()
