"""A request body over the API's limit is refused at the door with 413 in the JSON error shape, before it is
read (a 70 MB JSON body was read whole and then failed as a server error)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_70_mb_json_body_is_too_large(settings):
    body = b'{"records": ["' + b"x" * (70 * 1024 * 1024) + b'"]}'
    response = Client().post("/api/v1/ingest/push", data=body, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    answer = response.json()
    assert answer["code"] == "request.too_large"
    assert answer["details"] == {"limit_bytes": settings.GONGXIN_API_BODY_MAX_BYTES}
    assert answer["message"]


def test_the_limit_is_a_setting_and_bodies_under_it_pass(settings):
    settings.GONGXIN_API_BODY_MAX_BYTES = 1024
    client = Client()
    over = client.post("/api/v1/reports", data=b'{"x": "' + b"y" * 1100 + b'"}', content_type="application/json")
    assert over.status_code == 413
    under = client.post("/api/v1/reports", data=b'{"x": "y"}', content_type="application/json")
    assert under.status_code == 422  # read and validated as usual


def test_pages_are_not_concerned(settings):
    settings.GONGXIN_API_BODY_MAX_BYTES = 10
    response = Client().post("/accounts/login/", {"username": "someone", "password": "x" * 100})
    assert response.status_code != 413
