"""JSON API of the rewards app (mounted under /api/v1 by gongxin.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["rewards"])
checks_router = Router(tags=["checks"])
