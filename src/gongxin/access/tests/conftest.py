"""Personas of the consent and inquiry tests, as real rows written through the owning apps' services.

- ``acme`` — an organization with a penalty (public), a licence (public) and a tax arrears record
  (an item disclosed only under authorization); ``acme_agent`` signs in for it.
- ``li`` — a natural person (RIN ``LI_RIN``) with a penalty; ``li_user`` is her own account.
- ``banker`` — a loan officer's account at a bank (no subject); ``bank_client`` — the bank's API
  client; ``tax_client`` — a government system with ``records:share``; ``staff`` — credit office staff.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import Viewer, viewer_for_client, viewer_for_user
from gongxin.catalog.choices import DisclosureLevel
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.core import clock
from gongxin.records.models import Record
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.models import Subject
from gongxin.subjects.services import person_register
from gongxin.testing import factories
from gongxin.testing.personas import user_create
from gongxin.testing.records import (  # noqa: F401 - a unit, its operator and two subjects (disclosure tests)
    market_operator,
    market_unit,
    organization,
    person,
)

LI_RIN = rin_generate(area="330203", birth_date=date(1988, 5, 17), sequence=246)
ID_NUMBER = "330203199001010012"  # the personal field in the penalty payloads (factories.penalty_create)


def authorized_item_create() -> CatalogItem:
    """A copy of the penalty item disclosed only under the subject's authorization (e.g. tax arrears)."""
    penalty = factories.seeded_item("penalty")
    return CatalogItem.objects.create(
        edition=penalty.edition, code="tax_arrears", name="欠税信息", subject_kinds=penalty.subject_kinds,
        category=penalty.category, record_kind=penalty.record_kind, polarity=penalty.polarity,
        fields=penalty.fields, natural_key=penalty.natural_key, decision_date_field=penalty.decision_date_field,
        disclosure_level=DisclosureLevel.AUTHORIZED, default_severity=penalty.default_severity,
        legal_basis=penalty.legal_basis,
    )




def in_days(days: int) -> datetime:
    return clock.now() + timedelta(days=days)


@pytest.fixture
def unit(seeded: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def authorized_item(seeded: None) -> CatalogItem:
    return authorized_item_create()


@pytest.fixture
def acme(seeded: None) -> Subject:
    return factories.organization_create(name="宁波甬信示范科技有限公司")


@pytest.fixture
def acme_records(acme: Subject, unit: SourceUnit, authorized_item: CatalogItem) -> dict[str, Record]:
    return {
        "penalty": factories.penalty_create(subject=acme, source_unit=unit),
        "licence": factories.licence_create(subject=acme, source_unit=unit),
        "tax_arrears": factories.penalty_create(subject=acme, source_unit=unit, item=authorized_item,
                                                violation_facts="欠缴增值税"),
    }


@pytest.fixture
def other_org(seeded: None) -> Subject:
    return factories.organization_create(name="宁波另一家贸易有限公司")


@pytest.fixture
def li(seeded: None) -> Subject:
    return person_register(rin=LI_RIN, name="李晓梅", region_code="330203", actor_label="tests")


@pytest.fixture
def li_records(li: Subject, unit: SourceUnit) -> dict[str, Record]:
    return {"penalty": factories.penalty_create(subject=li, source_unit=unit)}


@pytest.fixture
def acme_agent(acme: Subject) -> User:
    return user_create("acme-agent", role=Role.ORG_AGENT, subject=acme, display_name="王经办")


@pytest.fixture
def other_agent(other_org: Subject) -> User:
    return user_create("other-agent", role=Role.ORG_AGENT, subject=other_org)


@pytest.fixture
def li_user(li: Subject) -> User:
    return user_create("li-xiaomei", role=Role.PERSON, subject=li)


@pytest.fixture
def bank(db: None) -> Department:
    return Department.objects.create(code="NB-BANK-01", name="宁波某商业银行", region_code="330200")


@pytest.fixture
def banker(db: None) -> User:
    return user_create("banker", display_name="陈信贷")


@pytest.fixture
def bank_client_and_key(bank: Department) -> tuple[ApiClient, str]:
    return api_client_create(name="某银行信贷系统", department=bank, scopes=[Scope.SUBJECTS_READ])


@pytest.fixture
def bank_client(bank_client_and_key: tuple[ApiClient, str]) -> ApiClient:
    return bank_client_and_key[0]


@pytest.fixture
def bank_key(bank_client_and_key: tuple[ApiClient, str]) -> str:
    return bank_client_and_key[1]


@pytest.fixture
def tax_key(db: None) -> str:
    department = Department.objects.create(code="NB-SW", name="国家税务总局宁波市税务局", region_code="330200")
    return api_client_create(name="税务业务系统", department=department, scopes=[Scope.RECORDS_SHARE])[1]


@pytest.fixture
def staff(db: None) -> User:
    return user_create("office-staff", role=Role.STAFF)


@pytest.fixture
def acme_viewer(acme_agent: User) -> Viewer:
    return viewer_for_user(acme_agent)


@pytest.fixture
def li_viewer(li_user: User) -> Viewer:
    return viewer_for_user(li_user)


@pytest.fixture
def bank_viewer(bank_client: ApiClient) -> Viewer:
    return viewer_for_client(bank_client)


def api(client: Client, method: str, path: str, body: dict[str, Any] | None = None, key: str = "") -> Any:
    headers = {"X-API-Key": key} if key else {}
    url = f"/api/v1{path}"
    if method == "get":
        return client.get(url, body or {}, headers=headers)
    return client.post(url, body or {}, content_type="application/json", headers=headers)
