"""Association analysis API (关联分析), mounted at /api/v1/associations: related subjects with paths, ultimate
controllers, shared legal representatives and addresses, through the disclosure policy (docs/monitoring.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["associations"])
