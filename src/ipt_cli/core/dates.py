"""Dates typed by people."""

from __future__ import annotations

import datetime as dt

from ipt_cli.errors import InputError


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
