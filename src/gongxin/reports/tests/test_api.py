"""/api/v1/reports: issue, download (json, html, pdf), verification status, revoke, own list; errors
with stable codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from gongxin.core import clock, signing
from gongxin.core.documents import document_verify
from gongxin.reports.models import Report
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_issue_a_public_organization_report(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    response = _post(client, {"subject": {"uscc": acme.organization.uscc}})
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(number=body["number"])
    assert body["kind"] == "organization" and body["purpose"] == "public" and body["status"] == "valid"
    assert body["subject_name"] == acme.name and body["subject_code"] == acme.organization.uscc
    assert body["content_hash"] == report.content_hash and body["key_id"] == signing.key_id()
    assert body["links"] == {
        "envelope": f"{URL}/{report.number}",
        "pdf": f"{URL}/{report.number}.pdf",
        "html": f"{URL}/{report.number}.html",
        "verification": f"{URL}/{report.number}/verification",
        "verify_page": f"/verify/{report.number}/",
    }


def test_downloads_in_three_formats(client, acme, public):
    number = _post(client, {"subject": {"uscc": acme.organization.uscc}}).json()["number"]

    envelope = client.get(f"{URL}/{number}")
    assert envelope.status_code == 200 and envelope["Content-Type"].startswith("application/json")
    assert document_verify(envelope.content).valid
    assert envelope.json()["report"]["number"] == number

    for path in (f"{URL}/{number}.pdf", f"{URL}/{number}?format=pdf"):
        pdf = client.get(path)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert document_verify(pdf.content).valid
    for path in (f"{URL}/{number}.html", f"{URL}/{number}?format=html"):
        html = client.get(path)
        assert html.status_code == 200 and "法人和非法人组织公共信用信息报告" in html.content.decode()
    assert client.get(f"{URL}/{number}?format=doc").status_code == 422


def test_verification_status(client, acme, staff):
    number = _post(client, {"subject": {"uscc": acme.organization.uscc}}).json()["number"]
    status = client.get(f"{URL}/{number}/verification").json()
    assert status["status"] == "valid" and status["valid"] is True and status["signature_valid"] is True
    assert status["verify_url"].endswith(f"/verify/{number}/")

    client.force_login(staff)
    revoked = client.post(f"{URL}/{number}/revoke", {"reason": "出具有误"}, content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    status = client.get(f"{URL}/{number}/verification").json()
    assert status["status"] == "revoked" and status["valid"] is False and status["status_reason"] == "出具有误"
    again = client.post(f"{URL}/{number}/revoke", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "report.already_revoked"


def test_only_staff_revoke(client, acme, agent_user):
    number = _post(client, {"subject": {"uscc": acme.organization.uscc}}).json()["number"]
    client.force_login(agent_user)
    response = client.post(f"{URL}/{number}/revoke", {"reason": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "report.revoke_not_allowed"


def test_person_reports(client, person, person_user, bank_user, bank_consent):
    rin = person.person  # the plain RIN is only known to the person; look it up the way the person would
    from gongxin.subjects.selectors import person_rin_reveal

    plain = person_rin_reveal(person=rin, viewer=person_user)
    # Whoever is not entitled to the person gets one refusal, whatever the purpose asked (access.persons).
    anonymous = _post(client, {"subject": {"rin": plain}, "kind": "person", "purpose": "public"})
    assert anonymous.status_code == 403 and anonymous.json()["code"] == "disclosure.consent_required"
    no_purpose = _post(client, {"subject": {"rin": plain}, "kind": "person"})
    assert no_purpose.status_code == 403 and no_purpose.json()["code"] == "disclosure.consent_required"

    client.force_login(bank_user)
    authorized = _post(client, {"subject": {"rin": plain}, "kind": "person"})
    assert authorized.status_code == 201 and authorized.json()["purpose"] == "authorized"
    assert "*" in authorized.json()["subject_code"]

    client.force_login(person_user)
    own = _post(client, {"subject": {"rin": plain}, "kind": "person"})
    assert own.status_code == 201 and own.json()["subject_code"] == plain
    mine = client.get(f"{URL}/mine").json()
    assert {r["number"] for r in mine} == {own.json()["number"], authorized.json()["number"]}


def test_special_report_by_the_agent(client, acme, source_unit, agent_user):
    today = clock.today()
    factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=30))
    client.force_login(agent_user)
    too_long = _post(client, {"subject": {"uscc": acme.organization.uscc}, "kind": "special",
                              "range_from": (today - timedelta(days=6 * 365)).isoformat()})
    assert too_long.status_code == 422 and too_long.json()["code"] == "report.range_too_long"
    future = _post(client, {"subject": {"uscc": acme.organization.uscc}, "kind": "special",
                            "range_to": (today + timedelta(days=3)).isoformat()})
    assert future.status_code == 422 and future.json()["code"] == "report.range_in_future"
    ok = _post(client, {"subject": {"uscc": acme.organization.uscc}, "kind": "special",
                        "range_from": (today - timedelta(days=365)).isoformat()})
    assert ok.status_code == 201 and ok.json()["purpose"] == "self" and ok.json()["kind"] == "special"


def test_input_errors_have_stable_codes(client, acme, person):
    both = _post(client, {"subject": {"uscc": acme.organization.uscc, "rin": "330203199001010012"}})
    assert both.status_code == 422 and both.json()["code"] == "report.subject_invalid"
    neither = _post(client, {"subject": {}})
    assert neither.status_code == 422 and neither.json()["code"] == "report.subject_invalid"
    unknown = _post(client, {"subject": {"uscc": "91330200000000000X"}})
    assert unknown.status_code == 404 and unknown.json()["code"] == "subject.not_found"
    kind = _post(client, {"subject": {"uscc": acme.organization.uscc}, "kind": "person"})
    assert kind.status_code == 422 and kind.json()["code"] == "report.kind_invalid"
    range_ = _post(client, {"subject": {"uscc": acme.organization.uscc}, "range_to": "2026-01-01"})
    assert range_.status_code == 422 and range_.json()["code"] == "report.range_not_applicable"
    invalid_kind = _post(client, {"subject": {"uscc": acme.organization.uscc}, "kind": "credit"})
    assert invalid_kind.status_code == 422 and invalid_kind.json()["code"] == "validation_failed"
    for path in ("GX-20260101-0000000000", "GX-20260101-0000000000.pdf", "GX-20260101-0000000000/verification"):
        missing = client.get(f"{URL}/{path}")
        assert missing.status_code == 404 and missing.json()["code"] == "report.not_found"
    assert client.get(f"{URL}/mine").json()["code"] == "subject.not_found"


def test_the_openapi_document_lists_the_report_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (URL, f"{URL}/{{number}}", f"{URL}/{{number}}.pdf", f"{URL}/{{number}}.html",
                 f"{URL}/{{number}}/verification", f"{URL}/{{number}}/revoke", f"{URL}/mine"):
        assert path in paths, path
    assert "application/pdf" in paths[f"{URL}/{{number}}.pdf"]["get"]["responses"]["200"]["content"]


def test_the_public_report_of_an_organization_is_issued_once_a_day(client, acme):
    first = _post(client, {"subject": {"uscc": acme.organization.uscc}})
    again = _post(Client(), {"subject": {"uscc": acme.organization.uscc}})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Report.objects.filter(subject=acme).count() == 1
    with time_machine.travel(clock.now() + timedelta(days=1)):
        assert _post(client, {"subject": {"uscc": acme.organization.uscc}}).status_code == 201


def test_report_issues_are_limited_per_address(client, acme, agent_user, settings):
    settings.GONGXIN_THROTTLE_RATES = {"report_issue.address": "2/3600", "report_issue.caller": "100/3600"}
    client.force_login(agent_user)
    for _ in range(2):
        assert _post(client, {"subject": {"uscc": acme.organization.uscc}, "purpose": "self"}).status_code == 201
    refused = _post(client, {"subject": {"uscc": acme.organization.uscc}, "purpose": "self"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
