"""Admin for lending: lenders, data items and funds are configuration; loans and the fund's ledger are
written by services and only viewed here (the ledger is append-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.lending.models import FundEntry, Lender, LendingDataItem, Loan, LoanEvent, RiskFund


@admin.register(Lender)
class LenderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "client", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["client"]


@admin.register(LendingDataItem)
class LendingDataItemAdmin(admin.ModelAdmin):
    list_display = ["catalog_item_code", "effective_from", "is_active"]
    list_filter = ["is_active"]


@admin.register(RiskFund)
class RiskFundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "share_percent", "effective_from", "is_active"]


class LoanEventInline(admin.TabularInline):
    model = LoanEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "amount_yuan", "actor_label", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["id", "lender", "reference", "subject", "status", "amount_requested_yuan",
                    "amount_approved_yuan", "fund_covered", "applied_at"]
    list_filter = ["lender", "status", "fund_covered"]
    search_fields = ["reference", "subject__name"]
    inlines = [LoanEventInline]


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ["fund", "sequence", "kind", "amount_yuan", "covered_yuan", "balance_after_yuan", "loan",
                    "created_at"]
    list_filter = ["fund", "kind"]
