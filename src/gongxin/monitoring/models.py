"""Early-warning scorecards as versioned data, their runs and risk scores, alerts and watch lists.

A ``Scorecard`` holds everything needed to score without the training library: the features, each
feature's bins with WoE, IV and points, the logistic-regression coefficients and the points scaling
(PDO, base odds, base points), with its training metadata (sample sizes, AUC, KS, snapshot date).
Only one scorecard is active at a time. A ``RiskRun`` applies it to every organization and writes one
``RiskScore`` per subject; alerts are raised from the run (threshold, deterioration) and from new
negative records of watched subjects. Every alert step writes an ``AlertEvent``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.monitoring.choices import AlertKind, AlertStatus, MonitoringPolicyKind, ScorecardStatus


class MonitoringPolicy(models.Model):
    """Training and alert parameters as data (horizon, outcome, scaling, thresholds), by effective date."""

    kind = models.CharField(_("kind"), max_length=20, choices=MonitoringPolicyKind.choices)
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    params = models.JSONField(_("parameters"), default=dict)
    basis = models.TextField(_("basis"))

    class Meta:
        verbose_name = _("monitoring policy")
        verbose_name_plural = _("monitoring policies")
        ordering = ["kind", "-effective_from"]

    def __str__(self) -> str:
        return self.code


class Scorecard(models.Model):
    code = models.CharField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ScorecardStatus.choices,
                              default=ScorecardStatus.DRAFT)
    policy = models.ForeignKey(MonitoringPolicy, verbose_name=_("training policy"), on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    # [{"code", "iv", "coefficient", "kind": "numerical"|"categorical", "splits": [...], "bins": [
    #   {"label", "categories"?, "count", "event_rate", "woe", "points", "missing"?}]}] — see modelling.py.
    features = models.JSONField(_("features and bins"), default=list)
    intercept = models.FloatField(_("intercept"))
    pdo = models.FloatField(_("points to double the odds"))
    base_odds = models.FloatField(_("base odds (good:bad)"))
    base_points = models.FloatField(_("base points"))
    # Training metadata: snapshot date, horizon, seed, sample sizes, event rates, AUC and KS per sample.
    snapshot_date = models.DateField(_("snapshot date"), null=True, blank=True)
    training = models.JSONField(_("training metadata"), default=dict)
    auc_train = models.FloatField(_("AUC (training)"), null=True, blank=True)
    auc_test = models.FloatField(_("AUC (hold-out)"), null=True, blank=True)
    ks_train = models.FloatField(_("KS (training)"), null=True, blank=True)
    ks_test = models.FloatField(_("KS (hold-out)"), null=True, blank=True)
    trained_at = models.DateTimeField(_("trained at"))
    trained_by_label = models.CharField(_("trained by"), max_length=200)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by_label = models.CharField(_("activated by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_scorecard_version"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status=ScorecardStatus.ACTIVE),
                                    name="one_active_scorecard"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.status})"


class RiskRun(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT,
                                  related_name="runs")
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    subjects = models.PositiveIntegerField(_("subjects scored"), default=0)
    alerts_raised = models.PositiveIntegerField(_("alerts raised"), default=0)
    # Candidates the month's alert budget (the policy's target share) left unraised, and the ones that renewed an
    # alert already open for the same subject and cause (decision 072).
    alerts_held = models.PositiveIntegerField(_("alerts held back by the monthly target"), default=0)
    alerts_renewed = models.PositiveIntegerField(_("open alerts renewed"), default=0)
    actor_label = models.CharField(_("started by"), max_length=200)

    class Meta:
        verbose_name = _("risk run")
        verbose_name_plural = _("risk runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.scorecard_id} as of {self.as_of}"


class RiskScore(models.Model):
    """One subject's score in one run (the history is the rows of earlier runs)."""

    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="scores", db_index=False)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="risk_scores")
    score = models.IntegerField(_("score"))
    probability = models.FloatField(_("probability of the adverse outcome"))
    features = models.JSONField(_("feature values"), default=dict)
    # [{"feature", "value", "points", "points_lost", "reason_zh", "reason_en"}], the biggest losses first.
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        constraints = [models.UniqueConstraint(fields=["run", "subject"], name="uniq_score_per_run")]

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.score}"


class Watch(models.Model):
    """A staff member watches a subject: every new negative record raises an alert for them."""

    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="watches")
    user = models.ForeignKey("accounts.User", verbose_name=_("watcher"), on_delete=models.PROTECT,
                             related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("watching since"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [models.UniqueConstraint(fields=["subject", "user"], name="uniq_watch")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.subject_id}"


class Alert(models.Model):
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    status = models.CharField(_("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # What makes the alert unique: raising it again (a re-run, a re-dispatched event) finds this key.
    dedupe_key = models.CharField(_("deduplication key"), max_length=120, unique=True)
    # What the alert is about (monitoring.choices: risk, watch:<id>, related_listed, controller_changed): at most
    # one open or acknowledged alert per subject and cause; a new occurrence renews the open one (decision 072).
    cause = models.CharField(_("cause"), max_length=60, default="", blank=True)
    # The rank in the staff's queues, highest first: the probability of the adverse outcome, weighted up by a
    # fall of the score and by related-party events (services.alert_priority).
    priority = models.FloatField(_("priority"), default=0.0)
    # The field the alert belongs to: the subject's district and its regulatory domain (from its industry, by
    # the alert policy's ``industry_domains``), copied when the alert is raised.
    region_code = models.CharField(_("district"), max_length=6, blank=True, default="")
    domain = models.CharField(_("regulatory domain"), max_length=40, blank=True, default="")
    run = models.ForeignKey(RiskRun, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    score = models.IntegerField(_("score"), null=True, blank=True)
    previous_score = models.IntegerField(_("previous score"), null=True, blank=True)
    watch = models.ForeignKey(Watch, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    record = models.ForeignKey("records.Record", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-raised_at"], name="alert_queue"),
            models.Index(fields=["subject", "kind", "status"], name="alert_of_subject"),
            models.Index(fields=["status", "region_code", "-priority"], name="alert_field_queue"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subject", "cause"], name="one_open_alert_per_cause",
                                    condition=models.Q(status__in=["open", "acknowledged"]) & ~models.Q(cause="")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert of {self.subject_id} ({self.status})"


class AlertEvent(models.Model):
    """One step of an alert (append-only): ``action`` is monitoring.alert.<raised|acknowledged|closed>."""

    # Not a column: set for display by accounts.actors.actors_annotate (the actor as the viewer may see it).
    actor_shown: str

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=60)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.alert_id}"


class DashboardFigure(models.Model):
    """A maintained statistic of the dashboards (decision 073): one value of a series for a month and a
    dimension (a source unit's code, a district, a field, a kind; "" for the series' total).

    Written only by ``monitoring.dashboards.dashboards_refresh`` (an outbox consumer at most once a refresh interval
    and ``gongxin monitoring dashboards``), set-based, replacing a series' rows in one transaction; the pages read
    these rows and count nothing. ``public`` marks the series the home page may show (aggregates of public
    records about organizations only)."""

    series = models.CharField(_("series"), max_length=40)
    month = models.CharField(_("month"), max_length=7, blank=True, default="")  # "2026-11"; "" when not monthly
    dimension = models.CharField(_("dimension"), max_length=60, blank=True, default="")
    value = models.FloatField(_("value"))
    public = models.BooleanField(_("public"), default=False)
    as_of = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        constraints = [models.UniqueConstraint(fields=["series", "month", "dimension"], name="uniq_dashboard_figure")]

    def __str__(self) -> str:
        return f"{self.series}:{self.month}:{self.dimension}={self.value}"
