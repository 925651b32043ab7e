"""Signed checkpoints (decision 064): created on demand and at the interval, one per tree size, never of a tree
that does not extend the last one signed, published at the well-known address with their history, verifiable
after a key rotation."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.test import Client, override_settings

from gongxin.core import clock, signing
from gongxin.core.events import LEDGER_ALERT_RAISED
from gongxin.core.models import OutboxEvent
from gongxin.ledger import merkle, note
from gongxin.ledger.checkpoints import (
    checkpoint_ensure,
    checkpoint_if_due,
    log_origin,
    log_verifiers,
)
from gongxin.ledger.choices_witnessing import AlertKind, AlertSide, CheckpointCause
from gongxin.ledger.errors import CheckpointInconsistent, CheckpointUnavailable
from gongxin.ledger.models import Leaf, Node, TreeHead
from gongxin.ledger.models_witnessing import Checkpoint, LedgerAlert
from gongxin.ledger.tests.logs import grow
from gongxin.testing.races import race


def test_a_checkpoint_is_the_signed_tree_head_in_the_c2sp_format(db: None) -> None:
    _size, root = grow(5)
    checkpoint = checkpoint_ensure()
    assert (checkpoint.tree_size, bytes(checkpoint.root_hash)) == (5, root)
    text, lines = note.verify_lines(checkpoint.note_text, log_verifiers())
    assert text == f"{log_origin()}\n5\n{base64.b64encode(root).decode()}\n"
    assert [v.name for v, _ in lines] == [log_origin()]
    assert checkpoint.key_id == signing.key_id()
    # The log's vkey: <origin>+<key id>+base64(0x01 || platform public key).
    vkey = note.verifier_text(log_origin(), signing.public_key_raw())
    assert vkey.endswith("+" + base64.b64encode(b"\x01" + signing.public_key_raw()).decode())
    note.verify_lines(checkpoint.note_text, [note.verifier_parse(vkey)])


def test_the_same_tree_gives_the_same_checkpoint_and_growth_a_new_one(db: None) -> None:
    grow(3)
    first = checkpoint_ensure()
    assert checkpoint_ensure().pk == first.pk
    grow(2)
    second = checkpoint_ensure()
    assert (second.tree_size, Checkpoint.objects.count()) == (5, 2)
    # A size asks for a checkpoint covering that many entries: the smallest one that does.
    assert checkpoint_ensure(size=2).pk == first.pk
    assert checkpoint_ensure(size=4).pk == second.pk
    with pytest.raises(CheckpointUnavailable):
        checkpoint_ensure(size=6)


def test_an_empty_log_has_a_checkpoint_of_size_zero(db: None) -> None:
    checkpoint = checkpoint_ensure()
    assert (checkpoint.tree_size, bytes(checkpoint.root_hash)) == (0, merkle.EMPTY_ROOT)


def test_checkpoints_at_the_interval_only_when_the_log_grew(db: None) -> None:
    grow(2)
    with override_settings(GONGXIN_LEDGER_CHECKPOINT_SECONDS=300):
        first = checkpoint_if_due()
        assert first is not None and first.cause == CheckpointCause.INTERVAL
        grow(1)
        assert checkpoint_if_due() is None  # grown, but too soon
        with time_machine.travel(clock.now() + timedelta(seconds=301)):
            later = checkpoint_if_due()
            assert later is not None and later.tree_size == 3
            assert checkpoint_if_due() is None  # not grown since


def test_a_tree_that_does_not_extend_the_last_checkpoint_is_not_signed_and_raises_an_alert(db: None) -> None:
    grow(4)
    checkpoint_ensure()
    grow(4)
    # Someone rewrote a logged entry and the nodes above it behind the platform's back (direct SQL).
    forged = merkle.leaf_hash(b"rewritten")
    Leaf.objects.filter(index=1).update(leaf_hash=forged)
    leaves = [bytes(h) for h in Leaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    Node.objects.all().delete()
    from gongxin.ledger.models import node_key

    for level in range(1, 4):
        for index in range(8 >> level):
            start, width = index << level, 1 << level
            Node.objects.create(id=node_key(level, index), hash=merkle.root_of(leaves[start:start + width]))
    TreeHead.objects.filter(pk=1).update(root=merkle.root_of(leaves))
    with pytest.raises(CheckpointInconsistent):
        checkpoint_ensure()
    assert Checkpoint.objects.count() == 1
    alert = LedgerAlert.objects.get()
    assert (alert.side, alert.kind, alert.tree_size, alert.seen_size) == (AlertSide.LOG, AlertKind.INCONSISTENT, 8, 4)
    assert OutboxEvent.objects.filter(topic=LEDGER_ALERT_RAISED, aggregate_id=alert.pk).exists()


def test_checkpoints_signed_before_a_key_rotation_still_verify(db: None) -> None:
    grow(2)
    old = checkpoint_ensure()
    old_public = signing.public_key_raw()
    new_private = Ed25519PrivateKey.from_private_bytes(b"n" * 32)
    new_public = new_private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with override_settings(GONGXIN_SIGNING_KEY=b"n" * 32,
                           GONGXIN_SIGNING_RETIRED_PUBLIC_KEYS=[base64.b64encode(old_public).decode()]):
        grow(1)
        new = checkpoint_ensure()
        assert new.key_id == signing.key_id_of(new_public) != old.key_id
        verifiers = log_verifiers()
        assert [v.public_key for v in verifiers] == [new_public, old_public]
        note.verify_lines(old.note_text, verifiers)
        note.verify_lines(new.note_text, verifiers)
        keys = Client().get("/.well-known/gongxin-ledger/log-keys").content.decode().splitlines()
        assert keys == [v.vkey() for v in verifiers]


def test_the_latest_checkpoint_and_its_history_are_published(db: None, client: Client) -> None:
    assert client.get("/.well-known/gongxin-ledger/checkpoint").status_code == 404
    grow(3)
    first = checkpoint_ensure()
    grow(3)
    second = checkpoint_ensure()
    latest = client.get("/.well-known/gongxin-ledger/checkpoint")
    assert latest.status_code == 200 and latest["Content-Type"] == "text/plain; charset=utf-8"
    assert latest.content.decode() == second.note_text
    older = client.get(f"/.well-known/gongxin-ledger/checkpoint/{first.tree_size}")
    assert older.content.decode() == first.note_text
    history = client.get("/api/v1/ledger/checkpoints").json()
    assert [(c["tree_size"], c["note"]) for c in history] == [(6, second.note_text), (3, first.note_text)]
    assert [c["tree_size"] for c in client.get("/api/v1/ledger/checkpoints", {"before": 6}).json()] == [3]


@pytest.mark.django_db(transaction=True)
def test_two_processes_signing_the_same_head_keep_one_checkpoint() -> None:
    grow(3)
    results = race(checkpoint_ensure, times=3)
    assert Checkpoint.objects.count() == 1
    assert {r.pk for r in results} == {Checkpoint.objects.get().pk}
