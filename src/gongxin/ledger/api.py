"""The ledger API, mounted at /api/v1/ledger (thin: parse, call one service or selector, shape)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["ledger"])

# Checkpoints and witnessing (decisions 064, 065): GET /checkpoints, POST /cosignatures, POST /witness-alerts.
from gongxin.ledger.api_witnessing import router as _witnessing  # noqa: E402 - mounted after the router exists

router.add_router("", _witnessing)

# Proofs (decision 062): GET /tree, /leaves/{index}, /proofs/inclusion, /proofs/consistency.
from gongxin.ledger.api_proofs import router as _proofs  # noqa: E402 - mounted after the router exists

router.add_router("", _proofs)
