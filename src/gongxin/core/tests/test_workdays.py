"""Working days with China's statutory holidays and make-up workdays (调休), from chinese-calendar."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from gongxin.core.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 10, 1), False),   # National Day (Thu)
    (date(2026, 10, 7), False),   # last day of the National Day holiday (Wed)
    (date(2026, 10, 8), True),
    (date(2026, 9, 20), True),    # Sunday, make-up workday for National Day
    (date(2026, 10, 10), True),   # Saturday, make-up workday for National Day
    (date(2026, 10, 11), False),  # ordinary Sunday
    (date(2026, 2, 14), True),    # Saturday, make-up workday for Spring Festival
    (date(2026, 2, 16), False),   # Spring Festival (Mon)
    (date(2026, 2, 23), False),   # last day of Spring Festival (Mon)
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday, make-up workday
    (date(2026, 5, 4), False),    # Labour Day holiday (Mon)
    (date(2026, 5, 9), True),     # Saturday, make-up workday
    (date(2026, 5, 11), True),    # ordinary Monday
])
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_add_working_days_across_national_day() -> None:
    # Wed 30 Sep 2026: the next working day is Thu 8 Oct; the third is the make-up Saturday 10 Oct.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_add_working_days_across_spring_festival() -> None:
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)   # make-up Saturday
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    # objections: decided within 5 working days of acceptance on Fri 13 Feb 2026
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_add_working_days_ordinary_week() -> None:
    assert add_working_days(date(2026, 5, 15), 0) == date(2026, 5, 15)
    assert add_working_days(date(2026, 5, 15), 1) == date(2026, 5, 18)   # Fri -> Mon
    assert add_working_days(date(2026, 5, 11), 7) == date(2026, 5, 20)   # double publicity: 7 working days


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 5, 11), -1)


def test_working_days_between() -> None:
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == 0
    assert working_days_between(date(2026, 5, 11), date(2026, 5, 11)) == 0
    assert working_days_between(date(2026, 5, 11), add_working_days(date(2026, 5, 11), 10)) == 10


def test_unknown_year_falls_back_to_monday_to_friday(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gongxin.core.workdays"):
        assert is_working_day(date(2099, 1, 5)) is True     # Monday
        assert is_working_day(date(2099, 1, 3)) is False    # Saturday
    assert "2099" in caplog.text
