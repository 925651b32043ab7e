"""Reads of the scoring app: current scores, access-checked panels, history, distributions, supervision
classes and samples, partner-score translation, and the simulation of a model change."""

from __future__ import annotations

import math
import random
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from gongxin.access.disclosure import LOGGED_PURPOSES, subject_grant, subject_visible
from gongxin.access.services import inquiry_record
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.scoring.choices import ModelStatus, RunKind
from gongxin.scoring.engine import model_plan, model_sql
from gongxin.scoring.errors import FieldNotFound, ModelNotFound, PartnerNotFound, PartnerScoreOutOfScale
from gongxin.scoring.explain import Explanation, explanation_compute
from gongxin.scoring.models import (
    GradeBand,
    PartnerScheme,
    RegulatoryField,
    ScoreHistory,
    ScoreRun,
    ScoringModel,
    SubjectScore,
    SupervisionRule,
)
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class CurrentScore:
    subject_id: int
    model_code: str
    score: int
    grade: str
    grade_name: str
    grade_name_en: str
    supervision_class: str
    dimensions: dict[str, float]
    as_of: date

    @property
    def level(self) -> str:
        """A letter level for both kinds: the supervision class (A–D) of an organization, the Tianyi level
        (AAA–C) of a person."""
        return self.supervision_class or self.grade


def model_active(*, subject_kind: str) -> ScoringModel | None:
    """The active model for subjects of ``subject_kind`` (at most one: a constraint), or None before one is
    activated. The one lookup of it: every reader treats "no active model" as "not evaluated"."""
    return ScoringModel.objects.filter(status=ModelStatus.ACTIVE, subject_kind=subject_kind).first()


def models_active() -> list[ScoringModel]:
    """The active model of every kind, by code (what a scoring run applies)."""
    return list(ScoringModel.objects.filter(status=ModelStatus.ACTIVE).order_by("code"))


def _bands() -> dict[tuple[int, str], GradeBand]:
    return {(b.model_id, b.code): b for b in GradeBand.objects.all()}


def scores_current(*, subject_ids: Collection[int]) -> dict[int, CurrentScore]:
    """Current scores by subject id (subjects never scored are absent). No access check: for other apps'
    decisions (rewards, benefits, lending); show a score to a person only through ``score_panel``."""
    bands = _bands()
    rows = SubjectScore.objects.filter(subject_id__in=list(subject_ids)).select_related("model")
    result = {}
    for row in rows:
        band = bands.get((row.model_id, row.grade))
        result[row.subject_id] = CurrentScore(
            subject_id=row.subject_id, model_code=row.model.code, score=row.score, grade=row.grade,
            grade_name=band.name if band else "", grade_name_en=band.name_en if band else "",
            supervision_class=band.supervision_class if band else "", dimensions=dict(row.dimensions or {}),
            as_of=row.as_of,
        )
    return result


@dataclass(frozen=True)
class PublicGrade:
    """An organization's grade as its public credit card shows it: the band only — never the score, the
    dimensions or the reasons, which stay behind ``score_panel``."""

    code: str
    name: str
    name_en: str
    as_of: date


def grade_public(*, subject: Subject) -> PublicGrade | None:
    """The organization's current grade under the active organization model, or None: persons (never
    published), organizations not scored yet, and a score left by a model that is no longer active."""
    if subject.kind != SubjectKind.ORGANIZATION:
        return None
    score = (SubjectScore.objects.filter(subject_id=subject.pk, model__status=ModelStatus.ACTIVE,
                                         model__subject_kind=SubjectKind.ORGANIZATION)
             .values("model_id", "grade", "as_of").first())
    if score is None:
        return None
    band = GradeBand.objects.filter(model_id=score["model_id"], code=score["grade"]).first()
    if band is None:
        return None
    return PublicGrade(code=band.code, name=band.name, name_en=band.name_en, as_of=score["as_of"])


def evaluated(*, subject: Subject) -> bool:
    """Whether ``subject`` has a score at all (under any model): a card without a public grade then says "not
    public" rather than "not evaluated yet"."""
    return SubjectScore.objects.filter(subject_id=subject.pk).exists()


def _purpose_for(*, viewer: Viewer, subject: Subject) -> Any | None:
    """The first purpose on which ``viewer`` may see the subject's evaluation (it rests on non-public data:
    the public never sees it)."""
    return subject_grant(viewer=viewer, subject=subject)


def subject_evaluated(*, viewer: Viewer, subject_id: int) -> Subject:
    """The subject whose evaluation page ``viewer`` asks for; "not found" (``SubjectNotFound``) alike for an
    unknown id and for a subject whose evaluation the viewer may not see, so no one learns names by id."""
    subject, _grant = subject_visible(viewer=viewer, subject_id=subject_id)
    return subject


@dataclass
class ScorePanel:
    subject_id: int
    current: CurrentScore | None
    explanation: Explanation | None
    purpose: str
    history: list[ScoreHistory] = field(default_factory=list)


def score_panel(*, subject: Subject, viewer: Viewer, channel: str = "portal",
                as_of: date | None = None) -> ScorePanel | None:
    """What ``viewer`` may see of ``subject``'s evaluation, with its explanation; None when nothing.

    Every look by someone other than the subject is logged as an inquiry."""
    grant = _purpose_for(viewer=viewer, subject=subject)
    if grant is None:
        return None
    model = model_active(subject_kind=subject.kind)
    if model is None:
        return None
    if grant.purpose in LOGGED_PURPOSES:
        inquiry_record(subject_id=subject.pk, viewer=viewer, purpose=grant.purpose, channel=channel,
                       consent=grant.consent, reason="credit evaluation")
    return ScorePanel(
        subject_id=subject.pk,
        current=scores_current(subject_ids=[subject.pk]).get(subject.pk),
        explanation=explanation_compute(model=model, subject_id=subject.pk, as_of=as_of),
        purpose=grant.purpose,
        history=list(ScoreHistory.objects.filter(subject_id=subject.pk).order_by("-as_of", "-pk")[:12]),
    )


def score_runs(*, limit: int = 24, kind: str = RunKind.BATCH) -> list[ScoreRun]:
    """The latest runs (newest first) with their grade distributions: the staff's chart over time."""
    return list(ScoreRun.objects.filter(kind=kind).order_by("-started_at")[:limit])


def models_listed() -> list[ScoringModel]:
    return list(ScoringModel.objects.prefetch_related("dimensions__indicators", "bands").order_by("code", "-version"))


def model_get(*, model_id: int) -> ScoringModel:
    try:
        return ScoringModel.objects.get(pk=model_id)
    except ScoringModel.DoesNotExist:
        raise ModelNotFound() from None


# --- simulation ---------------------------------------------------------------------------------------


@dataclass
class Simulation:
    model_id: int
    against_model_id: int | None
    as_of: date
    before: dict[str, int]
    after: dict[str, int]
    transitions: dict[str, dict[str, int]]
    changed_count: int
    changed: list[dict[str, Any]]


def model_simulation(*, model: ScoringModel, as_of: date | None = None, limit: int = 100) -> Simulation:
    """Score every subject under ``model`` and under the active model of its kind, in the database, and
    compare: grade distributions before and after, the transition counts, and the subjects that change
    grade (first ``limit`` by id). Writes nothing."""
    as_of = as_of or clock.today()
    active = model_active(subject_kind=model.subject_kind)
    after_sql = model_sql(model_plan(model), as_of=as_of)
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    transitions: dict[str, dict[str, int]] = {}
    changed: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        if active is None or active.pk == model.pk:
            cursor.execute(f"SELECT grade, COUNT(*) FROM ({after_sql}) b GROUP BY grade")  # noqa: S608 - engine SQL
            for grade, n in cursor.fetchall():
                after[grade] = n
                if active is not None:
                    before[grade] = n
                    transitions.setdefault(grade, {})[grade] = n
        else:
            before_sql = model_sql(model_plan(active), as_of=as_of)
            joined = f"FROM ({before_sql}) a JOIN ({after_sql}) b ON b.subject_id = a.subject_id"
            cursor.execute(f"SELECT a.grade, b.grade, COUNT(*) {joined} GROUP BY a.grade, b.grade")
            for old, new, n in cursor.fetchall():
                before[old] = before.get(old, 0) + n
                after[new] = after.get(new, 0) + n
                transitions.setdefault(old, {})[new] = n
            cursor.execute(f"SELECT a.subject_id, a.score, a.grade, b.score, b.grade {joined} "
                           f"WHERE a.grade <> b.grade ORDER BY a.subject_id LIMIT {int(limit)}")
            changed = [{"subject_id": r[0], "score_before": r[1], "grade_before": r[2], "score_after": r[3],
                        "grade_after": r[4]} for r in cursor.fetchall()]
    changed_count = sum(n for old, row in transitions.items() for new, n in row.items() if old != new)
    return Simulation(model_id=model.pk, against_model_id=active.pk if active else None, as_of=as_of,
                      before=before, after=after, transitions=transitions, changed_count=changed_count,
                      changed=changed)


# --- tiered supervision -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionClass:
    class_code: str
    grade: str
    rate: Decimal
    rate_min: Decimal
    rate_max: Decimal
    subject_ids: list[int]

    @property
    def sample_size(self) -> int:
        return min(len(self.subject_ids), math.ceil(len(self.subject_ids) * self.rate))


def field_get(*, code: str) -> RegulatoryField:
    try:
        return RegulatoryField.objects.get(code=code)
    except RegulatoryField.DoesNotExist:
        raise FieldNotFound() from None


def supervision_rules(*, field_code: str) -> list[SupervisionRule]:
    """The field's rules, each grade falling back to the default field's."""
    rules = {r.grade: r for r in SupervisionRule.objects.filter(field__code="default")}
    rules.update({r.grade: r for r in SupervisionRule.objects.filter(field__code=field_code)})
    return sorted(rules.values(), key=lambda r: r.class_code)


def supervision_classes(*, field_code: str) -> list[SupervisionClass]:
    """Organizations by supervision class in a field (by their current grade), ids ascending."""
    field_get(code=field_code)
    model = model_active(subject_kind=SubjectKind.ORGANIZATION)
    rules = supervision_rules(field_code=field_code)
    members: dict[str, list[int]] = {r.grade: [] for r in rules}
    if model is not None:
        rows = (SubjectScore.objects.filter(model=model, grade__in=list(members))
                .order_by("subject_id").values_list("grade", "subject_id"))
        for grade, subject_id in rows.iterator(chunk_size=10_000):
            members[grade].append(subject_id)
    return [SupervisionClass(r.class_code, r.grade, r.rate, r.rate_min, r.rate_max, members[r.grade]) for r in rules]


def supervision_sample(*, field_code: str, seed: str) -> list[tuple[SupervisionClass, list[int]]]:
    """A reproducible random inspection sample: per class ``ceil(n × rate)`` subjects drawn with a
    generator seeded by (seed, field, class) from the class's ids in ascending order — the same seed over
    the same scores gives the same sample, anywhere."""
    result = []
    for klass in supervision_classes(field_code=field_code):
        # Reproducibility is the point (an auditor reruns the draw), not unpredictability.
        rng = random.Random(f"{seed}:{field_code}:{klass.class_code}")  # noqa: S311
        sample = sorted(rng.sample(klass.subject_ids, klass.sample_size))
        result.append((klass, sample))
    return result


# --- partner scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerTranslation:
    scheme: str
    scheme_name: str
    score: int
    partner_level: str
    local_level: str
    local_level_name: str


def partner_schemes() -> list[PartnerScheme]:
    return list(PartnerScheme.objects.prefetch_related("levels").order_by("code"))


def partner_translate(*, scheme_code: str, score: int) -> PartnerTranslation:
    """A partner city's score as the local level (the Tianyi levels) under the mutual-recognition table."""
    try:
        scheme = PartnerScheme.objects.get(code=scheme_code)
    except PartnerScheme.DoesNotExist:
        raise PartnerNotFound() from None
    if not scheme.scale_min <= score <= scheme.scale_max:
        raise PartnerScoreOutOfScale(details={"min": scheme.scale_min, "max": scheme.scale_max})
    level = scheme.levels.filter(min_score__lte=score).order_by("-min_score").first()
    if level is None:
        raise PartnerScoreOutOfScale(details={"min": scheme.scale_min, "max": scheme.scale_max})
    person_model = model_active(subject_kind=SubjectKind.PERSON)
    local = GradeBand.objects.filter(model=person_model, code=level.local_level).first() if person_model else None
    return PartnerTranslation(scheme=scheme.code, scheme_name=scheme.name, score=score, partner_level=level.name,
                              local_level=level.local_level, local_level_name=local.name if local else "")
