"""In a real browser (decision 073): staff open the dashboards, where the locally served chart library draws a chart
over each table and the CSV links answer; the relation graph of an organization is drawn as SVG with its table; the
home page shows the public section. Screenshots go to GONGXIN_SCREENSHOTS if set."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.core import clock
from gongxin.monitoring.dashboards import dashboards_refresh
from gongxin.monitoring.services import risk_run
from gongxin.monitoring.tests.conftest import handmade_scorecard, penalty, viewer
from gongxin.subjects.models import Relation
from gongxin.testing import factories
from gongxin.testing.browser import log_in
from gongxin.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today() -> None:
    """The real clock: the browser keeps the session cookie by its own date (overrides the conftest's frozen day)."""


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("GONGXIN_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"monitoring-{name}.png"), full_page=True)


def test_dashboards_and_the_relation_graph(live_server, browser, acme, unit, policies) -> None:
    staff = User.objects.create_user(username="brain-staff", password=PASSWORD, role=Role.STAFF)
    person = factories.person_create(name="王董事")
    sister = factories.organization_create(name="宁波市北仑区关联制造有限公司")
    holder = factories.organization_create(name="宁波市甬控投资有限公司")
    Relation.objects.create(from_subject=person, to_subject=acme, kind="legal_representative")
    Relation.objects.create(from_subject=person, to_subject=sister, kind="executive")
    Relation.objects.create(from_subject=holder, to_subject=acme, kind="shareholder", share_ratio=Decimal("0.51"))
    handmade_scorecard()
    penalty(acme, unit, clock.today() - timedelta(days=20))
    risk_run(actor=viewer(staff))
    dashboards_refresh()

    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    page = context.new_page()
    log_in(page, live_server.url, "brain-staff", "/monitoring/dashboards/")
    page.wait_for_selector('[data-chart-figure="records_by_month"] canvas')
    assert page.locator("[data-dashboards] canvas").count() >= 6
    assert page.locator('[data-chart-figure="records_by_month"].chart-drawn').count() == 1  # the table: sight only
    assert page.locator('[data-chart-figure="alerts_by_district"] a[data-csv]').count() == 1
    csv = page.request.get(f"{live_server.url}/monitoring/dashboards/records.csv")
    assert csv.status == 200 and "month,dimension,name,value" in csv.text()
    _shot(page, "dashboards")

    page.goto(f"{live_server.url}/monitoring/subjects/{acme.pk}/relations/")
    graph = page.locator("[data-relation-graph] svg")
    assert graph.is_visible()
    assert page.locator("[data-relation-graph] [data-node]").count() == 4  # acme, the person, the sister, the holder
    assert page.locator('[data-relation-graph] line[data-edge="shareholder"]').count() == 1
    table = page.locator("[data-relations-table]").inner_text()
    assert "王董事" in table and "51.00 %" in table and sister.name in table
    _shot(page, "relations")
    context.close()

    public = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"}).new_page()
    public.goto(f"{live_server.url}/")
    section = public.locator("[data-brain-public]")
    assert section.is_visible() and "王董事" not in public.content()
    _shot(public, "home-public")
