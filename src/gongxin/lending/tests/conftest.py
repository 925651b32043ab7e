"""Personas for lending: a firm with records and its agent, a second firm, two lenders (API clients),
an outsider client, staff; the seeded data items and fund."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.lending.models import Lender
from gongxin.lending.services import lender_authorize
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.personas import user_create


@pytest.fixture
def lending_data(seeded: None) -> None:
    """The lending data items and the fund of migration 0002 (``seeded`` restores them after a flush)."""


@pytest.fixture
def unit(lending_data: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def firm(unit: SourceUnit) -> Subject:
    subject = factories.organization_create(name="宁波市鄞州区信贷测试制造有限公司")
    factories.penalty_create(subject=subject, source_unit=unit, decided=date(2026, 5, 1))
    factories.licence_create(subject=subject, source_unit=unit)
    return subject


@pytest.fixture
def other_firm(unit: SourceUnit) -> Subject:
    return factories.organization_create(name="宁波市海曙区未授权贸易有限公司")


def _lender(code: str, name: str) -> tuple[Lender, str]:
    department = Department.objects.create(code=f"BANK-{code}", name=name, region_code="330200")
    client, key = api_client_create(name=f"{name}信贷系统", department=department, scopes=[])
    return Lender.objects.create(code=code, name=name, client=client), key


@pytest.fixture
def bank(lending_data: None) -> tuple[Lender, str]:
    return _lender("nbbank", "宁波银行")


@pytest.fixture
def other_bank(lending_data: None) -> tuple[Lender, str]:
    return _lender("otherbank", "另一家银行")


@pytest.fixture
def outsider_key(db: None) -> tuple[ApiClient, str]:
    department = Department.objects.create(code="NB-X", name="某系统", region_code="330200")
    return api_client_create(name="无关系统", department=department, scopes=[])


@pytest.fixture
def agent(firm: Subject) -> User:
    return user_create("firm-agent", role=Role.ORG_AGENT, subject=firm)


def authorize(agent: User, lender: Lender, days: int = 180):
    return lender_authorize(subject=agent.subject, lender=lender, valid_until=clock.now() + timedelta(days=days),
                            actor=viewer_for_user(agent))



def api(key: str) -> Client:
    return Client(HTTP_X_API_KEY=key)
