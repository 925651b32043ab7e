"""Relations as data: a registration-relation record -> the ``subjects.Relation`` projection (through the outbox),
its correction, its end date and its revocation; the party's identity number sealed in the stored payload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gongxin.catalog.models import SourceUnit
from gongxin.core.events import RELATION_ADDED, RELATION_CORRECTED, RELATION_ENDED
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import outbox_dispatch
from gongxin.records.models import Record
from gongxin.records.personal import is_sealed
from gongxin.records.services import record_revoke, record_submit
from gongxin.subjects.associations import related_subjects
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.models import Relation, Subject
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def relation_payload(firm: Subject, *, number: str, kind: str = "legal_representative", rin: str = "",
                     party: Subject | None = None, share: str = "", end: str = "", name: str = "李四"
                     ) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "subject_name": firm.name, "subject_category": "organization", "uscc": firm.organization.uscc,
        "relation_number": number, "relation_kind": kind, "start_date": "2020-05-01",
        "authority_name": "宁波市市场监督管理局",
    }
    if party is not None:
        payload.update(party_name=party.name, party_category="organization", party_uscc=party.organization.uscc)
    else:
        payload.update(party_name=name, party_category="person", party_id_number=rin)
    if share:
        payload["share_ratio"] = share
    if end:
        payload["end_date"] = end
    return payload


def submit(unit: SourceUnit, firm: Subject, payload: dict[str, Any]) -> Record:
    result = record_submit(source_unit=unit, item=factories.seeded_item("registration_relation"),
                           source_record_id=None, subject=firm, payload=payload, actor=factories.ADMIN)
    outbox_dispatch()
    return result.record


def topics() -> list[str]:
    return list(OutboxEvent.objects.filter(topic__startswith="subjects.relation.").order_by("pk")
                .values_list("topic", flat=True))


def test_a_record_becomes_a_relation_corrected_ended_and_revoked(seeded: None) -> None:
    unit = factories.source_unit_create()
    firm = factories.organization_create(name="宁波关联测试有限公司")
    holder = factories.organization_create(name="宁波控股有限公司")
    rin = rin_generate(area="330203", birth_date=date(1980, 2, 3), sequence=17)

    record = submit(unit, firm, relation_payload(firm, number="GX-1", rin=rin))
    stored = Record.objects.get(pk=record.pk).current_version.packed_payload
    assert any(is_sealed(v) for v in stored if isinstance(v, str)) or is_sealed(
        Record.objects.get(pk=record.pk).current_version.payload["party_id_number"])
    assert rin not in str(stored)  # the number exists only sealed
    relation = Relation.objects.get(record_ref=record.pk)
    person = relation.from_subject
    assert (person.kind, relation.to_subject_id, relation.kind) == ("person", firm.pk, "legal_representative")
    assert relation.start_date == date(2020, 5, 1) and relation.end_date is None
    assert topics() == [RELATION_ADDED]

    shares = submit(unit, firm, relation_payload(firm, number="GX-2", kind="shareholder", party=holder, share="35"))
    assert Relation.objects.get(record_ref=shares.pk).share_ratio == Decimal("0.3500")
    # A correction changes the row (the same record, new content) ...
    submit(unit, firm, relation_payload(firm, number="GX-2", kind="shareholder", party=holder, share="40"))
    assert Relation.objects.get(record_ref=shares.pk).share_ratio == Decimal("0.4000")
    # ... handling the same events again changes nothing (idempotent) ...
    from gongxin.monitoring.relations import relations_project

    assert relations_project([record.pk, shares.pk])["unchanged"] == 2
    # ... an end date ends it, and "as of" still sees it before that day.
    submit(unit, firm, relation_payload(firm, number="GX-1", rin=rin, end="2026-09-01"))
    assert Relation.objects.get(record_ref=record.pk).end_date == date(2026, 9, 1)
    assert person.pk not in {a.subject_id for a in related_subjects(subject_id=firm.pk, as_of=date(2026, 9, 1))}
    assert person.pk in {a.subject_id for a in related_subjects(subject_id=firm.pk, as_of=date(2026, 8, 31))}
    # A revocation ends it on the day of revocation.
    record_revoke(record=Record.objects.get(pk=shares.pk), actor=factories.ADMIN, reason="登记错误")
    outbox_dispatch()
    ended = Relation.objects.get(record_ref=shares.pk)
    assert ended.end_date is not None
    assert topics() == [RELATION_ADDED, RELATION_ADDED, RELATION_CORRECTED, RELATION_ENDED, RELATION_ENDED]
    assert Relation.objects.count() == 2  # rows are ended, never deleted


def test_an_unknown_party_is_registered_and_a_self_relation_is_skipped(seeded: None) -> None:
    unit = factories.source_unit_create()
    firm = factories.organization_create(name="宁波自我关联有限公司")
    stranger_uscc = factories.uscc_new()
    payload = relation_payload(firm, number="GX-9", kind="branch")
    payload.update(party_name="宁波某分公司", party_category="organization", party_uscc=stranger_uscc)
    payload.pop("party_id_number", None)
    record = submit(unit, firm, payload)
    branch = Relation.objects.get(record_ref=record.pk).from_subject
    assert branch.organization.uscc == stranger_uscc and branch.needs_enrichment
    own = relation_payload(firm, number="GX-10", kind="shareholder", party=firm, share="10")
    record = submit(unit, firm, own)
    assert not Relation.objects.filter(record_ref=record.pk).exists()


def test_relations_arrive_by_file_and_push_and_a_pushed_revocation_ends_one(seeded: None, tmp_path: Any) -> None:
    from gongxin.ingest.services import batch_ingest_file, batch_push

    unit = factories.source_unit_create()
    item = factories.seeded_item("registration_relation")
    firm = factories.organization_create(name="宁波归集关联有限公司")
    holder = factories.organization_create(name="宁波归集控股有限公司")
    rin = rin_generate(area="330203", birth_date=date(1970, 7, 7), sequence=23)
    # A file with the catalog's Chinese headers (the party's number a personal column).
    path = tmp_path / "登记关系.csv"
    path.write_text(
        "企业名称,主体类别,统一社会信用代码,关系登记编号,关系类型,关联方名称/姓名,关联方类别,关联方证件号码,"
        "持股比例（%）,起始日期,登记机关\n"
        f"{firm.name},法人及非法人组织,{firm.organization.uscc},F-1,法定代表人,周文件,自然人,{rin},,2021-01-05,"
        "宁波市市场监督管理局\n", encoding="utf-8")
    batch = batch_ingest_file(path=path, source_unit=unit, item=item, actor=factories.ADMIN)
    assert batch.inserted == 1, list(batch.issues.values_list("code", "reason"))
    outbox_dispatch()
    person_relation = Relation.objects.get(to_subject=firm, kind="legal_representative")
    assert person_relation.from_subject.kind == "person" and person_relation.start_date == date(2021, 1, 5)
    # A push: a holding firm with its share, then a correction of the share, then its revocation.
    row = relation_payload(firm, number="P-1", kind="shareholder", party=holder, share="20")
    batch_push(source_unit=unit, item=item, records=[row], idempotency_key="rel-1", actor=factories.ADMIN)
    outbox_dispatch()
    holding = Relation.objects.get(to_subject=firm, from_subject=holder)
    assert holding.share_ratio == Decimal("0.2000") and holding.end_date is None
    batch_push(source_unit=unit, item=item, records=[{**row, "share_ratio": "25"}], idempotency_key="rel-2",
               actor=factories.ADMIN)
    outbox_dispatch()
    holding.refresh_from_db()
    assert holding.share_ratio == Decimal("0.2500")
    batch_push(source_unit=unit, item=item, records=[{**row, "share_ratio": "25", "revoked": True}],
               idempotency_key="rel-3", actor=factories.ADMIN)
    outbox_dispatch()
    holding.refresh_from_db()
    assert holding.end_date is not None
    assert related_subjects(subject_id=firm.pk) == [
        a for a in related_subjects(subject_id=firm.pk) if a.subject_id == person_relation.from_subject_id]
