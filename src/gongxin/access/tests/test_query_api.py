"""Authorized queries end to end through the API: without consent refused; with it, the non-public
records within its scope; refused again after its end or revocation. Persons are named by RIN in the
body only, and never visible publicly. Every query is an inquiry."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.test import Client

from gongxin.access.consents import consent_grant, consent_revoke
from gongxin.access.disclosure import ANONYMOUS
from gongxin.access.models import Inquiry
from gongxin.access.shown import profile_records
from gongxin.access.tests.conftest import ID_NUMBER, LI_RIN, api, in_days
from gongxin.catalog.choices import SubjectKind
from gongxin.records.choices import Purpose
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.selectors import organizations_search
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def _grant(subject, actor, *, valid_until=None, scope=(), **grantee):
    return consent_grant(subject=subject, purpose="经营贷款审批", scope=list(scope),
                         valid_until=valid_until or in_days(30), actor=actor, **grantee)


def _items(response) -> list[str]:
    return sorted(r["item_code"] for r in response.json()["records"])


# --- organizations: the existing records endpoint, purpose=authorized ---------------------------------

def test_an_organizations_authorized_records_need_its_consent(acme, acme_records, acme_viewer, banker):
    uscc = acme.organization.uscc
    bank = signed_in(banker)
    public = api(Client(), "get", "/records", {"subject": uscc})
    assert _items(public) == ["licence", "penalty"]  # the authorized-only item is not public

    refused = api(bank, "get", "/records", {"subject": uscc, "purpose": "authorized"})
    assert (refused.status_code, refused.json()["code"]) == (403, "disclosure.consent_required")

    _grant(acme, acme_viewer, grantee_user=banker)
    allowed = api(bank, "get", "/records", {"subject": uscc, "purpose": "authorized", "reason": "贷前调查"})
    assert allowed.status_code == 200
    assert _items(allowed) == ["licence", "penalty", "tax_arrears"]
    inquiry = Inquiry.objects.get()
    assert (inquiry.purpose, inquiry.channel, inquiry.reason, inquiry.viewer_user_id, inquiry.records_shown) == (
        "authorized", "api", "贷前调查", banker.pk, 3)


def test_outside_the_scope_nothing_is_shown(acme, acme_records, acme_viewer, bank_key, bank_client):
    _grant(acme, acme_viewer, grantee_client=bank_client, scope=["tax_arrears"])
    response = api(Client(), "post", "/consents/query", {"uscc": acme.organization.uscc, "reason": "授信"},
                   key=bank_key)
    assert response.status_code == 200, response.json()
    assert _items(response) == ["tax_arrears"]
    assert response.json()["consent"]["scope"] == ["tax_arrears"]


def test_personal_fields_are_masked_for_the_requester(acme, acme_records, acme_viewer, bank_key, bank_client):
    _grant(acme, acme_viewer, grantee_client=bank_client, scope=["penalty"])
    record = api(Client(), "post", "/consents/query", {"uscc": acme.organization.uscc}, key=bank_key).json()[
        "records"][0]
    id_number = next(f["value"] for f in record["fields"] if f["code"] == "id_number")
    assert id_number == "**************0012"
    assert ID_NUMBER not in str(record)


# --- persons: POST /consents/query with the RIN in the body ----------------------------------------------

def test_a_person_is_queried_by_rin_only_with_her_consent(li, li_records, li_viewer, bank_client, bank_key):
    body = {"rin": LI_RIN, "purpose": "authorized", "reason": "个人消费贷款"}
    refused = api(Client(), "post", "/consents/query", body, key=bank_key)
    assert (refused.status_code, refused.json()["code"]) == (403, "disclosure.consent_required")

    consent = _grant(li, li_viewer, grantee_client=bank_client)
    allowed = api(Client(), "post", "/consents/query", body, key=bank_key)
    assert allowed.status_code == 200, allowed.json()
    data = allowed.json()
    assert (data["subject_name"], data["count"], data["consent"]["id"]) == ("李晓梅", 1, consent.pk)
    assert data["subject_code"] == "*" * 14 + LI_RIN[-4:]
    assert LI_RIN not in allowed.content.decode()
    assert Inquiry.objects.filter(subject=li, consent=consent, purpose="authorized", channel="api").count() == 1


def test_an_unknown_rin_is_refused_like_a_known_one(li, bank_key):
    stranger = rin_generate(area="330203", birth_date=date(1970, 1, 1), sequence=5)
    response = api(Client(), "post", "/consents/query", {"rin": stranger}, key=bank_key)
    assert (response.status_code, response.json()["code"]) == (403, "disclosure.consent_required")


def test_consent_ends_at_valid_until(li, li_records, li_viewer, bank_client, bank_key):
    with time_machine.travel(datetime.fromisoformat("2026-11-25T10:00:00+08:00"), tick=False) as traveller:
        _grant(li, li_viewer, grantee_client=bank_client, valid_until=in_days(10))
        traveller.move_to(datetime.fromisoformat("2026-12-05T09:59:00+08:00"))
        assert api(Client(), "post", "/consents/query", {"rin": LI_RIN}, key=bank_key).status_code == 200
        traveller.move_to(datetime.fromisoformat("2026-12-05T10:00:00+08:00"))
        after = api(Client(), "post", "/consents/query", {"rin": LI_RIN}, key=bank_key)
        assert (after.status_code, after.json()["code"]) == (403, "disclosure.consent_required")


def test_revocation_refuses_the_next_query(li, li_records, li_viewer, bank_client, bank_key):
    consent = _grant(li, li_viewer, grantee_client=bank_client)
    assert api(Client(), "post", "/consents/query", {"rin": LI_RIN}, key=bank_key).status_code == 200
    consent_revoke(consent=consent, actor=li_viewer, reason="不再需要")
    after = api(Client(), "post", "/consents/query", {"rin": LI_RIN}, key=bank_key)
    assert (after.status_code, after.json()["code"]) == (403, "disclosure.consent_required")


def test_a_consent_to_another_requester_does_not_help(li, li_records, li_viewer, banker, bank_key):
    _grant(li, li_viewer, grantee_user=banker)
    response = api(Client(), "post", "/consents/query", {"rin": LI_RIN}, key=bank_key)
    assert (response.status_code, response.json()["code"]) == (403, "disclosure.consent_required")
    assert api(signed_in(banker), "post", "/consents/query", {"rin": LI_RIN}).status_code == 200


def test_government_sharing_needs_the_share_scope(li, li_records, tax_key, bank_key):
    shared = api(Client(), "post", "/consents/query", {"rin": LI_RIN, "purpose": "sharing", "reason": "退税审核"},
                 key=tax_key)
    assert shared.status_code == 200
    assert shared.json()["consent"] is None
    refused = api(Client(), "post", "/consents/query", {"rin": LI_RIN, "purpose": "sharing"}, key=bank_key)
    assert (refused.status_code, refused.json()["code"]) == (403, "disclosure.purpose_not_allowed")
    inquiry = Inquiry.objects.get()
    assert (inquiry.purpose, inquiry.reason, inquiry.consent_id) == ("sharing", "退税审核", None)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "consent.query_subject_required"),
        ({"rin": LI_RIN, "uscc": "91330200MA2XXXXXXX"}, 422, "consent.query_subject_required"),
        ({"rin": LI_RIN[:17] + ("1" if LI_RIN[17] == "0" else "0")}, 422, "subject.invalid_rin"),
        ({"uscc": "91330200"}, 422, "subject.invalid_uscc"),
        ({"rin": LI_RIN, "purpose": "public"}, 422, "validation_failed"),
        ({"rin": LI_RIN, "purpose": "staff"}, 422, "validation_failed"),
    ],
)
def test_query_input_errors_are_json_with_codes(li, bank_key, body, status, code):
    response = api(Client(), "post", "/consents/query", body, key=bank_key)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_persons_are_never_visible_publicly(li, li_records, client):
    with pytest.raises(SubjectNotFound):
        profile_records(subject=li, viewer=ANONYMOUS, purpose=Purpose.PUBLIC)
    assert organizations_search(q="李晓梅") == ([], 0)
    assert 'class="result"' not in client.get("/search/", {"q": "李晓梅"}).content.decode()
    assert li.kind == SubjectKind.PERSON


def test_no_rin_is_ever_a_url_parameter(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        segments = path.lower().replace("{", "/").replace("}", "/").split("/")
        assert not any("rin" in segment.split("_") for segment in segments)  # not "sharing"
        for operation in operations.values():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert "rin" not in names, path
