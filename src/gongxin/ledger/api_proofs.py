"""Proofs of the log in the ledger API (mounted under /api/v1/ledger by ledger.api): the tree head, a leaf, the
inclusion proof of a leaf and the consistency proof between two tree sizes. Public and without an account: the
log holds hashes only (docs/ledger.md). Hashes travel as standard base64, as in RFC 9162 and C2SP checkpoints."""

from __future__ import annotations

import base64

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongxin.core.schemas import ErrorOut
from gongxin.ledger import selectors

router = Router(tags=["ledger"])


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class TreeOut(Schema):
    tree_size: int
    root_hash: str = Field(description="Base64 of the RFC 6962 root hash of the integrated tree")


class LeafOut(Schema):
    index: int
    kind: str = Field(description="What the leaf logs: record.version, report.issue or certificate.issue")
    leaf_hash: str = Field(description="Base64 of SHA-256(0x00 || leaf content)")


class InclusionQuery(Schema):
    index: int = Field(ge=0, description="The leaf index")
    size: int = Field(ge=1, description="The tree size the proof is against (a checkpoint's)")


class InclusionOut(Schema):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str = Field(description="Base64 of the root of the tree of tree_size leaves")
    proof: list[str] = Field(description="The inclusion proof (RFC 9162 2.1.3), base64 hashes, leaf to root")


class ConsistencyQuery(Schema):
    first: int = Field(ge=0, description="The smaller tree size")
    second: int = Field(ge=0, description="The larger tree size")


class ConsistencyOut(Schema):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="The consistency proof (RFC 9162 2.1.4), base64 hashes")


@router.get("/tree", response=TreeOut, auth=None, summary="The size and root of the log's integrated tree")
def tree(request: HttpRequest) -> dict[str, object]:
    size, root = selectors.tree_head()
    return {"tree_size": size, "root_hash": _b64(root)}


@router.get("/leaves/{index}", response={200: LeafOut, 404: ErrorOut}, auth=None,
            summary="One leaf of the log: its kind and hash")
def leaf(request: HttpRequest, index: int) -> dict[str, object]:
    found = selectors.leaf_at(index)
    return {"index": index, "kind": found.kind, "leaf_hash": _b64(found.leaf_hash)}


@router.get("/proofs/inclusion", response={200: InclusionOut, 404: ErrorOut, 422: ErrorOut}, auth=None,
            summary="The inclusion proof of a leaf in the tree of a given size")
def inclusion(request: HttpRequest, query: Query[InclusionQuery]) -> dict[str, object]:
    proof = selectors.inclusion_proof_of(query.index, query.size)
    return {"leaf_index": query.index, "tree_size": query.size,
            "leaf_hash": _b64(selectors.leaf_at(query.index).leaf_hash),
            "root_hash": _b64(selectors.root_at(query.size)), "proof": [_b64(p) for p in proof]}


@router.get("/proofs/consistency", response={200: ConsistencyOut, 422: ErrorOut}, auth=None,
            summary="The consistency proof from one tree size to a larger one")
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> dict[str, object]:
    proof = selectors.consistency_proof_of(query.first, query.second)
    return {"first": query.first, "second": query.second, "first_root": _b64(selectors.root_at(query.first)),
            "second_root": _b64(selectors.root_at(query.second)), "proof": [_b64(p) for p in proof]}
