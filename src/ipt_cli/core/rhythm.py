"""The social rhythm log of IPSRT and its regularity score (SRM-5). Pure; `today` not needed:
weeks are counted back from the log's latest day.

The rule (docs/clinical-rules.md, from Monk, Frank, Potts & Kupfer 2002 and the SRM papers
before it, as ipt-domain.md section 8 sets out):

- A week is seven days, counted back from the latest day logged.
- An anchor counts in a week when it was done on at least 3 of its days. Its habitual time
  is the mean of its times that week after the outlier step: times more than 1.5 sample
  SDs from the week's mean are dropped first (not when the SD is 10 minutes or less), as
  the implementation written for the Pittsburgh group's RAY app does.
- A day's time for a counted anchor is a hit when within 45 minutes of that habitual time
  (every logged time is judged, a dropped one too).
- The week's SRM score is the hits summed over the counted anchors, divided by the number of
  counted anchors: 0 (least regular) to 7 (most regular). None when no anchor counts.
- Also shown: hits per logged day (the hits divided by the days with an entry, 0-5).

Bedtimes before noon are taken as after midnight (00:30 is 24:30), so that a week of late
nights is not averaged to midday.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics

from ipt_cli.core.models import RHYTHM_ANCHORS, Course, RhythmEntry
from ipt_cli.core.structs import field, struct

WINDOW_MINUTES = 45
MIN_DAYS = 3  # an anchor done on fewer days in a week has no habitual time
OUTLIER_SDS = 1.5  # times further than this many SDs from the week's mean are outliers
NO_TRIM_SD = 10.0  # minutes: a week this regular or more has no outliers to drop
WEEK = 7
ANCHOR_NAMES = {
    "out_of_bed": "Out of bed",
    "first_contact": "First contact",
    "start_activity": "Start of activity",
    "dinner": "Dinner",
    "to_bed": "To bed",
}


def minutes(anchor: str, time: dt.time) -> int:
    """Minutes since the day's midnight; a bedtime before noon counts as the next day."""
    value = time.hour * 60 + time.minute
    if anchor == "to_bed" and time.hour < 12:
        value += 24 * 60
    return value


def clock(value: float) -> str:
    """A mean number of minutes as HH:MM (a bedtime past midnight wraps)."""
    rounded = round(value) % (24 * 60)
    return f"{rounded // 60:02d}:{rounded % 60:02d}"


@struct(frozen=True)
class AnchorWeek:
    anchor: str
    days_done: int
    habitual: float | None  # mean minutes, when done on >= MIN_DAYS days
    hits: int


@struct(frozen=True)
class WeekScore:
    start: dt.date
    end: dt.date
    entries: list[RhythmEntry]
    anchors: list[AnchorWeek]

    @property
    def days_logged(self) -> int:
        return len(self.entries)

    @property
    def counted(self) -> list[AnchorWeek]:
        return [a for a in self.anchors if a.habitual is not None]

    @property
    def hits(self) -> int:
        return sum(a.hits for a in self.counted)

    @property
    def srm(self) -> float | None:
        counted = self.counted
        return round(self.hits / len(counted), 2) if counted else None

    @property
    def hits_per_day(self) -> float | None:
        return round(self.hits / self.days_logged, 2) if self.entries else None

    @property
    def mood(self) -> float | None:
        moods = [e.mood for e in self.entries if e.mood is not None]
        return round(sum(moods) / len(moods), 2) if moods else None


def score_week(entries: list[RhythmEntry], start: dt.date, end: dt.date) -> WeekScore:
    anchors = []
    for anchor in RHYTHM_ANCHORS:
        times = [minutes(anchor, t) for e in entries if (t := e.time_of(anchor)) is not None]
        if len(times) < MIN_DAYS:
            anchors.append(AnchorWeek(anchor, len(times), None, 0))
            continue
        mean = habitual_time(times)
        hits = sum(1 for t in times if abs(t - mean) <= WINDOW_MINUTES)
        anchors.append(AnchorWeek(anchor, len(times), mean, hits))
    return WeekScore(start, end, entries, anchors)


def habitual_time(times: list[int]) -> float:
    """The mean of a week's times (minutes) after the outlier step: a time more than 1.5
    sample SDs from the mean is dropped, unless the SD is 10 minutes or less. Six bedtimes
    at 22:40 and one at 04:00 (28:00): the 04:00 is dropped, the habitual time is 22:40."""
    mean = sum(times) / len(times)
    if len(times) < 2:
        return mean
    sd = statistics.stdev(times)
    if sd <= NO_TRIM_SD:
        return mean
    kept = [t for t in times if abs(t - mean) <= OUTLIER_SDS * sd]
    return sum(kept) / len(kept)


def _in_range(log: list[RhythmEntry], start: dt.date, end: dt.date) -> list[RhythmEntry]:
    """Entries from start to end (inclusive) of a log sorted by date, by bisection: a year
    of daily entries costs no more than a week's."""
    dates = [e.date for e in log]
    return log[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)]


def weeks(log: list[RhythmEntry], count: int, until: dt.date | None = None) -> list[WeekScore]:
    """The last `count` weeks of the log, oldest first, counted back from its latest day
    (on or before `until`, when given); weeks before the first entry are left out."""
    log = sorted(log, key=lambda e: e.date)  # a course's log is kept sorted: this is cheap
    if until is not None:
        log = log[: bisect.bisect_right([e.date for e in log], until)]
    if not log:
        return []
    end = log[-1].date
    found = []
    for _ in range(count):
        start = end - dt.timedelta(days=WEEK - 1)
        if end < log[0].date:
            break
        found.append(score_week(_in_range(log, start, end), start, end))
        end = start - dt.timedelta(days=1)
    return list(reversed(found))


@struct(frozen=True)
class RhythmReport:
    course_id: str
    client: str
    weeks: list[WeekScore] = field(default_factory=list)
    total_days: int = 0


def build_report(course: Course, count: int) -> RhythmReport:
    return RhythmReport(course.id, course.client, weeks(course.rhythm, count), len(course.rhythm))


def review_line(course: Course, before: dt.date | None = None) -> str:
    """The agenda item of an IPSRT session: review the log, with the score of its latest
    week (before the session's date, when given)."""
    from ipt_cli.core import catalogue

    last = weeks(course.rhythm, 1, None if before is None else before - dt.timedelta(days=1))
    if not last:
        return (
            f"{catalogue.RHYTHM_REVIEW} (nothing logged yet: ipt rhythm {course.id} "
            "--out-of-bed HH:MM ...)"
        )
    week = last[0]
    score = "no anchor done on 3 days" if week.srm is None else f"SRM {week.srm:g} of 7"
    return (
        f"{catalogue.RHYTHM_REVIEW}: week to {week.end.isoformat()}, {score}, "
        f"{week.days_logged} day{'s' if week.days_logged != 1 else ''} logged "
        f"(ipt rhythm {course.id} report)"
    )


def parse_clock(text: str, option: str) -> dt.time:
    """HH:MM (24-hour) from the command line."""
    from ipt_cli.errors import InputError

    try:
        hours, mins = text.strip().split(":")
        if len(mins) != 2 or not hours.isdigit() or not mins.isdigit():
            raise ValueError
        return dt.time(int(hours), int(mins))
    except ValueError:
        raise InputError(f"{option}: expected a time as HH:MM (24-hour)") from None


def parse_people(text: str) -> list[int]:
    from ipt_cli.errors import InputError

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != len(RHYTHM_ANCHORS) or not all(p.isdigit() for p in parts):
        raise InputError(
            f"--with-people: expected {len(RHYTHM_ANCHORS)} counts of people, e.g. 0,1,3,2,1"
        )
    return [int(p) for p in parts]


def record(course: Course, entry: RhythmEntry, replace: bool) -> bool:
    """Add a day's entry; an existing day is replaced only when asked. True if replaced."""
    from ipt_cli.errors import ConflictError, InputError

    if entry.date < course.start_date:
        raise InputError(
            f"--date {entry.date.isoformat()} is before the course started "
            f"({course.start_date.isoformat()})"
        )
    same = [e for e in course.rhythm if e.date == entry.date]
    if same and not replace:
        raise ConflictError(
            f"{course.id!r} already has a rhythm entry for {entry.date.isoformat()}; "
            "add --replace to replace it"
        )
    course.rhythm = [e for e in course.rhythm if e.date != entry.date] + [entry]
    return bool(same)
