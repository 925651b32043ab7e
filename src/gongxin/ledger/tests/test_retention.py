"""Retention keeps every proof valid: the log holds hashes only. The platform's retention path (the daily clock
job archives a record whose retention ended, records.expiry) appends a leaf and changes none; an erasure of the
versions afterwards (records.maintenance.history_purge, the legally required deletion) leaves every leaf, every
proof and every earlier tree head as they were — the audit names the erased objects' leaves, nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.ledger import merkle, selectors
from gongxin.ledger.audit import audit_run
from gongxin.ledger.kinds import RECORD_VERSION
from gongxin.ledger.models import Leaf
from gongxin.ledger.services import ledger_integrate
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.expiry import clocks_run
from gongxin.records.maintenance import history_purge
from gongxin.records.models import ListEntry, Record, RecordVersion
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db
ADMIN = Viewer(label="tests", role=Role.ADMIN)


def _travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


def _proofs_hold(size: int, root: bytes, hashes: list[bytes]) -> None:
    for index, digest in enumerate(hashes):
        proof = selectors.inclusion_proof_of(index, size)
        assert merkle.inclusion_verify(leaf_hash=digest, index=index, size=size, proof=proof, root=root)


def test_retention_and_erasure_keep_every_proof_valid(market_unit, organization):
    decided = date(2020, 3, 10)
    with _travel(decided):
        records = [record_submit(source_unit=market_unit, item=item("penalty"), source_record_id=f"R-{i}",
                                 subject=organization, actor=ADMIN, severity="minor",
                                 payload=payload_for(item("penalty"), decision_date=decided)).record
                   for i in range(3)]
    before = ledger_integrate()
    hashes = [bytes(h) for h in Leaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    _proofs_hold(before.size, before.root, hashes)

    # The platform's retention path: the day after the last day kept, the record is archived — one more leaf.
    kept = RecordVersion.objects.get(record=records[0]).retention_end
    with _travel(kept + timedelta(days=1)):
        assert clocks_run().retention_ended == 3
    after = ledger_integrate()
    assert after.size == before.size + 3
    archived = RecordVersion.objects.get(record=records[0], number=2)
    assert (archived.change, archived.status) == (ChangeKind.RETENTION_ENDED, RecordStatus.ARCHIVED)
    assert selectors.leaf_of(RECORD_VERSION, records[0].pk, 2).index is not None
    consistency = selectors.consistency_proof_of(before.size, after.size)
    assert merkle.consistency_verify(size1=before.size, size2=after.size, root1=before.root, root2=after.root,
                                     proof=consistency)
    assert audit_run().differences == 0

    # The erasure of a record's versions (content gone): the log keeps its hashes, every proof still holds.
    all_hashes = [bytes(h) for h in Leaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    with history_purge(reason="erasure after retention"):
        ListEntry.objects.filter(record=records[0]).delete()
        Record.objects.filter(pk=records[0].pk).update(current_version=None)
        RecordVersion.objects.filter(record=records[0])._raw_delete(RecordVersion.objects.db)
        Record.objects.filter(pk=records[0].pk).delete()
    assert not RecordVersion.objects.filter(record_id=records[0].pk).exists()
    assert selectors.tree_head() == (after.size, after.root)
    _proofs_hold(after.size, after.root, all_hashes)
    assert selectors.root_at(before.size) == before.root
    run = audit_run()
    assert {(f["what"], f["ref"]) for f in run.findings} == {("extra", records[0].pk)}
    assert run.differences == 2  # its two versions' leaves: named, not lost
