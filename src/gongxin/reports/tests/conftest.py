"""Personas of the reports tests: an organization with records, its agent, a person and the person's
account, a bank holding the person's consent, credit office staff, and the anonymous public.

Rows are written through the owning apps' services (gongxin.testing.factories); accounts are real users,
because reports remember who requested them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongxin.access.models import Consent
from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import ANONYMOUS, Viewer, viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.personas import user_create


@pytest.fixture
def source_unit(db: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def acme(db: None) -> Subject:
    return factories.organization_create(name="宁波市海曙区报告示例科技有限公司")


@pytest.fixture
def agent_user(acme: Subject) -> User:
    return user_create("acme-agent", role=Role.ORG_AGENT, subject=acme, display_name="示例公司经办人")


@pytest.fixture
def agent(agent_user: User) -> Viewer:
    return viewer_for_user(agent_user)


@pytest.fixture
def person(db: None) -> Subject:
    return factories.person_create(name="李四")


@pytest.fixture
def person_user(person: Subject) -> User:
    return user_create("lisi", role=Role.PERSON, subject=person, display_name="李四")


@pytest.fixture
def person_self(person_user: User) -> Viewer:
    return viewer_for_user(person_user)


@pytest.fixture
def bank_user(db: None) -> User:
    return user_create("bank", role=Role.PUBLIC, display_name="宁波示例银行信贷部")


@pytest.fixture
def bank(bank_user: User) -> Viewer:
    return viewer_for_user(bank_user)


@pytest.fixture
def bank_consent(person: Subject, bank_user: User) -> Consent:
    now = clock.now()
    return Consent.objects.create(
        subject=person, grantee_user=bank_user, grantee_label="宁波示例银行", purpose="贷款审批",
        scope=[], valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30), granted_at=now,
    )


@pytest.fixture
def staff(db: None) -> User:
    return user_create("staff", role=Role.STAFF, display_name="信用办窗口")


@pytest.fixture
def staff_viewer(staff: User) -> Viewer:
    return viewer_for_user(staff)


@pytest.fixture
def public() -> Viewer:
    return ANONYMOUS
