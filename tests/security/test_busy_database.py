"""A busy database is a 503 with Retry-After, never a 500: a second connection holds the write lock while a
person signs in (a page) and marks a notice read (the API)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from gongxin.accounts.models import User
from gongxin.notices.services import notice_send
from gongxin.testing.subjects import organization_create

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@contextmanager
def write_lock_held(*tables: str) -> Iterator[None]:
    """Another connection holds the write lock (SQLite: the database's; PostgreSQL: the tables'), and this
    one waits only briefly for it (instead of SQLite's 10 s busy timeout, or no timeout on PostgreSQL)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        other = sqlite3.connect(name, uri=str(name).startswith("file:"), isolation_level=None, timeout=0.1)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 10000")
    else:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        other = psycopg.connect(**params)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            with other.transaction():
                for table in tables:
                    other.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
                yield
        finally:
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")


def _user(**values: object) -> User:
    user = User(username="busy-clerk", **values)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_sign_in_while_another_writer_holds_the_lock_is_503_with_retry_after() -> None:
    _user()
    browser = Client(raise_request_exception=False)
    with write_lock_held("accounts_user", "django_session"):
        response = browser.post("/accounts/login/", {"username": "busy-clerk", "password": PASSWORD})

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "text/html" in response["Content-Type"]

    again = browser.post("/accounts/login/", {"username": "busy-clerk", "password": PASSWORD})
    assert again.status_code == 302  # the lock is gone: the same sign-in works


def test_an_api_write_while_another_writer_holds_the_lock_is_503_json() -> None:
    firm = organization_create()
    user = _user(subject=firm)
    notice = notice_send(subject=firm, code="test.busy", title="t", body="b")
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    with write_lock_held("notices_notice"):
        response = browser.post(f"/api/v1/notices/{notice.pk}/read")

    assert response.status_code == 503
    assert response.json()["code"] == "service.busy"
    assert int(response["Retry-After"]) > 0
    assert browser.post(f"/api/v1/notices/{notice.pk}/read").status_code == 200


@contextmanager
def write_lock_released_at_the_pause(monkeypatch: pytest.MonkeyPatch, *tables: str) -> Iterator[list[float]]:
    """Another connection holds the write lock until the retry of core.busy pauses (``busy._pause``), then
    lets go: the first attempt finds the database busy, the second finds it free. Yields the pauses taken."""
    from gongxin.core import busy

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        other = sqlite3.connect(name, uri=str(name).startswith("file:"), isolation_level=None, timeout=0.1)
        other.execute("BEGIN IMMEDIATE")
        closing: Any = other
    else:
        import psycopg

        params = connection.get_connection_params()
        for key in ("cursor_factory", "context", "prepare_threshold"):
            params.pop(key, None)
        pg = psycopg.connect(**params)
        pg.execute("BEGIN")
        for table in tables:
            pg.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
        closing = pg

    def release() -> None:
        closing.rollback()  # sqlite3 and psycopg connections alike
        closing.close()

    pauses: list[float] = []

    def pause(seconds: float) -> None:
        if not pauses:
            release()
        pauses.append(seconds)

    monkeypatch.setattr(busy, "_pause", pause)
    try:
        yield pauses
    finally:
        if not pauses:
            release()


REPORT_TABLES = ("reports_report", "core_outboxevent", "core_throttlewindow", "access_inquiry")


def test_a_report_asked_for_while_another_writer_holds_the_lock_is_503_never_500() -> None:
    firm = organization_create()
    browser = Client(raise_request_exception=False)
    with write_lock_held(*REPORT_TABLES):
        api = browser.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
        page = browser.post("/reports/issue/", {"uscc": firm.organization.uscc}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert api.status_code == 503 and api.json()["code"] == "service.busy" and int(api["Retry-After"]) > 0
    assert "繁忙" in api.json()["message"]
    assert page.status_code == 503 and "繁忙" in page.content.decode() and int(page["Retry-After"]) > 0
    assert browser.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}},
                        content_type="application/json").status_code == 201  # the lock is gone: issued


def test_a_report_asked_for_while_the_lock_is_held_briefly_is_issued_once_it_is_released(
        monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    from gongxin.reports.models import Report

    # The signed-in API caller's rate is counted in the database outside the transaction: off here, so
    # that the issue is the request's first write (busy there, the whole request is 503, as tested above).
    settings.GONGXIN_THROTTLE_RATES = {"api.session": "0/60"}
    firm = organization_create()
    staff = _user(role="staff")  # not counted by the report limits: the transaction is the first write
    browser = Client(raise_request_exception=False)
    browser.force_login(staff)
    connection.ensure_connection()
    with connection.cursor() as cursor:  # shorter than the lock: the first attempt finds the database busy
        cursor.execute("PRAGMA busy_timeout = 200" if connection.vendor == "sqlite" else "SET lock_timeout = '200ms'")
    try:
        # PostgreSQL: the tables the issue's own transaction writes (the request's other writes go on).
        with write_lock_released_at_the_pause(monkeypatch, "reports_report", "core_outboxevent") as pauses:
            response = browser.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}},
                                    content_type="application/json")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 10000" if connection.vendor == "sqlite" else "SET lock_timeout = 0")
    assert response.status_code == 201, response.content.decode()[:300]
    assert len(pauses) == 1  # found busy once, issued by the second attempt
    assert Report.objects.filter(subject=firm).count() == 1
