"""The log's write path, integration, proofs from the node table, and the audit — on the real record store."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection, transaction

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.ledger import merkle, selectors
from gongxin.ledger.audit import audit_run
from gongxin.ledger.kinds import RECORD_VERSION, kinds
from gongxin.ledger.models import AuditStatus, Leaf, Node, QueuedEntry
from gongxin.ledger.services import ledger_integrate
from gongxin.records.ledger import version_leaf_of, version_leaves
from gongxin.records.load import RecordRow, records_load, records_revoke_bulk
from gongxin.records.models import Record, RecordVersion
from gongxin.records.services import record_revoke, record_submit
from gongxin.testing import factories
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db
ADMIN = Viewer(label="tests", role=Role.ADMIN)
ID_NUMBER = "110101199003071236"


def _submit(unit, subject, sid: str, **overrides) -> Record:
    penalty = item("penalty")
    payload = payload_for(penalty, decision_date=date(2026, 3, 2), **overrides)
    return record_submit(source_unit=unit, item=penalty, source_record_id=sid, subject=subject, payload=payload,
                         actor=ADMIN).record


def _load(unit, subject, n: int, prefix: str = "CF", **overrides) -> None:
    penalty = item("penalty")
    records_load([RecordRow(source_unit_id=unit.pk, catalog_item=penalty, source_record_id=f"{prefix}-{i:04d}",
                            subject_id=subject.pk,
                            payload=payload_for(penalty, decision_date=date(2026, 3, 1 + i % 28), **overrides))
                  for i in range(n)], actor_label="batch:test", batch_size=40)


def _verify_all(size: int) -> None:
    """Every leaf of the tree of ``size`` proves its inclusion; every earlier size is consistent with it."""
    root = selectors.root_at(size)
    hashes = [bytes(h) for h in Leaf.objects.order_by("index").values_list("leaf_hash", flat=True)[:size]]
    assert merkle.root_of(hashes) == root
    for index in range(size):
        proof = selectors.inclusion_proof_of(index, size)
        assert merkle.inclusion_verify(leaf_hash=hashes[index], index=index, size=size, proof=proof, root=root)
    for first in range(1, size + 1):
        proof = selectors.consistency_proof_of(first, size)
        assert merkle.consistency_verify(size1=first, size2=size, root1=merkle.root_of(hashes[:first]), root2=root,
                                         proof=proof)


def test_a_version_queues_its_leaf_in_its_transaction_and_integration_sequences_it(market_unit, organization):
    record = _submit(market_unit, organization, "CF-1")
    assert QueuedEntry.objects.filter(kind=RECORD_VERSION, ref=record.pk, sub=1).count() == 1
    assert selectors.leaf_of(RECORD_VERSION, record.pk, 1).index is None  # queued
    result = ledger_integrate()
    assert (result.integrated, result.size) == (1, 1)
    assert not QueuedEntry.objects.exists()
    leaf = selectors.leaf_of(RECORD_VERSION, record.pk, 1)
    assert leaf.index == 0
    recomputed = version_leaves([(record.pk, 1)])[(record.pk, 1)]
    assert merkle.leaf_hash(recomputed.data) == leaf.leaf_hash
    assert selectors.tree_head() == (1, leaf.leaf_hash)


def test_a_rolled_back_version_leaves_no_entry(market_unit, organization):
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(market_unit, organization, "CF-RB")
        assert QueuedEntry.objects.count() == 1
        raise RuntimeError("the write fails after its version")
    assert not RecordVersion.objects.exists()
    assert not QueuedEntry.objects.exists()


def test_every_write_path_logs_every_version_and_the_audit_agrees(market_unit, organization):
    _load(market_unit, organization, 70)                                   # bulk: 70 first versions
    _load(market_unit, organization, 5, penalty_types="责令停产停业")         # bulk corrections
    record = _submit(market_unit, organization, "CF-ONE")                  # service
    record_revoke(record=record, actor=ADMIN, reason="withdrawn")          # service revocation
    with transaction.atomic():                                             # bulk revocation (snapshots)
        revoked = records_revoke_bulk(list(Record.objects.filter(source_record_id__in=["CF-0001", "CF-0002"])
                                           .values_list("pk", flat=True)), actor_label="batch:test", reason="gone")
    assert len(revoked) == 2
    versions = RecordVersion.objects.count()
    assert versions == 70 + 5 + 2 + 2
    assert QueuedEntry.objects.count() == versions
    ledger_integrate(batch=17)  # several batches: the node table is extended across them
    assert Leaf.objects.count() == versions and not QueuedEntry.objects.exists()
    run = audit_run(actor_label="tests")
    assert run.status == AuditStatus.PASSED, run.findings
    assert (run.leaves_checked, run.objects_checked, run.differences) == (versions, versions, 0)
    _verify_all(versions)


def test_the_node_table_is_what_the_rfc_tree_is(market_unit, organization):
    _load(market_unit, organization, 37)
    ledger_integrate(batch=5)
    hashes = [bytes(h) for h in Leaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    stored = {key: bytes(h) for key, h in Node.objects.values_list("id", "hash")}
    for (level, index), digest in [((lv, i), merkle.root_of(hashes[i << lv:(i + 1) << lv]))
                                   for lv in range(1, 6) for i in range(37 >> lv)]:
        assert stored[(index << 6) | level] == digest
    assert len(stored) == sum(37 >> lv for lv in range(1, 6))
    assert selectors.tree_head() == (37, merkle.root_of(hashes))


def test_a_leaf_holds_no_personal_data(market_unit, organization):
    record = _submit(market_unit, organization, "CF-P", id_number=ID_NUMBER, id_type="身份证")
    leaf = version_leaves([(record.pk, 1)])[(record.pk, 1)]
    text = leaf.data.decode()
    assert ID_NUMBER not in text and "1236" not in json.dumps(leaf.open_fields)
    assert "id_number" not in leaf.open_fields
    content = json.loads(text)
    assert content["v"] == 2
    # The subject enters only through the salted open commitment: nothing in the leaf names it.
    assert not {"subject", "subject_id"} & set(content) and organization.name not in text


def test_the_bulk_paths_and_the_single_append_write_the_same_leaf_for_a_version(market_unit, organization):
    """Every queued leaf, whichever path wrote it (bulk load: COPY on PostgreSQL, executemany on SQLite; bulk
    revocation; the service's single append), is the leaf the single append computes from the stored version."""
    _load(market_unit, organization, 6, id_number=ID_NUMBER)                 # bulk: first versions
    _load(market_unit, organization, 3, penalty_types="责令停产停业")          # bulk corrections
    other = factories.organization_create(name="宁波市鄞州区另一家科技有限公司")
    _load(market_unit, other, 2, prefix="CF")                                # bulk: a correction moving 2 records
    record = _submit(market_unit, organization, "CF-ONE")                    # service
    record_revoke(record=record, actor=ADMIN, reason="withdrawn")
    with transaction.atomic():
        records_revoke_bulk([Record.objects.get(source_record_id="CF-0005").pk], actor_label="batch:test",
                            reason="gone")
    queued = {(ref, sub): bytes(h) for ref, sub, h in QueuedEntry.objects.values_list("ref", "sub", "leaf_hash")}
    assert len(queued) == RecordVersion.objects.count() == 6 + 3 + 2 + 2 + 1
    for version in RecordVersion.objects.select_related("record__source_unit__department", "record__catalog_item"):
        record = version.record
        subject = other.pk if record.source_record_id in ("CF-0000", "CF-0001") and version.number == 3 else (
            organization.pk)
        assert record.subject_id == (other.pk if record.source_record_id in ("CF-0000", "CF-0001") else
                                     organization.pk)
        record.subject_id = subject  # the subject the record had when the version was written
        leaf = version_leaf_of(record=record, version=version)
        assert merkle.leaf_hash(leaf.data) == queued[(record.pk, version.number)], (record.pk, version.number)
        assert json.loads(leaf.data)["v"] == 2


def _tamper(sql: str, params: list) -> None:
    """A direct SQL UPDATE of a version with its immutability triggers out of the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers do not fire
        else:
            cursor.execute("DROP TRIGGER IF EXISTS recordversion_no_update")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.mark.parametrize("change", ["decision_date", "payload", "personal"])
def test_the_audit_finds_a_version_changed_behind_the_platforms_back(market_unit, organization, change):
    _load(market_unit, organization, 6, id_number=ID_NUMBER)
    ledger_integrate()
    assert audit_run().status == AuditStatus.PASSED
    target = RecordVersion.objects.get(record__source_record_id="CF-0003")
    if change == "decision_date":
        _tamper("UPDATE records_recordversion SET decision_date = %s WHERE id = %s", ["2020-01-01", target.pk])
    else:
        payload = dict(target.payload)
        if change == "payload":
            payload["penalty_content"] = "罚款一元"
        else:  # a personal field: sealed again, so only its content hash can tell
            from gongxin.records.personal import payload_seal
            payload = payload_seal(item=item("penalty"), payload={**payload, "id_number": "110101199003071244"})
        _tamper("UPDATE records_recordversion SET payload = %s WHERE id = %s",
                [json.dumps(payload, ensure_ascii=False), target.pk])
    run = audit_run()
    assert run.status == AuditStatus.FAILED
    assert [(f["what"], f["ref"], f["sub"]) for f in run.findings] == [("changed", target.record_id, 1)]


def test_the_audit_finds_a_record_moved_to_another_subject(market_unit, organization):
    """Moving a record (a penalty) to another firm by SQL changes no version, but the leaves commit to the subject
    (leaf v2): every version of the moved record is found."""
    _load(market_unit, organization, 5)
    _load(market_unit, organization, 1, penalty_types="责令停产停业")  # CF-0000 has two versions
    ledger_integrate()
    assert audit_run().status == AuditStatus.PASSED
    other = factories.organization_create(name="宁波市鄞州区另一家科技有限公司")
    target = Record.objects.get(source_record_id="CF-0000")
    _tamper("UPDATE records_record SET subject_id = %s WHERE id = %s", [other.pk, target.pk])
    run = audit_run()
    assert run.status == AuditStatus.FAILED
    assert sorted((f["what"], f["ref"], f["sub"]) for f in run.findings) == [
        ("changed", target.pk, 1), ("changed", target.pk, 2)]
    _tamper("UPDATE records_record SET subject_id = %s WHERE id = %s", [organization.pk, target.pk])
    assert audit_run().status == AuditStatus.PASSED  # moved back: as logged


def test_a_correction_that_moves_a_record_keeps_the_audit_passing(market_unit, organization):
    """A source unit's correction may move a record to another subject (a new version, logged under the new
    subject): the earlier versions were logged under the earlier subject, which the record keeps in its subject
    history, so the audit still recomputes them — and a later move by SQL is still found."""
    other = factories.organization_create(name="宁波市鄞州区另一家科技有限公司")
    third = factories.organization_create(name="宁波市江北区第三家科技有限公司")
    _load(market_unit, organization, 3)
    _load(market_unit, other, 2)                                # bulk corrections moving CF-0000, CF-0001
    _load(market_unit, third, 1)                                # CF-0000 moved a second time
    record = _submit(market_unit, organization, "CF-ONE")
    record_revoke(record=_submit(market_unit, organization, "CF-TWO"), actor=ADMIN, reason="withdrawn")
    _submit(market_unit, other, "CF-ONE")                       # the service's correction moving it
    ledger_integrate()
    moved = Record.objects.get(source_record_id="CF-0000")
    assert (moved.subject_id, moved.subject_history) == (third.pk, [[1, organization.pk], [2, other.pk]])
    assert Record.objects.get(pk=record.pk).subject_history == [[1, organization.pk]]
    assert Record.objects.get(source_record_id="CF-0002").subject_history is None
    run = audit_run()
    assert run.status == AuditStatus.PASSED, run.findings
    _tamper("UPDATE records_record SET subject_id = %s WHERE id = %s", [organization.pk, moved.pk])
    assert [(f["ref"], f["sub"]) for f in audit_run().findings] == [(moved.pk, 3)]
    # A history rewritten to cover the current version too does not hide a move: the current version is always
    # recomputed under the record's subject.
    _tamper("UPDATE records_record SET subject_history = %s WHERE id = %s",
            [json.dumps([[1, organization.pk], [2, other.pk], [3, third.pk]]), moved.pk])
    assert [(f["ref"], f["sub"]) for f in audit_run().findings] == [(moved.pk, 3)]


def _as_v1(entries) -> None:
    """Rewrite queued entries to the leaves the platform wrote before leaf v2 (a log that began with v1)."""
    refs = list(entries.values_list("ref", "sub"))
    leaves = version_leaves(refs, alternatives=True)
    for (ref, sub), leaf in leaves.items():
        entries.filter(ref=ref, sub=sub).update(leaf_hash=merkle.leaf_hash(leaf.alternatives[0]))


def test_v1_leaves_already_in_the_log_still_verify(market_unit, organization):
    _load(market_unit, organization, 4)
    _as_v1(QueuedEntry.objects.all())
    ledger_integrate()
    _load(market_unit, organization, 2, prefix="NEW")  # v2 leaves after them
    ledger_integrate()
    run = audit_run()
    assert run.status == AuditStatus.PASSED, run.findings
    assert run.leaves_checked == 6
    # A v1 leaf does not commit to the subject (decision 063): its record moved is not found, its content changed
    # still is.
    target = RecordVersion.objects.get(record__source_record_id="CF-0001")
    _tamper("UPDATE records_recordversion SET decision_date = %s WHERE id = %s", ["2020-01-01", target.pk])
    assert [(f["what"], f["ref"]) for f in audit_run().findings] == [("changed", target.record_id)]


def test_the_audit_finds_a_missing_entry_an_extra_one_and_a_broken_node(market_unit, organization):
    _load(market_unit, organization, 8)
    ledger_integrate()
    victim = Record.objects.get(source_record_id="CF-0005")
    # A version written around the log (the bulk path's INSERT without its entry):
    QueuedEntry.objects.all().delete()
    _submit(market_unit, organization, "CF-NEW")
    QueuedEntry.objects.all().delete()
    new = Record.objects.get(source_record_id="CF-NEW")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_node SET hash = %s WHERE id = %s", [b"\x00" * 32, (0 << 6) | 1])
        cursor.execute("UPDATE ledger_leaf SET ref = %s WHERE ref = %s", [victim.pk + 10_000, victim.pk])
    findings = {(f["what"], f.get("ref")) for f in audit_run().findings}
    assert ("missing", new.pk) in findings
    assert ("missing", victim.pk) in findings
    assert ("extra", victim.pk + 10_000) in findings
    assert ("node", None) in findings


def test_every_kind_is_registered():
    assert RECORD_VERSION in kinds()


def test_version_leaves_recompute_exactly_the_versions_asked_for(market_unit, organization):
    """Versions are read by number, each with the records asked at that number: a record asked at version 2 does
    not bring its version 1, one asked at a version it lacks is left out."""
    revoked = _submit(market_unit, organization, "CF-V2")
    record_revoke(record=revoked, actor=ADMIN, reason="withdrawn")  # its version 2
    single = _submit(market_unit, organization, "CF-V1")
    leaves = version_leaves([(revoked.pk, 2), (single.pk, 1), (single.pk, 2)])
    assert set(leaves) == {(revoked.pk, 2), (single.pk, 1)}
    for record_id, number in leaves:
        version = RecordVersion.objects.select_related("record").get(record_id=record_id, number=number)
        expected = version_leaf_of(record=version.record, version=version)
        assert leaves[(record_id, number)].data == expected.data
