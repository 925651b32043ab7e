"""The monitoring API (/api/v1/monitoring): scorecards, alerts and their steps, an organization's risk
(logged as an inquiry), watch lists; staff act, auditors read, others are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from gongxin.access.models import Inquiry
from gongxin.monitoring.errors import WatchNotYours
from gongxin.monitoring.models import Alert, Watch
from gongxin.monitoring.services import risk_run, watch_start, watch_stop
from gongxin.monitoring.tests.conftest import TODAY, handmade_scorecard, penalty, viewer
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/monitoring"


@pytest.fixture
def alerted(acme, unit, staff) -> Alert:
    handmade_scorecard()
    penalty(acme, unit, TODAY - timedelta(days=30))
    risk_run(actor=viewer(staff))
    return Alert.objects.get(subject=acme)


def test_scorecards_are_listed_with_their_bins(staff, policies) -> None:
    scorecard = handmade_scorecard(status="draft")
    client = signed_in(staff)
    listed = client.get(f"{BASE}/scorecards").json()
    assert [s["id"] for s in listed] == [scorecard.pk] and listed[0]["features"] == []
    detail = client.get(f"{BASE}/scorecards/{scorecard.pk}").json()
    assert [f["code"] for f in detail["features"]] == ["negative_12m", "licences"]
    assert [b["points"] for b in detail["features"][0]["bins"]][:3] == [400, 330, 280]
    activated = client.post(f"{BASE}/scorecards/{scorecard.pk}/activate")
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    again = client.post(f"{BASE}/scorecards/{scorecard.pk}/activate")
    assert (again.status_code, again.json()["code"]) == (409, "monitoring.scorecard_not_draft")


def test_alerts_are_listed_filtered_and_acknowledged(alerted, staff, auditor) -> None:
    client = signed_in(staff)
    listed = client.get(f"{BASE}/alerts", {"status": "open", "kind": "threshold"}).json()
    assert [(a["id"], a["score"], a["subject_name"]) for a in listed] == [(alerted.pk, 530, alerted.subject.name)]
    assert client.get(f"{BASE}/alerts", {"kind": "watch"}).json() == []
    read_only = signed_in(auditor)
    assert read_only.get(f"{BASE}/alerts/{alerted.pk}").status_code == 200
    refused = read_only.post(f"{BASE}/alerts/{alerted.pk}/acknowledge", {"note": ""}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "monitoring.not_staff")
    done = client.post(f"{BASE}/alerts/{alerted.pk}/acknowledge", {"note": "on it"},
                       content_type="application/json").json()
    assert done["status"] == "acknowledged"
    assert [e["action"] for e in done["events"]] == ["monitoring.alert.raised", "monitoring.alert.acknowledged"]
    # Each step in words, and who acted by name, never the stored code (#18 point 1).
    assert [e["action_label"] for e in done["events"]] == ["产生预警", "预警已确认"]
    assert "user:" not in done["events"][1]["actor"] and staff.username in done["events"][1]["actor"]
    closed = client.post(f"{BASE}/alerts/{alerted.pk}/close", {"note": "done"}, content_type="application/json")
    assert closed.json()["status"] == "closed"


def test_outsiders_and_anonymous_callers_are_refused(alerted, outsider) -> None:
    assert Client().get(f"{BASE}/alerts").status_code == 401
    response = signed_in(outsider).get(f"{BASE}/alerts")
    assert (response.status_code, response.json()["code"]) == (403, "monitoring.not_staff")
    own_risk = signed_in(outsider).get(f"{BASE}/subjects/{alerted.subject_id}/risk")
    assert own_risk.status_code == 403


def test_risk_of_an_organization_is_logged_as_an_inquiry(alerted, staff) -> None:
    response = signed_in(staff).get(f"{BASE}/subjects/{alerted.subject_id}/risk")
    assert response.status_code == 200
    (latest,) = response.json()
    assert latest["score"] == 530 and latest["scorecard"] == "handmade v1"
    assert latest["reasons"][0]["feature"] == "negative_12m" and latest["reasons"][0]["reason_en"]
    inquiry = Inquiry.objects.get(subject_id=alerted.subject_id)
    assert (inquiry.purpose, inquiry.channel, inquiry.viewer_label) == ("staff", "api", "user:staff-monitor")


def test_watches_are_started_listed_and_stopped(acme, staff) -> None:
    client = signed_in(staff)
    created = client.post(f"{BASE}/watches", {"subject_id": acme.pk, "note": "tip-off"},
                          content_type="application/json")
    assert created.status_code == 201
    watch = created.json()
    assert [w["id"] for w in client.get(f"{BASE}/watches").json()] == [watch["id"]]
    assert client.delete(f"{BASE}/watches/{watch['id']}").status_code == 204
    assert client.get(f"{BASE}/watches").json() == []


def test_another_staff_members_watch_is_not_found_and_stays_on(acme, staff, other_staff) -> None:
    """A watch is looked up among the caller's own (monitoring.selectors.watch_get), so another staff member's
    watch id answers as an unknown one does: its existence is not confirmed, and it is not stopped."""
    created = signed_in(staff).post(f"{BASE}/watches", {"subject_id": acme.pk}, content_type="application/json")
    watch_id = created.json()["id"]
    for missing_id in (watch_id, watch_id + 1000):
        response = signed_in(other_staff).delete(f"{BASE}/watches/{missing_id}")
        assert response.status_code == 404
        assert response.json() == {"code": "monitoring.watch_not_found", "message": "没有该关注。"}
    assert Watch.objects.get(pk=watch_id).is_active


def test_stopping_another_staff_members_watch_is_refused_with_its_own_message(acme, staff, other_staff) -> None:
    """The service's own check, for callers holding a watch that is not the actor's (the API and the pages
    never hand it one: see above): monitoring.not_your_watch, no longer the 'only organizations' message."""
    watch = watch_start(subject=acme, actor=viewer(staff))
    with pytest.raises(WatchNotYours) as caught:
        watch_stop(watch=watch, actor=viewer(other_staff))
    assert caught.value.code == "monitoring.not_your_watch" and caught.value.status == 422
    assert caught.value.as_dict() == {"code": "monitoring.not_your_watch",
                                      "message": "只有添加关注的人才能取消该关注。"}
    watch.refresh_from_db()
    assert watch.is_active
