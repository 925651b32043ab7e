"""Personas for credit repair: an organization with a negative record and its agent, the deciding source
unit's operator, another unit's operator, credit office staff; records written through the services.

Dates: applications filed on 2026-09-30 (a Wednesday before the National Day holiday, 10-01…10-07, with
the make-up workday Saturday 10-10) give deadlines that cross both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department, User
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.records.models import Record
from gongxin.subjects.models import Subject
from gongxin.testing import factories, personas

FILED = date(2026, 9, 30)


def at(day: date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:00:00+08:00"), tick=False)


def user_create(username: str, *, role: str, subject: Subject | None = None,
                department: Department | None = None) -> User:
    return personas.user_create(username, role=role, subject=subject, department=department,
                                email=f"{username}@example.test")



@pytest.fixture(autouse=True)
def _filing_day():
    with at(FILED):
        yield


@pytest.fixture
def policies(seeded: None) -> None:
    """The repair policies of the migrations (``seeded`` restores them after a flush)."""


@pytest.fixture
def unit(policies: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def other_unit(policies: None) -> SourceUnit:
    return factories.source_unit_create(code="NB-STHJ", name="宁波市生态环境局", domain="ecology")


@pytest.fixture
def acme(policies: None) -> Subject:
    return factories.organization_create(name="宁波市鄞州区修复测试贸易有限公司")


@pytest.fixture
def other_org(policies: None) -> Subject:
    return factories.organization_create(name="宁波市海曙区旁观者有限公司")


@pytest.fixture
def penalty(acme: Subject, unit: SourceUnit) -> Record:
    """A fine (general; SAMR Order 107: publicity 3–12 months) decided 2026-05-01: the minimum publicity
    was served on 2026-08-01, so it may be repaired on the filing day."""
    return factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1))


@pytest.fixture
def agent(acme: Subject) -> User:
    return user_create("acme-agent", role=Role.ORG_AGENT, subject=acme)


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
def staff(policies: None) -> User:
    return user_create("credit-staff", role=Role.STAFF)


def as_viewer(user: User) -> Viewer:
    return viewer_for_user(user)


def apply_kwargs(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "statement": "已足额缴纳罚款，并下架全部过期食品，完成整改。",
        "commitment_accepted": True,
        "commitment_signer": "王五",
    }
    values.update(overrides)
    return values
