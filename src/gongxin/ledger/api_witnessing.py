"""Checkpoints and witnessing in the ledger API (mounted under /api/v1/ledger by ledger.api): the public history
of signed checkpoints, and the two doors a configured witness knocks on — its cosignatures and its refusals.
Neither door needs an account: what comes in must carry a valid signature of a witness configured in
``GONGXIN_LEDGER_WITNESSES``, or it is refused (422)."""

from __future__ import annotations

import base64
from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongxin.core.schemas import ErrorOut
from gongxin.ledger.checkpoints import checkpoints_history, cosignature_add, published_note
from gongxin.ledger.witness import witness_report_receive

router = Router(tags=["ledger"])


class CosignatureOut(Schema):
    witness: str = Field(description="The witness key's name")
    cosigned_at: datetime
    line: str = Field(description="The signature line (c2sp.org/tlog-cosignature, Ed25519, type 0x04)")


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str = Field(description="Base64 of the RFC 6962 root hash")
    signed_at: datetime
    key_id: str = Field(description="The id of the platform key that signed (core.signing key id)")
    note: str = Field(description="The checkpoint as a C2SP signed note, with the witnesses' cosignatures")
    cosignatures: list[CosignatureOut]


class HistoryQuery(Schema):
    before: int | None = Field(None, ge=0, description="Only checkpoints of a smaller tree size (paging)")
    limit: int = Field(100, ge=1, le=1000)


class NoteIn(Schema):
    note: str = Field(max_length=65536, description="A signed note (text, blank line, signature lines)")


class CosignaturesKept(Schema):
    kept: int


class AlertKept(Schema):
    alert: int


@router.get("/checkpoints", response=list[CheckpointOut], auth=None,
            summary="The log's signed checkpoints, newest first, with their cosignatures")
def checkpoints(request: HttpRequest, query: Query[HistoryQuery]) -> list[dict[str, object]]:
    return [{
        "tree_size": c.tree_size,
        "root_hash": base64.b64encode(bytes(c.root_hash)).decode("ascii"),
        "signed_at": c.created_at,
        "key_id": c.key_id,
        "note": published_note(c),
        "cosignatures": [{"witness": s.witness, "cosigned_at": s.cosigned_at, "line": s.line}
                         for s in c.cosignatures.all()],
    } for c in checkpoints_history(limit=query.limit, before=query.before)]


@router.post("/cosignatures", response={200: CosignaturesKept, 422: ErrorOut}, auth=None,
             summary="A witness hands back a checkpoint of this log with its cosignature")
def cosignatures(request: HttpRequest, body: NoteIn) -> dict[str, int]:
    return {"kept": len(cosignature_add(note_text=body.note))}


@router.post("/witness-alerts", response={200: AlertKept, 422: ErrorOut}, auth=None,
             summary="A witness reports that it refused a checkpoint of this log (split view, inconsistency)")
def witness_alerts(request: HttpRequest, body: NoteIn) -> dict[str, int]:
    return {"alert": witness_report_receive(note_text=body.note).pk}
