"""Which subject a row is about: by USCC, by RIN (keyed hash; persons are created sealed), by an older code
known to the platform; unknown subjects are registered and flagged; a differing name is flagged."""

from __future__ import annotations

from datetime import date

import pytest

from gongxin.ingest.models import BatchIssue
from gongxin.ingest.services import batch_ingest_file
from gongxin.ingest.tests.conftest import COMPANY_USCC, csv_write, penalty_row
from gongxin.records.models import Record
from gongxin.subjects.identifiers import rin_generate, rin_lookup_hash
from gongxin.subjects.models import Person
from gongxin.subjects.services import identifier_add, organization_register

pytestmark = pytest.mark.django_db


def _ingest(tmp_path, rows, unit, item, actor):
    return batch_ingest_file(path=csv_write(tmp_path / "f.csv", rows), source_unit=unit, item=item, actor=actor)


def test_a_person_is_resolved_by_rin_and_registered_sealed(tmp_path, market_unit, penalty, operator, frozen_today):
    rin = rin_generate(area="330203", birth_date=date(1980, 5, 17), sequence=123)
    row = penalty_row(name="王五", uscc="", 行政相对人类别="自然人", 证件类型="身份证", 证件号码=rin,
                      number="甬市监罚〔2026〕41号")
    bad = penalty_row(name="赵六", uscc="", 行政相对人类别="自然人", 证件号码="330203198005171230",
                      number="甬市监罚〔2026〕42号")
    batch = _ingest(tmp_path, [row, bad], market_unit, penalty, operator)
    assert (batch.inserted, batch.rejected) == (1, 1)
    person = Person.objects.select_related("subject").get(rin_hash=rin_lookup_hash(rin))
    assert person.subject.name == "王五" and person.subject.needs_enrichment
    assert rin not in str(Person.objects.filter(pk=person.pk).values_list(flat=True))  # only the sealed form
    assert Record.objects.get().subject_id == person.subject_id
    issue = BatchIssue.objects.get(batch=batch, level="error")
    assert issue.code == "invalid_rin" and issue.row_number == 3 and "*" in issue.value  # masked in the report


def test_an_older_code_resolves_when_known_and_rejects_when_not(tmp_path, market_unit, penalty, operator,
                                                                frozen_today):
    subject = organization_register(uscc=COMPANY_USCC, name="宁波甲乙贸易有限公司", org_kind="enterprise",
                                    actor_label="test")
    identifier_add(subject=subject, scheme="registration_number", value="330200000012345", actor_label="test")
    known = penalty_row(uscc="", 工商注册号="330200000012345", number="甬市监罚〔2026〕51号")
    unknown = penalty_row(uscc="", 工商注册号="330200000099999", number="甬市监罚〔2026〕52号")
    batch = _ingest(tmp_path, [known, unknown], market_unit, penalty, operator)
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert Record.objects.get().subject_id == subject.pk
    assert BatchIssue.objects.get(batch=batch, level="error").code == "subject_unresolved"


def test_a_differing_name_is_flagged_not_rejected(tmp_path, market_unit, penalty, operator, frozen_today):
    organization_register(uscc=COMPANY_USCC, name="宁波甲乙贸易有限公司", org_kind="enterprise", actor_label="test")
    batch = _ingest(tmp_path, [penalty_row(name="宁波甲乙商贸有限公司")], market_unit, penalty, operator)
    assert (batch.inserted, batch.flagged) == (1, 1)
    flag = BatchIssue.objects.get(batch=batch)
    assert flag.code == "name_differs" and flag.level == "warning" and "宁波甲乙贸易有限公司" in flag.reason_zh


def test_an_unknown_organization_is_registered_and_flagged(tmp_path, market_unit, penalty, operator, frozen_today):
    batch = _ingest(tmp_path, [penalty_row()], market_unit, penalty, operator)
    flag = BatchIssue.objects.get(batch=batch)
    assert flag.code == "subject_created" and flag.value == COMPANY_USCC
    assert "enrichment" in flag.reason_en


def test_an_organization_without_any_code_is_rejected(tmp_path, market_unit, penalty, operator, frozen_today):
    batch = _ingest(tmp_path, [penalty_row(uscc="")], market_unit, penalty, operator)
    assert batch.rejected == 1
    assert BatchIssue.objects.get(batch=batch).code == "uscc_required"
