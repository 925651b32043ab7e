"""Who may see a subject's non-public records (consents) and who looked (inquiries).

The app holds the disclosure policy (access.disclosure), which consults consents, and the reads that
log inquiries (access.shown): it sits above the record store, which imports nothing of it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.access.choices import Channel
from gongxin.core import clock
from gongxin.records.choices import Purpose


class Consent(models.Model):
    """A subject's time-limited authorization for one named requester, for a purpose and a scope."""

    # Not a column: set for display by the consents page (access.consents.consent_grantee_shown).
    grantee_shown: str

    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="consents")
    # The requester: a person's account, an API client, or a whole department. Exactly one is set.
    grantee_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="consents_received")
    grantee_client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="consents_received")
    grantee_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="consents_received")
    grantee_label = models.CharField(_("requester"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200)
    # Catalog item codes the requester may see; empty: every item up to the authorized level.
    scope = models.JSONField(_("scope"), default=list, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    granted_at = models.DateTimeField(_("granted at"))
    granted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="consents_granted")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["subject", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.subject_id} → {self.grantee_label}: {self.purpose}"


class Inquiry(models.Model):
    """One query of a subject's records (append-only); the subject sees its own inquiry log."""

    # Not a column: set for display by accounts.actors.actors_annotate (the requester as the viewer may see it).
    actor_shown: str

    # No index of its own: the (subject, -created_at) index leads with it (one index fewer on the log).
    # No database constraints out of the log (decision 043, "Constraints out of the logs"): the rows it names were
    # read by the transaction that writes it, and a constraint's check locked each of them (a WAL record per
    # inquiry, a full page image after every checkpoint, MultiXacts on a busy client's row). PROTECT still guards
    # deletes in the ORM; the indexes stay (the log is read by subject and by requester).
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="inquiries", db_index=False, db_constraint=False)
    viewer_label = models.CharField(_("requester"), max_length=200)
    viewer_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_constraint=False)
    viewer_client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", db_constraint=False)
    viewer_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", db_constraint=False)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    reason = models.CharField(_("reason given"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries")
    records_shown = models.PositiveIntegerField(_("records shown"), default=0)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        indexes = [models.Index(fields=["subject", "-created_at"])]

    def __str__(self) -> str:
        return f"{clock.local(self.created_at):%Y-%m-%d %H:%M} {self.viewer_label} → {self.subject_id} ({self.purpose})"
