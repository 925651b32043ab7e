"""Instant policy payout (政策秒兑付) through POST /api/v1/commitments/payouts against the real credit check of
the rewards app: approval with a signed commitment and a passing check; refusal without a commitment, after
a breach, or when the check intercepts; one answer per reference; statistics. And a breach reaching the
rewards facts and triggering a measure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import Viewer
from gongxin.commitments.models import Payout
from gongxin.commitments.services import commitment_breach, commitment_sign
from gongxin.commitments.tests.conftest import as_viewer, kind, post_json, sign_kwargs
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import outbox_dispatch
from gongxin.records.services import record_submit
from gongxin.rewards.models import Check
from gongxin.rewards.services import check_perform, matter_register, system_register
from gongxin.testing import factories
from gongxin.testing.payloads import item, payload_for
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

PAYOUTS = "/api/v1/commitments/payouts"
MATTER = "SUBSIDY-STARTUP-2026"
STAFF = Viewer(label="tests:staff", role=Role.STAFF)


@pytest.fixture
def paying_system(types):
    """The finance bureau's subsidy system, registered with the rewards app with its matter (a subsidy)."""
    unit = factories.source_unit_create(code="NB-CZ", name="宁波市财政局", domain="finance")
    client, key = api_client_create(name="惠企政策兑付系统", department=unit.department, scopes=[Scope.SUBJECTS_READ])
    system = system_register(code="nb-cz-subsidy", name="惠企政策兑付系统", department=unit.department, client=client,
                             actor=STAFF)
    matter_register(code=MATTER, name="小微企业创业补贴秒兑付", system=system, matter_type="subsidy", actor=STAFF)
    return client, key


def _commit(subject, unit, user):
    return commitment_sign(subject=subject, type=kind("approval_substitute"), source_unit=unit, actor=as_viewer(user),
                           **sign_kwargs(matter_code=MATTER, matter_name="小微企业创业补贴"))


def _request(key, subject, reference="PAY-0001", amount="5000.00"):
    return post_json(Client(), PAYOUTS, {"uscc": subject.organization.uscc, "matter": MATTER, "amount": amount,
                                         "reference": reference, "name": subject.name}, **{"X-API-Key": key})


def test_a_signed_commitment_and_a_passing_check_approve_in_one_call(acme, unit, agent, paying_system, staff):
    _client, key = paying_system
    commitment = _commit(acme, unit, agent)
    answer = _request(key, acme)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["approved"] is True and body["outcome"] == "approved" and body["reasons"] == []
    assert Decimal(body["amount_paid"]) == Decimal("5000.00")
    assert body["commitment"] == commitment.number and body["check_decision"] == "pass"
    check = Check.objects.get(pk=body["check_id"])
    assert check.subject_id == acme.pk and check.matter.code == MATTER
    assert OutboxEvent.objects.filter(topic="commitments.payout.decided", subject_id=acme.pk).count() == 1

    # The paying system re-sends the same request: the first answer, no second check or payout.
    repeated = _request(key, acme)
    assert repeated.status_code == 200 and repeated.json()["repeated"] is True
    assert repeated.json()["id"] == body["id"]
    assert Payout.objects.count() == 1 and Check.objects.count() == 1

    stats = signed_in(staff).get("/api/v1/commitments/statistics").json()
    assert stats["payouts"] == {"requests": 1, "approved": 1, "refused": 0, "amount_paid": "5000.00"}
    assert stats["payouts_by_matter"] == [{"matter_code": MATTER, "requests": 1, "approved": 1,
                                           "amount_paid": "5000.00"}]


def test_without_a_commitment_the_payout_is_refused(acme, paying_system):
    _client, key = paying_system
    body = _request(key, acme).json()
    assert body["approved"] is False and Decimal(body["amount_paid"]) == 0
    assert [r["code"] for r in body["reasons"]] == ["no_commitment"]
    assert body["check_decision"] == "pass"


def test_a_judgment_debtor_is_intercepted(acme, unit, agent, paying_system):
    _client, key = paying_system
    _commit(acme, unit, agent)
    debtor = item("judgment_debtor")
    record_submit(source_unit=unit, item=debtor, source_record_id="(2026)浙0212执1号", subject=acme,
                  payload=payload_for(debtor, subject_name=acme.name, subject_category="organization",
                                      uscc=acme.organization.uscc),
                  actor=factories.ADMIN)
    body = _request(key, acme).json()
    assert body["approved"] is False and body["check_decision"] == "intercept"
    assert [r["code"] for r in body["reasons"]] == ["check_intercept"]
    assert "jd.subsidy" in {h["measure"] for h in body["hits"]}
    assert all(h["legal_basis"] for h in body["hits"])


def test_a_breached_commitment_refuses_the_payout(acme, unit, agent, operator, paying_system):
    _client, key = paying_system
    commitment = _commit(acme, unit, agent)
    commitment_breach(commitment=commitment, actor=as_viewer(operator), facts="申报材料虚假。")
    body = _request(key, acme, reference="PAY-0002").json()
    assert body["approved"] is False
    assert "commitment_breached" in [r["code"] for r in body["reasons"]]


def test_only_a_system_requests_payouts(acme, agent, paying_system):
    answer = post_json(signed_in(agent), PAYOUTS, {"uscc": acme.organization.uscc, "matter": MATTER,
                                                   "amount": "10.00", "reference": "X"})
    assert answer.status_code == 403 and answer.json()["code"] == "commitments.payout_forbidden"


def test_a_breach_reaches_the_rewards_facts_and_triggers_a_measure(
    acme, unit, agent, operator, paying_system,
):
    licence_system = system_register(code="nb-scjg-approval", name="市场监管审批系统", department=unit.department,
                                     client=None, actor=STAFF)
    matter_register(code="FOOD-LICENCE-NEW", name="食品经营许可（新办）", system=licence_system,
                    matter_type="licence", actor=STAFF)
    before = check_perform(subject=acme, matter="FOOD-LICENCE-NEW", actor=STAFF)
    assert before.decision == "pass"
    commitment = commitment_sign(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 actor=as_viewer(agent), **sign_kwargs())
    breached = commitment_breach(commitment=commitment, actor=as_viewer(operator), facts="未按承诺补齐材料。")
    outbox_dispatch()  # what runs after the commit: the consumers, among them the rewards facts
    after = check_perform(subject=acme, matter="FOOD-LICENCE-NEW", actor=STAFF)
    assert after.decision == "warn"
    hit = next(h for h in after.hits if h["measure"] == "neg.general_review")
    assert {"type": "record", "id": breached.breach_record_id, "item": "broken_commitment"}.items() <= next(
        b for b in hit["basis"] if b.get("id") == breached.breach_record_id).items()
