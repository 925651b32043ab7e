"""Working days with China's holidays and make-up workdays (调休): the stored arrangement, the chinese-calendar
package, and the statutory holidays of the regulation for a year neither knows (decision 038)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
import time_machine
from django.template import Context, Template

from gongxin.core import clock
from gongxin.core.arrangements import arrangement_enter
from gongxin.core.workdays import (
    CalendarSource,
    add_working_days,
    calendar_invalidate,
    deadline_add,
    deadline_provisional,
    is_working_day,
    working_days_between,
    year_source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_invalidate()  # a rolled-back test must not leave its arrangements in this process's read
    yield
    calendar_invalidate()


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


def test_a_year_the_package_knows_answers_as_the_package() -> None:
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert is_working_day(day) is chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_a_year_nobody_knows_counts_the_statutory_holidays_and_weekends(caplog: pytest.LogCaptureFixture) -> None:
    assert year_source(2099) is CalendarSource.STATUTORY
    assert is_working_day(date(2099, 1, 5)) is True     # Monday
    assert is_working_day(date(2099, 1, 3)) is False    # Saturday
    assert is_working_day(date(2099, 1, 1)) is False    # New Year's Day (Thursday)
    with caplog.at_level(logging.WARNING, logger="gongxin.core.workdays"):
        assert add_working_days(date(2098, 12, 31), 1) == date(2099, 1, 2)
    assert "2099" in caplog.text and "provisional" in caplog.text


# --- 2027: chinese-calendar 1.11 has no arrangement for it yet ------------------------------------------------

def test_new_years_day_2027_is_not_a_working_day() -> None:
    assert year_source(2027) is CalendarSource.STATUTORY
    assert is_working_day(date(2027, 1, 1)) is False   # Friday, statutory holiday


def test_a_deadline_over_new_year_2027_skips_new_years_day() -> None:
    # Thu 31 Dec 2026: Fri 1 Jan is New Year's Day, 2–3 Jan a weekend.
    with time_machine.travel(datetime.fromisoformat("2026-12-31T10:00:00+08:00"), tick=False):
        deadline = deadline_add(start=clock.today(), days=1)
    assert deadline.due == date(2027, 1, 4)
    assert deadline.provisional and deadline.provisional_years == (2027,)
    assert add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 7)


def test_a_deadline_over_the_2027_spring_festival_skips_its_four_days() -> None:
    # Chinese New Year 2027 is Sat 6 Feb: 除夕 Fri 5 Feb, 初一–初三 6–8 Feb (regulation as amended 2024).
    assert [is_working_day(date(2027, 2, d)) for d in range(4, 10)] == [True, False, False, False, False, True]
    deadline = deadline_add(start=date(2027, 2, 4), days=5)   # objection decided within 5 working days
    assert deadline.due == date(2027, 2, 15)
    assert deadline.provisional
    assert working_days_between(date(2027, 2, 4), date(2027, 2, 15)) == 5


def test_a_deadline_inside_a_known_year_is_not_provisional() -> None:
    deadline = deadline_add(start=date(2026, 9, 30), days=3)
    assert deadline.due == date(2026, 10, 10) and not deadline.provisional


def test_the_page_marks_a_stored_deadline_that_runs_into_an_unknown_year() -> None:
    with time_machine.travel(datetime.fromisoformat("2026-12-31T10:00:00+08:00"), tick=False):
        assert deadline_provisional(date(2027, 1, 4)) is True
        assert deadline_provisional(date(2026, 12, 31)) is False
        assert deadline_provisional(None) is False


# --- the stored arrangement wins --------------------------------------------------------------------------------

def _arrangement_2027() -> None:
    """An arrangement as the State Council might publish it (test data, not the real notice)."""
    holidays = {date(2027, 1, 1): "new_years_day", date(2027, 1, 2): "new_years_day",
                date(2027, 1, 3): "new_years_day"}
    holidays |= {date(2027, 2, d): "spring_festival" for d in range(5, 14)}
    holidays |= {date(2027, 4, 5): "qingming", date(2027, 5, 1): "labour_day", date(2027, 5, 2): "labour_day",
                 date(2027, 5, 3): "labour_day", date(2027, 6, 9): "dragon_boat", date(2027, 9, 15): "mid_autumn"}
    holidays |= {date(2027, 10, d): "national_day" for d in range(1, 8)}
    workdays = {date(2027, 2, 14): "spring_festival", date(2027, 2, 20): "spring_festival",
                date(2027, 9, 26): "national_day", date(2027, 10, 9): "national_day"}
    arrangement_enter(year=2027, holidays=holidays, workdays=workdays, source="国办发明电〔2026〕0号（测试）",
                      actor_label="user:office")


def test_an_entered_arrangement_ends_the_provisional_count() -> None:
    _arrangement_2027()
    assert year_source(2027) is CalendarSource.STORED
    assert is_working_day(date(2027, 2, 10)) is False    # a bridge day the regulation does not name
    assert is_working_day(date(2027, 2, 14)) is True     # make-up Sunday
    deadline = deadline_add(start=date(2027, 2, 4), days=5)
    assert deadline.due == date(2027, 2, 18) and not deadline.provisional
    assert deadline_provisional(date(2027, 3, 1), today=date(2026, 12, 31)) is False


def test_a_stored_year_wins_over_the_package() -> None:
    assert is_working_day(date(2026, 10, 10)) is True     # the package: make-up Saturday
    holidays = {date(2026, 1, 1): "new_years_day", **{date(2026, 2, d): "spring_festival" for d in range(16, 20)},
                date(2026, 4, 5): "qingming", date(2026, 5, 1): "labour_day", date(2026, 5, 2): "labour_day",
                date(2026, 5, 11): "special", date(2026, 6, 19): "dragon_boat", date(2026, 9, 25): "mid_autumn",
                **{date(2026, 10, d): "national_day" for d in (1, 2, 3)}}
    arrangement_enter(year=2026, holidays=holidays, workdays={}, source="test", actor_label="user:office")
    assert year_source(2026) is CalendarSource.STORED
    assert is_working_day(date(2026, 5, 11)) is False     # stored holiday on a Monday
    assert is_working_day(date(2026, 10, 10)) is False    # not a make-up day in the stored arrangement
    assert is_working_day(date(2026, 10, 7)) is True      # the package's holiday, not the stored one


def test_the_deadline_mark_beside_a_date_on_a_page() -> None:
    page = Template("{% load workdays %}{{ due|deadline_mark }}")
    with time_machine.travel(datetime.fromisoformat("2026-12-31T10:00:00+08:00"), tick=False):
        assert "data-provisional" in page.render(Context({"due": date(2027, 1, 4)}))
        assert page.render(Context({"due": date(2026, 12, 31)})) == ""
        _arrangement_2027()
        assert page.render(Context({"due": date(2027, 1, 4)})) == ""
