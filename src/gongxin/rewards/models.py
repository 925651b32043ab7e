"""Joint rewards and punishments: measures (versioned), business systems and matters, subject facts,
checks with their hits and feedback, and check certificates.

A check reads one ``SubjectFacts`` row (kept by an outbox consumer) and the in-process cache of
measures (rewards.rules); it writes one ``Check``, its ``CheckHit`` rows and one inquiry.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.rewards.choices import Decision, FeedbackOutcome, MatterType, MeasureClass, MeasureKind


class ImmutableError(Exception):
    pass


class SubjectFacts(models.Model):
    """One subject's facts as rules read them (``facts``), with the records and list entries behind them
    (``bases``) so a hit can name its basis without reading the raw records.

    ``valid_until`` is the first day on which a fact changes by itself (a list entry ends, a record's
    retention ends): a check on or after that day recomputes the row first.
    """

    subject = models.OneToOneField("subjects.Subject", primary_key=True, on_delete=models.CASCADE,
                                   related_name="rewards_facts", verbose_name=_("subject"))
    facts = models.JSONField(_("facts"), default=dict)
    bases = models.JSONField(_("bases"), default=list)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("subject facts")
        verbose_name_plural = _("subject facts")

    def __str__(self) -> str:
        return f"facts of {self.subject_id}"


class RulesState(models.Model):
    """One row: a number bumped by every change of measures, systems or matters, so each process
    reloads its cache of compiled measures (rewards.rules) when it moves."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rules state")
        verbose_name_plural = _("rules state")

    def __str__(self) -> str:
        return f"rules v{self.version}"


class BusinessSystem(models.Model):
    """A business system of a department that checks subjects before its matters (an API client)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey("accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="business_systems")
    client = models.OneToOneField("accounts.ApiClient", verbose_name=_("API client"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="business_system")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("business system")
        verbose_name_plural = _("business systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    """A matter handled by a business system (a procurement bid, a subsidy payout, a licence)."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    system = models.ForeignKey(BusinessSystem, verbose_name=_("business system"), on_delete=models.PROTECT,
                               related_name="matters")
    matter_type = models.CharField(_("matter type"), max_length=20, choices=MatterType.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Measure(models.Model):
    """A measure of the list of measures (措施清单); its content lives in immutable versions."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    current_version = models.OneToOneField("MeasureVersion", verbose_name=_("current version"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class MeasureVersion(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="versions", db_index=False)
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=MeasureKind.choices)
    measure_class = models.CharField(_("class"), max_length=12, choices=MeasureClass.choices)
    trigger = models.TextField(_("trigger"), help_text=_("A CEL expression over the subject's facts"))
    matter_types = models.JSONField(_("matter types"), default=list, blank=True)
    matter_codes = models.JSONField(_("matters"), default=list, blank=True)
    department = models.CharField(_("implementing department"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    content = models.TextField(_("measure content"), blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    actor_label = models.CharField(_("changed by"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("measure version")
        verbose_name_plural = _("measure versions")
        constraints = [models.UniqueConstraint(fields=["measure", "number"], name="uniq_measure_version")]

    def __str__(self) -> str:
        return f"{self.measure_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableError("measure versions are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("measure versions are immutable")


class Check(models.Model):
    """One check of a subject before a matter; ``hits`` holds the answer as given (for the record)."""

    # No index of its own: the (subject, -created_at) index leads with it (one index fewer on the log).
    # No database constraints out of the log either (decision 043, "Constraints out of the logs"): a check's
    # subject, matter, system and client were read by the statement's own transaction, and each constraint's
    # check locked its row (FOR KEY SHARE: a WAL record, a full page image after every checkpoint, MultiXacts
    # when workers lock the same client or matter at once). PROTECT still guards deletes in the ORM.
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="rewards_checks", db_index=False, db_constraint=False)
    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="checks",
                               db_index=False, db_constraint=False)
    system = models.ForeignKey(BusinessSystem, verbose_name=_("business system"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="checks", db_index=False, db_constraint=False)
    client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_index=False, db_constraint=False)
    actor_label = models.CharField(_("checked by"), max_length=200)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    hits = models.JSONField(_("hits"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    name_given = models.CharField(_("name given"), max_length=200, blank=True)
    facts_updated_at = models.DateTimeField(_("facts as of"), null=True, blank=True)
    created_at = models.DateTimeField(_("checked at"), db_index=True)

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        indexes = [models.Index(fields=["subject", "-created_at"])]

    def __str__(self) -> str:
        return f"check {self.pk}: {self.decision}"


class CheckHit(models.Model):
    """A measure that applied in a check; ``applied`` is set by the system's feedback. Statistics count these."""

    # No database constraint into the check log (decision 043): a hit is written in the statement that writes
    # its check, and a constraint's lookup into the log ran on every hit with a plan PostgreSQL froze per
    # connection while the log was small (a sequential scan of the whole log per hit as it grew).
    check_row = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="hit_rows", db_index=False,
                                  db_constraint=False)
    # Nor out of it into the measures (read by the check that wrote the hit): their constraint scanned the measure
    # table and locked a hot measure row per hit.
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="hits", db_index=False,
                                db_constraint=False)
    measure_version = models.ForeignKey(MeasureVersion, on_delete=models.PROTECT, related_name="+",
                                        db_index=False, db_constraint=False)
    kind = models.CharField(_("kind"), max_length=12, choices=MeasureKind.choices)
    measure_class = models.CharField(_("class"), max_length=12, choices=MeasureClass.choices)
    applied = models.BooleanField(_("applied"), null=True, blank=True)
    created_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("check hit")
        verbose_name_plural = _("check hits")
        constraints = [models.UniqueConstraint(fields=["check_row", "measure"], name="uniq_check_hit")]
        indexes = [models.Index(fields=["measure", "created_at"])]

    def __str__(self) -> str:
        return f"{self.check_row_id}:{self.measure_id}"


class CheckFeedback(models.Model):
    """What the business system did after a check (the closed loop); one per check."""

    # Read by its service in the same transaction; no database constraint into the check log (decision 043).
    check_row = models.OneToOneField(Check, on_delete=models.PROTECT, related_name="feedback", db_constraint=False)
    measures_applied = models.JSONField(_("measures applied"), default=list)
    outcome = models.CharField(_("outcome"), max_length=12, choices=FeedbackOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    actor_label = models.CharField(_("reported by"), max_length=200)
    created_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("check feedback")
        verbose_name_plural = _("check feedback")

    def __str__(self) -> str:
        return f"feedback on {self.check_row_id}: {self.outcome}"


class CheckCertificate(models.Model):
    """A check result issued as a signed document (same keys and envelope as credit reports)."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    # Read by its service first; no database constraint into the check log (decision 043).
    check_row = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="certificates", db_constraint=False)
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="check_certificates")
    requested_by_label = models.CharField(_("requested by"), max_length=200)
    content = models.JSONField(_("content"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    signature = models.TextField(_("signature"))
    key_id = models.CharField(_("signing key id"), max_length=40)
    created_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("check certificate")
        verbose_name_plural = _("check certificates")

    def __str__(self) -> str:
        return self.number
