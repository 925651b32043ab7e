"""An objection from filing to effect through the API, with the working-day clock across the National Day
holiday of 2026 and its make-up workday, an extension, an overdue case, a rejection and a review."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine
from django.core import mail
from django.test import Client

from gongxin.accounts.models import User
from gongxin.core.models import OutboxEvent
from gongxin.notices.models import Notice
from gongxin.objections.models import Objection, ObjectionEvent
from gongxin.objections.tests.conftest import api
from gongxin.records.models import Record, RecordVersion
from gongxin.testing.personas import signed_in


def public_record(client: Client, record: Record) -> dict[str, Any]:
    response = client.get(f"/api/v1/records/{record.pk}")
    assert response.status_code == 200
    return response.json()


def test_objection_from_filing_to_correction_across_the_national_day_holiday(
    clock_at_start: time_machine.Traveller, penalty: Record, acme_agent: User, staff: User, operator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subject, office, unit = signed_in(acme_agent), signed_in(staff), signed_in(operator)
    public = Client()

    # Monday 2026-09-28: the subject files. Not marked yet: only acceptance marks the record.
    with django_capture_on_commit_callbacks(execute=True):
        response = api(subject, "post", "", {"record_id": penalty.pk, "ground": "wrong_text",
                                             "description": "处罚决定书文号有误，应为甬市监罚〔2026〕88号。"})
    assert response.status_code == 201, response.content
    filed = response.json()
    oid = filed["id"]
    assert filed["status"] == "submitted" and filed["number"] == f"YY2026{oid:06d}"
    assert public_record(public, penalty)["under_objection"] is False
    assert mail.outbox[-1].to == ["agent@acme.example.cn"]

    # Tuesday 2026-09-29: staff accept. 5 working days: 09-30, 10-08, 10-09, Saturday 10-10 (make-up
    # workday) and 10-12; the National Day holiday 10-01 … 10-07 does not count.
    clock_at_start.move_to("2026-09-29 09:30 +0800")
    response = api(office, "post", f"/{oid}/accept", {"note": "材料齐全"})
    assert response.status_code == 200, response.content
    accepted = response.json()
    assert accepted["status"] == "accepted"
    assert accepted["due_date"] == "2026-10-12" and accepted["deadline_working_days"] == 5
    assert accepted["record_under_objection"] is True
    assert public_record(public, penalty)["under_objection"] is True  # the mark shows publicly at once
    page = public.get(f"/org/{penalty.subject.organization.uscc}/").content.decode()
    assert 'data-mark="objection"' in page
    marked = RecordVersion.objects.filter(record=penalty).order_by("-number").first()
    assert marked is not None and marked.change == "objection_marked" and filed["number"] in marked.reason

    # Staff forward to the source unit: the operator's task list shows it with its deadline.
    response = api(office, "post", f"/{oid}/forward", {})
    assert response.json()["status"] == "forwarded"
    tasks = api(unit, "get", "/tasks").json()
    assert [t["id"] for t in tasks["items"]] == [oid] and tasks["items"][0]["due_date"] == "2026-10-12"

    # The unit asks for 3 more working days; the request waits in its own queue on the workbench.
    response = api(office, "post", f"/{oid}/extension-request", {"working_days": 3, "reason": "x"})
    assert response.status_code == 403 and response.json()["code"] == "objection.not_source_unit"
    response = api(unit, "post", f"/{oid}/extension-request", {"working_days": 3, "reason": "需调取执法档案核实"})
    assert response.json()["extension_requested_days"] == 3 and response.json()["due_date"] == "2026-10-12"
    queue = api(office, "get", "/queue", {"extension_requested": "true"}).json()
    assert [o["id"] for o in queue["items"]] == [oid]
    # Staff approve: 8 working days from 09-29 → 10-15; the request is answered.
    response = api(office, "post", f"/{oid}/extend", {"working_days": 3, "reason": "需调取执法档案核实"})
    assert response.json()["due_date"] == "2026-10-15" and response.json()["deadline_working_days"] == 8
    assert response.json()["extension_requested_days"] == 0
    assert api(office, "get", "/queue", {"extension_requested": "true"}).json()["count"] == 0
    # 20 working days in all is the most the policy allows: 8 + 13 is refused, the deadline stays.
    response = api(office, "post", f"/{oid}/extend", {"working_days": 13, "reason": "再延长"})
    assert response.status_code == 422 and response.json()["code"] == "objection.extension_too_long"
    assert response.json()["details"] == {"max_working_days": 20, "remaining": 12}

    # Friday 2026-10-16: past the deadline, the workbench shows it overdue.
    clock_at_start.move_to("2026-10-16 09:00 +0800")
    subject, office, unit = signed_in(acme_agent), signed_in(staff), signed_in(operator)  # sessions last 2 weeks
    overdue = api(office, "get", "/queue", {"overdue": "true"}).json()
    assert [o["id"] for o in overdue["items"]] == [oid] and overdue["items"][0]["overdue"] is True
    html = office.get("/objections/workbench/?overdue=1").content.decode()
    assert f'data-objection="{oid}" class="overdue" data-overdue' in html

    # The unit decides (late) to correct the decision number: one version, the mark cleared with it.
    current = Record.objects.get(pk=penalty.pk).current_version
    corrected = {**current.payload, "decision_number": "甬市监罚〔2026〕88号"}
    response = api(unit, "post", f"/{oid}/decide", {"decision": "correct", "reason": "经核实，文号录入错误。",
                                                     "payload": corrected})
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["status"] == "decided" and decided["decision"] == "correct" and decided["overdue"] is False
    version = Record.objects.get(pk=penalty.pk).current_version
    assert version.change == "corrected" and version.under_objection is False
    assert version.payload["decision_number"] == "甬市监罚〔2026〕88号"
    assert decided["number"] in version.reason and decided["decision_version"] == version.number
    shown = public_record(public, penalty)
    assert shown["under_objection"] is False
    assert any(f["value"] == "甬市监罚〔2026〕88号" for f in shown["fields"])
    assert api(unit, "get", "/tasks").json()["count"] == 0

    # The subject sees the outcome, the timeline and a notice for every step.
    detail = api(subject, "get", f"/{oid}").json()
    steps = [e["action"] for e in detail["events"]]
    assert steps == [
        "objections.objection.filed", "objections.objection.accepted", "objections.objection.forwarded",
        "objections.objection.extension_requested", "objections.objection.extended", "objections.objection.decided",
    ]
    topics = list(OutboxEvent.objects.filter(aggregate_type="objection", aggregate_id=oid).order_by("id")
                  .values_list("topic", flat=True))
    assert topics == steps
    # The request for more time is internal; the subject hears of the approved extension.
    codes = list(Notice.objects.filter(subject=penalty.subject).order_by("id").values_list("code", flat=True))
    assert codes == [s for s in steps if s != "objections.objection.extension_requested"]
    notices = signed_in(acme_agent).get("/api/v1/notices").json()
    assert notices["unread"] == 5 and notices["items"][0]["link"] == f"/objections/{oid}/"


def test_review_reopens_once_for_a_second_decision(
    clock_at_start: time_machine.Traveller, penalty: Record, acme_agent: User, staff: User, operator: User,
) -> None:
    subject, office, unit = signed_in(acme_agent), signed_in(staff), signed_in(operator)
    oid = api(subject, "post", "", {"record_id": penalty.pk, "ground": "wrong_facts",
                                    "description": "当事人未销售过期食品。"}).json()["id"]
    api(office, "post", f"/{oid}/accept", {})
    api(office, "post", f"/{oid}/forward", {})
    response = api(unit, "post", f"/{oid}/decide", {"decision": "uphold", "reason": "事实清楚，证据确凿。"})
    assert response.json()["decision"] == "uphold"
    version = Record.objects.get(pk=penalty.pk).current_version
    assert version.change == "objection_cleared" and version.under_objection is False

    # Wednesday 2026-09-30: the subject asks for a review; marked again, 5 working days from 09-30 → 10-13.
    clock_at_start.move_to("2026-09-30 10:00 +0800")
    response = api(subject, "post", f"/{oid}/review", {"reason": "有新证据：进货单据。"})
    assert response.status_code == 200, response.content
    reviewed = response.json()
    assert reviewed["status"] == "forwarded" and reviewed["round"] == 2 and reviewed["due_date"] == "2026-10-13"
    assert Record.objects.get(pk=penalty.pk).current_version.under_objection is True

    response = api(unit, "post", f"/{oid}/decide", {"decision": "delete", "reason": "复核认定事实不清，撤销。"})
    assert response.json()["decision"] == "delete"
    version = Record.objects.get(pk=penalty.pk).current_version
    assert version.status == "revoked" and version.under_objection is False
    assert Client().get(f"/api/v1/records/{penalty.pk}").status_code == 404

    response = api(subject, "post", f"/{oid}/review", {"reason": "再次复核"})
    assert response.status_code == 409 and response.json()["code"] == "objection.review_used"


def test_rejected_objection_never_marks_the_record_and_a_new_one_may_follow(
    penalty: Record, acme_agent: User, staff: User
) -> None:
    subject, office = signed_in(acme_agent), signed_in(staff)
    oid = api(subject, "post", "", {"record_id": penalty.pk, "ground": "other", "description": "不服"}).json()["id"]
    # A second objection to the same record waits for the first.
    response = api(subject, "post", "", {"record_id": penalty.pk, "ground": "other", "description": "再次"})
    assert response.status_code == 409 and response.json()["code"] == "objection.already_open"
    response = api(office, "post", f"/{oid}/reject", {"reason": ""})
    assert response.status_code == 422  # a rejection needs its reason
    response = api(office, "post", f"/{oid}/reject", {"reason": "异议事项不属于信用信息异议范围。"})
    body = response.json()
    assert body["status"] == "rejected" and body["rejection_reason"] == "异议事项不属于信用信息异议范围。"
    assert not RecordVersion.objects.filter(record=penalty, change="objection_marked").exists()
    assert Record.objects.get(pk=penalty.pk).current_version.under_objection is False
    notice = Notice.objects.filter(subject=penalty.subject, code="objections.objection.rejected").get()
    assert "异议事项不属于信用信息异议范围。" in notice.body
    # A rejected step cannot be accepted afterwards.
    response = api(office, "post", f"/{oid}/accept", {})
    assert response.status_code == 409 and response.json()["code"] == "objection.wrong_status"
    assert api(subject, "post", "", {"record_id": penalty.pk, "ground": "other",
                                     "description": "补充材料后重新提出"}).status_code == 201
    assert ObjectionEvent.objects.filter(objection_id=oid).count() == 2


def test_deadline_days_come_from_the_policy_in_force(
    clock_at_start: time_machine.Traveller, penalty: Record, acme_agent: User, staff: User
) -> None:
    """A city policy of 3 days (10 in all) replaces Zhejiang's 5 (20) from its effective date."""
    from django.conf import settings

    from gongxin.catalog.models import Policy

    Policy.objects.create(code="deadlines.nb.test", kind="deadlines", name="宁波（测试）",
                          jurisdiction=settings.GONGXIN_JURISDICTION, effective_from=date(2026, 9, 29),
                          params={"objection_decide_working_days": 3, "objection_max_working_days": 10},
                          legal_basis="test")
    subject, office = signed_in(acme_agent), signed_in(staff)
    oid = api(subject, "post", "", {"record_id": penalty.pk, "ground": "other", "description": "x"}).json()["id"]
    assert Objection.objects.get(pk=oid).due_date is None
    clock_at_start.move_to("2026-09-29 10:00 +0800")
    accepted = api(office, "post", f"/{oid}/accept", {}).json()
    assert accepted["due_date"] == "2026-10-09" and accepted["deadline_working_days"] == 3  # 09-30, 10-08, 10-09
    response = api(office, "post", f"/{oid}/extend", {"working_days": 8, "reason": "x"})
    assert response.json()["details"]["max_working_days"] == 10
    assert api(office, "post", f"/{oid}/extend", {"working_days": 7, "reason": "x"}).json()["due_date"] == "2026-10-19"
