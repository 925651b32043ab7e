"""accounts.auth.ViewerAuth: a signed-in person's API write needs the CSRF token besides the session."""

from __future__ import annotations

import secrets

from django.test import Client

from gongxin.accounts.models import User

URL = "/api/v1/notices/999999/read"


def test_a_session_write_without_the_csrf_token_is_refused_with_its_code(public_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(public_user)
    response = client.post(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf_failed"
    assert response.json()["message"] == "您无权执行此操作。"  # PermissionDenied's message, in zh-hans


def test_a_session_write_with_the_csrf_token_passes_the_door(public_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(public_user)
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, as a browser's cookie holds it
    client.cookies["csrftoken"] = token
    response = client.post(URL, HTTP_X_CSRFTOKEN=token)
    assert response.json()["code"] == "notice.no_subject"  # past the door: notices then refuse a non-subject
