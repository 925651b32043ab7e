"""Reads of subscriptions and deliveries, with who may see them, and the change feed.

A client (API key) sees its own subscriptions; a signed-in operator those of the API clients of its
department; the credit office (staff, auditors, administrators: accounts.capabilities.is_office) all of them,
to read — only a subscription's own client changes it (sharing.services).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient
from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import NotAuthenticated
from gongxin.sharing.choices import DeliveryState, SubscriptionStatus
from gongxin.sharing.content import deliveries_content
from gongxin.sharing.errors import CursorInvalid, NotAClient, SubscriptionNotFound
from gongxin.sharing.models import Delivery, DeliveryAttempt, Subscription

FEED_LIMIT_MAX = 500



def subscriptions_visible(*, viewer: Viewer) -> QuerySet[Subscription]:
    queryset = Subscription.objects.select_related("client", "client__department")
    if viewer.client_id is not None:
        return queryset.filter(client_id=viewer.client_id)
    if is_office(viewer):
        return queryset
    if viewer.role == Role.OPERATOR and viewer.department_id is not None:
        return queryset.filter(client__department_id=viewer.department_id)
    if viewer.is_anonymous:
        raise NotAuthenticated()
    return queryset.none()


def subscription_visible(*, subscription_id: int, viewer: Viewer) -> Subscription:
    subscription = subscriptions_visible(viewer=viewer).filter(pk=subscription_id).first()
    if subscription is None:
        raise SubscriptionNotFound()
    return subscription


@dataclass(frozen=True)
class SubscriptionRow:
    subscription: Subscription
    subjects: int
    pending: int
    delivered: int
    feed: int
    last_sequence: int | None

    @property
    def failing(self) -> bool:
        return self.subscription.status == SubscriptionStatus.FAILING


def subscriptions_overview(*, viewer: Viewer | None = None, subscription_id: int | None = None,
                           ) -> list[SubscriptionRow]:
    """Subscriptions with their counts, failing ones first (``viewer`` None: all, for operator commands;
    ``subscription_id``: just that one, if visible)."""
    queryset = (subscriptions_visible(viewer=viewer) if viewer is not None
                else Subscription.objects.select_related("client", "client__department"))
    if subscription_id is not None:
        queryset = queryset.filter(pk=subscription_id)
    queryset = queryset.annotate(n_subjects=Count("subjects", distinct=True))
    counts: dict[int, dict[str, Any]] = {}
    rows = (Delivery.objects.filter(subscription__in=queryset.values("pk"))
            .values("subscription_id", "state").annotate(n=Count("id")).order_by())
    for row in rows:
        counts.setdefault(row["subscription_id"], {})[row["state"]] = row["n"]
    last = dict(Delivery.objects.filter(subscription__in=queryset.values("pk")).values("subscription_id")
                .annotate(last=Max("id")).order_by().values_list("subscription_id", "last"))
    out = [
        SubscriptionRow(
            subscription=s, subjects=s.n_subjects,
            pending=counts.get(s.pk, {}).get(DeliveryState.PENDING, 0),
            delivered=counts.get(s.pk, {}).get(DeliveryState.DELIVERED, 0),
            feed=counts.get(s.pk, {}).get(DeliveryState.FEED, 0),
            last_sequence=last.get(s.pk),
        )
        for s in queryset.order_by("pk")
    ]
    out.sort(key=lambda r: (not r.failing, r.subscription.client.name, r.subscription.pk))
    return out


def subscription_filters(subscription: Subscription) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {"items": [], "record_kinds": [], "list_types": []}
    key = {"item": "items", "record_kind": "record_kinds", "list": "list_types"}
    for kind, code in subscription.filters.order_by("kind", "code").values_list("kind", "code"):
        grouped[key[kind]].append(code)
    return grouped


def deliveries_of(
    *, subscription: Subscription, state: str | None = None, limit: int = 100, failing_only: bool = False,
) -> list[Delivery]:
    """The newest deliveries of a subscription (for its page and the API), newest first."""
    queryset = Delivery.objects.filter(subscription=subscription)
    if state:
        queryset = queryset.filter(state=state)
    if failing_only:
        queryset = queryset.filter(state=DeliveryState.PENDING).exclude(last_error="")
    return list(queryset.order_by("-id")[:limit])


def delivery_attempts(*, delivery: Delivery, limit: int = 20) -> list[DeliveryAttempt]:
    return list(delivery.attempt_log.order_by("-at")[:limit])


@dataclass(frozen=True)
class ChangesPage:
    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


def cursor_parse(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    try:
        value = int(str(cursor))
    except ValueError:
        raise CursorInvalid() from None
    if value < 0:
        raise CursorInvalid()
    return value


def changes_page(
    *, viewer: Viewer, cursor: str | None = None, limit: int = 100, subscription_id: int | None = None,
) -> ChangesPage:
    """The change feed: the client's deliveries after ``cursor`` (a sequence), oldest first, disclosed now.

    Ordering is by sequence (delivery id), which the fan-out writes in event order under one lock, so a
    cursor never skips an item that commits later. The same content as the webhooks (sharing.content)."""
    if viewer.client_id is None:
        raise NotAClient()
    after = cursor_parse(cursor)
    limit = max(1, min(limit, FEED_LIMIT_MAX))
    subscriptions = {s.pk: s for s in Subscription.objects.filter(client_id=viewer.client_id)
                     .select_related("client")}
    if subscription_id is not None:
        if subscription_id not in subscriptions:
            raise SubscriptionNotFound()
        subscriptions = {subscription_id: subscriptions[subscription_id]}
    rows = list(Delivery.objects.filter(Q(subscription_id__in=list(subscriptions)), id__gt=after)
                .order_by("id")[:limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    items: list[dict[str, Any]] = []
    if rows:
        client: ApiClient = next(iter(subscriptions.values())).client
        purposes = {s.purpose for s in subscriptions.values()}
        # One client has one purpose (from its scopes at subscription time); should two differ, the
        # narrower rule of each subscription applies to its own deliveries.
        by_purpose: dict[str, list[Delivery]] = {}
        for row in rows:
            by_purpose.setdefault(subscriptions[row.subscription_id].purpose, []).append(row)
        shown: dict[int, dict[str, Any]] = {}
        for purpose in purposes:
            batch = by_purpose.get(purpose, [])
            if batch:
                for item in deliveries_content(batch, client=client, purpose=purpose, reason="change feed"):
                    shown[item["sequence"]] = item
        items = [shown[row.pk] for row in rows]
    next_cursor = str(rows[-1].pk) if rows else str(after)
    return ChangesPage(items=items, next_cursor=next_cursor, has_more=has_more)
