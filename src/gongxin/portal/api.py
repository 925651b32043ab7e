"""API routes of the portal: public listings (double publicity)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["listings"])
