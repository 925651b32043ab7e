"""The identity app's choices: assurance levels, the capabilities that need one, the audit actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssuranceLevel(models.TextChoices):
    """How strongly the identity behind a sign-in was verified, weakest first (``ORDER``)."""

    NONE = "none", _("No identity")
    BASIC = "basic", _("Basic (registered, not checked)")
    VERIFIED = "verified", _("Verified real name")
    IN_PERSON = "in_person", _("Verified in person")


# Weakest first: a level satisfies every level at or before it here.
ORDER: tuple[str, ...] = (AssuranceLevel.NONE, AssuranceLevel.BASIC, AssuranceLevel.VERIFIED,
                          AssuranceLevel.IN_PERSON)


class AssuredCapability(models.TextChoices):
    """What a subject's own login does that the assurance policy (decision 055) may ask a level for."""

    PROFILE_FULL = "profile.read_full", _("Read one's own full profile and reports")
    OBJECTION_FILE = "objection.file", _("File an objection")
    AGENTS_AUTHORIZE = "agents.authorize", _("Authorize agents to act for one's firm")


class IdentityKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class Action(models.TextChoices):
    """The audit actions of ``IdentityEvent``: every sign-in through the provider and every refusal."""

    BOUND = "binding.created", _("First sign-in: account created and bound")
    SIGNED_IN = "binding.signed_in", _("Signed in")
    REFUSED_CLAIM_CHANGED = "refused.claim_changed", _("Refused: the identity number changed")
    REFUSED_CLAIM_TAKEN = "refused.claim_taken", _("Refused: the identity number is bound to another account")
    REFUSED_CLAIMS_INVALID = "refused.claims_invalid", _("Refused: the claims name no valid subject")
    REFUSED_UNKNOWN_ORGANIZATION = "refused.unknown_organization", _("Refused: the organization is not registered")
    REFUSED_ACCOUNT_DISABLED = "refused.account_disabled", _("Refused: the account is disabled")
    REFUSED_TOKEN = "refused.token", _("Refused: the provider's answer failed verification")
