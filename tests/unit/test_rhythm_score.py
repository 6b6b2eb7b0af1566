"""The SRM-5 regularity score (docs/clinical-rules.md): anchors done on >= 3 days in a week
get a habitual time (their mean); a time within 45 minutes of it is a hit; the week's score
is the hits per counted anchor, 0-7."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ipt_cli.core import rhythm
from ipt_cli.core.models import RhythmEntry

END = dt.date(2026, 2, 8)


def day(offset: int, **times: str | int) -> RhythmEntry:
    fields: dict[str, object] = {"date": END - dt.timedelta(days=offset)}
    for anchor, value in times.items():
        if anchor == "mood":
            fields["mood"] = value
        else:
            hours, minutes = str(value).split(":")
            fields[anchor] = dt.time(int(hours), int(minutes))
    return RhythmEntry.model_validate(fields)


ALL_SAME = {
    "out_of_bed": "07:00",
    "first_contact": "08:00",
    "start_activity": "09:00",
    "dinner": "18:30",
    "to_bed": "23:00",
}


def test_a_perfectly_regular_week_scores_seven() -> None:
    week = rhythm.weeks([day(n, **ALL_SAME, mood=1) for n in range(7)], 1)[0]
    assert week.srm == 7 and week.hits == 35 and len(week.counted) == 5
    assert week.hits_per_day == 5 and week.mood == 1
    assert (week.start, week.end) == (END - dt.timedelta(days=6), END)


def test_a_time_more_than_45_minutes_from_the_mean_is_a_miss() -> None:
    # Six days at 07:00 and one at 09:00: the 09:00 is an outlier (more than 1.5 SD from
    # the mean 07:17), so the habitual time is 07:00; 09:00 is 120 min away (a miss).
    days = [day(n, out_of_bed="07:00") for n in range(6)] + [day(6, out_of_bed="09:00")]
    week = rhythm.weeks(days, 1)[0]
    assert week.counted[0].hits == 6 and week.srm == 6


REGULAR_BUT_BED = {k: v for k, v in ALL_SAME.items() if k != "to_bed"}


def test_the_outlier_step_six_bedtimes_at_2240_and_one_at_0400() -> None:
    # The example: 04:00 counts as 28:00 (late evening), lies more than 1.5 SD from
    # the week's mean, is dropped, and the habitual bedtime is 22:40: six hits. With the
    # other four anchors regular (7 hits each) the SRM is (6 + 28) / 5 = 6.8. Without the
    # step the mean would be 23:26 and no 22:40 would be within 45 minutes of it.
    days = [day(n, **REGULAR_BUT_BED, to_bed="22:40") for n in range(6)]
    days.append(day(6, **REGULAR_BUT_BED, to_bed="04:00"))
    week = rhythm.weeks(days, 1)[0]
    bed = next(a for a in week.anchors if a.anchor == "to_bed")
    assert rhythm.clock(bed.habitual or 0) == "22:40" and bed.hits == 6
    assert week.srm == pytest.approx(6.8) and week.hits == 34


def test_the_worked_example_checked_by_the_ray_scoring_script_gives_5_hits() -> None:
    times = ["06:00", "05:50", "08:01", "07:55", "05:45", "05:50", "05:50"]
    week = rhythm.weeks([day(n, out_of_bed=t) for n, t in enumerate(times)], 1)[0]
    assert week.counted[0].hits == 5 and week.srm == 5


def test_habitual_time_keeps_a_week_with_an_sd_of_10_minutes_or_less_whole() -> None:
    # 22:00 six times and 22:20 once: SD 7.6 minutes, nothing dropped (mean 22:02:51).
    assert rhythm.habitual_time([1320] * 6 + [1340]) == pytest.approx(1322.86, abs=0.01)
    # 22:00 six times and 22:30 once: SD 11.3 minutes; 22:30 is 1.5 SD from 22:04 or more:
    # dropped from the habitual time (22:00) but still a hit, within 45 minutes of it.
    assert rhythm.habitual_time([1320] * 6 + [1350]) == 1320
    days = [day(n, to_bed="22:00") for n in range(6)] + [day(6, to_bed="22:30")]
    assert rhythm.weeks(days, 1)[0].hits == 7


def test_a_far_time_among_five_is_dropped_and_three_times_are_never_trimmed() -> None:
    # 0, 0, 0, 0 and x: z of x is (n-1)/sqrt(n) = 4/sqrt(5) = 1.79 > 1.5 (dropped); with
    # three values the largest possible z is 2/sqrt(3) = 1.15: nothing is ever dropped.
    assert rhythm.habitual_time([600, 600, 600, 600, 700]) == 600
    assert rhythm.habitual_time([600, 600, 700]) == pytest.approx(633.33, abs=0.01)


def test_exactly_45_minutes_is_a_hit() -> None:
    # Mean of 07:00, 07:45, 08:30 is 07:45: 45 minutes either side are hits.
    days = [day(0, dinner="07:00"), day(1, dinner="07:45"), day(2, dinner="08:30")]
    assert rhythm.weeks(days, 1)[0].hits == 3


def test_an_anchor_done_on_fewer_than_three_days_is_not_counted() -> None:
    days = [day(n, out_of_bed="07:00") for n in range(4)] + [
        day(4, dinner="18:00"),
        day(5, dinner="20:00"),
    ]
    week = rhythm.weeks(days, 1)[0]
    assert [a.anchor for a in week.counted] == ["out_of_bed"]
    assert week.srm == 4 and week.hits_per_day == pytest.approx(4 / 6, abs=0.01)


def test_no_counted_anchor_gives_no_score() -> None:
    week = rhythm.weeks([day(0, mood=-2), day(1, dinner="18:00")], 1)[0]
    assert week.srm is None and week.mood == -2


def test_bedtimes_after_midnight_are_averaged_with_late_evenings() -> None:
    days = [day(0, to_bed="23:30"), day(1, to_bed="00:30"), day(2, to_bed="00:00")]
    week = rhythm.weeks(days, 1)[0]
    assert week.hits == 3 and rhythm.clock(week.counted[0].habitual or 0) == "00:00"


def test_weeks_count_back_from_the_latest_day() -> None:
    days = [day(n, **ALL_SAME) for n in range(20)]
    found = rhythm.weeks(days, 5)
    assert len(found) == 3  # 20 days: two full weeks and 6 days before them
    assert [w.days_logged for w in found] == [6, 7, 7]
    assert found[-1].end == END
    before = rhythm.weeks(days, 1, until=END - dt.timedelta(days=7))[0]
    assert before.end == END - dt.timedelta(days=7)


def test_a_day_has_one_entry_and_counts_are_five() -> None:
    with pytest.raises(ValidationError, match="one per anchor"):
        RhythmEntry(date=END, with_people=[1, 2])
    with pytest.raises(ValidationError):
        RhythmEntry(date=END, mood=6)


clock_minutes = st.integers(min_value=0, max_value=23 * 60 + 59)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), clock_minutes), min_size=5, max_size=5),
        min_size=1,
        max_size=7,
    ),
    st.integers(min_value=-120, max_value=120),
)
def test_the_score_is_0_to_7_and_shifting_every_day_alike_keeps_it(
    days: list[list[int | None]], shift: int
) -> None:
    from ipt_cli.core.models import RHYTHM_ANCHORS

    def entries(offset: int) -> list[RhythmEntry]:
        found = []
        for n, minutes_of in enumerate(days):
            times = {}
            for anchor, value in zip(RHYTHM_ANCHORS, minutes_of, strict=True):
                if value is not None and anchor != "to_bed":  # bedtime wraps at noon
                    moved = min(max(value + offset, 0), 23 * 60 + 59)
                    times[anchor] = dt.time(moved // 60, moved % 60)
            found.append(RhythmEntry(date=END - dt.timedelta(days=n), **times))
        return found

    week = rhythm.weeks(entries(0), 1)[0]
    assert week.srm is None or 0 <= week.srm <= 7
    assert week.hits_per_day is None or 0 <= week.hits_per_day <= 5
    in_range = all(v is None or 0 <= v + shift <= 23 * 60 + 59 for d in days for v in d)
    if in_range:
        assert rhythm.weeks(entries(shift), 1)[0].srm == week.srm


def test_the_ipsrt_maintenance_agenda_checks_the_warning_signs_of_both_poles() -> None:
    from ipt_cli.core.models import Ending, Maintenance
    from ipt_cli.core.planning import build_maintenance_agenda
    from tests.unit import builders

    start = builders.week(8)
    plan = Maintenance(opened=start, start_date=start, planned_sessions=6, cadence="monthly")
    course = builders.course(
        planned=8,
        areas=("lost-healthy-self",),
        adaptation="ipsrt",
        ending=Ending(warning_signs=["Not calling R."]),
        warning_signs_depression=["Staying in bed"],
        warning_signs_mania=["Sleeping 5 hours, not tired"],
        maintenance=plan,
    )
    items = build_maintenance_agenda(course, 1, start).items
    signs = next(i for i in items if "warning signs" in i)
    assert signs.endswith(
        ": Not calling R.; depression: Staying in bed; mania: Sleeping 5 hours, not tired"
    )
