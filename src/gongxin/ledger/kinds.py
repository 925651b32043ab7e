"""What the log holds, kind by kind, and how a leaf is recomputed from the object it logs.

The ledger sits below the apps whose objects it logs (records, reports, rewards) and imports none of them: each
app registers its kinds in its ``AppConfig.ready()`` with two functions —

- ``leaves(refs)``: the leaf content (canonical JSON bytes) of the objects ``refs`` (``(ref, sub)`` pairs), as
  recomputed from what is stored now — or a tuple of the forms it may have been logged in (a kind whose leaf
  content has a newer version: the newest first); an object that no longer exists is left out;
- ``refs(after, limit)``: the next ``limit`` objects of the kind after ``after`` (a ``(ref, sub)`` pair), in order:
  everything that must have a leaf.

``ledger.audit`` walks every kind with both, so a changed object, an object without a leaf and a leaf without an
object are all found. Leaf content is described in docs/ledger.md (decision 063); ``keyed`` and ``salted`` are the
two ways a value that must not appear in clear enters it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

Ref = tuple[int, int]
LeavesFn = Callable[[Sequence[Ref]], dict[Ref, bytes] | dict[Ref, tuple[bytes, ...]]]
RefsFn = Callable[[Ref | None, int], list[Ref]]

LEAF_VERSION = 1

# The kinds of leaves (docs/ledger.md); an app registers the functions of its own.
RECORD_VERSION = "record.version"
REPORT_ISSUED = "report.issue"
CERTIFICATE_ISSUED = "certificate.issue"


@dataclass(frozen=True)
class LeafKind:
    name: str
    leaves: LeavesFn
    refs: RefsFn


_KINDS: dict[str, LeafKind] = {}


def kind_register(*, name: str, leaves: LeavesFn, refs: RefsFn) -> None:
    """Register (or replace, on a second ``ready()``) the functions of a kind of leaf."""
    _KINDS[name] = LeafKind(name=name, leaves=leaves, refs=refs)


def kinds() -> dict[str, LeafKind]:
    return dict(_KINDS)


@lru_cache(maxsize=4)
def _ledger_key(lookup_key: bytes) -> bytes:
    return hmac.digest(lookup_key, b"gongxin.ledger.v1", "sha256")


def ledger_key() -> bytes:
    """The key of the log's keyed hashes, derived from the platform's lookup key (core.crypto): without it a
    keyed hash cannot be tested against guesses, so a leaf is safe to publish."""
    return _ledger_key(bytes(settings.GONGXIN_LOOKUP_KEY))


def keyed(label: bytes, data: bytes, *, key: bytes | None = None) -> bytes:
    """HMAC-SHA256 under the ledger key of ``label || 0x00 || data``: a value nobody outside can recompute.
    Bulk callers pass ``key`` (``ledger_key()`` read once)."""
    return hmac.digest(key if key is not None else ledger_key(), label + b"\x00" + data, "sha256")


def salted(salt: bytes, data: bytes) -> str:
    """SHA-256 of ``salt || data`` in hex: recomputable by whoever is shown ``salt`` and ``data`` (a report)."""
    return hashlib.sha256(salt + data).hexdigest()
