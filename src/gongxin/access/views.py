"""Self-service pages under /me/: the subject's own profile, its inquiry log and its consents.

Views are thin: the profile comes from ``access.profile.own_profile`` (through the disclosure policy
for the ``self`` purpose), the log from ``access.selectors``, and every change from
``access.consents``. A signed-in account that acts for no subject gets a page saying so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxin.access.consents import consent_grant, consent_grantee_shown, consent_revoke
from gongxin.access.errors import NoSubject
from gongxin.access.forms import ConsentGrantForm, ConsentRevokeForm
from gongxin.access.grantees import consent_preview, requesters_search
from gongxin.access.profile import own_profile
from gongxin.access.selectors import (
    Grantee,
    consent_of_subject,
    consent_state,
    consents_of,
    consents_received,
    inquiries_visible,
)
from gongxin.accounts.actors import actors_annotate
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.selectors import items_current
from gongxin.core.errors import GongxinError
from gongxin.core.paging import CursorInvalid
from gongxin.subjects.models import Subject

INQUIRIES_PER_PAGE = 30
MAX_PAGE = 10_000


def _no_subject(request: HttpRequest, section: str) -> HttpResponse:
    return render(request, "access/no_subject.html", {"section": section})


def _subject(viewer: Viewer) -> Subject | None:
    if viewer.subject_id is None:
        return None
    return Subject.objects.select_related("organization", "person").filter(pk=viewer.subject_id).first()


@page_requires()
def profile(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    try:
        own = own_profile(viewer=viewer, group=request.GET.get("group"), cursor=request.GET.get("cursor"))
    except NoSubject:
        return _no_subject(request, "profile")
    except CursorInvalid as error:
        return render(request, "portal/error.html", {"status": 400, "message": error.message}, status=400)
    return render(request, "access/profile.html",
                  {"section": "profile", "own": own, "counts": own.counts, "grouped": own.grouped,
                   "black_lists": own.black_lists, "viewer": viewer})


@page_requires()
def inquiries(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    subject = _subject(viewer)
    if subject is None:
        return _no_subject(request, "inquiries")
    try:
        number = min(max(int(request.GET.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        number = 1
    paginator = Paginator(inquiries_visible(viewer=viewer, subject_id=subject.pk), INQUIRIES_PER_PAGE)
    page = paginator.get_page(number)
    page.object_list = actors_annotate(items=page.object_list, viewer=viewer, subject_id=subject.pk,
                                       field="viewer_label")
    return render(request, "access/inquiries.html", {"section": "inquiries", "subject": subject, "page": page})


def item_names() -> dict[str, str]:
    """Catalog item names by code (the current edition), to show a consent's scope."""
    english = (get_language() or "").startswith("en")
    return {code: (name_en if english and name_en else name)
            for code, name, name_en in items_current().values_list("code", "name", "name_en")}


def _consents_context(viewer: Viewer, subject: Subject | None, form: ConsentGrantForm | None) -> dict[str, Any]:
    granted = list(consents_of(subject_id=subject.pk)) if subject is not None else []
    received = list(consents_received(viewer=viewer))
    names = item_names()
    for consent in (*granted, *received):
        consent.grantee_shown = consent_grantee_shown(consent=consent, viewer=viewer)
    return {
        "section": "consents",
        "subject": subject,
        "form": form,
        "granted": [(c, consent_state(c), [names.get(code, code) for code in c.scope]) for c in granted],
        "received": [(c, consent_state(c), [names.get(code, code) for code in c.scope]) for c in received],
        "revoke_form": ConsentRevokeForm(),
    }


def _grant_form(subject: Subject, data: Any = None) -> ConsentGrantForm:
    return ConsentGrantForm(data, subject=subject, search_url=reverse("access:consent_requesters"))


@page_requires()
def consents(request: HttpRequest) -> HttpResponse:
    """GET: the consents and the grant form. POST: the form checked, then what the requester would see and until
    when, to confirm (``confirm``) or change (``edit``); a confirmed grant is made and the page reloaded."""
    viewer = page_viewer(request)
    subject = _subject(viewer)
    form = _grant_form(subject) if subject is not None else None
    if request.method == "POST":
        if subject is None:
            return _no_subject(request, "consents")
        form = _grant_form(subject, request.POST)
        if form.is_valid() and "edit" not in request.POST:
            try:
                grantee = form.grantee_lookup()
                valid_until = form.valid_until_at()
                if "confirm" not in request.POST:
                    context = _consents_context(viewer, subject, form)
                    context["preview"] = _preview(subject, form, grantee, valid_until)
                    return render(request, "access/consents.html", context)
                consent = consent_grant(
                    subject=subject, grantee_user=grantee.user, grantee_client=grantee.client,
                    grantee_department=grantee.department, purpose=form.cleaned_data["purpose"],
                    scope=form.cleaned_data["scope"], valid_until=valid_until, actor=viewer,
                )
            except GongxinError as error:
                form.add_error(None, str(error.message))
            else:
                shown = consent_grantee_shown(consent=consent, viewer=viewer)
                messages.success(request, _("Consent granted to %(grantee)s.") % {"grantee": shown})
                return redirect("access:consents")
        status = 200 if "edit" in request.POST else 400
        return render(request, "access/consents.html", _consents_context(viewer, subject, form), status=status)
    return render(request, "access/consents.html", _consents_context(viewer, subject, form))


def _preview(subject: Subject, form: ConsentGrantForm, grantee: Grantee, valid_until: datetime) -> dict[str, Any]:
    """What the confirmation shows: who, for what, until when, and the records the requester would see."""
    scope = form.cleaned_data["scope"]
    names = item_names()
    lines = consent_preview(subject=subject, scope=scope)
    return {
        "grantee": grantee.department.name if grantee.department is not None else "",
        "purpose": form.cleaned_data["purpose"],
        "scope": [names.get(code, code) for code in scope],
        # The last minute it is in force: a consent "until 12-17 inclusive" ends at midnight after that day.
        "valid_until": valid_until - timedelta(seconds=1),
        "lines": lines,
        "records": sum(line.records for line in lines),
        "not_public": sum(line.not_public for line in lines),
    }


@page_requires()
def consent_requesters(request: HttpRequest) -> JsonResponse:
    """The requesters whose name holds ``q`` (the grant form's search as the person types): names only, for a
    signed-in subject — the same people the grant form is for. Never an account, so never a person."""
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        raise NoSubject()
    found = requesters_search(text=request.GET.get("q", ""))
    return JsonResponse({"results": [{"value": r.value, "label": r.label, "detail": r.detail} for r in found]})


@page_requires()
@require_POST
def consent_revoke_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        return _no_subject(request, "consents")
    form = ConsentRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        consent = consent_of_subject(consent_id=consent_id, subject_id=viewer.subject_id)
        consent_revoke(consent=consent, actor=viewer, reason=reason)
    except GongxinError as error:
        messages.error(request, str(error.message))
    else:
        grantee = consent_grantee_shown(consent=consent, viewer=viewer)
        messages.success(request, _("Consent to %(grantee)s revoked.") % {"grantee": grantee})
    return redirect("access:consents")
