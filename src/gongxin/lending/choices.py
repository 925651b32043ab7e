"""Choices of the lending app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    REPAID = "repaid", _("Repaid")
    DEFAULTED = "defaulted", _("Defaulted")


class LoanAction(models.TextChoices):
    """What a lender reported about a loan; one history row each."""

    APPLIED = "applied", _("Application reported")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    REPAID = "repaid", _("Repaid")
    DEFAULTED = "defaulted", _("Default reported")
    CLAIM_PAID = "claim_paid", _("Risk fund claim paid")


class EntryKind(models.TextChoices):
    """Kinds of risk-sharing fund ledger entries."""

    CONTRIBUTION = "contribution", _("Contribution")
    COVERAGE = "coverage", _("Loan covered")
    CLAIM = "claim", _("Claim paid")
    RECOVERY = "recovery", _("Recovery")
