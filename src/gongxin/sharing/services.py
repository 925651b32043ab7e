"""Writes of subscriptions: create, change what they follow, webhook and its secret, pause, replay, delete.

Every change runs in one transaction with an outbox event ``sharing.subscription.<verb>`` (without a
subject, so the fan-out never sees its own events). The webhook secret is returned once and kept
encrypted (it is needed in the clear to sign, so a hash would not do).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from gongxin.accounts.choices import Scope
from gongxin.accounts.models import ApiClient
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import RecordKind
from gongxin.catalog.models import CatalogItem
from gongxin.core import clock
from gongxin.core.crypto import seal
from gongxin.core.events import (
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_REPLAYED,
    SUBSCRIPTION_SECRET_ROTATED,
    SUBSCRIPTION_SUBJECTS_CHANGED,
    SUBSCRIPTION_UPDATED,
)
from gongxin.core.outbox import event_emit
from gongxin.records.models import ListType
from gongxin.sharing import egress
from gongxin.sharing.choices import DeliveryState, FilterKind, SubscriptionStatus
from gongxin.sharing.content import client_purpose
from gongxin.sharing.errors import (
    NotAClient,
    PersonsNotAllowed,
    SubscriptionNotFound,
    TooManyCodes,
    UnknownFilter,
    WebhookTargetNotAllowed,
    WebhookUrlInvalid,
)
from gongxin.sharing.models import Delivery, Subscription, SubscriptionFilter, SubscriptionSubject
from gongxin.subjects.identifiers import (
    rin_is_valid,
    rin_lookup_hash,
    rin_mask,
    rin_validate,
    uscc_is_valid,
    uscc_normalize,
)
from gongxin.subjects.selectors import CODE_RIN_HASH, CODE_USCC, subjects_by_codes

SECRET_CONTEXT = b"sharing.webhook_secret"
# Codes per add/remove call: a business system's holdings arrive in pages of this size.
CODES_MAX = 10_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Filters:
    items: list[str] = field(default_factory=list)
    record_kinds: list[str] = field(default_factory=list)
    list_types: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SubjectsChange:
    added: int
    removed: int
    unknown: list[str]


def _client_of(actor: Viewer) -> ApiClient:
    if actor.client_id is None:
        raise NotAClient()
    return ApiClient.objects.get(pk=actor.client_id)


def _owned(subscription_id: int, actor: Viewer, *, lock: bool = False) -> Subscription:
    queryset = Subscription.objects.filter(pk=subscription_id, client_id=actor.client_id)
    if lock:
        queryset = queryset.select_for_update()
    subscription = queryset.first() if actor.client_id is not None else None
    if subscription is None:
        raise SubscriptionNotFound()
    return subscription


def webhook_url_check(url: str) -> str:
    """https anywhere; http only to the loopback host when developing (DEBUG) or testing."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.hostname or parts.username or parts.password:
        raise WebhookUrlInvalid()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookUrlInvalid() from exc
    local_http = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and (settings.DEBUG or settings.TESTING)
    if parts.scheme != "https" and not local_http:
        raise WebhookUrlInvalid()
    _webhook_target_check(parts.hostname, port)
    return url


def _webhook_target_check(host: str, port: int) -> None:
    """Refuse now a host that resolves to an address webhooks may not reach (sharing.egress); the sender
    checks again on every connection, so a host that does not resolve yet (or changes) is caught then."""
    try:
        egress.target_resolve(host, port)
    except egress.TargetNotAllowed as exc:
        raise WebhookTargetNotAllowed() from exc
    except (OSError, UnicodeError):
        return


def _filters_check(filters: Filters) -> list[tuple[FilterKind, str]]:
    items = set(filters.items)
    known_items = set(CatalogItem.objects.filter(code__in=items).values_list("code", flat=True))
    known_lists = set(ListType.objects.filter(code__in=set(filters.list_types)).values_list("code", flat=True))
    unknown = {
        "items": sorted(items - known_items),
        "record_kinds": sorted(set(filters.record_kinds) - set(RecordKind.values)),
        "list_types": sorted(set(filters.list_types) - known_lists),
    }
    if any(unknown.values()):
        raise UnknownFilter(details={k: v for k, v in unknown.items() if v})
    return ([(FilterKind.ITEM, c) for c in sorted(items)]
            + [(FilterKind.RECORD_KIND, c) for c in sorted(set(filters.record_kinds))]
            + [(FilterKind.LIST_TYPE, c) for c in sorted(set(filters.list_types))])


def _filters_write(subscription: Subscription, rows: list[tuple[FilterKind, str]]) -> None:
    SubscriptionFilter.objects.filter(subscription=subscription).delete()
    SubscriptionFilter.objects.bulk_create(
        [SubscriptionFilter(subscription=subscription, kind=kind, code=code) for kind, code in rows])


def _emit(subscription: Subscription, topic: str, **payload: Any) -> None:
    event_emit(topic=topic, aggregate_type="subscription",
               aggregate_id=subscription.pk, subject_id=None, payload={"client": subscription.client_id, **payload})


def _secret_new() -> tuple[str, str]:
    secret = "whsec_" + secrets.token_urlsafe(32)
    return secret, seal(secret, context=SECRET_CONTEXT)


@dataclass(frozen=True)
class Created:
    subscription: Subscription
    secret: str | None  # shown once; None without a webhook


def subscription_create(
    *, name: str, actor: Viewer, filters: Filters | None = None, all_subjects: bool = False, webhook_url: str = "",
) -> Created:
    """A business system subscribes. Returns the webhook secret once (when it gave a webhook URL)."""
    client = _client_of(actor)
    rows = _filters_check(filters or Filters())
    url = webhook_url_check(webhook_url)
    secret, sealed = _secret_new() if url else (None, "")
    with transaction.atomic():
        subscription = Subscription.objects.create(
            client=client, name=name.strip()[:200], purpose=client_purpose(client), all_subjects=all_subjects,
            webhook_url=url, secret_sealed=sealed, created_at=clock.now(), created_by=actor.label,
        )
        _filters_write(subscription, rows)
        _emit(subscription, SUBSCRIPTION_CREATED, webhook=bool(url), all_subjects=all_subjects, filters=len(rows))
    return Created(subscription=subscription, secret=secret)


def subscription_update(
    *, subscription_id: int, actor: Viewer, name: str | None = None, filters: Filters | None = None,
    all_subjects: bool | None = None, webhook_url: str | None = None, paused: bool | None = None,
) -> Created:
    """Change what a subscription follows, its webhook (a new URL gets a new secret), or pause/resume it."""
    rows = _filters_check(filters) if filters is not None else None
    url = webhook_url_check(webhook_url) if webhook_url is not None else None
    secret: str | None = None
    with transaction.atomic():
        subscription = _owned(subscription_id, actor, lock=True)
        changed: list[str] = []
        if name is not None:
            subscription.name = name.strip()[:200]
            changed.append("name")
        if all_subjects is not None:
            subscription.all_subjects = all_subjects
            changed.append("all_subjects")
        if url is not None and url != subscription.webhook_url:
            subscription.webhook_url = url
            secret, subscription.secret_sealed = _secret_new() if url else (None, "")
            changed += ["webhook_url", "secret_sealed"]
        if paused is not None:
            if paused:
                subscription.status = SubscriptionStatus.PAUSED
            elif subscription.status == SubscriptionStatus.PAUSED:
                subscription.status = SubscriptionStatus.ACTIVE
                subscription.consecutive_failures = 0
                subscription.failing_since = None
                changed += ["consecutive_failures", "failing_since"]
            changed.append("status")
        subscription.save(update_fields=changed or None)
        if rows is not None:
            _filters_write(subscription, rows)
            changed.append("filters")
        if "webhook_url" in changed and url:
            # Deliveries kept for the feed until now wait for the webhook from here on.
            Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
                next_attempt_at=clock.now())
        _emit(subscription, SUBSCRIPTION_UPDATED, changed=changed)
    if paused is False or (url and "webhook_url" in changed):
        transaction.on_commit(deliveries_send_enqueue)
    return Created(subscription=subscription, secret=secret)


def subscription_secret_rotate(*, subscription_id: int, actor: Viewer) -> str:
    """A new webhook secret (the old one stops signing at once). Returned once."""
    with transaction.atomic():
        subscription = _owned(subscription_id, actor, lock=True)
        if not subscription.webhook_url:
            raise WebhookUrlInvalid()
        secret, subscription.secret_sealed = _secret_new()
        subscription.save(update_fields=["secret_sealed"])
        _emit(subscription, SUBSCRIPTION_SECRET_ROTATED)
    return secret


def subscription_delete(*, subscription_id: int, actor: Viewer) -> None:
    with transaction.atomic():
        subscription = _owned(subscription_id, actor, lock=True)
        _emit(subscription, SUBSCRIPTION_DELETED, name=subscription.name)
        Delivery.objects.filter(subscription=subscription).delete()
        subscription.delete()


def _subject_ids(codes: Iterable[str], *, client: ApiClient) -> tuple[set[int], list[str]]:
    """Resolve USCCs (and RINs, for clients with records:share) set-based; return ids and unknown codes."""
    usccs: dict[str, str] = {}
    rins: dict[str, str] = {}
    invalid: list[str] = []
    ambiguous: dict[str, str] = {}  # valid as a USCC and as a RIN (about one RIN in 31 passes the USCC check)
    for raw in codes:
        text = str(raw).strip()
        if not text:
            continue
        is_uscc, is_rin = uscc_is_valid(text), rin_is_valid(text)
        if is_uscc and is_rin:
            ambiguous[uscc_normalize(text)] = text
        elif is_uscc:
            usccs[uscc_normalize(text)] = text
        elif is_rin:
            rins[rin_lookup_hash(rin_validate(text).rin)] = text
        else:
            # Never echo what may be a mistyped ID number in the clear.
            invalid.append(rin_mask(text) if sum(c.isdigit() for c in text) >= 15 else text)
    if ambiguous:
        # An organization's code when an organization has it (organizations are public), else a person's.
        organizations = dict(subjects_by_codes(scheme=CODE_USCC, codes=ambiguous))
        for code, text in ambiguous.items():
            if code in organizations:
                usccs[code] = text
            else:
                rins[rin_lookup_hash(rin_validate(text).rin)] = text
    if rins and Scope.RECORDS_SHARE not in (client.scopes or []):
        raise PersonsNotAllowed()
    found_usccs: dict[str, int] = dict(subjects_by_codes(scheme=CODE_USCC, codes=usccs))
    found_rins: dict[str, int] = dict(subjects_by_codes(scheme=CODE_RIN_HASH, codes=rins))
    unknown = (invalid + [usccs[c] for c in usccs if c not in found_usccs]
               + [rin_mask(rins[h]) for h in rins if h not in found_rins])
    return set(found_usccs.values()) | set(found_rins.values()), unknown


def subscription_subjects_change(
    *, subscription_id: int, actor: Viewer, add: Iterable[str] = (), remove: Iterable[str] = (),
) -> SubjectsChange:
    """Bulk add/remove followed subjects by USCC (or RIN). Unknown codes are reported, not fatal."""
    add, remove = list(add), list(remove)
    if len(add) + len(remove) > CODES_MAX:
        raise TooManyCodes(details={"max": CODES_MAX})
    client = _client_of(actor)
    add_ids, unknown_add = _subject_ids(add, client=client)
    remove_ids, unknown_remove = _subject_ids(remove, client=client)
    now = clock.now()
    with transaction.atomic():
        subscription = _owned(subscription_id, actor, lock=True)
        before = SubscriptionSubject.objects.filter(subscription=subscription).count()
        SubscriptionSubject.objects.bulk_create(
            [SubscriptionSubject(subscription=subscription, subject_id=s, added_at=now) for s in sorted(add_ids)],
            ignore_conflicts=True, batch_size=1000,
        )
        after_add = SubscriptionSubject.objects.filter(subscription=subscription).count()
        removed = 0
        if remove_ids:
            removed, _ = SubscriptionSubject.objects.filter(subscription=subscription,
                                                            subject_id__in=remove_ids).delete()
        _emit(subscription, SUBSCRIPTION_SUBJECTS_CHANGED, added=after_add - before, removed=removed)
    return SubjectsChange(added=after_add - before, removed=removed, unknown=unknown_add + unknown_remove)


def deliveries_send_enqueue() -> None:
    """After commit: let the delivery task send what just became due."""
    from gongxin.sharing.tasks import deliveries_send

    deliveries_send.enqueue()


def subscription_replay(*, subscription_id: int, actor: Viewer, from_sequence: int) -> int:
    """Send again every delivery from sequence ``from_sequence`` on (in order per subject). Returns how many."""
    with transaction.atomic():
        subscription = _owned(subscription_id, actor, lock=True)
        if not subscription.webhook_url:
            raise WebhookUrlInvalid()
        count = Delivery.objects.filter(subscription=subscription, id__gte=from_sequence).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=clock.now(), delivered_at=None,
            last_error="",
        )
        _emit(subscription, SUBSCRIPTION_REPLAYED, from_sequence=from_sequence, deliveries=count)
    if count:
        transaction.on_commit(deliveries_send_enqueue)
    return count
