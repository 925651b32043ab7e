"""Credit evaluation API, mounted at /api/v1/scoring (thin: parse, call one service or selector, shape).

- ``GET  /subjects/{id}`` — a subject's score, grade, dimensions, reason codes and what would change it
  (the subject itself, credit office staff, auditors, government users, or with the subject's consent);
- ``GET  /models``, ``GET /models/{id}`` — the indicator models (data); ``GET /models/{id}/simulation`` —
  what activating it would change; ``POST /models/{id}/draft``, ``POST /models/{id}/activate`` (staff);
- ``GET  /runs`` — score runs with grade distributions (staff); ``POST /runs`` — queue a batch run;
- ``GET  /supervision/fields``; ``GET /supervision/{field}/classes``; ``GET /supervision/{field}/sample?seed=``;
  ``PUT /supervision/{field}/rules/{grade}`` (the field's regulator or staff);
- ``GET  /partners``; ``GET /partners/{code}/translate?score=`` — a partner city's score as a local level.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.capabilities import decides_for_office, is_office, reads_supervision
from gongxin.accounts.doors import viewer_for_request
from gongxin.scoring import selectors
from gongxin.scoring.models import ScoringModel
from gongxin.scoring.services import model_activate, model_draft_from, supervision_rule_set
from gongxin.subjects.errors import SubjectNotFound

router = Router(tags=["scoring"], auth=viewer_auth)

class DimensionOut(Schema):
    code: str
    name: str
    name_en: str
    points: float
    max_points: float


class ScoreReasonOut(Schema):
    code: str
    dimension: str
    points_lost: float
    text_zh: str
    text_en: str


class ChangeOut(Schema):
    day: date
    kind: str = Field(..., description="retention_end | weight_drops | repairable")
    record_id: int
    text_zh: str
    text_en: str


class ScoreOut(Schema):
    subject_id: int
    model: str
    as_of: date
    score: int
    scale_max: int
    grade: str
    grade_name: str
    grade_name_en: str
    supervision_class: str
    stored_score: int | None = Field(None, description="The score of the last run (null: not yet scored)")
    dimensions: list[DimensionOut]
    reasons: list[ScoreReasonOut] = Field(..., description="At most four, by points lost")
    changes: list[ChangeOut]


@router.get("/subjects/{subject_id}", response=ScoreOut, summary="A subject's credit evaluation, explained")
def score_of_subject(request: HttpRequest, subject_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    subject = selectors.subject_evaluated(viewer=viewer, subject_id=subject_id)
    panel = selectors.score_panel(subject=subject, viewer=viewer, channel="api")
    if panel is None or panel.explanation is None:
        raise SubjectNotFound()
    e = panel.explanation
    return {
        "subject_id": subject_id, "model": e.model_code, "as_of": e.as_of, "score": e.score,
        "scale_max": e.scale_max, "grade": e.grade, "grade_name": e.grade_name, "grade_name_en": e.grade_name_en,
        "supervision_class": e.supervision_class, "stored_score": panel.current.score if panel.current else None,
        "dimensions": [vars(d) for d in e.dimensions], "reasons": [vars(r) for r in e.reasons],
        "changes": [vars(c) for c in e.changes],
    }


class IndicatorOut(Schema):
    code: str
    name: str
    feature: str
    params: dict
    decay: list
    points_per_unit: Decimal
    min_points: Decimal
    max_points: Decimal
    reason_code: str


class ModelDimensionOut(Schema):
    code: str
    name: str
    name_en: str
    base_points: Decimal
    max_points: Decimal
    indicators: list[IndicatorOut]


class BandOut(Schema):
    code: str
    name: str
    name_en: str
    min_score: int
    supervision_class: str


class ModelOut(Schema):
    id: int
    code: str
    version: int
    name: str
    name_en: str
    subject_kind: str
    status: str
    scale_max: int
    repaired_weight: Decimal
    effective_from: date
    legal_basis: str
    reasoning: str
    dimensions: list[ModelDimensionOut]
    bands: list[BandOut]


def _model_out(model: ScoringModel) -> dict[str, Any]:
    return {
        "id": model.pk, "code": model.code, "version": model.version, "name": model.name, "name_en": model.name_en,
        "subject_kind": model.subject_kind, "status": model.status, "scale_max": model.scale_max,
        "repaired_weight": model.repaired_weight, "effective_from": model.effective_from,
        "legal_basis": model.legal_basis, "reasoning": model.reasoning,
        "dimensions": [
            {"code": d.code, "name": d.name, "name_en": d.name_en, "base_points": d.base_points,
             "max_points": d.max_points,
             "indicators": [{"code": i.code, "name": i.name, "feature": i.feature, "params": i.params,
                             "decay": i.decay, "points_per_unit": i.points_per_unit, "min_points": i.min_points,
                             "max_points": i.max_points, "reason_code": i.reason_code}
                            for i in d.indicators.all()]}
            for d in model.dimensions.all()
        ],
        "bands": [{"code": b.code, "name": b.name, "name_en": b.name_en, "min_score": b.min_score,
                   "supervision_class": b.supervision_class} for b in model.bands.all()],
    }


@router.get("/models", response=list[ModelOut], summary="Indicator models, every version")
def models_list(request: HttpRequest) -> list[dict[str, Any]]:
    viewer_for_request(request)
    return [_model_out(m) for m in selectors.models_listed()]


@router.get("/models/{model_id}", response=ModelOut, summary="One model version")
def model_detail(request: HttpRequest, model_id: int) -> dict[str, Any]:
    viewer_for_request(request)
    return _model_out(selectors.model_get(model_id=model_id))


class SimulationOut(Schema):
    model_id: int
    against_model_id: int | None
    as_of: date
    before: dict[str, int]
    after: dict[str, int]
    transitions: dict[str, dict[str, int]]
    changed_count: int
    changed: list[dict[str, Any]]


@router.get("/models/{model_id}/simulation", response=SimulationOut,
            summary="Score everyone under this version and compare with the active one (staff)")
def model_simulation(request: HttpRequest, model_id: int, limit: int = 100) -> dict[str, Any]:
    viewer_for_request(request, require=is_office)
    result = selectors.model_simulation(model=selectors.model_get(model_id=model_id), limit=min(max(limit, 0), 1000))
    return vars(result)


@router.post("/models/{model_id}/draft", response={201: ModelOut}, summary="A new draft copying this version")
def model_draft(request: HttpRequest, model_id: int) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    draft = model_draft_from(model=selectors.model_get(model_id=model_id), actor=viewer)
    return Status(201, _model_out(draft))


@router.post("/models/{model_id}/activate", response=ModelOut, summary="Activate a draft (a batch run follows)")
def model_activate_endpoint(request: HttpRequest, model_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    return _model_out(model_activate(model=selectors.model_get(model_id=model_id), actor=viewer))


class RunOut(Schema):
    id: int
    kind: str
    as_of: date
    subjects_scored: int
    subjects_changed: int
    grades_changed: int
    distribution: dict[str, dict[str, int]]


@router.get("/runs", response=list[RunOut], summary="Batch runs with grade distributions, newest first (staff)")
def runs_list(request: HttpRequest, limit: int = 24) -> list[dict[str, Any]]:
    viewer_for_request(request, require=is_office)
    return [{"id": r.pk, "kind": r.kind, "as_of": r.as_of, "subjects_scored": r.subjects_scored,
             "subjects_changed": r.subjects_changed, "grades_changed": r.grades_changed,
             "distribution": r.distribution} for r in selectors.score_runs(limit=min(max(limit, 1), 200))]


@router.post("/runs", response={202: dict}, summary="Queue a batch run of all subjects (staff)")
def runs_queue(request: HttpRequest) -> Status[dict[str, Any]]:
    viewer_for_request(request, require=decides_for_office)
    from gongxin.scoring.tasks import scores_batch

    scores_batch.enqueue()
    return Status(202, {"queued": True})


class SupervisionFieldOut(Schema):
    code: str
    name: str
    name_en: str


class ClassOut(Schema):
    class_code: str
    grade: str
    rate: Decimal
    rate_min: Decimal
    rate_max: Decimal
    count: int
    sample_size: int
    subject_ids: list[int] = Field(..., description="Page of the class's subject ids (ascending)")


class SampleClassOut(Schema):
    class_code: str
    grade: str
    rate: Decimal
    population: int
    sample: list[int]


class SampleOut(Schema):
    field: str
    seed: str
    classes: list[SampleClassOut]


@router.get("/supervision/fields", response=list[SupervisionFieldOut], summary="Regulatory fields")
def fields_list(request: HttpRequest) -> list[dict[str, Any]]:
    viewer_for_request(request, require=reads_supervision)
    from gongxin.scoring.models import RegulatoryField

    return [{"code": f.code, "name": f.name, "name_en": f.name_en} for f in RegulatoryField.objects.all()]


@router.get("/supervision/{field_code}/classes", response=list[ClassOut],
            summary="Organizations by supervision class in a field (government users)")
def supervision_classes(request: HttpRequest, field_code: str, limit: int = 1000, offset: int = 0) -> list[dict]:
    viewer_for_request(request, require=reads_supervision)
    limit, offset = min(max(limit, 0), 10_000), max(offset, 0)
    return [{"class_code": c.class_code, "grade": c.grade, "rate": c.rate, "rate_min": c.rate_min,
             "rate_max": c.rate_max, "count": len(c.subject_ids), "sample_size": c.sample_size,
             "subject_ids": c.subject_ids[offset:offset + limit]}
            for c in selectors.supervision_classes(field_code=field_code)]


@router.get("/supervision/{field_code}/sample", response=SampleOut,
            summary="A reproducible random inspection sample by class rates (same seed, same sample)")
def supervision_sample(request: HttpRequest, field_code: str, seed: str) -> dict[str, Any]:
    viewer_for_request(request, require=reads_supervision)
    drawn = selectors.supervision_sample(field_code=field_code, seed=seed)
    return {"field": field_code, "seed": seed,
            "classes": [{"class_code": c.class_code, "grade": c.grade, "rate": c.rate,
                         "population": len(c.subject_ids), "sample": sample} for c, sample in drawn]}


class RuleIn(Schema):
    rate: Decimal = Field(..., ge=0, le=1, description="Share of the class inspected a year")
    class_code: str | None = Field(None, max_length=4)


@router.put("/supervision/{field_code}/rules/{grade}", response=ClassOut,
            summary="Set a grade's class and inspection rate in a field (its regulator or staff)")
def supervision_rule_put(request: HttpRequest, field_code: str, grade: str, body: RuleIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    field = selectors.field_get(code=field_code)
    supervision_rule_set(field=field, grade=grade, rate=body.rate, class_code=body.class_code, actor=viewer)
    klass = next(c for c in selectors.supervision_classes(field_code=field_code) if c.grade == grade)
    return {"class_code": klass.class_code, "grade": klass.grade, "rate": klass.rate, "rate_min": klass.rate_min,
            "rate_max": klass.rate_max, "count": len(klass.subject_ids), "sample_size": klass.sample_size,
            "subject_ids": []}


class PartnerLevelOut(Schema):
    min_score: int
    name: str
    local_level: str


class PartnerOut(Schema):
    code: str
    name: str
    name_en: str
    city: str
    scale_min: int
    scale_max: int
    legal_basis: str
    levels: list[PartnerLevelOut]


class TranslationOut(Schema):
    scheme: str
    scheme_name: str
    score: int
    partner_level: str
    local_level: str
    local_level_name: str


@router.get("/partners", response=list[PartnerOut], summary="Partner cities' scores recognised here", auth=None)
def partners_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": p.code, "name": p.name, "name_en": p.name_en, "city": p.city, "scale_min": p.scale_min,
             "scale_max": p.scale_max, "legal_basis": p.legal_basis,
             "levels": [{"min_score": lv.min_score, "name": lv.name, "local_level": lv.local_level}
                        for lv in p.levels.all()]} for p in selectors.partner_schemes()]


@router.get("/partners/{code}/translate", response=TranslationOut,
            summary="A partner city's score as the local level (mutual recognition)", auth=None)
def partner_translate(request: HttpRequest, code: str, score: int) -> dict[str, Any]:
    return vars(selectors.partner_translate(scheme_code=code, score=score))
