"""access.persons: look-ups of persons by RIN are limited per caller and per address (429 + Retry-After);
staff are not counted."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client, override_settings

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.subjects.identifiers import rin_generate
from gongxin.testing import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports"
RIN = rin_generate(area="330203", birth_date=date(1985, 6, 1), sequence=42)


def _ask(client: Client, address: str):
    return client.post(URL, {"subject": {"rin": RIN}, "kind": "person"}, content_type="application/json",
                       REMOTE_ADDR=address)


@override_settings(GONGXIN_THROTTLE_RATES={"rin_lookup.caller": "100/3600", "rin_lookup.address": "2/3600"})
def test_rin_look_ups_are_limited_per_address():
    client = Client()
    assert [_ask(client, "192.0.2.1").status_code for _ in range(2)] == [403, 403]
    refused = _ask(client, "192.0.2.1")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert _ask(client, "192.0.2.2").status_code == 403  # another address has its own count


@override_settings(GONGXIN_THROTTLE_RATES={"rin_lookup.caller": "2/3600", "rin_lookup.address": "100/3600"})
def test_rin_look_ups_are_limited_per_caller_whatever_the_address():
    user = User.objects.create_user(username="asker", password="x-asker-password-1", role=Role.PERSON)
    client = Client()
    client.force_login(user)
    assert [_ask(client, f"192.0.2.{i}").status_code for i in range(2)] == [403, 403]
    refused = _ask(client, "192.0.2.9")
    assert refused.status_code == 429 and "Retry-After" in refused


@override_settings(GONGXIN_THROTTLE_RATES={"rin_lookup.caller": "1/3600", "rin_lookup.address": "1/3600",
                                           "report_issue.caller": "0/60", "report_issue.address": "0/60"})
def test_staff_look_ups_are_not_counted(seeded):
    factories.person_create(name="张三")
    staff = User.objects.create_user(username="staff", password="x-staff-password-1", role=Role.STAFF)
    client = Client()
    client.force_login(staff)
    assert {_ask(client, "192.0.2.1").status_code for _ in range(3)} <= {201, 403, 404, 422}
