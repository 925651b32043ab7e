"""Benefit scenarios (信用惠民): providers, scenarios as policy data, eligibility checks, usages,
defaults and suspensions.

A scenario's eligibility is a list of conditions, each a CEL expression over the subject's facts
(``gongxin.benefits.facts``) with its explanation in Chinese and English; the subject qualifies when
every condition holds. Its parameters (a credit line by level, a deposit waived) and the default
threshold that suspends the benefit are data on the row, with legal basis and effective dates.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.benefits.choices import SubjectKindChoice, UsageAction, UsageStatus


class Provider(models.Model):
    """Who offers benefits: a department or company, calling the API as one API client (linked by
    staff in the admin once the client is registered; until then nobody can act for it)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # The department behind it (a bureau's library, hospitals' health commission), if any: its signed-in
    # users may record usages on the provider's behalf. Companies (bike operators) call by API client only.
    department = models.ForeignKey("accounts.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="benefit_providers")
    client = models.OneToOneField("accounts.ApiClient", verbose_name=_("API client"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="benefit_provider")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("benefit provider")
        verbose_name_plural = _("benefit providers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Scenario(models.Model):
    """One benefit offered to trustworthy subjects, its rule and parameters (policy as data).

    ``conditions``: ``[{"code", "rule" (CEL, bool), "label" (zh), "label_en"}]`` — all must hold.
    ``parameters``: ``[{"code", "label", "label_en", "unit", "by" (a fact name, optional),
    "values" ({fact value: amount}), "default"}]`` — e.g. the credit line by score level.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    subject_kind = models.CharField(_("subjects served"), max_length=20, choices=SubjectKindChoice.choices,
                                    default=SubjectKindChoice.PERSON)
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="scenarios")
    conditions = models.JSONField(_("eligibility conditions"), default=list)
    parameters = models.JSONField(_("benefit parameters"), default=list, blank=True)
    # Repeated defaults suspend the benefit: this many defaults within the window …
    default_threshold = models.PositiveIntegerField(_("defaults that suspend"), default=2)
    default_window_months = models.PositiveIntegerField(_("default window (months)"), default=12)
    # … suspend it for this long (months).
    suspension_months = models.PositiveIntegerField(_("suspension (months)"), default=12)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("benefit scenario")
        verbose_name_plural = _("benefit scenarios")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Admin edits: a rule that does not compile never reaches a check.
        from gongxin.benefits.rules import scenario_validate

        scenario_validate(conditions=self.conditions, parameters=self.parameters)


class EligibilityCheck(models.Model):
    """One eligibility answer given to a provider (kept for statistics and the subject's view)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="checks")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="benefit_checks")
    consent = models.ForeignKey("access.Consent", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    eligible = models.BooleanField(_("eligible"))
    parameters = models.JSONField(_("parameters"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")
        indexes = [models.Index(fields=["scenario", "created_at"])]

    def __str__(self) -> str:
        return f"{self.scenario_id}:{self.subject_id} {'eligible' if self.eligible else 'not eligible'}"


class Usage(models.Model):
    """One use of a benefit by a subject, reported by the provider."""

    scenario = models.ForeignKey(Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT,
                                 related_name="usages")
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="benefit_usages")
    reference = models.CharField(_("provider's reference"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=UsageStatus.choices, default=UsageStatus.OPEN)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, default=0)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    defaulted_at = models.DateTimeField(_("defaulted at"), null=True, blank=True)
    default_amount_yuan = models.DecimalField(_("amount in default (yuan)"), max_digits=12, decimal_places=2,
                                              null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("benefit usage")
        verbose_name_plural = _("benefit usages")
        constraints = [models.UniqueConstraint(fields=["scenario", "reference"], name="benefit_usage_reference")]
        indexes = [models.Index(fields=["subject", "scenario", "status"])]

    def __str__(self) -> str:
        return f"{self.scenario_id}/{self.reference}"


class UsageEvent(models.Model):
    """History of a usage (append-only): started, ended, default recorded."""

    usage = models.ForeignKey(Usage, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=UsageAction.choices)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.usage_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("usage events are append-only")
        super().save(*args, **kwargs)


class Suspension(models.Model):
    """A subject's benefit in one scenario, suspended after repeated defaults."""

    scenario = models.ForeignKey(Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT,
                                 related_name="suspensions")
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="benefit_suspensions")
    started_at = models.DateTimeField(_("suspended at"))
    ends_on = models.DateField(_("suspended until"))
    defaults_counted = models.PositiveIntegerField(_("defaults counted"))
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("benefit suspension")
        verbose_name_plural = _("benefit suspensions")
        indexes = [models.Index(fields=["subject", "scenario", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.scenario_id}:{self.subject_id} until {self.ends_on}"
