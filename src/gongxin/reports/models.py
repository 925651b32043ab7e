"""Credit reports: frozen, signed snapshots of a profile, verifiable by number and QR code.

A report row never changes its content, hash or signature; only its status moves (valid →
superseded or revoked), through reports.services.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.reports.choices import ReportKind, ReportStatus


class Report(models.Model):
    number = models.CharField(_("report number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="reports")
    purpose = models.CharField(_("purpose"), max_length=20)
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_by_client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    requested_by_label = models.CharField(_("requested by"), max_length=200)
    range_from = models.DateField(_("period from"), null=True, blank=True)
    range_to = models.DateField(_("period to"), null=True, blank=True)
    created_at = models.DateTimeField(_("issued at"))
    # The frozen snapshot, the SHA-256 of its canonical JSON (core.signing.canonical_json), and the
    # Ed25519 signature over those same canonical bytes, with the id of the key that made it.
    content = models.JSONField(_("content"))
    # A person's RIN where the signed content shows it in clear: ``content`` holds the masked form there,
    # this the original strings, sealed (reports.personal; empty when the content holds no clear RIN).
    personal_sealed = models.TextField(_("sealed personal data"), blank=True, default="", editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64)
    signature = models.TextField(_("signature"))
    key_id = models.CharField(_("signing key id"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.VALID)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("credit report")
        verbose_name_plural = _("credit reports")
        indexes = [models.Index(fields=["subject", "-created_at"])]

    def __str__(self) -> str:
        return self.number
