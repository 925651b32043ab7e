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
    # A person acting as a firm's agent (经办人): ``subject_id`` is the firm, ``agent_subject_id`` the person
    # and ``agent_capabilities`` what the firm's mandate lets them do (accounts.capabilities.acts_for_subject).
    # ``None`` for everyone else: a subject's own account acts for it without limits.
    agent_subject_id: int | None = None
    agent_capabilities: frozenset[str] | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.client_id is None


ANONYMOUS = Viewer(label="anonymous")
SYSTEM = Viewer(label="system", role=Role.ADMIN)


@dataclass(frozen=True)
class Acting:
    """A signed-in person acting for a firm under a mandate in force (accounts.middleware sets it on the
    request's user on every request, from the session's choice, after checking the mandate again)."""

    mandate_id: int
    organization_id: int
    capabilities: frozenset[str]
    organization_name: str = ""


def viewer_for_user(user: Any) -> Viewer:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    acting: Acting | None = getattr(user, "acting_for", None)
    if acting is not None:
        return Viewer(
            label=f"user:{user.username}",
            role=Role.ORG_AGENT,
            user_id=user.pk,
            subject_id=acting.organization_id,
            agent_subject_id=user.subject_id,
            agent_capabilities=acting.capabilities,
        )
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
