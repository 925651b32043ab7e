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
from gongxin.core import clock
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.benefits import library_department, library_key, scenario, scenarios  # noqa: F401 - fixtures
from gongxin.testing.personas import user_create

RIN_OF: dict[int, str] = {}


@pytest.fixture
def outsider_key(db: None) -> tuple[ApiClient, str]:
    department = Department.objects.create(code="NB-OTHER", name="某商户", region_code="330200")
    return api_client_create(name="无关系统", department=department, scopes=[])


def person_create(name: str) -> Subject:
    subject = factories.person_create(name=name)
    return subject


@pytest.fixture
def person(seeded: None) -> Subject:
    return factories.person_create(name="李四")


def rin_of(subject: Subject) -> str:
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.subjects.selectors import person_rin_reveal

    return person_rin_reveal(person=subject.person, viewer=SYSTEM)


@pytest.fixture
def person_user(person: Subject) -> User:
    return user_create("lisi", role=Role.PERSON, subject=person)


def consent_to(user: User, client: ApiClient, **overrides: Any) -> Consent:
    return consent_grant(subject=user.subject, grantee_client=client, purpose="信用借阅", scope=[],
                         valid_until=overrides.get("valid_until", clock.now() + timedelta(days=90)),
                         actor=viewer_for_user(user))



def api(key: str) -> Client:
    return Client(HTTP_X_API_KEY=key)
