"""Working days in China: holidays and make-up working days (调休) of the State Council's yearly arrangement.

Every deadline counted "in working days" (objections, repairs, commitments, double publicity) uses this
module. A day is answered from the first of three sources that knows its year (decision 038):

1. the **stored arrangement** (``core.models.HolidayArrangement``, entered by staff from the published
   notice or loaded from the package with ``gongxin calendar load``): a day it lists is a holiday or a
   make-up working day, any other day of a stored year follows the week. The stored data wins over the
   package for the same year;
2. the **chinese-calendar package**, for the years it knows;
3. the **statutory holidays** of the national regulation (``core.holidays``) plus weekends. The year's
   arrangement is not known, so bridge days and make-up working days are missing: a deadline counted over
   such a year is *provisional* — ``Deadline.provisional``, the mark beside the date on the pages
   (``deadline_provisional``) and a warning in the log. A holiday is never counted as a working day.

The stored arrangements are read once per process and again after ``GONGXIN_CALENDAR_REFRESH_SECONDS``
(another process may have entered a year); a write in this process refreshes at once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_data
from django.conf import settings

from gongxin.core import clock
from gongxin.core.holidays import is_statutory_holiday

logger = logging.getLogger(__name__)

LIBRARY_YEARS = range(min(chinese_calendar_data.holidays).year, max(chinese_calendar_data.holidays).year + 1)
LIBRARY_VERSION: str = chinese_calendar.__version__
_LIBRARY_HOLIDAYS = frozenset(chinese_calendar_data.holidays)
_LIBRARY_WORKDAYS = frozenset(chinese_calendar_data.workdays)


class CalendarSource(StrEnum):
    STORED = "stored"
    LIBRARY = "library"
    STATUTORY = "statutory"


@dataclass(frozen=True)
class _Stored:
    years: frozenset[int]
    working: dict[date, bool]  # the listed days: True for a make-up working day, False for a holiday


_cache: tuple[float, _Stored] | None = None
_cache_lock = threading.Lock()
_frozen = False


def calendar_invalidate() -> None:
    """Forget the stored arrangements read so far: the next question reads them again."""
    global _cache
    _cache = None


def calendar_preload() -> None:
    """Read the stored arrangements now unless a fresh copy is held (before forking a process that may not
    touch the database)."""
    _stored()


def calendar_freeze() -> None:
    """Keep the stored arrangements held for the rest of this process, never reading them again: for a process
    that must not touch the database — ingest's forked reader, which counts working days for the clocks, runs
    this first thing after its parent called ``calendar_preload`` before the fork."""
    global _frozen
    _frozen = True
    _stored()


def _stored() -> _Stored:
    global _cache
    cached = _cache
    now = time.monotonic()
    if cached is not None and (_frozen or now - cached[0] < settings.GONGXIN_CALENDAR_REFRESH_SECONDS):
        return cached[1]
    from gongxin.core.models import ArrangementDay, DayKind, HolidayArrangement

    with _cache_lock:
        stored = _Stored(
            years=frozenset(HolidayArrangement.objects.values_list("year", flat=True)),
            working={day: kind == DayKind.WORKDAY for day, kind in ArrangementDay.objects.values_list("day", "kind")},
        )
        _cache = (now, stored)
    return stored


def year_source(year: int) -> CalendarSource:
    """Which source answers for the days of ``year``."""
    if year in _stored().years:
        return CalendarSource.STORED
    if year in LIBRARY_YEARS:
        return CalendarSource.LIBRARY
    return CalendarSource.STATUTORY


def is_working_day(day: date) -> bool:
    stored = _stored()
    listed = stored.working.get(day)
    if listed is not None:
        return listed
    if day.year in stored.years:
        return day.weekday() < 5
    if day.year in LIBRARY_YEARS:
        # chinese_calendar.is_workday's own rule, without its range check (min/max over every holiday on
        # each call: 0.3 ms a day, most of an 11-year count in ingest's double-publicity lag).
        return day in _LIBRARY_WORKDAYS or (day.weekday() < 5 and day not in _LIBRARY_HOLIDAYS)
    return day.weekday() < 5 and not is_statutory_holiday(day)


@dataclass(frozen=True)
class Deadline:
    """A deadline counted in working days, and the years counted from the statutory holidays alone (their
    arrangement was not known yet): a provisional deadline may move once the arrangement is entered."""

    due: date
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


def provisional_years(start: date, end: date) -> tuple[int, ...]:
    """The years of the days after ``start`` up to ``end`` that only the statutory fallback answers."""
    if end <= start:
        return ()
    first = (start + timedelta(days=1)).year
    return tuple(year for year in range(first, end.year + 1) if year_source(year) is CalendarSource.STATUTORY)


def _warn_provisional(years: tuple[int, ...], what: str) -> None:
    if years:
        logger.warning(
            "No holiday arrangement stored or known for %s: %s counts the statutory holidays and weekends only "
            "(provisional; enter the year's arrangement, see docs/operations.md)",
            ", ".join(map(str, years)), what,
        )


def deadline_add(*, start: date, days: int) -> Deadline:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted), with its
    provisional years."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    deadline = Deadline(due=current, provisional_years=provisional_years(start, current))
    _warn_provisional(deadline.provisional_years, f"the deadline {days} working days after {start}")
    return deadline


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    return deadline_add(start=start, days=days).due


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    _warn_provisional(provisional_years(start, end), f"the working days from {start} to {end}")
    return count


def deadline_provisional(due: date | None, *, today: date | None = None) -> bool:
    """Whether a stored deadline still runs over a year whose arrangement is not known: the pages mark it."""
    if due is None:
        return False
    return bool(provisional_years(min(today or clock.today(), due) - timedelta(days=1), due))
