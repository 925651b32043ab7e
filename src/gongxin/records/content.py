"""Content hashing and the fields a new version carries over from the clocks."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gongxin.catalog.policy import Clocks


def content_hash(*, payload: dict[str, Any], severity: str) -> str:
    """SHA-256 of the canonical JSON of what the source unit said (payload and severity)."""
    canonical = json.dumps({"payload": payload, "severity": severity}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
