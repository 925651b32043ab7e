"""Credit repair applications (信用修复), their evidence files and their audit trail.

An application asks to end the publicity and use of one negative record early. It is filed by the
record's subject with a statement, evidence of performance and a signed credit commitment (its text,
signer and time are kept here), and decided by the operators of the source unit that decided the
record. Deadlines are working days from the ``deadlines`` policy, stored as dates at filing.
Every step writes one ``RepairEvent`` (who, when, what, why) in the step's transaction.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.repairs.choices import RepairStatus


class RepairApplication(models.Model):
    record = models.ForeignKey("records.Record", verbose_name=_("record"), on_delete=models.PROTECT,
                               related_name="repair_applications")
    record_version = models.PositiveIntegerField(_("record version at filing"))
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="repair_applications")
    source_unit = models.ForeignKey("catalog.SourceUnit", verbose_name=_("deciding source unit"),
                                    on_delete=models.PROTECT, related_name="repair_applications")
    policy = models.ForeignKey("catalog.Policy", verbose_name=_("repair policy"), on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=RepairStatus.choices,
                              default=RepairStatus.FORWARDED)
    statement = models.TextField(_("how the act was corrected"))
    # The conditions as computed at filing: [{"code", "met", "explanation"}].
    eligibility = models.JSONField(_("eligibility at filing"), default=list)
    commitment_text = models.TextField(_("credit commitment"))
    commitment_signer = models.CharField(_("signed by"), max_length=100)
    commitment_signed_at = models.DateTimeField(_("signed at"))
    applicant = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    applicant_label = models.CharField(_("applicant"), max_length=200)
    applied_at = models.DateTimeField(_("applied at"))
    department_due = models.DateField(_("source unit decides by"))
    platform_due = models.DateField(_("platform answers by"))
    obligations_confirmed = models.BooleanField(_("obligations confirmed by the source unit"), default=False)
    rejection_reasons = models.JSONField(_("reasons for rejection"), default=list, blank=True)
    decision_note = models.TextField(_("decision explanation"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_by_label = models.CharField(_("decided by"), max_length=200, blank=True)
    repaired_version = models.PositiveIntegerField(_("repaired version"), null=True, blank=True)

    class Meta:
        verbose_name = _("repair application")
        verbose_name_plural = _("repair applications")
        constraints = [
            # "No pending application for the record", enforced by the database as well.
            models.UniqueConstraint(fields=["record"], condition=models.Q(status=RepairStatus.FORWARDED),
                                    name="uniq_pending_repair_per_record"),
        ]
        indexes = [
            models.Index(fields=["source_unit", "status", "department_due"], name="repair_queue"),
            models.Index(fields=["subject", "-applied_at"], name="repair_of_subject"),
        ]

    def __str__(self) -> str:
        return f"repair {self.pk} of record {self.record_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == RepairStatus.FORWARDED


def evidence_path(instance: RepairEvidence, filename: str) -> str:
    """Stored under a random name (the original name is kept in the row, never in the path)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"repairs/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class RepairEvidence(models.Model):
    application = models.ForeignKey(RepairApplication, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("repair evidence")
        verbose_name_plural = _("repair evidence")

    def __str__(self) -> str:
        return self.original_name


class RepairEvent(models.Model):
    """One step of an application (append-only audit row): ``action`` is a namespaced code."""

    # Not a column: set for display by accounts.actors.actors_annotate (the actor as the viewer may see it).
    actor_shown: str

    application = models.ForeignKey(RepairApplication, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=60)  # repairs.repair.applied ... (core.events)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("repair event")
        verbose_name_plural = _("repair events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.application_id}"
