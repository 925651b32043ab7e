"""Holiday arrangements as stored policy data: entered by staff (admin), loaded from the package (command),
and the status command that says which source answers for each year (decision 038)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from io import StringIO

import chinese_calendar
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from gongxin.core.arrangements import (
    arrangement_enter,
    arrangement_load,
    arrangement_text,
    arrangement_text_parse,
    library_arrangement,
)
from gongxin.core.errors import ValidationFailed
from gongxin.core.models import ArrangementOrigin, HolidayArrangement
from gongxin.core.workdays import CalendarSource, calendar_invalidate, is_working_day, year_source

pytestmark = pytest.mark.django_db

NOTICE_2027 = """\
2027-01-01..2027-01-03 元旦
2027-02-05..2027-02-13 春节
2027-04-03..2027-04-05 清明
2027-05-01..2027-05-05 劳动节
2027-06-09 端午
2027-09-15 中秋
2027-10-01..2027-10-07 国庆
"""
NOTICE_2026 = """\
2026-01-01..2026-01-03 元旦
2026-02-15..2026-02-23 春节
2026-04-04..2026-04-06 清明
2026-05-01..2026-05-05 劳动节
2026-06-19..2026-06-21 端午
2026-09-25..2026-09-27 中秋
2026-10-01..2026-10-07 国庆
"""
MAKE_UP_2027 = "2027-02-14 春节\n2027-02-20 春节\n2027-09-26 国庆\n2027-10-09 国庆\n"


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_invalidate()
    yield
    calendar_invalidate()


def _days(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_a_year_loaded_from_the_package_answers_as_the_package() -> None:
    assert [o.outcome for o in arrangement_load(years=[2026, 2027], actor_label="command:calendar")] == \
        ["loaded", "unknown"]
    stored = HolidayArrangement.objects.get(year=2026)
    assert stored.origin == ArrangementOrigin.LIBRARY and stored.source.startswith("chinesecalendar ")
    assert year_source(2026) is CalendarSource.STORED
    assert [is_working_day(d) for d in _days(2026)] == [chinese_calendar.is_workday(d) for d in _days(2026)]
    assert [o.outcome for o in arrangement_load(years=[2026], actor_label="command:calendar")] == ["kept"]


@pytest.mark.parametrize("year", [2008, 2012, 2015, 2019, 2020, 2024, 2025])
def test_every_known_year_loads_and_passes_the_checks(year: int) -> None:
    arrangement_load(years=[year], actor_label="command:calendar")
    assert [is_working_day(d) for d in _days(year)] == [chinese_calendar.is_workday(d) for d in _days(year)]


def test_the_next_new_year_holiday_in_december_belongs_to_the_next_year() -> None:
    holidays, workdays = library_arrangement(2019)
    assert date(2018, 12, 30) in holidays and date(2018, 12, 29) in workdays
    assert date(2018, 12, 30) not in library_arrangement(2018)[0]


def test_a_load_never_replaces_what_staff_entered() -> None:
    holidays = arrangement_text_parse(NOTICE_2026)
    arrangement_enter(year=2026, holidays=holidays, workdays={}, source="国办发明电〔2025〕7号",
                      actor_label="user:office")
    outcomes = arrangement_load(years=[2026], actor_label="command:calendar", replace=True)
    assert [o.outcome for o in outcomes] == ["kept"]
    assert HolidayArrangement.objects.get(year=2026).origin == ArrangementOrigin.ENTERED


def test_an_arrangement_missing_a_statutory_holiday_is_refused() -> None:
    holidays = arrangement_text_parse(NOTICE_2027.replace("2027-02-05..2027-02-13", "2027-02-06..2027-02-13"))
    with pytest.raises(ValidationFailed) as refused:
        arrangement_enter(year=2027, holidays=holidays, workdays={}, source="x", actor_label="user:office")
    assert "2027-02-05: statutory holiday (spring_festival) missing" in refused.value.details["errors"]
    with pytest.raises(ValidationFailed):   # a make-up working day on a weekday
        arrangement_enter(year=2027, holidays=arrangement_text_parse(NOTICE_2027),
                          workdays={date(2027, 2, 15): "spring_festival"}, source="x", actor_label="user:office")
    assert not HolidayArrangement.objects.exists()


def test_the_notice_text_round_trips() -> None:
    holidays = arrangement_text_parse(NOTICE_2027)
    assert len(holidays) == 3 + 9 + 3 + 5 + 1 + 1 + 7 and holidays[date(2027, 2, 10)] == "spring_festival"
    arrangement = arrangement_enter(year=2027, holidays=holidays, workdays=arrangement_text_parse(MAKE_UP_2027),
                                    source="x", actor_label="user:office")
    text, make_up = arrangement_text(arrangement.days.all())
    assert arrangement_text_parse(text) == holidays
    assert make_up.splitlines()[0] == "2027-02-14 spring_festival"
    for bad in ("2027-02-30 春节", "2027-02-05 元宵", "2027-02-13..2027-02-05 春节", "2027-02-05"):
        with pytest.raises(ValueError):
            arrangement_text_parse(bad)


def test_staff_enter_next_years_arrangement_in_the_admin() -> None:
    admin = get_user_model().objects.create_superuser(username="office", password="x-test-password-1",
                                                      email="office@example.test")
    client = Client()
    client.force_login(admin)
    form = {"year": "2027", "source": "国办发明电〔2026〕9号", "title": "国务院办公厅关于2027年部分节假日安排的通知",
            "published_on": "2026-11-12", "url": "", "holiday_periods": NOTICE_2027, "make_up_workdays": MAKE_UP_2027,
            "days-TOTAL_FORMS": "0", "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "0"}
    assert is_working_day(date(2027, 2, 10)) is True          # not statutory: the fallback counts it
    response = client.post("/admin/core/holidayarrangement/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = HolidayArrangement.objects.get(year=2027)
    assert (stored.entered_by_label, stored.entered_by_id, stored.days.count()) == ("user:office", admin.pk, 33)
    assert is_working_day(date(2027, 2, 10)) is False          # counted from the notice at once
    assert is_working_day(date(2027, 2, 14)) is True

    edit = {**form, "make_up_workdays": "2027-02-14 春节\n"}
    edit.pop("year")
    response = client.post(f"/admin/core/holidayarrangement/{stored.pk}/change/", edit)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert is_working_day(date(2027, 2, 20)) is False
    assert HolidayArrangement.objects.get().pk == stored.pk

    response = client.post("/admin/core/holidayarrangement/add/", {**form, "year": "2028"})
    assert response.status_code == 200 and HolidayArrangement.objects.count() == 1   # days outside 2028


def test_calendar_status_and_load_commands() -> None:
    out = StringIO()
    with time_machine.travel(datetime.fromisoformat("2026-12-07T10:00:00+08:00"), tick=False):
        with pytest.raises(CommandError, match="2027"):
            call_command("calendar", "status", stdout=out)
        assert "2026: library" in out.getvalue() and "2027: statutory" in out.getvalue()
        out = StringIO()
        call_command("calendar", "load", stdout=out)
        assert out.getvalue().splitlines() == ["2025: loaded", "2026: loaded"]
        out = StringIO()
        call_command("calendar", "status", "--year", "2026", stdout=out)
        assert out.getvalue().startswith("2026: stored — chinesecalendar")
    with time_machine.travel(datetime.fromisoformat("2026-06-01T10:00:00+08:00"), tick=False):
        call_command("calendar", "status", stdout=StringIO())   # next year's notice is not due before November
