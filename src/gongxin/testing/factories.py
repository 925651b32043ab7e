"""Real rows for tests of any app, written through the owning apps' services.

Subjects are registered with ``subjects.services``; records are submitted with
``records.services.record_submit`` against the catalog seeded by ``catalog/0002_seed`` (items
"penalty", "licence", "honour" ...), so their clocks come from the real policies. Marks (objection,
repair) are versions appended with ``records.services.record_version_append``.

Accounts and API clients are factory-boy factories (``UserFactory`` with a trait per role,
``DepartmentFactory``, ``ApiCallerFactory``); ``gongxin.testing.personas`` builds the personas on them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import factory
from django.db import transaction
from django.test import Client
from factory.django import DjangoModelFactory

from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import Viewer, viewer_for_client
from gongxin.catalog.choices import DisclosureLevel
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.selectors import item_by_code
from gongxin.core import clock
from gongxin.records.choices import ChangeKind
from gongxin.records.models import Record
from gongxin.records.services import record_submit, record_version_append
from gongxin.subjects.choices import OrganizationKind
from gongxin.subjects.identifiers import rin_generate, uscc_generate
from gongxin.subjects.models import Subject
from gongxin.subjects.services import organization_register, person_register

_sequence = itertools.count(1)

# Writes in tests are made by an administrator (who may write for any source unit).
ADMIN = Viewer(label="tests", role=Role.ADMIN, user_id=None)

SOURCE_UNIT_NAME = "宁波市市场监督管理局"
SOURCE_UNIT_USCC = uscc_generate(prefix="11", division="330200", org_code="MB1234567")


def uscc_new(*, prefix: str = "91", division: str = "330200") -> str:
    """A valid, unique USCC (Ningbo enterprise by default)."""
    return uscc_generate(prefix=prefix, division=division, org_code=f"{next(_sequence):08d}X")


def organization_create(
    *,
    name: str,
    uscc: str | None = None,
    legal_representative: str = "张三",
    industry: str = "软件和信息技术服务业",
    address: str = "浙江省宁波市鄞州区首南街道1号",
    registration_date: date | None = date(2015, 3, 18),
) -> Subject:
    subject = organization_register(
        uscc=uscc or uscc_new(),
        name=name,
        org_kind=OrganizationKind.ENTERPRISE,
        region_code="330212",
        industry=industry,
        legal_representative=legal_representative,
        registration_date=registration_date,
        address=address,
        actor_label="tests",
    )
    return Subject.objects.select_related("organization").get(pk=subject.pk)


def person_create(*, name: str) -> Subject:
    rin = rin_generate(area="330203", birth_date=date(1990, 1, 1), sequence=next(_sequence) % 999 + 1)
    return person_register(rin=rin, name=name, region_code="330203", actor_label="tests")


def source_unit_create(*, code: str = "scjgj", name: str = SOURCE_UNIT_NAME,
                       domain: str = "market_regulation") -> SourceUnit:
    department = Department.objects.create(code=code, name=name, region_code="330200", uscc=SOURCE_UNIT_USCC)
    return SourceUnit.objects.create(department=department, domain=domain)


def seeded_item(code: str) -> CatalogItem:
    """An item of the current catalog edition seeded by the catalog app's data migration."""
    return item_by_code(code)


def internal_item_create() -> CatalogItem:
    """A copy of the penalty item that is for internal use only (never disclosed to the public)."""
    penalty = seeded_item("penalty")
    return CatalogItem.objects.create(
        edition=penalty.edition, code="internal_penalty", name="内部监管线索", subject_kinds=penalty.subject_kinds,
        category=penalty.category, record_kind=penalty.record_kind, polarity=penalty.polarity,
        fields=penalty.fields, natural_key=penalty.natural_key, decision_date_field=penalty.decision_date_field,
        disclosure_level=DisclosureLevel.INTERNAL, default_severity=penalty.default_severity,
        legal_basis=penalty.legal_basis,
    )


def _subject_part(subject: Subject) -> dict[str, Any]:
    if subject.kind == "organization":
        return {"subject_name": subject.name, "subject_category": "organization",
                "uscc": subject.organization.uscc}
    return {"subject_name": subject.name, "subject_category": "person"}


def record_create(*, subject: Subject, source_unit: SourceUnit, item: CatalogItem, payload: dict[str, Any],
            severity: str | None = None) -> Record:
    """A record of ``item`` about ``subject``, submitted for ``source_unit`` by an administrator."""
    result = record_submit(
        source_unit=source_unit, item=item, source_record_id=f"R{next(_sequence)}", subject=subject,
        payload=payload, actor=ADMIN, severity=severity,
    )
    return Record.objects.select_related("current_version").get(pk=result.record.pk)


def penalty_create(
    *,
    subject: Subject,
    source_unit: SourceUnit,
    decided: date | None = None,
    item: CatalogItem | None = None,
    **payload: Any,
) -> Record:
    """A fine (a general penalty) decided ``decided`` (default: 60 days ago)."""
    decided = decided or clock.today() - timedelta(days=60)
    values: dict[str, Any] = {
        **_subject_part(subject),
        "legal_representative": "张三",
        "id_type": "身份证",
        "id_number": "330203199001010012",
        "decision_number": f"甬市监罚〔{decided.year}〕{next(_sequence)}号",
        "violation_type": "销售不符合食品安全标准的食品",
        "violation_facts": "当事人销售超过保质期的预包装食品。",
        "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "penalty_types": "罚款",
        "penalty_content": "罚款人民币贰万伍仟元",
        "fine_amount": "25000.00",  # yuan (the column is 罚款金额（万元）: 2.5 万元)
        "decision_date": decided.isoformat(),
        "penalty_valid_until": (decided + timedelta(days=365)).isoformat(),
        "authority_name": SOURCE_UNIT_NAME,
        "authority_uscc": SOURCE_UNIT_USCC,
        "data_source_unit": SOURCE_UNIT_NAME,
        "data_source_uscc": SOURCE_UNIT_USCC,
    }
    values.update(payload)
    return record_create(subject=subject, source_unit=source_unit, item=item or seeded_item("penalty"), payload=values)


def licence_create(*, subject: Subject, source_unit: SourceUnit, decided: date | None = None) -> Record:
    decided = decided or clock.today() - timedelta(days=400)
    values = {
        **_subject_part(subject),
        "licence_document_name": "食品经营许可决定书",
        "licence_decision_number": f"甬市监许〔{decided.year}〕{next(_sequence)}号",
        "licence_category": "ordinary",
        "certificate_name": "食品经营许可证",
        "licence_number": "JY13302120001234",
        "licence_content": "预包装食品销售",
        "decision_date": decided.isoformat(),
        "valid_from": decided.isoformat(),
        "valid_to": "2099-12-31",
        "authority_name": SOURCE_UNIT_NAME,
        "authority_uscc": SOURCE_UNIT_USCC,
        "data_source_unit": SOURCE_UNIT_NAME,
        "data_source_uscc": SOURCE_UNIT_USCC,
    }
    return record_create(subject=subject, source_unit=source_unit, item=seeded_item("licence"), payload=values)


def honour_create(*, subject: Subject, source_unit: SourceUnit, honour: str = "守合同重信用企业") -> Record:
    values = {
        **_subject_part(subject),
        "honour_name": honour,
        "honour_level": "市级",
        "decision_number": f"甬市监〔2026〕{next(_sequence)}号",
        "awarding_authority": SOURCE_UNIT_NAME,
        "award_date": (clock.today() - timedelta(days=10)).isoformat(),
    }
    return record_create(subject=subject, source_unit=source_unit, item=seeded_item("honour"), payload=values)


def record_mark(*, record: Record, change: str, **marks: Any) -> Record:
    """Append a version that sets marks (``under_objection=True``, ``repaired=True`` ...)."""
    with transaction.atomic():
        record_version_append(record=record, change=change, actor=ADMIN, reason="tests", **marks)
    return Record.objects.select_related("current_version").get(pk=record.pk)


def objection_mark(record: Record) -> Record:
    return record_mark(record=record, change=ChangeKind.OBJECTION_MARKED, under_objection=True)


def repair_mark(record: Record) -> Record:
    return record_mark(record=record, change=ChangeKind.REPAIRED, repaired=True)


# --- Accounts and API clients (factory-boy) ---------------------------------------------------------------

PASSWORD = "correct horse battery staple"  # every test account's password (browser sign-in types it)


class DepartmentFactory(DjangoModelFactory):
    """A department (a source unit's, a bank's, a business system's owner)."""

    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"T-DEPT-{n:04d}")
    name = factory.Sequence(lambda n: f"宁波市测试部门{n}")
    region_code = "330200"


class UserFactory(DjangoModelFactory):
    """An account made with ``create_user`` (so the password is hashed); a trait per role:
    ``UserFactory(staff=True)``, ``UserFactory(operator=True, department=unit.department)``,
    ``UserFactory(agent=True, subject=acme)``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    password = PASSWORD
    role = Role.PUBLIC
    subject = None
    department = None
    email = ""
    display_name = ""

    class Params:
        person = factory.Trait(role=Role.PERSON)
        agent = factory.Trait(role=Role.ORG_AGENT)
        operator = factory.Trait(role=Role.OPERATOR)
        staff = factory.Trait(role=Role.STAFF)
        auditor = factory.Trait(role=Role.AUDITOR)
        admin = factory.Trait(role=Role.ADMIN)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


@dataclass
class ApiCaller:
    """A business system calling the API: its client row and its key (shown once, at registration)."""

    client: ApiClient
    key: str

    @property
    def viewer(self) -> Viewer:
        return viewer_for_client(self.client)

    def http(self) -> Client:
        return Client(headers={"X-API-Key": self.key})


class ApiCallerFactory(factory.Factory):
    """An API client registered through ``accounts.services.api_client_create`` (never a bare row)."""

    class Meta:
        model = ApiCaller

    name = factory.Sequence(lambda n: f"测试业务系统{n}")
    department = factory.SubFactory(DepartmentFactory)
    scopes: list[str] = []
    rate_limit_per_minute = 600

    @classmethod
    def _create(cls, model_class: type[ApiCaller], *args: Any, **kwargs: Any) -> ApiCaller:
        client, key = api_client_create(**kwargs)
        return model_class(client=client, key=key)

    @classmethod
    def _build(cls, model_class: type[ApiCaller], *args: Any, **kwargs: Any) -> ApiCaller:
        raise NotImplementedError("an API client exists only once registered: use create()")
