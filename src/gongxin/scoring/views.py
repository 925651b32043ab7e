"""Credit evaluation pages under /scoring/.

Staff: the overview (grade distributions over the batch runs as CSS bar charts, the models) and each
model version (its tree, and the simulation of activating it). Anyone allowed to see a subject's
evaluation: the subject's page (the same panel the profile and report pages include with
``{% score_panel subject viewer %}``). Everyone: the partner-score tables.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.scoring import selectors
from gongxin.scoring.models import GradeBand


def _bars(counts: dict[str, int], bands: list[GradeBand]) -> list[dict[str, Any]]:
    total = sum(counts.values()) or 1
    widest = max(counts.values(), default=0) or 1
    return [{"label": b.shown_name, "value": counts.get(b.code, 0),
             "share": round(100 * counts.get(b.code, 0) / total, 1),
             "percent": round(100 * counts.get(b.code, 0) / widest, 1),
             "negative": b.min_score == min(x.min_score for x in bands)} for b in bands]


@page_requires(is_office)
def overview(request: HttpRequest) -> HttpResponse:
    models = selectors.models_listed()
    active = {m.code: m for m in models if m.status == "active"}
    runs = selectors.score_runs(limit=12)
    charts = []
    for code, model in active.items():
        bands = list(model.bands.all())
        charts.append({
            "model": model,
            "runs": [{"run": r, "bars": _bars(r.distribution.get(code, {}), bands),
                      "total": sum(r.distribution.get(code, {}).values())} for r in runs],
        })
    return render(request, "scoring/overview.html", {"charts": charts, "models": models, "runs": runs})


@page_requires(is_office)
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    model = selectors.model_get(model_id=model_id)
    simulation = selectors.model_simulation(model=model, limit=50) if request.GET.get("simulate") else None
    bands = list(model.bands.all())
    sim_bars = None
    if simulation is not None:
        sim_bars = {"before": _bars(simulation.before, bands), "after": _bars(simulation.after, bands)}
        # Grades by name in the page's language, never their codes: this version's bands win over earlier ones'.
        names = {b.code: b.shown_name for b in GradeBand.objects.filter(model__subject_kind=model.subject_kind)
                 .exclude(model=model)}
        names.update({b.code: b.shown_name for b in bands})
        for change in simulation.changed:
            change["grade_before_name"] = names.get(change["grade_before"], "")
            change["grade_after_name"] = names.get(change["grade_after"], "")
    return render(request, "scoring/model.html", {
        "model": model, "dimensions": model.dimensions.prefetch_related("indicators"), "bands": bands,
        "simulation": simulation, "sim_bars": sim_bars,
    })


@page_requires()
def subject_score(request: HttpRequest, subject_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    subject = selectors.subject_evaluated(viewer=viewer, subject_id=subject_id)
    return render(request, "scoring/subject.html", {"subject": subject, "viewer": viewer})


@page_requires()
def mine(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        raise Http404
    return redirect("scoring:subject", subject_id=viewer.subject_id)


def partners(request: HttpRequest) -> HttpResponse:
    person_model = selectors.model_active(subject_kind=SubjectKind.PERSON)
    levels = {b.code: b for b in person_model.bands.all()} if person_model else {}
    return render(request, "scoring/partners.html", {"schemes": selectors.partner_schemes(), "levels": levels})
