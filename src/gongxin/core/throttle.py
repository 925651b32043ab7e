"""Throttles: at most N requests (or look-ups, or exports ...) per key in a fixed window, shared by every
process through the database (``ThrottleWindow``: one row per key and window, ``count = count + n``), so
it works on SQLite and PostgreSQL without a cache server.

A rate has a name (``rin_lookup.caller``) and a value ``"count/seconds"``; the defaults are below and
``settings.GONGXIN_THROTTLE_RATES`` overrides them (``"0/…"`` switches one off). Callers name the keys
they count: a caller (``user:12``, ``client:3``) and the client address (``addr:203.0.113.9``, see
``client_address``). Over the limit: ``Throttled`` — a 429 with ``Retry-After`` (seconds until the
window ends) in the API and on pages.

Used for look-ups of persons by RIN (``access.persons``), anonymous report issues, exports, and the
API's per-session limit (``accounts.services``). The API clients' per-minute limit has its own faster
counter in ``accounts`` (flushed every few requests: it runs on the check path).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse

from gongxin.core import clock
from gongxin.core.errors import Throttled
from gongxin.core.models import ThrottleWindow

# name -> "count/seconds". Documented in docs/operations.md ("Rate limits").
DEFAULT_RATES: dict[str, str] = {
    # Look-ups of a person by RIN by anyone but staff (reports, queries, checks, benefits, commitments ...).
    "rin_lookup.caller": "120/3600",
    "rin_lookup.address": "300/3600",
    # Credit reports issued (any kind), per caller and per address (anonymous callers: the address only).
    "report_issue.caller": "60/3600",
    "report_issue.address": "30/3600",
    # Exports of the double-publicity listings (heavy reads), per caller and per address.
    "export.caller": "10/3600",
    "export.address": "20/3600",
    # API calls of a signed-in person (session), per minute; API clients have their own per-client limit.
    "api.session": "600/60",
}

# Windows older than this are deleted (the longest period in use is far shorter).
KEEP = timedelta(days=1)
_PURGE_EVERY_SECONDS = 60.0
_purged_at = 0.0


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _sep, seconds = str(text).partition("/")
        return cls(int(count), int(seconds or 60))


def rate_of(name: str) -> Rate:
    """The rate in force for ``name`` (settings override the defaults)."""
    configured = getattr(settings, "GONGXIN_THROTTLE_RATES", {}) or {}
    return Rate.parse(configured.get(name) or DEFAULT_RATES[name])


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def _add(key: str, window: datetime, cost: int) -> int | None:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(ThrottleWindow._meta.db_table)} SET {q('count')} = {q('count')} + %s"  # noqa: S608 - names
            f" WHERE {q('key')} = %s AND window_start = %s RETURNING {q('count')}",
            [cost, key, connection.ops.adapt_datetimefield_value(window)],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _count(key: str, window: datetime, cost: int) -> int:
    count = _add(key, window, cost)
    if count is not None:
        return count
    try:
        with transaction.atomic():
            ThrottleWindow.objects.create(key=key, window_start=window, count=cost)
        _purge(window)
        return cost
    except IntegrityError:  # another process opened the window first
        count = _add(key, window, cost)
        assert count is not None
        return count


def _purge(now: datetime) -> None:
    global _purged_at
    if time.monotonic() - _purged_at < _PURGE_EVERY_SECONDS:
        return
    _purged_at = time.monotonic()
    ThrottleWindow.objects.filter(window_start__lt=now - KEEP).delete()


def throttle_hit(*, hits: Iterable[tuple[str, str]], cost: int = 1) -> None:
    """Count ``cost`` for each ``(rate name, key)``; raise ``Throttled`` when any is over its rate.

    Every key is counted before deciding, so a caller over one limit keeps using up the others (an
    attacker rotating accounts behind one address still meets the address's limit). Keys are
    namespaced by the rate name. A blank key (no caller, no address) is not counted."""
    now = clock.now()
    retry_after = 0
    for name, key in hits:
        rate = rate_of(name)
        if not key or rate.count <= 0 or cost <= 0:
            continue
        window = _window_start(now, rate.seconds)
        if _count(f"{name}:{key}"[:200], window, cost) > rate.count:
            ends = window + timedelta(seconds=rate.seconds)
            retry_after = max(retry_after, int((ends - now).total_seconds()) + 1)
    if retry_after:
        raise Throttled(retry_after=retry_after)


def throttle_forget() -> None:
    """Forget when windows were last purged (tests)."""
    global _purged_at
    _purged_at = 0.0


# --- the client address ------------------------------------------------------------------------------

_address: contextvars.ContextVar[str] = contextvars.ContextVar("gongxin_client_address", default="")


def client_address(request: HttpRequest) -> str:
    """The address a request came from: ``REMOTE_ADDR``; behind ``GONGXIN_PROXY_COUNT`` trusted proxies,
    the ``X-Forwarded-For`` entry they added for the client (counted from the right: entries to the left
    of it are whatever the client sent, and could be forged)."""
    proxies = int(getattr(settings, "GONGXIN_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
        if len(entries) >= proxies:
            return entries[-proxies][:100]
    return str(request.META.get("REMOTE_ADDR", ""))[:100]


def current_address() -> str:
    """The address of the request being handled ("" outside a request: commands, tasks)."""
    return _address.get()


class ClientAddressMiddleware:
    """Make the request's client address known to services (``current_address``), so a limit per address
    is counted wherever a look-up happens, not only where a view remembered to pass it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)

