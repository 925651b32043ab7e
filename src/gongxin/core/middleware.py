"""Make every error under /api/ the one JSON error shape, including the few that Django or Ninja
produce before any handler of ours runs (405 method not allowed, 413, CSRF failures ...); the request's
language without Django's URL-prefix work where no URL has a language prefix (``LocaleMiddleware``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# Endpoints whose body is a binary file streamed by the endpoint itself (exchange data packages, docs/exchange.md):
# neither read whole here nor searched for NUL bytes (a ZIP file holds them); the endpoint verifies the file.
BINARY_BODY_PATHS = frozenset({"/api/v1/exchange/packages"})
BINARY_BODY_TYPES = frozenset({"application/zip", "application/octet-stream"})


def binary_body(request: HttpRequest) -> bool:
    return request.path in BINARY_BODY_PATHS and request.content_type in BINARY_BODY_TYPES


def _fallback(status: int) -> tuple[str, str]:
    known = {
        400: ("bad_request", _("The request could not be processed.")),
        401: ("not_authenticated", _("Authentication is required.")),
        403: ("permission_denied", _("You are not allowed to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("too_large", _("The request is too large.")),
        415: ("unsupported_media_type", _("Send JSON (Content-Type: application/json).")),
        429: ("rate_limited", _("Too many requests; try again later.")),
    }
    if status in known:
        return known[status]
    if status >= 500:
        return "internal_error", _("An unexpected error occurred; it has been logged.")
    return "http_error", _("The request could not be processed.")


class ApiErrorJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _fallback(response.status_code)
            replacement = JsonResponse({"code": code, "message": message}, status=response.status_code)
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's ``LocaleMiddleware`` — the language from the cookie, else ``Accept-Language``, else the default;
    ``Vary: Accept-Language`` and ``Content-Language`` on the answer — without looking for a language in the
    path when the URL conf has no ``i18n_patterns`` (ours has none). Django looks anyway, twice a request, and
    the path's first segment ("api") is no language, a miss its cache does not keep: tens of microseconds of
    every request (bench/checks_cpu.py, decision 083). With language prefixes in the URL conf it is Django's
    middleware unchanged."""

    @staticmethod
    def _prefixes(request: HttpRequest) -> bool:
        return bool(is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0])

    def process_request(self, request: HttpRequest) -> None:
        if self._prefixes(request):
            super().process_request(request)
            return
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if self._prefixes(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ApiBodyLimitMiddleware:
    """Refuse an API request whose body is over ``GONGXIN_API_BODY_MAX_BYTES`` with 413, before reading it.

    JSON bodies are read whole into memory to be parsed; the limit (32 MiB by default: a push of 10,000
    records is well under it) keeps one request from holding a worker and its memory. Multipart uploads
    (ingest files) stream to disk and are limited by their own endpoint; pages keep Django's limits.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.path.startswith(API_PREFIX) and request.content_type != "multipart/form-data"
                and not binary_body(request)):
            limit = settings.GONGXIN_API_BODY_MAX_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                body = {"code": "request.too_large", "details": {"limit_bytes": limit},
                        "message": _("The request body is larger than the %(limit)s bytes the API accepts.")
                        % {"limit": limit}}
                return JsonResponse(body, status=413)
        return self.get_response(request)


class RejectNulMiddleware:
    """Refuse input containing NUL characters with a clear 400 — and only NUL characters.

    No text the platform stores may contain NUL (PostgreSQL text cannot), so such input is always an
    error or an attack; refusing it at the door keeps every form and endpoint from failing later with
    a database error. What spells a NUL depends on where it is: a raw byte 0 anywhere; ``%00`` in the query
    string and in a URL-encoded form body (percent-encoding); the escape ``\\u0000`` in a JSON body. The
    text "%00" inside JSON, or in an already-decoded path, is just text and passes.
    """

    # A JSON escape \u0000 not itself escaped: preceded by an even number of backslashes.
    JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        writes = request.method in {"POST", "PUT", "PATCH"}
        multipart = request.content_type == "multipart/form-data"
        body = request.body if writes and not multipart and self._small(request) and not binary_body(request) else b""
        if (
            b"\x00" in query or b"%00" in query or "\x00" in request.path or self._body_has_nul(request, body)
            or (writes and multipart and self._multipart_text_has_nul(request))
        ):
            message = _("The input contains a NUL character, which no field accepts.")
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"code": "bad_request.nul_character", "message": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _body_has_nul(self, request: HttpRequest, body: bytes) -> bool:
        if not body:
            return False
        if b"\x00" in body:
            return True
        if request.content_type == "application/x-www-form-urlencoded":
            return b"%00" in body
        if (request.content_type or "").endswith("json"):
            return b"\\u0000" in body and self.JSON_NUL.search(body) is not None
        return False

    @staticmethod
    def _multipart_text_has_nul(request: HttpRequest) -> bool:
        """Uploaded files are binary (an .xlsx or a PDF holds NUL bytes): only the text fields and the file
        names of a multipart form are checked. Parsing here streams large files to disk as usual."""
        texts = [value for _key, values in request.POST.lists() for value in values]
        texts += [upload.name or "" for _key, uploads in request.FILES.lists() for upload in uploads]
        return any("\x00" in text for text in texts)

    @staticmethod
    def _small(request: HttpRequest) -> bool:
        # Large uploads (ingest files) are checked by their parsers while streaming, not read here.
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) <= 10 * 1024 * 1024
        except ValueError:
            return False


class GongxinErrorPageMiddleware:
    """A ``GongxinError`` raised by a page view becomes the error page with its status and message.

    Views may call services and let their refusals (not found, not allowed, invalid) propagate: the
    person sees why, with the right status, instead of a server error. The API maps the same errors to
    JSON itself (gongxin.api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from gongxin.core.errors import GongxinError

        if not isinstance(exception, GongxinError) or request.path.startswith(API_PREFIX):
            return None
        return error_page(request, exception)


def error_page(request: HttpRequest, exc: Any) -> HttpResponse:
    """The page of a ``GongxinError``: its message with its status (and ``Retry-After`` when it says when to come
    back). Views that catch an error to answer it themselves answer with this too."""
    from django.shortcuts import render

    from gongxin.core.errors import retry_after_apply

    context = {"status": exc.status, "message": str(exc.message)}
    return retry_after_apply(render(request, "portal/error.html", context, status=exc.status), exc)
