"""The risk-state invariants of tests/unit/test_risk_invariants.py over many more random
histories (issue 26): run with the `faults` marker."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_risk_invariants import check_views, history, run_history

pytestmark = pytest.mark.faults

LONG = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@LONG
@given(st.integers(0, 3), history)
def test_every_view_renders_one_risk_state_long(
    baseline_risk: int, ops: list[tuple[Any, ...]]
) -> None:
    check_views(run_history(baseline_risk, ops))
