"""An organization's public report is issued once per platform day and content: the same firm, the same day and no
changed record → the stored report again (no new signature, nothing counted); a changed record or a new day → a
new report (counted against the limits per caller and address)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from gongxin.accounts.viewer import ANONYMOUS
from gongxin.core.errors import Throttled
from gongxin.records.choices import Purpose
from gongxin.reports.models import Report
from gongxin.reports.services import report_request
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _request(subject):
    return report_request(subject=subject, kind="organization", viewer=ANONYMOUS, purpose=Purpose.PUBLIC)


def test_the_same_content_on_the_same_day_is_the_same_report(acme, source_unit):
    with time_machine.travel(datetime.fromisoformat("2026-11-10T09:00:00+08:00"), tick=False):
        first, issued = _request(acme)
        again, issued_again = _request(acme)
    assert issued and not issued_again and again.pk == first.pk and again.signature == first.signature

    with time_machine.travel(datetime.fromisoformat("2026-11-10T10:00:00+08:00"), tick=False):
        factories.penalty_create(subject=acme, source_unit=source_unit)
    with time_machine.travel(datetime.fromisoformat("2026-11-10T11:00:00+08:00"), tick=False):
        changed, issued_changed = _request(acme)  # a record changed since: the old content is not today's
        same, issued_same = _request(acme)
    assert issued_changed and changed.pk != first.pk and not issued_same and same.pk == changed.pk
    assert changed.content_hash != first.content_hash  # it shows the new penalty


def test_the_day_is_the_platforms_not_utcs(acme):
    # 07:30 in Beijing is 23:30 of the day before in UTC, 08:30 is 00:30 of the same UTC day as the next request:
    # both are the platform's same day, so the second request gets the first report.
    with time_machine.travel(datetime.fromisoformat("2026-11-10T07:30:00+08:00"), tick=False):
        first, _issued = _request(acme)
    with time_machine.travel(datetime.fromisoformat("2026-11-10T08:30:00+08:00"), tick=False):
        again, issued = _request(acme)
    assert not issued and again.pk == first.pk
    with time_machine.travel(datetime.fromisoformat("2026-11-11T00:10:00+08:00"), tick=False):
        tomorrow, issued_tomorrow = _request(acme)
    assert issued_tomorrow and tomorrow.pk != first.pk


def test_new_reports_are_limited_per_address_the_days_report_is_not(acme, source_unit, settings):
    from gongxin.core.throttle import _address

    settings.GONGXIN_THROTTLE_RATES = {"report_issue.address": "1/3600"}
    token = _address.set("203.0.113.7")
    try:
        first, _issued = _request(acme)
        for _n in range(3):
            assert _request(acme)[0].pk == first.pk  # served again: not counted
        factories.penalty_create(subject=acme, source_unit=source_unit)
        with pytest.raises(Throttled):
            _request(acme)  # a new report would be the address's second this hour
    finally:
        _address.reset(token)
    assert Report.objects.filter(subject=acme).count() == 1
