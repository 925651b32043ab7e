"""The whole commitment loop through /api/v1/commitments: eligibility and text → sign (the subject, or the
department's system with the subject's signature) → the department's queue → breach or fulfilment;
refusals; who sees what; the inquiry of a system's check; statistics; and the measure a breach triggers."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from gongxin.access.models import Inquiry
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import viewer_for_client
from gongxin.commitments.models import Commitment
from gongxin.commitments.tests.conftest import at, post_json
from gongxin.records.models import Record
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.services import person_register
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/commitments"


def _query(unit, **extra):
    values = {"type": "approval_substitute", "department": unit.department.code, "matter_code": "FOOD-LICENCE-NEW",
              "matter_name": "食品经营许可（新办）", **extra}
    return "&".join(f"{k}={v}" for k, v in values.items())


def _sign_body(unit, text_sha256="", **extra):
    return {"type": "approval_substitute", "department": unit.department.code, "matter_code": "FOOD-LICENCE-NEW",
            "matter_name": "食品经营许可（新办）", "signer_name": "王五", "accepted": True, "text_sha256": text_sha256,
            **extra}


def test_the_loop_sign_then_breach_through_the_api(acme, unit, agent, operator):
    subject_client = signed_in(agent)
    checked = subject_client.get(f"{BASE}/eligibility?{_query(unit)}")
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["eligible"] is True and body["deadline"] == "2026-11-03"
    assert [c["code"] for c in body["conditions"]] == ["no_unrepaired_serious", "no_breach", "no_duplicate"]
    assert acme.name in body["text"]

    signed = post_json(subject_client, BASE, _sign_body(unit, body["text_sha256"], publish=True))
    assert signed.status_code == 201, signed.content
    commitment = signed.json()
    assert commitment["status"] == "signed" and commitment["signed_via"] == "api"
    assert commitment["text"] == body["text"] and commitment["text_sha256"] == body["text_sha256"]
    assert commitment["signature_valid"] is True and commitment["public"] is True
    assert [e["action"] for e in commitment["events"]] == ["commitments.commitment.signed"]
    assert [c["number"] for c in subject_client.get(BASE).json()] == [commitment["number"]]

    queue = signed_in(operator).get(f"{BASE}?status=signed").json()
    assert [c["id"] for c in queue] == [commitment["id"]]
    # The subject cannot verify its own commitment.
    refused = post_json(subject_client, f"{BASE}/{commitment['id']}/fulfil", {"note": "自行确认"})
    assert refused.status_code == 403 and refused.json()["code"] == "commitments.not_verifier"

    with at(date(2026, 10, 20)):  # new sessions: the first ones have expired by then
        breached = post_json(signed_in(operator), f"{BASE}/{commitment['id']}/breach",
                             {"facts": "核查发现经营场所与承诺不符。", "handling": "撤销许可决定"})
        again = post_json(signed_in(operator), f"{BASE}/{commitment['id']}/fulfil", {})
        # The subject's next approval-type commitment is refused, with the reasons.
        refused = post_json(signed_in(agent), BASE, _sign_body(unit, matter_code="OTHER", matter_name="其他事项"))
    assert breached.status_code == 200, breached.content
    result = breached.json()
    assert result["status"] == "breached" and result["breach_record_id"]
    assert [e["action"] for e in result["events"]] == ["commitments.commitment.signed",
                                                        "commitments.commitment.breached"]
    record = Record.objects.select_related("current_version").get(pk=result["breach_record_id"])
    assert record.current_version.retention_end == date(2031, 10, 20)
    assert again.status_code == 409 and again.json()["code"] == "commitments.not_open"
    assert refused.status_code == 422
    assert refused.json()["code"] == "commitments.not_eligible"
    unmet = {c["code"] for c in refused.json()["details"]["conditions"] if not c["met"]}
    assert unmet == {"no_breach"}


def test_fulfilment_through_the_api(acme, unit, agent, operator):
    commitment = post_json(signed_in(agent), BASE, _sign_body(unit)).json()
    done = post_json(signed_in(operator), f"{BASE}/{commitment['id']}/fulfil", {"note": "现场核查属实"})
    assert done.status_code == 200 and done.json()["status"] == "fulfilled"
    assert done.json()["verification_note"] == "现场核查属实"


def test_an_unrepaired_serious_record_refuses_through_the_api(acme, unit, agent):
    factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1), penalty_types="责令停产停业")
    body = signed_in(agent).get(f"{BASE}/eligibility?{_query(unit)}").json()
    assert body["eligible"] is False
    assert {c["code"]: c["met"] for c in body["conditions"]}["no_unrepaired_serious"] is False
    refused = post_json(signed_in(agent), BASE, _sign_body(unit))
    assert refused.status_code == 422 and refused.json()["code"] == "commitments.not_eligible"
    assert not Commitment.objects.exists()


def test_a_changed_text_is_refused_through_the_api(acme, unit, agent):
    refused = post_json(signed_in(agent), BASE, _sign_body(unit, "f" * 64))
    assert refused.status_code == 409 and refused.json()["code"] == "commitments.text_changed"
    assert "text" in refused.json()["details"]


def test_the_departments_system_signs_with_the_subjects_signature(acme, unit, unit_system, other_unit):
    client, key = unit_system
    body = _sign_body(unit, uscc=acme.organization.uscc, subject_signature="BASE64-E-SEAL-VALUE",
                      deadline="2026-12-31")
    signed = post_json(Client(), BASE, body, **{"X-API-Key": key})
    assert signed.status_code == 201, signed.content
    result = signed.json()
    assert result["signed_via"] == "client" and result["deadline"] == "2026-12-31"
    stored = Commitment.objects.get(pk=result["id"])
    assert stored.subject_signature == "BASE64-E-SEAL-VALUE" and stored.signed_by_client_id == client.pk
    # Without the subject's signature, or for another department, a system may not sign.
    unsigned = post_json(Client(), BASE, {**body, "matter_code": "X2", "subject_signature": ""}, **{"X-API-Key": key})
    assert unsigned.status_code == 403 and unsigned.json()["code"] == "commitments.not_signer"
    elsewhere = post_json(Client(), BASE, {**body, "matter_code": "X3", "department": other_unit.department.code},
                          **{"X-API-Key": key})
    assert elsewhere.status_code == 403


def test_a_systems_eligibility_check_is_logged_as_an_inquiry(acme, unit, unit_system):
    client, key = unit_system
    answer = Client().get(f"{BASE}/eligibility?{_query(unit, uscc=acme.organization.uscc)}",
                          headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.content
    inquiry = Inquiry.objects.get(subject=acme)
    assert inquiry.viewer_client_id == client.pk and inquiry.channel == "api"
    assert viewer_for_client(client).label == inquiry.viewer_label


def test_a_system_asks_about_a_person_in_the_body(unit, unit_system):
    _client, key = unit_system
    rin = rin_generate(area="330203", birth_date=date(1991, 2, 3), sequence=7)
    subject = person_register(rin=rin, name="赵六", region_code="330203", actor_label="tests")
    answer = post_json(Client(), f"{BASE}/eligibility", {
        "type": "repair", "department": unit.department.code, "matter_code": "REPAIR-1", "matter_name": "信用修复回访",
        "rin": rin}, **{"X-API-Key": key})
    assert answer.status_code == 200, answer.content
    assert answer.json()["subject_name"] == "赵六" and answer.json()["eligible"] is True
    assert Inquiry.objects.filter(subject=subject).count() == 1


def test_another_departments_system_cannot_look(acme, unit, other_unit):
    _client, key = api_client_create(name="生态环境系统", department=other_unit.department, scopes=[])
    answer = Client().get(f"{BASE}/eligibility?{_query(unit, uscc=acme.organization.uscc)}",
                          headers={"X-API-Key": key})
    assert answer.status_code == 403 and not Inquiry.objects.exists()


def test_who_sees_a_commitment(acme, unit, agent, other_agent, other_operator, staff):
    commitment = post_json(signed_in(agent), BASE, _sign_body(unit)).json()
    path = f"{BASE}/{commitment['id']}"
    assert signed_in(agent).get(path).status_code == 200
    assert signed_in(staff).get(path).status_code == 200
    assert signed_in(other_agent).get(path).status_code == 404
    assert signed_in(other_operator).get(path).status_code == 404
    assert Client().get(path).status_code == 401
    assert signed_in(other_operator).get(BASE).json() == []


def test_statistics(acme, unit, agent, operator, staff):
    first = post_json(signed_in(agent), BASE, _sign_body(unit)).json()
    post_json(signed_in(agent), BASE, _sign_body(unit, type="voluntary_public"))
    post_json(signed_in(operator), f"{BASE}/{first['id']}/breach", {"facts": "虚假承诺。"})
    stats = signed_in(staff).get(f"{BASE}/statistics").json()
    assert stats["commitments"]["total"] == 2 and stats["commitments"]["breached"] == 1
    assert stats["commitments"]["breach_rate_percent"] == 100.0
    by_type = {r["code"]: r for r in stats["by_type"]}
    assert by_type["approval_substitute"]["breached"] == 1 and by_type["voluntary_public"]["count"] == 1
    assert signed_in(agent).get(f"{BASE}/statistics").status_code == 403


def test_types_are_listed_with_their_policy(types):
    listed = {t["code"]: t for t in Client().get(f"{BASE}/types").json()}  # public policy: no sign-in
    assert set(listed) == {"approval_substitute", "deficiency_tolerance", "certification_notice", "voluntary_public",
                          "repair", "industry_self_discipline"}
    assert listed["approval_substitute"]["eligibility_applies"] is True
    assert listed["voluntary_public"]["public_always"] is True
    assert all(t["legal_basis"] and "{matter_name}" in t["text_template"] for t in listed.values())


def test_statistics_need_the_units_system_or_the_office(acme, unit, agent, unit_system):
    """Medium 6 of #22: any client (a bank's, a benefit provider's) read the commitment statistics."""
    from gongxin.accounts.models import Department

    post_json(signed_in(agent), BASE, _sign_body(unit))
    bank = Department.objects.create(code="BANK-NB", name="宁波银行", region_code="330200")
    _lender, lender_key = api_client_create(name="宁波银行信易贷系统", department=bank, scopes=[])
    _reader, reader_key = api_client_create(name="市场监管统计看板", department=unit.department, scopes=[])
    for key in (lender_key, reader_key):
        refused = Client().get(f"{BASE}/statistics", headers={"X-API-Key": key})
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    _client, system_key = unit_system
    allowed = Client().get(f"{BASE}/statistics", headers={"X-API-Key": system_key})
    assert allowed.status_code == 200 and allowed.json()["commitments"]["total"] == 1
