"""A log with entries, for the checkpoint and witness tests (entries of a test kind, integrated at once)."""

from __future__ import annotations

import itertools

from django.db import transaction

from gongxin.ledger.services import entries_append, ledger_integrate

_refs = itertools.count(1)


def grow(count: int) -> tuple[int, bytes]:
    """Append ``count`` entries to the log and integrate them; the new (size, root)."""
    with transaction.atomic():
        refs = [(next(_refs), 0) for _ in range(count)]
        entries_append(kind="test.entry", refs=refs, leaf_data=[f"entry {r}".encode() for r, _ in refs])
    result = ledger_integrate()
    return result.size, result.root
