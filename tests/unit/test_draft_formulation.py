"""The wizard's draft formulation names the people who matter as a person would."""

from __future__ import annotations

import datetime as dt

from ipt_cli.core.assessment import draft_formulation
from ipt_cli.core.models import Person

DAY = dt.date(2026, 1, 5)


def _people(*names: str) -> list[Person]:
    return [Person(name=n, relationship="friend", ring=1) for n in names]


def test_the_draft_joins_the_people_who_matter_with_and() -> None:
    text = draft_formulation(["grief"], _people("Sam", "Mum"), [], DAY, DAY)
    assert "The people who matter most here are Sam and Mum." in text
    text = draft_formulation(["grief"], _people("Sam", "Mum", "Jo", "Al"), [], DAY, DAY)
    assert "are Sam, Mum and Jo." in text  # the first three
    text = draft_formulation(["grief"], _people("Sam"), [], DAY, DAY)
    assert "The person who matters most here is Sam." in text
