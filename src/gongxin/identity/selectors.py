"""Reads of unified identity: the assurance level of a login, a login's external identity.

``assurance_of(user)`` is the one answer to "how strongly was this login's identity verified": the level of
the account's last sign-in through the provider; an account that never signed in through it (made by an
administrator, the demo's, staff) has the configured local level (``GONGXIN_IDENTITY["LOCAL_ASSURANCE"]``).
Accounts opened by the provider have no password, so their last sign-in is always the provider's.
"""

from __future__ import annotations

from typing import Any

from gongxin.accounts.viewer import Viewer
from gongxin.identity.choices import AssuranceLevel
from gongxin.identity.config import identity_settings
from gongxin.identity.models import ExternalIdentity


def _level_of_user_id(user_id: int) -> AssuranceLevel:
    level = ExternalIdentity.objects.filter(user_id=user_id).values_list("assurance", flat=True).first()
    if level is None:
        level = identity_settings().local_assurance
    return AssuranceLevel(level) if level in AssuranceLevel.values else AssuranceLevel.BASIC


def assurance_of(user: Any) -> AssuranceLevel:
    """The assurance level of ``user``'s sign-in (``NONE`` for an anonymous visitor)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AssuranceLevel.NONE
    return _level_of_user_id(user.pk)


def assurance_of_viewer(viewer: Viewer) -> AssuranceLevel:
    """The same for a ``Viewer``: an API client or an anonymous visitor has no identity (``NONE``)."""
    if viewer.client_id is not None or viewer.user_id is None:
        return AssuranceLevel.NONE
    return _level_of_user_id(viewer.user_id)


def external_identity_of(user: Any) -> ExternalIdentity | None:
    """The provider's account bound to ``user``, or ``None`` for a local account."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return ExternalIdentity.objects.filter(user_id=user.pk).first()
