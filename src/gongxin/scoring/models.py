"""Indicator models as versioned data, current scores, score history, supervision rules, partner scores.

A ``ScoringModel`` version is a tree: dimensions (each with base points and a maximum) → indicators
(a named feature from ``scoring.features`` with its parameters, points per unit and a cap). Grade bands
turn the total into a grade. The engine (``scoring.engine``) turns one model version into one SQL
statement; nothing of a model's numbers lives in code. ``SubjectScore`` holds each subject's current
score (one row per subject, written set-based by the engine); ``ScoreHistory`` gets a row whenever a
subject's score or grade changes; ``ScoreRun`` records each run with the grade distribution after it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import SubjectKind
from gongxin.scoring.choices import ModelStatus, RunKind


def _in_language(chinese: str, english: str) -> str:
    """A name stored in both languages, in the page's (Chinese when there is no English)."""
    return english if english and (get_language() or "").startswith("en") else chinese


class ScoringModel(models.Model):
    code = models.CharField(_("code"), max_length=60)  # "org.zj", "person.tianyi"
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    subject_kind = models.CharField(_("subject kind"), max_length=20, choices=SubjectKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    scale_max = models.PositiveIntegerField(_("maximum score"), default=1000)
    # How a repaired negative record counts (0 = not at all, 1 = as if not repaired); see docs/scoring.md.
    repaired_weight = models.DecimalField(_("weight of repaired records"), max_digits=4, decimal_places=3,
                                          default=0)
    effective_from = models.DateField(_("effective from"))
    legal_basis = models.TextField(_("legal basis"))
    reasoning = models.TextField(_("reasoning"), blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_scoring_model_version"),
            models.UniqueConstraint(fields=["subject_kind"], condition=models.Q(status=ModelStatus.ACTIVE),
                                    name="uniq_active_model_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Dimension(models.Model):
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    base_points = models.DecimalField(_("base points"), max_digits=8, decimal_places=2)
    max_points = models.DecimalField(_("maximum points"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["model", "code"], name="uniq_dimension_code")]

    def __str__(self) -> str:
        return f"{self.model} {self.code}"


class Indicator(models.Model):
    """One named feature scored linearly: clamp(points_per_unit × value, min_points, max_points).

    ``params`` narrows the feature (e.g. ``{"severity": "general"}``); ``decay`` weighs each record by
    its age: ``[{"months": 12, "weight": 1}, {"months": 36, "weight": 0.5}, {"weight": 0.25}]``
    (empty: every record weighs 1). Reason texts are Python format strings over ``count`` (records
    counted), ``recent`` (in the first decay band) and ``months`` (that band's length).
    """

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    feature = models.CharField(_("feature"), max_length=60)
    params = models.JSONField(_("feature parameters"), default=dict, blank=True)
    decay = models.JSONField(_("decay by age"), default=list, blank=True)
    points_per_unit = models.DecimalField(_("points per unit"), max_digits=8, decimal_places=2)
    min_points = models.DecimalField(_("minimum points"), max_digits=8, decimal_places=2)
    max_points = models.DecimalField(_("maximum points"), max_digits=8, decimal_places=2)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason_zh = models.CharField(_("reason (Chinese)"), max_length=300, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="uniq_indicator_code")]

    def __str__(self) -> str:
        return f"{self.dimension} {self.code}"

    @property
    def shown_name(self) -> str:
        return _in_language(self.name, self.name_en)

    @property
    def feature_label(self) -> str:
        """What the indicator counts, in words (the feature registry's label), not the feature's code."""
        from gongxin.scoring.features import features_all

        feature = features_all().get(self.feature)
        return str(feature.label) if feature is not None else self.shown_name

    @property
    def reason_shown(self) -> str:
        """The reason a subject is given when the indicator costs points, as written for the page's language (its
        placeholders as "n")."""
        text = _in_language(self.reason_zh, self.reason_en)
        return text.replace("{count}", "n").replace("{recent}", "n").replace("{months}", "n")


class GradeBand(models.Model):
    """Scores from ``min_score`` up to the next band are ``code``; ``supervision_class`` is the A/B/C/D
    class of tiered supervision (organizations)."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="bands")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    min_score = models.IntegerField(_("minimum score"))
    supervision_class = models.CharField(_("supervision class"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["-min_score"]
        constraints = [models.UniqueConstraint(fields=["model", "code"], name="uniq_band_code")]

    def __str__(self) -> str:
        return f"{self.model} {self.code} ≥ {self.min_score}"

    @property
    def shown_name(self) -> str:
        """The grade in the page's language (良好 / Good), never its code: one language per page."""
        return _in_language(self.name, self.name_en)


class SubjectScore(models.Model):
    """A subject's current score under the active model of its kind. Written only by the engine.

    No database foreign-key constraints here and in ``ScoreHistory``: the engine writes these rows in one
    statement from the subjects table and the model rows themselves, so they are consistent by
    construction, and a deferred constraint trigger per row would cost more than the scoring (measured:
    bench/scoring.py, decision 022). The ORM still cascades and protects as declared.
    """

    subject = models.OneToOneField("subjects.Subject", primary_key=True, on_delete=models.CASCADE,
                                   related_name="score", db_constraint=False)
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)
    score = models.IntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=20)
    dimensions = models.JSONField(_("dimension scores"), default=dict)
    # The dimension points as text: a change of dimensions with the same total still counts as a change.
    dims_key = models.CharField(_("dimension key"), max_length=200, blank=True, default="")
    as_of = models.DateField(_("as of"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("subject score")
        verbose_name_plural = _("subject scores")
        indexes = [models.Index(fields=["model", "grade"], name="scoring_score_model_grade")]

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.score} {self.grade}"


class ScoreRun(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    subjects_scored = models.PositiveIntegerField(_("subjects scored"), default=0)
    subjects_changed = models.PositiveIntegerField(_("scores changed"), default=0)
    grades_changed = models.PositiveIntegerField(_("grades changed"), default=0)
    # {model code: {grade: count}} over all current scores after the run (batch runs only).
    distribution = models.JSONField(_("grade distribution"), default=dict, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200)

    class Meta:
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of}"


class ScoreHistory(models.Model):
    """Append-only: one row per subject whose score or grade changed in a run."""

    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="score_history",
                                db_index=False, db_constraint=False)
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)
    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="+", db_index=False,
                            db_constraint=False)
    score = models.IntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=20)
    previous_score = models.IntegerField(_("previous score"), null=True, blank=True)
    previous_grade = models.CharField(_("previous grade"), max_length=20, blank=True)
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("score history entry")
        verbose_name_plural = _("score history")
        indexes = [models.Index(fields=["subject", "as_of"], name="scoring_history_subject")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.as_of}: {self.score}"


class RegulatoryField(models.Model):
    """A regulator's field of tiered supervision (62 at city scale). ``default`` holds the fallback rules."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text=_("The regulator that may set its rules"))

    class Meta:
        verbose_name = _("regulatory field")
        verbose_name_plural = _("regulatory fields")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SupervisionRule(models.Model):
    """In a field, organizations of ``grade`` form ``class_code`` and are inspected at ``rate`` (a share,
    within the legal band ``rate_min``–``rate_max``)."""

    field = models.ForeignKey(RegulatoryField, on_delete=models.CASCADE, related_name="rules")
    grade = models.CharField(_("grade"), max_length=20)
    class_code = models.CharField(_("class"), max_length=4)
    rate = models.DecimalField(_("inspection rate"), max_digits=5, decimal_places=4)
    rate_min = models.DecimalField(_("lowest rate allowed"), max_digits=5, decimal_places=4)
    rate_max = models.DecimalField(_("highest rate allowed"), max_digits=5, decimal_places=4)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.CharField(_("updated by"), max_length=200)

    class Meta:
        verbose_name = _("supervision rule")
        verbose_name_plural = _("supervision rules")
        ordering = ["field", "class_code"]
        constraints = [models.UniqueConstraint(fields=["field", "grade"], name="uniq_rule_field_grade")]

    def __str__(self) -> str:
        return f"{self.field_id} {self.grade}→{self.class_code}"


class PartnerScheme(models.Model):
    """A partner city's personal credit score recognised here (mutual recognition)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=60)
    scale_min = models.IntegerField(_("lowest score"))
    scale_max = models.IntegerField(_("highest score"))
    legal_basis = models.TextField(_("basis of recognition"))
    effective_from = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("partner score scheme")
        verbose_name_plural = _("partner score schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PartnerLevel(models.Model):
    """Partner scores from ``min_score`` up to the next level count as the local ``local_level``."""

    scheme = models.ForeignKey(PartnerScheme, on_delete=models.CASCADE, related_name="levels")
    min_score = models.IntegerField(_("minimum score"))
    name = models.CharField(_("partner level"), max_length=60)
    local_level = models.CharField(_("local level"), max_length=20)

    class Meta:
        verbose_name = _("partner level")
        verbose_name_plural = _("partner levels")
        ordering = ["scheme", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["scheme", "min_score"], name="uniq_partner_level")]

    def __str__(self) -> str:
        return f"{self.scheme_id} ≥ {self.min_score}: {self.local_level}"
