"""A person's RIN in reports (docs/decisions/037): signed as issued, sealed in the stored copy and in the
kept PDF, shown to the person and entitled viewers only; the public verification page and endpoint name
nobody; a person's report files answer everyone else as an unknown number does."""

from __future__ import annotations

import importlib
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from gongxin.core import signing
from gongxin.core.documents import document_verify, pdf_attachments
from gongxin.reports.models import Report
from gongxin.reports.personal import pdf_cache_path, personal_seal, report_signed_content
from gongxin.reports.render import report_pdf_file
from gongxin.reports.selectors import report_verification
from gongxin.reports.services import report_issue
from gongxin.reports.tests.conftest import user_create
from gongxin.reports.tests.helpers import pdf_streams
from gongxin.subjects.selectors import person_rin_reveal
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

UNKNOWN = "GX-20260101-0000000000"
API = "/api/v1/reports"


def _rin(person) -> str:
    return person_rin_reveal(person=person.person, viewer=factories.ADMIN)


def _stored_text(report: Report) -> str:
    """The stored row as the database holds it (content and sealed part), not as the ORM rebuilds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, personal_sealed FROM reports_report WHERE id = %s", [report.pk])
        content, sealed = cursor.fetchone()
    return f"{content}\n{sealed}"


def _kept_files_text() -> bytes:
    """Every kept PDF, raw and with its streams and attachments inflated."""
    folder = Path(settings.DATA_DIR) / "reports" / "pdf"
    chunks = []
    for path in folder.glob("*") if folder.exists() else ():
        data = path.read_bytes()
        chunks += [data, *pdf_streams(data), *pdf_attachments(data)]
    return b"\n".join(chunks)


@pytest.fixture
def own_reports(person, person_self, source_unit):
    factories.penalty_create(subject=person, source_unit=source_unit)
    return [report_issue(subject=person, kind="person", viewer=person_self, purpose="self"),
            report_issue(subject=person, kind="special", viewer=person_self, purpose="self")]


def test_the_stored_copy_and_the_kept_pdf_hold_no_rin_and_the_signature_still_verifies(person, own_reports):
    rin = _rin(person)
    for report in own_reports:
        stored = Report.objects.get(pk=report.pk)
        assert rin not in _stored_text(stored) and rin not in json.dumps(stored.content, ensure_ascii=False)
        assert stored.content["cover"]["subject_code"] == person.person.rin_masked
        assert stored.personal_sealed and rin not in stored.personal_sealed
        # As signed: the person's own report shows its RIN; hash and signature cover that.
        signed = report_signed_content(stored)
        assert signed["cover"]["subject_code"] == rin
        assert {"key": "rin", "label": "居民身份证号码", "value": rin} in signed["overview"]["basic"]
        data = signing.canonical_json(signed)
        assert signing.content_hash(data) == stored.content_hash
        assert signing.verify(data, stored.signature, key_id=stored.key_id)
        assert report_verification(stored).is_valid

        pdf = report_pdf_file(stored)
        assert document_verify(pdf).valid
        assert not pdf_cache_path(stored.number, sealed=False).exists()
        assert pdf_cache_path(stored.number, sealed=True).exists()
        assert report_pdf_file(stored) == pdf  # kept sealed, served unsealed
    assert rin.encode() not in _kept_files_text()


def test_the_person_sees_its_rin_and_its_files_verify(client, tmp_path, person, person_user, own_reports):
    rin = _rin(person)
    client.force_login(person_user)
    for report in own_reports:
        assert rin in client.get(reverse("reports:detail", args=[report.number])).content.decode()
        page = client.get(reverse("reports:verify", args=[report.number])).content.decode()
        assert rin in page and person.name in page and 'data-verdict="valid"' in page
        api = client.get(f"{API}/{report.number}")
        assert api.status_code == 200 and api.json()["report"]["cover"]["subject_code"] == rin
        for name, suffix in (("reports:json", "json"), ("reports:pdf", "pdf")):
            data = client.get(reverse(name, args=[report.number])).content
            assert document_verify(data).valid
            path = tmp_path / f"{report.number}.{suffix}"
            path.write_bytes(data)
            out = StringIO()
            call_command("report", "verify", str(path), stdout=out)
            assert out.getvalue().startswith("VALID") and rin in out.getvalue()
    mine = client.get(f"{API}/mine").json()
    assert {r["subject_code"] for r in mine} == {rin}


def test_the_public_verification_of_a_persons_report_names_nobody(client, person, own_reports):
    rin = _rin(person)
    for report in own_reports:
        response = client.get(reverse("reports:verify", args=[report.number]))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-status="valid"' in page and 'data-signature="valid"' in page
        assert report.content_hash in page and report.key_id in page and "data-content-withheld" in page
        assert "本报告的信用主体为自然人" in page and "出具机构" in page
        for personal in (rin, person.person.rin_masked, rin[-4:], person.name):
            assert personal not in page, personal
        assert reverse("reports:pdf", args=[report.number]) not in page

        status = client.get(f"{API}/{report.number}/verification")
        assert status.status_code == 200
        body = status.json()
        assert body["subject_name"] is None and body["valid"] is True
        assert body["content_hash"] == report.content_hash
        for personal in (rin, person.person.rin_masked, person.name):
            assert personal not in status.content.decode()


def _answers(client, number: str) -> list[tuple[int, str]]:
    """Status and body of every way to fetch a report's content (the number itself, and the CSRF token,
    which differs in every response, left out)."""
    pages = [client.get(reverse(name, args=[number])) for name in ("reports:detail", "reports:pdf", "reports:json")]
    api = [client.get(f"{API}/{number}{suffix}") for suffix in ("", ".pdf", ".html", "?format=pdf", "?format=html")]
    return ([(r.status_code, re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", r.content.decode())
              .replace(number, "N")) for r in pages]
            + [(r.status_code, r.content.decode()) for r in api])


def test_a_persons_report_files_answer_others_as_an_unknown_number_does(client, person, own_reports, bank_user,
                                                                        agent_user):
    unknown = _answers(client, UNKNOWN)
    assert {status for status, _ in unknown} == {404}
    others = [None, bank_user, agent_user, user_create("another", role="person",
                                                       subject=factories.person_create(name="王五"))]
    for user in others:
        client.logout()
        if user is not None:
            client.force_login(user)
        for report in own_reports:
            assert _answers(client, report.number) == _answers(client, UNKNOWN), (user, report.number)


def test_entitled_viewers_open_a_persons_report(client, person, person_self, own_reports, bank, bank_user,
                                                bank_consent, staff):
    authorized = report_issue(subject=person, kind="person", viewer=bank, purpose="authorized")
    assert not authorized.personal_sealed  # issued to a third party: masked when signed, nothing to seal
    client.force_login(bank_user)
    assert client.get(reverse("reports:detail", args=[authorized.number])).status_code == 200
    assert client.get(f"{API}/{authorized.number}").status_code == 200
    assert client.get(reverse("reports:detail", args=[own_reports[0].number])).status_code == 404

    client.force_login(staff)
    for report in [*own_reports, authorized]:
        assert client.get(reverse("reports:detail", args=[report.number])).status_code == 200
        assert document_verify(client.get(f"{API}/{report.number}.pdf").content).valid


def test_organization_reports_are_unchanged(client, acme, agent, public):
    for report in (report_issue(subject=acme, kind="organization", viewer=public, purpose="public"),
                   report_issue(subject=acme, kind="special", viewer=agent, purpose="self")):
        assert report.personal_sealed == "" and report_signed_content(report) is report.content
        page = client.get(reverse("reports:verify", args=[report.number])).content.decode()
        assert acme.name in page and acme.organization.uscc in page
        assert client.get(f"{API}/{report.number}/verification").json()["subject_name"] == acme.name
        assert document_verify(client.get(f"{API}/{report.number}").content).valid


def test_the_migration_seals_reports_stored_before_and_can_run_again(person, own_reports):
    """Reports stored before: the signed content with the RIN in clear, and their PDF kept in clear."""
    rin = _rin(person)
    migration = importlib.import_module("gongxin.reports.migrations.0004_seal_personal_data")
    pdfs = {}
    for report in own_reports:
        pdfs[report.pk] = report_pdf_file(report)
        pdf_cache_path(report.number, sealed=True).unlink()
        pdf_cache_path(report.number, sealed=False).write_bytes(pdfs[report.pk])
        Report.objects.filter(pk=report.pk).update(content=report_signed_content(report), personal_sealed="")
        assert rin in _stored_text(report)
    assert rin.encode() in _kept_files_text()

    historical = MigrationLoader(connection).project_state(("reports", "0004_seal_personal_data")).apps
    migration.seal_reports(historical, None)
    sealed = {r.pk: (r.content, r.personal_sealed) for r in Report.objects.filter(pk__in=[r.pk for r in own_reports])}
    migration.seal_reports(historical, None)  # again: nothing changes

    for report in own_reports:
        stored = Report.objects.get(pk=report.pk)
        assert (stored.content, stored.personal_sealed) == sealed[report.pk]
        assert rin not in _stored_text(stored) and stored.personal_sealed
        assert report_verification(stored).is_valid
        assert not pdf_cache_path(report.number, sealed=False).exists()
        assert report_pdf_file(stored) == pdfs[report.pk]  # the same file, now kept sealed
    assert rin.encode() not in _kept_files_text()


def test_a_sealed_part_belongs_to_its_report():
    content = {"cover": {"subject_code": "330203199001010012"}, "notes": ["号码 330203199001010012 。"]}
    stored, sealed = personal_seal(content=content, number="GX-A", replacements=[("330203199001010012", "M")])
    assert stored == {"cover": {"subject_code": "M"}, "notes": ["号码 M 。"]}
    assert report_signed_content(Report(number="GX-A", content=stored, personal_sealed=sealed)) == content
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM refuses the sealed part of another report
        report_signed_content(Report(number="GX-B", content=stored, personal_sealed=sealed))
