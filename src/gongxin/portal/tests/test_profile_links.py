"""The profile links to the credit card and offers the credit report; the navigation to 双公示 and 我的信用."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from gongxin.accounts.models import User

pytestmark = pytest.mark.django_db


def _issue_url() -> str | None:
    try:
        return reverse("reports:issue")
    except NoReverseMatch:
        return None


def _my_credit_url() -> str | None:
    try:
        return reverse("access:profile")
    except NoReverseMatch:
        return None


def test_profile_links_to_the_credit_card(client, acme):
    html = client.get(reverse("portal:organization", args=[acme.organization.uscc])).content.decode()
    assert f'href="{reverse("portal:card", args=[acme.organization.uscc])}" data-card-link' in html


def test_profile_offers_the_credit_report_when_reports_are_there(client, acme):
    response = client.get(reverse("portal:organization", args=[acme.organization.uscc]))
    assert response.status_code == 200  # renders whether or not the reports app serves "issue" yet
    html = response.content.decode()
    issue_url = _issue_url()
    if issue_url is None:
        assert "data-report-form" not in html
    else:
        assert f'action="{issue_url}" data-report-form' in html
        assert f'name="uscc" value="{acme.organization.uscc}"' in html
        assert "csrfmiddlewaretoken" in html


def test_navigation(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:publicity")}"' in html
    assert 'data-nav="my-credit"' not in html  # only when signed in

    user = User.objects.create_user(username="agent", password="x-long-password-1")
    client.force_login(user)
    html = client.get(reverse("portal:home")).content.decode()
    my_credit = _my_credit_url()
    if my_credit is None:
        assert 'data-nav="my-credit"' not in html
    else:
        assert f'href="{my_credit}" data-nav="my-credit"' in html
