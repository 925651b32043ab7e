"""Pull by cursor (the service interface's second way, decision 068): a peer that cannot be pushed to asks for
its packages, ``GET /api/v1/exchange/packages?item=<national item code>&after=<sequence>``.

``after`` is the sequence of the last package of that item the puller applied: asking with ``after = k`` is its
acknowledgement of package ``k`` (the cursor moves as a receipt would move it) and its request for ``k + 1`` — the
outstanding package again (same GUID, same bytes) until it is acknowledged. Nothing is skipped: asking past what
was sent is refused (``exchange.pull_ahead``).

A pulling peer proves who it is by signing the request with its node key (no shared secret to hand out or rotate
separately): headers ``X-Exchange-Node`` (its division code), ``X-Exchange-Key`` (its signing key id),
``X-Exchange-Time`` (ISO 8601, within ``SKEW`` of this node's clock) and ``X-Exchange-Signature``: base64 of the
Ed25519 signature over ``METHOD \\n path?query \\n time`` (UTF-8). The key must be registered for that peer and
valid at that time; a replay within the window only asks the same question again.

``packages_pull(*, peer, item_code)`` is the client side: it asks the peer, hands each package to this node's
receiving side (``exchange.receiving.package_receive``, via ``pull``) and asks for the next while they apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.db.models import Max

from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.exchange import sending
from gongxin.exchange.choices import PackageDirection, PackageStatus
from gongxin.exchange.errors import PullAhead, PullBadSignature, PullNotSigned, SubscriptionNotFound
from gongxin.exchange.keys import b64, local_node, unb64
from gongxin.exchange.models import Package, Peer
from gongxin.exchange.sending_models import SendingCursor, Subscription

log = logging.getLogger(__name__)

SKEW = timedelta(minutes=5)
PACKAGES_PATH = "/api/v1/exchange/packages"  # pulled from (GET) and pushed to (POST, exchange.api)


def request_signature_text(*, method: str, path_with_query: str, at: str, length: int | None = None) -> bytes:
    """What a request's signature covers: ``METHOD \\n path?query \\n time``, and for a request with a body
    (a push) ``\\n length`` — the body's length in bytes, so a captured signature cannot carry another body size."""
    text = f"{method.upper()}\n{path_with_query}\n{at}"
    return (text if length is None else f"{text}\n{length}").encode()


def request_sign(*, method: str, path_with_query: str, length: int | None = None) -> dict[str, str]:
    """The headers that sign a request with this node's current key (``length``: of the body it sends)."""
    node = local_node()
    at = clock.now().isoformat(timespec="seconds")
    pair = node.current
    signature = pair.signing.sign(request_signature_text(method=method, path_with_query=path_with_query, at=at,
                                                         length=length))
    return {"X-Exchange-Node": node.code, "X-Exchange-Key": pair.key_id, "X-Exchange-Time": at,
            "X-Exchange-Signature": b64(signature)}


def request_peer(*, method: str, path_with_query: str, headers: Any, length: int | None = None,
                 not_signed: type[GongxinError] = PullNotSigned,
                 bad_signature: type[GongxinError] = PullBadSignature) -> Peer:
    """The registered peer that signed this request (over ``length`` too when given), or ``not_signed`` /
    ``bad_signature`` (the pull's errors unless the caller names its own)."""
    code, key_id = headers.get("X-Exchange-Node", ""), headers.get("X-Exchange-Key", "")
    at, signature = headers.get("X-Exchange-Time", ""), headers.get("X-Exchange-Signature", "")
    if not (code and key_id and at and signature):
        raise not_signed()
    try:
        when = datetime.fromisoformat(at)
    except ValueError as exc:
        raise bad_signature() from exc
    if when.tzinfo is None or abs(clock.now() - when) > SKEW:
        raise bad_signature()
    peer = Peer.objects.filter(code=code, is_active=True).first()
    key = peer.keys.filter(key_id=key_id).first() if peer is not None else None
    # The signed time is in whole seconds: a key made within the second it signs is already valid.
    if peer is None or key is None or key.valid_from.replace(microsecond=0) > when or (
            key.valid_until is not None and when >= key.valid_until):
        raise bad_signature()
    try:
        Ed25519PublicKey.from_public_bytes(unb64(key.signing_public)).verify(
            unb64(signature), request_signature_text(method=method, path_with_query=path_with_query, at=at,
                                                     length=length))
    except (InvalidSignature, ValueError) as exc:
        raise bad_signature() from exc
    return peer


@dataclass(frozen=True)
class PulledPackage:
    guid: str
    sequence: int
    path: Path


def package_for_pull(*, peer: Peer, item_code: str, after: int) -> PulledPackage | None:
    """Acknowledge ``after`` and return the next package of ``item_code`` for ``peer`` (None: caught up)."""
    subscription = (Subscription.objects.filter(peer=peer, national_item_code=item_code, is_active=True)
                    .select_related("peer", "catalog_item").first())
    if subscription is None:
        raise SubscriptionNotFound(details={"item": item_code})
    with transaction.atomic():
        cursor = SendingCursor.objects.select_for_update().get(subscription=subscription)
        if after > cursor.sequence:
            raise PullAhead(details={"after": after, "sent": cursor.sequence})
        if cursor.pending_guid and cursor.pending_sequence is not None and after >= cursor.pending_sequence:
            # The puller's word (its signed request) is the acknowledgement; its receipts stay on its side.
            sending.acknowledge(cursor, {"document": {"status": "applied", "via": "pull", "sequence": after}},
                                clock.now(), verified=True)
    cursor = sending.package_next(subscription=subscription)
    if not cursor.pending_guid:
        return None
    now = clock.now()
    SendingCursor.objects.filter(pk=cursor.pk).update(last_sent_at=now)
    Package.objects.filter(direction=PackageDirection.SENT, guid=cursor.pending_guid,
                           status=PackageStatus.BUILT).update(status=PackageStatus.DELIVERED, received_at=now,
                                                              via="pull")
    return PulledPackage(guid=cursor.pending_guid, sequence=cursor.pending_sequence or 0,
                         path=Path(cursor.pending_file))


def _last_applied(peer: Peer, item_code: str) -> int:
    return int(Package.objects.filter(direction=PackageDirection.RECEIVED, sender_code=peer.code, item_code=item_code,
                                      status=PackageStatus.APPLIED).aggregate(last=Max("sequence"))["last"] or 0)


def packages_pull(*, peer: Peer, item_code: str, max_packages: int = 1000) -> int:
    """Pull and apply ``peer``'s packages of ``item_code`` until caught up; the number applied."""
    import requests

    from gongxin.exchange.receiving import package_receive

    applied = 0
    while applied < max_packages:
        after = _last_applied(peer, item_code)
        path_with_query = f"{PACKAGES_PATH}?{urlencode({'item': item_code, 'after': after})}"
        headers = request_sign(method="GET", path_with_query=path_with_query)
        try:
            response = requests.get(peer.service_url.rstrip("/") + path_with_query, headers=headers,
                                    timeout=sending.DELIVER_TIMEOUT)
        except requests.RequestException as exc:
            raise sending.DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 204:
            return applied
        if response.status_code != 200:
            raise sending.DeliveryFailed(f"HTTP {response.status_code}: {response.text[:300]}")
        receipt = package_receive(data=response.content, via="pull")
        if str(getattr(receipt, "status", "")) not in sending.ACKNOWLEDGING:
            return applied
        applied += 1
    return applied
