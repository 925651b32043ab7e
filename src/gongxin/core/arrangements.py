"""The yearly holiday arrangements as stored policy data: entering a year, loading it from the package,
and which source answers for each year (decision 038).

Rule: the stored arrangement of a year wins over the chinese-calendar package for that year; a load from
the package never replaces a stored year unless asked to (``replace=True``), and then only a year that was
itself loaded from the package — an arrangement entered by staff is changed in the admin, never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from chinese_calendar import constants as chinese_calendar_data
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gongxin.core import clock
from gongxin.core.errors import ValidationFailed
from gongxin.core.holidays import (
    DRAGON_BOAT,
    LABOUR_DAY,
    MID_AUTUMN,
    NATIONAL_DAY,
    NEW_YEARS_DAY,
    QINGMING,
    SPECIAL,
    SPRING_FESTIVAL,
    statutory_holidays,
)
from gongxin.core.models import ArrangementDay, ArrangementOrigin, DayKind, HolidayArrangement
from gongxin.core.workdays import LIBRARY_VERSION, LIBRARY_YEARS, CalendarSource, calendar_invalidate, year_source

# The package's holiday names (its Holiday enum values) and the festival codes stored here.
_LIBRARY_FESTIVALS = {
    chinese_calendar_data.Holiday.new_years_day.value: NEW_YEARS_DAY,
    chinese_calendar_data.Holiday.spring_festival.value: SPRING_FESTIVAL,
    chinese_calendar_data.Holiday.tomb_sweeping_day.value: QINGMING,
    chinese_calendar_data.Holiday.labour_day.value: LABOUR_DAY,
    chinese_calendar_data.Holiday.dragon_boat_festival.value: DRAGON_BOAT,
    chinese_calendar_data.Holiday.mid_autumn_festival.value: MID_AUTUMN,
    chinese_calendar_data.Holiday.national_day.value: NATIONAL_DAY,
}


def arrangement_year_of(day: date, festival: str) -> int:
    """The arrangement a listed day belongs to: its own year, except the next New Year holiday (and its
    make-up working day) that starts in late December."""
    return day.year + 1 if festival == NEW_YEARS_DAY and day.month == 12 else day.year


def arrangement_days_validate(*, year: int, holidays: Mapping[date, str], workdays: Mapping[date, str]) -> None:
    """Refuse what cannot be a year's arrangement: days outside it, a day both off and working, a make-up
    working day on a weekday, or a statutory holiday of the regulation left out (the notice always has them)."""
    errors: list[str] = []
    for day in (*holidays, *workdays):
        if not date(year - 1, 12, 1) <= day <= date(year, 12, 31):
            errors.append(f"{day}: outside the arrangement of {year}")
    errors += [f"{day}: both a holiday and a working day" for day in set(holidays) & set(workdays)]
    errors += [f"{day}: a make-up working day on a weekday" for day in workdays if day.weekday() < 5]
    # A statutory holiday on a weekday must be listed; one on a weekend is off anyway (notices list it inside
    # a period, but the package leaves some out, e.g. Sat 23 Jun 2012), unless made a working day.
    errors += [f"{day}: statutory holiday ({festival}) missing" for day, festival in statutory_holidays(year).items()
               if day not in holidays and (day.weekday() < 5 or day in workdays)]
    if errors:
        raise ValidationFailed(
            message=_("This is not a complete holiday arrangement for the year."),
            details={"year": year, "errors": errors},
        )


@transaction.atomic
def arrangement_enter(
    *,
    year: int,
    holidays: Mapping[date, str],
    workdays: Mapping[date, str],
    source: str,
    actor_label: str,
    actor_id: int | None = None,
    title: str = "",
    published_on: date | None = None,
    url: str = "",
    origin: str = ArrangementOrigin.ENTERED,
    replace: bool = False,
) -> HolidayArrangement:
    """Store the arrangement of ``year``: its holidays and make-up working days (day -> festival code)."""
    arrangement_days_validate(year=year, holidays=holidays, workdays=workdays)
    existing = HolidayArrangement.objects.select_for_update().filter(year=year).first()
    if existing is not None:
        if not replace:
            raise ValidationFailed(message=_("The arrangement of this year is stored already."),
                                   details={"year": year})
        existing.days.all().delete()
    arrangement = existing or HolidayArrangement(year=year)
    arrangement.origin, arrangement.source, arrangement.title = origin, source, title
    arrangement.published_on, arrangement.url = published_on, url
    arrangement.entered_by_id, arrangement.entered_by_label, arrangement.entered_at = actor_id, actor_label, clock.now()
    arrangement.save()
    ArrangementDay.objects.bulk_create(
        [ArrangementDay(arrangement=arrangement, day=day, kind=DayKind.HOLIDAY, festival=festival)
         for day, festival in sorted(holidays.items())]
        + [ArrangementDay(arrangement=arrangement, day=day, kind=DayKind.WORKDAY, festival=festival)
           for day, festival in sorted(workdays.items())]
    )
    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)  # a rollback would leave this process's read stale
    return arrangement


def library_arrangement(year: int) -> tuple[dict[date, str], dict[date, str]] | None:
    """The package's arrangement of ``year`` (holidays, make-up working days), or None if it does not know it."""
    if year not in LIBRARY_YEARS:
        return None

    def of_year(days: Mapping[date, str]) -> dict[date, str]:
        found: dict[date, str] = {}
        for day, name in days.items():
            festival = _LIBRARY_FESTIVALS.get(name, SPECIAL)
            if arrangement_year_of(day, festival) == year:
                found[day] = festival
        return found

    return of_year(chinese_calendar_data.holidays), of_year(chinese_calendar_data.workdays)


@dataclass(frozen=True)
class LoadOutcome:
    year: int
    outcome: str  # "loaded", "replaced", "kept" (stored already), "unknown" (the package lacks the year)


def arrangement_load(*, years: Iterable[int], actor_label: str, replace: bool = False) -> list[LoadOutcome]:
    """Load the years the package knows into the stored arrangements. Safe to re-run: a stored year is kept
    (``replace`` renews only years that were loaded from the package, never one entered by staff)."""
    outcomes: list[LoadOutcome] = []
    for year in years:
        found = library_arrangement(year)
        if found is None:
            outcomes.append(LoadOutcome(year, "unknown"))
            continue
        existing = HolidayArrangement.objects.filter(year=year).first()
        if existing is not None and not (replace and existing.origin == ArrangementOrigin.LIBRARY):
            outcomes.append(LoadOutcome(year, "kept"))
            continue
        holidays, workdays = found
        arrangement_enter(
            year=year, holidays=holidays, workdays=workdays, source=f"chinesecalendar {LIBRARY_VERSION}",
            actor_label=actor_label, origin=ArrangementOrigin.LIBRARY, replace=existing is not None,
        )
        outcomes.append(LoadOutcome(year, "replaced" if existing is not None else "loaded"))
    return outcomes


@dataclass(frozen=True)
class YearCoverage:
    year: int
    source: CalendarSource
    detail: str  # the notice (stored), the package version (library), or the regulation's version (statutory)


def calendar_coverage(*, years: Iterable[int]) -> list[YearCoverage]:
    """For each year, which source answers and from what."""
    wanted = list(years)
    stored = {a.year: a for a in HolidayArrangement.objects.filter(year__in=wanted)}
    coverage: list[YearCoverage] = []
    for year in wanted:
        source = year_source(year)
        if year in stored:
            arrangement = stored[year]
            detail = f"{arrangement.source} ({arrangement.get_origin_display()}, {arrangement.entered_by_label}, " \
                     f"{clock.local(arrangement.entered_at):%Y-%m-%d})"
            source = CalendarSource.STORED
        elif source is CalendarSource.LIBRARY:
            detail = f"chinesecalendar {LIBRARY_VERSION}"
        else:
            detail = "statutory holidays only: deadlines are provisional"
        coverage.append(YearCoverage(year, source, detail))
    return coverage


_FESTIVAL_NAMES = {
    "元旦": NEW_YEARS_DAY, "春节": SPRING_FESTIVAL, "清明": QINGMING, "清明节": QINGMING, "劳动节": LABOUR_DAY,
    "端午": DRAGON_BOAT, "端午节": DRAGON_BOAT, "中秋": MID_AUTUMN, "中秋节": MID_AUTUMN, "国庆": NATIONAL_DAY,
    "国庆节": NATIONAL_DAY,
}
FESTIVAL_CODES = frozenset({NEW_YEARS_DAY, SPRING_FESTIVAL, QINGMING, LABOUR_DAY, DRAGON_BOAT, MID_AUTUMN,
                            NATIONAL_DAY, SPECIAL})


def arrangement_text_parse(text: str) -> dict[date, str]:
    """Days from lines as staff copy them off the notice: ``2027-02-05..2027-02-13 春节`` (a period) or
    ``2027-02-14 春节`` (one day); the festival by its Chinese name or code. Raises ValueError on a bad line."""
    days: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"line {number}: expected 'YYYY-MM-DD[..YYYY-MM-DD] festival'")
        span, name = parts
        festival = _FESTIVAL_NAMES.get(name, name)
        if festival not in FESTIVAL_CODES:
            raise ValueError(f"line {number}: unknown festival {name!r}")
        first_text, _sep, last_text = span.partition("..")
        try:
            first = date.fromisoformat(first_text)
            last = date.fromisoformat(last_text) if last_text else first
        except ValueError:
            raise ValueError(f"line {number}: not a date or period: {span!r}") from None
        if last < first or (last - first).days > 31:
            raise ValueError(f"line {number}: the period must run forwards, at most a month")
        for offset in range((last - first).days + 1):
            days[date.fromordinal(first.toordinal() + offset)] = festival
    return days


def arrangement_text(days: Iterable[ArrangementDay]) -> tuple[str, str]:
    """The stored days as the periods and days of ``arrangement_text_parse`` (holidays, make-up working days)."""
    holidays: list[str] = []
    workdays: list[str] = []
    run: list[ArrangementDay] = []

    def flush() -> None:
        if run:
            first, last = run[0].day, run[-1].day
            holidays.append(f"{first}..{last} {run[0].festival}" if last != first else f"{first} {run[0].festival}")
            run.clear()

    for day in sorted(days, key=lambda d: d.day):
        if day.kind == DayKind.WORKDAY:
            workdays.append(f"{day.day} {day.festival}")
            continue
        if run and (day.festival != run[-1].festival or (day.day - run[-1].day).days != 1):
            flush()
        run.append(day)
    flush()
    return "\n".join(holidays), "\n".join(workdays)
