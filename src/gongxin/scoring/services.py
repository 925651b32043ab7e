"""Writes of the scoring app: score runs (batch and incremental), model versions, supervision rules."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from gongxin.accounts.capabilities import acts_for_source_unit, decides_for_office
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.events import (
    MODEL_ACTIVATED,
    MODEL_CHANGED,
    MODEL_DRAFTED,
    SCORE_RUN_COMPLETED,
    SUPERVISION_RULE_SET,
)
from gongxin.core.outbox import event_emit
from gongxin.scoring.choices import ModelStatus, RunKind
from gongxin.scoring.engine import model_plan, scores_write
from gongxin.scoring.errors import ModelInvalid, ModelNotDraft, NotRegulator, NotStaff, RateOutOfBand
from gongxin.scoring.features import FeatureParamsInvalid, feature_get
from gongxin.scoring.models import (
    GradeBand,
    Indicator,
    RegulatoryField,
    ScoreRun,
    ScoringModel,
    SubjectScore,
    SupervisionRule,
)
from gongxin.scoring.selectors import models_active


def scores_run(*, actor: Viewer, as_of: date | None = None, subject_ids: Collection[int] | None = None) -> ScoreRun:
    """Score every subject (``subject_ids`` None: a batch run) or the given ones under the active models.

    One transaction: the run row, history for changed scores, ``scoring.score.changed`` events for changed
    grades, the current scores, and one ``scoring.run.completed`` event when anything changed (its commit
    wakes the outbox dispatcher for the score events written set-based beside it).
    """
    as_of = as_of or clock.today()
    batch = subject_ids is None
    if not batch and not subject_ids:
        raise ValueError("subject_ids is empty")
    with transaction.atomic():
        run = ScoreRun.objects.create(kind=RunKind.BATCH if batch else RunKind.INCREMENTAL, as_of=as_of,
                                      started_at=clock.now(), actor_label=actor.label)
        models = models_active()
        written = scores_write([model_plan(m) for m in models], as_of=as_of, run_id=run.pk, at=run.started_at,
                               subject_ids=subject_ids)
        run.subjects_scored, run.subjects_changed, run.grades_changed = (
            written.scored, written.changed, written.grades_changed)
        if batch:
            run.distribution = _distribution(models)
        run.finished_at = clock.now()
        run.save()
        if run.subjects_changed or batch:
            event_emit(topic=SCORE_RUN_COMPLETED, aggregate_type="score_run", aggregate_id=run.pk,
                       subject_id=None, payload={"kind": run.kind, "as_of": as_of.isoformat(),
                                                 "scored": run.subjects_scored, "changed": run.subjects_changed,
                                                 "grades_changed": run.grades_changed})
    return run


def _distribution(models: list[ScoringModel]) -> dict[str, dict[str, int]]:
    by_id = {m.pk: m.code for m in models}
    result: dict[str, dict[str, int]] = {m.code: {} for m in models}
    rows = SubjectScore.objects.filter(model_id__in=by_id).values_list("model_id", "grade").annotate(n=Count("pk"))
    for model_id, grade, n in rows:
        result[by_id[model_id]][grade] = n
    return result


def model_check(model: ScoringModel) -> list[str]:
    """What is wrong with a model version (empty: it may be activated)."""
    problems: list[str] = []
    dimensions = list(model.dimensions.prefetch_related("indicators"))
    if not dimensions:
        problems.append("no dimensions")
    total = sum((d.max_points for d in dimensions), Decimal(0))
    if total != model.scale_max:
        problems.append(f"dimension maxima add up to {total}, not {model.scale_max}")
    for dimension in dimensions:
        if not Decimal(0) <= dimension.base_points <= dimension.max_points:
            problems.append(f"{dimension.code}: base points outside 0…max")
        for indicator in dimension.indicators.all():
            try:
                feature = feature_get(indicator.feature)
                feature.condition(indicator.params or {})
            except FeatureParamsInvalid as error:
                problems.append(f"{dimension.code}.{indicator.code}: {error}")
                continue
            if indicator.min_points > indicator.max_points:
                problems.append(f"{dimension.code}.{indicator.code}: minimum above maximum")
            if indicator.points_per_unit < 0 and not indicator.reason_code:
                problems.append(f"{dimension.code}.{indicator.code}: lowers the score but has no reason code")
    mins = [b.min_score for b in model.bands.all()]
    if 0 not in mins and not any(m < 0 for m in mins):
        problems.append("no grade band starts at 0")
    if len(set(mins)) != len(mins):
        problems.append("two grade bands start at the same score")
    if not Decimal(0) <= model.repaired_weight <= Decimal(1):
        problems.append("repaired weight outside 0…1")
    return problems


def model_draft_from(*, model: ScoringModel, actor: Viewer) -> ScoringModel:
    """A new draft version copying ``model`` (dimensions, indicators, bands) for staff to edit."""
    _staff(actor)
    with transaction.atomic():
        latest = ScoringModel.objects.filter(code=model.code).order_by("-version").first()
        draft = ScoringModel.objects.create(
            code=model.code, version=(latest.version if latest else 0) + 1, name=model.name,
            name_en=model.name_en, subject_kind=model.subject_kind, status=ModelStatus.DRAFT,
            scale_max=model.scale_max, repaired_weight=model.repaired_weight, effective_from=clock.today(),
            legal_basis=model.legal_basis, reasoning=model.reasoning, created_at=clock.now(),
        )
        for dimension in model.dimensions.prefetch_related("indicators"):
            indicators = list(dimension.indicators.all())
            dimension.pk = None
            dimension.model = draft
            dimension.save()
            for indicator in indicators:
                indicator.pk = None
                indicator.dimension = dimension
            Indicator.objects.bulk_create(indicators)
        GradeBand.objects.bulk_create([
            GradeBand(model=draft, code=b.code, name=b.name, name_en=b.name_en, min_score=b.min_score,
                      supervision_class=b.supervision_class) for b in model.bands.all()
        ])
        event_emit(topic=MODEL_DRAFTED, aggregate_type="scoring_model", aggregate_id=draft.pk,
                   subject_id=None, payload={"code": draft.code, "version": draft.version, "actor": actor.label})
    return draft


def indicator_change(*, indicator: Indicator, actor: Viewer, points_per_unit: Decimal | None = None,
                     min_points: Decimal | None = None, max_points: Decimal | None = None) -> Indicator:
    """Change an indicator's numbers in a draft model (activated versions never change)."""
    _staff(actor)
    with transaction.atomic():
        indicator = Indicator.objects.select_related("dimension__model").select_for_update().get(pk=indicator.pk)
        if indicator.dimension.model.status != ModelStatus.DRAFT:
            raise ModelNotDraft()
        fields = []
        for name, value in (("points_per_unit", points_per_unit), ("min_points", min_points),
                            ("max_points", max_points)):
            if value is not None:
                setattr(indicator, name, value)
                fields.append(name)
        indicator.save(update_fields=fields)
        event_emit(topic=MODEL_CHANGED, aggregate_type="scoring_model",
                   aggregate_id=indicator.dimension.model_id, subject_id=None,
                   payload={"indicator": indicator.code, "fields": fields, "actor": actor.label})
    return indicator


def model_activate(*, model: ScoringModel, actor: Viewer) -> ScoringModel:
    """Make a draft the active model of its subject kind (the previous one retires); a batch run follows."""
    _staff(actor)
    with transaction.atomic():
        model = ScoringModel.objects.select_for_update().get(pk=model.pk)
        if model.status != ModelStatus.DRAFT:
            raise ModelNotDraft()
        problems = model_check(model)
        if problems:
            raise ModelInvalid(details=problems)
        ScoringModel.objects.filter(subject_kind=model.subject_kind, status=ModelStatus.ACTIVE).update(
            status=ModelStatus.RETIRED)
        model.status = ModelStatus.ACTIVE
        model.activated_at = clock.now()
        model.save(update_fields=["status", "activated_at"])
        event_emit(topic=MODEL_ACTIVATED, aggregate_type="scoring_model", aggregate_id=model.pk,
                   subject_id=None, payload={"code": model.code, "version": model.version, "actor": actor.label})
        transaction.on_commit(_enqueue_batch)
    return model


def _enqueue_batch() -> None:
    from gongxin.scoring.tasks import scores_batch

    scores_batch.enqueue()


def supervision_rule_set(*, field: RegulatoryField, grade: str, rate: Decimal, actor: Viewer,
                         class_code: str | None = None) -> SupervisionRule:
    """The field's regulator (or the credit office) sets the inspection rate of one grade's class, within
    the legal band of the default rules."""
    if not decides_for_office(actor) and not (field.department_id and actor.department_id == field.department_id
                                              and acts_for_source_unit(actor)):
        raise NotRegulator()
    default = SupervisionRule.objects.filter(field__code="default", grade=grade).first()
    if default is None:
        raise RateOutOfBand(details={"grade": grade})
    if not default.rate_min <= rate <= default.rate_max:
        raise RateOutOfBand(details={"grade": grade, "min": str(default.rate_min), "max": str(default.rate_max)})
    with transaction.atomic():
        rule, _created = SupervisionRule.objects.update_or_create(
            field=field, grade=grade,
            defaults={"class_code": class_code or default.class_code, "rate": rate, "rate_min": default.rate_min,
                      "rate_max": default.rate_max, "legal_basis": default.legal_basis, "updated_at": clock.now(),
                      "updated_by": actor.label},
        )
        event_emit(topic=SUPERVISION_RULE_SET, aggregate_type="supervision_rule", aggregate_id=rule.pk,
                   subject_id=None, payload={"field": field.code, "grade": grade, "class": rule.class_code,
                                             "rate": str(rate), "actor": actor.label})
    return rule


def _staff(actor: Viewer) -> None:
    if not decides_for_office(actor):
        raise NotStaff()
