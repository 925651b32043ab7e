"""Content-Security-Policy: every page may load only the platform's own scripts, styles, images and fonts.

All assets are served by the platform itself (no CDN): scripts only from ``'self'`` (no template has inline
script; the API's Swagger UI is ninja's bundled, file-only one), style elements from ``'self'`` or carrying
this response's nonce (``<style nonce="{{ request.csp_nonce }}">``), ``style`` attributes allowed (the bar
charts set their widths that way; an attribute can neither load nor select anything), images from ``'self'``
and ``data:`` (icons inside the bundled CSS). Nothing may frame a page, and forms post only to the platform.
``settings.GONGXIN_CSP`` holds the directives (a deployment may extend them); the nonce, fresh for every
response, is added to ``style-src-elem`` and ``script-src`` only when a template used it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

DEFAULT_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
NONCED = ("script-src", "style-src-elem")


def policy_header(*, nonce: str | None) -> str:
    directives = getattr(settings, "GONGXIN_CSP", None) or DEFAULT_POLICY
    parts = []
    for name, sources in directives.items():
        values = list(sources)
        if nonce and name in NONCED:
            values.append(f"'nonce-{nonce}'")
        parts.append(" ".join([name, *values]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Gives each request a lazy ``csp_nonce`` and each response the policy (unless a view set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        used: list[str] = []

        def nonce() -> str:
            value = secrets.token_urlsafe(18)
            used.append(value)
            return value

        request.csp_nonce = SimpleLazyObject(nonce)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_header(nonce=used[0] if used else None)
        return response
