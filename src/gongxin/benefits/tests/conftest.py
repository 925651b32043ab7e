"""Personas for benefits: a person with an account, the library as provider (an API client), another
provider, an outsider client, staff; a test scenario whose conditions need no score (scoring may not
be installed), the seeded scenarios too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from gongxin.access.consents import consent_grant
from gongxin.access.models import Consent
from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import viewer_for_user
from gongxin.benefits.models import Provider, Scenario
from gongxin.benefits.seed import BASIS, EFFECTIVE, FEW_DEFAULTS, NOT_LISTED, scenarios_seed
from gongxin.core import clock
from gongxin.portal.tests import factories
from gongxin.records.tests.conftest import seeded  # noqa: F401  (fixture: catalog, policies, list types)
from gongxin.subjects.models import Subject

PASSWORD = "benefit-test-password-1"
RIN_OF: dict[int, str] = {}


@pytest.fixture
def scenarios(seeded: None) -> None:  # noqa: F811
    if not Scenario.objects.exists():
        scenarios_seed()


@pytest.fixture
def library_department(db: None) -> Department:
    return Department.objects.create(code="NB-LIB", name="宁波图书馆", region_code="330200")


@pytest.fixture
def library_key(scenarios: None, library_department: Department) -> tuple[ApiClient, str]:
    client, key = api_client_create(name="图书馆借阅系统", department=library_department, scopes=[])
    Provider.objects.filter(code="library").update(client=client, department=library_department)
    return client, key


@pytest.fixture
def outsider_key(db: None) -> tuple[ApiClient, str]:
    department = Department.objects.create(code="NB-OTHER", name="某商户", region_code="330200")
    return api_client_create(name="无关系统", department=department, scopes=[])


@pytest.fixture
def scenario(library_key: tuple[ApiClient, str]) -> Scenario:
    """Credit borrowing without a score condition: not black-listed, few defaults; 2 defaults suspend."""
    return Scenario.objects.create(
        code="test_borrowing", name="测试信用借阅", name_en="Test borrowing", subject_kind="person",
        provider=Provider.objects.get(code="library"),
        conditions=[NOT_LISTED, {**FEW_DEFAULTS, "rule": "benefit_defaults_12m < 5"}],
        parameters=[{"code": "books", "label": "可借册数", "label_en": "Books", "unit": "册", "value": 10}],
        default_threshold=2, default_window_months=12, suspension_months=6,
        legal_basis=BASIS, effective_from=EFFECTIVE,
    )


def person_create(name: str) -> Subject:
    subject = factories.person_create(name=name)
    return subject


@pytest.fixture
def person(seeded: None) -> Subject:  # noqa: F811
    return factories.person_create(name="李四")


def rin_of(subject: Subject) -> str:
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.subjects.selectors import person_rin_reveal

    return person_rin_reveal(person=subject.person, viewer=SYSTEM)


@pytest.fixture
def person_user(person: Subject) -> User:
    return User.objects.create_user(username="lisi", password=PASSWORD, role=Role.PERSON, subject=person)


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_user(username="credit-staff", password=PASSWORD, role=Role.STAFF)


def consent_to(user: User, client: ApiClient, **overrides: Any) -> Consent:
    return consent_grant(subject=user.subject, grantee_client=client, purpose="信用借阅", scope=[],
                         valid_until=overrides.get("valid_until", clock.now() + timedelta(days=90)),
                         actor=viewer_for_user(user))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(key: str) -> Client:
    return Client(HTTP_X_API_KEY=key)
