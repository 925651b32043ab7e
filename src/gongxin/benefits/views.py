"""Benefit pages under /benefits/: the subject's own benefits (whether it qualifies and why, its usages,
authorizing a provider to check it) and the staff statistics with CSS bar charts. Thin: reads through
benefits.selectors, writes through services (access consents for the authorization)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.benefits.errors import ScenarioNotFound
from gongxin.benefits.selectors import (
    benefits_of_subject,
    providers_consented,
    scenario_by_code,
    scenario_statistics,
    subject_of,
)
from gongxin.benefits.services import scenario_authorize
from gongxin.core.charts import bars
from gongxin.core.errors import GongxinError, PermissionDenied


@page_requires()
def mine(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    subject = subject_of(viewer=viewer)
    if subject is None:
        raise PermissionDenied(_("Your account does not act for a person or an organization, so it has no benefits."))
    benefits = benefits_of_subject(viewer=viewer)
    consented = providers_consented(subject_id=subject.pk)
    rows = [{"benefit": b, "consented": b.scenario.provider_id in consented,
             "can_authorize": b.scenario.provider.client_id is not None} for b in benefits]
    return render(request, "benefits/mine.html", {"rows": rows, "subject": subject})


@page_requires()
@require_POST
def authorize(request: HttpRequest, code: str) -> HttpResponse:
    """The subject lets the scenario's provider check it (a consent to the provider's API client)."""
    viewer = page_viewer(request)
    subject = subject_of(viewer=viewer)
    try:
        scenario = scenario_by_code(code)
    except ScenarioNotFound:
        raise Http404 from None
    if subject is None or scenario.provider.client is None:
        raise Http404
    try:
        scenario_authorize(scenario=scenario, subject=subject, actor=viewer)
    except GongxinError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The provider may now check whether you qualify. You can revoke this under "
                                    "My consents."))
    return redirect("benefits:mine")


@page_requires(is_office)
def statistics(request: HttpRequest) -> HttpResponse:
    figures = scenario_statistics(viewer=page_viewer(request))
    charts = [
        {"title": _("Eligibility checks"), "bars": bars([(f.name, f.checks) for f in figures]), "kind": ""},
        {"title": _("Checks answered eligible"), "bars": bars([(f.name, f.checks_eligible) for f in figures]),
         "kind": "bar-positive"},
        {"title": _("Usages"), "bars": bars([(f.name, f.usages) for f in figures]), "kind": ""},
        {"title": _("Defaults"), "bars": bars([(f.name, f.defaults) for f in figures]), "kind": "bar-negative"},
        {"title": _("Amount used (yuan)"), "bars": bars([(f.name, f.amount_yuan) for f in figures]), "kind": ""},
        {"title": _("Amount in default (yuan)"), "bars": bars([(f.name, f.default_amount_yuan) for f in figures]),
         "kind": "bar-negative"},
    ]
    totals = {
        "checks": sum(f.checks for f in figures), "usages": sum(f.usages for f in figures),
        "defaults": sum(f.defaults for f in figures), "suspensions": sum(f.suspensions for f in figures),
    }
    return render(request, "benefits/statistics.html", {"figures": figures, "charts": charts, "totals": totals})
