"""The webhook worker: POST due deliveries, signed, in order per subject, retried with backoff.

A pass picks the *heads* of the queues — a pending delivery with no earlier pending delivery of the same
subject for the same subscription — so a subject's next event waits until the previous one arrived,
while other subjects go on. Rows are taken with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several workers share the work without sending anything twice (SQLite has one writer: one worker).
A failure (connection refused, timeout, non-2xx) schedules the next try after an exponential delay with
jitter; after ``GONGXIN_SHARING_FAILING_AFTER`` (8) consecutive failures the subscription is marked
failing (staff see it) and keeps being retried at the longest delay — nothing is dropped. A success
marks it active again.

Where a webhook may go is checked on every connection (``sharing.egress``: public addresses only unless
allow-listed, no redirects); a failure is stored as a category (``timed out``, ``HTTP 500``), not raw text.

Signature: header ``X-Gongxin-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from gongxin.core import clock
from gongxin.core.crypto import unseal
from gongxin.core.events import SUBSCRIPTION_FAILED, SUBSCRIPTION_RECOVERED
from gongxin.core.outbox import event_emit
from gongxin.sharing import egress
from gongxin.sharing.choices import DeliveryState, SubscriptionStatus
from gongxin.sharing.content import deliveries_content
from gongxin.sharing.models import Delivery, DeliveryAttempt, Subscription
from gongxin.sharing.services import SECRET_CONTEXT

# Operational settings (not law), read at each use so they can be changed per deployment (and in tests):
# GONGXIN_SHARING_<NAME> in settings overrides the default.
DEFAULTS: dict[str, float] = {
    "TIMEOUT_SECONDS": 5, "BACKOFF_BASE_SECONDS": 10, "BACKOFF_MAX_SECONDS": 3600, "JITTER": 0.2, "FAILING_AFTER": 8,
}


def setting(name: str) -> float:
    return float(getattr(settings, f"GONGXIN_SHARING_{name}", DEFAULTS[name]))


FAILING_AFTER = int(DEFAULTS["FAILING_AFTER"])  # the default, for tests and docs
BATCH = 50
USER_AGENT = "Gongxin-Webhooks/1"


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_verify(*, secret: str, header: str, body: bytes, tolerance_seconds: int = 300,
                     now: float | None = None) -> bool:
    """What a receiver does (the same code is in docs/sharing.md): check the MAC and the timestamp's age."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = signature_header(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff_delay(attempts: int) -> timedelta:
    """Delay before try ``attempts + 1``: base × 2^(attempts−1), capped, plus up to JITTER of it at random
    (so many failed deliveries do not all come back at the same second)."""
    delay = min(setting("BACKOFF_BASE_SECONDS") * 2 ** max(attempts - 1, 0), setting("BACKOFF_MAX_SECONDS"))
    return timedelta(seconds=delay * (1 + random.uniform(0, setting("JITTER"))))  # noqa: S311 - jitter, not secrecy


# Every connection goes through the SSRF guard (sharing.egress): checked addresses, no redirects, no proxies.
_opener = egress.opener_build()


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - checked URL
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=setting("TIMEOUT_SECONDS")) as response:
            response.read(1024)
            status, error = response.status, ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, egress.failure_category(exc)
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        status, error = None, egress.failure_category(exc)
    return Outcome(status, error, int((time.monotonic() - started) * 1000))


def webhook_body(item: dict[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _heads(now: datetime, limit: int) -> list[Delivery]:
    earlier = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"), subject_id=OuterRef("subject_id"),
        state=DeliveryState.PENDING, event_id__lt=OuterRef("event_id"),
    )
    queryset = (
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(subscription__status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.FAILING])
        .filter(subscription__client__is_active=True)
        .exclude(subscription__webhook_url="")
        .filter(~Exists(earlier))
        .order_by("next_attempt_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:limit])


@dataclass
class PassResult:
    sent: int = 0
    failed: int = 0


def deliveries_send(*, limit: int = BATCH) -> PassResult:
    """One pass: send up to ``limit`` due queue heads. Returns what was sent and what failed."""
    result = PassResult()
    outcomes: dict[int, list[Outcome]] = {}
    with transaction.atomic():
        now = clock.now()
        heads = _heads(now, limit)
        if not heads:
            return result
        subscriptions = {s.pk: s for s in Subscription.objects.filter(pk__in={d.subscription_id for d in heads})
                         .select_related("client")}
        for subscription_id in sorted(subscriptions):
            subscription = subscriptions[subscription_id]
            batch = [d for d in heads if d.subscription_id == subscription_id]
            secret = unseal(subscription.secret_sealed, context=SECRET_CONTEXT)
            items = deliveries_content(batch, client=subscription.client, purpose=subscription.purpose,
                                       reason=f"webhook of subscription {subscription_id}")
            for delivery, item in zip(batch, items, strict=True):
                body = webhook_body(item)
                timestamp = int(time.time())
                outcome = _post(subscription.webhook_url, body, {
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": USER_AGENT,
                    "X-Gongxin-Delivery": str(delivery.pk),
                    "X-Gongxin-Topic": delivery.topic,
                    "X-Gongxin-Signature": signature_header(secret=secret, timestamp=timestamp, body=body),
                })
                _record(delivery, outcome)
                outcomes.setdefault(subscription_id, []).append(outcome)
                if outcome.ok:
                    result.sent += 1
                else:
                    result.failed += 1
    # Subscription health in its own short transaction: workers never hold a subscription row while posting.
    for subscription_id, tried in outcomes.items():
        _health(subscription_id, tried)
    return result


def _record(delivery: Delivery, outcome: Outcome) -> None:
    now = clock.now()
    DeliveryAttempt.objects.create(delivery=delivery, at=now, status_code=outcome.status, error=outcome.error,
                                   duration_ms=outcome.duration_ms)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + backoff_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_attempt_at", "last_status", "last_error", "state",
                                 "delivered_at", "next_attempt_at"])


def _health(subscription_id: int, outcomes: list[Outcome]) -> None:
    """Consecutive failures since the last success; failing after FAILING_AFTER, active again on success."""
    now = clock.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None:
            return
        last_ok = max((i for i, o in enumerate(outcomes) if o.ok), default=None)
        if last_ok is not None:
            subscription.consecutive_failures = len(outcomes) - 1 - last_ok
            subscription.last_success_at = now
        else:
            subscription.consecutive_failures += len(outcomes)
        subscription.last_error = "" if outcomes[-1].ok else outcomes[-1].error
        status = subscription.status
        if subscription.consecutive_failures >= setting("FAILING_AFTER") and status == SubscriptionStatus.ACTIVE:
            subscription.status, subscription.failing_since = SubscriptionStatus.FAILING, now
        elif subscription.consecutive_failures == 0 and status == SubscriptionStatus.FAILING:
            subscription.status, subscription.failing_since = SubscriptionStatus.ACTIVE, None
        subscription.save(update_fields=["consecutive_failures", "last_success_at", "last_error", "status",
                                         "failing_since"])
        if subscription.status != status:
            topic = SUBSCRIPTION_FAILED if subscription.status == SubscriptionStatus.FAILING else SUBSCRIPTION_RECOVERED
            event_emit(topic=topic, aggregate_type="subscription",
                       aggregate_id=subscription.pk, subject_id=None,
                       payload={"client": subscription.client_id, "failures": subscription.consecutive_failures})


def deliveries_send_all(*, max_passes: int | None = None, limit: int = BATCH) -> PassResult:
    """Passes until nothing is due (each pass frees the next head of every subject that succeeded)."""
    total = PassResult()
    passes = 0
    while max_passes is None or passes < max_passes:
        result = deliveries_send(limit=limit)
        total.sent += result.sent
        total.failed += result.failed
        passes += 1
        if result.sent == 0:
            return total
    return total
