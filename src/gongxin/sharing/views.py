"""Sharing pages under /sharing/: subscriptions with their delivery state, failing endpoints first.

An API client's operators (users of the client's department) see its subscriptions; the credit office
(auditors included, who read everything the office oversees) sees all. Reads only, through sharing.selectors,
which hold the rule; only a subscription's own client changes it (through the API).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongxin.accounts.capabilities import is_official
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.selectors import (
    deliveries_of,
    subscription_filters,
    subscription_visible,
    subscriptions_overview,
)

DELIVERIES_SHOWN = 100


@page_requires(is_official)
def overview(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    rows = subscriptions_overview(viewer=viewer)
    totals = {
        "subscriptions": len(rows),
        "failing": sum(1 for r in rows if r.failing),
        "pending": sum(r.pending for r in rows),
        "delivered": sum(r.delivered for r in rows),
    }
    return render(request, "sharing/overview.html", {"rows": rows, "totals": totals})


@page_requires(is_official)
def detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    subscription = subscription_visible(subscription_id=subscription_id, viewer=viewer)
    state = request.GET.get("state") or None
    if state not in DeliveryState.values:
        state = None
    (row,) = subscriptions_overview(viewer=viewer, subscription_id=subscription.pk)
    return render(request, "sharing/detail.html", {
        "row": row, "subscription": subscription, "filters": subscription_filters(subscription),
        "deliveries": deliveries_of(subscription=subscription, state=state, limit=DELIVERIES_SHOWN),
        "state": state, "states": DeliveryState.choices,
    })
