"""Self-service pages under /me/: the subject's own profile, its inquiry log and its consents.

Views are thin: the profile comes from ``access.profile.own_profile`` (through the disclosure policy
for the ``self`` purpose), the log from ``access.selectors``, and every change from
``access.consents``. A signed-in account that acts for no subject gets a page saying so.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxin.access.consents import consent_grant, consent_grantee_shown, consent_revoke
from gongxin.access.errors import NoSubject
from gongxin.access.forms import ConsentGrantForm, ConsentRevokeForm
from gongxin.access.profile import own_profile
from gongxin.access.selectors import (
    consent_grantee_find,
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


@page_requires()
def consents(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    subject = _subject(viewer)
    form = ConsentGrantForm(subject=subject) if subject is not None else None
    if request.method == "POST":
        if subject is None:
            return _no_subject(request, "consents")
        form = ConsentGrantForm(request.POST, subject=subject)
        if form.is_valid():
            try:
                grantee = consent_grantee_find(**form.grantee_lookup())
                consent = consent_grant(
                    subject=subject, grantee_user=grantee.user, grantee_client=grantee.client,
                    grantee_department=grantee.department, purpose=form.cleaned_data["purpose"],
                    scope=form.cleaned_data["scope"], valid_until=form.valid_until_at(), actor=viewer,
                )
            except GongxinError as error:
                form.add_error(None, str(error.message))
            else:
                shown = consent_grantee_shown(consent=consent, viewer=viewer)
                messages.success(request, _("Consent granted to %(grantee)s.") % {"grantee": shown})
                return redirect("access:consents")
        return render(request, "access/consents.html", _consents_context(viewer, subject, form), status=400)
    return render(request, "access/consents.html", _consents_context(viewer, subject, form))


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
