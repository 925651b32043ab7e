"""Simultaneous writers of the fund ledger and of claims (PostgreSQL: real row locks, several connections).

The fund row is locked before the last balance is read, so concurrent entries get consecutive numbers and
each balance is the previous one plus its amount; of two simultaneous claims for one loan exactly one is paid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from gongxin.accounts.viewer import viewer_for_client, viewer_for_user
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.lending.models import FundEntry, Loan
from gongxin.lending.selectors import fund_current
from gongxin.lending.services import (
    fund_claim_pay,
    fund_contribute,
    lender_authorize,
    loan_apply,
    loan_approve,
    loan_default_record,
)
from gongxin.testing.races import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_simultaneous_contributions_keep_the_running_balance(staff, lending_data):
    actor = viewer_for_user(staff)
    fund = fund_current()
    results = race(lambda: fund_contribute(fund=fund, amount_yuan="100.00", actor=actor), times=4)
    assert not [r for r in results if isinstance(r, GongxinError)]
    entries = list(FundEntry.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3, 4]
    assert [e.balance_after_yuan for e in entries] == [Decimal(100 * n) for n in range(1, 5)]


def test_two_simultaneous_claims_pay_once(agent, firm, bank, staff):
    lender, _key = bank
    bank_actor = viewer_for_client(lender.client)
    lender_authorize(subject=firm, lender=lender, valid_until=clock.now() + timedelta(days=30),
                     actor=viewer_for_user(agent))
    fund = fund_current()
    fund_contribute(fund=fund, amount_yuan="100000.00", actor=viewer_for_user(staff))
    loan = loan_apply(uscc=firm.organization.uscc, reference="R1", amount_requested_yuan="50000", actor=bank_actor)
    loan = loan_approve(loan=loan, amount_approved_yuan="50000", rate_percent="4", term_months=12,
                        fund_covered=True, actor=bank_actor)
    loan_default_record(loan=loan, default_amount_yuan="20000", actor=bank_actor)
    staff_actor = viewer_for_user(staff)
    results = race(lambda: fund_claim_pay(fund=fund, loan=Loan.objects.get(pk=loan.pk), actor=staff_actor))
    codes = sorted(r.code if isinstance(r, GongxinError) else "ok" for r in results)
    assert codes == ["lending.claim_not_allowed", "ok"]
    assert FundEntry.objects.order_by("-sequence").first().balance_after_yuan == Decimal("90000.00")
