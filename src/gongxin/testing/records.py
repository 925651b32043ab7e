"""Fixtures of the record store: the seeded catalog, two source units with their operators, and an
organization and a person written straight into the subjects tables (for the store's own tests and the
engines reading it). ``seeded`` is registered for every test by the plugin; a conftest imports the others
it uses (``from gongxin.testing.records import market_unit, ...``)."""

from __future__ import annotations

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.core.seeds import migration_seeds_restore
from gongxin.subjects.models import Organization, Person, Subject
from gongxin.testing.payloads import uscc_with_check


@pytest.fixture
def seeded(db: None) -> None:
    """What the data migrations seed — the catalog, list types, policies, measures, models, scenarios … — restored
    after a transactional test's flush emptied it (core.seeds)."""
    migration_seeds_restore()


def _unit(code: str, name: str, domain: str) -> SourceUnit:
    department = Department.objects.create(code=code, name=name, region_code="330200")
    return SourceUnit.objects.create(department=department, domain=domain)


@pytest.fixture
def market_unit(seeded: None) -> SourceUnit:
    return _unit("NB-SCJG", "宁波市市场监督管理局", "market_regulation")


@pytest.fixture
def ecology_unit(seeded: None) -> SourceUnit:
    return _unit("NB-STHJ", "宁波市生态环境局", "ecology")


@pytest.fixture
def market_operator(market_unit: SourceUnit) -> Viewer:
    return Viewer(label="user:op-market", role=Role.OPERATOR, user_id=None, department_id=market_unit.pk)


@pytest.fixture
def ecology_operator(ecology_unit: SourceUnit) -> Viewer:
    return Viewer(label="user:op-ecology", role=Role.OPERATOR, department_id=ecology_unit.pk)


@pytest.fixture
def organization(db: None) -> Subject:
    subject = Subject.objects.create(kind="organization", name="宁波海曙甬江贸易有限公司", region_code="330203",
                                     created_at=clock.now())
    Organization.objects.create(subject=subject, uscc=uscc_with_check("91330203MA2H1234X"), org_kind="enterprise")
    return subject


@pytest.fixture
def person(db: None) -> Subject:
    subject = Subject.objects.create(kind="person", name="张三", region_code="330203", created_at=clock.now())
    Person.objects.create(subject=subject, rin_sealed="k1:x", rin_hash="0" * 64, rin_masked="330203********123X")
    return subject
