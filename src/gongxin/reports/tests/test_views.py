"""Report pages: issue from a profile (anonymous or signed in), the report and its downloads, the public
verification page (valid, superseded, revoked), and the public key under /.well-known/."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gongxin.core import signing
from gongxin.core.documents import document_verify
from gongxin.reports.models import Report
from gongxin.reports.services import report_issue, report_revoke
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _issue(client, **data) -> Report:
    response = client.post(reverse("reports:issue"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    number = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert response["Location"] == reverse("reports:detail", args=[number])
    return Report.objects.get(number=number)


def test_the_page_serves_todays_public_report_again_and_limits_other_issues(client, acme, settings):
    settings.GONGXIN_THROTTLE_RATES = {"report_issue.address": "2/3600"}
    first = _issue(client, uscc=acme.organization.uscc)  # issued: counted (1 of 2)
    assert _issue(client, uscc=acme.organization.uscc).number == first.number  # served again: not counted
    assert Report.objects.filter(subject=acme).count() == 1

    assert client.post(reverse("reports:issue"), {"uscc": acme.organization.uscc, "kind": "special"}).status_code in (
        302, 403)  # counted whatever the outcome of the issue itself
    refused = client.post(reverse("reports:issue"), {"uscc": acme.organization.uscc, "kind": "special"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert _issue(client, uscc=acme.organization.uscc).number == first.number  # today's report is not counted


def test_anyone_issues_an_organizations_public_report_from_its_profile(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    report = _issue(client, uscc=acme.organization.uscc)
    assert report.kind == "organization" and report.purpose == "public" and report.requested_by is None

    page = client.get(reverse("reports:detail", args=[report.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "法人和非法人组织公共信用信息报告" in html and acme.name in html
    assert reverse("reports:pdf", args=[report.number]) in html
    assert 'data-verify-url' in html


def test_a_signed_in_agent_gets_the_own_report_and_a_person_the_person_report(
        client, acme, agent_user, person, person_user):
    client.force_login(agent_user)
    report = _issue(client, uscc=acme.organization.uscc)
    assert report.purpose == "self" and report.requested_by == agent_user

    client.force_login(person_user)
    mine = _issue(client)  # no code: the signed-in subject itself
    assert mine.kind == "person" and mine.subject == person and mine.purpose == "self"
    special = _issue(client, kind="special", range_from="2024-01-01")
    assert special.kind == "special" and special.range_from.isoformat() == "2024-01-01"


def test_issue_errors_are_pages_not_crashes(client, acme, person):
    assert client.post(reverse("reports:issue"), {"uscc": "91330200000000000X"}).status_code == 404
    assert client.post(reverse("reports:issue"), {}).status_code == 404
    special = client.post(reverse("reports:issue"), {"uscc": acme.organization.uscc, "kind": "special"})
    assert special.status_code == 403
    bad_date = client.post(reverse("reports:issue"), {"uscc": acme.organization.uscc, "range_to": "2026-13-45"})
    assert bad_date.status_code == 422
    assert client.get(reverse("reports:issue")).status_code == 405
    assert not Report.objects.exists()


def test_downloads_are_the_signed_files(client, acme, public):
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    pdf = client.get(reverse("reports:pdf", args=[report.number]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{report.number}.pdf"'
    assert document_verify(pdf.content).valid
    envelope = client.get(reverse("reports:json", args=[report.number]))
    assert envelope["Content-Type"].startswith("application/json")
    assert document_verify(envelope.content).valid


def test_the_verification_page_shows_a_valid_report_and_its_frozen_content(client, acme, source_unit, public):
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    factories.repair_mark(penalty)  # a later change does not show on the issued report

    html = client.get(reverse("reports:verify", args=[report.number.lower()])).content.decode()

    assert 'data-status="valid"' in html and 'data-signature="valid"' in html and 'data-verdict="valid"' in html
    assert report.content_hash in html and report.key_id in html
    assert f'data-record="{penalty.pk}"' in html
    assert 'data-mark="repaired"' not in html


def test_the_verification_page_says_superseded_and_revoked(client, acme, agent, staff_viewer):
    first = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    second = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    html = client.get(reverse("reports:verify", args=[first.number])).content.decode()
    assert 'data-status="superseded"' in html and 'data-verdict="superseded"' in html
    assert reverse("reports:verify", args=[second.number]) in html

    report_revoke(report=second, actor=staff_viewer, reason="出具时信息有误")
    html = client.get(reverse("reports:verify", args=[second.number])).content.decode()
    assert 'data-status="revoked"' in html and 'data-verdict="revoked"' in html and "出具时信息有误" in html


def test_a_tampered_stored_report_shows_as_not_verifying(client, acme, public):
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    content = dict(report.content)
    content["cover"] = {**content["cover"], "subject_name": "别的公司"}
    Report.objects.filter(pk=report.pk).update(content=content)
    html = client.get(reverse("reports:verify", args=[report.number])).content.decode()
    assert 'data-signature="invalid"' in html and 'data-verdict="invalid"' in html


def test_unknown_numbers_are_not_found(client):
    for name in ("reports:detail", "reports:pdf", "reports:json", "reports:verify"):
        assert client.get(reverse(name, args=["GX-20260101-0000000000"])).status_code == 404


def test_the_well_known_key_matches_the_signing_key(client, acme, public):
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    document = client.get("/.well-known/gongxin-signing-key.json").json()
    assert document["current_key_id"] == signing.key_id() == report.key_id
    [key] = document["keys"]
    assert key["kid"] == report.key_id and key["kty"] == "OKP" and key["crv"] == "Ed25519"
    assert signing.public_key_from_pem(key["pem"]) == signing.public_key_raw()

    pem = client.get("/.well-known/gongxin-signing-key.pem")
    assert pem["Gongxin-Key-Id"] == report.key_id
    raw = signing.public_key_from_pem(pem.content)
    assert signing.key_id_of(raw) == report.key_id
    assert signing.verify(signing.canonical_json(report.content), report.signature, public_key_raw=raw)
    assert client.get("/.well-known/gongxin-signing-key.pem?kid=0000000000000000").status_code == 404
    assert json.loads(client.get(reverse("reports:json", args=[report.number])).content)["key_id"] == key["kid"]


def test_the_admin_shows_reports_read_only(client, acme, public):
    from gongxin.accounts.models import User

    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    client.force_login(User.objects.create_superuser(username="root", password="x", email="root@example.org"))
    listing = client.get(reverse("admin:reports_report_changelist"))
    assert listing.status_code == 200 and report.number in listing.content.decode()
    change = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:reports_report_add")).status_code == 403


def test_a_typed_report_number_opens_its_verification_page(client, acme, public):
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    assert client.get(reverse("reports:verify_lookup")).status_code == 200
    found = client.get(reverse("reports:verify_lookup"), {"number": f" {report.number.lower()} "})
    assert found.status_code == 302 and found["Location"] == reverse("reports:verify", args=[report.number])
    missing = client.get(reverse("reports:verify_lookup"), {"number": "GX-20260101-0000000000"})
    assert missing.status_code == 404 and "data-not-found" in missing.content.decode()
