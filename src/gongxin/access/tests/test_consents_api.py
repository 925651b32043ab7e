"""The consents API: the subject grants (grantee by user name, API client key prefix or department code),
lists and revokes; a requester lists what it received. Errors are JSON with stable codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from gongxin.access.models import Consent
from gongxin.access.tests.conftest import LI_RIN, api, in_days
from gongxin.core import clock
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def _body(**overrides):
    body = {"grantee_username": "banker", "purpose": "经营贷款审批", "scope": ["penalty"],
            "valid_until": in_days(30).isoformat()}
    body.update(overrides)
    return body


def test_an_organization_agent_grants_a_user_and_lists_it(acme_agent, banker):
    client = signed_in(acme_agent)
    created = api(client, "post", "/consents", _body())
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["grantee_kind"], data["grantee_label"], data["state"]) == ("user", "陈信贷（banker）", "active")
    assert data["scope"] == ["penalty"]
    assert data["subject_code"] == acme_agent.subject.organization.uscc

    listed = api(client, "get", "/consents").json()
    assert [c["id"] for c in listed] == [data["id"]]

    received = api(signed_in(banker), "get", "/consents/received").json()
    assert [(c["id"], c["subject_name"]) for c in received] == [(data["id"], "宁波甬信示范科技有限公司")]


def test_a_person_grants_an_api_client_by_key_prefix_and_the_client_sees_the_rin_masked(
    li_user, bank_client, bank_key
):
    created = api(signed_in(li_user), "post", "/consents",
                  _body(grantee_username="", grantee_client=bank_client.key_prefix, scope=[]))
    assert created.status_code == 201, created.json()
    assert created.json()["subject_code"] == LI_RIN  # the person itself sees its own RIN

    received = api(Client(), "get", "/consents/received", key=bank_key).json()
    assert len(received) == 1
    assert received[0]["subject_code"] != LI_RIN
    assert received[0]["subject_code"] == "*" * 14 + LI_RIN[-4:]


def test_a_department_is_named_by_its_code(acme_agent, bank):
    created = api(signed_in(acme_agent), "post", "/consents", _body(grantee_username="", grantee_department=bank.code))
    assert created.status_code == 201
    assert Consent.objects.get().grantee_department_id == bank.pk


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"grantee_username": "nobody-here"}, 404, "consent.grantee_not_found"),
        ({"grantee_department": "NB-BANK-01"}, 422, "consent.grantee_invalid"),
        ({"grantee_username": ""}, 422, "consent.grantee_invalid"),
        ({"scope": ["penalty", "made_up"]}, 422, "consent.unknown_scope_item"),
        ({"valid_until": (clock.now() + timedelta(days=400)).isoformat()}, 422, "consent.invalid_validity"),
        ({"valid_until": (clock.now() - timedelta(days=1)).isoformat()}, 422, "consent.invalid_validity"),
        ({"purpose": ""}, 422, "validation_failed"),
        ({"valid_until": "next tuesday"}, 422, "validation_failed"),
    ],
)
def test_grant_errors_are_json_with_codes(acme_agent, banker, bank, overrides, status, code):
    response = api(signed_in(acme_agent), "post", "/consents", _body(**overrides))
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Consent.objects.exists()


def test_accounts_without_a_subject_cannot_grant(banker, bank_key, staff):
    for client, key in ((signed_in(banker), ""), (Client(), bank_key), (signed_in(staff), "")):
        response = api(client, "post", "/consents", _body(grantee_username="office-staff"), key=key)
        assert (response.status_code, response.json()["code"]) == (403, "access.no_subject")


def test_anonymous_callers_are_asked_to_authenticate(db):
    for method, path in (("get", "/consents"), ("get", "/consents/received"), ("post", "/consents/query")):
        response = api(Client(), method, path, {"uscc": "x"} if method == "post" else None)
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_revoke_own_consent_once_and_never_anothers(acme_agent, other_agent, banker, staff):
    client = signed_in(acme_agent)
    consent_id = api(client, "post", "/consents", _body()).json()["id"]

    # Another subject does not even learn that the consent exists; the grantee cannot revoke it.
    other = api(signed_in(other_agent), "post", f"/consents/{consent_id}/revoke", {"reason": "x"})
    assert (other.status_code, other.json()["code"]) == (404, "consent.not_found")
    grantee = api(signed_in(banker), "post", f"/consents/{consent_id}/revoke", {})
    assert (grantee.status_code, grantee.json()["code"]) == (403, "access.no_subject")

    revoked = api(client, "post", f"/consents/{consent_id}/revoke", {"reason": "不再需要"})
    assert revoked.status_code == 200
    assert (revoked.json()["state"], revoked.json()["revoked_reason"]) == ("revoked", "不再需要")
    again = api(client, "post", f"/consents/{consent_id}/revoke", {})
    assert (again.status_code, again.json()["code"]) == (409, "consent.already_revoked")
    missing = api(signed_in(staff), "post", "/consents/999999/revoke", {})
    assert (missing.status_code, missing.json()["code"]) == (404, "consent.not_found")


def test_staff_revoke_on_behalf(acme_agent, banker, staff):
    consent_id = api(signed_in(acme_agent), "post", "/consents", _body()).json()["id"]
    response = api(signed_in(staff), "post", f"/consents/{consent_id}/revoke", {"reason": "本人书面申请"})
    assert (response.status_code, response.json()["state"]) == (200, "revoked")
