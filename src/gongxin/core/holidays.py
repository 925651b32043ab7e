"""The statutory public holidays of the national regulation (《全国年节及纪念日放假办法》, article 2), per version.

The regulation fixes which days are holidays for all citizens; the State Council's yearly arrangement
(``core.models.HolidayArrangement``) then bridges them with weekends and make-up working days (调休). For a
year without an arrangement, ``core.workdays`` counts these days (plus weekends) as non-working days.

Lunar dates (除夕, 正月初一–初三, 端午, 中秋) and the Qingming solar term are converted with lunar-python
(decision 038). Each version carries its legal basis and the date it came into force: a day is a statutory
holiday if the version in force on that day names it.

Not computed: article 6's make-up day off (补假) for a holiday falling on a weekend. The regulation does not
say which working day it is (the 2012 arrangement put it on the Friday before the Dragon Boat Festival, not
the Monday after), so only the yearly arrangement can place it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar

# Festival codes: the names stored on arrangement days and shown in the admin.
NEW_YEARS_DAY = "new_years_day"
SPRING_FESTIVAL = "spring_festival"
QINGMING = "qingming"
LABOUR_DAY = "labour_day"
DRAGON_BOAT = "dragon_boat"
MID_AUTUMN = "mid_autumn"
NATIONAL_DAY = "national_day"
SPECIAL = "special"  # a one-off holiday the State Council declares (e.g. 3 Sep 2015)

FESTIVAL_CHOICES = [
    (NEW_YEARS_DAY, _("New Year's Day (元旦)")),
    (SPRING_FESTIVAL, _("Spring Festival (春节)")),
    (QINGMING, _("Qingming Festival (清明节)")),
    (LABOUR_DAY, _("Labour Day (劳动节)")),
    (DRAGON_BOAT, _("Dragon Boat Festival (端午节)")),
    (MID_AUTUMN, _("Mid-Autumn Festival (中秋节)")),
    (NATIONAL_DAY, _("National Day (国庆节)")),
    (SPECIAL, _("Special holiday (特别放假)")),
]


@dataclass(frozen=True)
class Solar:
    """A fixed Gregorian day (month, day)."""

    month: int
    day: int


@dataclass(frozen=True)
class LunarDay:
    """A day of the Chinese lunar year that begins in the Gregorian year asked about. ``day=0`` is the last
    day of the previous lunar month: ``LunarDay(1, 0)`` is 除夕, the eve of the lunar new year."""

    month: int
    day: int


@dataclass(frozen=True)
class SolarTerm:
    """The day of a solar term (节气) in the Gregorian year, e.g. 清明."""

    name: str


Rule = Solar | LunarDay | SolarTerm


@dataclass(frozen=True)
class RegulationVersion:
    in_force_from: date
    legal_basis: str
    days: tuple[tuple[str, Rule], ...]


_COMMON_SINCE_2008: tuple[tuple[str, Rule], ...] = (
    (NEW_YEARS_DAY, Solar(1, 1)),
    (QINGMING, SolarTerm("清明")),
    (DRAGON_BOAT, LunarDay(5, 5)),
    (MID_AUTUMN, LunarDay(8, 15)),
    (NATIONAL_DAY, Solar(10, 1)), (NATIONAL_DAY, Solar(10, 2)), (NATIONAL_DAY, Solar(10, 3)),
)

# Article 2 of each version, oldest first. A new amendment is a new entry here (and a decision record).
REGULATION: tuple[RegulationVersion, ...] = (
    RegulationVersion(
        in_force_from=date(1999, 9, 18),
        legal_basis="《全国年节及纪念日放假办法》（国务院令第270号，1999年9月18日修订）第二条",
        days=(
            (NEW_YEARS_DAY, Solar(1, 1)),
            (SPRING_FESTIVAL, LunarDay(1, 1)), (SPRING_FESTIVAL, LunarDay(1, 2)), (SPRING_FESTIVAL, LunarDay(1, 3)),
            (LABOUR_DAY, Solar(5, 1)), (LABOUR_DAY, Solar(5, 2)), (LABOUR_DAY, Solar(5, 3)),
            (NATIONAL_DAY, Solar(10, 1)), (NATIONAL_DAY, Solar(10, 2)), (NATIONAL_DAY, Solar(10, 3)),
        ),
    ),
    RegulationVersion(
        in_force_from=date(2008, 1, 1),
        legal_basis="《全国年节及纪念日放假办法》（国务院令第513号，2007年12月14日修订）第二条",
        days=(
            *_COMMON_SINCE_2008,
            (SPRING_FESTIVAL, LunarDay(1, 0)), (SPRING_FESTIVAL, LunarDay(1, 1)), (SPRING_FESTIVAL, LunarDay(1, 2)),
            (LABOUR_DAY, Solar(5, 1)),
        ),
    ),
    RegulationVersion(
        in_force_from=date(2014, 1, 1),
        legal_basis="《全国年节及纪念日放假办法》（国务院令第644号，2013年12月11日修订）第二条",
        days=(
            *_COMMON_SINCE_2008,
            (SPRING_FESTIVAL, LunarDay(1, 1)), (SPRING_FESTIVAL, LunarDay(1, 2)), (SPRING_FESTIVAL, LunarDay(1, 3)),
            (LABOUR_DAY, Solar(5, 1)),
        ),
    ),
    RegulationVersion(
        # 春节，放假4天（农历除夕、正月初一至初三）；劳动节，放假2天（5月1日、2日）
        in_force_from=date(2025, 1, 1),
        legal_basis="《全国年节及纪念日放假办法》（国务院令第795号，2024年11月10日修订）第二条",
        days=(
            *_COMMON_SINCE_2008,
            (SPRING_FESTIVAL, LunarDay(1, 0)), (SPRING_FESTIVAL, LunarDay(1, 1)),
            (SPRING_FESTIVAL, LunarDay(1, 2)), (SPRING_FESTIVAL, LunarDay(1, 3)),
            (LABOUR_DAY, Solar(5, 1)), (LABOUR_DAY, Solar(5, 2)),
        ),
    ),
)


def _rule_day(rule: Rule, year: int) -> date:
    if isinstance(rule, Solar):
        return date(year, rule.month, rule.day)
    if isinstance(rule, LunarDay):
        # The lunar year that begins in this Gregorian year; day 0 is the day before the month's first day.
        solar = Lunar.fromYmd(year, rule.month, max(rule.day, 1)).getSolar()
        day = date(solar.getYear(), solar.getMonth(), solar.getDay())
        return day - timedelta(days=1) if rule.day == 0 else day
    # A solar term of the Gregorian year: the lunar year starting in it holds its spring and summer terms.
    term = Lunar.fromYmd(year, 3, 1).getJieQiTable()[rule.name]
    return date(term.getYear(), term.getMonth(), term.getDay())


def regulation_in_force(day: date) -> RegulationVersion:
    current = REGULATION[0]
    for version in REGULATION:
        if version.in_force_from <= day:
            current = version
    return current


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays falling in ``year``: day -> festival code, each named by the version of the
    regulation in force on that day (so a year in which an amendment took effect mid-year is right too).
    Empty before the oldest version kept here (1999): no deadline of the platform runs that far back."""
    return dict(_statutory_holidays(year))


def is_statutory_holiday(day: date) -> bool:
    return day in _statutory_holiday_days(day.year)


@lru_cache(maxsize=64)
def _statutory_holiday_days(year: int) -> frozenset[date]:
    return frozenset(day for day, _festival in _statutory_holidays(year))


@lru_cache(maxsize=64)
def _statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    if year < REGULATION[0].in_force_from.year:
        return ()
    found: dict[date, str] = {}
    for version in REGULATION:
        for festival, rule in version.days:
            day = _rule_day(rule, year)
            if day.year == year and regulation_in_force(day) is version:
                found[day] = festival
    return tuple(sorted(found.items()))
