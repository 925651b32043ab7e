"""Government users' second factor, idle timeout and re-authentication (decision 060)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongxin.accounts.choices import Role
from gongxin.accounts.middleware import OPEN_BEFORE_SECOND_FACTOR
from gongxin.core import clock
from gongxin.testing.factories import PASSWORD, source_unit_create
from gongxin.testing.personas import signed_in, user_create
from gongxin.testing.second_factor import totp_code

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def _routes(patterns: list, prefix: str = "") -> list[str]:
    """Every URL of the URL conf with sample path parameters (regular-expression routes are skipped)."""
    urls = []
    for entry in patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue
        path = prefix + CONVERTER.sub(lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
        if isinstance(entry, URLResolver):
            urls += _routes(entry.url_patterns, path)
        elif isinstance(entry, URLPattern):
            urls.append("/" + path)
    return sorted(set(urls))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_staff_enrol_at_their_first_sign_in_and_give_a_code_at_every_sign_in(second_factor_enforced, staff):
    client = Client()
    assert client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD}).status_code == 302
    step = client.get("/workbench/")
    assert step.status_code == 302 and step["Location"].startswith("/accounts/second-factor/enrol/")
    page = client.get(step["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/accounts/second-factor/enrol/", {"token": _wrong(totp_code(device))}).status_code == 422
    assert client.get("/workbench/").status_code == 302
    # A wrong code makes the device wait before the next try (django-otp's throttle): a few seconds later.
    with time_machine.travel(clock.now() + timedelta(seconds=5)):
        done = client.post("/accounts/second-factor/enrol/", {"token": totp_code(device), "next": "/workbench/"})
        assert done.status_code == 302 and done["Location"] == "/workbench/"
        assert client.get("/workbench/").status_code == 200
        assert TOTPDevice.objects.get(user=staff).confirmed

        # The next sign-in asks for the code (not a new enrolment); a used code does not pass again.
        client.post("/accounts/logout/")
        client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
        step = client.get("/workbench/")
        assert step["Location"].startswith("/accounts/second-factor/?")
        assert client.post("/accounts/second-factor/", {"token": totp_code(device)}).status_code == 422  # replayed
    with time_machine.travel(clock.now() + timedelta(seconds=10)):
        ok = client.post("/accounts/second-factor/", {"token": totp_code(device, steps_ahead=1),
                                                      "next": "/workbench/"})
        assert ok["Location"] == "/workbench/" and client.get("/workbench/").status_code == 200


# Staff in the lane (every page and operation, read and write); the other roles read every one, marked slow.
@pytest.mark.parametrize(("role", "methods"), [
    (Role.STAFF, ("get", "post")),
    pytest.param(Role.OPERATOR, ("get",), marks=pytest.mark.slow),
    pytest.param(Role.AUDITOR, ("get",), marks=pytest.mark.slow),
    pytest.param(Role.ADMIN, ("get",), marks=pytest.mark.slow),
])
def test_a_government_login_without_the_second_factor_reaches_no_page(role, methods):
    department = source_unit_create().department if role == Role.OPERATOR else None
    user = user_create(f"gov-{role}", role=role, department=department)
    client = signed_in(user, second_factor=False)
    reached = []
    urls = _routes(get_resolver().url_patterns)
    assert len(urls) > 80 and "/workbench/" in urls and "/api/v1/objections" in urls
    for url in urls:
        if resolve(url).view_name in OPEN_BEFORE_SECOND_FACTOR:
            continue
        for method in methods:
            response = getattr(client, method)(url)
            if url.startswith("/api/"):
                if response.status_code != 401 or response.json()["code"] != "auth.second_factor_required":
                    reached.append((method, url, response.status_code))
            elif not (response.status_code == 302
                      and response["Location"].startswith("/accounts/second-factor/enrol/?next=")):
                reached.append((method, url, response.status_code))
    assert not reached
    # Persons are not asked for a second factor.
    person = user_create("a-person", role=Role.PERSON)
    assert signed_in(person, second_factor=False).get("/accounts/agents/").status_code == 200


@pytest.fixture
def timers_on(settings):
    """The platform's sign-in timers (the suite's settings turn them off)."""
    settings.GONGXIN_GOVERNMENT_SIGN_IN = {}


def test_an_idle_government_session_ends(timers_on, staff):
    client = signed_in(staff)
    start = clock.now()
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert client.get("/workbench/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=45), tick=False):  # 25 idle minutes: still in
        assert client.get("/workbench/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=76), tick=False):
        ended = client.get("/workbench/")
        assert ended.status_code == 302 and ended["Location"].startswith("/accounts/login/")
        assert client.get("/api/v1/objections/queue").status_code == 401
        assert "_auth_user_id" not in client.session


def test_sensitive_acts_need_a_fresh_password_and_code(timers_on, staff):
    client = signed_in(staff)
    device = TOTPDevice.objects.get(user=staff)
    assert client.get("/reports/GX-20260101-AAAAAAAAAA/pdf").status_code == 404  # signed in just now: the view answers
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        stale = client.get("/reports/GX-20260101-AAAAAAAAAA/pdf")
        assert stale.status_code == 302
        assert stale["Location"] == "/accounts/reauthenticate/?next=%2Freports%2FGX-20260101-AAAAAAAAAA%2Fpdf"
        decide = client.post("/objections/1/decide/", HTTP_REFERER="http://testserver/objections/1/")
        assert decide["Location"] == "/accounts/reauthenticate/?next=http%3A%2F%2Ftestserver%2Fobjections%2F1%2F"
        api = client.post("/api/v1/objections/1/decide", {}, content_type="application/json")
        assert api.status_code == 401 and api.json()["code"] == "auth.reauthentication_required"
        # Reading is not a sensitive act.
        assert client.get("/objections/workbench/").status_code == 200

        wrong = client.post("/accounts/reauthenticate/", {"password": "not-it", "token": totp_code(device)})
        assert wrong.status_code == 422
        ok = client.post("/accounts/reauthenticate/", {"password": PASSWORD, "token": totp_code(device),
                                                       "next": "/reports/GX-20260101-AAAAAAAAAA/pdf"})
        assert ok.status_code == 302 and ok["Location"] == "/reports/GX-20260101-AAAAAAAAAA/pdf"
        assert client.get("/reports/GX-20260101-AAAAAAAAAA/pdf").status_code == 404
        assert client.post("/api/v1/objections/1/decide", {}, content_type="application/json").status_code != 401
