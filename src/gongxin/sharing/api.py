"""Subscriptions and change feed API, mounted at /api/v1/sharing (thin: parse, call one service, shape).

For business systems (API key):
- ``POST /subscriptions`` — subscribe (filters, all subjects or the ones added, optional webhook); the
  webhook secret is in the answer once;
- ``GET /subscriptions``, ``GET /subscriptions/{id}``, ``PATCH /subscriptions/{id}`` (name, filters,
  webhook, ``paused``), ``DELETE /subscriptions/{id}``;
- ``POST /subscriptions/{id}/subjects`` — ``{"add": [USCC or RIN …], "remove": […]}``;
- ``POST /subscriptions/{id}/secret`` — a new webhook secret (once);
- ``POST /subscriptions/{id}/replay`` — ``{"from_sequence": N}``: send again from sequence N;
- ``GET /subscriptions/{id}/deliveries`` — recent deliveries and their state;
- ``GET /changes?cursor=…&limit=…[&subscription=…]`` — the change feed.
Operators and staff (session) may read subscriptions and deliveries as the pages show them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import viewer_for_request
from gongxin.accounts.viewer import Viewer
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.errors import SubscriptionNotFound
from gongxin.sharing.models import Delivery, Subscription
from gongxin.sharing.selectors import (
    SubscriptionRow,
    changes_page,
    deliveries_of,
    subscription_filters,
    subscription_visible,
    subscriptions_overview,
)
from gongxin.sharing.services import (
    CODES_MAX,
    Filters,
    subscription_create,
    subscription_delete,
    subscription_replay,
    subscription_secret_rotate,
    subscription_subjects_change,
    subscription_update,
)

router = Router(tags=["sharing"], auth=viewer_auth)


class FiltersIn(Schema):
    items: list[str] = Field(default_factory=list, description="Catalog item codes (penalty, licence …)")
    record_kinds: list[str] = Field(default_factory=list, description="Record kinds (penalty, honour …)")
    list_types: list[str] = Field(default_factory=list, description="List type codes")


class SubscriptionIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    all_subjects: bool = Field(False, description="Follow every subject, not only the ones added")
    filters: FiltersIn = Field(default_factory=FiltersIn, description="Empty: everything about the subjects")
    webhook_url: str = Field("", max_length=500, description="https URL; empty: change feed only")


class SubscriptionPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    all_subjects: bool | None = None
    filters: FiltersIn | None = None
    webhook_url: str | None = Field(None, max_length=500, description="A new URL gets a new secret")
    paused: bool | None = None


class FiltersOut(Schema):
    items: list[str]
    record_kinds: list[str]
    list_types: list[str]


class SubscriptionOut(Schema):
    id: int
    client: str
    name: str
    purpose: str
    all_subjects: bool
    filters: FiltersOut
    webhook_url: str
    status: str
    consecutive_failures: int
    failing_since: datetime | None
    last_error: str
    last_success_at: datetime | None
    subjects: int
    pending: int
    delivered: int
    last_sequence: int | None
    secret: str | None = Field(None, description="The webhook secret: only in the answer that made it")


class SubjectsIn(Schema):
    add: list[str] = Field(default_factory=list, max_length=CODES_MAX)
    remove: list[str] = Field(default_factory=list, max_length=CODES_MAX)


class SubjectsOut(Schema):
    added: int
    removed: int
    unknown: list[str]


class ReplayIn(Schema):
    from_sequence: int = Field(..., ge=0)


class ReplayOut(Schema):
    deliveries: int


class SecretOut(Schema):
    secret: str


class DeliveryOut(Schema):
    sequence: int
    event_id: int
    topic: str
    subject_id: int
    occurred_at: datetime
    state: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status: int | None
    last_error: str


class ChangesOut(Schema):
    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


def _out(subscription: Subscription, viewer: Viewer, secret: str | None = None) -> dict[str, Any]:
    rows = subscriptions_overview(viewer=viewer, subscription_id=subscription.pk)
    if not rows:  # deleted by another request between this one's change and its answer
        raise SubscriptionNotFound()
    return _row_out(rows[0], secret)


def _row_out(row: SubscriptionRow, secret: str | None = None) -> dict[str, Any]:
    s = row.subscription
    return {
        "id": s.pk, "client": s.client.name, "name": s.name, "purpose": s.purpose, "all_subjects": s.all_subjects,
        "filters": subscription_filters(s), "webhook_url": s.webhook_url, "status": s.status,
        "consecutive_failures": s.consecutive_failures, "failing_since": s.failing_since,
        "last_error": s.last_error, "last_success_at": s.last_success_at, "subjects": row.subjects,
        "pending": row.pending, "delivered": row.delivered, "last_sequence": row.last_sequence, "secret": secret,
    }


def _filters(data: FiltersIn | None) -> Filters | None:
    if data is None:
        return None
    return Filters(items=data.items, record_kinds=data.record_kinds, list_types=data.list_types)


@router.post("/subscriptions", response={201: SubscriptionOut}, summary="Subscribe")
def create(request: HttpRequest, data: SubscriptionIn) -> Status:
    viewer = viewer_for_request(request)
    created = subscription_create(name=data.name, actor=viewer, filters=_filters(data.filters),
                                  all_subjects=data.all_subjects, webhook_url=data.webhook_url)
    return Status(201, _out(created.subscription, viewer, created.secret))


@router.get("/subscriptions", response=list[SubscriptionOut], summary="Subscriptions the caller may see")
def listing(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request)
    return [_row_out(row) for row in subscriptions_overview(viewer=viewer)]


@router.get("/subscriptions/{subscription_id}", response=SubscriptionOut, summary="One subscription")
def detail(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    return _out(subscription_visible(subscription_id=subscription_id, viewer=viewer), viewer)


@router.patch("/subscriptions/{subscription_id}", response=SubscriptionOut, summary="Change a subscription")
def update(request: HttpRequest, subscription_id: int, data: SubscriptionPatch) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    changed = subscription_update(
        subscription_id=subscription_id, actor=viewer, name=data.name, filters=_filters(data.filters),
        all_subjects=data.all_subjects, webhook_url=data.webhook_url, paused=data.paused,
    )
    return _out(changed.subscription, viewer, changed.secret)


@router.delete("/subscriptions/{subscription_id}", response={204: None}, summary="Unsubscribe")
def delete(request: HttpRequest, subscription_id: int) -> Status:
    subscription_delete(subscription_id=subscription_id, actor=viewer_for_request(request))
    return Status(204, None)


@router.post("/subscriptions/{subscription_id}/subjects", response=SubjectsOut, summary="Add or remove subjects")
def subjects(request: HttpRequest, subscription_id: int, data: SubjectsIn) -> dict[str, Any]:
    result = subscription_subjects_change(subscription_id=subscription_id, actor=viewer_for_request(request),
                                          add=data.add, remove=data.remove)
    return {"added": result.added, "removed": result.removed, "unknown": result.unknown}


@router.post("/subscriptions/{subscription_id}/secret", response=SecretOut, summary="Rotate the webhook secret")
def secret(request: HttpRequest, subscription_id: int) -> dict[str, str]:
    return {"secret": subscription_secret_rotate(subscription_id=subscription_id, actor=viewer_for_request(request))}


@router.post("/subscriptions/{subscription_id}/replay", response=ReplayOut, summary="Redeliver from a sequence")
def replay(request: HttpRequest, subscription_id: int, data: ReplayIn) -> dict[str, int]:
    count = subscription_replay(subscription_id=subscription_id, actor=viewer_for_request(request),
                                from_sequence=data.from_sequence)
    return {"deliveries": count}


@router.get("/subscriptions/{subscription_id}/deliveries", response=list[DeliveryOut],
            summary="Recent deliveries, newest first")
def deliveries(request: HttpRequest, subscription_id: int, state: DeliveryState | None = None,
               limit: int = 100) -> list[dict[str, Any]]:
    subscription = subscription_visible(subscription_id=subscription_id, viewer=viewer_for_request(request))
    rows: list[Delivery] = deliveries_of(subscription=subscription, state=state, limit=max(1, min(limit, 500)))
    return [{"sequence": d.pk, "event_id": d.event_id, "topic": d.topic, "subject_id": d.subject_id,
             "occurred_at": d.occurred_at, "state": d.state, "attempts": d.attempts,
             "next_attempt_at": d.next_attempt_at, "delivered_at": d.delivered_at, "last_status": d.last_status,
             "last_error": d.last_error} for d in rows]


@router.get("/changes", response=ChangesOut, summary="Change feed since a cursor")
def changes(
    request: HttpRequest, cursor: str = "", limit: int = 100, subscription: int | None = None,
) -> dict[str, Any]:
    page = changes_page(viewer=viewer_for_request(request), cursor=cursor, limit=limit, subscription_id=subscription)
    return {"items": page.items, "next_cursor": page.next_cursor, "has_more": page.has_more}
