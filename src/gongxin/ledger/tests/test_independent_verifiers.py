"""Independent, maintained implementations (not our code) check the log (issue #20, decision 064): they reproduce
its roots from the entries, and verify the inclusion and consistency proofs the platform serves from its node table.

- @transmute/rfc9162 (npm, run with Node): roots of every size, our inclusion proofs and our consistency proofs as
  RFC 9162 defines them (rfc9162_verify.js: the library omits one step of the consistency verification, which the
  script does — see there);
- pymerkle 7 in its secure mode (the 0x00/0x01 prefixes of RFC 6962): the same roots for every size (so the same
  tree shape: the split at the largest power of two below the size), and our inclusion proofs verified by its own
  verifier (its inclusion paths are RFC 9162's: leaf to root). Its consistency proofs have another layout than
  RFC 9162's (they descend to a leaf of the new part instead of stopping at the old tree's subtrees), so it cannot
  read ours; it proves with its own proof that our two roots are consistent.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from pymerkle import InmemoryTree
from pymerkle.core import _inclusion_path_layout
from pymerkle.proof import InclusionProof, InvalidProof, verify_consistency, verify_inclusion

from gongxin.ledger import merkle
from gongxin.ledger.selectors import consistency_proof_of, inclusion_proof_of, root_at
from gongxin.ledger.services import entries_append, ledger_integrate

SCRIPT = Path(__file__).with_name("rfc9162_verify.js")
SMALL = 32  # every size, index and pair up to here
LARGE = 1000  # a random sample up to here


def _entries(count: int) -> list[bytes]:
    return [f"independent entry {i}".encode() for i in range(count)]


def _log_of(entries: list[bytes]) -> None:
    with transaction.atomic():
        entries_append(kind="test.independent", refs=[(i + 1, 0) for i in range(len(entries))], leaf_data=entries)
    assert ledger_integrate().size == len(entries)


def _root(entries: list[bytes], size: int) -> bytes:
    """The root of the first ``size`` entries as the platform computes it from its node table."""
    return root_at(size)


def _cases(entries: list[bytes]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    rng = random.Random(20)
    inclusion = [(i, n) for n in range(1, SMALL + 1) for i in range(n)]
    consistency = [(m, n) for n in range(2, SMALL + 1) for m in range(1, n)]
    for _ in range(200):
        n = rng.randint(SMALL + 1, len(entries))
        inclusion.append((rng.randrange(n), n))
        consistency.append((rng.randint(1, n - 1), n))
    return inclusion, consistency


@pytest.fixture
def logged(db: None) -> list[bytes]:
    entries = _entries(LARGE)
    _log_of(entries)
    return entries


def test_an_npm_rfc9162_implementation_reproduces_our_roots_and_verifies_our_proofs(logged: list[bytes]) -> None:
    node = shutil.which("node")
    assert node, "Node is needed (make setup installs it with npm)"
    inclusion, consistency = _cases(logged)
    sizes = sorted({0, *range(1, SMALL + 1), *(n for _i, n in inclusion), *(m for m, _n in consistency)})
    roots = {n: _root(logged, n) for n in sizes}
    payload: dict[str, list[Any]] = {
        "entries": [e.hex() for e in logged],
        "roots": [[n, roots[n].hex()] for n in sizes],
        "inclusion": [[i, n, [h.hex() for h in inclusion_proof_of(i, n)], roots[n].hex()] for i, n in inclusion],
        "consistency": [[m, n, [h.hex() for h in consistency_proof_of(m, n)], roots[m].hex(), roots[n].hex()]
                        for m, n in consistency],
    }
    # Wrong answers must be refused by the same code: a root of another size, a proof of another leaf.
    payload["inclusion"].append([3, 10, [h.hex() for h in inclusion_proof_of(4, 10)], roots[10].hex()])
    payload["consistency"].append([3, 10, [h.hex() for h in consistency_proof_of(3, 10)], roots[3].hex(),
                                   roots[9].hex()])
    env = {"PATH": str(Path(node).parent), "NODE_PATH": str(settings.NODE_MODULES)}
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True, env=env,  # noqa: S603
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert all(verdict["roots"])
    assert verdict["inclusion"] == [True] * len(inclusion) + [False]
    assert verdict["consistency"] == [True] * len(consistency) + [False]


def test_pymerkle_reproduces_our_roots_and_verifies_our_inclusion_proofs(logged: list[bytes]) -> None:
    tree = InmemoryTree(algorithm="sha256")  # secure mode (the default): leaf 0x00, node 0x01 prefixes
    for entry in logged:
        tree.append_entry(entry)
    inclusion, consistency = _cases(logged)
    for size in sorted({0, *range(1, SMALL + 1), *(n for _i, n in inclusion)}):
        assert tree.get_root(size) == _root(logged, size), size
    for index, size in inclusion:
        proof = inclusion_proof_of(index, size)
        rule, _ranges = _inclusion_path_layout(index + 1, size)
        theirs = InclusionProof("sha256", True, size, index + 1, rule, [merkle.leaf_hash(logged[index]), *proof])
        verify_inclusion(merkle.leaf_hash(logged[index]), _root(logged, size), theirs, index=index + 1, size=size)
        # Its own proof is the same path (the tree shape and the order of RFC 9162).
        assert tree.prove_inclusion(index + 1, size).path[1:] == proof
    forged = InclusionProof("sha256", True, 10, 4, _inclusion_path_layout(4, 10)[0],
                            [merkle.leaf_hash(logged[3]), *inclusion_proof_of(4, 10)])
    with pytest.raises(InvalidProof):
        verify_inclusion(merkle.leaf_hash(logged[3]), _root(logged, 10), forged)
    for prior, size in consistency[::7]:
        verify_consistency(_root(logged, prior), _root(logged, size), tree.prove_consistency(prior, size))
