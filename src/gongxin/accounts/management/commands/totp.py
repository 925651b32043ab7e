"""``gongxin totp enrol USERNAME`` gives a government user an authenticator (TOTP) device and prints its secret
and ``otpauth://`` address (and a QR code in the terminal) once; ``gongxin totp reset USERNAME`` removes the
user's devices, so that the next sign-in enrols again (a lost phone); ``gongxin totp code USERNAME`` prints the
device's current code — only in the demo or with DEBUG on, for trying staff journeys without a phone
(decision 060)."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongxin.accounts.models import User
from gongxin.accounts.second_factor import totp_secret_text
from gongxin.core import clock


class Command(BaseCommand):
    help = "Enrol, reset or (demo only) read the authenticator device of a government user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["enrol", "reset", "code"])
        parser.add_argument("username")
        parser.add_argument("--no-qr", action="store_true", help="enrol: do not draw the QR code")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}")
        action = options["action"]
        if action == "reset":
            count, _ = TOTPDevice.objects.filter(user=user).delete()
            self.stdout.write(f"{user.username}: {count} device(s) removed; the next sign-in enrols again.")
            return
        if action == "enrol":
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                raise CommandError(f"{user.username} already has a device; `gongxin totp reset` it first")
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            self.stdout.write(f"{user.username}: secret {totp_secret_text(device)}")
            self.stdout.write(f"{user.username}: {device.config_url}")
            if not options["no_qr"]:
                out = io.StringIO()
                segno.make(device.config_url, error="m").terminal(out=out, compact=True)
                self.stdout.write(out.getvalue())
            return
        if not (settings.DEBUG or getattr(settings, "GONGXIN_DEMO", False)):
            raise CommandError("`gongxin totp code` works only in the demo or with DEBUG on")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{user.username} has no device; it enrols at its next sign-in")
        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        generator.time = clock.now().timestamp()
        self.stdout.write(f"{generator.token():0{device.digits}d}")
