"""The receiving side: packages applied once and in order through ingest, upward as the district's source unit's
records, downward as the issuing body's (marked external) with subjects registered and marked, revocations
ending entries, rejected rows explained in the receipt, every refusal with a clear signed receipt, and a package
built by a peer that is not Gongxin (plain json, zipfile and cryptography) applied like ours."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import Department
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import Viewer, viewer_for_client
from gongxin.core import clock
from gongxin.core.outbox import outbox_dispatch
from gongxin.exchange.choices import PackageStatus
from gongxin.exchange.keys import NodeIdentity
from gongxin.exchange.models import ExchangedSubject, ExternalSourceUnit, Package, Receipt
from gongxin.exchange.packages import package_build
from gongxin.exchange.services import package_receive, provenance_label, provenance_of, receipt_verify, receipt_wire
from gongxin.exchange.tests.kit import recipient, register, remote_node, zip_rewrite
from gongxin.records.choices import RecordStatus
from gongxin.records.models import ListEntry, Record
from gongxin.rewards.services import CheckRequest, checks_perform, matter_register, system_register
from gongxin.subjects.identifiers import rin_lookup_hash
from gongxin.subjects.models import Subject
from gongxin.testing.payloads import penalty_payload
from gongxin.testing.subjects import rin_new, uscc_new

COURT_CODE = "11100000000013127F"  # the issuing body's code as the national platform sends it


def penalty(number: int, **overrides: Any) -> dict[str, Any]:
    fields = penalty_payload(decision_number=f"海市监罚〔2026〕{number}号", **overrides)
    return {"op": "new", "source_record_id": f"HS-XZCF-{number}",
            "issuer": {"code": "11330203MB1234567X", "name": "宁波市海曙区市场监督管理局"}, "fields": fields}


def debtor(uscc: str, *, op: str = "new", name: str = "宁波失信贸易有限公司") -> dict[str, Any]:
    listed = (clock.today() - timedelta(days=10)).isoformat()
    return {"op": op, "source_record_id": f"SXBZXR-{uscc}", "issuer": {"code": COURT_CODE, "name": "最高人民法院"},
            "fields": {"subject_name": name, "subject_category": "organization", "uscc": uscc,
                       "case_number": f"（2026）浙0203执{uscc[-4:]}号", "court": "宁波市海曙区人民法院",
                       "obligation": "支付货款人民币十万元", "dishonesty_circumstances": "有履行能力而拒不履行",
                       "listing_date": listed}}


def send(sender: NodeIdentity, receiver: NodeIdentity, records: list[dict[str, Any]], *, sequence: int = 1,
         item_code: str = "penalty", mode: str = "incremental", guid: uuid.UUID | None = None) -> bytes:
    return package_build(receiver=recipient(receiver), sender=sender, item_code=item_code, mode=mode,
                         sequence=sequence, records=records, guid=guid)


def test_an_upward_package_lands_as_the_district_units_records_with_provenance(
        seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    rin = rin_new()
    person = penalty(2, subject_name="王五", subject_category="person", uscc=None, id_number=rin)
    guid = uuid.uuid4()
    receipt = package_receive(data=send(district, city, [penalty(1), person], guid=guid), via="service")

    assert receipt.status == "applied", receipt.document
    assert receipt.document["counts"] == {"records": 2, "applied": 2, "duplicates": 0, "rejected": 0}
    assert receipt.document["receiver"] == "330200" and receipt.document["sender"] == "330203"
    assert receipt_verify(receipt_wire(receipt)) is False  # signed by this node, which is not its own peer
    unit = ExternalSourceUnit.objects.get(peer__code="330203", issuer_code="").source_unit
    records = Record.objects.filter(source_unit=unit).select_related("current_version").order_by("source_record_id")
    assert [r.source_record_id for r in records] == ["HS-XZCF-1", "HS-XZCF-2"]
    label = records[0].current_version.actor_label
    assert label == provenance_label(sender="330203", guid=guid)
    assert provenance_of(label) == ("330203", str(guid))
    # The person was unknown here: registered by ingest (found by the RIN) and marked as from the exchange.
    subject = Subject.objects.get(person__rin_hash=rin_lookup_hash(rin))
    assert records[1].subject_id == subject.pk
    mark = ExchangedSubject.objects.get(subject=subject)
    assert (mark.node_code, mark.package_guid) == ("330203", guid)
    package = Package.objects.get(guid=guid, direction="received")
    assert (package.status, package.applied, package.via) == (PackageStatus.APPLIED, 2, "service")
    assert package.file_path == ""


def test_the_same_package_twice_is_applied_once(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    data = send(district, city, [penalty(1)])
    first = package_receive(data=data, via="file")
    versions = Record.objects.get(source_record_id="HS-XZCF-1").versions.count()
    again = package_receive(data=data, via="service")

    assert again.pk == first.pk and again.document == first.document
    assert Record.objects.get(source_record_id="HS-XZCF-1").versions.count() == versions == 1
    assert Package.objects.filter(direction="received").count() == 1


def test_a_later_package_waits_for_the_earlier_one(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    corrected = penalty(1, fine_amount="20000.00")
    second = package_receive(data=send(district, city, [corrected], sequence=2), via="file")
    assert second.status == "held" and second.document["code"] == "exchange.package_held"
    assert "1" in second.document["message"] and second.document["message_en"].startswith("Held until package 1")
    assert not Record.objects.filter(source_record_id="HS-XZCF-1").exists()

    first = package_receive(data=send(district, city, [penalty(1)], sequence=1), via="file")
    assert first.status == "applied"
    record = Record.objects.get(source_record_id="HS-XZCF-1")
    # Applied in order: the original, then its correction.
    assert [v.payload["fine_amount"] for v in record.versions.order_by("number")] == ["12345.00", "20000.00"]
    second_now = Receipt.objects.get(package_guid=second.package_guid)
    assert second_now.status == "applied"
    assert set(Package.objects.filter(direction="received").values_list("status", flat=True)) == {"applied"}


def test_duplicates_and_rejected_rows_are_explained_in_the_receipt(
        seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    package_receive(data=send(district, city, [penalty(1)], sequence=1), via="file")
    bad = penalty(3, decision_date="not a date")
    receipt = package_receive(data=send(district, city, [penalty(1), penalty(2), bad], sequence=2), via="file")

    assert receipt.status == "partial"
    assert receipt.document["counts"] == {"records": 3, "applied": 1, "duplicates": 1, "rejected": 1}
    outcomes = {o["source_record_id"]: o for o in receipt.document["outcomes"]}
    assert outcomes["HS-XZCF-1"]["outcome"] == "duplicate" and outcomes["HS-XZCF-1"]["index"] == 0
    assert outcomes["HS-XZCF-1"]["message"]
    rejected = outcomes["HS-XZCF-3"]
    assert rejected["outcome"] == "rejected" and rejected["index"] == 2 and rejected["code"].startswith("ingest.")
    assert rejected["message"] and rejected["message_en"]
    assert "HS-XZCF-2" not in outcomes  # applied records are counted, not listed


def test_a_package_of_new_records_counts_each_applied_or_rejected_and_a_repeated_one_once_applied(
        seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    bad = penalty(3, decision_date="not a date")
    receipt = package_receive(data=send(district, city, [penalty(1), penalty(2), bad], sequence=1), via="file")
    assert receipt.document["counts"] == {"records": 3, "applied": 2, "duplicates": 0, "rejected": 1}
    assert [(o["source_record_id"], o["outcome"]) for o in receipt.document["outcomes"]] == [("HS-XZCF-3", "rejected")]

    corrected = penalty(4, fine_amount="20000.00")
    receipt = package_receive(data=send(district, city, [penalty(4), corrected, penalty(4, fine_amount="20000.00")],
                                        sequence=2), via="file")
    # The record's current version is this package's: every line of it counts applied.
    assert receipt.document["counts"] == {"records": 3, "applied": 3, "duplicates": 0, "rejected": 0}
    assert Record.objects.get(source_record_id="HS-XZCF-4").current_version.payload["fine_amount"] == "20000.00"


def _checker() -> Viewer:
    """A procurement system of the finance bureau, with its matter, checking subjects (as rewards' tests do)."""
    from gongxin.rewards.rules import rules_forget

    rules_forget()
    finance = Department.objects.create(code="NB-CZ", name="宁波市财政局", region_code="330200")
    client, _key = api_client_create(name="政府采购管理系统", department=finance,
                                     scopes=[Scope.SUBJECTS_READ, Scope.RECORDS_SHARE], rate_limit_per_minute=1000)
    staff = Viewer(label="user:staff", role=Role.STAFF)
    system = system_register(code="NB-CZ-ZFCG", name="政府采购管理系统", department=finance, client=client,
                             actor=staff)
    matter_register(code="CZ-CG-001", name="政府采购供应商资格审查", system=system, matter_type="procurement",
                    actor=staff)
    return viewer_for_client(client)


def _decision(checker: Viewer, uscc: str) -> str:
    outcome = checks_perform(requests=[CheckRequest(uscc=uscc)], matter_code="CZ-CG-001", actor=checker)[0]
    assert outcome.error is None, outcome.error
    return str(outcome.check.decision)


def test_a_downward_list_lands_as_the_issuing_bodys_records_and_its_revocation_ends_the_entry(
        seeded: None, city: NodeIdentity, nation: NodeIdentity, settings: Any) -> None:
    settings.GONGXIN_FACT_PROVIDERS = []  # the built-in facts (lists, records) decide here
    checker = _checker()
    uscc = uscc_new(division="110000")
    receipt = package_receive(data=send(nation, city, [debtor(uscc)], item_code="judgment_debtor"), via="pull")
    outbox_dispatch()  # what the commit runs (tests do not commit)
    # The consumers took the new entry at once: a check right after the package intercepts.
    assert _decision(checker, uscc) == "intercept"

    assert receipt.status == "applied", receipt.document
    external = ExternalSourceUnit.objects.select_related("source_unit__department").get(issuer_code=COURT_CODE)
    assert external.peer.code == "100000"
    assert external.source_unit.department.name == "最高人民法院"
    subject = Subject.objects.get(organization__uscc=uscc)
    assert ExchangedSubject.objects.filter(subject=subject, node_code="100000").exists()
    record = Record.objects.get(subject=subject)
    assert record.source_unit_id == external.source_unit_id
    entry = ListEntry.objects.get(record=record)
    assert entry.is_active

    revoked = package_receive(data=send(nation, city, [debtor(uscc, op="revocation")], sequence=2,
                                        item_code="judgment_debtor"), via="pull")
    outbox_dispatch()
    assert revoked.status == "applied", revoked.document
    record.refresh_from_db()
    assert record.current_version.status == RecordStatus.REVOKED
    entry.refresh_from_db()
    assert not entry.is_active
    assert _decision(checker, uscc) != "intercept"


def _refused(receipt: Receipt, code: str) -> None:
    assert receipt.status == "refused"
    assert receipt.document["code"] == code
    assert receipt.document["message"] and receipt.document["message_en"]  # said in words, both languages
    assert receipt.signature and receipt.key_id


def test_refusals_come_with_a_clear_receipt(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    good = send(district, city, [penalty(1)])
    unsigned = zip_rewrite(good, lambda name, content: None if name == "signature.json" else content)
    _refused(package_receive(data=unsigned, via="file"), "exchange.package_unsigned")

    tampered = zip_rewrite(good, lambda name, content: content.replace(b"12345.00", b"1.00")
                           if name == "body.jsonl" else content)
    receipt = package_receive(data=tampered, via="service")
    _refused(receipt, "exchange.package_tampered")
    assert "changed" in receipt.document["message_en"]
    stored = Package.objects.get(direction="received", guid=receipt.package_guid)
    assert (stored.status, stored.error_code) == (PackageStatus.REFUSED, "exchange.package_tampered")
    assert not Record.objects.filter(source_record_id="HS-XZCF-1").exists()

    stranger = remote_node("330212", "鄞州区", "district")
    _refused(package_receive(data=send(stranger, city, [penalty(1)]), via="file"), "exchange.package_unknown_sender")
    province = remote_node("330000", "浙江省", "provincial")
    _refused(package_receive(data=send(district, province, [penalty(1)]), via="file"),
             "exchange.package_wrong_receiver")
    _refused(package_receive(data=b"PK not really", via="service"), "exchange.package_malformed")

    # The genuine package with the tampered one's GUID is still applied: a refusal never blocks it.
    assert package_receive(data=good, via="file").status == "applied"


def test_a_sequence_taken_by_another_guid_is_refused(seeded: None, city: NodeIdentity,
                                                      district: NodeIdentity) -> None:
    package_receive(data=send(district, city, [penalty(1)], sequence=1), via="file")
    receipt = package_receive(data=send(district, city, [penalty(2)], sequence=1), via="file")
    _refused(receipt, "exchange.package_sequence_reused")


def test_an_item_not_in_the_catalog_is_refused(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    _refused(package_receive(data=send(district, city, [penalty(1)], item_code="no_such_item"), via="file"),
             "exchange.package_unknown_item")


def _plain_package(*, sender_key: Any, sender_key_id: str, receiver_public: bytes, receiver_key_id: str,
                   records: list[dict[str, Any]]) -> bytes:
    """A package as a peer that is not Gongxin builds it from docs/exchange.md, with the standard library and the
    cryptography package only."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    assert isinstance(sender_key, Ed25519PrivateKey)
    guid = uuid.uuid4()
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(receiver_public))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=guid.bytes, info=b"gongxin-exchange/1 seal").derive(shared)
    lines = []
    for record in records:
        fields = dict(record["fields"])
        sealed = {}
        if "id_number" in fields:
            nonce = os.urandom(12)
            aad = f"{guid}\x00{record['source_record_id']}\x00id_number".encode()
            sealed["id_number"] = base64.b64encode(
                nonce + AESGCM(key).encrypt(nonce, fields.pop("id_number").encode(), aad)).decode()
        lines.append(json.dumps({"op": record["op"], "source_record_id": record["source_record_id"],
                                 "issuer": record["issuer"], "fields": fields, "sealed": sealed},
                                ensure_ascii=False).encode() + b"\n")  # not canonical: the hash is of these bytes
    body = b"".join(lines)
    header = {"format": "gongxin-exchange", "version": 1, "guid": str(guid), "sender": "330203",
              "receiver": "330200", "item_code": "penalty", "local_item_code": "", "mode": "incremental",
              "sequence": 1, "record_count": len(lines), "created_at": clock.local().isoformat(timespec="seconds"),
              "body_sha256": hashlib.sha256(body).hexdigest(),
              "seal": {"algorithm": "X25519-HKDF-SHA256-AES-256-GCM", "recipient_key_id": receiver_key_id,
                       "ephemeral_public": base64.b64encode(ephemeral.public_key().public_bytes_raw()).decode()},
              "signing_key_id": sender_key_id}
    signed = json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("header.json", json.dumps(header, indent=2))  # any spelling: the canonical form is signed
        archive.writestr("body.jsonl", body)
        signature = base64.b64encode(sender_key.sign(signed)).decode()
        archive.writestr("signature.json", json.dumps({"algorithm": "Ed25519", "key_id": sender_key_id,
                                                       "signature": signature}))
    return out.getvalue()


def test_a_peer_that_is_not_gongxin_speaks_the_same_files(seeded: None, city: NodeIdentity) -> None:
    other = remote_node("330203", "海曙区（其他厂商平台）", "district")
    register(other, direction="downstream")
    rin = rin_new()
    person = penalty(7, subject_name="赵六", subject_category="person", id_number=rin)
    person["fields"].pop("uscc")
    data = _plain_package(sender_key=other.current.signing, sender_key_id=other.current.key_id,
                          receiver_public=city.current.sealing_public, receiver_key_id=city.current.key_id,
                          records=[penalty(6), person])
    receipt = package_receive(data=data, via="file")

    assert receipt.status == "applied", receipt.document
    assert receipt.document["counts"]["applied"] == 2
    assert Record.objects.get(source_record_id="HS-XZCF-7").subject.person.rin_hash == rin_lookup_hash(rin)


@pytest.mark.parametrize("resend", [False, True])
def test_a_package_left_half_applied_is_finished_once(seeded: None, city: NodeIdentity, district: NodeIdentity,
                                                       resend: bool) -> None:
    """A process stopped after the package was accepted and its first batch began: the next pass (or the sender
    sending the same package again) finishes it, and nothing is written twice."""
    from gongxin.exchange.services import packages_resume

    data = send(district, city, [penalty(1), penalty(2)])
    receipt = package_receive(data=data, via="file")
    guid = receipt.package_guid
    # Put the package back where a killed process leaves it: accepted, file kept, its batch half done.
    package = Package.objects.get(guid=guid, direction="received")
    from gongxin.exchange.services import _stored_copy

    path = _stored_copy(data, guid)
    Receipt.objects.filter(package_guid=guid).delete()
    Package.objects.filter(pk=package.pk).update(status=PackageStatus.APPLYING, file_path=str(path), applied=0)
    from gongxin.ingest.models import Batch

    batch = Batch.objects.get(pk=package.batches[""])
    Batch.objects.filter(pk=batch.pk).update(status="running", rows_done=1, owner="dead-run", heartbeat_at=None)

    if resend:
        again = package_receive(data=data, via="file")
    else:
        assert packages_resume() == 1
        again = Receipt.objects.get(package_guid=guid)
    assert again.status == "applied"
    assert Record.objects.filter(source_record_id__in=["HS-XZCF-1", "HS-XZCF-2"]).count() == 2
    assert all(r.versions.count() == 1 for r in Record.objects.filter(source_record_id__startswith="HS-XZCF"))


def test_a_package_another_process_is_applying_is_answered_held(seeded: None, city: NodeIdentity,
                                                                district: NodeIdentity) -> None:
    """Sent again while a live run applies it: not applied a second time, answered 'held' until its receipt exists."""
    from gongxin.ingest.locking import run_token
    from gongxin.ingest.models import Batch

    data = send(district, city, [penalty(1)])
    guid = package_receive(data=data, via="service").package_guid
    package = Package.objects.get(guid=guid, direction="received")
    Receipt.objects.filter(package_guid=guid).delete()
    Package.objects.filter(pk=package.pk).update(status=PackageStatus.APPLYING)
    Batch.objects.filter(pk=package.batches[""]).update(status="running", owner=run_token())  # a live run holds it

    again = package_receive(data=data, via="service")
    assert (again.status, again.document["code"]) == ("held", "exchange.package_being_applied")
    assert again.pk is None and not Receipt.objects.filter(package_guid=guid).exists()
    assert Record.objects.get(source_record_id="HS-XZCF-1").versions.count() == 1
