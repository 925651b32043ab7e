"""The inbox page (/notices/): a signed-in subject's notices, unread first; mark one or all read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.core.errors import GongxinError
from gongxin.notices.selectors import notices_of_viewer
from gongxin.notices.services import notice_mark_read, notices_mark_all_read

PER_PAGE = 30


@page_requires()
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        return render(request, "notices/inbox.html", {"no_subject": True})
    queryset = notices_of_viewer(viewer=viewer)
    try:
        number = min(max(int(request.GET.get("page") or 1), 1), 10_000)
    except ValueError:
        number = 1
    page = Paginator(queryset, PER_PAGE).get_page(number)
    unread = queryset.filter(read_at__isnull=True).count()
    return render(request, "notices/inbox.html", {"page": page, "unread": unread})


@page_requires()
@require_POST
def read(request: HttpRequest, notice_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    try:
        notice = notice_mark_read(notice_id=notice_id, actor=viewer)
    except GongxinError:
        return redirect("notices:inbox")
    target = request.POST.get("next", "")
    if target == "link" and notice.link and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notice.link)
    return redirect("notices:inbox")


@page_requires()
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is not None:
        notices_mark_all_read(actor=viewer)
    return redirect("notices:inbox")
