"""JSON API of the objections app (mounted at /api/v1/objections)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["objections"])
