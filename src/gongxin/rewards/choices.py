"""Choices of the rewards app: measure kind and class, matter types, check decisions, feedback outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import RemovedBy


class MeasureKind(models.TextChoices):
    PUNISHMENT = "punishment", _("Punishment (joint discipline)")
    REWARD = "reward", _("Reward (joint incentive)")


class MeasureClass(models.TextChoices):
    """How binding a measure is; the check decision follows from it (see services.decision_of)."""

    LEGAL = "legal", _("Legal restriction")
    MANAGEMENT = "management", _("Administrative management")
    MARKET = "market", _("Market and industry")


class MatterType(models.TextChoices):
    """What a business system's matter is; a measure may apply to every matter of some types."""

    PROCUREMENT = "procurement", _("Government procurement")
    BIDDING = "bidding", _("Tendering and bidding")
    SUBSIDY = "subsidy", _("Government subsidy or funding")
    LICENCE = "licence", _("Administrative licence or approval")
    OFFICE = "office", _("Appointment to office")
    CONSUMPTION = "consumption", _("High consumption")
    INSPECTION = "inspection", _("Supervision and inspection")
    FINANCE = "finance", _("Credit and finance")
    HONOUR = "honour", _("Honours and awards")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER = "other", _("Other")


class Decision(models.TextChoices):
    PASS = "pass", _("Pass")
    INTERCEPT = "intercept", _("Intercept")
    WARN = "warn", _("Warn")
    REWARD = "reward", _("Reward")


class FeedbackOutcome(models.TextChoices):
    """What the business system did with the matter after the check."""

    REJECTED = "rejected", _("Application rejected")
    RESTRICTED = "restricted", _("Approved with restrictions")
    APPROVED = "approved", _("Approved")
    FACILITATED = "facilitated", _("Approved with incentives")
    PENDING = "pending", _("Still in progress")
    OTHER = "other", _("Other")


class LiftHow(models.TextChoices):
    """How the basis of a hit can go away."""

    REPAIR = "repair", _("Credit repair")
    # A kind credit repair does not reach (catalog.policy.removal_authorities): the court removes it.
    COURT = RemovedBy.COURT.value, RemovedBy.COURT.label
    OBJECTION = "objection", _("Objection")
    END_DATE = "end_date", _("End date")
