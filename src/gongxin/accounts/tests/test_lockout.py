"""Sign-in lockout: wrong passwords lock the username and the address, also against the right password, on the
login page and the admin's login alike; the lock ends after the cool-off; the holder is told once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.notices.models import Notice
from gongxin.testing.subjects import organization_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
WRONG = "Tr0ub4dor&3"


def _user(username: str, **values: object) -> User:
    user = User(username=username, **values)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client: Client, url: str, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client: Client, url: str, username: str, times: int, address: str = "203.0.113.7") -> None:
    for _ in range(times):
        response = _sign_in(client, url, username, WRONG, address)
        assert not _signed_in(client)
        assert response.status_code in {200, 429}


def test_the_right_password_is_refused_while_the_username_is_locked(client: Client) -> None:
    _user("clerk", email="clerk@example.gov.cn", role=Role.STAFF)
    _fail(client, LOGIN, "clerk", settings.AXES_FAILURE_LIMIT)

    response = _sign_in(client, LOGIN, "clerk", PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert "Sign-in blocked" in response.content.decode() or "登录已被暂停" in response.content.decode()


def test_one_failure_less_than_the_limit_still_lets_the_holder_in(client: Client) -> None:
    _user("clerk")
    _fail(client, LOGIN, "clerk", settings.AXES_FAILURE_LIMIT - 1)

    response = _sign_in(client, LOGIN, "clerk", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_the_username_is_locked_from_every_address(client: Client) -> None:
    _user("clerk")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, LOGIN, "clerk", 1, address=f"198.51.100.{n + 1}")

    response = _sign_in(Client(), LOGIN, "clerk", PASSWORD, address="192.0.2.200")

    assert response.status_code == 429


def test_an_address_trying_many_usernames_is_locked_for_all_of_them(client: Client) -> None:
    _user("clerk")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, LOGIN, f"guess{n}", 1)

    assert _sign_in(client, LOGIN, "clerk", PASSWORD).status_code == 429
    other = Client()
    assert _sign_in(other, LOGIN, "clerk", PASSWORD, address="192.0.2.200").status_code == 302
    assert _signed_in(other)


def test_the_lock_ends_after_the_cool_off(client: Client) -> None:
    _user("clerk")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _fail(client, LOGIN, "clerk", settings.AXES_FAILURE_LIMIT)
        assert _sign_in(client, LOGIN, "clerk", PASSWORD).status_code == 429  # also a failure: extends the lock

        traveller.shift(settings.AXES_COOLOFF_TIME - timedelta(seconds=30))
        assert _sign_in(client, LOGIN, "clerk", PASSWORD).status_code == 429

        traveller.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        response = _sign_in(client, LOGIN, "clerk", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_the_admin_login_is_locked_too(client: Client) -> None:
    _user("root", is_staff=True, is_superuser=True, role=Role.ADMIN)
    _fail(client, ADMIN_LOGIN, "root", settings.AXES_FAILURE_LIMIT)

    response = _sign_in(client, ADMIN_LOGIN, "root", PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login


def test_failures_on_the_admin_login_lock_the_login_page(client: Client) -> None:
    _user("root", is_staff=True, is_superuser=True, role=Role.ADMIN)
    _fail(client, ADMIN_LOGIN, "root", settings.AXES_FAILURE_LIMIT)

    assert _sign_in(Client(), LOGIN, "root", PASSWORD, address="192.0.2.200").status_code == 429


def test_a_staff_holder_is_emailed_once_per_lockout(client: Client, django_capture_on_commit_callbacks) -> None:
    _user("clerk", email="clerk@example.gov.cn", role=Role.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, LOGIN, "clerk", settings.AXES_FAILURE_LIMIT + 3)
        _sign_in(client, LOGIN, "clerk", PASSWORD)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["clerk@example.gov.cn"]
    assert "clerk" in message.body and "203.0.113.7" in message.body
    assert PASSWORD not in message.body and WRONG not in message.body


def test_the_agent_of_a_subject_gets_a_notice(client: Client) -> None:
    firm = organization_create()
    _user("agent", email="agent@example.com", subject=firm)
    _fail(client, LOGIN, "agent", settings.AXES_FAILURE_LIMIT)

    notices = list(Notice.objects.filter(subject=firm, code="account.locked_out"))
    assert len(notices) == 1
    assert "agent" in notices[0].body


def test_an_address_locked_for_unknown_usernames_tells_nobody(
    client: Client, django_capture_on_commit_callbacks,
) -> None:
    _user("clerk", email="clerk@example.gov.cn")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(settings.AXES_FAILURE_LIMIT + 2):
            _fail(client, LOGIN, f"guess{n}", 1)

    assert mail.outbox == []
