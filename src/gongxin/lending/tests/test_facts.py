"""The lending fact provider counts a firm's loans in default."""

from __future__ import annotations

from gongxin.accounts.viewer import viewer_for_client
from gongxin.lending.facts import LendingFacts
from gongxin.lending.services import loan_apply, loan_approve, loan_default_record
from gongxin.lending.tests.conftest import authorize


def test_loan_defaults_are_a_fact(agent, firm, other_firm, bank):
    lender, _key = bank
    actor = viewer_for_client(lender.client)
    authorize(agent, lender)
    loan = loan_apply(uscc=firm.organization.uscc, reference="F1", amount_requested_yuan="1000", actor=actor)
    loan = loan_approve(loan=loan, amount_approved_yuan="1000", rate_percent="4", term_months=12, fund_covered=False,
                        actor=actor)
    assert LendingFacts().facts_for([firm.pk, other_firm.pk]) == {}
    loan_default_record(loan=loan, default_amount_yuan="500", actor=actor)
    assert LendingFacts().facts_for([firm.pk, other_firm.pk]) == {firm.pk: {"loan_defaults_24m": 1}}
