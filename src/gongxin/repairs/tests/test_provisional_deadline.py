"""A repair filed in late December 2026, before the State Council's 2027 holiday arrangement is known: its
deadlines skip New Year's Day 2027 and the page marks them provisional until the year is entered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.urls import reverse

from gongxin.core.arrangements import arrangement_enter, arrangement_text_parse
from gongxin.core.workdays import calendar_invalidate
from gongxin.records.models import Record
from gongxin.repairs.services import repair_apply
from gongxin.repairs.tests.conftest import apply_kwargs, as_viewer, at
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_invalidate()
    yield
    calendar_invalidate()


def test_a_deadline_into_2027_is_marked_provisional_until_the_arrangement_is_entered(penalty: Record, agent) -> None:
    with at(date(2026, 12, 30)):
        application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
        # Wed 30 Dec: Thu 31 Dec is the first working day; Fri 1 Jan 2027 New Year's Day, then a weekend.
        assert application.department_due == date(2027, 1, 5)
        page = signed_in(agent).get(reverse("repairs:detail", args=[application.pk])).content.decode()
        assert page.count("data-provisional") == 2

        holidays = arrangement_text_parse("2027-01-01..2027-01-03 元旦\n2027-02-05..2027-02-08 春节\n"
                                          "2027-04-05 清明\n2027-05-01..2027-05-02 劳动节\n2027-06-09 端午\n"
                                          "2027-09-15 中秋\n2027-10-01..2027-10-03 国庆\n")
        arrangement_enter(year=2027, holidays=holidays, workdays={}, source="test", actor_label="user:office")
        page = signed_in(agent).get(reverse("repairs:detail", args=[application.pk])).content.decode()
        assert "data-provisional" not in page
