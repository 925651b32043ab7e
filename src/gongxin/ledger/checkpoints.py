"""Signed checkpoints of the platform's log (decision 064): the C2SP checkpoint note — origin, tree size, base64
root hash — signed with the platform's Ed25519 key (core.signing) under the log's origin as key name.

- ``checkpoint_ensure(size=None)``: the latest checkpoint when the tree has not grown, else a new one of the
  current tree head; with ``size``, the oldest existing checkpoint of at least that size (one that covers leaves
  ``0..size-1``), signing the current head when none does. Before signing, the new head is proved consistent with
  the last signed one (a consistency proof from the node table, verified): the log never signs a checkpoint that
  does not extend the ones it signed (c2sp.org/tlog-checkpoint); if it does not, nothing is signed, an alert is
  raised and ``CheckpointInconsistent`` is raised.
- ``checkpoint_if_due()``: a new checkpoint when the tree grew and the last one is older than
  ``GONGXIN_LEDGER_CHECKPOINT_SECONDS`` (the fixed interval; run after each integration and from cron).
- ``cosignature_add(note=...)``: a witness's cosigned checkpoint; its cosignature line is kept and published with
  the checkpoint (``published_note``).
- ``log_verifiers()``: the vkeys of the log — the current platform key and every retired one still accepted, so
  checkpoints signed before a key rotation keep verifying.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from gongxin.core import clock, signing
from gongxin.ledger import merkle, note
from gongxin.ledger.choices_witnessing import AlertKind, AlertSide, CheckpointCause
from gongxin.ledger.errors import CheckpointInconsistent, CheckpointUnavailable, CosignatureRefused
from gongxin.ledger.models_witnessing import Checkpoint, Cosignature
from gongxin.ledger.witness_alerts import alert_raise

__all__ = [
    "checkpoint_ensure", "checkpoint_if_due", "checkpoint_latest", "checkpoint_of_size", "checkpoints_history",
    "cosignature_add", "log_origin", "log_verifiers", "published_note", "witness_verifiers",
]


def log_origin() -> str:
    """The log's origin line and key name: ``GONGXIN_LEDGER_ORIGIN``, else ``gongxin/<jurisdiction>``."""
    origin = str(getattr(settings, "GONGXIN_LEDGER_ORIGIN", "") or "")
    return origin or f"gongxin/{str(settings.GONGXIN_JURISDICTION).lower()}"


def log_verifiers() -> list[note.Verifier]:
    """The log's verifier keys (type 0x01): every platform key still accepted, the current one first."""
    origin = log_origin()
    return [note.Verifier(name=origin, type=note.ED25519, public_key=raw) for raw in signing.public_keys().values()]


def witness_verifiers() -> list[note.Verifier]:
    """The witnesses whose cosignatures this platform accepts and publishes (``GONGXIN_LEDGER_WITNESSES``: vkeys
    of type 0x04)."""
    found = []
    for vkey in getattr(settings, "GONGXIN_LEDGER_WITNESSES", []) or []:
        verifier = note.verifier_parse(str(vkey))
        if verifier.type == note.COSIGNATURE_V1:
            found.append(verifier)
    return found


def _sign(data: bytes) -> bytes:
    return base64.b64decode(signing.sign(data).value_b64)


def _tree_head() -> tuple[int, bytes]:
    from gongxin.ledger.selectors import tree_head

    size, root = tree_head()
    return int(size), bytes(root)


def _consistent(previous: Checkpoint, size: int, root: bytes) -> bool:
    if previous.tree_size == size:
        return bytes(previous.root_hash) == root
    if previous.tree_size > size:
        return False
    if previous.tree_size == 0:
        return True
    from gongxin.ledger.selectors import consistency_proof_of

    proof = consistency_proof_of(previous.tree_size, size)
    return merkle.consistency_verify(size1=previous.tree_size, size2=size, root1=bytes(previous.root_hash),
                                     root2=root, proof=proof)


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


def checkpoint_of_size(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(tree_size=size).first()


def checkpoints_history(*, limit: int = 100, before: int | None = None) -> list[Checkpoint]:
    """The newest checkpoints first (with their cosignatures), at most ``limit``, below tree size ``before``."""
    rows = Checkpoint.objects.prefetch_related("cosignatures").order_by("-tree_size")
    if before is not None:
        rows = rows.filter(tree_size__lt=before)
    return list(rows[:limit])


def _sign_head(*, cause: str) -> Checkpoint:
    size, root = _tree_head()
    previous = checkpoint_latest()
    if previous is not None and previous.tree_size == size and bytes(previous.root_hash) == root:
        return previous
    if previous is not None and not _consistent(previous, size, root):
        with transaction.atomic():
            alert_raise(side=AlertSide.LOG, kind=AlertKind.INCONSISTENT, origin=log_origin(),
                        tree_size=size, seen_size=previous.tree_size, seen_note=previous.note_text,
                        offered_note=note.checkpoint_text(log_origin(), size, root))
        raise CheckpointInconsistent()
    origin = log_origin()
    text = note.checkpoint_text(origin, size, root)
    line = note.signature_line(text, name=origin, public_key=signing.public_key_raw(), sign=_sign)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                tree_size=size, root_hash=root, origin=origin, note_text=note.note_join(text, [line]),
                key_id=signing.key_id(), cause=cause, created_at=clock.now())
    except IntegrityError:  # another process signed this size first: the same tree, the same head
        found = checkpoint_of_size(size)
        if found is None:
            raise
        return found


def checkpoint_ensure(*, size: int | None = None, cause: str = CheckpointCause.DEMAND) -> Checkpoint:
    """A signed checkpoint of the log: of the current head (``size`` None), or one covering the first ``size``
    leaves (the smallest existing one of at least that size, else the current head's)."""
    if size is not None:
        covering = Checkpoint.objects.filter(tree_size__gte=size).order_by("tree_size").first()
        if covering is not None:
            return covering
    checkpoint = _sign_head(cause=cause)
    if size is not None and checkpoint.tree_size < size:
        raise CheckpointUnavailable()
    return checkpoint


def checkpoint_if_due(*, interval_seconds: float | None = None) -> Checkpoint | None:
    """A new checkpoint when the tree has grown since the last one and that one is older than the interval."""
    seconds = float(interval_seconds if interval_seconds is not None
                    else getattr(settings, "GONGXIN_LEDGER_CHECKPOINT_SECONDS", 300))
    latest = checkpoint_latest()
    size, _root = _tree_head()
    if latest is not None and latest.tree_size == size:
        return None
    if latest is not None and clock.now() - latest.created_at < timedelta(seconds=seconds):
        return None
    return _sign_head(cause=CheckpointCause.INTERVAL)


def published_note(checkpoint: Checkpoint) -> str:
    """The checkpoint as published: its text, the log's signature and every witness's cosignature."""
    text, lines = note.note_split(checkpoint.note_text)
    extra = [note.note_split(text + "\n" + c.line + "\n")[1][0] for c in checkpoint.cosignatures.all()]
    return note.note_join(text, [*lines, *extra])


def cosignature_add(*, note_text: str) -> list[Cosignature]:
    """Keep the cosignatures of configured witnesses found on ``note_text`` (a checkpoint of this log).

    A cosigned checkpoint this platform never signed — same size, another root — is the evidence of a split
    view (the log's key signed two trees, or was stolen): an alert is raised and the cosignature refused."""
    witnesses = witness_verifiers()
    try:
        text, verified = note.verify_lines(note_text, witnesses)
        offered = note.checkpoint_parse(text)
    except note.NoteError as exc:
        raise CosignatureRefused(details={"reason": exc.reason}) from exc
    if offered.origin != log_origin():
        raise CosignatureRefused(details={"reason": "other_origin"})
    ours = checkpoint_of_size(offered.size)
    if ours is None or note.note_split(ours.note_text)[0] != text:
        with transaction.atomic():
            alert_raise(side=AlertSide.LOG, kind=AlertKind.UNKNOWN_CHECKPOINT, origin=offered.origin,
                        tree_size=offered.size, reported_by=", ".join(v.name for v, _ in verified),
                        seen_size=ours.tree_size if ours else None, seen_note=ours.note_text if ours else "",
                        offered_note=note_text)
        raise CosignatureRefused(details={"reason": "unknown_checkpoint"})
    kept = []
    with transaction.atomic():
        for verifier, line in verified:
            row, _created = Cosignature.objects.get_or_create(
                checkpoint=ours, witness=verifier.name, key_id=line.key_id.hex(),
                defaults={"line": line.text().rstrip("\n"), "received_at": clock.now(),
                          "cosigned_at": _aware(note.cosignature_time(line))})
            kept.append(row)
    return kept


def _aware(timestamp: int) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC)
