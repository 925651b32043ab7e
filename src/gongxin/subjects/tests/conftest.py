"""Personas of the subjects app's tests."""

from __future__ import annotations

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import ANONYMOUS, Viewer
from gongxin.subjects.models import Subject
from gongxin.testing import subjects as factories


@pytest.fixture
def organization(db: None) -> Subject:
    return factories.organization_create(name="宁波甬江贸易有限公司")


@pytest.fixture
def person(db: None) -> Subject:
    return factories.person_create(name="李四")


@pytest.fixture
def outsider() -> Viewer:
    return ANONYMOUS


@pytest.fixture
def staff_viewer() -> Viewer:
    return Viewer(label="user:staff", role=Role.STAFF, user_id=900)
