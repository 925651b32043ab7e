"""The demo's "try this" guide: one page, only while the platform runs as the demo (``GONGXIN_DEMO``)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongxin.demo.selectors import demo_guide


def guide(request: HttpRequest) -> HttpResponse:
    if not getattr(settings, "GONGXIN_DEMO", False):
        raise Http404  # production: there is no demo, and no password to print
    return render(request, "demo/guide.html", {"guide": demo_guide()})
