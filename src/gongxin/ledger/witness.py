"""Witnessing (decision 065, after c2sp.org/tlog-witness): this platform checks another platform's log and
cosigns its checkpoints; and, as a log, it takes in its witnesses' refusals.

``witness_run(log)`` for one log of ``GONGXIN_LEDGER_WITNESSED_LOGS`` (``{"url": ..., "vkeys": [...]}``; the
origin is the vkeys' name unless ``origin`` says otherwise):

1. fetch the log's latest checkpoint note (``peers.LogPeer.checkpoint``) and verify the log's signature with the
   configured vkeys (a rotated log lists its old and new keys);
2. compare with the largest checkpoint this witness cosigned for that origin (``WitnessedLog``, locked): a smaller
   size is a rollback, the same size with another root a split view; a larger one must come with a consistency
   proof from the size last seen that verifies (RFC 9162 §2.1.4.2) — else it is inconsistent;
3. accepted: add a timestamped Ed25519 cosignature line (type 0x04, under ``GONGXIN_LEDGER_WITNESS_NAME``), keep
   the checkpoint as the new state and hand the cosigned note back to the log, which publishes it;
4. refused: the state stays, an alert is raised here (``LedgerAlert`` side ``witness``, event
   ``ledger.alert.raised``) and a signed alert note with both checkpoints as evidence is handed to the log, which
   raises its own alert (``witness_report_receive``).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from gongxin.core import clock, signing
from gongxin.ledger import merkle, note
from gongxin.ledger.checkpoints import log_origin, log_verifiers, witness_verifiers
from gongxin.ledger.choices_witnessing import AlertKind, AlertSide
from gongxin.ledger.errors import WitnessReportRefused
from gongxin.ledger.models_witnessing import LedgerAlert, WitnessedLog
from gongxin.ledger.peers import LogPeer, PeerError, peer_for
from gongxin.ledger.witness_alerts import alert_raise

log = logging.getLogger(__name__)

ALERT_HEADER = "gongxin-ledger-alert/v1"
NONE = "-"

__all__ = [
    "WitnessOutcome",
    "witness_name",
    "witness_report_receive",
    "witness_run",
    "witness_run_all",
    "witness_vkey",
    "witnessed_logs",
]


@dataclass(frozen=True)
class WitnessOutcome:
    origin: str
    outcome: str  # cosigned | unchanged | refused | unreachable
    size: int | None = None
    problem: str = ""
    delivered: bool = False


def witness_name() -> str:
    """This platform's name as a witness (its cosignatures' key name)."""
    return str(getattr(settings, "GONGXIN_LEDGER_WITNESS_NAME", "") or "") or f"{log_origin()}/witness"


def witness_vkey() -> str:
    """This platform's cosigner vkey (type 0x04), which a log configures to accept its cosignatures."""
    return note.verifier_text(witness_name(), signing.public_key_raw(), type=note.COSIGNATURE_V1)


def witnessed_logs() -> list[dict[str, Any]]:
    """The logs this platform witnesses, each with its origin, base URL and verifier keys."""
    found = []
    for entry in getattr(settings, "GONGXIN_LEDGER_WITNESSED_LOGS", []) or []:
        verifiers = [note.verifier_parse(str(v)) for v in entry.get("vkeys", [])]
        origin = str(entry.get("origin") or (verifiers[0].name if verifiers else ""))
        found.append({"origin": origin, "url": str(entry["url"]),
                      "verifiers": [v for v in verifiers if v.type == note.ED25519 and v.name == origin]})
    return found


def _sign(data: bytes) -> bytes:
    return base64.b64decode(signing.sign(data).value_b64)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii") if text else NONE


def _unb64(text: str) -> str:
    return "" if text == NONE else base64.b64decode(text, validate=True).decode("utf-8")


def _alert_note(*, origin: str, kind: str, seen: str, offered: str) -> str:
    text = "\n".join([ALERT_HEADER, origin, kind, _b64(seen), _b64(offered)]) + "\n"
    line = note.signature_line(text, name=witness_name(), public_key=signing.public_key_raw(), sign=_sign)
    return note.note_join(text, [line])


def _refuse(peer: LogPeer, *, origin: str, kind: str, state: WitnessedLog, offered: str,
            size: int | None) -> WitnessOutcome:
    alert_raise(side=AlertSide.WITNESS, kind=kind, origin=origin, tree_size=size, seen_size=state.tree_size,
                seen_note=state.note_text, offered_note=offered, reported_by=witness_name())
    state.last_problem = kind
    state.checked_at = clock.now()
    state.save(update_fields=["last_problem", "checked_at"])
    delivered = False
    if kind != AlertKind.BAD_SIGNATURE:  # a note the log did not sign may be anyone's: nothing to tell it
        try:
            peer.alert_deliver(_alert_note(origin=origin, kind=kind, seen=state.note_text, offered=offered))
            delivered = True
        except PeerError as exc:
            log.warning("ledger witness: could not report %s to %s: %s", kind, origin, exc)
    return WitnessOutcome(origin=origin, outcome="refused", size=size, problem=kind, delivered=delivered)


def witness_run(*, origin: str, url: str, verifiers: list[note.Verifier],
                peer: LogPeer | None = None) -> WitnessOutcome:
    """Check the log's latest checkpoint, cosign it when it extends the last one seen, else refuse and alert."""
    peer = peer if peer is not None else peer_for(url)
    try:
        offered = peer.checkpoint()
    except PeerError as exc:
        return WitnessOutcome(origin=origin, outcome="unreachable", problem=str(exc))
    with transaction.atomic():
        state, _created = WitnessedLog.objects.select_for_update().get_or_create(origin=origin)
        try:
            text, _verified = note.verify_lines(offered, verifiers)
            checkpoint = note.checkpoint_parse(text)
            if checkpoint.origin != origin:
                raise note.NoteError("other_origin")
        except note.NoteError:
            return _refuse(peer, origin=origin, kind=AlertKind.BAD_SIGNATURE, state=state, offered=offered,
                           size=None)
        seen_root = bytes(state.root_hash) if state.root_hash is not None else merkle.EMPTY_ROOT
        if checkpoint.size < state.tree_size:
            return _refuse(peer, origin=origin, kind=AlertKind.ROLLBACK, state=state, offered=offered,
                           size=checkpoint.size)
        if checkpoint.size == state.tree_size and state.note_text:
            if checkpoint.root_hash != seen_root:
                return _refuse(peer, origin=origin, kind=AlertKind.SPLIT_VIEW, state=state, offered=offered,
                               size=checkpoint.size)
            state.checked_at = clock.now()
            state.last_problem = ""
            state.save(update_fields=["checked_at", "last_problem"])
            cosigned = state.note_text
            outcome = "unchanged"
        else:
            if state.tree_size > 0:
                try:
                    proof = peer.consistency_proof(state.tree_size, checkpoint.size)
                except PeerError:
                    proof = None
                if proof is None or not merkle.consistency_verify(
                        size1=state.tree_size, size2=checkpoint.size, root1=seen_root, root2=checkpoint.root_hash,
                        proof=proof):
                    return _refuse(peer, origin=origin, kind=AlertKind.INCONSISTENT, state=state, offered=offered,
                                   size=checkpoint.size)
            now = clock.now()
            line = note.cosignature_line(text, name=witness_name(), public_key=signing.public_key_raw(),
                                         timestamp=int(now.timestamp()), sign=_sign)
            _text, lines = note.note_split(offered)
            cosigned = note.note_join(text, [*lines, line])
            state.tree_size = checkpoint.size
            state.root_hash = checkpoint.root_hash
            state.note_text = cosigned
            state.checked_at = now
            state.cosigned_at = now
            state.last_problem = ""
            state.save()
            outcome = "cosigned"
    delivered = False
    try:
        peer.cosignature_deliver(cosigned)
        delivered = True
    except PeerError as exc:
        log.warning("ledger witness: could not hand the cosignature to %s: %s", origin, exc)
    return WitnessOutcome(origin=origin, outcome=outcome, size=checkpoint.size, delivered=delivered)


def witness_run_all() -> list[WitnessOutcome]:
    """One round over every configured log."""
    return [witness_run(origin=entry["origin"], url=entry["url"], verifiers=entry["verifiers"])
            for entry in witnessed_logs()]


def witness_report_receive(*, note_text: str) -> LedgerAlert:
    """A configured witness says it refused a checkpoint of this log: raise the log's own alert with its evidence.

    The note must be signed by a configured witness (its cosigner key, as a plain Ed25519 note key of the same
    name). The evidence is kept as it came; the auditors' page says whether each checkpoint in it carries a valid
    signature of this log."""
    verifiers = [note.Verifier(name=w.name, type=note.ED25519, public_key=w.public_key) for w in witness_verifiers()]
    try:
        text, verified = note.verify_lines(note_text, verifiers)
        lines = text[:-1].split("\n")
        if len(lines) != 5 or lines[0] != ALERT_HEADER or lines[2] not in AlertKind.values:
            raise note.NoteError("bad_alert")
        origin, kind = lines[1], lines[2]
        seen, offered = _unb64(lines[3]), _unb64(lines[4])
    except (note.NoteError, ValueError) as exc:
        raise WitnessReportRefused(details={"reason": getattr(exc, "reason", "bad_alert")}) from exc
    if origin != log_origin():
        raise WitnessReportRefused(details={"reason": "other_origin"})
    size, seen_size = _size_of(offered), _size_of(seen)
    return alert_raise(side=AlertSide.LOG, kind=kind, origin=origin, tree_size=size, seen_size=seen_size,
                       seen_note=seen, offered_note=offered, reported_by=", ".join(v.name for v, _ in verified))


def _size_of(note_text: str) -> int | None:
    if not note_text:
        return None
    try:
        return note.checkpoint_parse(note.note_split(note_text)[0]).size
    except note.NoteError:
        return None


def evidence_signed_by_log(note_text: str) -> bool:
    """Whether a checkpoint note carries a valid signature of this log (current or retired key)."""
    if not note_text:
        return False
    try:
        note.verify_lines(note_text, log_verifiers())
    except note.NoteError:
        return False
    return True
