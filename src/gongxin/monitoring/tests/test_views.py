"""The early-warning pages: the dashboard with the active scorecard (IV and bins as bars) and the risk
distribution; alerts with filters and their steps; an organization's risk page; the watch list. In
Chinese by default; refused to outsiders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from gongxin.monitoring.models import Alert, Watch
from gongxin.monitoring.services import risk_run
from gongxin.monitoring.tests.conftest import TODAY, handmade_scorecard, penalty, viewer
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(acme, unit, staff) -> Alert:
    handmade_scorecard()
    penalty(acme, unit, TODAY - timedelta(days=30))
    risk_run(actor=viewer(staff))
    return Alert.objects.get(subject=acme)


def test_dashboard_shows_the_model_and_the_distribution(scored, staff) -> None:
    response = signed_in(staff).get("/monitoring/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-active-scorecard" in html and 'data-feature="negative_12m"' in html
    assert 'data-feature-bins="licences"' in html and "data-bucket=" in html
    assert "预警" in html


def test_dashboard_without_a_model_says_how_to_train_one(staff, policies) -> None:
    html = signed_in(staff).get("/monitoring/").content.decode()
    assert "data-no-active" in html


def test_pages_are_refused_to_outsiders(scored, outsider) -> None:
    assert signed_in(outsider).get("/monitoring/").status_code == 403
    assert signed_in(outsider).get("/monitoring/alerts/").status_code == 403
    assert Client().get("/monitoring/").status_code == 302  # to sign in


def test_an_open_alert_reads_as_waiting_to_be_handled(scored, staff) -> None:
    """Its status says what it is (待处理 / Open), not the notices' link word (查看) the bare msgid "Open" took."""
    client = signed_in(staff)
    for path in ("/monitoring/alerts/", f"/monitoring/alerts/{scored.pk}/"):
        html = client.get(path).content.decode()
        status = html[html.index('data-alert-status="open"'):]
        assert status[status.index(">") + 1:status.index("</span>")] == "待处理"
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        status = english[english.index('data-alert-status="open"'):]
        assert status[status.index(">") + 1:status.index("</span>")] == "Open"


def test_alerts_are_filtered_and_acknowledged(scored, staff) -> None:
    client = signed_in(staff)
    html = client.get("/monitoring/alerts/", {"status": "open"}).content.decode()
    assert f'data-alert="{scored.pk}"' in html
    assert f'data-alert="{scored.pk}"' not in client.get("/monitoring/alerts/", {"kind": "watch"}).content.decode()
    response = client.post(f"/monitoring/alerts/{scored.pk}/", {"action": "acknowledge", "note": "查看中"})
    assert response.status_code == 302
    scored.refresh_from_db()
    assert scored.status == "acknowledged"
    client.post(f"/monitoring/alerts/{scored.pk}/", {"action": "close", "note": "已整改"})
    scored.refresh_from_db()
    assert scored.status == "closed"
    assert "已整改" in client.get(f"/monitoring/alerts/{scored.pk}/").content.decode()


def test_auditors_read_but_do_not_act(scored, auditor) -> None:
    client = signed_in(auditor)
    page = client.get(f"/monitoring/alerts/{scored.pk}/").content.decode()
    assert "data-alert-actions" not in page
    assert client.post(f"/monitoring/alerts/{scored.pk}/", {"action": "close"}).status_code == 403


def test_subject_page_shows_score_reasons_and_watch(scored, staff, acme) -> None:
    client = signed_in(staff)
    html = client.get(f"/monitoring/subjects/{acme.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-reasons" in html and ">530<" in html
    assert client.post(f"/monitoring/subjects/{acme.pk}/watch/").status_code == 302
    assert Watch.objects.filter(subject=acme, is_active=True).exists()


def test_watch_list_by_code(staff, acme) -> None:
    client = signed_in(staff)
    response = client.post("/monitoring/watches/", {"code": acme.organization.uscc, "note": "举报线索"})
    assert response.status_code == 302
    html = client.get("/monitoring/watches/").content.decode()
    assert acme.name in html and "举报线索" in html
    watch = Watch.objects.get(subject=acme)
    client.post(f"/monitoring/watches/{watch.pk}/remove/")
    watch.refresh_from_db()
    assert not watch.is_active
    unknown = client.post("/monitoring/watches/", {"code": "91330200MA0000000X"})
    assert unknown.status_code == 400
