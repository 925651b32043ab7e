"""Every record version is a leaf of the tamper-evident log (ledger app; docs/ledger.md, decision 063).

The leaf of a version (kind ``record.version``, reference ``(record id, version number)``) is the canonical JSON
(core.signing.canonical_json) of::

    {"v": 2, "kind": "record.version", "record": <record id>, "n": <version number>,
     "unit": <source unit code>, "item": <catalog item code>, "sid": <keyed hash of the source record id>,
     "change": ..., "status": ..., "at": <created_at, UTC, ISO 8601 with microseconds>,
     "polarity": ..., "severity": ..., "decision_date": ..., "published": ..., "publicity_min_end": ...,
     "publicity_max_end": ..., "publicity_ended": ..., "retention_end": ..., "under_objection": ...,
     "repaired": ..., "basis": <SHA-256 hex of the version's own legal basis text, "" when it has none>,
     "open": <SHA-256 hex of open_salt || subject id || 0x00 || open JSON>,
     "content": <keyed hash of the content hash>}

- ``open`` commits to the record's subject (its id, decimal ASCII) and the version's non-personal fields
  (``open JSON``: the payload without the item's personal fields,
  ``json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))``) under a salt (``open_salt``, a keyed
  hash of the version) that a credit report carries with those fields and states with its subject, so whoever
  holds the report recomputes ``open`` — and the leaf — from what the report states, and a record moved to
  another subject no longer recomputes to its leaf; the salt is per version and secret until a report discloses
  it, so a public leaf neither links the records of one subject nor lets anyone test a guess of the subject;
- ``content`` (HMAC-SHA256 under the ledger key of the version's content hash, which covers the personal fields
  in clear) and ``sid`` are keyed hashes: nobody outside the platform can test a guess against them, so a leaf is
  public without disclosing anything personal.

``version_leaves`` recomputes leaves from the stored versions (the payload unsealed, its content hash computed
again, the subject read from the record — a field changed or a record moved behind the platform's back changes
the leaf); the write paths compute them from what they are writing (``version_leaf``) and queue them with
``ledger.services.entries_append`` in their transaction.

Leaf versions: ``"v": 2`` is written since decision 063's "Leaf v2"; a ``"v": 1`` leaf (``open`` without the
subject: ``SHA-256(open_salt || open JSON)``) already in the log stays valid — the audit recomputes both forms
(``VersionLeaf.alternatives``), a report carries the form the log holds and ``proofs_verify`` dispatches on ``v``.
A record a correction moved to another subject keeps its former subjects (``Record.subject_history``): the audit
recomputes its earlier versions under them (``subject_at``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.catalog.models import CatalogItem
from gongxin.core.signing import canonical_json
from gongxin.ledger import kinds, merkle, note
from gongxin.ledger.services import entries_append
from gongxin.records.content import content_hash
from gongxin.records.personal import payload_unseal, personal_codes

KIND = kinds.RECORD_VERSION
# The version of the record.version leaves written now: 2 commits to the record's subject (decision 063, "Leaf
# v2"); 1 is still read (the audit, report verify). Reports and certificates keep kinds.LEAF_VERSION.
LEAF_VERSION = 2
LEAF_VERSIONS = (1, 2)


_DUMPS = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_OPEN_DUMPS = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode


def open_json(open_fields: dict[str, Any]) -> bytes:
    return _OPEN_DUMPS(open_fields).encode("utf-8")


def open_commit(*, salt: bytes, open_bytes: bytes, subject_id: int | None, leaf_version: int = LEAF_VERSION) -> str:
    """The ``open`` commitment: ``SHA-256(salt || subject id || 0x00 || open JSON)`` for a v2 leaf (the id in
    decimal ASCII: no digit is 0x00 and the JSON follows it, so the bytes split one way only), ``SHA-256(salt ||
    open JSON)`` for a v1 leaf."""
    if leaf_version == 1:
        return kinds.salted(salt, open_bytes)
    if isinstance(subject_id, bool) or not isinstance(subject_id, int):
        raise TypeError("a v2 leaf commits to the record's subject id")
    return kinds.salted(salt, b"%d\x00" % subject_id + open_bytes)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def at_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class VersionLeaf:
    """A version's leaf, and what a report carries to let its reader recompute it."""

    leaf: dict[str, Any]
    open_salt: str  # hex
    open_fields: dict[str, Any]
    sealed_fields: tuple[str, ...] = ()  # the personal fields present: in the leaf through its keyed content hash
    # The same version's leaf content under the earlier leaf versions (v1), for the audit: a version logged
    # before v2 recomputes to its v1 leaf (filled by ``version_leaves(..., alternatives=True)``).
    alternatives: tuple[bytes, ...] = ()

    @property
    def data(self) -> bytes:
        # canonical_json's form (its float check skipped: every value here is a str, int, bool or None by
        # construction), so a verifier's canonical_json(leaf) gives the same bytes.
        return _DUMPS(self.leaf).encode("utf-8")


def version_leaf(*, record_id: int, number: int, subject_id: int, unit_code: str, item: CatalogItem,
                 source_record_id: str, change: str, status: str, created_at: datetime, digest: str,
                 payload: dict[str, Any], fields: dict[str, Any], legal_basis: str, open_text: str | None = None,
                 alternatives: bool = False, key: bytes | None = None) -> VersionLeaf:
    """The (v2) leaf of one version of a record of ``subject_id``. ``payload`` is the stored payload (personal
    fields sealed or not: they are left out of ``open``); ``digest`` the content hash (hex) over the plain content;
    ``fields`` the version's clock and mark fields (polarity, severity, decision_date, published,
    publicity_min_end, publicity_max_end, publicity_ended, retention_end, under_objection, repaired).
    ``open_text``: the open fields' JSON when the caller has it already (records.load.RowContent.open_json), else
    it is encoded here. ``alternatives``: also the v1 leaf's content (the audit). ``key``: the log's key
    (``kinds.ledger_key()``), read once by a bulk caller."""
    personal = personal_codes(item)
    open_fields = {k: v for k, v in payload.items() if k not in personal} if personal else payload
    digest_bytes = bytes.fromhex(digest) if digest else b""
    if key is None:
        key = kinds.ledger_key()
    salt = kinds.keyed(b"record.open", f"{record_id}:{number}:".encode() + digest_bytes, key=key)
    leaf = {
        "v": LEAF_VERSION,
        "kind": KIND,
        "record": record_id,
        "n": number,
        "unit": unit_code,
        "item": item.code,
        "sid": kinds.keyed(b"record.sid", f"{unit_code}|{item.code}|{source_record_id}".encode(), key=key).hex(),
        "change": str(change),
        "status": str(status),
        "at": at_text(created_at),
        "polarity": str(fields["polarity"]),
        "severity": str(fields["severity"] or ""),
        "decision_date": _iso(fields["decision_date"]),
        "published": bool(fields["published"]),
        "publicity_min_end": _iso(fields["publicity_min_end"]),
        "publicity_max_end": _iso(fields["publicity_max_end"]),
        "publicity_ended": bool(fields["publicity_ended"]),
        "retention_end": _iso(fields["retention_end"]),
        "under_objection": bool(fields["under_objection"]),
        "repaired": bool(fields["repaired"]),
        "basis": hashlib.sha256(legal_basis.encode("utf-8")).hexdigest() if legal_basis else "",
        "open": "",
        "content": kinds.keyed(b"record.content", digest_bytes, key=key).hex(),
    }
    open_bytes = open_text.encode("utf-8") if open_text is not None else open_json(open_fields)
    earlier: tuple[bytes, ...] = ()
    if alternatives:
        leaf["open"] = kinds.salted(salt, open_bytes)
        earlier = (_DUMPS({**leaf, "v": 1}).encode("utf-8"),)
    leaf["open"] = open_commit(salt=salt, open_bytes=open_bytes, subject_id=subject_id)
    sealed = tuple(sorted(k for k in payload if k in personal)) if personal else ()
    return VersionLeaf(leaf=leaf, open_salt=salt.hex(), open_fields=open_fields, sealed_fields=sealed,
                       alternatives=earlier)


def leaf_v1(leaf: VersionLeaf) -> VersionLeaf:
    """The v1 form of a version's leaf (``leaf`` computed with ``alternatives=True``): what the log holds of a
    version logged before leaf v2."""
    return VersionLeaf(leaf=json.loads(leaf.alternatives[0]), open_salt=leaf.open_salt,
                       open_fields=leaf.open_fields, sealed_fields=leaf.sealed_fields)


def open_verify(*, leaf: dict[str, Any], open_salt: str, open_fields: Any, subject: Any = None) -> bool:
    """Whether the open fields a report carries — and, for a v2 leaf, the ``subject`` (id) it states — are those
    the leaf commits to (used offline by report verify). Dispatches on the leaf's ``v``."""
    if not isinstance(open_fields, dict) or leaf.get("v") not in LEAF_VERSIONS:
        return False
    if leaf["v"] != 1 and (isinstance(subject, bool) or not isinstance(subject, int)):
        return False
    try:
        salt = bytes.fromhex(open_salt)
    except ValueError:
        return False
    return bool(leaf.get("open")) and open_commit(salt=salt, open_bytes=open_json(open_fields), subject_id=subject,
                                                  leaf_version=leaf["v"]) == leaf["open"]


MARK_FIELDS = ("polarity", "severity", "decision_date", "published", "publicity_min_end", "publicity_max_end",
               "publicity_ended", "retention_end", "under_objection", "repaired")


def versions_log(leaves: Iterable[tuple[int, int, VersionLeaf]]) -> int:
    """Queue the leaves ``(record id, number, leaf)`` (in the transaction that writes the versions)."""
    refs: list[tuple[int, int]] = []
    data: list[bytes] = []
    for record_id, number, leaf in leaves:
        refs.append((record_id, number))
        data.append(leaf.data)
    return entries_append(kind=KIND, refs=refs, leaf_data=data)


def version_leaf_of(*, record: Any, version: Any) -> VersionLeaf:
    """The leaf of a version written by the model (the single append's form of ``version_leaf``)."""
    return version_leaf(
        record_id=record.pk, number=version.number, subject_id=record.subject_id,
        unit_code=record.source_unit.department.code,
        item=record.catalog_item, source_record_id=record.source_record_id, change=version.change,
        status=version.status, created_at=version.created_at, digest=version.content_hash or "",
        payload=version.payload or {}, fields={name: getattr(version, name) for name in MARK_FIELDS},
        legal_basis=version.legal_basis,
    )


def version_log(*, record: Any, version: Any) -> None:
    """Queue the leaf of a version just written by the model (records.services.record_version_append)."""
    versions_log([(record.pk, version.number, version_leaf_of(record=record, version=version))])


def version_leaves(refs: Sequence[tuple[int, int]], *, from_stored_hash: bool = False,
                   subject_id: int | None = None, alternatives: bool = False) -> dict[tuple[int, int], VersionLeaf]:
    """The leaves of the versions ``(record id, number)`` recomputed from what is stored now: the payload unsealed
    and its content hash computed again (``from_stored_hash``: the stored content hash instead), the subject the
    record's (``subject_id``: that subject instead — the one a report states). ``alternatives``: with their v1
    form too. Versions that do not exist are left out."""
    from django.db.models import F, Q

    from gongxin.records.models import RecordVersion

    found: dict[tuple[int, int], VersionLeaf] = {}
    items: dict[int, CatalogItem] = {}
    current: dict[int, int] = {}  # current version numbers of moved records, read when a history entry needs one
    refs = list(refs)
    for start in range(0, len(refs), 400):
        part = refs[start:start + 400]
        # One condition per version number (a report's records are mostly at versions 1 to 3), each with the
        # records at that number: the same versions as one condition per record, which Django took ~0.06 ms each
        # to build (30 of the ~95 ms of a 500-record report's leaves).
        by_number: dict[int, list[int]] = {}
        for record_id, number in part:
            by_number.setdefault(number, []).append(record_id)
        condition = Q()
        for number, record_ids in sorted(by_number.items()):
            condition |= Q(number=number, record_id__in=sorted(set(record_ids)))
        # The record with each version and its unit's code as a column; the items once (in_bulk): joined in as model
        # instances, each version decoded its item's field schema again — most of a big report's leaves' time.
        versions = list(RecordVersion.objects.filter(condition).select_related("record")
                        .annotate(unit_code=F("record__source_unit__department__code")))
        wanted = {v.record.catalog_item_id for v in versions} - items.keys()
        if wanted:
            items.update(CatalogItem.objects.in_bulk(wanted))
        if subject_id is None:
            _current_numbers_read(current, [v.record for v in versions
                                            if any(last >= v.number for last, _s in _history(v.record))])
        for version in versions:
            record = version.record
            item = items[record.catalog_item_id]  # one instance per item: its caches
            payload = version.payload or {}
            if from_stored_hash:
                digest = version.content_hash or ""
            else:
                digest = content_hash(payload=payload_unseal(item=item, payload=payload),
                                      severity=version.severity) if version.content_hash else ""
            found[(record.pk, version.number)] = version_leaf(
                record_id=record.pk, number=version.number,
                subject_id=subject_at(record, version.number, current) if subject_id is None else subject_id,
                unit_code=version.unit_code,
                item=item, source_record_id=record.source_record_id, change=version.change, status=version.status,
                created_at=version.created_at, digest=digest, payload=payload,
                fields={name: getattr(version, name) for name in MARK_FIELDS},
                legal_basis=version.legal_basis, alternatives=alternatives,
            )
    return found


def subject_at(record: Any, number: int, current: dict[int, int]) -> int:
    """The subject of a record when its version ``number`` was written: the record's subject, or for a version
    before a correction moved the record, the former subject its history names (``[[last version number, subject
    id], ...]``). A history entry reaching the current version (``current``: the records' current numbers) is
    disregarded: the current version is always recomputed under the record's subject, so rewriting the history
    cannot hide a move."""
    for last, subject in _history(record):
        if number <= last < current.get(record.pk, 0):
            return subject
    return int(record.subject_id)


def _history(record: Any) -> list[tuple[int, int]]:
    """The record's subject history as pairs; anything malformed (only a hand-made history is) is left out."""
    history = record.subject_history
    if not isinstance(history, list):
        return []
    return [(entry[0], entry[1]) for entry in history
            if isinstance(entry, list) and len(entry) == 2 and all(type(x) is int for x in entry)]


def _current_numbers_read(current: dict[int, int], records: list[Any]) -> None:
    from gongxin.records.models import RecordVersion

    ids = {r.current_version_id for r in records if r.pk not in current and r.current_version_id is not None}
    if ids:
        current.update(RecordVersion.objects.filter(pk__in=ids).values_list("record_id", "number"))


def _leaves(refs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple[bytes, ...]]:
    """For the audit: each version's leaf as v2 (its record's subject now) and as v1 (logged before v2)."""
    return {ref: (leaf.data, *leaf.alternatives) for ref, leaf in version_leaves(refs, alternatives=True).items()}


def _refs(after: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
    """Every version, in (record id, number) order, after ``after``."""
    from django.db.models import Q

    from gongxin.records.models import RecordVersion

    queryset = RecordVersion.objects.all()
    if after is not None:
        queryset = queryset.filter(Q(record_id__gt=after[0]) | Q(record_id=after[0], number__gt=after[1]))
    return list(queryset.order_by("record_id", "number").values_list("record_id", "number")[:limit])


def kinds_register() -> None:
    kinds.kind_register(name=KIND, leaves=_leaves, refs=_refs)


# --- proofs in signed documents (credit reports, check certificates) -----------------------------------------

LEDGER_SCHEMA = "gongxin.ledger-proofs/1"


def versions_proofs_block(records: Iterable[tuple[int, int]], *, subject_id: int,
                          subjects: dict[int, int] | None = None) -> dict[str, Any]:
    """The ``ledger`` block a signed document about ``subject_id`` carries for the versions ``(record id, number)``
    it states: the subject (the id its v2 leaves commit to), a signed checkpoint covering their leaves
    (``ledger.checkpoints.checkpoint_ensure``), and for each version its leaf (recomputed from the stored version
    now, under the document's subject — a record moved to it from another subject recomputes to a leaf that is not
    in the log), index, inclusion proof, open fields and their salt. ``subjects``: records of another subject
    (a check certificate's hit through a related firm: ``{record id: subject id}``), recomputed under it and
    carrying it (``subject``). A version logged before leaf v2 carries its v1 leaf (the form whose inclusion proof
    verifies). Versions without a leaf index yet are listed under ``pending``."""
    from gongxin.ledger.checkpoints import checkpoint_ensure
    from gongxin.ledger.choices_witnessing import CheckpointCause
    from gongxin.ledger.selectors import inclusion_proofs_of, leaves_of

    refs = sorted(set(records))
    indexes = leaves_of(KIND, refs)
    pending = [ref for ref in refs if ref not in indexes]
    block: dict[str, Any] = {"schema": LEDGER_SCHEMA, "subject": subject_id, "records": [],
                             "pending": [{"record_id": r, "version": n} for r, n in pending]}
    if not indexes:
        return block
    checkpoint = checkpoint_ensure(size=max(indexes.values()) + 1, cause=CheckpointCause.REPORT)
    proofs = inclusion_proofs_of(sorted(indexes.values()), checkpoint.tree_size)
    others = {ref: subjects[ref[0]] for ref in indexes if subjects and subjects.get(ref[0], subject_id) != subject_id}
    leaves = version_leaves([ref for ref in indexes if ref not in others], subject_id=subject_id, alternatives=True)
    for subject in set(others.values()):
        leaves.update(version_leaves([ref for ref, s in others.items() if s == subject], subject_id=subject,
                                     alternatives=True))
    block.update({"checkpoint": checkpoint.note_text, "tree_size": checkpoint.tree_size})
    root = bytes(checkpoint.root_hash)
    for ref in refs:
        if ref not in indexes or ref not in leaves:
            continue
        leaf, index, path = leaves[ref], indexes[ref], proofs[indexes[ref]]
        if not _included(leaf.data, index, checkpoint.tree_size, path, root) and _included(
                leaf.alternatives[0], index, checkpoint.tree_size, path, root):
            leaf = leaf_v1(leaf)  # logged before leaf v2: the log holds its v1 form
        block["records"].append({
            "record_id": ref[0], "version": ref[1], "leaf_index": index, "leaf": leaf.leaf,
            "open_salt": leaf.open_salt, "open_fields": leaf.open_fields, "sealed_fields": list(leaf.sealed_fields),
            "proof": [base64.b64encode(p).decode("ascii") for p in path],
            **({"subject": others[ref]} if ref in others else {}),
        })
    return block


def _included(data: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    return merkle.inclusion_verify(leaf_hash=merkle.leaf_hash(data), index=index, size=size, proof=proof, root=root)


@dataclass
class LedgerCheck:
    """What the log proves of a signed document: ``present`` False for one issued without proofs."""

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


def _checkpoint_of(block: dict[str, Any], public_keys: Sequence[bytes]) -> note.Checkpoint | None:
    try:
        text, _lines = note.note_split(str(block.get("checkpoint") or ""))
        origin = text.split("\n", 1)[0]
        verifiers = [note.Verifier(name=origin, type=note.ED25519, public_key=key) for key in public_keys]
        text, _verified = note.verify_lines(str(block["checkpoint"]), verifiers)
        checkpoint = note.checkpoint_parse(text)
    except (note.NoteError, KeyError, ValueError):
        return None
    return checkpoint if checkpoint.size == block.get("tree_size") else None


def proofs_verify(block: Any, *, stated: Sequence[tuple[tuple[Any, Any], dict[str, Any]]],
                  public_keys: Sequence[bytes], matches: Callable[[dict[str, Any], dict[str, Any]], bool],
                  record_subjects: bool = False) -> LedgerCheck:
    """Check a document's ``ledger`` block offline: the checkpoint's signature with one of ``public_keys``; for
    every stated record ``((record id, version or None), entry)`` a proof whose leaf names it, whose open fields
    (and, for a v2 leaf, the block's subject: the document's; ``record_subjects``: a record's own ``subject`` in
    the block when it has one, which ``matches`` judges) are those the leaf commits to, that ``matches`` what the
    document states, and whose inclusion proof verifies against the checkpoint's root. Pure: no database, no
    network."""
    if not isinstance(block, dict):
        return LedgerCheck(present=False, valid=True, code="absent", stated=len(stated),
                           message=_("This report was issued without proofs of the tamper-evident log."))
    pending = {(p.get("record_id"), p.get("version")) for p in block.get("pending") or [] if isinstance(p, dict)}
    proofs: dict[tuple[Any, Any], dict[str, Any]] = {}
    for p in block.get("records") or []:
        if isinstance(p, dict):
            proofs[(p.get("record_id"), p.get("version"))] = p
            proofs.setdefault((p.get("record_id"), None), p)
    check = LedgerCheck(present=True, valid=False, code="", message="", stated=len(stated), pending=0)
    checkpoint = _checkpoint_of(block, public_keys) if proofs else None
    if proofs and checkpoint is None:
        check.code, check.message = "checkpoint_invalid", _(
            "The checkpoint of the log in this report is not signed with the platform's key.")
        return check
    for ref, entry in stated:
        proof = proofs.get(ref)
        if proof is None or checkpoint is None:
            if ref in pending or (ref[1] is None and any(r == ref[0] for r, _n in pending)):
                check.pending += 1
            else:
                check.failures.append(f"{ref[0]} v{ref[1]}")
            continue
        try:
            leaf = proof["leaf"]
            data = canonical_json(leaf)
            path = [base64.b64decode(p, validate=True) for p in proof.get("proof") or []]
            index = int(proof["leaf_index"])
            named = (leaf.get("kind") == KIND and leaf.get("record") == proof.get("record_id")
                     and leaf.get("n") == proof.get("version"))
            opened = open_verify(leaf=leaf, open_salt=str(proof.get("open_salt") or ""),
                                 open_fields=proof.get("open_fields"),
                                 subject=proof.get("subject", block.get("subject")) if record_subjects
                                 else block.get("subject"))
        except (KeyError, TypeError, ValueError, AttributeError):
            check.failures.append(f"{ref[0]} v{ref[1]}")
            continue
        if named and opened and matches(entry, proof) and merkle.inclusion_verify(
                leaf_hash=merkle.leaf_hash(data), index=index, size=checkpoint.size, proof=path,
                root=checkpoint.root_hash):
            check.proved += 1
        else:
            check.failures.append(f"{ref[0]} v{ref[1]}")
    if checkpoint is not None:
        check.tree_size, check.origin = checkpoint.size, checkpoint.origin
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
