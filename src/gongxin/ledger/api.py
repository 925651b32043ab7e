"""The ledger API, mounted at /api/v1/ledger (thin: parse, call one service or selector, shape)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["ledger"])
