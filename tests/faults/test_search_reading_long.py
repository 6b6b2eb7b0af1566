"""The search-reading properties of tests/unit/test_search_reading.py over many more
generated courses: run with the `faults` marker (the quick loop draws 60 of each)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipt_cli.core.models import Course
from tests.unit.test_search_reading import check_a_partial_read, check_the_scanner, courses

pytestmark = pytest.mark.faults

LONG = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])


@LONG
@given(courses(), st.data())
def test_the_scanner_reads_what_the_models_read_long(course: Course, data: st.DataObject) -> None:
    check_the_scanner(course, data)


@LONG
@given(courses(), st.data())
def test_a_search_reads_files_in_part_as_the_models_read_them_long(
    course: Course, data: st.DataObject
) -> None:
    check_a_partial_read(course, data)
