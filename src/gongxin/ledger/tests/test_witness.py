"""Witnessing (decision 065) in one process: the platform witnesses its own log through a peer that calls its
own pages and API with Django's test client (the same answers as over HTTP; test_witness_http.py does it between two
real instances). A consistent checkpoint is cosigned and published; a split view, a rollback, an inconsistent
checkpoint and an unsigned one are refused, with an alert on the witness's side and, told by the witness, on the
log's."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from gongxin.core import signing
from gongxin.core.events import LEDGER_ALERT_RAISED
from gongxin.core.models import OutboxEvent
from gongxin.ledger import note
from gongxin.ledger.checkpoints import checkpoint_ensure, log_origin, log_verifiers, published_note
from gongxin.ledger.choices_witnessing import AlertKind, AlertSide
from gongxin.ledger.models_witnessing import Cosignature, LedgerAlert, WitnessedLog
from gongxin.ledger.peers import CHECKPOINT_PATH, PeerError
from gongxin.ledger.selectors import consistency_proof_of
from gongxin.ledger.tests.logs import grow
from gongxin.ledger.witness import WitnessOutcome, witness_name, witness_run, witness_vkey


class ClientPeer:
    """The log reached through Django's test client; ``offer`` replaces the checkpoint it serves (a lying log)."""

    def __init__(self) -> None:
        self.client = Client()
        self.offer: str | None = None

    def checkpoint(self) -> str:
        if self.offer is not None:
            return self.offer
        response = self.client.get(CHECKPOINT_PATH)
        if response.status_code != 200:
            raise PeerError(str(response.status_code))
        return response.content.decode()

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        return consistency_proof_of(first, second)

    def _post(self, path: str, note_text: str) -> None:
        response = self.client.post(path, json.dumps({"note": note_text}), content_type="application/json")
        if response.status_code != 200:
            raise PeerError(response.content.decode())

    def cosignature_deliver(self, note_text: str) -> None:
        self._post("/api/v1/ledger/cosignatures", note_text)

    def alert_deliver(self, note_text: str) -> None:
        self._post("/api/v1/ledger/witness-alerts", note_text)


@pytest.fixture
def witnessing(db: None) -> Iterator[None]:
    with override_settings(GONGXIN_LEDGER_WITNESSES=[witness_vkey()]):
        yield


def _run(peer: ClientPeer) -> WitnessOutcome:
    return witness_run(origin=log_origin(), url="http://log.invalid", verifiers=log_verifiers(), peer=peer)


def _forged(size: int, root: bytes) -> str:
    """A checkpoint signed with the log's own key (stolen, or a log that shows two histories)."""
    text = note.checkpoint_text(log_origin(), size, root)
    line = note.signature_line(text, name=log_origin(), public_key=signing.public_key_raw(),
                               sign=lambda data: base64.b64decode(signing.sign(data).value_b64))
    return note.note_join(text, [line])


def test_a_consistent_checkpoint_is_cosigned_and_published_with_the_cosignature(db: None, witnessing: None,
                                                                                 client: Client) -> None:
    peer = ClientPeer()
    grow(3)
    first = checkpoint_ensure()
    assert _run(peer) == WitnessOutcome(origin=log_origin(), outcome="cosigned", size=3, delivered=True)
    grow(5)
    second = checkpoint_ensure()
    assert _run(peer).outcome == "cosigned"  # 3 -> 8 with a consistency proof
    assert _run(peer).outcome == "unchanged"
    state = WitnessedLog.objects.get(origin=log_origin())
    assert state.tree_size == 8 and not state.last_problem
    assert Cosignature.objects.filter(checkpoint__in=[first, second]).count() == 2
    published = client.get(CHECKPOINT_PATH).content.decode()
    assert published == published_note(second) != second.note_text
    witness = note.verifier_parse(witness_vkey())
    _text, verified = note.verify_lines(published, [*log_verifiers(), witness])
    assert {(v.name, v.type) for v, _ in verified} == {(log_origin(), note.ED25519),
                                                       (witness_name(), note.COSIGNATURE_V1)}
    assert not LedgerAlert.objects.exists()


@pytest.mark.parametrize("lie", ["split_view", "rollback", "inconsistent"])
def test_a_checkpoint_that_rewrites_history_is_refused_and_alerts_both_sides(
        lie: str, db: None, witnessing: None) -> None:
    peer = ClientPeer()
    grow(4)
    checkpoint_ensure()
    grow(4)
    seen = checkpoint_ensure()
    assert _run(peer).outcome == "cosigned"
    if lie == "split_view":  # the same size, another root
        peer.offer = _forged(8, b"\x07" * 32)
    elif lie == "rollback":  # a smaller tree than one already cosigned
        peer.offer = _forged(4, b"\x07" * 32)
    else:  # a larger tree whose consistency proof from 8 cannot verify (history before 8 rewritten)
        grow(4)
        peer.offer = _forged(12, b"\x07" * 32)
    outcome = _run(peer)
    assert (outcome.outcome, outcome.problem, outcome.delivered) == ("refused", lie, True)
    state = WitnessedLog.objects.get(origin=log_origin())
    assert (state.tree_size, state.last_problem) == (8, lie)  # the witness keeps the last good one
    witness_side = LedgerAlert.objects.get(side=AlertSide.WITNESS)
    log_side = LedgerAlert.objects.get(side=AlertSide.LOG)
    for alert in (witness_side, log_side):
        assert (alert.kind, alert.origin) == (lie, log_origin())
        assert alert.offered_note == peer.offer
        assert note.note_split(alert.seen_note)[0] == note.note_split(seen.note_text)[0]
    assert log_side.reported_by == witness_name()
    assert OutboxEvent.objects.filter(topic=LEDGER_ALERT_RAISED).count() == 2
    # Refusing the same checkpoint again is the same alert.
    _run(peer)
    assert LedgerAlert.objects.count() == 2


def test_a_checkpoint_without_the_logs_signature_is_refused_and_not_reported(db: None,
                                                                             witnessing: None) -> None:
    peer = ClientPeer()
    grow(2)
    checkpoint_ensure()
    text = note.checkpoint_text(log_origin(), 2, b"\x01" * 32)
    peer.offer = text + "\n\u2014 " + log_origin() + " " + base64.b64encode(
        note.key_id(log_origin(), note.ED25519, signing.public_key_raw()) + bytes(64)).decode() + "\n"
    outcome = _run(peer)
    assert (outcome.outcome, outcome.problem, outcome.delivered) == ("refused", AlertKind.BAD_SIGNATURE, False)
    assert list(LedgerAlert.objects.values_list("side", flat=True)) == [AlertSide.WITNESS]
    assert not WitnessedLog.objects.get(origin=log_origin()).note_text


def test_the_log_refuses_cosignatures_and_reports_of_unconfigured_witnesses(db: None, client: Client) -> None:
    grow(2)
    checkpoint_ensure()
    peer = ClientPeer()
    outcome = _run(peer)  # no witness configured on the log's side: the log refuses the cosignature
    assert (outcome.outcome, outcome.delivered) == ("cosigned", False)
    assert not Cosignature.objects.exists()
    refused = client.post("/api/v1/ledger/cosignatures", {"note": WitnessedLog.objects.get().note_text},
                          content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (422, "ledger.cosignature_refused")
    alert = client.post("/api/v1/ledger/witness-alerts", {"note": "x\n\n\u2014 a AAAAAAA=\n"},
                        content_type="application/json")
    assert (alert.status_code, alert.json()["code"]) == (422, "ledger.witness_report_refused")
    assert not LedgerAlert.objects.exists()


def test_a_cosigned_checkpoint_the_log_never_signed_raises_the_logs_alert(db: None, witnessing: None,
                                                                          client: Client) -> None:
    grow(2)
    checkpoint_ensure()
    forged = _forged(2, b"\x09" * 32)  # a view of this log shown elsewhere, cosigned there by our witness
    text, lines = note.note_split(forged)
    cosig = note.cosignature_line(text, name=witness_name(), public_key=signing.public_key_raw(), timestamp=1,
                                  sign=lambda data: base64.b64decode(signing.sign(data).value_b64))
    response = client.post("/api/v1/ledger/cosignatures", {"note": note.note_join(text, [*lines, cosig])},
                           content_type="application/json")
    assert response.status_code == 422
    alert = LedgerAlert.objects.get()
    assert (alert.side, alert.kind, alert.tree_size) == (AlertSide.LOG, AlertKind.UNKNOWN_CHECKPOINT, 2)
