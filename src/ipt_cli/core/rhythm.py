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

from ipt_cli.core import catalogue
from ipt_cli.core.models import (
    INVOLVEMENT_MAX,
    RHYTHM_ANCHORS,
    Course,
    RhythmEntry,
    RhythmTarget,
    SessionRecord,
)
from ipt_cli.core.structs import field, struct
from ipt_cli.errors import ConflictError, InputError

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
class AnchorDeviation:
    """One anchor's week against the target in force on each day (IPSRT)."""

    anchor: str
    target: dt.time | None  # the target in force on the week's last day
    days: int  # days with a time for the anchor and a target in force
    mean_deviation: float | None  # mean |time - target|, minutes
    mean_offset: float | None  # mean (time - target), minutes: + later, - earlier
    within: int  # days within 45 minutes of the target


@struct(frozen=True)
class WeekScore:
    start: dt.date
    end: dt.date
    entries: list[RhythmEntry]
    anchors: list[AnchorWeek]
    deviations: list[AnchorDeviation] = field(default_factory=list)  # when targets are set

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


def score_week(
    entries: list[RhythmEntry],
    start: dt.date,
    end: dt.date,
    targets: list[RhythmTarget] | None = None,
) -> WeekScore:
    anchors = []
    for anchor in RHYTHM_ANCHORS:
        times = [minutes(anchor, t) for e in entries if (t := e.time_of(anchor)) is not None]
        if len(times) < MIN_DAYS:
            anchors.append(AnchorWeek(anchor, len(times), None, 0))
            continue
        mean = habitual_time(times)
        hits = sum(1 for t in times if abs(t - mean) <= WINDOW_MINUTES)
        anchors.append(AnchorWeek(anchor, len(times), mean, hits))
    deviations = against_targets(entries, end, targets) if targets else []
    return WeekScore(start, end, entries, anchors, deviations)


def target_in_force(targets: list[RhythmTarget], day: dt.date) -> RhythmTarget | None:
    """The latest target dated on or before `day` (targets sorted by date)."""
    found = None
    for target in targets:
        if target.date > day:
            break
        found = target
    return found


def against_targets(
    entries: list[RhythmEntry], end: dt.date, targets: list[RhythmTarget]
) -> list[AnchorDeviation]:
    """Per anchor, each day's time against the target in force that day: the mean
    deviation in minutes (absolute, and signed: + later) and the days within 45 minutes."""
    found = []
    last = target_in_force(targets, end)
    for anchor in RHYTHM_ANCHORS:
        offsets = []
        for entry in entries:
            time = entry.time_of(anchor)
            target = target_in_force(targets, entry.date)
            aim = None if target is None else target.time_of(anchor)
            if time is not None and aim is not None:
                offsets.append(minutes(anchor, time) - minutes(anchor, aim))
        found.append(
            AnchorDeviation(
                anchor,
                None if last is None else last.time_of(anchor),
                len(offsets),
                round(sum(abs(o) for o in offsets) / len(offsets), 1) if offsets else None,
                round(sum(offsets) / len(offsets), 1) if offsets else None,
                sum(1 for o in offsets if abs(o) <= WINDOW_MINUTES),
            )
        )
    return found


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


def weeks(
    log: list[RhythmEntry],
    count: int,
    until: dt.date | None = None,
    targets: list[RhythmTarget] | None = None,
) -> list[WeekScore]:
    """The last `count` weeks of the log, oldest first, counted back from its latest day
    (on or before `until`, when given); weeks before the first entry are left out. With
    `targets`, each week also has its deviations from them."""
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
        found.append(score_week(_in_range(log, start, end), start, end, targets))
        end = start - dt.timedelta(days=1)
    return list(reversed(found))


@struct(frozen=True)
class RhythmReport:
    course_id: str
    client: str
    weeks: list[WeekScore] = field(default_factory=list)
    total_days: int = 0
    targets: list[RhythmTarget] = field(default_factory=list)  # every target, oldest first


def build_report(course: Course, count: int) -> RhythmReport:
    found = weeks(course.rhythm, count, targets=course.rhythm_targets)
    return RhythmReport(
        course.id, course.client, found, len(course.rhythm), list(course.rhythm_targets)
    )


def set_target(course: Course, day: dt.date, times: dict[str, dt.time]) -> RhythmTarget:
    """Agree target times from `day`: the anchors given take their new time, the others
    keep the target in force that day (if any). Earlier targets are kept; a target of the
    same day is replaced."""
    if day < course.start_date:
        raise InputError(
            f"--date {day.isoformat()} is before the course started "
            f"({course.start_date.isoformat()})"
        )
    if not times:
        raise InputError(
            "give at least one target time: --out-of-bed, --first-contact, "
            "--start-activity, --dinner, --to-bed (HH:MM)"
        )
    before = target_in_force([t for t in course.rhythm_targets if t.date < day], day)
    kept = {a: before.time_of(a) for a in RHYTHM_ANCHORS} if before else {}
    target = RhythmTarget.model_validate({"date": day, **kept, **times})
    course.rhythm_targets = [t for t in course.rhythm_targets if t.date != day] + [target]
    course.rhythm_targets.sort(key=lambda t: t.date)
    return target


def review_line(course: Course, before: dt.date | None = None) -> str:
    """The agenda item of an IPSRT session: review the log, with the score of its latest
    week (before the session's date, when given). A log whose latest day is before the
    last session held (before that date) is not reviewed: it is named as stale, with its
    date, and the days since are asked for."""
    last = weeks(course.rhythm, 1, None if before is None else before - dt.timedelta(days=1))
    if not last:
        return (
            f"{catalogue.RHYTHM_REVIEW} (nothing logged yet: ipt rhythm {course.id} "
            "--out-of-bed HH:MM ...)"
        )
    week = last[0]
    held = [s.date for s in course.all_sessions() if before is None or s.date < before]
    score = "no anchor done on 3 days" if week.srm is None else f"SRM {week.srm:g} of 7"
    if held and week.end < max(held):
        # the last week logged keeps its score: a stale log still says where it stood
        return (
            f"{catalogue.RHYTHM_STALE}: stale, its latest day is {week.end.isoformat()} "
            f"(that week: {score}), before the last session ({max(held).isoformat()}); ask "
            f"about the days since and log them (ipt rhythm {course.id} --date YYYY-MM-DD ...)"
        )
    return (
        f"{catalogue.RHYTHM_REVIEW}: week to {week.end.isoformat()}, {score}, "
        f"{week.days_logged} day{'s' if week.days_logged != 1 else ''} logged "
        f"(ipt rhythm {course.id} report)"
    )


def parse_clock(text: str, option: str) -> dt.time:
    """HH:MM (24-hour) from the command line."""
    try:
        hours, mins = text.strip().split(":")
        if len(mins) != 2 or not hours.isdigit() or not mins.isdigit():
            raise ValueError
        return dt.time(int(hours), int(mins))
    except ValueError:
        raise InputError(f"{option}: expected a time as HH:MM (24-hour)") from None


INVOLVEMENT_SCALE = (
    "0 alone, 1 others present, 2 others actively involved, 3 others very stimulating"
)


def parse_people(text: str) -> list[int]:
    """`--with-people`: the SRM's involvement scale (0-3) for each of the five anchors."""
    parts = [p.strip() for p in text.split(",")]
    if (
        len(parts) != len(RHYTHM_ANCHORS)
        or not all(p.isdigit() for p in parts)
        or any(int(p) > INVOLVEMENT_MAX for p in parts)
    ):
        raise InputError(
            f"--with-people: expected {len(RHYTHM_ANCHORS)} values on the SRM's involvement "
            f"scale ({INVOLVEMENT_SCALE}), one per anchor, e.g. 0,1,2,2,1"
        )
    return [int(p) for p in parts]


def record(course: Course, entry: RhythmEntry, replace: bool) -> bool:
    """Add a day's entry; an existing day is replaced only when asked. True if replaced."""
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


# --- The IPSRT life chart: weeks across, both poles together -----------------------------

CHART_WEEKS = 12  # `ipt rhythm ID chart` without --weeks


@struct(frozen=True)
class ChartWeek:
    start: dt.date
    end: dt.date
    days_logged: int
    mood: float | None  # mean of the week's daily moods, -5..5
    srm: float | None
    asrm: int | None  # the week's last sitting with an ASRM
    phq9: int | None  # the week's last sitting with a PHQ-9
    phq9_item9: bool  # that PHQ-9's item 9 (thoughts of death or self-harm) above 0


@struct(frozen=True)
class LifeChart:
    course_id: str
    client: str
    weeks: list[ChartWeek]
    has_asrm: bool  # sessions can record the ASRM (the measure exists in this version)


def _total(value: object) -> int | None:
    """A stored measure's total: its `total`, else the sum of its `items`."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    total = getattr(value, "total", None)
    if isinstance(total, int):
        return total
    items = getattr(value, "items", None)
    return sum(items) if isinstance(items, list) else None


# How the life chart places a score (the legend says it): a score rates the days before its
# sitting (the ASRM the past week, Altman et al. 1997; the PHQ-9 the past two weeks), so it
# stands in the course week that holds most of the seven days before the sitting.
SCORE_PLACEMENT = (
    "Scores are placed in the week before their sitting (the ASRM rates the past week, the "
    "PHQ-9 the past two): a score taken at a session stands in the week that ends at it."
)
RATED_BEFORE = dt.timedelta(days=4)  # the middle of the seven days before a sitting


def rated_day(sitting_date: dt.date) -> dt.date:
    """The day that places a sitting's scores on the chart: the middle of the week before
    it, so a session on the course's weekday rates the course week that ends the day
    before it (a baseline on the start date, the week before the course)."""
    return sitting_date - RATED_BEFORE


def life_chart(course: Course, count: int | None = None) -> LifeChart:
    """The weeks of the course (seven days from its start date, then the next seven...)
    from the first with a log entry or a score to the last, at most the last `count` (every
    week without it: the HTML report): each week's mean mood and SRM, and the last ASRM
    and PHQ-9 that rate it (SCORE_PLACEMENT: a score rates the week before its sitting).
    Weeks of the course, not the rhythm report's weeks counted back from the latest day,
    so that a column stays the same week as the record grows."""
    has_asrm = "asrm" in SessionRecord.model_fields
    sittings = ([course.baseline] if course.baseline else []) + course.all_sessions()
    days = [e.date for e in course.rhythm] + [rated_day(s.date) for s in sittings]
    if not days:
        return LifeChart(course.id, course.client, [], has_asrm)

    def week_start(day: dt.date) -> dt.date:
        return course.start_date + dt.timedelta(days=(day - course.start_date).days // WEEK * WEEK)

    first, last = week_start(min(days)), week_start(max(days))
    total = (last - first).days // WEEK + 1
    log = sorted(course.rhythm, key=lambda e: e.date)
    found = []
    for index in range(0 if count is None else max(total - count, 0), total):
        start = first + dt.timedelta(days=index * WEEK)
        end = start + dt.timedelta(days=WEEK - 1)
        week = score_week(_in_range(log, start, end), start, end)
        held = sorted(
            (s for s in sittings if start <= rated_day(s.date) <= end), key=lambda s: s.date
        )
        asrm = [t for s in held if (t := _total(getattr(s, "asrm", None))) is not None]
        phq9 = [s.phq9 for s in held if s.phq9 is not None]
        found.append(
            ChartWeek(
                start,
                end,
                week.days_logged,
                week.mood,
                week.srm,
                asrm[-1] if asrm else None,
                sum(phq9[-1].items) if phq9 else None,
                bool(phq9) and phq9[-1].items[8] > 0,
            )
        )
    return LifeChart(course.id, course.client, found, has_asrm)
