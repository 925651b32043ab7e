"""Content hashing and the fields a new version carries over from the clocks."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gongxin.catalog.models import CatalogItem
from gongxin.catalog.policy import Clocks
from gongxin.records.errors import IdentityMissing


def content_hash(*, payload: dict[str, Any], severity: str) -> str:
    """SHA-256 of the canonical JSON of what the source unit said (payload and severity)."""
    return content_digest(payload=payload, severity=severity)[0]


def content_digest(*, payload: dict[str, Any], severity: str) -> tuple[str, str]:
    """``content_hash`` and the canonical JSON of the payload it was computed over (bulk paths store that
    text as is instead of encoding the payload a second time).

    The canonical form is ``{"payload":<payload, keys sorted>,"severity":<severity>}`` without spaces,
    UTF-8 — exactly ``json.dumps({"payload": ..., "severity": ...}, sort_keys=True, ...)``."""
    payload_json = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    canonical = '{"payload":' + payload_json + ',"severity":' + json.dumps(severity, ensure_ascii=False) + "}"
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest(), payload_json


def source_fingerprint_bind(fingerprint: int | None, digest: str) -> int | None:
    """What ``Record.source_fingerprint`` stores: the fingerprint of the source row that wrote the content (a signed
    64-bit integer, ingest.fingerprint) XOR the first 8 bytes of its content hash (hex). Bound to the content, it
    stops matching the row as soon as any path changes the content (decision 084)."""
    if fingerprint is None:
        return None
    return fingerprint ^ int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)


def clock_fields(clocks: Clocks) -> dict[str, Any]:
    return {
        "polarity": clocks.polarity,
        "severity": clocks.severity,
        "decision_date": clocks.decision_date,
        "published": clocks.published,
        "publicity_min_end": clocks.publicity_min_end,
        "publicity_max_end": clocks.publicity_max_end,
        "retention_end": clocks.retention_end,
        "publicity_policy_id": clocks.publicity_policy_id,
        "retention_policy_id": clocks.retention_policy_id,
    }


def record_identity(*, item: CatalogItem, payload: dict[str, Any], source_record_id: str | None) -> str:
    """The record's id within (source unit, catalog item): the source's own id when it sends one, else
    the item's natural key (e.g. the penalty decision number), so re-sending a row finds its record."""
    if source_record_id and source_record_id.strip():
        return source_record_id.strip()
    values = [str(payload.get(code) or "").strip() for code in item.natural_key]
    if not values or not all(values):
        raise IdentityMissing(details={"natural_key": list(item.natural_key)})
    return "nk:" + "|".join(values)
