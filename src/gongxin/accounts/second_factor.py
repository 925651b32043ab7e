"""Government users' second factor (TOTP with django-otp, decision 060), their idle timeout and the
re-authentication that sensitive acts need.

- **Who**: ``accounts.capabilities.needs_second_factor`` — staff, auditors, administrators and source units'
  operators signed in with a password. Until the session is verified with a code of a confirmed TOTP device
  (``django_otp.login`` puts the device in the session) ``accounts.middleware.GovernmentSignInGuardMiddleware``
  lets them reach only the sign-in, enrolment, verification and sign-out pages; an API call with such a
  session gets 401 ``auth.second_factor_required``.
- **Idle timeout**: such a session unused for ``idle_minutes`` is signed out.
- **Re-authentication**: the acts named in ``acts`` (deciding objections and repairs, downloading documents
  that hold personal data) need the password and a fresh code entered within the last ``minutes``; signing
  in (password, then code) counts as one.

The policy is data: ``settings.GONGXIN_GOVERNMENT_SIGN_IN`` overrides any key of ``POLICY_DEFAULT`` (``None``
turns a timer off).
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongxin.accounts.errors import SecondFactorInvalid
from gongxin.accounts.models import User
from gongxin.core import clock

# Session keys (timestamps as POSIX seconds of core.clock.now()).
SEEN_KEY = "gongxin.seen_at"
REAUTHENTICATED_KEY = "gongxin.reauthenticated_at"

POLICY_DEFAULT: dict[str, Any] = {
    # A government user's session unused this long is signed out.
    "idle_minutes": 30,
    # A sensitive act needs the password and a code entered at most this long ago.
    "reauthentication_minutes": 10,
    # The sensitive acts: URL name -> the methods that act (a page's GET only shows its form).
    "acts": {
        "objections:accept": ["POST"],
        "objections:reject": ["POST"],
        "objections:forward": ["POST"],
        "objections:decide": ["POST"],
        "repairs:decide": ["POST"],
        # Downloads that may hold personal data in clear (a person's report shows the RIN to staff; the
        # rows of a batch's error file are source rows).
        "reports:pdf": ["GET"],
        "reports:json": ["GET"],
        "ingest:batch_errors": ["GET"],
        "api:objection_accept_endpoint": ["POST"],
        "api:objection_reject_endpoint": ["POST"],
        "api:objection_forward_endpoint": ["POST"],
        "api:objection_decide_endpoint": ["POST"],
        "api:repair_decide": ["POST"],
        "api:report_pdf": ["GET"],
        "api:report_json": ["GET"],
        "api:batch_error_report": ["GET"],
    },
}


def policy() -> dict[str, Any]:
    return {**POLICY_DEFAULT, **(getattr(settings, "GONGXIN_GOVERNMENT_SIGN_IN", None) or {})}


def _stamp() -> float:
    return clock.now().timestamp()


# --- devices -----------------------------------------------------------------------------------------------

def totp_device_confirmed(user: User) -> TOTPDevice | None:
    devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, TOTPDevice)]
    return devices[0] if devices else None


def totp_enrolment_start(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (made once, kept until confirmed), whose secret the enrolment page
    shows as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URI as an inline SVG QR code (no image request, no third party)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4))


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32 groups of four, for typing into an authenticator app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_enrolment_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> None:
    """Confirm the device with its first code and verify the session with it."""
    if not device.verify_token((token or "").strip()):
        raise SecondFactorInvalid()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
    second_factor_login(request=request, device=device)


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> None:
    """Verify the session with a code of the user's confirmed device (sign-in, step two)."""
    device = totp_device_confirmed(user)
    if device is None or not device.verify_token((token or "").strip()):
        raise SecondFactorInvalid()
    second_factor_login(request=request, device=device)


def second_factor_login(*, request: HttpRequest, device: TOTPDevice) -> None:
    """Mark the session verified by ``device``; a password and a code were just given, so re-authenticated."""
    otp_login(request, device)
    request.session[REAUTHENTICATED_KEY] = _stamp()
    request.session[SEEN_KEY] = _stamp()


def session_verified(request: HttpRequest) -> bool:
    """The session was verified with a confirmed device of its user (django-otp's middleware resolved it)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else bool(request.session.get(DEVICE_ID_SESSION_KEY))


# --- re-authentication and idle timeout --------------------------------------------------------------------

def reauthenticate(*, request: HttpRequest, user: User, password: str, token: str) -> None:
    """Password (through ``authenticate``, so wrong ones count toward the lockout) and a fresh code."""
    checked = authenticate(request, username=user.get_username(), password=password or "")
    if checked is None or checked.pk != user.pk:
        raise SecondFactorInvalid(_("The password or the code is not right."))
    second_factor_verify(request=request, user=user, token=token)


def reauthenticated_recently(request: HttpRequest) -> bool:
    minutes = policy()["reauthentication_minutes"]
    if minutes is None:  # no re-authentication asked (the test suite's setting)
        return True
    at = request.session.get(REAUTHENTICATED_KEY)
    if not isinstance(at, (int, float)):
        return False
    age = _stamp() - float(at)
    return 0 <= age <= float(minutes) * 60


def idle_expired(request: HttpRequest) -> bool:
    """The session was last used more than ``idle_minutes`` ago; else note this use (at most once a minute,
    so a busy session is not written on every request)."""
    now = _stamp()
    seen = request.session.get(SEEN_KEY)
    minutes = policy()["idle_minutes"]
    if minutes is not None and isinstance(seen, (int, float)) and now - float(seen) > float(minutes) * 60:
        return True
    if not isinstance(seen, (int, float)) or now - float(seen) >= 60:
        request.session[SEEN_KEY] = now
    return False


def sensitive_act(view_name: str, method: str) -> bool:
    methods = policy()["acts"].get(view_name)
    return bool(methods) and method.upper() in methods
