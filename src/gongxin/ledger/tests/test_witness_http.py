"""Witnessing between two real instances over HTTP on loopback (decision 065): the city is the platform under test,
served by pytest-django's live server; the province is a second Gongxin — its own process, SQLite database, data
directory and signing key — configured as the witness of the city's log through its environment, and run with
``gongxin ledger witness`` as an operator's cron would. It fetches the city's checkpoint from the well-known address
and the consistency proof from the city's API, cosigns, and hands the cosignature back; the city publishes it. A
checkpoint that does not extend the last one it cosigned is refused, and both sides hold an alert."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.test import override_settings

from gongxin.core import clock, signing
from gongxin.ledger import merkle, note
from gongxin.ledger.checkpoints import checkpoint_ensure, log_origin, log_verifiers
from gongxin.ledger.choices_witnessing import AlertKind, AlertSide
from gongxin.ledger.models_witnessing import Checkpoint, Cosignature, LedgerAlert
from gongxin.ledger.peers import HttpLogPeer, PeerError
from gongxin.ledger.tests.logs import grow
from gongxin.testing.processes import Platforms

GONGXIN = str(Path(sys.executable).with_name("gongxin"))


@pytest.mark.django_db(transaction=True)
def test_the_http_peer_reads_and_answers_a_log_over_http(live_server: object) -> None:
    """The witness's HTTP client against the platform served on loopback (this process): the checkpoint, a
    consistency proof from the ledger's API, and the log's refusal of an unsigned cosignature as a peer error."""
    url = str(live_server.url)  # type: ignore[attr-defined]
    grow(4)
    first = checkpoint_ensure()
    grow(3)
    second = checkpoint_ensure()
    peer = HttpLogPeer(url)
    assert peer.checkpoint() == second.note_text
    proof = peer.consistency_proof(4, 7)
    assert merkle.consistency_verify(size1=4, size2=7, root1=bytes(first.root_hash), root2=bytes(second.root_hash),
                                     proof=proof)
    with pytest.raises(PeerError, match="422"):
        peer.cosignature_deliver(second.note_text)
    with pytest.raises(PeerError):
        HttpLogPeer("http://127.0.0.1:9", timeout=2).checkpoint()


class Province:
    """The second instance: a witness of the city's log."""

    def __init__(self, directory: Path, city_url: str) -> None:
        self.directory = directory
        self.city_url = city_url

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS", "GONGXIN_"))}
        env.update({
            "GONGXIN_DATA_DIR": str(self.directory), "DATABASE_URL": "", "DJANGO_SETTINGS_MODULE": "gongxin.settings",
            "GONGXIN_JURISDICTION": "CN-ZJ",
            "GONGXIN_LEDGER_WITNESSED_LOGS": json.dumps([{"url": self.city_url,
                                                          "vkeys": [v.vkey() for v in log_verifiers()]}]),
        })
        return env

    def run(self, *args: str) -> str:
        done = subprocess.run([GONGXIN, *args], env=self.env(), capture_output=True, text=True,  # noqa: S603
                              timeout=300, check=False)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def status(self) -> dict[str, str]:
        pairs = (line.split(": ", 1) for line in self.run("ledger", "status").splitlines() if ": " in line)
        return {pair[0]: pair[1] for pair in pairs}


@pytest.fixture
def province(tmp_path: Path, live_server: object, migrated_platforms: Platforms) -> Iterator[Province]:
    witness = Province(tmp_path / "province", str(live_server.url))  # type: ignore[attr-defined]
    migrated_platforms.sqlite(witness.directory)  # what `gongxin migrate` makes, copied from the session's template
    yield witness


# Two instances: a second platform and several runs of its command (about 15 s of CPU); the HTTP client itself is
# proved in the lane by the test above, the witnessing by test_witness.py — both on both backends. The second
# process adds nothing that depends on the city's database: it runs in the SQLite run only (decision 078).
@pytest.mark.slow
@pytest.mark.one_backend
@pytest.mark.django_db(transaction=True)
def test_the_province_cosigns_the_citys_checkpoints_over_http_and_refuses_a_rewritten_history(
        province: Province, live_server: object) -> None:
    url = str(live_server.url)  # type: ignore[attr-defined]
    witness_vkey = province.status()["this platform as a witness"]
    assert witness_vkey.startswith("gongxin/cn-zj/witness+")
    grow(5)
    checkpoint_ensure()
    with override_settings(GONGXIN_LEDGER_WITNESSES=[witness_vkey]):
        assert province.run("ledger", "witness").strip() == f"{log_origin()}: 5 entries cosigned — handed to the log"
        grow(3)
        checkpoint_ensure()
        # 5 -> 8: the consistency proof comes from the city's API over HTTP.
        assert "8 entries cosigned — handed to the log" in province.run("ledger", "witness")
        assert Cosignature.objects.filter(witness="gongxin/cn-zj/witness").count() == 2
        published = requests.get(f"{url}/.well-known/gongxin-ledger/checkpoint", timeout=10).text
        _text, verified = note.verify_lines(published, [*log_verifiers(), note.verifier_parse(witness_vkey)])
        assert sorted(v.name for v, _ in verified) == [log_origin(), "gongxin/cn-zj/witness"]
        assert note.checkpoint_parse(_text).size == 8

        # The city's key signs a checkpoint of 9 entries whose root does not extend the 8 the province cosigned.
        grow(1)
        text = note.checkpoint_text(log_origin(), 9, b"\x05" * 32)
        line = note.signature_line(text, name=log_origin(), public_key=signing.public_key_raw(),
                                   sign=lambda data: base64.b64decode(signing.sign(data).value_b64))
        Checkpoint.objects.create(tree_size=9, root_hash=b"\x05" * 32, origin=log_origin(),
                                  note_text=note.note_join(text, [line]), key_id=signing.key_id(), cause="demand",
                                  created_at=clock.now())
        answer = province.run("ledger", "witness").strip()
        assert answer == f"{log_origin()}: 9 entries refused (inconsistent) — handed to the log"
    assert province.status()["open alerts"] == "1"
    assert "witnessing gongxin/cn-zj-nb: 8 entries cosigned, last problem: inconsistent" in province.run(
        "ledger", "status")
    alert = LedgerAlert.objects.get()
    assert (alert.side, alert.kind, alert.tree_size, alert.seen_size, alert.reported_by) == (
        AlertSide.LOG, AlertKind.INCONSISTENT, 9, 8, "gongxin/cn-zj/witness")
