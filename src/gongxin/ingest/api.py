"""JSON API of the ingest app (mounted at /api/v1/ingest)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["ingest"])
