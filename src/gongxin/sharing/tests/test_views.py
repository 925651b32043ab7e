"""Sharing pages: staff see every subscription with failing endpoints first; a client's operators see their
department's; others are refused; the pages render in Chinese."""

from __future__ import annotations

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.core import clock
from gongxin.sharing.choices import SubscriptionStatus
from gongxin.sharing.models import Subscription
from gongxin.sharing.services import subscription_create
from gongxin.sharing.tests.conftest import user_create
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def _two(gov: ApiCaller, market: ApiCaller) -> tuple[Subscription, Subscription]:
    ours = subscription_create(name="采购订阅", actor=gov.viewer, webhook_url="https://hooks.example.test/a")
    theirs = subscription_create(name="信贷订阅", actor=market.viewer)
    Subscription.objects.filter(pk=ours.subscription.pk).update(
        status=SubscriptionStatus.FAILING, consecutive_failures=9, failing_since=clock.now(), last_error="HTTP 500")
    return ours.subscription, theirs.subscription


def test_staff_see_all_failing_first(gov, market, staff: User):
    ours, theirs = _two(gov, market)
    response = signed_in(staff).get("/sharing/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f'data-subscription="{ours.pk}"') < html.index(f'data-subscription="{theirs.pk}"')
    assert "data-failing" in html and "HTTP 500" in html
    assert "订阅与推送" in html  # Chinese by default
    for english in ("Failing endpoints", "Waiting to be sent", "Business system", "failures in a row", "Webhook"):
        assert english not in html
    assert "连续失败 9 次" in html
    detail = signed_in(staff).get(f"/sharing/{ours.pk}/")
    assert detail.status_code == 200
    assert 'data-status="failing"' in detail.content.decode()


def test_operators_see_their_departments_clients(gov, market):
    ours, theirs = _two(gov, market)
    operator = user_create("op-finance", role=Role.OPERATOR, department=gov.client.department)
    html = signed_in(operator).get("/sharing/").content.decode()
    assert f'data-subscription="{ours.pk}"' in html
    assert f'data-subscription="{theirs.pk}"' not in html
    assert signed_in(operator).get(f"/sharing/{theirs.pk}/").status_code == 404


def test_people_without_a_role_here_are_refused(gov, market, seeded):
    subject = factories.organization_create(name="宁波市某某有限公司")
    agent = user_create("agent", role=Role.ORG_AGENT)
    agent.subject = subject
    agent.save(update_fields=["subject"])
    assert signed_in(agent).get("/sharing/").status_code == 403
    from django.test import Client

    assert Client().get("/sharing/").status_code == 302  # to sign in
