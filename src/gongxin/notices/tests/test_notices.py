"""notice_send, the inbox page and the inbox API, with a subject's two users and an outsider."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import viewer_for_user
from gongxin.notices.models import Notice
from gongxin.notices.services import notice_mark_read, notice_send
from gongxin.subjects.models import Subject
from gongxin.testing import factories


@pytest.fixture
def acme(db: None) -> Subject:
    return factories.organization_create(name="宁波甬信通知测试有限公司")


@pytest.fixture
def agent(acme: Subject) -> User:
    return User.objects.create_user(username="agent", password="x", role=Role.ORG_AGENT, subject=acme,
                                    email="agent@example.cn")


@pytest.fixture
def outsider(db: None) -> User:
    other = factories.organization_create(name="宁波另一家通知测试有限公司")
    return User.objects.create_user(username="outsider", password="x", role=Role.ORG_AGENT, subject=other,
                                    email="out@example.cn")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_notice_send_writes_the_inbox_row_and_emails_the_subjects_users_after_commit(
    acme: Subject, agent: User, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.create_user(username="no-mail", password="x", role=Role.ORG_AGENT, subject=acme)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notice_send(subject=acme, code="objections.objection.accepted", title="您的异议已受理",
                             body="编号 YY-1",
                             link="/objections/1/")
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agent@example.cn"]
    assert message.subject == "您的异议已受理"
    assert "编号 YY-1" in message.body and "/objections/1/" in message.body
    notice.refresh_from_db()
    assert notice.emailed_to == 1 and notice.read_at is None and notice.code == "objections.objection.accepted"


def test_rolled_back_notice_sends_no_mail(acme: Subject, agent: User, django_capture_on_commit_callbacks: Any) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notice_send(subject=acme, code="x", title="t", body="b")
                raise RuntimeError("step failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == [] and not Notice.objects.exists()


def test_inbox_lists_unread_first_and_marks_read(acme: Subject, agent: User, outsider: User) -> None:
    old = notice_send(subject=acme, code="objections.objection.filed", title="旧通知", body="")
    new = notice_send(subject=acme, code="objections.objection.accepted", title="新通知", body="")
    notice_mark_read(notice_id=new.pk, actor=viewer_for_user(agent))
    html = signed_in(agent).get("/notices/").content.decode()
    assert html.index("旧通知") < html.index("新通知")  # the unread one first, though older
    assert f'data-notice="{old.pk}"' in html
    # An outsider sees none of them and cannot mark them.
    outsider_client = signed_in(outsider)
    assert "旧通知" not in outsider_client.get("/notices/").content.decode()
    outsider_client.post(f"/notices/{old.pk}/read/")
    old.refresh_from_db()
    assert old.read_at is None
    response = signed_in(agent).post(f"/notices/{old.pk}/read/")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.read_at is not None


def test_inbox_api_lists_and_marks_read(acme: Subject, agent: User, outsider: User) -> None:
    notice = notice_send(subject=acme, code="objections.objection.accepted", title="受理", body="正文",
                         link="/objections/")
    client = signed_in(agent)
    body = client.get("/api/v1/notices").json()
    assert body["unread"] == 1 and body["items"][0]["code"] == "objections.objection.accepted"
    assert body["items"][0]["read_at"] is None
    response = signed_in(outsider).post(f"/api/v1/notices/{notice.pk}/read")
    assert response.status_code == 404 and response.json()["code"] == "notice.not_found"
    response = client.post(f"/api/v1/notices/{notice.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.get("/api/v1/notices?unread=true").json()["count"] == 0


def test_inbox_api_refuses_anonymous_and_users_without_subject(db: None) -> None:
    response = Client().get("/api/v1/notices")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    staff = User.objects.create_user(username="staff", password="x", role=Role.STAFF)
    response = signed_in(staff).get("/api/v1/notices")
    assert response.status_code == 403 and response.json()["code"] == "notice.no_subject"
