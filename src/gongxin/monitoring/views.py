"""Early-warning pages under /monitoring/ for credit office staff (auditors read only).

The dashboard shows the active scorecard (features, IV, bins as CSS bars), the latest run's risk
distribution and the alert counts; then the alert list with filters, an alert with its history
(acknowledge, close), a scorecard's page (activate a draft), an organization's risk history with its
reasons, and the caller's watch list. Thin: reads through monitoring.selectors, writes through services.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxin.access.choices import Channel
from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.errors import CatalogItemNotFound
from gongxin.catalog.selectors import item_by_code
from gongxin.core.errors import GongxinError, PermissionDenied
from gongxin.monitoring.choices import AlertKind, AlertStatus
from gongxin.monitoring.features import feature_label
from gongxin.monitoring.models import Scorecard
from gongxin.monitoring.selectors import (
    StaffField,
    alert_counts,
    alert_get,
    alerts_list,
    alerts_of_field,
    feature_chart,
    field_of,
    organization_get,
    risk_distribution,
    risk_of_subject,
    run_latest,
    scorecard_active,
    scorecard_get,
    scorecards_list,
    watch_get,
    watches_of,
)
from gongxin.monitoring.services import (
    alert_acknowledge,
    alert_close,
    scorecard_activate,
    watch_start,
    watch_start_by_id,
    watch_stop,
)
from gongxin.subjects.selectors import subject_by_code

LIST_LIMIT = 500


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the office's early warning (accounts.capabilities.is_office); the viewer is passed on.
    Refusals deeper down (not found, a write of an auditor) render on the one error page."""

    @page_requires(is_office)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, page_viewer(request), *args, **kwargs)

    return wrapper


def _can_act(viewer: Viewer) -> bool:
    return decides_for_office(viewer)


def _features(scorecard: Scorecard, language: str) -> list[dict[str, Any]]:
    biggest = max((f["iv"] for f in scorecard.features), default=0) or 1.0
    return [{**f, "label": feature_label(f["code"], language=language), "chart": feature_chart(f),
             "iv_percent": round(100 * f["iv"] / biggest, 1)}
            for f in sorted(scorecard.features, key=lambda f: -f["iv"])]


@staff_page
def dashboard(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    active = scorecard_active()
    run = run_latest()
    return render(request, "monitoring/dashboard.html", {
        "active": active, "features": _features(active, request.LANGUAGE_CODE) if active else [],
        "run": run, "distribution": risk_distribution(run=run) if run else [],
        "counts": alert_counts(viewer=viewer), "scorecards": scorecards_list(viewer=viewer)[:10],
        "section": "dashboard",
    })


@staff_page
def scorecard(request: HttpRequest, viewer: Viewer, scorecard_id: int) -> HttpResponse:
    found = scorecard_get(scorecard_id=scorecard_id, viewer=viewer)
    if request.method == "POST":
        try:
            scorecard_activate(scorecard=found, actor=viewer)
            messages.success(request, _("The scorecard is active; the next run uses it."))
        except GongxinError as error:
            messages.error(request, str(error.message))
        return redirect("monitoring:scorecard", scorecard_id=found.pk)
    return render(request, "monitoring/scorecard.html", {
        "scorecard": found, "features": _features(found, request.LANGUAGE_CODE), "can_act": _can_act(viewer),
        "section": "dashboard",
    })


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("All")), *AlertStatus.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All")), *AlertKind.choices])
    mine = forms.BooleanField(label=gettext_lazy("Only my watches"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


@staff_page
def alerts(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    filters = AlertFilterForm(request.GET or None)
    status, kind, mine = "", "", False
    if filters.is_valid():
        status, kind, mine = (filters.cleaned_data["status"], filters.cleaned_data["kind"],
                              filters.cleaned_data["mine"])
    rows = alerts_list(viewer=viewer, status=status or None, kind=kind or None, mine=mine)[:LIST_LIMIT]
    field = field_of(viewer)
    return render(request, "monitoring/alerts.html", {
        "rows": rows, "filters": filters, "counts": alert_counts(viewer=viewer), "can_act": _can_act(viewer),
        "section": "alerts", "field": field, "field_name": _field_name(field),
        "queue": alerts_of_field(viewer=viewer, field=field),
    })


def _field_name(field: StaffField) -> str:
    """The field in words: its district's name and its domain's, or the whole city."""
    from gongxin.monitoring.dashboards import DOMAIN_LABELS, district_name

    parts = []
    if field.region_code:
        parts.append(district_name(field.region_code))
    if field.domain:
        parts.append(str(dict(DOMAIN_LABELS).get(field.domain, field.domain)))
    return " · ".join(parts) or _("The whole city")


@staff_page
def alert(request: HttpRequest, viewer: Viewer, alert_id: int) -> HttpResponse:
    found = alert_get(alert_id=alert_id, viewer=viewer)
    form = NoteForm(request.POST or None)
    if request.method == "POST":
        step = alert_acknowledge if request.POST.get("action") == "acknowledge" else alert_close
        if form.is_valid():
            try:
                step(alert=found, actor=viewer, note=form.cleaned_data["note"])
                messages.success(request, _("Alert updated."))
            except PermissionDenied:
                raise
            except GongxinError as error:
                messages.error(request, str(error.message))
            return redirect("monitoring:alert", alert_id=found.pk)
    return render(request, "monitoring/alert.html", {
        "alert": found, "events": found.events.all(), "form": form, "can_act": _can_act(viewer),
        "section": "alerts", "item_name": _item_name(str((found.detail or {}).get("item") or "")),
        "why_now": (found.detail or {}).get("why_now"), "english": (get_language() or "").startswith("en"),
        "path": _path_named(found, viewer),
    })


def _path_named(found: Any, viewer: Viewer) -> list[dict[str, Any]]:
    """The path of a related-party alert with the subjects' names (persons named only for the office's deciders)."""
    from gongxin.subjects.choices import RelationKind
    from gongxin.subjects.models import Subject

    hops = (found.detail or {}).get("path") or []
    if not hops:
        return []
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=[h["subject_id"] for h in hops])}
    labels = dict(RelationKind.choices)
    named = []
    for hop in hops:
        subject = subjects.get(hop["subject_id"])
        shown = subject is not None and (not subject.is_person or _can_act(viewer))
        named.append({"name": subject.name if shown and subject else _("Natural person"),
                      "kind": labels.get(hop["kind"], hop["kind"])})
    return named


def _item_name(code: str) -> str:
    """The catalog item an alert's record is of, by name in the page's language (the alert stores its code)."""
    if not code:
        return ""
    try:
        item = item_by_code(code)
    except CatalogItemNotFound:
        return ""
    return item.name_en if item.name_en and (get_language() or "").startswith("en") else item.name


@staff_page
def subject_risk(request: HttpRequest, viewer: Viewer, subject_id: int) -> HttpResponse:
    subject = organization_get(subject_id=subject_id, viewer=viewer)
    scores = risk_of_subject(subject_id=subject.pk, viewer=viewer, channel=Channel.PORTAL)
    return render(request, "monitoring/subject.html", {
        "subject": subject, "scores": scores, "latest": scores[0] if scores else None,
        "alerts": alerts_list(viewer=viewer, subject_id=subject.pk)[:50], "can_act": _can_act(viewer),
        "watching": watches_of(viewer=viewer).filter(subject=subject).exists(), "section": "alerts",
    })


class WatchForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


@staff_page
def watches(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = WatchForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            subject = subject_by_code(form.cleaned_data["code"].strip())
            if subject is None:
                form.add_error("code", _("No organization has this code."))
            else:
                try:
                    watch_start(subject=subject, actor=viewer, note=form.cleaned_data["note"])
                except PermissionDenied:
                    raise
                except GongxinError as error:
                    form.add_error(None, str(error.message))
                else:
                    messages.success(request, _("You are watching %(name)s.") % {"name": subject.name})
                    return redirect("monitoring:watches")
        status = 400
    return render(request, "monitoring/watches.html", {
        "watches": watches_of(viewer=viewer), "form": form, "can_act": _can_act(viewer), "section": "watches",
    }, status=status)


@require_POST
@staff_page
def watch_remove(request: HttpRequest, viewer: Viewer, watch_id: int) -> HttpResponse:
    watch_stop(watch=watch_get(watch_id=watch_id, viewer=viewer), actor=viewer)
    messages.success(request, _("You no longer watch this organization."))
    return redirect("monitoring:watches")


@require_POST
@staff_page
def watch_add(request: HttpRequest, viewer: Viewer, subject_id: int) -> HttpResponse:
    watch_start_by_id(subject_id=subject_id, actor=viewer)
    messages.success(request, _("You are watching this organization."))
    return redirect("monitoring:subject", subject_id=subject_id)
