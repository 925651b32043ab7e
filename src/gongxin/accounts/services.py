"""Accounts: API clients (keys shown once, stored as SHA-256), authentication and rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from gongxin.accounts.choices import Scope
from gongxin.accounts.errors import ClientRateLimited, InvalidApiKey, UnknownScope
from gongxin.accounts.models import ApiClient, ApiClientUsage, Department
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.throttle import throttle_hit

KEY_PREFIX = "gx_"


def _key_hash(key: str) -> str:
    # API keys are 256-bit random strings, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_client_create(
    *, name: str, department: Department, scopes: Iterable[str], rate_limit_per_minute: int = 600
) -> tuple[ApiClient, str]:
    """Register a business system. Returns the client and its key, which is never shown again."""
    scopes = list(dict.fromkeys(scopes))
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise UnknownScope(details={"unknown": unknown, "known": list(Scope.values)})
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        name=name, department=department, key_prefix=prefix, key_hash=_key_hash(key), scopes=scopes,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    return client, key


@dataclass
class _CachedClient:
    client: ApiClient
    until: float


# Per process: a key's client for a few seconds, so a busy system's every call is not a database read.
# Revoking or disabling a client therefore takes effect within GONGXIN_API_CLIENT_CACHE_SECONDS.
_clients: dict[str, _CachedClient] = {}
_CLIENTS_MAX = 10_000


def api_client_authenticate(key: str) -> ApiClient:
    if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
        raise InvalidApiKey()
    digest = _key_hash(key)
    ttl = float(getattr(settings, "GONGXIN_API_CLIENT_CACHE_SECONDS", 0))
    cached = _clients.get(digest)
    if cached is not None and cached.until > time.monotonic():
        return cached.client
    prefix = key[len(KEY_PREFIX):].split("_", 1)[0]
    client = ApiClient.objects.filter(key_prefix=prefix, is_active=True).first()
    if client is None or not hmac.compare_digest(client.key_hash, digest):
        _clients.pop(digest, None)
        raise InvalidApiKey()
    if ttl > 0:
        if len(_clients) >= _CLIENTS_MAX:
            _clients.clear()
        _clients[digest] = _CachedClient(client, time.monotonic() + ttl)
    return client


def api_clients_forget() -> None:
    """Drop this process's cached clients (tests; a revocation that must bite at once in this process)."""
    _clients.clear()
    _usage.clear()


@dataclass
class _Usage:
    window: datetime
    limit: int = 0
    counted: int = 0  # the shared count as last read from the database
    pending: int = 0  # this process's requests not yet added to it
    flushed_at: float = 0.0


_usage: dict[int, _Usage] = {}
# A process may serve requests on several threads (gunicorn's gthread workers): a count and its flush are one step.
_usage_lock = threading.Lock()
FLUSH_SECONDS = 1.0


def _flush_every(limit: int) -> int:
    """How many requests a process may count before adding them to the shared row: a thousandth of the
    limit — exact up to 1,999 a minute, so with W processes the limit is overshot by at most W x 0.1 %.
    Busy systems with high limits are flushed about once a second (``FLUSH_SECONDS``) instead of every
    few requests: each flush is an UPDATE and a commit, which cost a check about 3 % of its
    throughput when done every 20 requests (bench/checks.py)."""
    return max(1, min(1000, limit // 1000))


def _usage_add(client_id: int, usage: _Usage) -> tuple[int] | None:
    """Add the pending requests to the window's shared row; its new count, or None when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ApiClientUsage._meta.db_table} SET count = count + %s"  # noqa: S608 - the model's table
            " WHERE client_id = %s AND window_start = %s RETURNING count",
            [usage.pending, client_id, connection.ops.adapt_datetimefield_value(usage.window)],
        )
        return cursor.fetchone()


def _usage_flush(client_id: int, usage: _Usage) -> None:
    row = _usage_add(client_id, usage)
    if row is None:
        try:
            with transaction.atomic():
                ApiClientUsage.objects.create(client_id=client_id, window_start=usage.window, count=usage.pending)
            row = (usage.pending,)
        except IntegrityError:  # another process created the window first
            row = _usage_add(client_id, usage)
        else:
            ApiClientUsage.objects.filter(client_id=client_id,
                                          window_start__lt=usage.window - timedelta(hours=1)).delete()
            ApiClient.objects.filter(pk=client_id).update(last_used_at=clock.now())
    assert row is not None  # the window's row exists now, whoever created it
    usage.counted, usage.pending, usage.flushed_at = int(row[0]), 0, time.monotonic()


def api_client_rate_limit_hit(client: ApiClient, *, cost: int = 1) -> int:
    """Count one request (or ``cost`` units: the subjects of a batch) in the client's current minute;
    raise when over its limit.

    The shared count is a database row (``count = count + n``), so every web process enforces one
    limit. A process adds its requests to the row every few requests or every second (``_flush_every``)
    rather than on each call: a hot row updated per request would serialize a busy system's calls on
    its lock. Returns the count as this process knows it.
    """
    window = clock.now().replace(second=0, microsecond=0)
    with _usage_lock:
        usage = _usage.get(client.pk)
        if usage is None or usage.window != window:
            usage = _usage[client.pk] = _Usage(window)
        usage.limit = client.rate_limit_per_minute
        return _usage_count(client.pk, usage, cost, window)


def _usage_count(client_id: int, usage: _Usage, cost: int, window: datetime) -> int:
    usage.pending += cost
    limit = usage.limit
    if (usage.pending >= _flush_every(limit) or time.monotonic() - usage.flushed_at >= FLUSH_SECONDS
            or usage.counted + usage.pending > limit):
        _usage_flush(client_id, usage)
    count = usage.counted + usage.pending
    if count > limit:
        retry_after = int((window + timedelta(minutes=1) - clock.now()).total_seconds()) + 1
        raise ClientRateLimited(details={"limit_per_minute": limit}, retry_after=retry_after)
    return count


def api_rate_limit_charge(*, viewer: Viewer, cost: int) -> None:
    """Count ``cost`` more units of this request against the caller's API limit: a batch counts its
    subjects, not one request. API clients: their per-minute limit; signed-in persons: ``api.session``."""
    if cost <= 0:
        return
    if viewer.client_id is not None:
        window = clock.now().replace(second=0, microsecond=0)
        with _usage_lock:
            usage = _usage.get(viewer.client_id)
            if usage is not None and usage.window == window:
                _usage_count(viewer.client_id, usage, cost, window)
                return
        # a new minute since the request was counted: count against the client's row
        api_client_rate_limit_hit(ApiClient.objects.get(pk=viewer.client_id), cost=cost)
    elif viewer.user_id is not None:
        throttle_hit(hits=[("api.session", f"user:{viewer.user_id}")], cost=cost)
