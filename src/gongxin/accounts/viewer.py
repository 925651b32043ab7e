"""``Viewer``: who is looking or acting — an anonymous visitor, a signed-in person, or an API client.

Every service and selector takes one, so rules are written once against this shape rather than
against requests, users and clients separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongxin.accounts.choices import Role


@dataclass(frozen=True)
class Viewer:
    label: str
    role: str = Role.PUBLIC
    user_id: int | None = None
    subject_id: int | None = None
    department_id: int | None = None
    client_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.client_id is None


ANONYMOUS = Viewer(label="anonymous")
SYSTEM = Viewer(label="system", role=Role.ADMIN)


def viewer_for_user(user: Any) -> Viewer:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    role = Role.ADMIN if user.is_superuser else user.role
    return Viewer(
        label=f"user:{user.username}",
        role=role,
        user_id=user.pk,
        subject_id=user.subject_id,
        department_id=user.department_id,
    )


def viewer_for_client(client: Any) -> Viewer:
    """API clients act for their department: as a source unit's system when it is one."""
    return Viewer(
        label=f"api-client:{client.name}",
        role=Role.OPERATOR,
        client_id=client.pk,
        department_id=client.department_id,
        scopes=frozenset(client.scopes),
    )
