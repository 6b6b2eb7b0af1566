"""Measurement-based care for one course: is it on track, and what follow-up is owed.

- **Not on track** (Lambert's signal alarms, Blueprint's not-on-track flags; the advice is
  Weissman, Markowitz & Klerman 2018): from the middle of the acute contract (session
  ceil(planned x 50%), unless `[outcomes] not_on_track_percent` says otherwise) the
  primary measure shows no reliable improvement from its baseline. Cleared only when a
  later score improves reliably; no command clears it.
- **Overdue**: an open course with no session (held or missed) for longer than its cadence
  allows (OVERDUE_DAYS).
- **Unsigned past the limit**: sessions older than `[record] sign_within_days` (default 3)
  with no signature.

Pure: `today` and the rules are handed in. docs/clinical-rules.md gives the sources.
"""

from __future__ import annotations

import datetime as dt
import math

from ipt_cli.core import vocabulary
from ipt_cli.core.measures import INSTRUMENTS, Instrument, ScoringRules, built_from_registry
from ipt_cli.core.models import Administration, Course
from ipt_cli.core.planning import primary_of
from ipt_cli.core.safety import sitting_where, sittings_in_order
from ipt_cli.core.signals import (
    SIGN_WITHIN_DAYS,
    NotOnTrack,
    days_over,
    overdue_signatures,
    pack_unsigned,
)
from ipt_cli.core.structs import struct

# The longest gap a cadence allows before an open course is overdue: twice its interval.
OVERDUE_DAYS: dict[vocabulary.CadenceId, int] = {"weekly": 14, "fortnightly": 28, "monthly": 62}


def check_session(planned: int, percent: int = 50) -> int:
    """The first session at which a course can be not on track: ceil(planned x percent)."""
    return max(1, math.ceil(planned * percent / 100))


def not_on_track(course: Course, rules: ScoringRules) -> NotOnTrack | None:
    """The alert, or None: before the check session, when the primary measure has no
    baseline or no reliable-change rule (then nothing is claimed), or once the latest
    acute score of the primary measure is a reliable improvement on its baseline, or is
    below the measure's caseness (or screening cut-off)."""
    instrument = INSTRUMENTS.get(primary_of(course))
    if instrument is None:
        return None  # eating disorders: binge counts, no reliable-change rule
    points = rules.reliable_change_points(instrument)
    if points is None:
        return None
    sittings: list[tuple[int, Administration]] = [(0, course.baseline)] if course.baseline else []
    sittings += course.numbered_sessions()
    scores = [(n, s.total(instrument.id)) for n, s in sittings]
    scored = [(n, total) for n, total in scores if total is not None]
    if len(scored) < 2:
        return None
    (_, baseline), (session, latest) = scored[0], scored[-1]
    if session < check_session(course.planned_sessions, rules.not_on_track_percent):
        return None
    if baseline - latest >= points:
        return None  # a reliable improvement: on track
    threshold = rules.caseness_of(instrument) or instrument.cutoff
    if threshold is not None and latest < threshold:
        return None  # no longer a case (or never one): nothing says change the treatment
    return NotOnTrack(instrument.name, baseline, latest, session, points)


@struct(frozen=True)
class ScreenAlert:
    """A positive screen that is an alert of its own, not a safety flag (the ASRM's MANIA
    ALERT, issue 28): the most recent score at or above the instrument's cut-off."""

    instrument: str  # the instrument's id
    total: int
    where: str  # "session 3", "baseline", "maintenance session 1"
    date: dt.date

    @property
    def text(self) -> str:
        """'MANIA ALERT: ASRM 8 at session 3 (2026-01-26), possible (hypo)mania (6 or more):
        contact the prescriber; check sleep and the social rhythm (ipt rhythm)'."""
        instrument = INSTRUMENTS[self.instrument]
        label = instrument.cutoffs[0].label if instrument.cutoffs else "at or above the cut-off"
        return (
            f"{instrument.alert}: {instrument.name} {self.total} at {self.where} "
            f"({self.date.isoformat()}), {label} ({instrument.cutoff} or more): "
            f"{instrument.alert_advice}"
        )


ALERTING = tuple(
    i for i in built_from_registry("the alerts").values() if i.alert and i.cutoff is not None
)


def screen_alerts(course: Course) -> list[ScreenAlert]:
    """For each alerting instrument (the ASRM), its most recent score (baseline, acute or
    maintenance session) when it is at or above the cut-off. A later score below the
    cut-off ends the alert; nothing else does."""
    if not ALERTING:
        return []
    sittings = _sittings(course)
    found = []
    for instrument in ALERTING:
        scored = [(w, s, t) for w, s in sittings if (t := s.total(instrument.id)) is not None]
        if scored:
            where, sitting, total = scored[-1]
            alert = sitting_alert(instrument, total, where, sitting.date)
            if alert is not None:
                found.append(alert)
    return found


def alerts_on_record(course: Course) -> list[ScreenAlert]:
    """Every sitting's alert, in the course's order, also those a later score ended: the
    end-of-course summary names them (in IPSRT both poles are watched)."""
    return [alert for where, s in _sittings(course) for alert in recorded_alerts(s, where)]


def _sittings(course: Course) -> list[tuple[str, Administration]]:
    """The course's scored sittings, in order, each with the words that name it."""
    return [(sitting_where(m, n), s) for m, n, s in sittings_in_order(course)]


def sitting_alert(
    instrument: Instrument, total: int, where: str, date: dt.date
) -> ScreenAlert | None:
    """The alert a score raises at its sitting, if any."""
    if not instrument.alert or instrument.cutoff is None or total < instrument.cutoff:
        return None
    return ScreenAlert(instrument.id, total, where, date)


def recorded_alerts(sitting: Administration, where: str) -> list[ScreenAlert]:
    """The alerts a sitting's own scores raise (an ASRM of 6 or more), said the moment they
    are recorded as a risk item's SAFETY notice is: whatever was scored later (a backfilled
    sitting), as the note of that sitting keeps them."""
    found = []
    for instrument in ALERTING:
        total = sitting.total(instrument.id)
        if total is not None:
            alert = sitting_alert(instrument, total, where, sitting.date)
            if alert is not None:
                found.append(alert)
    return found


def is_open(course: Course) -> bool:
    """Sessions are still owed: the acute course, or a maintenance contract, not over, and
    not ended or archived."""
    if course.archived is not None or course.ending is not None:
        return course.maintenance is not None and _maintenance_open(course)
    if course.sessions_used < course.planned_sessions:
        return True
    return course.maintenance is not None and _maintenance_open(course)


def _maintenance_open(course: Course) -> bool:
    plan = course.maintenance
    return plan is not None and len(plan.sessions) < plan.planned_sessions


def overdue_days(course: Course, today: dt.date) -> int | None:
    """Days since the last session (held or missed) when an open course has gone longer
    than its cadence allows; None otherwise."""
    gap = allowed_gap(course)
    return None if gap is None else days_over(gap, today)


def allowed_gap(course: Course) -> tuple[dt.date, int] | None:
    """For an open course: the date of its last session (held or missed; its start, or the
    maintenance contract's, before any) and the days its cadence allows after it. None for
    a course that owes no sessions."""
    if not is_open(course):
        return None
    cadence = course.cadence
    seen = [s.date for s in course.all_sessions()] + [m.date for m in course.missed]
    if course.maintenance is not None and course.sessions_used >= course.planned_sessions:
        cadence = course.maintenance.cadence
        seen.append(course.maintenance.start_date)
    return max(seen, default=course.start_date), OVERDUE_DAYS.get(cadence, 14)


def unsigned_overdue(
    course: Course, today: dt.date, within_days: int = SIGN_WITHIN_DAYS
) -> list[str]:
    """The sessions held more than `within_days` ago and still unsigned ("3", "m1")."""
    return overdue_signatures(pack_unsigned(unsigned_sessions(course)), today, within_days)


def unsigned_sessions(course: Course) -> list[tuple[int, dt.date]]:
    """Every held session still unsigned: its number as shown (maintenance session N as
    -N: see signals.session_label) and its date."""
    acute = [(n, s.date) for n, s in course.numbered_sessions() if s.signature is None]
    kept = course.maintenance.sessions if course.maintenance else []
    later = [(-n, s.date) for n, s in enumerate(kept, 1) if s.signature is None]
    return acute + later
