"""The clock: aware, in Asia/Shanghai; calendar months clamped to month end."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from gongxin.core import clock


def test_today_is_the_date_in_shanghai() -> None:
    # 17:30 UTC on 9 May is 01:30 on 10 May in Ningbo.
    with time_machine.travel(datetime(2026, 5, 9, 17, 30, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 5, 10)
        now = clock.now()
        assert now.tzinfo is not None
        assert now == datetime(2026, 5, 9, 17, 30, tzinfo=UTC)


def test_today_at_an_instant_is_its_date_in_shanghai_whatever_zone_is_active() -> None:
    from django.utils import timezone

    assert clock.today(datetime(2026, 5, 9, 15, 59, tzinfo=UTC)) == date(2026, 5, 9)
    assert clock.today(datetime(2026, 5, 9, 16, 0, tzinfo=UTC)) == date(2026, 5, 10)
    with timezone.override("America/New_York"):
        assert clock.today(datetime(2026, 5, 9, 17, 30, tzinfo=UTC)) == date(2026, 5, 10)


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 5, 10), 3, date(2026, 8, 10)),
    (date(2026, 5, 10), 12, date(2027, 5, 10)),
    (date(2026, 5, 10), 60, date(2031, 5, 10)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),    # clamped
    (date(2024, 1, 31), 1, date(2024, 2, 29)),    # leap year
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),   # across the year
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 15), -13, date(2024, 12, 15)),
    (date(2026, 5, 10), 0, date(2026, 5, 10)),
])
def test_add_months(start: date, months: int, expected: date) -> None:
    assert clock.add_months(start, months) == expected
