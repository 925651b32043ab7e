"""Writes of the notices app: send a notice (inbox row + e-mail after commit), mark it read."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.notices.models import Notice
from gongxin.notices.selectors import notice_of_viewer
from gongxin.subjects.models import Subject

logger = logging.getLogger(__name__)


def _recipients(subject_id: int) -> list[str]:
    users = User.objects.filter(subject_id=subject_id, is_active=True).exclude(email="")
    emails = users.values_list("email", flat=True)
    return sorted(set(emails))


def notice_email(notice_id: int) -> int:
    """E-mail a notice to the users acting for its subject; returns how many addresses were sent to.

    Runs after the notice's transaction committed. A failing mail server never undoes the step the
    notice announces: the error is logged and the notice stays in the inbox."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return 0
    recipients = _recipients(notice.subject_id)
    if not recipients:
        return 0
    body = notice.body
    if notice.link:
        base = getattr(settings, "GONGXIN_PUBLIC_URL", "")
        body = f"{body}\n\n{base}{notice.link}" if body else f"{base}{notice.link}"
    try:
        send_mail(notice.title, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception:  # the mail server is an outside party; the notice itself is already kept
        logger.exception("E-mail of notice %s failed", notice_id)
        return 0
    Notice.objects.filter(pk=notice_id).update(emailed_to=len(recipients))
    return len(recipients)


def notice_send(*, subject: Subject, code: str, title: str, body: str, link: str = "") -> Notice:
    """Tell ``subject`` something: an inbox row now, an e-mail to its users once the caller commits.

    ``title`` and ``body`` are already translated (callers render them in ``settings.LANGUAGE_CODE``)."""
    with transaction.atomic():
        notice = Notice.objects.create(
            subject=subject, code=code, title=str(title)[:200], body=str(body), link=link, created_at=clock.now()
        )
        notice_id = notice.pk
        transaction.on_commit(lambda: notice_email(notice_id))
    return notice


def notice_mark_read(*, notice_id: int, actor: Viewer) -> Notice:
    """Mark one of the viewer's subject's notices read (idempotent: the first reading time stays)."""
    notice = notice_of_viewer(notice_id=notice_id, viewer=actor)
    if notice.read_at is None:
        notice.read_at = clock.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_mark_all_read(*, actor: Viewer) -> int:
    from gongxin.notices.selectors import notices_of_viewer

    return notices_of_viewer(viewer=actor).filter(read_at__isnull=True).update(read_at=clock.now())
