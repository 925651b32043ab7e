"""Sharing pages under /sharing/: subscriptions with their delivery state, failing endpoints first.

An API client's operators (users of the client's department) see its subscriptions; credit office staff
and administrators see all. Reads through sharing.selectors, which hold the rule.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.core.errors import NotFound
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.selectors import (
    deliveries_of,
    subscription_filters,
    subscription_visible,
    subscriptions_overview,
)

PAGE_ROLES = {Role.OPERATOR, Role.STAFF, Role.ADMIN}
DELIVERIES_SHOWN = 100


def _viewer(request: HttpRequest) -> Viewer:
    viewer = viewer_for_user(request.user)
    if viewer.role not in PAGE_ROLES:
        raise DjangoPermissionDenied
    return viewer


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    rows = subscriptions_overview(viewer=viewer)
    totals = {
        "subscriptions": len(rows),
        "failing": sum(1 for r in rows if r.failing),
        "pending": sum(r.pending for r in rows),
        "delivered": sum(r.delivered for r in rows),
    }
    return render(request, "sharing/overview.html", {"rows": rows, "totals": totals})


@login_required
def detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    viewer = _viewer(request)
    try:
        subscription = subscription_visible(subscription_id=subscription_id, viewer=viewer)
    except NotFound:
        raise Http404 from None
    state = request.GET.get("state") or None
    if state not in DeliveryState.values:
        state = None
    (row,) = subscriptions_overview(viewer=viewer, subscription_id=subscription.pk)
    return render(request, "sharing/detail.html", {
        "row": row, "subscription": subscription, "filters": subscription_filters(subscription),
        "deliveries": deliveries_of(subscription=subscription, state=state, limit=DELIVERIES_SHOWN),
        "state": state, "states": DeliveryState.choices,
    })
