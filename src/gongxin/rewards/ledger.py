"""Check certificates and the tamper-evident log (ledger app; docs/ledger.md, decision 063).

A certificate issued is a leaf (kind ``certificate.issue``: number, content hash, key id, time — never its
content), queued in the transaction that stores it. And a certificate proves the records its hits rest on: like a
credit report (reports.ledger) it carries a ``ledger`` block with each record's current version's leaf, index and
inclusion proof against a signed checkpoint (records.ledger.versions_proofs_block), which ``gongxin report verify``
and the verification page check offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from gongxin.core.signing import canonical_json
from gongxin.ledger import kinds
from gongxin.ledger.services import entries_append, ledger_integrate
from gongxin.records.ledger import LedgerCheck, proofs_verify, versions_proofs_block

KIND = kinds.CERTIFICATE_ISSUED


def certificate_leaf(certificate: Any) -> bytes:
    return canonical_json({
        "v": kinds.LEAF_VERSION, "kind": KIND, "number": certificate.number,
        "content_hash": certificate.content_hash, "key_id": certificate.key_id,
        "at": certificate.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    })


def certificate_log(certificate: Any) -> None:
    entries_append(kind=KIND, refs=[(certificate.pk, 0)], leaf_data=[certificate_leaf(certificate)])


def certificate_proofs(hits: Sequence[dict[str, Any]], *, subject_id: int) -> dict[str, Any]:
    """The ``ledger`` block of a certificate of the subject ``subject_id``: the current versions of the records its
    hits' bases name, proved (the log integrated first, synchronously) under that subject."""
    from gongxin.records.models import Record

    ids = sorted({b["record_id"] for h in hits for b in h.get("basis") or []
                  if isinstance(b, dict) and isinstance(b.get("record_id"), int)})
    ledger_integrate()
    rows = Record.objects.filter(pk__in=ids, current_version__isnull=False).values_list(
        "pk", "current_version__number", "subject_id")
    versions, subjects = [], {}
    for record_id, number, record_subject in rows:
        versions.append((record_id, number))
        subjects[record_id] = record_subject  # a hit through a related firm rests on the firm's records
    relations = {b["record_id"] for h in hits for b in h.get("basis") or []
                 if isinstance(b, dict) and b.get("type") == "relation" and isinstance(b.get("record_id"), int)}
    # Only a relation's record is proved under a subject of its own; every other one under the certificate's.
    return versions_proofs_block(versions, subject_id=subject_id,
                                 subjects={r: s for r, s in subjects.items() if r in relations})


def certificate_stated(content: dict[str, Any]) -> list[tuple[tuple[int, int | None], dict[str, Any]]]:
    """The records a certificate states: those its hits rest on (their ids; the versions are the block's)."""
    found: dict[int, dict[str, Any]] = {}
    for hit in content.get("hits") or []:
        for basis in hit.get("basis") or []:
            if isinstance(basis, dict) and isinstance(basis.get("record_id"), int):
                found.setdefault(basis["record_id"], basis)
    return [((record_id, None), basis) for record_id, basis in sorted(found.items())]


def certificate_ledger_check(content: dict[str, Any], *, public_keys: Sequence[bytes]) -> LedgerCheck:
    """What the log proves of a certificate's records (offline: its ``ledger`` block and the platform's keys)."""
    return proofs_verify(content.get("ledger"), stated=certificate_stated(content), public_keys=public_keys,
                         matches=_basis_matches, record_subjects=True)


def _basis_matches(entry: dict[str, Any], proof: dict[str, Any]) -> bool:
    """A record proved under a subject other than the certificate's is one a hit reaches through a relation (the
    related firm's listing, decision 071); every other one is the certificate's subject's own."""
    return "subject" not in proof or entry.get("type") == "relation"


def _leaves(refs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    from gongxin.rewards.models import CheckCertificate

    ids = [ref for ref, sub in refs if sub == 0]
    return {(c.pk, 0): certificate_leaf(c) for c in CheckCertificate.objects.filter(pk__in=ids).only(
        "pk", "number", "content_hash", "key_id", "created_at")}


def _refs(after: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
    from gongxin.rewards.models import CheckCertificate

    rows = CheckCertificate.objects.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after[0])
    return [(pk, 0) for pk in rows.values_list("pk", flat=True)[:limit]]


def kinds_register() -> None:
    kinds.kind_register(name=KIND, leaves=_leaves, refs=_refs)
