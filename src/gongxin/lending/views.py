"""Credit lending pages under /lending/: for a firm's agent, authorize and revoke lenders and see who
pulled the firm's profile; for staff, lending statistics (CSS bars) and the risk-sharing fund's ledger.
Thin: reads through lending.selectors, writes through lending.services."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongxin.access.selectors import consent_state
from gongxin.accounts.capabilities import is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.charts import bars
from gongxin.core.errors import GongxinError, PermissionDenied
from gongxin.lending.errors import NotFirmAgent
from gongxin.lending.forms import AuthorizeForm, ContributionForm
from gongxin.lending.selectors import (
    FundFigures,
    authorizations_of,
    claims_payable,
    firm_of,
    fund_current,
    fund_figures,
    fund_ledger,
    lender_by_code,
    lenders_active,
    lending_statistics,
    loan_by_id,
    loans_of_firm,
    pulls_of,
)
from gongxin.lending.services import (
    claim_amount,
    fund_claim_pay,
    fund_contribute,
    lender_authorization_revoke,
    lender_authorize,
)
from gongxin.subjects.models import Subject

WAN = Decimal(10_000)
NO_FIRM = gettext_lazy("Only an agent of a firm can authorize lenders. Your account does not act for a firm.")
DEFAULT_AUTHORIZATION_DAYS = 180  # the form's suggestion; the consent ceiling applies (access.consents)




def _wan(amount: Decimal) -> Decimal:
    """Yuan shown as 万元 (ten thousand yuan) in the tiles, where a full amount would not fit."""
    return (amount / WAN).quantize(Decimal("0.01"))


def _tiles(totals: FundFigures, *, contributed: bool) -> list[tuple[Any, str, str]]:
    """(value, label, data name) of the fund's tiles."""
    tiles: list[tuple[Any, str, str]] = [(_wan(totals.balance_yuan), _("Fund balance (10,000 yuan)"), "balance")]
    if contributed:
        tiles.append((_wan(totals.contributed_yuan), _("Contributed (10,000 yuan)"), "contributed"))
    tiles += [
        (totals.loans_covered, _("Loans covered"), "loans-covered"),
        (_wan(totals.covered_yuan), _("Principal covered (10,000 yuan)"), "covered"),
        (_wan(totals.claims_paid_yuan), _("Claims paid (10,000 yuan)"), "claims-paid"),
    ]
    return tiles


def _firm(viewer: Viewer) -> Subject | None:
    try:
        return firm_of(viewer=viewer)
    except NotFirmAgent:
        return None


@page_requires()
def firm(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    subject = _firm(viewer)
    if subject is None:
        raise PermissionDenied(NO_FIRM)
    now = clock.now()
    authorizations = [(c, consent_state(c, at=now)) for c in authorizations_of(subject_id=subject.pk)]
    active = {c.grantee_client_id for c, state in authorizations if state == "active"}
    suggested = timezone.localdate(now) + timedelta(days=DEFAULT_AUTHORIZATION_DAYS)
    return render(request, "lending/firm.html", {
        "subject": subject,
        "lenders": [(lender, lender.client_id in active) for lender in lenders_active()],
        "authorizations": authorizations,
        "pulls": pulls_of(subject_id=subject.pk)[:100],
        "loans": loans_of_firm(subject_id=subject.pk)[:100],
        "suggested_until": suggested.isoformat(),
    })


@page_requires()
@require_POST
def authorize(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    subject = _firm(viewer)
    form = AuthorizeForm(request.POST)
    if subject is None or not form.is_valid():
        messages.error(request, _("Choose a lender and a date until which the authorization runs."))
        return redirect("lending:firm")
    try:
        until = timezone.make_aware(datetime.combine(form.cleaned_data["valid_until"], time(23, 59, 59)))
        lender_authorize(subject=subject, lender=lender_by_code(form.cleaned_data["lender"]), valid_until=until,
                         actor=viewer)
    except GongxinError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The lender may now receive your credit data listed below."))
    return redirect("lending:firm")


@page_requires()
@require_POST
def revoke(request: HttpRequest, authorization_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    subject = _firm(viewer)
    if subject is None:
        raise PermissionDenied(NO_FIRM)
    try:
        lender_authorization_revoke(subject=subject, consent_id=authorization_id, actor=viewer,
                                    reason=request.POST.get("reason", ""))
    except GongxinError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The authorization has been revoked."))
    return redirect("lending:firm")


@page_requires(is_office)
def statistics(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    figures = lending_statistics(viewer=viewer)
    try:
        fund = fund_current()
        totals = fund_figures(fund=fund)
    except GongxinError:
        fund, totals = None, None
    charts = [
        {"title": _("Profile pulls"), "bars": bars([(f.name, f.pulls) for f in figures]), "kind": ""},
        {"title": _("Loan applications"), "bars": bars([(f.name, f.applied) for f in figures]), "kind": ""},
        {"title": _("Loans approved"), "bars": bars([(f.name, f.approved) for f in figures]),
         "kind": "bar-positive"},
        {"title": _("Amount approved (yuan)"), "bars": bars([(f.name, f.amount_approved_yuan) for f in figures]),
         "kind": "bar-positive"},
        {"title": _("Loans in default"), "bars": bars([(f.name, f.defaulted) for f in figures]),
         "kind": "bar-negative"},
    ]
    tiles = _tiles(totals, contributed=False) if totals is not None else []
    return render(request, "lending/statistics.html", {"figures": figures, "charts": charts, "fund": fund,
                                                       "tiles": tiles})


@page_requires(is_office)
def fund(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    current = fund_current()
    form = ContributionForm()
    if request.method == "POST":
        form = ContributionForm(request.POST)
        if form.is_valid():
            try:
                fund_contribute(fund=current, amount_yuan=form.cleaned_data["amount_yuan"], actor=viewer,
                                note=form.cleaned_data["note"])
            except GongxinError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The contribution has been entered in the ledger."))
                return redirect("lending:fund")
    claimable = [(loan, claim_amount(fund=current, loan=loan)) for loan in claims_payable(fund=current)]
    return render(request, "lending/fund.html", {
        "fund": current, "tiles": _tiles(fund_figures(fund=current), contributed=True),
        "entries": fund_ledger(viewer=viewer, fund=current),
        "form": form, "claimable": claimable,
    })


@page_requires(is_office)
@require_POST
def claim(request: HttpRequest, loan_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    try:
        fund_claim_pay(fund=fund_current(), loan=loan_by_id(viewer=viewer, loan_id=loan_id), actor=viewer,
                       note=request.POST.get("note", ""))
    except GongxinError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The claim has been paid from the fund."))
    return redirect("lending:fund")
