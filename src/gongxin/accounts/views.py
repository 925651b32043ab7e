"""Pages of accounts: firm agents (the legal representative's authorizations, a person's firms and invitation
code, acting for a firm) and government users' second factor (enrolment, verification, re-authentication)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongxin.accounts import agents, second_factor
from gongxin.accounts.capabilities import needs_second_factor
from gongxin.accounts.choices import AgentCapability, Role
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.errors import MandateNotFound
from gongxin.accounts.middleware import ACTING_KEY
from gongxin.accounts.models import AgentMandate
from gongxin.accounts.selectors import mandate_in_force, mandate_state, mandates_of_agent, mandates_of_organization
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.errors import GongxinError

STATE_LABELS = {
    "in_force": gettext_lazy("In force"),
    "pending": gettext_lazy("Not yet begun"),
    "expired": gettext_lazy("Expired"),
    "revoked": gettext_lazy("Revoked"),
}


class AuthorizeForm(forms.Form):
    way = forms.ChoiceField(choices=[("code", gettext_lazy("Invitation code")),
                                     ("rin", gettext_lazy("Name and identity number"))])
    code = forms.CharField(label=gettext_lazy("Invitation code"), max_length=20, required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    rin = forms.CharField(label=gettext_lazy("Identity number"), max_length=18, required=False)
    capabilities = forms.MultipleChoiceField(label=gettext_lazy("May act for the organization in"),
                                             choices=AgentCapability.choices, widget=forms.CheckboxSelectMultiple)
    valid_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _mandate_rows(mandates: Any) -> list[dict[str, Any]]:
    today = clock.today()
    labels = dict(AgentCapability.choices)
    rows = []
    for mandate in mandates:
        state = mandate_state(mandate, day=today)
        rows.append({"mandate": mandate, "state": state, "state_label": STATE_LABELS[state],
                     "capabilities": [labels[c] for c in mandate.capabilities if c in labels]})
    return rows


def _firm_manages_itself(viewer: Viewer) -> bool:
    return (viewer.client_id is None and viewer.subject_id is not None and viewer.role == Role.ORG_AGENT
            and viewer.agent_capabilities is None)


def _agents_context(request: HttpRequest, viewer: Viewer, **extra: Any) -> dict[str, Any]:
    today = clock.today()
    represented = [{"organization": org, "rows": _mandate_rows(mandates_of_organization(organization_id=org.pk))}
                   for org in agents.organizations_represented(actor=viewer)]
    own_firm = None
    if _firm_manages_itself(viewer) and viewer.subject_id is not None:
        own_firm = {"rows": _mandate_rows(mandates_of_organization(organization_id=viewer.subject_id))}
    person_id = viewer.agent_subject_id or (viewer.subject_id if viewer.role == Role.PERSON else None)
    my_mandates = _mandate_rows(mandates_of_agent(agent_id=person_id)) if person_id is not None else []
    acting_id = request.session.get(ACTING_KEY)
    acting = next((row["mandate"] for row in my_mandates if row["mandate"].pk == acting_id), None)
    form = extra.pop("form", None) or AuthorizeForm(initial={"way": "code", "valid_from": today,
                                                            "valid_until": date(today.year + 1, today.month, 1)})
    return {"represented": represented, "own_firm": own_firm, "my_mandates": my_mandates, "acting": acting,
            "is_person": viewer.role == Role.PERSON or viewer.agent_subject_id is not None, "form": form, **extra}


@page_requires()
def agents_page(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    return render(request, "accounts/agents.html", _agents_context(request, viewer))


@page_requires()
@require_POST
def agent_invitation(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    invitation, code = agents.agent_invitation_create(actor=viewer)
    return render(request, "accounts/agents.html",
                  _agents_context(request, viewer, invitation=invitation, invitation_code=code))


@page_requires()
@require_POST
def agent_authorize(request: HttpRequest, organization_id: int) -> HttpResponseBase:
    viewer = page_viewer(request)
    agents.authorizing_check(actor=viewer, organization_id=organization_id)
    form = AuthorizeForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/agents.html", _agents_context(request, viewer, form=form,
                                                                       form_organization=organization_id), status=422)
    data = form.cleaned_data
    try:
        if data["way"] == "code":
            candidate = agents.agent_candidate_by_invitation(actor=viewer, organization_id=organization_id,
                                                             code=data["code"])
        else:
            candidate = agents.agent_candidate_by_rin(actor=viewer, organization_id=organization_id,
                                                      name=data["name"], rin=data["rin"])
        if request.POST.get("confirm") != "yes":
            labels = dict(AgentCapability.choices)
            return render(request, "accounts/agent_confirm.html", {
                "candidate": candidate, "form": form, "organization_id": organization_id,
                "capability_labels": [labels[c] for c in AgentCapability.values if c in data["capabilities"]],
            })
        agents.agent_authorize(actor=viewer, organization_id=organization_id, candidate=candidate,
                               capabilities=data["capabilities"], valid_from=data["valid_from"],
                               valid_until=data["valid_until"])
    except GongxinError as error:
        if error.status not in (404, 422, 429):
            raise
        return render(request, "accounts/agents.html", _agents_context(
            request, viewer, form=form, form_organization=organization_id, error=error.message),
            status=error.status)
    messages.success(request, _("%(name)s may now act for the organization.") % {"name": candidate.name})
    return redirect("accounts:agents")


@page_requires()
@require_POST
def agent_revoke(request: HttpRequest, mandate_id: int) -> HttpResponseBase:
    mandate = agents.agent_revoke(actor=page_viewer(request), mandate_id=mandate_id)
    messages.success(request, _("The authorization of %(name)s is revoked.") % {"name": mandate.agent.name})
    return redirect("accounts:agents")


@page_requires()
@require_POST
def agent_act(request: HttpRequest, mandate_id: int) -> HttpResponseBase:
    """Act for the firm of ``mandate_id`` (a mandate in force of the signed-in person) from the next request."""
    user: Any = request.user
    mandate: AgentMandate | None = None
    if user.role == Role.PERSON:
        mandate = mandate_in_force(mandate_id=mandate_id, agent_id=user.subject_id)
    if mandate is None:
        raise MandateNotFound()
    request.session[ACTING_KEY] = mandate.pk
    return redirect("access:profile")


@page_requires()
@require_POST
def agent_act_stop(request: HttpRequest) -> HttpResponseBase:
    request.session.pop(ACTING_KEY, None)
    return redirect("accounts:agents")


# --- second factor --------------------------------------------------------------------------------------------

def _second_factor_user(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.is_authenticated:
        return None
    return user


def second_factor_enrol(request: HttpRequest) -> HttpResponseBase:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with its first code."""
    user = _second_factor_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    next_url = _safe_next(request, "/")
    if not needs_second_factor(page_viewer(request)):
        return redirect(next_url)
    if second_factor.totp_device_confirmed(user) is not None:
        return redirect(_step_url("accounts:second_factor", next_url))
    device = second_factor.totp_enrolment_start(user)
    error = None
    if request.method == "POST":
        try:
            second_factor.totp_enrolment_confirm(request=request, device=device, token=request.POST.get("token", ""))
        except GongxinError as failed:
            error = failed.message
        else:
            return redirect(next_url)
    return render(request, "accounts/second_factor_enrol.html", {
        "qr_svg": second_factor.totp_qr_svg(device), "secret": second_factor.totp_secret_text(device),
        "next": next_url, "error": error}, status=422 if error else 200)


def second_factor_verify(request: HttpRequest) -> HttpResponseBase:
    """Sign-in, step two: the current code of the enrolled authenticator app."""
    user = _second_factor_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    next_url = _safe_next(request, "/")
    if not needs_second_factor(page_viewer(request)) or second_factor.session_verified(request):
        return redirect(next_url)
    if second_factor.totp_device_confirmed(user) is None:
        return redirect(_step_url("accounts:second_factor_enrol", next_url))
    error = None
    if request.method == "POST":
        try:
            second_factor.second_factor_verify(request=request, user=user, token=request.POST.get("token", ""))
        except GongxinError as failed:
            error = failed.message
        else:
            return redirect(next_url)
    return render(request, "accounts/second_factor.html", {"next": next_url, "error": error},
                  status=422 if error else 200)


@page_requires()
def reauthenticate(request: HttpRequest) -> HttpResponseBase:
    """Before a sensitive act: the password and a fresh code (decision 060)."""
    user: Any = request.user
    next_url = _safe_next(request, "/")
    error = None
    if request.method == "POST":
        try:
            second_factor.reauthenticate(request=request, user=user, password=request.POST.get("password", ""),
                                         token=request.POST.get("token", ""))
        except GongxinError as failed:
            error = failed.message
        else:
            return redirect(next_url)
    minutes = second_factor.policy()["reauthentication_minutes"]
    return render(request, "accounts/reauthenticate.html", {"next": next_url, "error": error, "minutes": minutes},
                  status=422 if error else 200)


def _step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"
