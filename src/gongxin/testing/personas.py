"""Who acts in a test: accounts, their sessions and their viewers.

Names mean one thing in every app: a bare persona name (``staff``, ``auditor``, ``admin``, ``operator``,
``agent``) is a ``User``; ``<persona>_viewer`` is the ``Viewer`` that services and selectors take for it;
``anon_viewer`` is the anonymous visitor. An app's conftest overrides a persona when its tests need another
login name or another subject, building it with ``user_create`` so every account is made one way.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department, User
from gongxin.accounts.viewer import ANONYMOUS, Viewer, viewer_for_user
from gongxin.subjects.models import Subject
from gongxin.testing.factories import PASSWORD, ApiCaller, ApiCallerFactory, UserFactory
from gongxin.testing.second_factor import second_factor_on_login

__all__ = [
    "PASSWORD", "ApiCaller", "api_caller_create", "api_http", "signed_in", "user_create",
]


def user_create(username: str, *, role: str = Role.PUBLIC, subject: Subject | None = None,
                department: Department | None = None, email: str = "", display_name: str = "",
                password: str = PASSWORD) -> User:
    """An account of ``role`` (a person's or an agent's with its ``subject``, an operator's with its
    ``department``), signed in with ``password``."""
    return UserFactory.create(username=username, password=password, role=role, subject=subject, department=department,
                       email=email, display_name=display_name)


def signed_in(user: User, *, second_factor: bool = True) -> Client:
    """A test client with ``user``'s session (the login helper of page and session-API tests). A government
    user's session is verified with a second factor unless ``second_factor`` is False (gongxin.testing
    .second_factor); for others it changes nothing."""
    client = Client()
    with second_factor_on_login(second_factor):
        client.force_login(user)
    return client


def api_caller_create(*, name: str, department: Department, scopes: list[str] | None = None,
                      rate_limit_per_minute: int = 600) -> ApiCaller:
    """A business system registered as an API client of ``department``."""
    return ApiCallerFactory.create(name=name, department=department, scopes=list(scopes or []),
                            rate_limit_per_minute=rate_limit_per_minute)


def api_http(key: str, **extra: Any) -> Client:
    """A test client that sends ``key`` as the API key on every request."""
    return Client(HTTP_X_API_KEY=key, **extra)


@pytest.fixture
def anon_viewer() -> Viewer:
    """The anonymous visitor."""
    return ANONYMOUS


@pytest.fixture
def public_user(db: None) -> User:
    """A signed-in member of the public (no subject, no department)."""
    return user_create("public-member", role=Role.PUBLIC)


@pytest.fixture
def public_viewer(public_user: User) -> Viewer:
    return viewer_for_user(public_user)


@pytest.fixture
def staff(db: None) -> User:
    """Credit office staff."""
    return user_create("credit-staff", role=Role.STAFF)


@pytest.fixture
def staff_viewer(staff: User) -> Viewer:
    return viewer_for_user(staff)


@pytest.fixture
def auditor(db: None) -> User:
    return user_create("credit-auditor", role=Role.AUDITOR)


@pytest.fixture
def auditor_viewer(auditor: User) -> Viewer:
    return viewer_for_user(auditor)


@pytest.fixture
def admin(db: None) -> User:
    """The platform's administrator (a role, not Django's superuser: see pytest-django's ``admin_user``)."""
    return user_create("platform-admin", role=Role.ADMIN)


@pytest.fixture
def admin_viewer(admin: User) -> Viewer:
    return viewer_for_user(admin)
