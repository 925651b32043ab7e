"""Report pages: issue (POST from a profile), the report as HTML, its PDF and JSON downloads, the public
verification page the QR code opens, and the platform's public signing key under /.well-known/.

Thin: subjects come from subjects.selectors, reports from reports.selectors, and the one write is
reports.services.report_request (today's public report of an organization again, else a new one through
report_issue, which applies the disclosure policy; limited per caller and address). A report's number is
its key (reports.selectors): whoever holds it opens its verification page, and an organization's report in
every format; a person's report opens only for the person, its requester and staff (anyone else: not found,
as for an unknown number), and its verification page shows them alone who the report is about.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongxin.accounts.viewer import viewer_for_user
from gongxin.catalog.choices import SubjectKind
from gongxin.core import signing
from gongxin.core.documents import JSON_CONTENT_TYPE
from gongxin.core.errors import GongxinError, SigningKeyNotFound
from gongxin.core.middleware import error_page
from gongxin.reports.choices import ReportKind
from gongxin.reports.errors import ReportNotFound, ReportRangeInvalid
from gongxin.reports.render import (
    PDF_CONTENT_TYPE,
    envelope_bytes,
    report_context,
    report_html,
    report_pdf_file,
)
from gongxin.reports.selectors import (
    number_normalize,
    report_by_number,
    report_for_viewer,
    report_is_personal,
    report_verification,
    report_viewer_entitled,
)
from gongxin.reports.services import purpose_default, report_request
from gongxin.rewards.errors import CertificateNotFound
from gongxin.rewards.selectors import certificate_by_number
from gongxin.rewards.views import certificate_verify
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_uscc

# Check certificates of the rewards app share the verification page; their numbers start with this.
CHECK_CERTIFICATE_PREFIX = "GXC-"


def _error(request: HttpRequest, exc: GongxinError) -> HttpResponse:
    return error_page(request, exc)


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ReportRangeInvalid() from exc


def _subject_for_issue(request: HttpRequest, viewer_subject_id: int | None) -> Subject:
    uscc = request.POST.get("uscc", "").strip()
    if uscc:
        try:
            subject = subject_by_uscc(uscc)
        except GongxinError:
            subject = None
        if subject is None:
            raise SubjectNotFound(_("No organization has this unified social credit code."))
        return subject
    if viewer_subject_id is not None:  # a signed-in subject asking for its own report
        return Subject.objects.get(pk=viewer_subject_id)
    raise SubjectNotFound(_("No organization has this unified social credit code."))


@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    """Issue a report and show it. Fields: ``uscc`` (else the signed-in subject itself), ``kind``
    (organization, person, special; default by subject), ``range_from``/``range_to`` (special)."""
    viewer = viewer_for_user(request.user)
    try:
        subject = _subject_for_issue(request, viewer.subject_id)
        default_kind = ReportKind.PERSON if subject.kind == SubjectKind.PERSON else ReportKind.ORGANIZATION
        kind = request.POST.get("kind", "").strip() or default_kind
        report, _issued = report_request(
            subject=subject, kind=kind, viewer=viewer,
            purpose=purpose_default(kind=kind, subject=subject, viewer=viewer),
            range_from=_date(request.POST.get("range_from")), range_to=_date(request.POST.get("range_to")),
        )
    except GongxinError as exc:
        return _error(request, exc)
    return redirect("reports:detail", number=report.number)


def _report_or_404(request: HttpRequest, number: str) -> Any:
    """The report if the visitor may see its content (reports.selectors.report_for_viewer), else the
    not-found page a number no report has gets."""
    try:
        return report_for_viewer(number, viewer=viewer_for_user(request.user))
    except ReportNotFound as exc:
        return _error(request, exc)


@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    report = _report_or_404(request, number)
    if isinstance(report, HttpResponse):
        return report
    return HttpResponse(report_html(report, request=request))


@require_GET
def pdf(request: HttpRequest, number: str) -> HttpResponse:
    report = _report_or_404(request, number)
    if isinstance(report, HttpResponse):
        return report
    response = HttpResponse(report_pdf_file(report), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report.number}.pdf"'
    return response


@require_GET
def json_download(request: HttpRequest, number: str) -> HttpResponse:
    report = _report_or_404(request, number)
    if isinstance(report, HttpResponse):
        return report
    response = HttpResponse(envelope_bytes(report), content_type=JSON_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report.number}.json"'
    return response


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """A form for the number printed on a paper report; a known number opens its verification page."""
    number = number_normalize(request.GET.get("number", ""))
    context: dict[str, Any] = {"number": number, "not_found": False}
    if number.startswith(CHECK_CERTIFICATE_PREFIX):
        try:
            return redirect("reports:verify", number=certificate_by_number(number).number)
        except CertificateNotFound:
            context["not_found"] = True
    elif number:
        try:
            report = report_by_number(number)
        except ReportNotFound:
            context["not_found"] = True
        else:
            return redirect("reports:verify", number=report.number)
    return render(request, "reports/verify_lookup.html", context, status=404 if context["not_found"] else 200)


@require_GET
def verify(request: HttpRequest, number: str) -> HttpResponse:
    if number_normalize(number).startswith(CHECK_CERTIFICATE_PREFIX):  # a check certificate (rewards app)
        return certificate_verify(request, number)
    try:
        report = report_by_number(number)
    except ReportNotFound as exc:
        return _error(request, exc)
    verification = report_verification(report)
    # Whoever holds the number learns validity, status, dates and hashes; the content (for a person's
    # report: who it is about) only the subject, the requester and staff, or anyone for an organization.
    entitled = report_viewer_entitled(report=report, viewer=viewer_for_user(request.user))
    context: dict[str, Any] = {"report": report, "verification": verification, "show_content": entitled,
                               "personal": report_is_personal(report)}
    if entitled:
        context.update(report_context(report))
    response = render(request, "reports/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- /.well-known/ ---------------------------------------------------------------------------------

def signing_keys_document() -> dict[str, Any]:
    from django.conf import settings

    keys = []
    for jwk in signing.public_keys_jwks()["keys"]:
        raw = signing.public_keys()[jwk["kid"]]
        keys.append({**jwk, "pem": signing.pem_of(raw)})
    return {"issuer": settings.GONGXIN_SIGNING_ISSUER, "algorithm": signing.ALGORITHM,
            "current_key_id": signing.key_id(), "keys": keys}


@require_GET
def signing_key_json(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(signing_keys_document(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def signing_key_pem(request: HttpRequest) -> HttpResponse:
    """The current key's PEM, or a retired one's with ``?kid=<key id>``."""
    kid = request.GET.get("kid", "").strip() or signing.key_id()
    raw = signing.public_keys().get(kid)
    if raw is None:
        return _error(request, SigningKeyNotFound())
    response = HttpResponse(signing.pem_of(raw), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="gongxin-signing-key.pem"'
    response["Gongxin-Key-Id"] = kid
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
