"""consent_grant: only the subject grants, to exactly one requester, for a purpose, a known scope and at
most a year; the consent and its outbox event are written together."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from gongxin.access.choices import ConsentState
from gongxin.access.consents import CONSENT_MAX_MONTHS, consent_grant, consent_latest_end
from gongxin.access.errors import (
    ConsentGranteeInvalid,
    ConsentGranteeIsSubject,
    ConsentNotSubject,
    ConsentPurposeRequired,
    ConsentScopeInvalid,
    ConsentValidityInvalid,
)
from gongxin.access.selectors import consent_active_for, consent_state, consents_of, consents_received
from gongxin.access.tests.conftest import LI_RIN, in_days
from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _grant(subject, actor, **overrides):
    arguments = {"purpose": "经营贷款审批", "scope": [], "valid_until": in_days(30), "actor": actor}
    arguments.update(overrides)
    return consent_grant(subject=subject, **arguments)


def test_the_subject_grants_a_named_user_and_an_event_is_written(acme, acme_viewer, banker):
    consent = _grant(acme, acme_viewer, grantee_user=banker, scope=["penalty", "tax_grade_a", "penalty"])

    assert consent.grantee_label == "陈信贷（banker）"
    assert consent.scope == ["penalty", "tax_grade_a"]  # duplicates dropped, order kept
    assert consent.granted_by_id == acme_viewer.user_id
    assert consent.valid_from == consent.granted_at
    assert consent_state(consent) == ConsentState.ACTIVE
    assert consent_active_for(subject_id=acme.pk, viewer=viewer_for_user(banker)) == consent
    assert list(consents_of(subject_id=acme.pk)) == [consent]
    assert list(consents_received(viewer=viewer_for_user(banker))) == [consent]

    event = OutboxEvent.objects.get(topic="access.consent.granted")
    assert (event.aggregate_type, event.aggregate_id, event.subject_id) == ("consent", consent.pk, acme.pk)
    assert event.payload["grantee_kind"] == "user"
    assert event.payload["scope"] == ["penalty", "tax_grade_a"]
    assert event.payload["actor"] == "user:acme-agent"


def test_a_person_grants_an_api_client_and_the_event_carries_no_rin(li, li_viewer, bank_client):
    consent = _grant(li, li_viewer, grantee_client=bank_client)
    assert consent.grantee_label == "某银行信贷系统（宁波某商业银行）"
    event = OutboxEvent.objects.get(topic="access.consent.granted")
    assert LI_RIN not in str(event.payload)
    assert event.payload["grantee_kind"] == "client"


def test_a_department_can_be_named(acme, acme_viewer, bank, bank_client):
    consent = _grant(acme, acme_viewer, grantee_department=bank)
    assert consent.grantee_label == "宁波某商业银行"
    # Every API client of the department holds it.
    assert consent_active_for(subject_id=acme.pk, viewer=Viewer(label="x", client_id=bank_client.pk,
                                                                department_id=bank.pk)) == consent


@pytest.mark.parametrize("who", ["other_agent", "staff", "bank_client", "nobody"])
def test_only_the_subject_itself_may_grant(request, acme, banker, who):
    if who == "bank_client":
        from gongxin.accounts.viewer import viewer_for_client

        actor = viewer_for_client(request.getfixturevalue("bank_client"))
    elif who == "nobody":
        actor = Viewer(label="anonymous")
    else:
        actor = viewer_for_user(request.getfixturevalue(who))
    with pytest.raises(ConsentNotSubject) as error:
        _grant(acme, actor, grantee_user=banker)
    assert error.value.code == "consent.not_subject"
    assert not OutboxEvent.objects.filter(topic="access.consent.granted").exists()


def test_exactly_one_grantee(acme, acme_viewer, banker, bank):
    with pytest.raises(ConsentGranteeInvalid):
        _grant(acme, acme_viewer)
    with pytest.raises(ConsentGranteeInvalid) as error:
        _grant(acme, acme_viewer, grantee_user=banker, grantee_department=bank)
    assert error.value.code == "consent.grantee_invalid"


def test_a_subject_cannot_name_its_own_account(acme, acme_agent, acme_viewer):
    with pytest.raises(ConsentGranteeIsSubject):
        _grant(acme, acme_viewer, grantee_user=acme_agent)


def test_a_purpose_is_required(acme, acme_viewer, banker):
    with pytest.raises(ConsentPurposeRequired) as error:
        _grant(acme, acme_viewer, grantee_user=banker, purpose="   ")
    assert error.value.code == "consent.purpose_required"


def test_scope_items_must_exist_in_the_catalog(acme, acme_viewer, banker):
    with pytest.raises(ConsentScopeInvalid) as error:
        _grant(acme, acme_viewer, grantee_user=banker, scope=["penalty", "no_such_item"])
    assert error.value.code == "consent.unknown_scope_item"
    assert error.value.details == {"unknown": ["no_such_item"]}


def test_validity_must_be_in_the_future_and_at_most_a_year(acme, acme_viewer, banker):
    with time_machine.travel(datetime.fromisoformat("2026-11-25T10:00:00+08:00"), tick=False):
        latest = consent_latest_end()
        assert latest.isoformat() == "2027-11-25T10:00:00+08:00"
        assert CONSENT_MAX_MONTHS == 12
        for too_early_or_late in (in_days(0), in_days(-1), latest + timedelta(seconds=1)):
            with pytest.raises(ConsentValidityInvalid) as error:
                _grant(acme, acme_viewer, grantee_user=banker, valid_until=too_early_or_late)
            assert error.value.code == "consent.invalid_validity"
        consent = _grant(acme, acme_viewer, grantee_user=banker, valid_until=latest)
        assert consent.valid_until == latest


def test_a_consent_expires_at_its_end(acme, acme_viewer, banker):
    with time_machine.travel(datetime.fromisoformat("2026-11-25T10:00:00+08:00"), tick=False) as traveller:
        consent = _grant(acme, acme_viewer, grantee_user=banker, valid_until=in_days(7))
        viewer = viewer_for_user(banker)
        traveller.move_to(datetime.fromisoformat("2026-12-02T09:59:59+08:00"))
        assert consent_active_for(subject_id=acme.pk, viewer=viewer) == consent
        traveller.move_to(datetime.fromisoformat("2026-12-02T10:00:00+08:00"))
        assert consent_active_for(subject_id=acme.pk, viewer=viewer) is None
        consent.refresh_from_db()
        assert consent_state(consent) == ConsentState.EXPIRED


def test_staff_role_alone_grants_nothing(acme, banker):
    staff_with_subject_elsewhere = Viewer(label="user:x", role=Role.ADMIN, user_id=None, subject_id=None)
    with pytest.raises(ConsentNotSubject):
        _grant(acme, staff_with_subject_elsewhere, grantee_user=banker)
