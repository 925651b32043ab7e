"""Choices of the commitments app: where a commitment stands, how it was signed, what a payout decided."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommitmentStatus(models.TextChoices):
    """A signed commitment waits for the department's verification; it ends fulfilled or breached.
    "Overdue" is not a status: a signed commitment past its deadline (``Commitment.overdue_noted_at``)."""

    SIGNED = "signed", _("Signed, to be verified")
    FULFILLED = "fulfilled", _("Fulfilled")
    BREACHED = "breached", _("Breached")


class SignedVia(models.TextChoices):
    PORTAL = "portal", _("Signed on the portal")
    API = "api", _("Signed through the API")
    CLIENT = "client", _("Submitted by a department system with the subject's signature")


class TypeGroup(models.TextChoices):
    """The families of credit-rules.md; only the approval family has eligibility rules."""

    APPROVAL = "approval", _("Approval")
    VOLUNTARY_PUBLIC = "voluntary_public", _("Voluntary public")
    REPAIR = "repair", _("Repair")
    INDUSTRY = "industry", _("Industry self-discipline")


class Condition(models.TextChoices):
    """The eligibility conditions of approval-type commitments, in the order they are explained."""

    NO_UNREPAIRED_SERIOUS = "no_unrepaired_serious", _("No unrepaired serious negative record")
    NO_BREACH = "no_breach", _("No false or broken commitment")
    NO_DUPLICATE = "no_duplicate", _("No open commitment for the same matter")


class PayoutOutcome(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("commitments", "Approved")
    REFUSED = "refused", _("Refused")


class PayoutReason(models.TextChoices):
    """Why a payout was refused (stable codes; the paying system branches on them)."""

    NO_COMMITMENT = "no_commitment", _("No signed commitment for the matter")
    COMMITMENT_BREACHED = "commitment_breached", _("The commitment for the matter was breached")
    CHECK_INTERCEPT = "check_intercept", _("The credit check intercepts the matter")
    CHECK_WARN = "check_warn", _("The credit check warns: handle the matter by the normal procedure")
