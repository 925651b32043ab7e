"""Local passwords of accounts that act for a subject, where the city allows them (docs/identity.md).

``GONGXIN_IDENTITY["LOCAL_SUBJECT_PASSWORDS"]`` (``GONGXIN_LOCAL_SUBJECT_PASSWORDS``, default on: the demo's
printed logins and accounts an administrator opened) — off, persons and firms sign in through unified identity
only, while staff, operators and auditors keep their passwords. This backend sits before the model backend: for
an account acting for a subject it refuses the password outright (``PermissionDenied`` stops ``authenticate``,
which answers like a wrong password and counts for the lockout).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gongxin.accounts.models import User
from gongxin.identity.config import identity_settings


class SubjectPasswordsBackend(ModelBackend):
    """Checks no password itself (``None``: the model backend after it does); ``get_user`` is the model backend's,
    because ``force_login`` and ``login`` record the first backend that has one, and the session must find its user.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if identity_settings().local_subject_passwords or not username:
            return None
        if User.objects.filter(username=username, subject__isnull=False, is_superuser=False).exists():
            raise PermissionDenied()
        return None
