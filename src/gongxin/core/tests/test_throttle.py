"""core.throttle: fixed windows counted in the database, per key; 429 with Retry-After over the limit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import RequestFactory, override_settings

from gongxin.core.models import ThrottleWindow
from gongxin.core.throttle import Throttled, client_address, rate_of, throttle_hit

T0 = datetime.fromisoformat("2026-03-02T10:00:05+08:00")

pytestmark = pytest.mark.django_db


@override_settings(GONGXIN_THROTTLE_RATES={"rin_lookup.caller": "3/60", "rin_lookup.address": "5/60"})
def test_over_the_limit_is_throttled_with_the_seconds_left_in_the_window():
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            throttle_hit(hits=[("rin_lookup.caller", "user:1")])
        with pytest.raises(Throttled) as refused:
            throttle_hit(hits=[("rin_lookup.caller", "user:1")])
    assert refused.value.status == 429
    assert refused.value.retry_after == 56  # the minute's window ends 55 s after 10:00:05
    # Another caller has its own count; the next window starts afresh.
    with time_machine.travel(T0, tick=False):
        throttle_hit(hits=[("rin_lookup.caller", "user:2")])
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        throttle_hit(hits=[("rin_lookup.caller", "user:1")])


@override_settings(GONGXIN_THROTTLE_RATES={"rin_lookup.caller": "100/60", "rin_lookup.address": "2/60"})
def test_the_address_limit_holds_whatever_the_callers():
    with time_machine.travel(T0, tick=False):
        throttle_hit(hits=[("rin_lookup.caller", "user:1"), ("rin_lookup.address", "addr:192.0.2.7")])
        throttle_hit(hits=[("rin_lookup.caller", "user:2"), ("rin_lookup.address", "addr:192.0.2.7")])
        with pytest.raises(Throttled):
            throttle_hit(hits=[("rin_lookup.caller", "user:3"), ("rin_lookup.address", "addr:192.0.2.7")])
        throttle_hit(hits=[("rin_lookup.caller", "user:3"), ("rin_lookup.address", "addr:192.0.2.8")])


@override_settings(GONGXIN_THROTTLE_RATES={"export.caller": "10/60"})
def test_cost_counts_several_at_once_and_one_row_per_window():
    with time_machine.travel(T0, tick=False):
        throttle_hit(hits=[("export.caller", "client:4")], cost=6)
        with pytest.raises(Throttled):
            throttle_hit(hits=[("export.caller", "client:4")], cost=5)
    rows = ThrottleWindow.objects.filter(key="export.caller:client:4")
    assert [r.count for r in rows] == [11]


@override_settings(GONGXIN_THROTTLE_RATES={"export.caller": "0/60"})
def test_a_zero_rate_switches_the_limit_off():
    for _ in range(5):
        throttle_hit(hits=[("export.caller", "client:4")])
    assert not ThrottleWindow.objects.exists()
    assert rate_of("rin_lookup.caller").count > 0  # the defaults stay for the others


def test_client_address_trusts_forwarded_for_only_behind_configured_proxies():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    with override_settings(GONGXIN_PROXY_COUNT=0):
        assert client_address(request) == "10.0.0.2"
    with override_settings(GONGXIN_PROXY_COUNT=1):
        # The entry the proxy added, not the one the client could have forged to the left of it.
        assert client_address(request) == "203.0.113.9"
