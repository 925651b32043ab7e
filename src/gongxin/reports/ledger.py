"""Credit reports and the tamper-evident log (ledger app; docs/ledger.md, decision 063).

**Issuing.** A report is a leaf of the log (kind ``report.issued``: its number, content hash, key id, kind,
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

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.core.signing import canonical_json
from gongxin.ledger import kinds, merkle, note
from gongxin.ledger.services import entries_append

LEDGER_SCHEMA = "gongxin.ledger-proofs/1"
REPORT_KIND = kinds.REPORT_ISSUED

# What the report states of a record (its entry in ``details``) that its leaf must say too.
_STATED = (
    ("record_id", "record"), ("version", "n"), ("item_code", "item"), ("polarity", "polarity"),
    ("severity", "severity"), ("decision_date", "decision_date"), ("publicity_end", "publicity_max_end"),
    ("retention_end", "retention_end"), ("under_objection", "under_objection"), ("repaired", "repaired"),
)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


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


def ledger_block(records: Iterable[tuple[int, int]]) -> dict[str, Any]:
    """The ``ledger`` block of a snapshot for the records ``(record id, version number)`` it states."""
    from gongxin.ledger.checkpoints import checkpoint_ensure
    from gongxin.ledger.choices_witnessing import CheckpointCause
    from gongxin.ledger.selectors import inclusion_proofs_of, leaves_of
    from gongxin.records.ledger import version_leaves

    refs = sorted(set(records))
    indexes = leaves_of(kinds.RECORD_VERSION, refs)
    pending = [ref for ref in refs if ref not in indexes]
    block: dict[str, Any] = {"schema": LEDGER_SCHEMA, "records": [],
                             "pending": [{"record_id": r, "version": n} for r, n in pending]}
    if not indexes:
        return block
    checkpoint = checkpoint_ensure(size=max(indexes.values()) + 1, cause=CheckpointCause.REPORT)
    proofs = inclusion_proofs_of(sorted(indexes.values()), checkpoint.tree_size)
    leaves = version_leaves(list(indexes))
    block.update({"checkpoint": checkpoint.note_text, "tree_size": checkpoint.tree_size})
    for ref in refs:
        if ref not in indexes or ref not in leaves:
            continue
        leaf = leaves[ref]
        block["records"].append({
            "record_id": ref[0], "version": ref[1], "leaf_index": indexes[ref], "leaf": leaf.leaf,
            "open_salt": leaf.open_salt, "open_fields": leaf.open_fields, "sealed_fields": list(leaf.sealed_fields),
            "proof": [_b64(p) for p in proofs[indexes[ref]]],
        })
    return block


# --- verifying ------------------------------------------------------------------------------------------

@dataclass
class LedgerCheck:
    """What the log proves of a report: ``present`` False for a report issued without proofs."""

    present: bool
    valid: bool
    code: str
    message: Any
    proved: int = 0
    stated: int = 0
    pending: int = 0
    tree_size: int = 0
    origin: str = ""
    failures: list[str] = field(default_factory=list)


def _stated_records(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [record for section in content.get("details") or [] for record in section.get("records") or []]


def _leaf_matches(entry: dict[str, Any], proof: dict[str, Any]) -> bool:
    leaf = proof.get("leaf")
    if not isinstance(leaf, dict) or leaf.get("kind") != kinds.RECORD_VERSION:
        return False
    if any(entry.get(stated) != leaf.get(logged) for stated, logged in _STATED):
        return False
    basis = leaf.get("basis") or ""
    if basis and hashlib.sha256(str(entry.get("legal_basis") or "").encode("utf-8")).hexdigest() != basis:
        return False
    from gongxin.records.ledger import open_verify

    open_fields = proof.get("open_fields")
    if not isinstance(open_fields, dict) or not open_verify(leaf=leaf, open_salt=str(proof.get("open_salt") or ""),
                                                            open_fields=open_fields):
        return False
    # Every field the report shows is one the leaf commits to: in the open fields, or a personal field (shown
    # masked or in full to the subject) that its keyed content hash covers.
    sealed = proof.get("sealed_fields") or []
    return all(f.get("code") in open_fields or f.get("code") in sealed for f in entry.get("fields") or [])


def ledger_verify(content: dict[str, Any], *, public_keys: Sequence[bytes]) -> LedgerCheck:
    """Check the ``ledger`` block of a report's content offline (see the module docstring). ``public_keys``:
    the raw Ed25519 public keys accepted for the log's checkpoints (the platform's)."""
    block = content.get("ledger")
    stated = _stated_records(content)
    if not isinstance(block, dict):
        return LedgerCheck(present=False, valid=True, code="absent", stated=len(stated),
                           message=_("This report was issued without proofs of the tamper-evident log."))
    pending = block.get("pending") or []
    proofs = {(p.get("record_id"), p.get("version")): p for p in block.get("records") or [] if isinstance(p, dict)}
    check = LedgerCheck(present=True, valid=False, code="", message="", stated=len(stated), pending=len(pending))
    root = b""
    if proofs:
        try:
            text, _lines = note.note_split(str(block.get("checkpoint") or ""))
            origin = text.split("\n", 1)[0]
            verifiers = [note.Verifier(name=origin, type=note.ED25519, public_key=key) for key in public_keys]
            text, _verified = note.verify_lines(str(block["checkpoint"]), verifiers)
            checkpoint = note.checkpoint_parse(text)
        except (note.NoteError, KeyError):
            check.code, check.message = "checkpoint_invalid", _(
                "The checkpoint of the log in this report is not signed with the platform's key.")
            return check
        if checkpoint.size != block.get("tree_size"):
            check.code, check.message = "checkpoint_invalid", _(
                "The checkpoint of the log in this report does not match the proofs.")
            return check
        check.tree_size, check.origin, root = checkpoint.size, checkpoint.origin, checkpoint.root_hash
    pending_refs = {(p.get("record_id"), p.get("version")) for p in pending if isinstance(p, dict)}
    for entry in stated:
        ref = (entry.get("record_id"), entry.get("version"))
        proof = proofs.get(ref)
        if proof is None:
            if ref not in pending_refs:
                check.failures.append(f"{ref[0]} v{ref[1]}")
            continue
        try:
            leaf_hash = merkle.leaf_hash(canonical_json(proof["leaf"]))
            path = [base64.b64decode(p, validate=True) for p in proof.get("proof") or []]
            index = int(proof["leaf_index"])
        except (KeyError, TypeError, ValueError):
            check.failures.append(f"{ref[0]} v{ref[1]}")
            continue
        if _leaf_matches(entry, proof) and merkle.inclusion_verify(
                leaf_hash=leaf_hash, index=index, size=check.tree_size, proof=path, root=root):
            check.proved += 1
        else:
            check.failures.append(f"{ref[0]} v{ref[1]}")
    if check.failures:
        check.code, check.message = "record_not_in_log", _(
            "Some records of this report are not in the platform's tamper-evident log as the report states them: "
            "they were changed after they were logged.")
        return check
    check.valid, check.code = True, "proved"
    check.message = _("Every record of this report is in the platform's tamper-evident log as the report states "
                      "it, proved against a checkpoint signed with the platform's key.")
    if check.pending:
        check.message = _("The records of this report with a proof are in the platform's tamper-evident log as the "
                          "report states them; the newest were not yet in the log when it was issued.")
    return check
