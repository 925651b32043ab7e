"""A busy database answers 503 with ``Retry-After``, never 500.

When another process holds the write lock longer than the connection waits for it (SQLite: "database is
locked" after ``busy_timeout``; PostgreSQL: a lock or statement timeout), the request could not be served
*now* but nothing is wrong with it: the page or the API says so (503 ``service.busy`` and when to come back)
instead of reporting a server error. The middleware catches it in views; ``urls.handler500`` in the response
phase (the session's write after a login); the API's exception handler under /api/.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

T = TypeVar("T")
API_PREFIX = "/api/"
# SQLite's messages for a lock it waited for in vain; PostgreSQL's SQLSTATEs for lock_not_available and
# query_canceled (a lock_timeout or statement_timeout set by the operator).
_SQLITE_MESSAGES = ("database is locked", "database table is locked")
_POSTGRESQL_STATES = {"55P03", "57014"}


def database_busy(exc: BaseException | None) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    if any(message in str(exc) for message in _SQLITE_MESSAGES):
        return True
    return getattr(exc.__cause__, "sqlstate", None) in _POSTGRESQL_STATES


def busy_retried(action: Callable[[], T], *, attempts: int = 2, pause: float = 0.5) -> T:
    """``action()``, run again (up to ``attempts`` times in all, ``pause`` seconds apart) when it found the
    database busy. Only for an action that is one whole transaction of its own — a busy error rolled all of it
    back, so a second run starts from scratch — and never inside a caller's transaction (PostgreSQL would
    refuse every statement after the error). The last busy error propagates: 503 with Retry-After."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except OperationalError as exc:
            if not database_busy(exc) or attempt == attempts or connection.in_atomic_block:
                raise
            _pause(pause)
    raise AssertionError("unreachable")


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def retry_after_seconds() -> int:
    return int(getattr(settings, "GONGXIN_BUSY_RETRY_AFTER_SECONDS", 5))


def busy_response(request: HttpRequest) -> HttpResponse:
    message = _("The platform is busy right now; please try again in a few seconds.")
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse({"code": "service.busy", "message": message}, status=503)
    else:
        from django.shortcuts import render

        response = render(request, "portal/error.html", {"status": 503, "message": message}, status=503)
    response["Retry-After"] = str(retry_after_seconds())
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if database_busy(exception) else None
