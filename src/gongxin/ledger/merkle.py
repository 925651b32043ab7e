"""Merkle tree hashing, proofs and their verification (RFC 6962 §2.1, RFC 9162 §2.1), pure functions.

Hashes are SHA-256. A leaf hashes as ``H(0x00 || data)``, an interior node as ``H(0x01 || left || right)``;
the tree of ``n`` leaves splits at ``k``, the largest power of two smaller than ``n`` (MTH of RFC 9162 §2.1.1).
The empty tree's root is ``H("")``.

Proofs are generated from a **node accessor** ``node_at(level, index) -> bytes``: the hash of the perfect
subtree of ``2**level`` leaves that starts at leaf ``index * 2**level`` (level 0 is the leaf hash). Only
perfect subtrees are stored (the ledger's node table); a subtree on the tree's right edge that is not perfect
is computed from at most ``log2 n`` perfect ones, so a proof costs O(log n) reads whatever the tree's size.
``inclusion_proof_nodes`` and ``consistency_proof_nodes`` name the perfect subtrees a proof reads, so that a
store fetches them in one query before building the proof.

Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) to the letter; it never
raises on malformed input, it answers False.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "NodeAt",
    "consistency_proof",
    "consistency_proof_nodes",
    "consistency_verify",
    "inclusion_proof",
    "inclusion_proof_nodes",
    "inclusion_verify",
    "leaf_hash",
    "node_hash",
    "perfect_subtrees",
    "root_nodes",
    "root_of",
    "subtree_root",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeAt = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root (MTH) of the tree whose leaves have these hashes, computed in one pass with a stack of
    perfect subtrees (O(n) time, O(log n) memory)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing
    for h in leaf_hashes:
        level, node = 0, h
        while stack and stack[-1][0] == level:
            _, left = stack.pop()
            node = node_hash(left, node)
            level += 1
        stack.append((level, node))
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node)
    return node


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` that make up leaves ``[start, end)`` as RFC 6962 splits them,
    left to right. ``start`` must be a multiple of a power of two not smaller than ``end - start`` (every
    range the RFC's recursion visits is)."""
    out: list[tuple[int, int]] = []
    while end > start:
        n = end - start
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            out.append((level, start >> level))
            break
        k = _split(n)
        level = k.bit_length() - 1
        out.append((level, start >> level))
        start += k
    return out


def subtree_root(start: int, end: int, node_at: NodeAt) -> bytes:
    """MTH of leaves ``[start, end)`` from the perfect subtrees that compose it (right-edge subtrees that are
    not perfect are folded right to left, as the RFC's recursion does)."""
    parts = perfect_subtrees(start, end)
    node = node_at(*parts[-1])
    for level, index in reversed(parts[:-1]):
        node = node_hash(node_at(level, index), node)
    return node


def _path(m: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 6962 PATH(m, D[start:end]) as ranges, leaf to root."""
    out: list[tuple[int, int]] = []
    while end - start > 1:
        k = _split(end - start)
        if m < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start = start + k
    out.reverse()
    return out


def _subproof(m: int, size: int) -> list[tuple[int, int]]:
    """RFC 6962 PROOF(m, D[0:size]) = SUBPROOF(m, D[0:size], true) as ranges, bottom to top."""
    out: list[tuple[int, int]] = []
    start, end, flag = 0, size, True
    while True:
        n = end - start
        if m == n:
            if not flag:
                out.append((start, end))
            break
        k = _split(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            m -= k
            start += k
            flag = False
    out.reverse()
    return out


def inclusion_proof(index: int, size: int, node_at: NodeAt) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    return [subtree_root(a, b, node_at) for a, b in _path(index, 0, size)]


def consistency_proof(size1: int, size2: int, node_at: NodeAt) -> list[bytes]:
    """The consistency proof from the tree of ``size1`` leaves to the tree of ``size2`` (RFC 9162 §2.1.4.1);
    empty when ``size1`` is 0 or equals ``size2``."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from {size1} to {size2} leaves")
    if size1 == 0 or size1 == size2:
        return []
    return [subtree_root(a, b, node_at) for a, b in _subproof(size1, size2)]


def _nodes_of(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    seen: dict[tuple[int, int], None] = {}
    for a, b in ranges:
        for node in perfect_subtrees(a, b):
            seen[node] = None
    return list(seen)


def inclusion_proof_nodes(index: int, size: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` ``inclusion_proof(index, size, …)`` reads (at most 2·log2 n)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    return _nodes_of(_path(index, 0, size))


def consistency_proof_nodes(size1: int, size2: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``consistency_proof(size1, size2, …)`` reads."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from {size1} to {size2} leaves")
    if size1 == 0 or size1 == size2:
        return []
    return _nodes_of(_subproof(size1, size2))


def root_nodes(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees the root of a tree of ``size`` leaves is folded from (at most log2 n)."""
    return perfect_subtrees(0, size) if size else []


def _valid(h: object) -> bool:
    return isinstance(h, bytes | bytearray) and len(h) == HASH_SIZE


def inclusion_verify(*, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show the leaf with hash ``leaf_hash`` at ``index`` in the tree of
    ``size`` leaves whose root is ``root``?"""
    if not (_valid(leaf_hash) and _valid(root) and all(_valid(p) for p in proof)):
        return False
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(bytes(p), r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, bytes(p))
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == bytes(root)


def consistency_verify(*, size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show that the tree of ``size1`` leaves with root ``root1`` is a
    prefix of the tree of ``size2`` leaves with root ``root2``? (Equal sizes: empty proof and equal roots;
    from the empty tree: empty proof, anything follows.)"""
    if not (_valid(root1) and _valid(root2) and all(_valid(p) for p in proof)):
        return False
    if size1 < 0 or size2 < size1:
        return False
    if size1 == size2:
        return not proof and bytes(root1) == bytes(root2)
    if size1 == 0:
        return not proof
    if not proof:
        return False
    path = [bytes(p) for p in proof]
    if size1 & (size1 - 1) == 0:
        path.insert(0, bytes(root1))
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == bytes(root1) and sr == bytes(root2) and sn == 0
