"""API routes of this app (thin: parse, call one service or selector, shape the output)."""

from __future__ import annotations

from ninja import Router

from gongxin.accounts.auth import viewer_auth

router = Router(tags=["reports"], auth=viewer_auth)
