"""Personas for commitments: an organization and its agent, a person, the receiving department's operator and
its system (API client), another department's operator, credit office staff, an outsider; records written
through the records services against the seeded catalog.

Signing day: 2026-09-30 (a Wednesday before the National Day holiday 10-01…10-07, with the make-up workday
Saturday 10-10), so deadlines counted in working days cross both.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import Department, User
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.commitments.models import CommitmentType
from gongxin.subjects.models import Subject
from gongxin.testing import factories, personas

SIGNED = date(2026, 9, 30)


def at(day: date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:00:00+08:00"), tick=False)


def user_create(username: str, *, role: str, subject: Subject | None = None,
                department: Department | None = None) -> User:
    return personas.user_create(username, role=role, subject=subject, department=department,
                                email=f"{username}@example.test")



def post_json(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture(autouse=True)
def _signing_day():
    with at(SIGNED):
        yield


@pytest.fixture
def types(seeded: None) -> None:
    """The types and the broken-commitment item of migration 0002 (``seeded`` restores them after a flush)."""


def kind(code: str) -> CommitmentType:
    return CommitmentType.objects.get(code=code)


@pytest.fixture
def unit(types: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def other_unit(types: None) -> SourceUnit:
    return factories.source_unit_create(code="NB-STHJ", name="宁波市生态环境局", domain="ecology")


@pytest.fixture
def acme(types: None) -> Subject:
    return factories.organization_create(name="宁波市鄞州区承诺测试贸易有限公司")


@pytest.fixture
def other_org(types: None) -> Subject:
    return factories.organization_create(name="宁波市海曙区旁观者有限公司")


@pytest.fixture
def person(types: None) -> Subject:
    return factories.person_create(name="李四")


@pytest.fixture
def agent(acme: Subject) -> User:
    return user_create("acme-agent", role=Role.ORG_AGENT, subject=acme)


@pytest.fixture
def person_user(person: Subject) -> User:
    return user_create("li-si", role=Role.PERSON, subject=person)


@pytest.fixture
def other_agent(other_org: Subject) -> User:
    return user_create("other-agent", role=Role.ORG_AGENT, subject=other_org)


@pytest.fixture
def operator(unit: SourceUnit) -> User:
    return user_create("scjg-operator", role=Role.OPERATOR, department=unit.department)


@pytest.fixture
def other_operator(other_unit: SourceUnit) -> User:
    return user_create("sthj-operator", role=Role.OPERATOR, department=other_unit.department)


@pytest.fixture
def staff(types: None) -> User:
    return user_create("credit-staff", role=Role.STAFF)


@pytest.fixture
def unit_system(unit: SourceUnit) -> tuple[Any, str]:
    """The receiving department's business system (it writes its records and submits signed commitments)."""
    return api_client_create(name="市场监管审批系统", department=unit.department,
                             scopes=[Scope.RECORDS_WRITE, Scope.SUBJECTS_READ])


def as_viewer(user: User) -> Viewer:
    return viewer_for_user(user)


def sign_kwargs(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "matter_code": "FOOD-LICENCE-NEW",
        "matter_name": "食品经营许可（新办）",
        "signer_name": "王五",
        "accepted": True,
    }
    values.update(overrides)
    return values
