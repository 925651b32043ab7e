"""Reads of the log: the tree head, an object's leaf, inclusion and consistency proofs, the root of an earlier
size. Nothing here discloses anything about a subject: the log holds hashes only (public, docs/ledger.md)."""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.ledger import merkle
from gongxin.ledger.errors import LeafNotFound, LeafNotInTree, TreeSizeInvalid
from gongxin.ledger.models import Leaf, QueuedEntry
from gongxin.ledger.services import nodes_read, tree_head_row


@dataclass(frozen=True)
class LeafInfo:
    kind: str
    ref: int
    sub: int
    leaf_hash: bytes
    index: int | None  # None: queued, not integrated yet


def tree_head() -> tuple[int, bytes]:
    """(size, root) of the integrated tree."""
    head = tree_head_row()
    return head.size, bytes(head.root)


def leaf_of(kind: str, ref: int, sub: int = 0) -> LeafInfo | None:
    """The (first) leaf of an object, integrated or still queued; None when the object was never logged."""
    leaf = Leaf.objects.filter(kind=kind, ref=ref, sub=sub).order_by("index").first()
    if leaf is not None:
        return LeafInfo(kind=kind, ref=ref, sub=sub, leaf_hash=bytes(leaf.leaf_hash), index=leaf.index)
    queued = QueuedEntry.objects.filter(kind=kind, ref=ref, sub=sub).first()
    if queued is not None:
        return LeafInfo(kind=kind, ref=ref, sub=sub, leaf_hash=bytes(queued.leaf_hash), index=None)
    return None


def leaves_of(kind: str, refs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Leaf indexes of many objects of one kind (integrated ones only): ``{(ref, sub): index}``."""
    found: dict[tuple[int, int], int] = {}
    by_ref: dict[int, set[int]] = {}
    for ref, sub in refs:
        by_ref.setdefault(ref, set()).add(sub)
    ids = list(by_ref)
    for start in range(0, len(ids), 900):
        rows = Leaf.objects.filter(kind=kind, ref__in=ids[start:start + 900]).values_list("ref", "sub", "index")
        for ref, sub, index in rows.order_by("-index"):  # the first leaf of an object wins
            if sub in by_ref[ref]:
                found[(ref, sub)] = index
    return found


def leaf_at(index: int) -> LeafInfo:
    leaf = Leaf.objects.filter(index=index).first()
    if leaf is None:
        raise LeafNotFound()
    return LeafInfo(kind=leaf.kind, ref=leaf.ref, sub=leaf.sub, leaf_hash=bytes(leaf.leaf_hash), index=leaf.index)


def _size_check(size: int) -> None:
    if size < 0 or size > tree_head_row().size:
        raise TreeSizeInvalid()


def inclusion_proof_of(leaf_index: int, tree_size: int) -> list[bytes]:
    """The inclusion proof of leaf ``leaf_index`` in the tree of ``tree_size`` leaves (at most 2·log2 n rows read,
    in two queries)."""
    _size_check(tree_size)
    if not 0 <= leaf_index < tree_size:
        raise LeafNotInTree()
    known = nodes_read(merkle.inclusion_proof_nodes(leaf_index, tree_size))
    return merkle.inclusion_proof(leaf_index, tree_size, lambda level, index: known[(level, index)])


def inclusion_proofs_of(leaf_indexes: list[int], tree_size: int) -> dict[int, list[bytes]]:
    """Inclusion proofs of many leaves in one tree (a report's records): their nodes read together."""
    _size_check(tree_size)
    wanted: set[tuple[int, int]] = set()
    for index in leaf_indexes:
        if not 0 <= index < tree_size:
            raise LeafNotInTree()
        wanted.update(merkle.inclusion_proof_nodes(index, tree_size))
    known = nodes_read(sorted(wanted))
    return {index: merkle.inclusion_proof(index, tree_size, lambda level, i: known[(level, i)])
            for index in leaf_indexes}


def consistency_proof_of(size1: int, size2: int) -> list[bytes]:
    """The consistency proof from the tree of ``size1`` leaves to the tree of ``size2``."""
    if not 0 <= size1 <= size2:
        raise TreeSizeInvalid()
    _size_check(size2)
    known = nodes_read(merkle.consistency_proof_nodes(size1, size2))
    return merkle.consistency_proof(size1, size2, lambda level, index: known[(level, index)])


def root_at(size: int) -> bytes:
    """The root of the tree of the first ``size`` leaves (at most log2 n rows read)."""
    _size_check(size)
    if size == 0:
        return merkle.EMPTY_ROOT
    known = nodes_read(merkle.root_nodes(size))
    return merkle.subtree_root(0, size, lambda level, index: known[(level, index)])
