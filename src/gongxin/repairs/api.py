"""JSON API of the repairs app (mounted at /api/v1/repairs)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["repairs"])
