"""Reads of the reports app.

A report's number is its key: anyone holding it may open its verification page (that is what the QR
code is for), so numbers carry 50 random bits and are never listed publicly. The page says whether the
report is valid and shows its hashes; for an organization's report (organizations are public) anyone
holding the number also opens the report and its files. A person's report, its content and its files
are for the person itself, the report's requester and credit office staff only (``report_for_viewer``):
anyone else gets "not found", exactly as for an unknown number, and its verification page names nobody.
Lists of reports are for the subject itself and for credit office staff only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from cryptography.exceptions import InvalidTag
from django.db.models import QuerySet

from gongxin.accounts.capabilities import is_office, reveals_rin
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock, signing
from gongxin.core.documents import VerificationResult, stored_report_verify
from gongxin.records.choices import Purpose
from gongxin.records.lists import entries_in_force_q
from gongxin.records.models import ListEntry, RecordVersion
from gongxin.reports.choices import ReportKind, ReportStatus
from gongxin.reports.errors import ReportListNotAllowed, ReportNotFound
from gongxin.reports.ledger import LedgerCheck, ledger_verify
from gongxin.reports.models import Report
from gongxin.reports.personal import report_signed_content
from gongxin.reports.snapshot import ListMembership

NUMBER_MAX_LENGTH = 40



def list_memberships(*, subject_id: int, record_ids: Collection[int], day: date) -> list[ListMembership]:
    """The lists ``subject_id`` is on on ``day`` through the records a report lists (``record_ids``: the
    disclosure policy already chose them): black lists first, by list, the latest listing first in each. One
    query, whatever the number of records (the subject's entries in force are few; the records are matched
    here)."""
    entries = (
        ListEntry.objects.filter(entries_in_force_q(day), subject_id=subject_id)
        .select_related("list_type")
        .order_by("-start_date", "pk")
    )
    wanted = set(record_ids)
    found = [
        ListMembership(record_id=e.record_id, list_code=e.list_type.code, list_name=e.list_type.name,
                       list_kind=e.list_type.kind, start_date=e.start_date, end_date=e.end_date, basis=e.basis,
                       legal_basis=e.list_type.legal_basis, exit_conditions=e.list_type.exit_conditions)
        for e in entries if e.record_id in wanted
    ]
    return sorted(found, key=lambda m: (m.list_kind != "black", m.list_code))  # stable: latest first in a list


def number_normalize(number: str) -> str:
    return "".join(str(number).split()).upper()[:NUMBER_MAX_LENGTH]


def report_by_number(number: str) -> Report:
    """The report with this number (case and spaces ignored), or ``ReportNotFound``."""
    report = (
        Report.objects.select_related("superseded_by", "subject")
        .filter(number=number_normalize(number))
        .first()
    )
    if report is None:
        raise ReportNotFound()
    return report


def report_is_personal(report: Report) -> bool:
    """Whether the report is about a natural person (a person report, or a person's special report)."""
    return report.subject.kind == SubjectKind.PERSON


def report_viewer_entitled(*, report: Report, viewer: Viewer) -> bool:
    """Whether ``viewer`` may see the report's content and files: anyone for an organization's report;
    for a person's, the person itself, whoever requested the report (user or API client) and those who see a
    RIN in clear (accounts.capabilities.reveals_rin: the report shows it)."""
    if not report_is_personal(report):
        return True
    return (
        (viewer.subject_id is not None and viewer.subject_id == report.subject_id)
        or (viewer.user_id is not None and viewer.user_id == report.requested_by_id)
        or (viewer.client_id is not None and viewer.client_id == report.requested_by_client_id)
        or reveals_rin(viewer)
    )


def report_for_viewer(number: str, *, viewer: Viewer) -> Report:
    """The report with this number if ``viewer`` may see its content and files; else ``ReportNotFound``,
    the same answer as for a number no report has."""
    report = report_by_number(number)
    if not report_viewer_entitled(report=report, viewer=viewer):
        raise ReportNotFound()
    return report


@dataclass(frozen=True)
class ReportVerification:
    """What the verification page and endpoint say about a stored report."""

    report: Report
    status: str
    signature: VerificationResult
    ledger: LedgerCheck | None = None  # what the tamper-evident log proves of its records (reports.ledger)

    @property
    def is_valid(self) -> bool:
        return self.status == ReportStatus.VALID and self.signature.valid

    @property
    def superseded_by_number(self) -> str:
        superseded_by = self.report.superseded_by
        return superseded_by.number if superseded_by is not None else ""


def report_verification(report: Report) -> ReportVerification:
    """The report's status and whether its stored content still matches its hash and signature."""
    try:
        content = report_signed_content(report)
    except (ValueError, InvalidTag):  # the sealed part cannot be opened: the stored copy is not what was signed
        content = report.content
    check = stored_report_verify(content=content, content_hash=report.content_hash,
                                 signature=report.signature, key_id=report.key_id)
    ledger = ledger_verify(content, public_keys=list(signing.public_keys().values()))
    return ReportVerification(report=report, status=report.status, signature=check, ledger=ledger)


def reports_of_subject(*, subject_id: int, viewer: Viewer) -> QuerySet[Report]:
    """A subject's reports, newest first: for the subject itself and the credit office."""
    if viewer.subject_id != subject_id and not is_office(viewer):
        raise ReportListNotAllowed()
    return Report.objects.filter(subject_id=subject_id).order_by("-created_at", "-id")


def report_public_of_today(*, subject_id: int) -> Report | None:
    """Today's valid public report of an organization, if one was issued (by anyone) and the organization's records
    have not changed since: served again instead of issuing another. A public report names "the public" as
    requester and shows what anyone may see, so one a day is enough while its content stays the same; re-issuing it
    on every request let anonymous callers grow the database at will. A record version written after the report
    (a new record, a correction, a mark, an end of publicity) makes it stale: the next request issues a new one
    (counted against the caller's and the address's limits). The check is one short read of the subject's records
    and their versions' index."""
    start = clock.local().replace(hour=0, minute=0, second=0, microsecond=0)  # the platform's day, not UTC's
    report = (Report.objects.filter(subject_id=subject_id, kind=ReportKind.ORGANIZATION, purpose=Purpose.PUBLIC,
                                    status=ReportStatus.VALID, created_at__gte=start)
              .select_related("superseded_by").order_by("-created_at", "-id").first())
    if report is None:
        return None
    changed = RecordVersion.objects.filter(record__subject_id=subject_id, created_at__gt=report.created_at).exists()
    return None if changed else report
