"""Rows for the double-publicity and credit-card tests, on top of ``factories`` (same services, real clocks):
organizations in a chosen district, licences of a chosen category, list records."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from gongxin.accounts.models import Department
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.records.models import Record
from gongxin.records.services import record_submit
from gongxin.subjects.choices import OrganizationKind
from gongxin.subjects.models import Subject
from gongxin.subjects.services import organization_register
from gongxin.testing import factories

_sequence = itertools.count(1)

ECOLOGY_NAME = "宁波市生态环境局"
PERSONAL_ID = "330203199001010012"  # what factories.penalty_create puts in the personal field id_number


def organization_in(*, name: str, district: str) -> Subject:
    subject = organization_register(
        uscc=factories.uscc_new(division=district), name=name, org_kind=OrganizationKind.ENTERPRISE,
        region_code=district, legal_representative="李四", actor_label="tests",
    )
    return Subject.objects.select_related("organization").get(pk=subject.pk)


def ecology_unit_create() -> SourceUnit:
    department = Department.objects.create(code="sthjj", name=ECOLOGY_NAME, region_code="330200")
    return SourceUnit.objects.create(department=department, domain="ecology")


def _submit(*, subject: Subject, source_unit: SourceUnit, item_code: str, payload: dict[str, Any]) -> Record:
    result = record_submit(
        source_unit=source_unit, item=factories.seeded_item(item_code), source_record_id=f"P{next(_sequence)}",
        subject=subject, payload=payload, actor=factories.ADMIN,
    )
    return Record.objects.select_related("current_version").get(pk=result.record.pk)


def _subject_part(subject: Subject) -> dict[str, Any]:
    if subject.kind == "organization":
        return {"subject_name": subject.name, "subject_category": "organization", "uscc": subject.organization.uscc}
    return {"subject_name": subject.name, "subject_category": "person", "id_type": "身份证",
            "id_number": PERSONAL_ID}


def licence_of(*, subject: Subject, source_unit: SourceUnit, category: str = "ordinary",
               decided: date | None = None) -> Record:
    decided = decided or clock.today() - timedelta(days=30)
    return _submit(subject=subject, source_unit=source_unit, item_code="licence", payload={
        **_subject_part(subject),
        "licence_document_name": "排污许可决定书",
        "licence_decision_number": f"甬环许〔{decided.year}〕{next(_sequence)}号",
        "licence_category": category,
        "licence_content": "排放污染物",
        "decision_date": decided.isoformat(),
        "valid_from": decided.isoformat(),
        "valid_to": "2099-12-31",
        "authority_name": ECOLOGY_NAME,
        "authority_uscc": factories.SOURCE_UNIT_USCC,
        "data_source_unit": ECOLOGY_NAME,
        "data_source_uscc": factories.SOURCE_UNIT_USCC,
    })


def serious_dishonesty_of(*, subject: Subject, source_unit: SourceUnit) -> Record:
    listed = clock.today() - timedelta(days=20)
    return _submit(subject=subject, source_unit=source_unit, item_code="serious_dishonesty_list", payload={
        **_subject_part(subject),
        "list_name": "严重违法失信名单",
        "decision_number": f"甬市监失〔{listed.year}〕{next(_sequence)}号",
        "listing_reason": "提交虚假材料取得许可",
        "listing_basis": "《市场监督管理严重违法失信名单管理办法》第九条",
        "listing_date": listed.isoformat(),
        "authority_name": factories.SOURCE_UNIT_NAME,
    })


def commitment_of(*, subject: Subject, source_unit: SourceUnit) -> Record:
    committed = clock.today() - timedelta(days=5)
    return _submit(subject=subject, source_unit=source_unit, item_code="commitment", payload={
        **_subject_part(subject),
        "commitment_number": f"CN{next(_sequence):06d}",
        "commitment_type": "voluntary_public",
        "commitment_matter": "食品安全主体责任",
        "commitment_content": "依法诚信经营",
        "receiving_unit": factories.SOURCE_UNIT_NAME,
        "commitment_date": committed.isoformat(),
    })
