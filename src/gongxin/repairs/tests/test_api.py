"""The repairs API (/api/v1/repairs): eligibility, apply (JSON and multipart), list, detail, decide."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxin.records.models import Record
from gongxin.repairs.tests.conftest import at
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/repairs"
PDF = b"%PDF-1.4\n%%EOF\n"
BODY = {"statement": "罚款已缴清。", "commitment_accepted": True, "commitment_signer": "王五"}


def test_eligibility_is_explained_to_the_subject_only(penalty, agent, other_agent):
    response = signed_in(agent).get(f"{BASE}/eligibility", {"record": penalty.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is True
    assert body["policy"] == "repair.cn.order36"
    assert "郑重承诺" in body["commitment_text"]
    assert [c["code"] for c in body["conditions"]][:2] == ["negative_in_effect", "not_repaired"]
    # Another subject's record is simply not found; anonymous callers must sign in.
    foreign = signed_in(other_agent).get(f"{BASE}/eligibility", {"record": penalty.pk})
    assert foreign.json()["code"] == "record.not_found"
    assert Client().get(f"{BASE}/eligibility", {"record": penalty.pk}).status_code == 401


def test_apply_by_json_then_the_operator_approves(penalty, agent, operator, other_operator):
    own = signed_in(agent)
    response = own.post(BASE, {"record_id": penalty.pk, **BODY}, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "forwarded"
    assert created["department_due"] == "2026-10-10"
    assert created["platform_due"] == "2026-10-20"
    assert [e["action"] for e in created["events"]] == ["repairs.repair.applied"]

    again = own.post(BASE, {"record_id": penalty.pk, **BODY}, content_type="application/json")
    assert again.status_code == 422 and again.json()["code"] == "repair.not_eligible"

    assert [a["id"] for a in own.get(BASE).json()] == [created["id"]]
    desk = signed_in(operator)
    assert [a["id"] for a in desk.get(BASE, {"status": "forwarded"}).json()] == [created["id"]]
    assert signed_in(other_operator).get(BASE).json() == []
    assert signed_in(other_operator).get(f"{BASE}/{created['id']}").status_code == 404

    refused = desk.post(f"{BASE}/{created['id']}/decision", {"outcome": "approve"}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "repair.obligations_unconfirmed"
    with at(date(2026, 10, 8)):
        decided = desk.post(f"{BASE}/{created['id']}/decision",
                            {"outcome": "approve", "obligations_confirmed": True, "note": "已核实"},
                            content_type="application/json")
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    assert decided.json()["overdue"] is False
    assert Record.objects.get(pk=penalty.pk).current_version.repaired is True
    detail = own.get(f"{BASE}/{created['id']}").json()
    assert [e["action"] for e in detail["events"]] == ["repairs.repair.applied", "repairs.repair.approved"]


def test_apply_with_evidence_by_multipart_and_a_rejection(penalty, agent, operator):
    own = signed_in(agent)
    upload = SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")
    response = own.post(f"{BASE}/multipart", {"record_id": penalty.pk, **BODY, "evidence": [upload]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert [e["name"] for e in created["evidence"]] == ["receipt.pdf"]
    assert {c["code"]: c["met"] for c in created["conditions"]}["obligations"] is True

    desk = signed_in(operator)
    missing = desk.post(f"{BASE}/{created['id']}/decision", {"outcome": "reject"}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["code"] == "repair.reasons_missing"
    rejected = desk.post(f"{BASE}/{created['id']}/decision",
                         {"outcome": "reject", "reasons": ["evidence_insufficient"], "note": "凭证不完整"},
                         content_type="application/json")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reasons"] == ["evidence_insufficient"]
    assert own.get(f"{BASE}/{created['id']}").json()["decision_note"] == "凭证不完整"


def test_overdue_applications_are_filtered_for_the_operator(penalty, agent, operator):
    created = signed_in(agent).post(BASE, {"record_id": penalty.pk, **BODY}, content_type="application/json").json()
    desk = signed_in(operator)
    with at(date(2026, 10, 12)):
        overdue = desk.get(BASE, {"overdue": "true"}).json()
    assert [a["id"] for a in overdue] == [created["id"]]
    assert overdue[0]["overdue"] is True and overdue[0]["platform_overdue"] is False


def test_the_subject_withdraws(penalty, agent):
    own = signed_in(agent)
    created = own.post(BASE, {"record_id": penalty.pk, **BODY}, content_type="application/json").json()
    response = own.post(f"{BASE}/{created['id']}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert own.post(f"{BASE}/{created['id']}/withdraw").json()["code"] == "repair.not_pending"


def test_a_units_client_sees_its_queue_only_with_records_write(penalty, agent, unit):
    """A client of the unit without ``records:write`` (a reporting dashboard, say) is not the unit's system: it
    never reads applications, with their subject's name and statement; the unit's system that writes does."""
    from gongxin.accounts.choices import Scope
    from gongxin.accounts.services import api_client_create

    created = signed_in(agent).post(BASE, {"record_id": penalty.pk, **BODY}, content_type="application/json").json()
    _reader, reader_key = api_client_create(name="市场监管统计看板", department=unit.department,
                                            scopes=[Scope.RECORDS_READ_PUBLIC, Scope.SUBJECTS_READ])
    _system, system_key = api_client_create(name="市场监管审批系统", department=unit.department,
                                            scopes=[Scope.RECORDS_WRITE])
    reader = Client(HTTP_X_API_KEY=reader_key)
    listing = reader.get(BASE)
    assert listing.status_code == 403 and listing.json()["code"] == "permission_denied"
    detail = reader.get(f"{BASE}/{created['id']}")
    assert detail.status_code == 404 and created["statement"] not in detail.content.decode()
    system = Client(HTTP_X_API_KEY=system_key)
    assert [a["id"] for a in system.get(BASE).json()] == [created["id"]]
    assert system.get(f"{BASE}/{created['id']}").json()["statement"] == BODY["statement"]


def test_a_blank_statement_or_signer_is_refused_with_its_code_and_message(penalty, agent):
    """The schema lets whitespace through; the service, which trims, refuses it with its own code."""
    own = signed_in(agent)
    blank_statement = own.post(BASE, {"record_id": penalty.pk, **BODY, "statement": "   "},
                               content_type="application/json")
    assert blank_statement.status_code == 422
    assert blank_statement.json() == {"code": "repair.statement_invalid",
                                      "message": "请说明失信行为的纠正情况（不超过4000字）。"}
    blank_signer = own.post(BASE, {"record_id": penalty.pk, **BODY, "commitment_signer": " "},
                            content_type="application/json")
    assert blank_signer.status_code == 422
    assert blank_signer.json() == {"code": "repair.signer_missing", "message": "请填写签署人姓名以签署信用承诺书。"}
    assert own.get(BASE).json() == []
