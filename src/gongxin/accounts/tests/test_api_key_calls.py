"""API calls with an API key skip the browser session's middlewares (accounts.middleware.ApiKeyCallMiddleware,
decision 083) and keep everything else: the key decides who calls (a wrong one is 401 whatever the session), the
rate limit, the body limit, the security headers and the language of the answer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.test.client import ClientHandler

from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.services import api_client_create
from gongxin.testing.personas import signed_in, user_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/rewards/matters"  # any endpoint an API client may read


@pytest.fixture
def client_and_key() -> tuple[ApiClient, str]:
    department = Department.objects.create(code="NB-SW", name="国家税务总局宁波市税务局", region_code="330200")
    return api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=3)


def test_an_api_key_call_has_the_security_headers_and_no_cookie(client_and_key: tuple[ApiClient, str]) -> None:
    response = Client(HTTP_X_API_KEY=client_and_key[1]).get(URL)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"]
    assert response["Content-Language"] == "zh-hans"
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies  # no session, no CSRF cookie


def test_the_key_decides_not_the_session_of_a_government_user_without_second_factor(
        client_and_key: tuple[ApiClient, str]) -> None:
    official = signed_in(user_create("gov-staff", role=Role.STAFF), second_factor=False)
    assert official.get(URL).json()["code"] == "auth.second_factor_required"  # the session alone: refused
    answered = official.get(URL, HTTP_X_API_KEY=client_and_key[1])
    assert answered.status_code == 200  # the key's client is the caller; the session is not consulted
    assert not answered.cookies


def test_a_wrong_key_is_401_even_with_a_signed_in_session(public_user) -> None:
    response = signed_in(public_user).get(URL, HTTP_X_API_KEY="gx_nosuch_key", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_api_key"
    assert response.json()["message"] == "The API key is not valid or has been disabled."  # Accept-Language held
    bearer = Client().get(URL, HTTP_AUTHORIZATION="Bearer gx_nosuch_key")
    assert bearer.status_code == 401


def test_a_call_without_a_key_or_session_is_401() -> None:
    response = Client().post("/api/v1/checks", data={"matter": "CZ-CG-001", "uscc": "x"},
                             content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_an_api_key_call_is_rate_limited(client_and_key: tuple[ApiClient, str]) -> None:
    api = Client(HTTP_X_API_KEY=client_and_key[1])
    codes = [api.get(URL).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_an_api_key_call_over_the_body_limit_is_413(client_and_key: tuple[ApiClient, str], settings) -> None:
    settings.GONGXIN_API_BODY_MAX_BYTES = 100
    response = Client(HTTP_X_API_KEY=client_and_key[1]).post(
        "/api/v1/checks", data=b'{"matter": "' + b"x" * 200 + b'"}', content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


def test_pages_with_a_key_header_keep_their_session(public_user, client_and_key: tuple[ApiClient, str]) -> None:
    page = signed_in(public_user).get("/accounts/agents/", HTTP_X_API_KEY=client_and_key[1])
    assert page.status_code == 200  # the signed-in person, not redirected to the login page


def test_the_skip_needs_its_rejoin_point(settings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("ApiKeyCallRejoinMiddleware")]
    with pytest.raises(ImproperlyConfigured, match="ApiKeyCallRejoinMiddleware"):
        ClientHandler().load_middleware()
