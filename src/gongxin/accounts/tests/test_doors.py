"""The doors (accounts.doors) and what templates ask (accounts.context_processors): refusals answer one way, and a
page's link shows exactly for those its door lets in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import Department, User
from gongxin.testing.personas import api_caller_create, api_http, signed_in, user_create


@pytest.fixture
def department(db: None) -> Department:
    return Department.objects.create(code="TEST-DOORS", name="测试局", region_code="330200")


@pytest.fixture
def operator(department: Department) -> User:
    return user_create("doors-operator", role=Role.OPERATOR, department=department)


def test_a_page_sends_the_anonymous_visitor_to_the_login_page(db: None) -> None:
    response = Client().get(reverse("portal:workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_a_page_refuses_on_the_one_error_page(public_user: User) -> None:
    response = signed_in(public_user).get(reverse("portal:workbench"))
    assert response.status_code == 403
    assert next(t.name for t in response.templates) == "portal/error.html"


def test_a_refusal_deeper_down_says_why_on_the_same_page(public_user: User) -> None:
    response = signed_in(public_user).get(reverse("repairs:apply"))
    assert response.status_code == 403
    assert next(t.name for t in response.templates) == "portal/error.html"
    assert "不能申请信用修复" in response.content.decode()  # the reason, in the interface's language


def test_auditors_read_the_subscriptions_pages(auditor: User) -> None:
    assert signed_in(auditor).get(reverse("sharing:overview")).status_code == 200


def test_the_api_door_answers_401_to_the_anonymous_and_403_to_a_caller_without_the_capability(
    department: Department,
) -> None:
    response = Client().get("/api/v1/notices")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    caller = api_caller_create(name="doors-system", department=department, scopes=[Scope.RECORDS_SHARE])
    response = api_http(caller.key).get("/api/v1/notices")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_links_follow_the_capabilities(public_user: User, operator: User, auditor: User) -> None:
    home = reverse("portal:home")
    public = signed_in(public_user).get(home).content.decode()
    assert 'data-nav="workbench"' not in public
    unit = signed_in(operator).get(home).content.decode()
    assert 'data-nav="workbench"' in unit and 'data-nav="objection-tasks"' in unit
    assert 'data-nav="objection-workbench"' not in unit
    office = signed_in(auditor).get(home).content.decode()
    assert 'data-nav="objection-workbench"' in office and 'data-nav="objection-tasks"' not in office
