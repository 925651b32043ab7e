"""JSON API of the notices app (mounted at /api/v1/notices)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["notices"])
