"""API routes of this app (thin: parse, call one service or selector, shape the output)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["catalog"])
