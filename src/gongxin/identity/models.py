"""External identities bound to accounts and subjects, and the audit of every sign-in through the provider.

Nothing here holds a RIN: a person's binding keeps the keyed lookup hash of the RIN the provider asserted
(``subjects.identifiers.rin_lookup_hash``, the same hash ``subjects.Person.rin_hash`` is found by), an
organization's its USCC (public by law).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.identity.choices import Action, AssuranceLevel, IdentityKind


class ExternalIdentity(models.Model):
    """One account at the provider (issuer + ``sub``) bound to one account here and the subject it acts for."""

    issuer = models.CharField(_("issuer"), max_length=255)
    external_subject = models.CharField(_("subject at the provider"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKind.choices)
    # A person: the keyed lookup hash of the asserted RIN; an organization: its USCC.
    claim_key = models.CharField(_("identity key"), max_length=64)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="external_identity")
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="external_identities")
    assurance = models.CharField(_("assurance level of the last sign-in"), max_length=20,
                                 choices=AssuranceLevel.choices)
    created_at = models.DateTimeField(_("bound at"))
    last_signed_in_at = models.DateTimeField(_("last signed in at"))

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "external_subject"], name="uniq_identity_issuer_sub"),
            models.UniqueConstraint(fields=["issuer", "claim_key"], name="uniq_identity_issuer_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.external_subject}"


class IdentityEvent(models.Model):
    """The audit of unified identity: every sign-in through the provider, every binding and every refusal."""

    at = models.DateTimeField(_("at"), db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    issuer = models.CharField(_("issuer"), max_length=255)
    external_subject = models.CharField(_("subject at the provider"), max_length=255, blank=True)
    binding = models.ForeignKey(ExternalIdentity, verbose_name=_("binding"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="events")
    # For a refused claim: the binding that already holds the identity it asserted.
    conflicting_binding = models.ForeignKey(ExternalIdentity, verbose_name=_("conflicting binding"), null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="+")
    assurance = models.CharField(_("assurance level"), max_length=20, choices=AssuranceLevel.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("identity event")
        verbose_name_plural = _("identity events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
