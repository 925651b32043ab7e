"""System checks of the platform's own settings (``gongxin check --deploy``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names compared, nothing bound


@checks.register(checks.Tags.security, deploy=True)
def public_address_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Reports and check certificates sign the address of their verification page into their QR code: in
    production it must be the platform's public address (else core.documents refuses to issue them)."""
    base = str(getattr(settings, "GONGXIN_SIGNING_VERIFY_BASE_URL", "") or "")
    hint = ("Set GONGXIN_PUBLIC_URL to the address the public reaches the platform at, "
            "e.g. GONGXIN_PUBLIC_URL=https://credit.example.gov.cn (docs/operations.md).")
    if not base:
        return [checks.Error(
            "The public address is not set (GONGXIN_PUBLIC_URL): no credit report or check certificate can be "
            "issued.", hint=hint, id="gongxin.E001")]
    parts = urlsplit(base)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [checks.Error(f"The public address {base!r} is not an http(s) address.", hint=hint,
                             id="gongxin.E002")]
    if parts.hostname in _LOOPBACK or parts.hostname.startswith("127."):
        return [checks.Error(
            f"The public address {base!r} is a local address: reports' QR codes would lead nowhere.",
            hint=hint, id="gongxin.E003")]
    return []
