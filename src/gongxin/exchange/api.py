"""The exchange API, mounted at /api/v1/exchange (thin: parse, call one service or selector, shape).

The service interface's push: ``POST /packages`` with a data package as the body, answered with the signed receipt.
Two signatures guard it: the request's (headers ``X-Exchange-*`` as for a pull, exchange.pulling, covering the body's
length too) is checked before a byte of the body is read, so nobody but a registered peer can make this node store
anything; then the package's own, which must be the same peer's. ``GET /receipts/{guid}`` gives a receipt again to
the peer that sent the package (a request signed like a pull).
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Router

from gongxin.core.schemas import ErrorOut
from gongxin.exchange.errors import PushBadSignature, PushLengthRequired, PushNotSigned, PushTooLarge, ReceiptNotFound
from gongxin.exchange.keys import local_node
from gongxin.exchange.services import (
    REFUSED,
    UNAUTHENTICATED,
    exchange_dir,
    package_receive,
    receipt_for_peer,
    receipt_wire,
)

router = Router(tags=["exchange"])

_RECEIPT_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["document", "signature", "key_id"],
    "properties": {
        "document": {"type": "object", "description": "The receipt (docs/exchange.md \"Receipts\"): package_guid, "
                     "sender, receiver, status (applied, partial, held, refused), code, message, counts, "
                     "outcomes (the records not applied, each with its outcome, code and reason)"},
        "signature": {"type": "string", "description": "Base64 Ed25519 signature over the document's canonical JSON"},
        "key_id": {"type": "string"}, "algorithm": {"type": "string"},
    },
}
_PUSH = {
    "requestBody": {"required": True, "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}},
                                                  "application/octet-stream": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}},
    "responses": {
        "200": {"description": "The signed receipt: applied, partly applied, or held until an earlier package",
                "content": {"application/json": {"schema": _RECEIPT_SCHEMA}}},
    },
}
_RECEIPT = {"responses": {"200": {"description": "The signed receipt",
                                  "content": {"application/json": {"schema": _RECEIPT_SCHEMA}}}}}


def _package_limit() -> int:
    return int(getattr(settings, "GONGXIN_EXCHANGE_PACKAGE_MAX_BYTES", 4 << 30))


def _content_length(request: HttpRequest) -> int:
    """The body's declared length: required (a pushed package is never sent in chunks of unknown total) and within
    the node's limit — both known before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError as exc:
        raise PushLengthRequired() from exc
    if length < 0:
        raise PushLengthRequired()
    limit = _package_limit()
    if length > limit:
        raise PushTooLarge(details={"limit_bytes": limit})
    return length


def _body_to_file(request: HttpRequest, length: int) -> Path:
    """The request body (``length`` bytes, no more) streamed to a private temporary file (a package may be far
    larger than memory allows)."""
    handle = tempfile.NamedTemporaryFile(dir=exchange_dir("incoming"), suffix=".gxp", delete=False)  # noqa: SIM115
    with handle:
        left = length
        while left > 0 and (chunk := request.read(min(left, 1 << 20))):
            left -= len(chunk)
            handle.write(chunk)  # a body shorter than declared no longer opens (refused as malformed)
    return Path(handle.name)


@router.post("/packages", auth=None, response={401: ErrorOut, 404: ErrorOut, 411: ErrorOut, 413: ErrorOut,
                                                422: ErrorOut}, openapi_extra=_PUSH,
             summary="Push a data package (a request signed by a registered peer); the answer is its receipt")
def package_push(request: HttpRequest) -> JsonResponse:
    from gongxin.exchange.pulling import request_peer

    node = local_node()  # 404 on a platform that is no exchange node
    length = _content_length(request)
    peer = request_peer(method="POST", path_with_query=request.get_full_path(), headers=request.headers,
                        length=length, not_signed=PushNotSigned, bad_signature=PushBadSignature)
    path = _body_to_file(request, length)
    try:
        receipt = package_receive(data=path, via="service", node=node, pushed_by=peer.code)
    finally:
        path.unlink(missing_ok=True)
    if receipt.status != REFUSED:
        return JsonResponse(receipt_wire(receipt), json_dumps_params={"ensure_ascii": False})
    # A refusal in the platform's one error shape; the signed receipt that says why is its ``details.receipt``.
    document = receipt.document
    # ``status`` as in a receipt, so that a sender reading the body as a receipt sees the refusal too.
    return JsonResponse({"code": document["code"], "message": document["message"] if _chinese(request)
                         else document["message_en"], "status": REFUSED,
                         "details": {"receipt": receipt_wire(receipt)}},
                        status=401 if document["code"] in UNAUTHENTICATED else 422,
                        json_dumps_params={"ensure_ascii": False})


def _chinese(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "") or "zh").startswith("zh")


@router.get("/receipts/{guid}", auth=None, response={401: ErrorOut, 404: ErrorOut}, openapi_extra=_RECEIPT,
            summary="The receipt of a package this peer sent (a request signed by the peer)")
def receipt_get(request: HttpRequest, guid: uuid.UUID) -> JsonResponse:
    from gongxin.exchange.pulling import request_peer

    peer = request_peer(method="GET", path_with_query=request.get_full_path(), headers=request.headers)
    receipt = receipt_for_peer(guid=guid, peer=peer)
    if receipt is None:
        raise ReceiptNotFound()
    return JsonResponse(receipt_wire(receipt), json_dumps_params={"ensure_ascii": False})


__all__ = ["package_push", "receipt_get", "router"]
