"""Accounts: API clients (keys shown once, stored as SHA-256), authentication and rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from gongxin.accounts.choices import Scope
from gongxin.accounts.errors import ClientRateLimited, InvalidApiKey, UnknownScope
from gongxin.accounts.models import ApiClient, ApiClientUsage, Department
from gongxin.core import clock

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


def api_client_authenticate(key: str) -> ApiClient:
    if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
        raise InvalidApiKey()
    prefix = key[len(KEY_PREFIX):].split("_", 1)[0]
    client = ApiClient.objects.filter(key_prefix=prefix, is_active=True).first()
    if client is None or not hmac.compare_digest(client.key_hash, _key_hash(key)):
        raise InvalidApiKey()
    return client


def api_client_rate_limit_hit(client: ApiClient) -> int:
    """Count one request in the client's current minute; raise when over its limit.

    The counter is a database row incremented with UPDATE ... SET count = count + 1, so every web
    process shares one count (no per-process memory).
    """
    now = clock.now()
    window = now.replace(second=0, microsecond=0)
    updated = ApiClientUsage.objects.filter(client=client, window_start=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ApiClientUsage.objects.create(client=client, window_start=window, count=1)
        except IntegrityError:  # another process created the window first
            ApiClientUsage.objects.filter(client=client, window_start=window).update(count=F("count") + 1)
        else:
            ApiClientUsage.objects.filter(client=client, window_start__lt=window - timedelta(hours=1)).delete()
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    count = ApiClientUsage.objects.filter(client=client, window_start=window).values_list("count", flat=True).first()
    if count is not None and count > client.rate_limit_per_minute:
        raise ClientRateLimited(details={"limit_per_minute": client.rate_limit_per_minute})
    return count or 0
