"""Objections (异议): a subject disputes one of its records; the credit office and the record's source unit
handle it within a working-day deadline; the decision writes the record version it implies.

``Objection`` holds the current state; every step also appends an ``ObjectionEvent`` (the audit trail and
the subject's timeline). Evidence files live under ``MEDIA_ROOT/objections/`` with random names and are
served only through ``views.evidence`` after a permission check.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.objections.choices import OPEN_STATUSES, Action, Decision, Ground, Status


class Objection(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    record = models.ForeignKey("records.Record", verbose_name=_("record"), on_delete=models.PROTECT,
                               related_name="objections")
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="objections")
    source_unit = models.ForeignKey("catalog.SourceUnit", verbose_name=_("source unit"), on_delete=models.PROTECT,
                                    related_name="objections")
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    round = models.PositiveSmallIntegerField(_("round"), default=1, help_text=_("2 once a review was requested"))
    filed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    # The working-day clock: counted from ``clock_start`` (acceptance, or the review request).
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    clock_start = models.DateField(_("deadline counted from"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("working days allowed"), default=0)
    due_date = models.DateField(_("decision due"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    # The source unit's pending request for more time (0: none); staff approve it with objection_extend.
    extension_requested_days = models.PositiveSmallIntegerField(_("more working days requested"), default=0)
    extension_request_reason = models.TextField(_("reason for more time"), blank=True)
    rejection_reason = models.TextField(_("reason for not accepting"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_version = models.ForeignKey("records.RecordVersion", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    review_requested_at = models.DateTimeField(_("review requested at"), null=True, blank=True)
    review_reason = models.TextField(_("reason for review"), blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [
            models.Index(fields=["status", "due_date"], name="objection_queue"),
            models.Index(fields=["source_unit", "status"], name="objection_unit_queue"),
        ]
        constraints = [
            # One objection at a time per record: a second one waits until the first is decided or rejected.
            models.UniqueConstraint(fields=["record"], condition=models.Q(status__in=["submitted", "accepted",
                                                                                       "forwarded"]),
                                    name="uniq_pending_objection_per_record"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today


class ObjectionEvent(models.Model):
    """One step of an objection (append-only): who, when, what, and the note they gave."""

    # Not a column: set for display by accounts.actors.actors_annotate (the actor as the viewer may see it).
    actor_shown: str

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    status = models.CharField(_("status after"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("objection event")
        verbose_name_plural = _("objection events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.objection_id} {self.action}"


class Evidence(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to="objections/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name
