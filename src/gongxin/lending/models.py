"""Credit lending (信易贷): lenders, the data items lenders may receive, loans reported back, and the
risk-sharing fund's append-only ledger.

A firm's authorization of a lender is an access ``Consent`` naming the lender's API client (scope: the
lending data items), so the one disclosure policy and the one inquiry log serve lending as well.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.lending.choices import EntryKind, LoanAction, LoanStatus


class Lender(models.Model):
    """A bank or lending platform, calling the API as one API client."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    client = models.OneToOneField("accounts.ApiClient", verbose_name=_("API client"), on_delete=models.PROTECT,
                                  related_name="lender")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lender")
        verbose_name_plural = _("lenders")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class LendingDataItem(models.Model):
    """A catalog item (and which of its fields) lenders may receive under a firm's authorization."""

    catalog_item_code = models.CharField(_("catalog item code"), max_length=60, unique=True)
    # Field codes lenders receive; empty: every field the authorized purpose shows.
    fields = models.JSONField(_("fields"), default=list, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lending data item")
        verbose_name_plural = _("lending data items")
        ordering = ["catalog_item_code"]

    def __str__(self) -> str:
        return self.catalog_item_code


class Loan(models.Model):
    """A firm's loan application at a lender and its outcome, as the lender reported them."""

    lender = models.ForeignKey(Lender, verbose_name=_("lender"), on_delete=models.PROTECT, related_name="loans")
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("firm"), on_delete=models.PROTECT,
                                related_name="loans")
    reference = models.CharField(_("lender's reference"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.APPLIED)
    amount_requested_yuan = models.DecimalField(_("amount requested (yuan)"), max_digits=14, decimal_places=2)
    amount_approved_yuan = models.DecimalField(_("amount approved (yuan)"), max_digits=14, decimal_places=2,
                                               null=True, blank=True)
    rate_percent = models.DecimalField(_("annual rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    term_months = models.PositiveIntegerField(_("term (months)"), null=True, blank=True)
    fund_covered = models.BooleanField(_("covered by the risk fund"), default=False)
    default_amount_yuan = models.DecimalField(_("amount in default (yuan)"), max_digits=14, decimal_places=2,
                                              null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("repaid or defaulted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [models.UniqueConstraint(fields=["lender", "reference"], name="lending_loan_reference")]
        indexes = [models.Index(fields=["subject", "applied_at"])]

    def __str__(self) -> str:
        return f"{self.lender_id}/{self.reference}"


class LoanEvent(models.Model):
    """History of a loan (append-only)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=LoanAction.choices)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("loan event")
        verbose_name_plural = _("loan events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("loan events are append-only")
        super().save(*args, **kwargs)


class RiskFund(models.Model):
    """A risk-sharing (compensation) fund: it bears ``share_percent`` of covered loans' defaults."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    share_percent = models.DecimalField(_("share of defaults borne (%)"), max_digits=5, decimal_places=2)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk-sharing fund")
        verbose_name_plural = _("risk-sharing funds")

    def __str__(self) -> str:
        return self.name


class FundEntryQuerySet(models.QuerySet["FundEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ValueError("fund ledger entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("fund ledger entries are append-only")


class FundEntry(models.Model):
    """One line of the fund's ledger (append-only), with the running balance and covered total after it.

    ``amount_yuan`` moves the balance (contributions and recoveries in, claims out); ``covered_yuan`` is the
    principal of a loan taken under cover (it moves the covered total, not the balance).
    """

    fund = models.ForeignKey(RiskFund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2, default=0)
    covered_yuan = models.DecimalField(_("covered (yuan)"), max_digits=16, decimal_places=2, default=0)
    balance_after_yuan = models.DecimalField(_("balance after (yuan)"), max_digits=16, decimal_places=2)
    covered_after_yuan = models.DecimalField(_("covered total after (yuan)"), max_digits=16, decimal_places=2)
    loan = models.ForeignKey(Loan, verbose_name=_("loan"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="fund_entries")
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200)
    created_at = models.DateTimeField(_("time"))

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund ledger entry")
        verbose_name_plural = _("fund ledger entries")
        constraints = [models.UniqueConstraint(fields=["fund", "sequence"], name="lending_fund_entry_sequence")]
        ordering = ["fund", "sequence"]

    def __str__(self) -> str:
        return f"{self.fund_id}#{self.sequence} {self.kind} {self.amount_yuan}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("fund ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("fund ledger entries are append-only")
