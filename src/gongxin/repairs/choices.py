from django.db import models
from django.utils.translation import gettext_lazy as _


class RepairStatus(models.TextChoices):
    """Where an application stands. Filed applications go straight to the deciding source unit: the
    platform's own check is the eligibility computed at filing (repairs.eligibility)."""

    FORWARDED = "forwarded", _("With the source unit")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PENDING_STATUSES = (RepairStatus.FORWARDED,)


class RejectionReason(models.TextChoices):
    """Why a source unit rejects an application; the operator adds an explanation in words."""

    NOT_CORRECTED = "not_corrected", _("The act has not been corrected")
    OBLIGATIONS_NOT_PERFORMED = "obligations_not_performed", _("The obligations have not been performed")
    EVIDENCE_INSUFFICIENT = "evidence_insufficient", _("The evidence does not prove performance")
    FALSE_MATERIALS = "false_materials", _("The materials are false")
    NOT_ELIGIBLE = "not_eligible", _("The record is not eligible for repair")
    OTHER = "other", _("Other")


class Condition(models.TextChoices):
    """The eligibility conditions, in the order they are explained."""

    NEGATIVE_IN_EFFECT = "negative_in_effect", _("A negative record in effect")
    NOT_REPAIRED = "not_repaired", _("Not repaired yet")
    SEVERITY = "severity", _("Severity class")
    REPAIRABLE_KIND = "repairable_kind", _("A repairable kind")
    MIN_PUBLICITY = "min_publicity", _("Minimum publicity period served")
    OBLIGATIONS = "obligations", _("Act corrected and obligations performed")
    COMMITMENT = "commitment", _("Signed credit commitment")
    NO_PENDING = "no_pending", _("No pending application for the record")
