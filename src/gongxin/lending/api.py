"""Credit lending API, mounted at /api/v1/lending (thin: parse, call one service or selector, shape).

For firms (an organization's agent, signed in): ``GET /lenders``, ``GET|POST /authorizations``,
``POST /authorizations/{id}/revoke``, ``GET /pulls`` (who pulled the firm's profile, when).
For lenders (API client registered as a Lender): ``POST /profiles`` (bulk, up to 100 USCCs),
``GET /profiles/{uscc}``, ``POST /loans``, ``POST /loans/{reference}/decision``, ``…/repaid``,
``…/default``. For staff: ``GET /fund``, ``POST /fund/contributions``, ``POST /fund/claims``,
``GET /statistics``. Everyone: ``GET /data-items`` (what lenders may receive).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.access.selectors import consent_state
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import api_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import NotAuthenticated
from gongxin.lending.models import Loan
from gongxin.lending.selectors import (
    Pulled,
    authorizations_of,
    data_items_active,
    firm_of,
    fund_current,
    fund_figures,
    fund_ledger,
    lender_by_code,
    lenders_active,
    lending_statistics,
    loan_by_id,
    loan_of_lender,
    profile_pull,
    pulls_of,
)
from gongxin.lending.services import (
    fund_claim_pay,
    fund_contribute,
    lender_authorization_revoke,
    lender_authorize,
    loan_apply,
    loan_approve,
    loan_decline,
    loan_default_record,
    loan_repaid,
)

router = Router(tags=["lending"], auth=viewer_auth)


class LenderOut(Schema):
    code: str
    name: str


class DataItemOut(Schema):
    catalog_item_code: str
    fields: list[str]
    legal_basis: str


class AuthorizationIn(Schema):
    lender: str = Field(..., description="The lender's code")
    valid_until: datetime


class AuthorizationRevokeIn(Schema):
    reason: str = Field("", max_length=1000)


class AuthorizationOut(Schema):
    id: int
    lender: str
    lender_name: str
    scope: list[str]
    valid_from: datetime
    valid_until: datetime
    state: str
    revoked_at: datetime | None


class PullOut(Schema):
    lender: str
    at: datetime
    records_shown: int
    authorization_id: int | None


class ProfilesIn(Schema):
    codes: list[str] = Field(..., min_length=1, description="USCCs of the firms (at most 100)")


class LendingFieldOut(Schema):
    code: str
    label: str
    value: str


class LendingRecordOut(Schema):
    record_id: int
    item_code: str
    item_name: str
    polarity: str
    severity: str
    source_unit: str
    decision_date: str | None
    fields: list[LendingFieldOut]


class ProfileOut(Schema):
    code: str
    authorized: bool
    name: str = ""
    uscc: str = ""
    records: list[LendingRecordOut] = []


class LoanIn(Schema):
    uscc: str
    reference: str = Field(..., min_length=1, max_length=100)
    amount_requested_yuan: Decimal = Field(..., gt=0, decimal_places=2)
    note: str = Field("", max_length=500)


class LoanDecisionIn(Schema):
    outcome: Literal["approve", "decline"]
    amount_approved_yuan: Decimal | None = Field(None, gt=0, decimal_places=2)
    rate_percent: Decimal | None = Field(None, ge=0, le=100)
    term_months: int | None = Field(None, ge=1, le=600)
    fund_covered: bool = False
    note: str = Field("", max_length=500)


class LoanDefaultIn(Schema):
    default_amount_yuan: Decimal = Field(..., gt=0, decimal_places=2)
    note: str = Field("", max_length=500)


class LoanNoteIn(Schema):
    note: str = Field("", max_length=500)


class LoanOut(Schema):
    id: int
    lender: str
    reference: str
    uscc: str
    status: str
    amount_requested_yuan: Decimal
    amount_approved_yuan: Decimal | None
    rate_percent: Decimal | None
    term_months: int | None
    fund_covered: bool
    default_amount_yuan: Decimal | None
    applied_at: datetime
    decided_at: datetime | None


class ContributionIn(Schema):
    amount_yuan: Decimal = Field(..., gt=0, decimal_places=2)
    note: str = Field("", max_length=500)


class ClaimIn(Schema):
    loan_id: int
    note: str = Field("", max_length=500)


class EntryOut(Schema):
    sequence: int
    kind: str
    amount_yuan: Decimal
    covered_yuan: Decimal
    balance_after_yuan: Decimal
    covered_after_yuan: Decimal
    loan: str | None
    note: str
    actor: str
    at: datetime


class FundOut(Schema):
    code: str
    name: str
    share_percent: Decimal
    balance_yuan: Decimal
    contributed_yuan: Decimal
    covered_yuan: Decimal
    loans_covered: int
    claims_paid_yuan: Decimal
    claims: int
    recovered_yuan: Decimal
    entries: list[EntryOut]


class LenderFiguresOut(Schema):
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


def _signed_in(request: HttpRequest) -> Viewer:
    viewer = api_viewer(request)
    if viewer.is_anonymous:
        raise NotAuthenticated()
    return viewer


def _authorization_out(consent: Any) -> dict[str, Any]:
    lender = consent.grantee_client.lender
    return {"id": consent.pk, "lender": lender.code, "lender_name": lender.name, "scope": list(consent.scope),
            "valid_from": consent.valid_from, "valid_until": consent.valid_until, "state": consent_state(consent),
            "revoked_at": consent.revoked_at}


def _profile_out(pulled: Pulled) -> dict[str, Any]:
    if not pulled.authorized:
        return {"code": pulled.code, "authorized": False}
    return {
        "code": pulled.code, "authorized": True, "name": pulled.subject_name, "uscc": pulled.uscc,
        "records": [
            {"record_id": r.record_id, "item_code": r.item_code, "item_name": r.item_name, "polarity": r.polarity,
             "severity": r.severity, "source_unit": r.source_unit_name,
             "decision_date": r.decision_date.isoformat() if r.decision_date else None,
             "fields": [{"code": f.code, "label": f.label, "value": f.value} for f in r.fields]}
            for r in pulled.records
        ],
    }


def _loan_out(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk, "lender": loan.lender.code, "reference": loan.reference,
        "uscc": loan.subject.organization.uscc, "status": loan.status,
        "amount_requested_yuan": loan.amount_requested_yuan, "amount_approved_yuan": loan.amount_approved_yuan,
        "rate_percent": loan.rate_percent, "term_months": loan.term_months, "fund_covered": loan.fund_covered,
        "default_amount_yuan": loan.default_amount_yuan, "applied_at": loan.applied_at,
        "decided_at": loan.decided_at,
    }


@router.get("/lenders", response=list[LenderOut], summary="The lenders a firm may authorize")
def lenders(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": lender.code, "name": lender.name} for lender in lenders_active()]


@router.get("/data-items", response=list[DataItemOut], summary="What lenders receive: catalog items and fields")
def data_items(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"catalog_item_code": i.catalog_item_code, "fields": i.fields, "legal_basis": i.legal_basis}
            for i in data_items_active()]


@router.get("/authorizations", response=list[AuthorizationOut], summary="Firm: your authorizations of lenders")
def authorizations(request: HttpRequest) -> list[dict[str, Any]]:
    firm = firm_of(viewer=_signed_in(request))
    return [_authorization_out(c) for c in authorizations_of(subject_id=firm.pk)]


@router.post("/authorizations", response={201: AuthorizationOut}, summary="Firm: authorize a lender")
def authorize(request: HttpRequest, body: AuthorizationIn) -> Status[dict[str, Any]]:
    viewer = _signed_in(request)
    consent = lender_authorize(subject=firm_of(viewer=viewer), lender=lender_by_code(body.lender),
                               valid_until=body.valid_until, actor=viewer)
    return Status(201, _authorization_out(authorizations_of(subject_id=consent.subject_id).get(pk=consent.pk)))


@router.post("/authorizations/{authorization_id}/revoke", response=AuthorizationOut,
             summary="Firm: revoke an authorization now")
def revoke(request: HttpRequest, authorization_id: int, body: AuthorizationRevokeIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    firm = firm_of(viewer=viewer)
    lender_authorization_revoke(subject=firm, consent_id=authorization_id, actor=viewer, reason=body.reason)
    return _authorization_out(authorizations_of(subject_id=firm.pk).get(pk=authorization_id))


@router.get("/pulls", response=list[PullOut], summary="Firm: who pulled your profile, when")
def pulls(request: HttpRequest, limit: int = 100) -> list[dict[str, Any]]:
    firm = firm_of(viewer=_signed_in(request))
    # pulls_of keeps the inquiries of lenders' clients: viewer_client is always set
    return [{"lender": p.viewer_client.lender.name if p.viewer_client else "", "at": p.created_at,
             "records_shown": p.records_shown, "authorization_id": p.consent_id}
            for p in pulls_of(subject_id=firm.pk)[:min(max(limit, 1), 500)]]


@router.post("/profiles", response=list[ProfileOut], summary="Lender: authorized profiles of many firms")
def profiles_bulk(request: HttpRequest, body: ProfilesIn) -> list[dict[str, Any]]:
    return [_profile_out(p) for p in profile_pull(viewer=_signed_in(request), codes=body.codes)]


@router.get("/profiles/{code}", response=ProfileOut, summary="Lender: the authorized profile of one firm")
def profile_one(request: HttpRequest, code: str) -> dict[str, Any]:
    return _profile_out(profile_pull(viewer=_signed_in(request), codes=[code])[0])


@router.post("/loans", response={201: LoanOut}, summary="Lender: a firm applied for a loan")
def loans_apply(request: HttpRequest, body: LoanIn) -> Status[dict[str, Any]]:
    loan = loan_apply(uscc=body.uscc, reference=body.reference, amount_requested_yuan=body.amount_requested_yuan,
                      actor=_signed_in(request), note=body.note)
    return Status(201, _loan_out(loan))


@router.post("/loans/{reference}/decision", response=LoanOut, summary="Lender: approved (amount, rate, term) or not")
def loans_decide(request: HttpRequest, reference: str, body: LoanDecisionIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    loan = loan_of_lender(viewer=viewer, reference=reference)
    if body.outcome == "decline":
        return _loan_out(loan_decline(loan=loan, actor=viewer, note=body.note))
    return _loan_out(loan_approve(
        loan=loan, amount_approved_yuan=body.amount_approved_yuan, rate_percent=body.rate_percent,
        term_months=body.term_months or 0, fund_covered=body.fund_covered, actor=viewer, note=body.note,
    ))


@router.post("/loans/{reference}/repaid", response=LoanOut, summary="Lender: the loan was repaid")
def loans_repaid(request: HttpRequest, reference: str, body: LoanNoteIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    return _loan_out(loan_repaid(loan=loan_of_lender(viewer=viewer, reference=reference), actor=viewer,
                                 note=body.note))


@router.post("/loans/{reference}/default", response=LoanOut, summary="Lender: the firm defaulted")
def loans_default(request: HttpRequest, reference: str, body: LoanDefaultIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    loan = loan_of_lender(viewer=viewer, reference=reference)
    return _loan_out(loan_default_record(loan=loan, default_amount_yuan=body.default_amount_yuan, actor=viewer,
                                         note=body.note))


def _fund_out(viewer: Viewer) -> dict[str, Any]:
    fund = fund_current()
    entries = fund_ledger(viewer=viewer, fund=fund)
    return {
        "code": fund.code, "name": fund.name, "share_percent": fund.share_percent,
        **fund_figures(fund=fund).__dict__,
        "entries": [
            {"sequence": e.sequence, "kind": e.kind, "amount_yuan": e.amount_yuan, "covered_yuan": e.covered_yuan,
             "balance_after_yuan": e.balance_after_yuan, "covered_after_yuan": e.covered_after_yuan,
             "loan": f"{e.loan.lender.code}/{e.loan.reference}" if e.loan else None, "note": e.note,
             "actor": e.actor_label, "at": e.created_at}
            for e in entries
        ],
    }


@router.get("/fund", response=FundOut, summary="Staff: the risk-sharing fund, its figures and ledger")
def fund(request: HttpRequest) -> dict[str, Any]:
    return _fund_out(_signed_in(request))


@router.post("/fund/contributions", response={201: FundOut}, summary="Staff: money paid into the fund")
def fund_contributions(request: HttpRequest, body: ContributionIn) -> Status[dict[str, Any]]:
    viewer = _signed_in(request)
    fund_contribute(fund=fund_current(), amount_yuan=body.amount_yuan, actor=viewer, note=body.note)
    return Status(201, _fund_out(viewer))


@router.post("/fund/claims", response={201: FundOut}, summary="Staff: pay the fund's share of a covered default")
def fund_claims(request: HttpRequest, body: ClaimIn) -> Status[dict[str, Any]]:
    viewer = _signed_in(request)
    fund_claim_pay(fund=fund_current(), loan=loan_by_id(viewer=viewer, loan_id=body.loan_id), actor=viewer,
                   note=body.note)
    return Status(201, _fund_out(viewer))


@router.get("/statistics", response=list[LenderFiguresOut], summary="Staff: per lender figures")
def statistics(request: HttpRequest) -> list[dict[str, Any]]:
    return [f.__dict__ for f in lending_statistics(viewer=_signed_in(request))]
