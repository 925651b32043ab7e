"""Credit commitments (信用承诺): their types as policy data, the signed commitments, their history, and
instant policy payouts (政策秒兑付).

A ``CommitmentType`` row is policy: the text template the subject signs, whether the eligibility rules of
approval-type commitments apply, the default fulfilment period and the reminder lead in working days,
with legal basis and effective dates (seeded by migration 0002, commitments.seed).

A ``Commitment`` keeps the exact text signed, its SHA-256, who signed, when and how, and the platform's
Ed25519 signature over the signed facts (gongxin.core.signing), so the text can never be disputed later.
The receiving department (a source unit) verifies it by ``deadline`` and records fulfilment or breach;
a breach writes a negative record (catalog item ``broken_commitment``) through records.services.
Every step writes one ``CommitmentEvent`` in the step's transaction.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.commitments.choices import CommitmentStatus, PayoutOutcome, SignedVia, TypeGroup


class CommitmentType(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=TypeGroup.choices)
    eligibility_applies = models.BooleanField(
        _("eligibility rules apply"), default=False,
        help_text=_("No unrepaired serious record and no past false or broken commitment (approval types)"))
    public_always = models.BooleanField(_("always public"), default=False,
                                        help_text=_("Commitments of this type are published on the profile"))
    text_template = models.TextField(
        _("commitment text template"),
        help_text=_("Placeholders: {subject_name}, {matter_name}, {department}, {deadline}"))
    fulfilment_working_days = models.PositiveIntegerField(_("verification period (working days)"))
    reminder_working_days = models.PositiveIntegerField(_("reminder before the deadline (working days)"))
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("commitment type")
        verbose_name_plural = _("commitment types")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class Commitment(models.Model):
    number = models.CharField(_("commitment number"), max_length=40, unique=True)
    type = models.ForeignKey(CommitmentType, verbose_name=_("type"), on_delete=models.PROTECT,
                             related_name="commitments")
    subject = models.ForeignKey("subjects.Subject", verbose_name=pgettext_lazy("commitments", "subject"),
                                on_delete=models.PROTECT, related_name="commitments")
    source_unit = models.ForeignKey("catalog.SourceUnit", verbose_name=_("receiving department"),
                                    on_delete=models.PROTECT, related_name="commitments")
    matter_code = models.CharField(_("matter code"), max_length=60)
    matter_name = models.CharField(_("matter"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.SIGNED)
    is_public = models.BooleanField(_("published on the profile"), default=False)
    # The conditions as checked at signing: [{"code", "label", "met", "explanation"}].
    eligibility = models.JSONField(_("eligibility at signing"), default=list)
    text = models.TextField(_("text signed"))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    signer_name = models.CharField(_("signed by"), max_length=100)
    signed_via = models.CharField(_("signed via"), max_length=10, choices=SignedVia.choices)
    signed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_by_client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    signed_by_label = models.CharField(_("submitted by"), max_length=200)
    # What a department system sends as the subject's own signature (e.g. an e-seal value), kept as given.
    subject_signature = models.TextField(_("subject's signature"), blank=True)
    signed_at = models.DateTimeField(_("signed at"))
    platform_key_id = models.CharField(_("platform key id"), max_length=16, blank=True)
    platform_signature = models.TextField(_("platform signature"), blank=True)
    deadline = models.DateField(_("verify by"))
    remind_on = models.DateField(_("remind on"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_noted_at = models.DateTimeField(_("overdue noted at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    verified_by_label = models.CharField(_("verified by"), max_length=200, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    breach_record = models.ForeignKey("records.Record", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("negative record of the breach"))

    class Meta:
        verbose_name = pgettext_lazy("commitments", "credit commitment")
        verbose_name_plural = _("credit commitments")
        constraints = [
            # One open commitment per subject, type and matter, enforced by the database as well.
            models.UniqueConstraint(fields=["subject", "type", "matter_code"],
                                    condition=models.Q(status=CommitmentStatus.SIGNED),
                                    name="uniq_open_commitment_per_matter"),
        ]
        indexes = [
            models.Index(fields=["source_unit", "status", "deadline"], name="commitment_queue"),
            models.Index(fields=["subject", "-signed_at"], name="commitment_of_subject"),
            models.Index(fields=["status", "remind_on"], name="commitment_reminders"),
            models.Index(fields=["subject", "matter_code", "status"], name="commitment_matter"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == CommitmentStatus.SIGNED


class CommitmentEvent(models.Model):
    """One step of a commitment (append-only): ``action`` is the namespaced event topic."""

    # Not a column: set for display by accounts.actors.actors_annotate (the actor as the viewer may see it).
    actor_shown: str

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=60)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    note = models.TextField(pgettext_lazy("commitments", "note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("commitment event")
        verbose_name_plural = _("commitment events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.commitment_id}"


class Payout(models.Model):
    """One instant policy payout request and its answer (approved with the amount paid, or refused)."""

    subject = models.ForeignKey("subjects.Subject", verbose_name=pgettext_lazy("commitments", "subject"),
                                on_delete=models.PROTECT, related_name="payouts")
    matter_code = models.CharField(_("matter code"), max_length=60)
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="payouts", verbose_name=_("commitment"))
    reference = models.CharField(_("paying system's reference"), max_length=100)
    amount_requested = models.DecimalField(_("amount requested (yuan)"), max_digits=14, decimal_places=2)
    amount_paid = models.DecimalField(pgettext_lazy("commitments", "amount approved (yuan)"), max_digits=14,
                                      decimal_places=2, default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=PayoutOutcome.choices)
    reasons = models.JSONField(pgettext_lazy("commitments", "reasons"), default=list, blank=True)
    check_id = models.BigIntegerField(_("credit check"), null=True, blank=True)
    check_decision = models.CharField(_("check decision"), max_length=20, blank=True)
    client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    requested_by_label = models.CharField(pgettext_lazy("commitments", "requested by"), max_length=200)
    created_at = models.DateTimeField(pgettext_lazy("commitments", "decided at"))

    class Meta:
        verbose_name = _("instant payout")
        verbose_name_plural = _("instant payouts")
        constraints = [
            # A paying system re-sending its request gets the first answer, never a second payout.
            models.UniqueConstraint(fields=["client", "reference"], name="uniq_payout_reference"),
        ]
        indexes = [models.Index(fields=["matter_code", "outcome"], name="payout_by_matter")]

    def __str__(self) -> str:
        return f"payout {self.reference} ({self.outcome})"
