"""consent_revoke: the subject (or staff on its behalf) ends a consent at once; queries stop; the
inquiries already made under it keep pointing at it."""

from __future__ import annotations

import pytest

from gongxin.access.choices import ConsentState
from gongxin.access.consents import consent_grant, consent_revoke
from gongxin.access.errors import ConsentAlreadyRevoked, ConsentNotSubject, ConsentRequired
from gongxin.access.models import Inquiry
from gongxin.access.selectors import consent_active_for, consent_state
from gongxin.access.shown import profile_records
from gongxin.access.tests.conftest import in_days
from gongxin.accounts.viewer import viewer_for_user
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent(acme, acme_viewer, banker):
    return consent_grant(subject=acme, grantee_user=banker, purpose="经营贷款审批", scope=[],
                         valid_until=in_days(30), actor=acme_viewer)


def test_the_subject_revokes_and_queries_stop(acme, acme_records, acme_viewer, banker, consent):
    bank_viewer = viewer_for_user(banker)
    profile_records(subject=acme, viewer=bank_viewer, purpose=Purpose.AUTHORIZED, reason="贷前调查")

    revoked = consent_revoke(consent=consent, actor=acme_viewer, reason="贷款已结清")

    assert revoked.revoked_at is not None and revoked.revoked_reason == "贷款已结清"
    assert consent_state(revoked) == ConsentState.REVOKED
    assert consent_active_for(subject_id=acme.pk, viewer=bank_viewer) is None
    with pytest.raises(ConsentRequired):
        profile_records(subject=acme, viewer=bank_viewer, purpose=Purpose.AUTHORIZED)
    # The query made before stays in the log with the consent it relied on.
    assert Inquiry.objects.get().consent_id == consent.pk
    event = OutboxEvent.objects.get(topic="access.consent.revoked")
    assert (event.aggregate_id, event.subject_id, event.payload["reason"]) == (consent.pk, acme.pk, "贷款已结清")


def test_a_consent_is_revoked_once(acme_viewer, consent):
    consent_revoke(consent=consent, actor=acme_viewer)
    with pytest.raises(ConsentAlreadyRevoked) as error:
        consent_revoke(consent=consent, actor=acme_viewer)
    assert (error.value.code, error.value.status) == ("consent.already_revoked", 409)
    assert OutboxEvent.objects.filter(topic="access.consent.revoked").count() == 1


def test_neither_the_grantee_nor_another_subject_may_revoke(banker, other_agent, consent):
    for user in (banker, other_agent):
        with pytest.raises(ConsentNotSubject):
            consent_revoke(consent=consent, actor=viewer_for_user(user))
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_staff_may_revoke_on_the_subjects_behalf(staff, consent):
    consent_revoke(consent=consent, actor=viewer_for_user(staff), reason="本人书面申请")
    consent.refresh_from_db()
    assert consent.revoked_reason == "本人书面申请"
