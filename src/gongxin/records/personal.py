"""Personal data inside record payloads is sealed at rest.

Fields a catalog item marks ``personal`` (identity document numbers of natural persons and of legal
representatives) are stored as ``sealed:v1:<core.crypto.seal(...)>`` — AES-256-GCM under the platform's data
key, bound to this context. Everything else in a payload stays plain JSON (it is public or shared anyway,
and searchable). The content hash is computed over the plain canonical payload, so "same content" is
still recognised; the stored value differs at every write (random nonce) and never needs to be compared.

Writes seal in one place each (``records.services.record_version_append`` and the bulk path
``records.load``); reads that show a field unseal in one place (``access.disclosure.fields_shown``), which
also decides whether the viewer sees the value, a masked value or nothing. Values written before sealing
existed are plain and pass through unchanged.
"""

from __future__ import annotations

from typing import Any

from gongxin.catalog.models import CatalogItem
from gongxin.core.crypto import seal, unseal

PREFIX = "sealed:v1:"
CONTEXT = b"record.payload.personal"


def personal_codes(item: CatalogItem) -> tuple[str, ...]:
    """Codes of the item's personal fields."""
    return item.fields_derived("personal", lambda fields: tuple(f["code"] for f in fields if f.get("personal")))


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def payload_seal(*, item: CatalogItem, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its personal values sealed (the same object when there is nothing to seal)."""
    codes = [c for c in personal_codes(item) if payload.get(c) not in (None, "") and not is_sealed(payload[c])]
    if not codes:
        return payload
    sealed = dict(payload)
    for code in codes:
        sealed[code] = PREFIX + seal(str(payload[code]), context=CONTEXT)
    return sealed


def value_unseal(value: Any) -> Any:
    if is_sealed(value):
        return unseal(value[len(PREFIX):], context=CONTEXT)
    return value


def payload_unseal(*, item: CatalogItem, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its personal values in clear — for the few callers that must edit a payload."""
    codes = [c for c in personal_codes(item) if is_sealed(payload.get(c))]
    if not codes:
        return payload
    return {**payload, **{code: value_unseal(payload[code]) for code in codes}}
