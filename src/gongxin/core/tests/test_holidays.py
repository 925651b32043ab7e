"""The statutory holidays of the regulation (《全国年节及纪念日放假办法》), computed from lunar dates and the
Qingming solar term, against the arrangements the chinese-calendar package knows."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest
from chinese_calendar import constants as chinese_calendar_data

from gongxin.core.holidays import is_statutory_holiday, regulation_in_force, statutory_holidays


@pytest.mark.parametrize("year", range(2008, 2027))
def test_every_statutory_holiday_is_a_holiday_of_the_published_arrangement(year: int) -> None:
    days = statutory_holidays(year)
    assert len(days) == (13 if year >= 2025 else 11) - (1 if year == 2020 else 0) - (1 if year == 2009 else 0)
    for day in days:
        assert not chinese_calendar.is_workday(day), day
        if day.weekday() < 5:
            assert day in chinese_calendar_data.holidays, day


@pytest.mark.parametrize(("year", "expected"), [
    (2024, {date(2024, 1, 1), date(2024, 2, 10), date(2024, 2, 11), date(2024, 2, 12), date(2024, 4, 4),
            date(2024, 5, 1), date(2024, 6, 10), date(2024, 9, 17), date(2024, 10, 1), date(2024, 10, 2),
            date(2024, 10, 3)}),
    (2025, {date(2025, 1, 1), date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31),
            date(2025, 4, 4), date(2025, 5, 1), date(2025, 5, 2), date(2025, 5, 31), date(2025, 10, 1),
            date(2025, 10, 2), date(2025, 10, 3), date(2025, 10, 6)}),
    (2026, {date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
            date(2026, 4, 5), date(2026, 5, 1), date(2026, 5, 2), date(2026, 6, 19), date(2026, 9, 25),
            date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)}),
    # Chinese New Year 2027 is Sat 6 Feb; Qingming Mon 5 Apr; Dragon Boat Wed 9 Jun; Mid-Autumn Wed 15 Sep.
    (2027, {date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
            date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
            date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)}),
])
def test_statutory_holidays_of_a_year(year: int, expected: set[date]) -> None:
    assert set(statutory_holidays(year)) == expected


def test_the_2024_amendment_adds_the_eve_and_the_second_of_may_from_2025() -> None:
    assert not is_statutory_holiday(date(2024, 2, 9))      # 除夕 2024: a working Friday then
    assert chinese_calendar.is_workday(date(2024, 2, 9))
    assert is_statutory_holiday(date(2025, 1, 28))         # 除夕 2025
    assert statutory_holidays(2025)[date(2025, 5, 2)] == "labour_day"
    assert "795" in regulation_in_force(date(2025, 1, 1)).legal_basis
    assert "644" in regulation_in_force(date(2024, 12, 31)).legal_basis


def test_before_the_oldest_version_kept_there_are_none() -> None:
    assert statutory_holidays(1990) == {}
