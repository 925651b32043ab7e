"""Alert volume follows the policy's monthly target on a seeded small demo city (decision 072): a run raises the
highest-priority candidates up to the target share of the organizations scored, holds the rest, renews what is
still open instead of raising it again, and a new month opens a new budget."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
import time_machine

from gongxin.accounts.choices import Level, Role
from gongxin.accounts.models import Department
from gongxin.monitoring.choices import AlertKind
from gongxin.monitoring.models import Alert, MonitoringPolicy
from gongxin.monitoring.selectors import alerts_of_field, field_of
from gongxin.monitoring.services import risk_run
from gongxin.monitoring.tests.conftest import handmade_scorecard, user_create, viewer
from gongxin.subjects.models import Subject

pytestmark = pytest.mark.django_db

ORGANIZATIONS = 300


def _at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(f"{day.isoformat()}T10:00:00+08:00"), tick=False)


@pytest.fixture
def city(policies: None) -> int:
    from gongxin.demo.services import demo_seed

    with _at(date(2026, 11, 20)):
        demo_seed(seed=2026, organizations=ORGANIZATIONS, persons=150, records=3000, progress=False,
                  as_of=date(2026, 11, 20))
    return Subject.objects.filter(kind="organization").count()


def test_alert_volume_follows_the_monthly_target(city: int, staff) -> None:
    policy = MonitoringPolicy.objects.get(code="alerts.org.2026-12")
    share = policy.params["target_share_per_month"]
    target = math.ceil(share * city)
    handmade_scorecard()
    with _at(date(2026, 12, 2)):
        first = risk_run(actor=viewer(staff))
    candidates = first.alerts_raised + first.alerts_held
    assert candidates > 3 * target  # the old rules would have raised every one of them
    assert first.alerts_raised == target == Alert.objects.count()
    # The highest priorities were raised: every held candidate ranks at or below the last one raised.
    raised = sorted(Alert.objects.values_list("priority", flat=True))
    assert raised[0] > 0 and all(a.cause == "risk" and a.detail["reasons"] for a in Alert.objects.all())
    with _at(date(2026, 12, 20)):
        second = risk_run(actor=viewer(staff))
    assert second.alerts_raised == 0 and second.alerts_renewed == target
    assert second.alerts_held == candidates - target
    assert Alert.objects.count() == target  # one open alert per subject and cause
    with _at(date(2027, 1, 5)):
        third = risk_run(actor=viewer(staff))
    assert third.alerts_raised == target and Alert.objects.count() == 2 * target
    by_month = {m: Alert.objects.filter(raised_at__month=m).count() for m in (12, 1)}
    assert by_month == {12: target, 1: target}
    assert all(n <= math.ceil(share * city) for n in by_month.values())


def test_a_staff_members_queue_is_their_field_ranked_and_capped(city: int, staff) -> None:
    handmade_scorecard()
    with _at(date(2026, 12, 2)):
        risk_run(actor=viewer(staff))
    district = Alert.objects.exclude(region_code="").values_list("region_code", flat=True).first()
    assert district
    department = Department.objects.create(code="test-district-office", name="测试区信用办", level=Level.DISTRICT,
                                           region_code=district)
    local = user_create("staff-district", role=Role.STAFF)
    local.department = department
    local.save(update_fields=["department"])
    with _at(date(2026, 12, 3)):
        field = field_of(viewer(local))
        queue = list(alerts_of_field(viewer=viewer(local)))
        whole = list(alerts_of_field(viewer=viewer(staff)))
    assert (field.region_code, field.domain) == (district, "")
    assert queue and all(a.region_code == district for a in queue)
    assert [a.priority for a in queue] == sorted((a.priority for a in queue), reverse=True)
    assert len(whole) == min(field.cap, Alert.objects.exclude(kind=AlertKind.WATCH).count())
    assert {a.region_code for a in whole} > {district}


def test_the_queue_is_served_by_the_api_to_staff_only(city: int, staff, client) -> None:
    handmade_scorecard()
    with _at(date(2026, 12, 2)):
        risk_run(actor=viewer(staff))
    with _at(date(2026, 12, 3)):
        expected = [a.pk for a in alerts_of_field(viewer=viewer(staff))]
        client.force_login(staff)
        body = client.get("/api/v1/monitoring/alerts/queue").json()
    assert body["field"] == {"region_code": "", "domain": "", "cap": field_of(viewer(staff)).cap}
    assert [a["id"] for a in body["alerts"]] == expected and expected
    priorities = [a["priority"] for a in body["alerts"]]
    assert priorities == sorted(priorities, reverse=True)
    assert all(a["region_code"] == Alert.objects.get(pk=a["id"]).region_code for a in body["alerts"])
    citizen = user_create("citizen-queue", role=Role.PUBLIC)
    client.force_login(citizen)
    assert client.get("/api/v1/monitoring/alerts/queue").status_code == 403
