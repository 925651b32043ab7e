"""Government users' second factor in tests (decision 060).

Every sign-in in a test — ``signed_in``, ``Client.force_login``, ``Client.login``, the login page in a browser
test — of a user who needs the second factor (staff, auditors, administrators, operators) is verified by
default: the kit gives the user a confirmed TOTP device and marks the session verified and freshly
re-authenticated, as the second sign-in step would. Tests of the second factor itself turn that off with the
``second_factor_enforced`` fixture (or ``signed_in(user, second_factor=False)``) and enter real codes
(``totp_code``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.signals import user_logged_in
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongxin.accounts.capabilities import needs_second_factor
from gongxin.accounts.second_factor import REAUTHENTICATED_KEY, SEEN_KEY
from gongxin.accounts.viewer import viewer_for_user
from gongxin.core import clock

_verify_on_login = [True]


def totp_device_for(user: Any) -> TOTPDevice:
    """The user's confirmed TOTP device (made when missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_code(device: TOTPDevice, *, at: datetime | None = None, steps_ahead: int = 0) -> str:
    """The device's code at ``at`` (default: now), or ``steps_ahead`` steps later (a code that is still
    accepted once the current one was used: django-otp refuses a step it has seen)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    generator.time = (at or clock.now()).timestamp() + steps_ahead * device.step
    return f"{generator.token():0{device.digits}d}"


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if not _verify_on_login[0] or not needs_second_factor(viewer_for_user(user)):
        return
    device = totp_device_for(user)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    stamp = clock.now().timestamp()
    request.session[REAUTHENTICATED_KEY] = stamp
    request.session[SEEN_KEY] = stamp


def second_factor_auto_connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="gongxin.testing.second_factor")


@contextmanager
def second_factor_on_login(verified: bool) -> Iterator[None]:
    """Within the block, sign-ins are verified (``True``, the default outside) or left at the password."""
    before = _verify_on_login[0]
    _verify_on_login[0] = verified
    try:
        yield
    finally:
        _verify_on_login[0] = before


@pytest.fixture
def second_factor_enforced() -> Iterator[None]:
    """Sign-ins in this test stop at the password: the second factor must really be entered."""
    with second_factor_on_login(False):
        yield
