"""Bad input anywhere gives a clear, documented answer, never a 500: schemathesis generates requests from the
OpenAPI document (valid and invalid) and every response must be a non-5xx answer whose status code is
documented for the operation, whose content type is the documented one and whose body matches the
documented schema (the error statuses: the one error shape, core.openapi).

Three callers, so that the operations behind authentication are exercised too, not only their 401: an
anonymous visitor, a staff member's session (with its CSRF token, as the pages send it) and an API client
holding every scope. The budget is bounded: ``FUZZ_EXAMPLES`` (3) per operation and caller, about 400
requests per caller; measured on SQLite on two busy shared cores, 3 minutes for the anonymous caller and
6 for the two others. GONGXIN_FUZZ_EXAMPLES raises it on a developer's machine.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import SESSION_KEY
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import Department, User
from gongxin.accounts.services import api_client_create
from gongxin.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

FUZZ_EXAMPLES = int(os.environ.get("GONGXIN_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
    # Deterministic in CI; GONGXIN_FUZZ_RANDOM=1 explores new examples on a developer's machine.
    derandomize=not os.environ.get("GONGXIN_FUZZ_RANDOM"),
)

pytestmark = pytest.mark.fuzz  # left out of `make test-fast`


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # Calling the WSGI app directly fires request_started/finished, whose handler closes the database
    # connection of the test transaction; Django's own test client disconnects it the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_session() -> dict[str, Any]:
    """Cookies and header of a signed-in staff member, CSRF token included (writes from a session need it)."""
    user = User.objects.create_user(username="fuzz-staff", password="fuzz-staff-password-1", role=Role.STAFF)
    client = Client()
    client.force_login(user)
    assert client.session[SESSION_KEY] == str(user.pk)
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token}}


@pytest.fixture
def client_with_every_scope() -> dict[str, Any]:
    department = Department.objects.create(code="FUZZ", name="模糊测试部门", region_code="330200")
    _client, key = api_client_create(name="fuzz", department=department, scopes=list(Scope.values),
                                     rate_limit_per_minute=1_000_000)
    return {"headers": {"X-API-Key": key}}


def _assert_answer(case: schemathesis.Case, **call: Any) -> None:
    response = case.call(**call)
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("code"), str) and body["code"], body
        assert isinstance(body.get("message"), str) and body["message"], body


@schema.parametrize()
@FUZZ_SETTINGS
@pytest.mark.django_db
def test_anonymous(case: schemathesis.Case) -> None:
    _assert_answer(case)


@schema.parametrize()
@FUZZ_SETTINGS
@pytest.mark.django_db
def test_staff_session(case: schemathesis.Case, staff_session: dict[str, Any]) -> None:
    _assert_answer(case, **staff_session)


@schema.parametrize()
@FUZZ_SETTINGS
@pytest.mark.django_db
def test_api_client_with_every_scope(case: schemathesis.Case, client_with_every_scope: dict[str, Any]) -> None:
    _assert_answer(case, **client_with_every_scope)
