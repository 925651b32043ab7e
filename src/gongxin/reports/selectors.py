"""Reads of the reports app.

A report's number is its key: anyone holding it may open the report and its verification page (that
is what the QR code is for), so numbers carry 50 random bits and are never listed publicly. Lists of
reports are for the subject itself and for credit office staff only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import PermissionDenied
from gongxin.reports.choices import ReportStatus
from gongxin.reports.errors import ReportNotFound
from gongxin.reports.models import Report
from gongxin.reports.verification import VerificationResult, stored_report_verify

NUMBER_MAX_LENGTH = 40


def number_normalize(number: str) -> str:
    return "".join(str(number).split()).upper()[:NUMBER_MAX_LENGTH]


def report_by_number(number: str) -> Report:
    """The report with this number (case and spaces ignored), or ``ReportNotFound``."""
    report = (
        Report.objects.select_related("superseded_by")
        .filter(number=number_normalize(number))
        .first()
    )
    if report is None:
        raise ReportNotFound()
    return report


@dataclass(frozen=True)
class ReportVerification:
    """What the verification page and endpoint say about a stored report."""

    report: Report
    status: str
    signature: VerificationResult

    @property
    def is_valid(self) -> bool:
        return self.status == ReportStatus.VALID and self.signature.valid

    @property
    def superseded_by_number(self) -> str:
        superseded_by = self.report.superseded_by
        return superseded_by.number if superseded_by is not None else ""


def report_verification(report: Report) -> ReportVerification:
    """The report's status and whether its stored content still matches its hash and signature."""
    check = stored_report_verify(content=report.content, content_hash=report.content_hash,
                                 signature=report.signature, key_id=report.key_id)
    return ReportVerification(report=report, status=report.status, signature=check)


def reports_of_subject(*, subject_id: int, viewer: Viewer) -> QuerySet[Report]:
    """A subject's reports, newest first: for the subject itself and credit office staff."""
    if viewer.subject_id != subject_id and viewer.role not in {Role.STAFF, Role.ADMIN, Role.AUDITOR}:
        raise PermissionDenied(code="report.list_not_allowed")
    return Report.objects.filter(subject_id=subject_id).order_by("-created_at", "-id")
