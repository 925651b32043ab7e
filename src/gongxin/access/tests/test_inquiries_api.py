"""GET /api/v1/inquiries: every non-public query of a subject is visible to that subject (who, when, why,
under which consent); staff and auditors may read any organization's log; nobody else may."""

from __future__ import annotations

import pytest
from django.test import Client

from gongxin.access.consents import consent_grant
from gongxin.access.tests.conftest import LI_RIN, api, in_days, user_create
from gongxin.accounts.choices import Role
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def test_every_non_public_query_appears_in_the_subjects_log(
    acme, acme_records, acme_agent, acme_viewer, banker, tax_key
):
    uscc = acme.organization.uscc
    consent = consent_grant(subject=acme, grantee_user=banker, purpose="经营贷款审批", scope=[],
                            valid_until=in_days(30), actor=acme_viewer)
    api(Client(), "get", "/records", {"subject": uscc})  # public: not an inquiry
    api(signed_in(banker), "get", "/records", {"subject": uscc, "purpose": "authorized", "reason": "贷前调查"})
    api(Client(), "post", "/consents/query", {"uscc": uscc, "purpose": "sharing", "reason": "退税审核"}, key=tax_key)
    refused = api(signed_in(user_create("stranger")), "get", "/records", {"subject": uscc, "purpose": "authorized"})
    assert refused.status_code == 403  # refused queries show nothing and log nothing

    log = api(signed_in(acme_agent), "get", "/inquiries")
    assert log.status_code == 200
    data = log.json()
    assert (data["subject_name"], data["total"]) == (acme.name, 2)
    sharing, authorized = data["items"]  # newest first
    assert (authorized["requester"], authorized["purpose"], authorized["reason"], authorized["channel"]) == (
        "陈信贷", "authorized", "贷前调查", "api")  # accounts.actors: the name, not the login
    assert (authorized["consent_id"], authorized["consent_purpose"], authorized["records_shown"]) == (
        consent.pk, "经营贷款审批", 3)
    assert (sharing["requester"], sharing["purpose"], sharing["consent_purpose"]) == (
        "国家税务总局宁波市税务局", "sharing", None)  # the department, not the client's name
    assert authorized["created_at"] and authorized["purpose_label"] and authorized["channel_label"]


def test_a_person_sees_who_queried_her(li, li_records, li_user, li_viewer, bank_client, bank_key):
    consent_grant(subject=li, grantee_client=bank_client, purpose="个人消费贷款", scope=[], valid_until=in_days(5),
                  actor=li_viewer)
    api(Client(), "post", "/consents/query", {"rin": LI_RIN, "reason": "贷款审批"}, key=bank_key)
    items = api(signed_in(li_user), "get", "/inquiries").json()["items"]
    assert [(i["requester"], i["consent_purpose"], i["reason"]) for i in items] == [
        ("宁波某商业银行", "个人消费贷款", "贷款审批")]


def test_pagination(acme, acme_records, acme_agent, tax_key):
    for n in range(3):
        api(Client(), "post", "/consents/query", {"uscc": acme.organization.uscc, "purpose": "sharing",
                                                  "reason": f"核查{n}"}, key=tax_key)
    page = api(signed_in(acme_agent), "get", "/inquiries", {"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [i["reason"] for i in page["items"]] == ["核查1", "核查0"]


def test_staff_and_auditors_read_any_organizations_log_others_do_not(acme, acme_records, other_agent, staff, tax_key):
    uscc = acme.organization.uscc
    api(Client(), "post", "/consents/query", {"uscc": uscc, "purpose": "sharing"}, key=tax_key)
    auditor = user_create("auditor", role=Role.AUDITOR)
    for user in (staff, auditor):
        response = api(signed_in(user), "get", "/inquiries", {"subject": uscc})
        assert (response.status_code, response.json()["total"]) == (200, 1)
        # The office sees who asked by name: the department and its system, never a raw "api-client:" label.
        assert response.json()["items"][0]["requester"] == "国家税务总局宁波市税务局（税务业务系统）"

    refused = api(signed_in(other_agent), "get", "/inquiries", {"subject": uscc})
    assert (refused.status_code, refused.json()["code"]) == (403, "access.inquiries_not_allowed")
    refused = api(Client(), "get", "/inquiries", {"subject": uscc}, key=tax_key)
    assert (refused.status_code, refused.json()["code"]) == (403, "access.inquiries_not_allowed")


def test_accounts_without_a_subject_have_no_log(banker, db):
    response = api(signed_in(banker), "get", "/inquiries")
    assert (response.status_code, response.json()["code"]) == (403, "access.no_subject")
    anonymous = api(Client(), "get", "/inquiries")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    unknown = api(signed_in(banker), "get", "/inquiries", {"subject": "91330200MA2AAAAAAA"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "subject.not_found")
