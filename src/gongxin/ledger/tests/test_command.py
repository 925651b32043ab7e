"""``gongxin ledger checkpoint|status|verify|witness|integrate``: what an operator runs and reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from gongxin.ledger.checkpoints import log_origin
from gongxin.ledger.models_witnessing import Checkpoint
from gongxin.ledger.services import entries_append
from gongxin.ledger.tests.logs import grow


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


def test_checkpoint_status_and_verify(db: None, tmp_path: Path) -> None:
    grow(4)
    signed = _run("checkpoint")
    assert signed.startswith(f"{log_origin()}\n4\n") and "\u2014 " + log_origin() in signed
    assert _run("checkpoint", "--if-due") == "no checkpoint due\n"
    grow(2)
    _run("checkpoint")
    status = _run("status")
    assert f"log: {log_origin()}" in status and "tree: 6 entries" in status
    assert "latest checkpoint: 6 entries" in status and "cosigned by: none" in status
    assert "checkpoints: 2" in status and "open alerts: 0" in status
    assert _run("verify").startswith("valid: 2 checkpoint(s)")
    note_file = tmp_path / "checkpoint.txt"
    note_file.write_text(Checkpoint.objects.get(tree_size=6).note_text, encoding="utf-8")
    assert _run("verify", str(note_file)).startswith(f"valid checkpoint of {log_origin()}: 6 entries")
    # A stored checkpoint changed behind the platform's back: its signature no longer matches.
    Checkpoint.objects.filter(tree_size=4).update(root_hash=b"\x00" * 32)
    with pytest.raises(SystemExit) as failed:
        _run("verify")
    assert failed.value.code == 1
    Checkpoint.objects.filter(tree_size=4).delete()
    forged = Checkpoint.objects.get(tree_size=6)
    forged.pk, forged.tree_size = None, 9  # a checkpoint of a size the tree never reached
    forged.save()
    with pytest.raises(SystemExit):
        _run("verify")
    note_file.write_text(Checkpoint.objects.get(tree_size=6).note_text.replace("\n6\n", "\n7\n"), encoding="utf-8")
    with pytest.raises(SystemExit):
        _run("verify", str(note_file))


def test_integrate_sequences_the_queue_and_witness_says_when_there_is_nothing_to_witness(db: None) -> None:
    with transaction.atomic():
        entries_append(kind="test.entry", refs=[(1, 0), (2, 0)], leaf_data=[b"a", b"b"])
    out = _run("integrate")
    assert out.startswith("integrated 2 entries: the tree has 2")
    assert "checkpoint signed: 2 entries" in out  # the first one is always due
    assert _run("witness") == "this platform witnesses no log (GONGXIN_LEDGER_WITNESSED_LOGS)\n"
