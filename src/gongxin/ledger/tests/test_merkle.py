"""The Merkle functions against RFC 6962's recursive definitions, for every tree size 1…1000, and against the
published test vectors of Certificate Transparency (the eight leaves and roots of RFC 6962's reference tests)."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin.ledger import merkle

MAX = 1000
LEAVES = [merkle.leaf_hash(i.to_bytes(4, "big") + b"gongxin") for i in range(MAX)]


@cache
def ref_mth(a: int, b: int) -> bytes:
    """MTH(D[a:b]) exactly as RFC 6962 §2.1 defines it."""
    n = b - a
    if n == 1:
        return LEAVES[a]
    k = 1
    while k * 2 < n:
        k *= 2
    return merkle.node_hash(ref_mth(a, a + k), ref_mth(a + k, b))


def ref_path(m: int, a: int, b: int) -> list[bytes]:
    """PATH(m, D[a:b]) of RFC 6962 §2.1.1 (m absolute)."""
    n = b - a
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < a + k:
        return [*ref_path(m, a, a + k), ref_mth(a + k, b)]
    return [*ref_path(m, a + k, b), ref_mth(a, a + k)]


def ref_subproof(m: int, a: int, b: int, flag: bool) -> list[bytes]:
    """SUBPROOF(m, D[a:b], b) of RFC 6962 §2.1.2 (m relative to a)."""
    n = b - a
    if m == n:
        return [] if flag else [ref_mth(a, b)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, a, a + k, flag), ref_mth(a + k, b)]
    return [*ref_subproof(m - k, a + k, b, False), ref_mth(a, a + k)]


# every perfect subtree of the 1000-leaf tree: the node table a store would hold
NODES: dict[tuple[int, int], bytes] = {}
for _level in range(MAX.bit_length()):
    _width = 1 << _level
    for _index in range(MAX // _width):
        NODES[(_level, _index)] = ref_mth(_index * _width, (_index + 1) * _width)


def node_at(level: int, index: int) -> bytes:
    return NODES[(level, index)]


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_the_rfc_6962_reference_vectors() -> None:
    """The leaves and roots of the Certificate Transparency reference tests (sizes 1…8)."""
    data = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57", b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"]
    roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    hashes = [merkle.leaf_hash(d) for d in data]
    for size in range(1, 9):
        assert merkle.root_of(hashes[:size]).hex() == roots[size - 1]
    assert merkle.root_of([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_roots_for_every_size_from_one_to_a_thousand() -> None:
    for size in range(1, MAX + 1):
        root = ref_mth(0, size)
        assert merkle.root_of(LEAVES[:size]) == root
        assert merkle.subtree_root(0, size, node_at) == root
        assert len(merkle.root_nodes(size)) == bin(size).count("1")


def _check_inclusion(index: int, size: int) -> None:
    root = ref_mth(0, size)
    proof = merkle.inclusion_proof(index, size, node_at)
    assert proof == ref_path(index, 0, size)
    leaf = LEAVES[index]
    assert merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size, proof=proof, root=root)
    # a proof reads O(log n) stored nodes
    assert len(merkle.inclusion_proof_nodes(index, size)) <= 2 * max(1, size.bit_length())
    # anything changed fails
    assert not merkle.inclusion_verify(leaf_hash=_flip(leaf), index=index, size=size, proof=proof, root=root)
    assert not merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size, proof=proof, root=_flip(root))
    if size < MAX:
        assert not merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size + 1, proof=proof,
                                           root=ref_mth(0, size + 1))
    assert not merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size, proof=[*proof, root], root=root)
    if size > 1:
        other = (index + 1) % size
        if LEAVES[other] != leaf:
            assert not merkle.inclusion_verify(leaf_hash=leaf, index=other, size=size, proof=proof, root=root)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = _flip(bad[i])
        assert not merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size, proof=bad, root=root)
    if proof:
        assert not merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size, proof=proof[:-1], root=root)


def _check_consistency(size1: int, size2: int) -> None:
    root1, root2 = ref_mth(0, size1), ref_mth(0, size2)
    proof = merkle.consistency_proof(size1, size2, node_at)
    expected = [] if size1 == size2 else ref_subproof(size1, 0, size2, True)
    assert proof == expected
    assert merkle.consistency_verify(size1=size1, size2=size2, root1=root1, root2=root2, proof=proof)
    assert not merkle.consistency_verify(size1=size1, size2=size2, root1=_flip(root1), root2=root2, proof=proof)
    assert not merkle.consistency_verify(size1=size1, size2=size2, root1=root1, root2=_flip(root2), proof=proof)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = _flip(bad[i])
        assert not merkle.consistency_verify(size1=size1, size2=size2, root1=root1, root2=root2, proof=bad)
    if size1 < size2:
        assert not merkle.consistency_verify(size1=size1, size2=size2, root1=root1, root2=root2,
                                             proof=proof[:-1])
        assert not merkle.consistency_verify(size1=size1, size2=size2, root1=root1, root2=root2,
                                             proof=[*proof, root1])
        assert not merkle.consistency_verify(size1=size2, size2=size1, root1=root2, root2=root1, proof=proof)


def test_inclusion_for_every_size_from_one_to_a_thousand() -> None:
    """Every leaf of every tree up to 64 leaves; for every size up to 1000 the first, last, middle leaf,
    every power of two below it and three leaves drawn at random."""
    rng = random.Random(20)
    for size in range(1, MAX + 1):
        if size <= 64:
            indexes = set(range(size))
        else:
            indexes = {0, size - 1, size // 2, *(rng.randrange(size) for _ in range(3))}
            indexes |= {(1 << b) for b in range(size.bit_length()) if (1 << b) < size}
            indexes |= {(1 << b) - 1 for b in range(size.bit_length()) if (1 << b) <= size}
        for index in sorted(indexes):
            _check_inclusion(index, size)


def test_consistency_for_every_size_from_one_to_a_thousand() -> None:
    """Every pair of sizes up to 48; for every size up to 1000 the step from 1, from one less, from itself,
    from every power of two below it and from three sizes drawn at random."""
    rng = random.Random(21)
    for size2 in range(1, MAX + 1):
        if size2 <= 48:
            firsts = set(range(1, size2 + 1))
        else:
            firsts = {1, size2 - 1, size2, *(rng.randrange(1, size2 + 1) for _ in range(3))}
            firsts |= {(1 << b) for b in range(size2.bit_length()) if (1 << b) <= size2}
        for size1 in sorted(firsts):
            _check_consistency(size1, size2)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_inclusion_property(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=MAX))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    _check_inclusion(index, size)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_consistency_property(data: st.DataObject) -> None:
    size2 = data.draw(st.integers(min_value=1, max_value=MAX))
    size1 = data.draw(st.integers(min_value=1, max_value=size2))
    _check_consistency(size1, size2)


def test_the_edges() -> None:
    assert merkle.consistency_proof(0, 10, node_at) == []
    assert merkle.consistency_verify(size1=0, size2=10, root1=merkle.EMPTY_ROOT, root2=ref_mth(0, 10), proof=[])
    assert not merkle.consistency_verify(size1=0, size2=10, root1=merkle.EMPTY_ROOT, root2=ref_mth(0, 10),
                                         proof=[LEAVES[0]])
    assert not merkle.inclusion_verify(leaf_hash=LEAVES[0], index=0, size=0, proof=[], root=merkle.EMPTY_ROOT)
    assert not merkle.inclusion_verify(leaf_hash=b"short", index=0, size=1, proof=[], root=LEAVES[0])
    assert merkle.inclusion_verify(leaf_hash=LEAVES[0], index=0, size=1, proof=[], root=LEAVES[0])
    with pytest.raises(ValueError):
        merkle.inclusion_proof(5, 5, node_at)
    with pytest.raises(ValueError):
        merkle.consistency_proof(6, 5, node_at)
    # the nodes a proof names are exactly the nodes it reads
    read: list[tuple[int, int]] = []

    def recording(level: int, i: int) -> bytes:
        read.append((level, i))
        return node_at(level, i)

    for index, size in [(0, 1000), (999, 1000), (517, 777), (3, 5)]:
        read.clear()
        merkle.inclusion_proof(index, size, recording)
        assert set(read) == set(merkle.inclusion_proof_nodes(index, size))
    read.clear()
    merkle.consistency_proof(300, 999, recording)
    assert set(read) == set(merkle.consistency_proof_nodes(300, 999))
