"""Credit reports API (mounted at /api/v1/reports): issue, download in three formats, verify, revoke.

Thin: the subject is looked up by USCC or RIN, ``reports.services.report_issue`` applies the disclosure
policy and signs; downloads serve the stored frozen content (reports.render). A report's number is its
key: whoever holds it may check the report's validity, and download an organization's report; a person's
report downloads for the person, its requester and staff only, anyone else gets "not found" as for an
unknown number (reports.selectors).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from gongxin.access.persons import person_by_rin_for
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import api_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.core.documents import JSON_CONTENT_TYPE
from gongxin.core.schemas import ErrorOut
from gongxin.records.choices import Purpose
from gongxin.reports.choices import ReportKind
from gongxin.reports.errors import ReportSubjectInvalid
from gongxin.reports.models import Report
from gongxin.reports.personal import report_signed_content
from gongxin.reports.render import (
    PDF_CONTENT_TYPE,
    envelope_bytes,
    report_html,
    report_pdf_file,
)
from gongxin.reports.selectors import (
    report_by_number,
    report_for_viewer,
    report_is_personal,
    report_verification,
    reports_of_subject,
)
from gongxin.reports.services import purpose_default, report_request, report_revoke
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_uscc

router = Router(tags=["reports"], auth=viewer_auth)

Format = Literal["json", "html", "pdf"]


class ReportSubjectIn(Schema):
    uscc: str | None = Field(None, max_length=40, description="An organization's unified social credit code")
    rin: str | None = Field(None, max_length=40, description="A person's resident identity number")


class ReportIssueIn(Schema):
    subject: ReportSubjectIn
    kind: ReportKind = ReportKind.ORGANIZATION
    purpose: Purpose | None = Field(
        None, description="Default: self for the subject itself, else public (organization), "
                          "authorized (person) or staff (special)")
    range_from: date | None = Field(None, description="Special reports: first day (default: 3 years back)")
    range_to: date | None = Field(None, description="Special reports: last day (default: today)")


class LinksOut(Schema):
    envelope: str = Field(..., description="The signed JSON envelope")
    pdf: str
    html: str
    verification: str
    verify_page: str


class ReportOut(Schema):
    number: str
    kind: str
    purpose: str
    status: str
    issued_at: datetime
    subject_name: str
    subject_code: str
    range_from: date | None
    range_to: date | None
    content_hash: str
    key_id: str
    superseded_by: str | None
    links: LinksOut


class VerificationOut(Schema):
    number: str
    kind: str
    subject_name: str | None = Field(..., description="An organization's name; null for a person's report")
    issued_at: datetime
    status: str = Field(..., description="valid, superseded or revoked")
    status_changed_at: datetime | None
    status_reason: str
    superseded_by: str | None
    signature_valid: bool = Field(..., description="The stored content matches its hash and Ed25519 signature")
    valid: bool = Field(..., description="Status valid and signature valid")
    content_hash: str
    key_id: str
    verify_url: str


class EnvelopeOut(Schema):
    """The signed envelope, served byte for byte in canonical JSON (keys sorted, no whitespace)."""

    algorithm: str
    content_hash: str
    key_id: str
    report: dict[str, Any]
    signature: str
    verify_url: str


class ReportRevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


def _links(number: str) -> dict[str, str]:
    return {
        "envelope": reverse("api:report_json", args=[number]),
        "pdf": reverse("api:report_pdf", args=[number]),
        "html": reverse("api:report_html", args=[number]),
        "verification": reverse("api:report_verification", args=[number]),
        "verify_page": reverse("reports:verify", args=[number]),
    }


def _out(report: Report) -> dict[str, Any]:
    """A report for its requester, its subject or staff (entitled to its content as signed)."""
    cover = report_signed_content(report).get("cover", {})
    return {
        "number": report.number, "kind": report.kind, "purpose": report.purpose, "status": report.status,
        "issued_at": report.created_at, "subject_name": cover.get("subject_name", ""),
        "subject_code": cover.get("subject_code", ""), "range_from": report.range_from,
        "range_to": report.range_to, "content_hash": report.content_hash, "key_id": report.key_id,
        "superseded_by": report.superseded_by.number if report.superseded_by else None,
        "links": _links(report.number),
    }


def _subject(body: ReportSubjectIn, viewer: Viewer) -> Subject:
    """The subject named; a person only for whom is entitled to it (access.persons: the same refusal for
    an unknown RIN and for a person the caller may not see)."""
    uscc, rin = (body.uscc or "").strip(), (body.rin or "").strip()
    if bool(uscc) == bool(rin):
        raise ReportSubjectInvalid()
    subject = subject_by_uscc(uscc) if uscc else person_by_rin_for(rin=rin, viewer=viewer)
    if subject is None:
        raise SubjectNotFound()
    return subject


def _binary(content_type: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": "The report",
                                  "content": {content_type: {"schema": {"type": "string", "format": "binary"}}}}}}


def _file(report: Report, format: str) -> HttpResponse:
    if format == "pdf":
        response = HttpResponse(report_pdf_file(report), content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{report.number}.pdf"'
    elif format == "html":
        response = HttpResponse(report_html(report), content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(envelope_bytes(report), content_type=JSON_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{report.number}.json"'
    return response


@router.post("", response={200: ReportOut, 201: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut,
                            429: ErrorOut},
             summary="Issue a credit report (an organization's public report: today's, if one was issued)")
def report_issue_endpoint(request: HttpRequest, body: ReportIssueIn) -> Status[dict[str, Any]]:
    """Organization reports: ``public`` (anyone), ``self``, ``sharing``, ``authorized``, ``staff``. Person
    reports: ``self`` or ``authorized`` (consent) only. Special reports (penalties, enforcement and
    serious-dishonesty lists over up to 5 years, repaired records marked 已修复): ``self`` or ``staff``."""
    viewer = api_viewer(request)
    subject = _subject(body.subject, viewer)
    purpose = body.purpose or purpose_default(kind=body.kind, subject=subject, viewer=viewer)
    report, issued = report_request(subject=subject, kind=body.kind, viewer=viewer, purpose=purpose,
                                    range_from=body.range_from, range_to=body.range_to)
    return Status(201 if issued else 200, _out(report))


@router.get("/mine", response=list[ReportOut], summary="The signed-in subject's own reports")
def reports_mine(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = api_viewer(request)
    if viewer.subject_id is None:
        raise SubjectNotFound()
    reports = reports_of_subject(subject_id=viewer.subject_id, viewer=viewer).select_related("superseded_by")
    return [_out(r) for r in reports[:200]]


@router.get("/{number}.pdf", response={404: ErrorOut}, url_name="report_pdf",
            summary="A report as PDF (signed; the JSON envelope attached)", openapi_extra=_binary("application/pdf"))
def report_pdf_endpoint(request: HttpRequest, number: str) -> HttpResponse:
    return _file(report_for_viewer(number, viewer=api_viewer(request)), "pdf")


@router.get("/{number}.html", response={404: ErrorOut}, url_name="report_html",
            summary="A report as printable HTML", openapi_extra=_binary("text/html"))
def report_html_endpoint(request: HttpRequest, number: str) -> HttpResponse:
    return _file(report_for_viewer(number, viewer=api_viewer(request)), "html")


@router.get("/{number}/verification", response={200: VerificationOut, 404: ErrorOut},
            url_name="report_verification", summary="Whether a report is valid, superseded or revoked")
def report_verification_endpoint(request: HttpRequest, number: str) -> dict[str, Any]:
    verification = report_verification(report_by_number(number))
    report = verification.report
    return {
        "number": report.number, "kind": report.kind,
        "subject_name": None if report_is_personal(report) else report.content.get("cover", {}).get("subject_name", ""),
        "issued_at": report.created_at,
        "status": report.status, "status_changed_at": report.status_changed_at,
        "status_reason": report.status_reason, "superseded_by": verification.superseded_by_number or None,
        "signature_valid": verification.signature.valid, "valid": verification.is_valid,
        "content_hash": report.content_hash, "key_id": report.key_id,
        "verify_url": report.content.get("verification", {}).get("url", ""),
    }


@router.post("/{number}/revoke", response={200: ReportOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Revoke a report (credit office staff)")
def report_revoke_endpoint(request: HttpRequest, number: str, body: ReportRevokeIn) -> dict[str, Any]:
    viewer = api_viewer(request)
    report = report_revoke(report=report_by_number(number), actor=viewer, reason=body.reason)
    return _out(report)


@router.get("/{number}", response={200: EnvelopeOut, 404: ErrorOut}, url_name="report_json",
            summary="A report: the signed JSON envelope (or ?format=html|pdf)")
def report_json_endpoint(request: HttpRequest, number: str, format: Format = "json") -> HttpResponse:
    return _file(report_for_viewer(number, viewer=api_viewer(request)), format)
