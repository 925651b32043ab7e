"""The error pages of gongxin.urls render portal/error.html, styled and translated."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gongxin import urls

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="error-status">404<' in html
    assert "/static/portal/site.css" in html


def test_server_error_page_renders_without_the_account_menu(db):
    request = RequestFactory().get("/")
    response = urls.handler500(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert 'class="error-status">500<' in html
    assert "/accounts/login/" not in html


def test_api_errors_stay_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
