"""Fact provider of lending (the rewards sense: ``names`` + ``facts_for``): loans a firm defaulted on.

Listed in ``settings.GONGXIN_FACT_PROVIDERS`` it lets measures' triggers and score models read
``loan_defaults_24m`` (loans reported in default by lenders in the last 730 days)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.db.models import Count

from gongxin.core import clock
from gongxin.lending.choices import LoanStatus
from gongxin.lending.models import Loan

WINDOW_DAYS = 730  # the window the fact's name states (24 months)


class LendingFacts:
    names: dict[str, str] = {"loan_defaults_24m": "int"}

    def facts_for(self, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        since = clock.now() - timedelta(days=WINDOW_DAYS)
        rows = (Loan.objects.filter(subject_id__in=list(subject_ids), status=LoanStatus.DEFAULTED, closed_at__gte=since)
                .values("subject_id").annotate(n=Count("id")))
        return {row["subject_id"]: {"loan_defaults_24m": row["n"]} for row in rows}
