"""Sign-in lockout (django-axes, decision 032): the page a locked-out sign-in gets, and telling the holder.

Axes counts failed passwords per username and per address on every path through ``authenticate()`` (the
login page and the admin's login). After ``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME`` the
username, or the address, is refused — also with the right password — until the cool-off has passed since
the last failure. The first time a username reaches the limit, its holder is told (``account_lockout_notify``).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def cooloff_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """429 with ``Retry-After`` and a page that says why, for the login page and the admin's login alike."""
    response = render(request, "accounts/locked_out.html", {"minutes": cooloff_minutes()}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def _username_failures(username: str) -> int:
    from axes.models import AccessAttempt
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def account_lockout_notify(*, username: str | None, ip_address: str | None) -> bool:
    """Tell the holder of ``username`` that its sign-in is blocked after repeated wrong passwords.

    Called on every refused attempt while locked; tells once per lockout (when the username's own failures
    reach the limit exactly), and only for an existing account: an address locked for trying many usernames
    tells nobody. A user acting for a subject gets a notice (inbox and e-mail); staff get an e-mail. Returns
    whether someone was told."""
    from gongxin.accounts.models import User

    if not username or _username_failures(username) != settings.AXES_FAILURE_LIMIT:
        return False
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return False
    logger.warning("Sign-in of %s locked after %s failures (last from %s)", username,
                   settings.AXES_FAILURE_LIMIT, ip_address)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Repeated failed sign-ins to your account")
        body = _(
            "Someone entered a wrong password for the account %(username)s %(count)s times (last from address "
            "%(address)s). Signing in to it is blocked for %(minutes)s minutes. If it was not you, change your "
            "password once the block ends and tell the platform's staff."
        ) % {"username": username, "count": settings.AXES_FAILURE_LIMIT, "address": ip_address or "?",
             "minutes": cooloff_minutes()}
    if user.subject is not None:
        from gongxin.notices.services import notice_send

        notice_send(subject=user.subject, code="account.locked_out", title=title, body=body)
        return True
    if not user.email:
        return False
    email = user.email

    def _mail() -> None:
        try:
            send_mail(title, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
        except Exception:  # the mail server is an outside party: the lockout itself stands
            logger.exception("E-mail about the lockout of %s failed", username)

    transaction.on_commit(_mail)
    return True


def _on_locked_out(sender: Any, *, request: HttpRequest, username: str | None, ip_address: str | None,
                   **kwargs: Any) -> None:
    account_lockout_notify(username=username, ip_address=ip_address)


def lockout_signals_connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="gongxin.accounts.lockout")
