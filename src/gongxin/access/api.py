"""API routes of this app (thin: parse, call one service or selector, shape the output)."""

from __future__ import annotations

from ninja import Router

from gongxin.accounts.auth import viewer_auth

router = Router(tags=["access"], auth=viewer_auth)
inquiries_router = Router(tags=["inquiries"], auth=viewer_auth)
