"""Personas of the objection tests, as real rows written through the owning apps' services.

- ``acme`` — an organization with a general penalty from the market regulation bureau (``unit``);
  ``acme_agent`` files for it (with an e-mail address, so notices are mailed).
- ``staff`` — credit office staff; ``operator`` — an operator of ``unit``; ``other_operator`` — an
  operator of another source unit; ``other_agent`` — an agent of another organization.
- The clock stands still at 2026-09-28 10:00 (Shanghai), the Monday before the National Day holiday
  (2026-10-01 … 10-07; Saturday 10-10 is a make-up workday).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.records.models import Record
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.personas import user_create

START = date(2026, 9, 28)


def travel(day: date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} {hour:02d}:00 +0800", tick=False)


@pytest.fixture(autouse=True)
def clock_at_start() -> Iterator[time_machine.Traveller]:
    with travel(START) as traveller:
        yield traveller




def api(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    url = f"/api/v1/objections{path}"
    if method == "get":
        return client.get(url, body or {})
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def unit(seeded: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def other_unit(seeded: None) -> SourceUnit:
    return factories.source_unit_create(code="sthjj", name="宁波市生态环境局", domain="ecology")


@pytest.fixture
def acme(seeded: None) -> Subject:
    return factories.organization_create(name="宁波甬信异议测试有限公司")


@pytest.fixture
def penalty(acme: Subject, unit: SourceUnit) -> Record:
    return factories.penalty_create(subject=acme, source_unit=unit, decided=START - timedelta(days=60))


@pytest.fixture
def acme_agent(acme: Subject) -> User:
    return user_create("acme-agent", role=Role.ORG_AGENT, subject=acme, email="agent@acme.example.cn")


@pytest.fixture
def other_agent(seeded: None) -> User:
    other = factories.organization_create(name="宁波另一家异议测试有限公司")
    return user_create("other-agent", role=Role.ORG_AGENT, subject=other)


@pytest.fixture
def staff(db: None) -> User:
    return user_create("office-staff", role=Role.STAFF)


@pytest.fixture
def operator(unit: SourceUnit) -> User:
    return user_create("market-operator", role=Role.OPERATOR, department=unit.department)


@pytest.fixture
def other_operator(other_unit: SourceUnit) -> User:
    return user_create("ecology-operator", role=Role.OPERATOR, department=other_unit.department)


@pytest.fixture
def agent_viewer(acme_agent: User) -> Viewer:
    return viewer_for_user(acme_agent)


@pytest.fixture
def staff_viewer(staff: User) -> Viewer:
    return viewer_for_user(staff)


@pytest.fixture
def operator_viewer(operator: User) -> Viewer:
    return viewer_for_user(operator)

