"""Reads of the notices app. A viewer sees only the notices of the subject it acts for."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from gongxin.accounts.viewer import Viewer
from gongxin.notices.errors import NoSubject, NoticeNotFound
from gongxin.notices.models import Notice


def notices_of_viewer(*, viewer: Viewer) -> QuerySet[Notice]:
    """The viewer's subject's notices, unread first, newest first."""
    if viewer.subject_id is None:
        raise NoSubject()
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Notice.objects.filter(subject_id=viewer.subject_id).order_by(unread_first, "-created_at", "-id")


def notice_of_viewer(*, notice_id: int, viewer: Viewer) -> Notice:
    notice = notices_of_viewer(viewer=viewer).filter(pk=notice_id).first()
    if notice is None:
        raise NoticeNotFound()
    return notice


def notices_unread_count(*, viewer: Viewer) -> int:
    if viewer.subject_id is None:
        return 0
    return Notice.objects.filter(subject_id=viewer.subject_id, read_at__isnull=True).count()
