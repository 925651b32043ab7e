"""Writes of the lending app: a firm authorizes or revokes a lender; lenders report loans and their
outcomes; staff keep the risk-sharing fund's ledger (contributions, claims).

Authorizations are access consents (one policy, one inquiry log); loans and the ledger write their
history row and outbox event in the same transaction. The ledger's running balance is computed under
a lock of the fund row, so two writers never read the same previous balance.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from gongxin.access.consents import consent_grant, consent_revoke
from gongxin.access.models import Consent
from gongxin.access.selectors import consent_active_for
from gongxin.accounts.capabilities import acts_for_organization, decides_for_office
from gongxin.accounts.models import ApiClient
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.core.events import (
    FUND_CLAIM_PAID,
    FUND_CONTRIBUTED,
    FUND_LOAN_COVERED,
    FUND_RECOVERED,
    LOAN_APPLIED,
    LOAN_APPROVED,
    LOAN_DECLINED,
    LOAN_DEFAULTED,
    LOAN_REPAID,
)
from gongxin.core.outbox import event_emit
from gongxin.lending.choices import EntryKind, LoanAction, LoanStatus
from gongxin.lending.errors import (
    AmountInvalid,
    ClaimNotAllowed,
    LoanDuplicate,
    LoanWrongState,
    NotAuthorized,
    NotFirmAgent,
    StaffOnly,
)
from gongxin.lending.models import FundEntry, Lender, Loan, LoanEvent, RiskFund
from gongxin.lending.selectors import authorizations_of, data_items_active, lender_of
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_code

AGGREGATE_LOAN = "loan"
AGGREGATE_FUND = "risk_fund"
FUND_TOPICS = {EntryKind.CONTRIBUTION: FUND_CONTRIBUTED, EntryKind.COVERAGE: FUND_LOAN_COVERED,
               EntryKind.CLAIM: FUND_CLAIM_PAID, EntryKind.RECOVERY: FUND_RECOVERED}
PURPOSE_PREFIX = "信易贷融资授权"
CENT = Decimal("0.01")


# --- authorizations -------------------------------------------------------------------------------------

def _firm_agent_check(*, subject: Subject, actor: Viewer) -> None:
    if subject.kind != SubjectKind.ORGANIZATION or actor.subject_id != subject.pk or not acts_for_organization(actor):
        raise NotFirmAgent()


def lender_authorize(*, subject: Subject, lender: Lender, valid_until: datetime, actor: Viewer) -> Consent:
    """The firm's agent authorizes a lender to pull the lending data items of its profile until
    ``valid_until`` (a consent naming the lender's API client; ``access.consent.granted`` event)."""
    _firm_agent_check(subject=subject, actor=actor)
    current = set(items_current().values_list("code", flat=True))
    scope = [item.catalog_item_code for item in data_items_active() if item.catalog_item_code in current]
    return consent_grant(subject=subject, grantee_client=lender.client, purpose=f"{PURPOSE_PREFIX}：{lender.name}",
                         scope=scope, valid_until=valid_until, actor=actor)


def lender_authorization_revoke(*, subject: Subject, consent_id: int, actor: Viewer, reason: str = "") -> Consent:
    """The firm's agent ends an authorization now (pulls already made stay in the log)."""
    _firm_agent_check(subject=subject, actor=actor)
    consent = authorizations_of(subject_id=subject.pk).filter(pk=consent_id).first()
    if consent is None:
        raise NotAuthorized()
    return consent_revoke(consent=consent, actor=actor, reason=reason)


# --- loans ---------------------------------------------------------------------------------------------

def _money(value: Any, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AmountInvalid() from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) or amount >= 10**12:
        raise AmountInvalid()
    if amount != amount.quantize(CENT):
        raise AmountInvalid()
    return amount.quantize(CENT)


def _loan_event(loan: Loan, *, action: str, actor: Viewer, amount: Decimal | None = None, note: str = "") -> None:
    LoanEvent.objects.create(loan=loan, action=action, amount_yuan=amount, actor_label=actor.label, note=note[:500],
                             created_at=clock.now())


def _loan_payload(loan: Loan, actor: Viewer) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {"lender": loan.lender.code, "reference": loan.reference, "status": loan.status,
            "amount_requested_yuan": text(loan.amount_requested_yuan),
            "amount_approved_yuan": text(loan.amount_approved_yuan),
            "rate_percent": text(loan.rate_percent), "term_months": loan.term_months,
            "fund_covered": loan.fund_covered, "default_amount_yuan": text(loan.default_amount_yuan),
            "actor": actor.label}


def loan_apply(*, uscc: str, reference: str, amount_requested_yuan: Any, actor: Viewer, note: str = "") -> Loan:
    """The lender reports a firm's application. Only for a firm that authorized this lender (else the
    same answer as for an unknown firm)."""
    lender = lender_of(actor)
    subject = subject_by_code(uscc)
    if subject is None or subject.kind != SubjectKind.ORGANIZATION:
        raise NotAuthorized()
    if consent_active_for(subject_id=subject.pk, viewer=actor) is None:
        raise NotAuthorized()
    amount = _money(amount_requested_yuan, positive=True)
    try:
        with transaction.atomic():
            loan = Loan.objects.create(lender=lender, subject=subject, reference=reference.strip()[:100],
                                       amount_requested_yuan=amount, applied_at=clock.now())
            _loan_event(loan, action=LoanAction.APPLIED, actor=actor, amount=amount, note=note)
            event_emit(topic=LOAN_APPLIED, aggregate_type=AGGREGATE_LOAN, aggregate_id=loan.pk,
                       subject_id=subject.pk, payload=_loan_payload(loan, actor))
    except IntegrityError:
        raise LoanDuplicate() from None
    return loan


def _locked(loan: Loan, *, allowed: set[str]) -> Loan:
    locked = Loan.objects.select_for_update().select_related("lender").get(pk=loan.pk)
    if locked.status not in allowed:
        raise LoanWrongState(details={"status": locked.status})
    return locked


def loan_approve(
    *, loan: Loan, amount_approved_yuan: Any, rate_percent: Any, term_months: int, fund_covered: bool,
    actor: Viewer, note: str = "",
) -> Loan:
    """The lender approves (amount, rate, term); a loan under the fund's cover adds a coverage entry."""
    lender_of(actor)
    amount = _money(amount_approved_yuan, positive=True)
    try:
        rate = Decimal(str(rate_percent))
    except (InvalidOperation, ValueError):
        raise AmountInvalid() from None
    if not rate.is_finite() or rate < 0 or rate > 100 or term_months < 1 or term_months > 600:
        raise AmountInvalid(details={"rate_percent": str(rate_percent), "term_months": term_months})
    with transaction.atomic():
        locked = _locked(loan, allowed={LoanStatus.APPLIED})
        locked.status = LoanStatus.APPROVED
        locked.amount_approved_yuan = amount
        locked.rate_percent = rate.quantize(Decimal("0.001"))
        locked.term_months = term_months
        locked.fund_covered = fund_covered
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "amount_approved_yuan", "rate_percent", "term_months", "fund_covered",
                                   "decided_at"])
        _loan_event(locked, action=LoanAction.APPROVED, actor=actor, amount=amount, note=note)
        if fund_covered:
            from gongxin.lending.selectors import fund_current

            _entry_append(fund=fund_current(), kind=EntryKind.COVERAGE, covered=amount, loan=locked, actor=actor,
                          note=f"{locked.lender.name} {locked.reference}")
        event_emit(topic=LOAN_APPROVED, aggregate_type=AGGREGATE_LOAN, aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload=_loan_payload(locked, actor))
    return locked


def loan_decline(*, loan: Loan, actor: Viewer, note: str = "") -> Loan:
    lender_of(actor)
    with transaction.atomic():
        locked = _locked(loan, allowed={LoanStatus.APPLIED})
        locked.status = LoanStatus.DECLINED
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_at"])
        _loan_event(locked, action=LoanAction.DECLINED, actor=actor, note=note)
        event_emit(topic=LOAN_DECLINED, aggregate_type=AGGREGATE_LOAN, aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload=_loan_payload(locked, actor))
    return locked


def loan_repaid(*, loan: Loan, actor: Viewer, note: str = "") -> Loan:
    lender_of(actor)
    with transaction.atomic():
        locked = _locked(loan, allowed={LoanStatus.APPROVED})
        locked.status = LoanStatus.REPAID
        locked.closed_at = clock.now()
        locked.save(update_fields=["status", "closed_at"])
        _loan_event(locked, action=LoanAction.REPAID, actor=actor, note=note)
        event_emit(topic=LOAN_REPAID, aggregate_type=AGGREGATE_LOAN, aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload=_loan_payload(locked, actor))
    return locked


def loan_default_record(*, loan: Loan, default_amount_yuan: Any, actor: Viewer, note: str = "") -> Loan:
    """The lender reports the firm in default (the amount lost); kept for the score model
    (``lending.loan.defaulted`` with the subject)."""
    lender_of(actor)
    amount = _money(default_amount_yuan, positive=True)
    with transaction.atomic():
        locked = _locked(loan, allowed={LoanStatus.APPROVED})
        if locked.amount_approved_yuan is not None and amount > locked.amount_approved_yuan:
            raise AmountInvalid(details={"max": str(locked.amount_approved_yuan)})
        locked.status = LoanStatus.DEFAULTED
        locked.default_amount_yuan = amount
        locked.closed_at = clock.now()
        locked.save(update_fields=["status", "default_amount_yuan", "closed_at"])
        _loan_event(locked, action=LoanAction.DEFAULTED, actor=actor, amount=amount, note=note)
        event_emit(topic=LOAN_DEFAULTED, aggregate_type=AGGREGATE_LOAN, aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload=_loan_payload(locked, actor))
    return locked


# --- the risk-sharing fund ------------------------------------------------------------------------------

def _staff_write_check(actor: Viewer) -> None:
    # Auditors read the ledger; only credit office staff write it.
    if not decides_for_office(actor):
        raise StaffOnly()


def _entry_append(
    *, fund: RiskFund, kind: EntryKind, actor: Viewer, amount: Decimal = Decimal("0"), covered: Decimal = Decimal("0"),
    loan: Loan | None = None, note: str = "",
) -> FundEntry:
    """Append one ledger line with the running totals; the fund row's lock orders concurrent writers."""
    RiskFund.objects.select_for_update().filter(pk=fund.pk).first()
    last = FundEntry.objects.filter(fund=fund).order_by("-sequence").first()
    balance = (last.balance_after_yuan if last else Decimal("0")) + amount
    covered_total = (last.covered_after_yuan if last else Decimal("0")) + covered
    entry = FundEntry.objects.create(
        fund=fund, sequence=(last.sequence + 1) if last else 1, kind=kind, amount_yuan=amount, covered_yuan=covered,
        balance_after_yuan=balance, covered_after_yuan=covered_total, loan=loan, note=note[:500],
        actor_label=actor.label, created_at=clock.now(),
    )
    event_emit(topic=FUND_TOPICS[kind], aggregate_type=AGGREGATE_FUND, aggregate_id=fund.pk,
               subject_id=loan.subject_id if loan is not None else None,
               payload={"sequence": entry.sequence, "kind": kind, "amount_yuan": str(amount),
                        "covered_yuan": str(covered), "balance_after_yuan": str(balance),
                        "loan": loan.reference if loan is not None else None, "actor": actor.label})
    return entry


def fund_contribute(*, fund: RiskFund, amount_yuan: Any, actor: Viewer, note: str = "") -> FundEntry:
    """Staff record money paid into the fund (a budget allocation, a lender's share)."""
    _staff_write_check(actor)
    amount = _money(amount_yuan, positive=True)
    with transaction.atomic():
        return _entry_append(fund=fund, kind=EntryKind.CONTRIBUTION, amount=amount, actor=actor, note=note)


def fund_recover(*, fund: RiskFund, loan: Loan, amount_yuan: Any, actor: Viewer, note: str = "") -> FundEntry:
    """Staff record money recovered on a loan the fund paid a claim for."""
    _staff_write_check(actor)
    amount = _money(amount_yuan, positive=True)
    with transaction.atomic():
        return _entry_append(fund=fund, kind=EntryKind.RECOVERY, amount=amount, loan=loan, actor=actor, note=note)


def claim_amount(*, fund: RiskFund, loan: Loan) -> Decimal:
    """The fund's share of a covered loan's default (``share_percent`` of the amount lost)."""
    lost = loan.default_amount_yuan or Decimal("0")
    return (lost * fund.share_percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def fund_claim_pay(*, fund: RiskFund, loan: Loan, actor: Viewer, note: str = "") -> FundEntry:
    """Staff pay the lender the fund's share of a covered loan in default: once per loan, never more than
    the balance."""
    _staff_write_check(actor)
    with transaction.atomic():
        locked = Loan.objects.select_for_update().select_related("lender").get(pk=loan.pk)
        RiskFund.objects.select_for_update().filter(pk=fund.pk).first()
        already = FundEntry.objects.filter(loan=locked, kind=EntryKind.CLAIM).exists()
        amount = claim_amount(fund=fund, loan=locked)
        last = FundEntry.objects.filter(fund=fund).order_by("-sequence").first()
        balance = last.balance_after_yuan if last else Decimal("0")
        payable = locked.status == LoanStatus.DEFAULTED and locked.fund_covered and not already
        if not payable or amount <= 0 or amount > balance:
            raise ClaimNotAllowed(details={"claim_yuan": str(amount), "balance_yuan": str(balance)})
        entry = _entry_append(fund=fund, kind=EntryKind.CLAIM, amount=-amount, loan=locked, actor=actor,
                              note=note or f"{locked.lender.name} {locked.reference}")
        _loan_event(locked, action=LoanAction.CLAIM_PAID, actor=actor, amount=amount, note=note)
    return entry


def lender_register(*, code: str, name: str, client: ApiClient, actor: Viewer) -> Lender:
    """Staff register an API client as a lender (demo seeding; the admin does the same)."""
    _staff_write_check(actor)
    return Lender.objects.create(code=code, name=name, client=client)
