"""`gongxin totp`: enrol a government user's authenticator from the command line, reset a lost one, and (demo
only) print the current code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("totp", *args, stdout=out)
    return out.getvalue()


def test_enrol_code_and_reset(staff, settings):
    printed = _run("enrol", staff.username, "--no-qr")
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    assert "otpauth://totp/" in printed and "secret=" in printed
    with pytest.raises(CommandError, match="already has a device"):
        _run("enrol", staff.username)

    settings.DEBUG, settings.GONGXIN_DEMO = False, False
    with pytest.raises(CommandError, match="only in the demo"):
        _run("code", staff.username)
    settings.GONGXIN_DEMO = True
    code = _run("code", staff.username).strip()
    assert len(code) == 6 and device.verify_token(code)

    assert "1 device(s) removed" in _run("reset", staff.username)
    assert not TOTPDevice.objects.filter(user=staff).exists()
