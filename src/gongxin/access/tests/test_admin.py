"""Admin: consents browsable and revocable on a subject's behalf, never added or edited; inquiries read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongxin.access.consents import consent_grant
from gongxin.access.models import Consent
from gongxin.access.tests.conftest import api, in_days
from gongxin.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_admin(db) -> Client:
    admin = User.objects.create_superuser(username="root", password="x", email="root@example.org")
    client = Client()
    client.force_login(admin)
    return client


def test_consents_and_inquiries_are_listed_and_read_only(office_admin, acme, acme_records, acme_viewer, tax_key):
    department = acme_records["penalty"].source_unit.department
    consent = consent_grant(subject=acme, grantee_department=department, purpose="贷款", scope=[],
                            valid_until=in_days(3), actor=acme_viewer)
    api(Client(), "post", "/consents/query", {"uscc": acme.organization.uscc, "purpose": "sharing"}, key=tax_key)

    assert office_admin.get(reverse("admin:access_consent_changelist")).status_code == 200
    assert office_admin.get(reverse("admin:access_consent_change", args=[consent.pk])).status_code == 200
    assert office_admin.get(reverse("admin:access_inquiry_changelist")).status_code == 200
    assert office_admin.get(reverse("admin:access_consent_add")).status_code == 403
    assert office_admin.get(reverse("admin:access_inquiry_add")).status_code == 403
    inquiry_id = acme.inquiries.get().pk
    assert office_admin.post(reverse("admin:access_inquiry_delete", args=[inquiry_id]), {"post": "yes"}).status_code \
        == 403


def test_the_revoke_action_goes_through_the_service(office_admin, acme, acme_viewer, banker):
    consent = consent_grant(subject=acme, grantee_user=banker, purpose="贷款", scope=[], valid_until=in_days(3),
                            actor=acme_viewer)
    response = office_admin.post(reverse("admin:access_consent_changelist"),
                                 {"action": "revoke_selected", "_selected_action": [consent.pk]})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.revoked_at is not None and consent.revoked_reason
