"""Reads of the lending app: lenders, a firm's authorizations and the pulls made under them, the
authorized profile a lender receives, loans, the fund ledger and statistics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gongxin.access.choices import Channel
from gongxin.access.models import Consent, Inquiry
from gongxin.access.shown import ShownRecord, profile_records
from gongxin.accounts.capabilities import acts_for_organization, is_office
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core.errors import PermissionDenied
from gongxin.lending.choices import EntryKind, LoanStatus
from gongxin.lending.errors import (
    FundNotFound,
    LenderNotFound,
    LoanNotFound,
    NotFirmAgent,
    NotLender,
    StaffOnly,
    TooManyFirms,
)
from gongxin.lending.models import FundEntry, Lender, LendingDataItem, Loan, RiskFund
from gongxin.records.choices import Purpose
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_code

BULK_MAX = 100  # firms per bulk pull: enough for a day's applications, small enough for one request
PULL_REASON = "信易贷授权查询"


def staff_check(viewer: Viewer) -> None:
    """The office's reads of lending (statistics, the fund's ledger): accounts.capabilities.is_office."""
    if not is_office(viewer):
        raise StaffOnly()


def firm_of(*, viewer: Viewer) -> Subject:
    """The organization the signed-in viewer acts for as its agent; anyone else is refused."""
    subject_id = viewer.subject_id if acts_for_organization(viewer) else None
    subject = (Subject.objects.select_related("organization").filter(pk=subject_id,
                                                                      kind=SubjectKind.ORGANIZATION).first()
               if subject_id is not None else None)
    if subject is None:
        raise NotFirmAgent()
    return subject


def lenders_active() -> QuerySet[Lender]:
    return Lender.objects.filter(is_active=True, client__is_active=True).select_related("client").order_by("name")


def lender_by_code(code: str) -> Lender:
    lender = lenders_active().filter(code=code).first()
    if lender is None:
        raise LenderNotFound()
    return lender


def lender_of(viewer: Viewer) -> Lender:
    """The lender an API client acts for; anyone else is not a lender."""
    lender = lenders_active().filter(client_id=viewer.client_id).first() if viewer.client_id else None
    if lender is None:
        raise NotLender()
    return lender


def data_items_active() -> QuerySet[LendingDataItem]:
    return LendingDataItem.objects.filter(is_active=True).order_by("catalog_item_code")


def authorizations_of(*, subject_id: int) -> QuerySet[Consent]:
    """A firm's authorizations of lenders (consents naming a lender's API client), newest first."""
    return (
        Consent.objects.filter(subject_id=subject_id, grantee_client__lender__isnull=False)
        .select_related("grantee_client__lender")
        .order_by("-granted_at", "-id")
    )


def pulls_of(*, subject_id: int) -> QuerySet[Inquiry]:
    """Who pulled the firm's profile, when, under which authorization (inquiries by lenders' clients)."""
    return (
        Inquiry.objects.filter(subject_id=subject_id, viewer_client__lender__isnull=False)
        .select_related("viewer_client__lender", "consent")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Pulled:
    """One firm's answer in a pull: its authorized records, or ``authorized`` false and nothing else."""

    code: str
    authorized: bool
    subject_name: str = ""
    uscc: str = ""
    records: list[ShownRecord] = field(default_factory=list)


def _firm(code: str) -> Subject | None:
    subject = subject_by_code(code)
    return subject if subject is not None and subject.kind == SubjectKind.ORGANIZATION else None


def profile_pull(*, viewer: Viewer, codes: list[str]) -> list[Pulled]:
    """The authorized profiles of firms (USCCs), one answer per code in order; each pull under an
    authorization is logged as an inquiry (access.shown.profile_records). No authorization, or no
    such firm: ``authorized`` false, nothing more."""
    lender_of(viewer)
    codes = [c.strip() for c in codes if c and c.strip()]
    if len(codes) > BULK_MAX:
        raise TooManyFirms(details={"max": BULK_MAX})
    allowed = {item.catalog_item_code: set(item.fields) for item in data_items_active()}
    answers: list[Pulled] = []
    for code in codes:
        subject = _firm(code)
        if subject is None:
            answers.append(Pulled(code=code, authorized=False))
            continue
        try:
            shown = profile_records(subject=subject, viewer=viewer, purpose=Purpose.AUTHORIZED, channel=Channel.API,
                                    reason=PULL_REASON)
        except PermissionDenied:
            answers.append(Pulled(code=code, authorized=False))
            continue
        records = []
        for record in shown:
            if record.item_code not in allowed:
                continue
            fields = allowed[record.item_code]
            if fields:
                record = _fields_kept(record, fields)
            records.append(record)
        answers.append(Pulled(code=code, authorized=True, subject_name=subject.name,
                              uscc=subject.organization.uscc, records=records))
    return answers


def _fields_kept(record: ShownRecord, fields: set[str]) -> ShownRecord:
    from dataclasses import replace

    return replace(record, fields=[f for f in record.fields if f.code in fields])


def loan_of_lender(*, viewer: Viewer, reference: str) -> Loan:
    lender = lender_of(viewer)
    loan = Loan.objects.select_related("lender", "subject").filter(lender=lender, reference=reference).first()
    if loan is None:
        raise LoanNotFound()
    return loan


def loan_by_id(*, viewer: Viewer, loan_id: int) -> Loan:
    staff_check(viewer)
    loan = Loan.objects.select_related("lender", "subject").filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound()
    return loan


def loans_of_firm(*, subject_id: int) -> QuerySet[Loan]:
    return Loan.objects.filter(subject_id=subject_id).select_related("lender").order_by("-applied_at", "-id")


def fund_current() -> RiskFund:
    fund = RiskFund.objects.filter(is_active=True).order_by("-effective_from", "-id").first()
    if fund is None:
        raise FundNotFound()
    return fund


def fund_ledger(*, viewer: Viewer, fund: RiskFund, limit: int = 200) -> list[FundEntry]:
    staff_check(viewer)
    return list(fund.entries.select_related("loan__lender", "loan__subject").order_by("-sequence")[:limit])


def claims_payable(*, fund: RiskFund, limit: int = 100) -> QuerySet[Loan]:
    """Covered loans in default for which the fund has not paid a claim yet, oldest default first."""
    paid = FundEntry.objects.filter(fund=fund, kind=EntryKind.CLAIM, loan__isnull=False).values("loan_id")
    return (Loan.objects.filter(status=LoanStatus.DEFAULTED, fund_covered=True).exclude(pk__in=paid)
            .select_related("lender", "subject").order_by("closed_at", "id")[:limit])


@dataclass(frozen=True)
class FundFigures:
    balance_yuan: Decimal
    contributed_yuan: Decimal
    covered_yuan: Decimal
    loans_covered: int
    claims_paid_yuan: Decimal
    claims: int
    recovered_yuan: Decimal


def fund_figures(*, fund: RiskFund) -> FundFigures:
    last = fund.entries.order_by("-sequence").first()
    sums: dict[str, Mapping[str, Any]] = {
        row["kind"]: row
        for row in fund.entries.values("kind").annotate(amount=Sum("amount_yuan"), covered=Sum("covered_yuan"),
                                                        n=Count("id"))
    }
    zero = Decimal("0")
    return FundFigures(
        balance_yuan=last.balance_after_yuan if last else zero,
        contributed_yuan=(sums.get(EntryKind.CONTRIBUTION) or {}).get("amount") or zero,
        covered_yuan=last.covered_after_yuan if last else zero,
        loans_covered=(sums.get(EntryKind.COVERAGE) or {}).get("n", 0),
        claims_paid_yuan=-((sums.get(EntryKind.CLAIM) or {}).get("amount") or zero),
        claims=(sums.get(EntryKind.CLAIM) or {}).get("n", 0),
        recovered_yuan=(sums.get(EntryKind.RECOVERY) or {}).get("amount") or zero,
    )


@dataclass(frozen=True)
class LenderFigures:
    code: str
    name: str
    pulls: int
    firms_authorizing: int
    applied: int
    approved: int
    declined: int
    defaulted: int
    amount_approved_yuan: Decimal
    amount_defaulted_yuan: Decimal


def lending_statistics(*, viewer: Viewer) -> list[LenderFigures]:
    """Per lender: pulls, firms that authorized it, applications and outcomes, amounts (staff)."""
    staff_check(viewer)
    loans: dict[int, Mapping[str, Any]] = {
        row["lender_id"]: row
        for row in Loan.objects.values("lender_id").annotate(
            n=Count("id"),
            approved=Count("id", filter=Q(status__in=[LoanStatus.APPROVED, LoanStatus.REPAID, LoanStatus.DEFAULTED])),
            declined=Count("id", filter=Q(status=LoanStatus.DECLINED)),
            defaulted=Count("id", filter=Q(status=LoanStatus.DEFAULTED)),
            approved_amount=Sum("amount_approved_yuan"),
            defaulted_amount=Sum("default_amount_yuan"),
        )
    }
    pulls = dict(Inquiry.objects.filter(viewer_client__lender__isnull=False).values("viewer_client_id")
                 .annotate(n=Count("id")).values_list("viewer_client_id", "n"))
    firms = dict(Consent.objects.filter(grantee_client__lender__isnull=False).values("grantee_client_id")
                 .annotate(n=Count("subject_id", distinct=True)).values_list("grantee_client_id", "n"))
    out = []
    zero = Decimal("0")
    for lender in Lender.objects.order_by("name"):
        row = loans.get(lender.pk, {})
        out.append(LenderFigures(
            code=lender.code, name=lender.name, pulls=pulls.get(lender.client_id, 0),
            firms_authorizing=firms.get(lender.client_id, 0), applied=row.get("n", 0),
            approved=row.get("approved", 0), declined=row.get("declined", 0), defaulted=row.get("defaulted", 0),
            amount_approved_yuan=row.get("approved_amount") or zero,
            amount_defaulted_yuan=row.get("defaulted_amount") or zero,
        ))
    return out
