"""Login and logout through the styled pages; the header shows who is signed in."""

from __future__ import annotations

import pytest

from gongxin.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user(username="wang", password="correct-horse-battery", display_name="王小明")


def test_login_page_is_styled(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/portal/site.css" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_bad_credentials_show_an_error(client, user):
    response = client.post("/accounts/login/", {"username": "wang", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "用户名" in html


def test_login_then_logout(client, user):
    response = client.post("/accounts/login/", {"username": "wang", "password": "correct-horse-battery"})
    assert response.status_code == 302

    html = client.get("/").content.decode()
    assert "王小明" in html
    assert 'action="/accounts/logout/"' in html

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "王小明" not in html
    assert "/accounts/login/" in html
