"""The lending API end to end: a firm authorizes a lender, the lender pulls (per firm and in bulk,
logged), reports the loan and its outcome; the fund ledger keeps a correct running balance."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gongxin.access.models import Inquiry
from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.lending.models import FundEntry
from gongxin.lending.tests.conftest import api, authorize
from gongxin.testing.personas import signed_in

BASE = "/api/v1/lending"
JSON = "application/json"


def _uscc(subject) -> str:
    return subject.organization.uscc


def test_firm_authorizes_and_revokes_a_lender(agent, bank):
    _lender, _key = bank
    firm = signed_in(agent)
    assert [row["code"] for row in firm.get(f"{BASE}/lenders").json()] == ["nbbank"]
    until = (clock.now() + timedelta(days=90)).isoformat()
    created = firm.post(f"{BASE}/authorizations", {"lender": "nbbank", "valid_until": until}, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "active" and "penalty" in body["scope"]
    assert OutboxEvent.objects.filter(topic="access.consent.granted", subject_id=agent.subject_id).exists()
    revoked = firm.post(f"{BASE}/authorizations/{body['id']}/revoke", {"reason": "贷款已结清"}, content_type=JSON)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert [a["state"] for a in firm.get(f"{BASE}/authorizations").json()] == ["revoked"]


def test_lender_without_authorization_gets_nothing(firm, bank, outsider_key):
    _lender, key = bank
    one = api(key).get(f"{BASE}/profiles/{_uscc(firm)}").json()
    assert one == {"code": _uscc(firm), "authorized": False, "name": "", "uscc": "", "records": []}
    unknown = api(key).get(f"{BASE}/profiles/91330200MA2XXXXX0X").json()
    assert unknown["authorized"] is False and unknown["records"] == []
    assert not Inquiry.objects.exists()
    # A client that is not a lender cannot pull at all.
    _client, outsider = outsider_key
    refused = api(outsider).post(f"{BASE}/profiles", {"codes": [_uscc(firm)]}, content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "lending.not_lender"


def test_authorized_pull_shows_listed_fields_and_is_logged(agent, firm, other_firm, bank, other_bank):
    lender, key = bank
    consent = authorize(agent, lender)
    answers = api(key).post(f"{BASE}/profiles", {"codes": [_uscc(firm), _uscc(other_firm)]},
                            content_type=JSON).json()
    assert [a["authorized"] for a in answers] == [True, False]
    records = answers[0]["records"]
    assert {r["item_code"] for r in records} == {"penalty", "licence"}
    penalty = next(r for r in records if r["item_code"] == "penalty")
    codes = {f["code"] for f in penalty["fields"]}
    assert "decision_number" in codes and "id_number" not in codes and "violation_facts" not in codes
    inquiry = Inquiry.objects.get()
    assert (inquiry.subject_id, inquiry.viewer_client_id, inquiry.consent_id) == (firm.pk, lender.client_id,
                                                                                  consent.pk)
    # The other bank was not authorized; the firm sees the one pull, by whom.
    _other, other_key = other_bank
    assert api(other_key).get(f"{BASE}/profiles/{_uscc(firm)}").json()["authorized"] is False
    pulls = signed_in(agent).get(f"{BASE}/pulls").json()
    assert [(p["lender"], p["records_shown"]) for p in pulls] == [("宁波银行", 2)]


def test_revoked_authorization_stops_pulls(agent, firm, bank):
    lender, key = bank
    consent = authorize(agent, lender)
    assert api(key).get(f"{BASE}/profiles/{_uscc(firm)}").json()["authorized"] is True
    signed_in(agent).post(f"{BASE}/authorizations/{consent.pk}/revoke", {}, content_type=JSON)
    assert api(key).get(f"{BASE}/profiles/{_uscc(firm)}").json()["authorized"] is False


def test_bulk_pull_is_bounded(bank):
    _lender, key = bank
    response = api(key).post(f"{BASE}/profiles", {"codes": ["x"] * 101}, content_type=JSON)
    assert response.status_code == 422 and response.json()["code"] == "lending.too_many_firms"


def test_loan_loop_and_fund_ledger(agent, firm, other_firm, bank, staff):
    lender, key = bank
    bank_api = api(key)
    desk = signed_in(staff)
    refused = bank_api.post(f"{BASE}/loans", {"uscc": _uscc(other_firm), "reference": "L0",
                                              "amount_requested_yuan": "100000.00"}, content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "lending.not_authorized"

    authorize(agent, lender)
    assert desk.post(f"{BASE}/fund/contributions", {"amount_yuan": "1000000.00", "note": "市财政注资"},
                     content_type=JSON).status_code == 201
    for reference, amount in (("L1", "500000.00"), ("L2", "200000.00"), ("L3", "300000.00")):
        applied = bank_api.post(f"{BASE}/loans", {"uscc": _uscc(firm), "reference": reference,
                                                  "amount_requested_yuan": amount}, content_type=JSON)
        assert applied.status_code == 201, applied.content
    duplicate = bank_api.post(f"{BASE}/loans", {"uscc": _uscc(firm), "reference": "L1",
                                                "amount_requested_yuan": "1.00"}, content_type=JSON)
    assert duplicate.status_code == 409

    approved = bank_api.post(f"{BASE}/loans/L1/decision", {"outcome": "approve", "amount_approved_yuan": "400000.00",
                                                           "rate_percent": "3.85", "term_months": 12,
                                                           "fund_covered": True}, content_type=JSON)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["rate_percent"] == "3.850"
    bank_api.post(f"{BASE}/loans/L2/decision", {"outcome": "approve", "amount_approved_yuan": "200000.00",
                                                "rate_percent": "4.2", "term_months": 6, "fund_covered": True},
                  content_type=JSON)
    declined = bank_api.post(f"{BASE}/loans/L3/decision", {"outcome": "decline", "note": "经营流水不足"},
                             content_type=JSON)
    assert declined.json()["status"] == "declined"
    assert bank_api.post(f"{BASE}/loans/L3/repaid", {}, content_type=JSON).status_code == 409
    assert bank_api.post(f"{BASE}/loans/L2/repaid", {}, content_type=JSON).json()["status"] == "repaid"
    defaulted = bank_api.post(f"{BASE}/loans/L1/default", {"default_amount_yuan": "150000.00"}, content_type=JSON)
    assert defaulted.json()["status"] == "defaulted"
    assert OutboxEvent.objects.filter(topic="lending.loan.defaulted", subject_id=firm.pk).count() == 1

    loan_id = defaulted.json()["id"]
    claimed = desk.post(f"{BASE}/fund/claims", {"loan_id": loan_id}, content_type=JSON)
    assert claimed.status_code == 201, claimed.content
    fund = claimed.json()
    # 1,000,000 in; 50% of the 150,000 lost paid out; 600,000 of principal covered by two loans.
    assert Decimal(fund["balance_yuan"]) == Decimal("925000.00")
    assert Decimal(fund["claims_paid_yuan"]) == Decimal("75000.00") and fund["claims"] == 1
    assert Decimal(fund["covered_yuan"]) == Decimal("600000.00") and fund["loans_covered"] == 2
    assert [e["kind"] for e in fund["entries"]] == ["claim", "coverage", "coverage", "contribution"]
    again = desk.post(f"{BASE}/fund/claims", {"loan_id": loan_id}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "lending.claim_not_allowed"

    # The running balance is the sum of the amounts before it, line by line.
    running = Decimal("0")
    for entry in FundEntry.objects.order_by("sequence"):
        running += entry.amount_yuan
        assert entry.balance_after_yuan == running

    figures = desk.get(f"{BASE}/statistics").json()
    row = next(f for f in figures if f["code"] == "nbbank")
    assert (row["applied"], row["approved"], row["declined"], row["defaulted"]) == (3, 2, 1, 1)
    assert Decimal(row["amount_approved_yuan"]) == Decimal("600000.00") and row["firms_authorizing"] == 1
    assert signed_in(agent).get(f"{BASE}/fund").status_code == 403
    assert bank_api.get(f"{BASE}/statistics").status_code == 403


def test_ledger_entries_cannot_change(agent, bank, staff):
    desk = signed_in(staff)
    desk.post(f"{BASE}/fund/contributions", {"amount_yuan": "10.00"}, content_type=JSON)
    entry = FundEntry.objects.get()
    entry.amount_yuan = Decimal("99")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        FundEntry.objects.update(amount_yuan=0)
