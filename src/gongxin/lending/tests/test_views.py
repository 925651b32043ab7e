"""The lending pages: a firm authorizes and revokes lenders and sees the pulls; staff see statistics and
keep the fund's ledger."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from gongxin.access.models import Consent
from gongxin.lending.models import FundEntry
from gongxin.lending.tests.conftest import api
from gongxin.testing.personas import signed_in


def test_firm_authorizes_sees_the_pull_and_revokes(agent, firm, bank):
    _lender, key = bank
    own = signed_in(agent)
    page = own.get("/lending/")
    assert page.status_code == 200 and 'data-lender="nbbank"' in page.content.decode()
    assert own.post("/lending/authorize/", {"lender": "nbbank", "valid_until": "2099-01-01"}).status_code == 302
    assert not Consent.objects.exists()  # beyond the consent ceiling: refused with a message
    response = own.post("/lending/authorize/", {"lender": "nbbank", "valid_until": own.get("/lending/").context[
        "suggested_until"]})
    assert response.status_code == 302
    consent = Consent.objects.get()
    api(key).get(f"/api/v1/lending/profiles/{firm.organization.uscc}")
    html = own.get("/lending/").content.decode()
    assert "data-authorized" in html and 'data-pulls' in html and "宁波银行" in html
    assert own.post(f"/lending/authorizations/{consent.pk}/revoke/").status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_staff_pages(agent, bank, staff):
    desk = signed_in(staff)
    assert desk.post("/lending/fund/", {"amount_yuan": "5000.00", "note": "注资"}).status_code == 302
    assert FundEntry.objects.get().balance_after_yuan == Decimal("5000.00")
    page = desk.get("/lending/fund/").content.decode()
    assert 'data-entry="1"' in page
    statistics = desk.get("/lending/statistics/")
    assert statistics.status_code == 200 and 'class="bar-row"' in statistics.content.decode()
    assert signed_in(agent).get("/lending/statistics/").status_code == 403
    assert signed_in(agent).get("/lending/fund/").status_code == 403
    assert signed_in(staff).get("/lending/").status_code == 403  # not a firm
    assert Client().get("/lending/").status_code == 302


def test_pages_in_chinese(agent, bank, staff):
    html = signed_in(agent).get("/lending/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "谁查询了您的信用数据" in html
    desk = signed_in(staff).get("/lending/statistics/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "信易贷统计" in desk


def test_staff_pay_a_claim_from_the_fund_page(agent, firm, bank, staff):
    from datetime import timedelta

    from gongxin.accounts.viewer import viewer_for_client, viewer_for_user
    from gongxin.core import clock
    from gongxin.lending.selectors import fund_current
    from gongxin.lending.services import (
        fund_contribute,
        lender_authorize,
        loan_apply,
        loan_approve,
        loan_default_record,
    )

    lender, _key = bank
    actor = viewer_for_client(lender.client)
    lender_authorize(subject=firm, lender=lender, valid_until=clock.now() + timedelta(days=30),
                     actor=viewer_for_user(agent))
    fund_contribute(fund=fund_current(), amount_yuan="1000.00", actor=viewer_for_user(staff))
    loan = loan_apply(uscc=firm.organization.uscc, reference="P1", amount_requested_yuan="800", actor=actor)
    loan_approve(loan=loan, amount_approved_yuan="800", rate_percent="5", term_months=6, fund_covered=True,
                 actor=actor)
    loan_default_record(loan=loan, default_amount_yuan="300", actor=actor)
    desk = signed_in(staff)
    assert f'data-loan="{loan.pk}"' in desk.get("/lending/fund/").content.decode()
    assert desk.post(f"/lending/fund/claims/{loan.pk}/").status_code == 302
    assert FundEntry.objects.order_by("-sequence").first().balance_after_yuan == Decimal("850.00")
    assert f'data-loan="{loan.pk}"' not in desk.get("/lending/fund/").content.decode()


def test_messages_and_my_credit_tabs_are_shown(agent, bank):
    own = signed_in(agent)
    page = own.post("/lending/authorize/", {"lender": "nbbank", "valid_until": "2099-01-01"}, follow=True)
    html = page.content.decode()
    assert 'class="messages"' in html and 'data-tab="lending"' in html
