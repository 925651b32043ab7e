"""JSON API of the notices app (mounted at /api/v1/notices): a signed-in subject's inbox."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import has_account, viewer_for_request
from gongxin.notices.models import Notice
from gongxin.notices.selectors import notices_of_viewer
from gongxin.notices.services import notice_mark_read

router = Router(tags=["notices"], auth=viewer_auth)

PAGE_MAX = 100
OFFSET_MAX = 100_000


class NoticeOut(Schema):
    id: int
    code: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NoticePage(Schema):
    count: int
    unread: int
    items: list[NoticeOut]



def _out(notice: Notice) -> NoticeOut:
    return NoticeOut(id=notice.pk, code=notice.code, title=notice.title, body=notice.body, link=notice.link,
                     created_at=notice.created_at, read_at=notice.read_at)


@router.get("", response=NoticePage, summary="My notices, unread first")
def notices_list(request: HttpRequest, unread: bool = False, limit: int = 50, offset: int = 0) -> NoticePage:
    limit = max(1, min(limit, PAGE_MAX))
    offset = max(0, min(offset, OFFSET_MAX))
    queryset = notices_of_viewer(viewer=viewer_for_request(request, require=has_account))
    unread_count = queryset.filter(read_at__isnull=True).count()
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    return NoticePage(count=queryset.count(), unread=unread_count,
                      items=[_out(n) for n in queryset[offset:offset + limit]])


@router.post("/{notice_id}/read", response=NoticeOut, summary="Mark a notice read")
def notice_read(request: HttpRequest, notice_id: int) -> NoticeOut:
    return _out(notice_mark_read(notice_id=notice_id, actor=viewer_for_request(request, require=has_account)))
