"""Credit reports and the tamper-evident log (ledger app; docs/ledger.md, decision 063).

**Issuing.** A report is a leaf of the log (kind ``report.issue``: its number, content hash, key id, kind,
purpose and time, never its content). And every report proves its records: before the snapshot is built the
log is integrated (synchronously, so every version committed before the issue has a leaf index), a signed
checkpoint covering the records' leaves is taken (``ledger.checkpoints.checkpoint_ensure``), and the snapshot's
``ledger`` block carries, for each record it states, the version's leaf content (recomputed from the stored
version: a version changed in the database after it was logged no longer matches its leaf), the leaf index, the
inclusion proof against the checkpoint, and the salt and open fields that let a reader recompute the leaf's
``open`` commitment from the record's fields. A version not integrated at the issue (written while the report was
being issued) is listed under ``pending``: the report says it has no proof for it.

**Verifying** (``ledger_verify``, offline: ``gongxin report verify`` and the verification page): the checkpoint's
signature with the platform key; then for every record of the details: its leaf recomputed from the record as the
report states it (record id, version, item, polarity, severity, dates, marks, legal basis) and from the open fields
the leaf commits to, the inclusion proof against the checkpoint's root. A report issued before the log existed has
no ``ledger`` block and verifies as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

from gongxin.core.signing import canonical_json
from gongxin.ledger import kinds
from gongxin.ledger.services import entries_append
from gongxin.records.ledger import LedgerCheck, proofs_verify, versions_proofs_block
from gongxin.rewards.ledger import certificate_ledger_check

__all__ = ["LedgerCheck", "kinds_register", "ledger_block", "ledger_integrate_before_issue", "ledger_verify",
           "report_leaf", "report_log"]

REPORT_KIND = kinds.REPORT_ISSUED

# What the report states of a record (its entry in ``details``) that its leaf must say too.
_STATED = (
    ("record_id", "record"), ("version", "n"), ("item_code", "item"), ("polarity", "polarity"),
    ("severity", "severity"), ("decision_date", "decision_date"), ("publicity_end", "publicity_max_end"),
    ("retention_end", "retention_end"), ("under_objection", "under_objection"), ("repaired", "repaired"),
)


# --- the report's own leaf --------------------------------------------------------------------------

def report_leaf(report: Any) -> bytes:
    return canonical_json({
        "v": kinds.LEAF_VERSION, "kind": REPORT_KIND, "number": report.number, "content_hash": report.content_hash,
        "key_id": report.key_id, "report_kind": report.kind, "purpose": report.purpose,
        "at": report.created_at.astimezone(UTC).isoformat(timespec="seconds"),
    })


def report_log(report: Any) -> None:
    """Queue the report's leaf (in the transaction that stores it)."""
    entries_append(kind=REPORT_KIND, refs=[(report.pk, 0)], leaf_data=[report_leaf(report)])


def _report_leaves(refs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    from gongxin.reports.models import Report

    ids = [ref for ref, sub in refs if sub == 0]
    found = {}
    for start in range(0, len(ids), 500):
        for report in Report.objects.filter(pk__in=ids[start:start + 500]).only(
                "pk", "number", "content_hash", "key_id", "kind", "purpose", "created_at"):
            found[(report.pk, 0)] = report_leaf(report)
    return found


def _report_refs(after: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
    from gongxin.reports.models import Report

    rows = Report.objects.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after[0])
    return [(pk, 0) for pk in rows.values_list("pk", flat=True)[:limit]]


def kinds_register() -> None:
    kinds.kind_register(name=REPORT_KIND, leaves=_report_leaves, refs=_report_refs)


# --- issuing: the proofs block ------------------------------------------------------------------------

def ledger_integrate_before_issue() -> None:
    """Integrate what is queued, so that every version committed so far has its leaf (decision 063: a report
    integrates first, synchronously, rather than waiting for the task)."""
    from gongxin.ledger.services import ledger_integrate

    ledger_integrate()


def ledger_block(records: Iterable[tuple[int, int]], *, subject_id: int) -> dict[str, Any]:
    """The ``ledger`` block of a snapshot of the subject ``subject_id`` for the records ``(record id, version
    number)`` it states: their leaves recomputed under that subject (leaf v2 commits to it)."""
    return versions_proofs_block(records, subject_id=subject_id)


# --- verifying ------------------------------------------------------------------------------------------

def _stated_records(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [record for section in content.get("details") or [] for record in section.get("records") or []]


def _leaf_matches(entry: dict[str, Any], proof: dict[str, Any]) -> bool:
    """Whether the leaf says of the record what the report states (its open fields checked by the caller)."""
    leaf = proof["leaf"]
    if any(entry.get(stated) != leaf.get(logged) for stated, logged in _STATED):
        return False
    basis = leaf.get("basis") or ""
    if basis and hashlib.sha256(str(entry.get("legal_basis") or "").encode("utf-8")).hexdigest() != basis:
        return False
    # Every field the report shows is one the leaf commits to: in the open fields, or a personal field (shown
    # masked, or in full to the subject) that its keyed content hash covers.
    open_fields, sealed = proof.get("open_fields") or {}, proof.get("sealed_fields") or []
    return all(f.get("code") in open_fields or f.get("code") in sealed for f in entry.get("fields") or [])


def ledger_verify(content: dict[str, Any], *, public_keys: Sequence[bytes]) -> LedgerCheck:
    """Check the ``ledger`` block of a report's (or a check certificate's) content offline (see the module
    docstring). ``public_keys``: the raw Ed25519 public keys accepted for the log's checkpoints (the platform's)."""
    if content.get("kind") == "check_certificate":
        return certificate_ledger_check(content, public_keys=public_keys)
    stated = [((e.get("record_id"), e.get("version")), e) for e in _stated_records(content)]
    return proofs_verify(content.get("ledger"), stated=stated, public_keys=public_keys, matches=_leaf_matches)
