"""The pages: the link from /me, the filing form with evidence, the detail with its timeline and the actions
each party sees, the staff workbench with its filters and the operator's task list."""

from __future__ import annotations

from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.accounts.models import User
from gongxin.objections.models import Objection
from gongxin.records.models import Record
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_me_links_each_record_to_the_filing_form(penalty: Record, acme_agent: User) -> None:
    html = signed_in(acme_agent).get("/me/").content.decode()
    assert f'href="/objections/file/?record={penalty.pk}" data-action="object"' in html
    assert f'href="/repairs/apply/?record={penalty.pk}" data-action="repair"' in html


def test_me_offers_no_second_objection_while_one_is_handled(
    penalty: Record, acme_agent: User, staff: User
) -> None:
    from gongxin.accounts.viewer import viewer_for_user
    from gongxin.objections.services import objection_accept, objection_file

    objection = objection_file(record=penalty, ground="other", description="x", actor=viewer_for_user(acme_agent))
    objection_accept(objection=objection, actor=viewer_for_user(staff))
    html = signed_in(acme_agent).get("/me/").content.decode()
    assert 'data-action="object"' not in html and 'data-mark="objection"' in html


def test_filing_through_the_page_then_staff_and_operator_act_through_pages(
    clock_at_start: time_machine.Traveller, penalty: Record, acme_agent: User, staff: User, operator: User,
) -> None:
    subject = signed_in(acme_agent)
    form = subject.get(f"/objections/file/?record={penalty.pk}")
    assert form.status_code == 200 and "data-objection-form" in form.content.decode()
    response = subject.post(f"/objections/file/?record={penalty.pk}", {"ground": "wrong_facts", "description": ""})
    assert response.status_code == 400
    response = subject.post(f"/objections/file/?record={penalty.pk}", {
        "ground": "wrong_facts", "description": "违法事实与实际不符。",
        "files": [SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")],
    })
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/objections/{objection.pk}/"
    html = subject.get(response["Location"]).content.decode()
    assert objection.number in html and "说明.pdf" in html and 'data-event="objections.objection.filed"' in html
    assert 'data-action="accept"' not in html  # the subject has no staff actions
    assert objection.number in subject.get("/objections/").content.decode()
    again = subject.get(f"/objections/file/?record={penalty.pk}")  # pending: the form leads to it
    assert again.status_code == 302 and again["Location"] == f"/objections/{objection.pk}/"

    office = signed_in(staff)
    workbench = office.get("/objections/workbench/?status=submitted").content.decode()
    assert f'data-objection="{objection.pk}"' in workbench
    assert 'data-action="accept"' in office.get(f"/objections/{objection.pk}/").content.decode()
    office.post(f"/objections/{objection.pk}/accept/", {"note": ""})
    office.post(f"/objections/{objection.pk}/forward/", {"note": "请核实"})
    objection.refresh_from_db()
    assert objection.status == "forwarded" and str(objection.due_date) == "2026-10-10"  # a make-up Saturday

    unit = signed_in(operator)
    tasks = unit.get("/objections/tasks/").content.decode()
    assert f'data-objection="{objection.pk}"' in tasks and "2026-10-10" in tasks
    detail = unit.get(f"/objections/{objection.pk}/").content.decode()
    assert 'data-action="decide"' in detail and 'name="payload__violation_facts"' in detail
    payload = {f"payload__{k}": v for k, v in penalty.current_version.payload.items()}
    payload["payload__violation_facts"] = "当事人销售标签不符合规定的预包装食品。"
    response = unit.post(f"/objections/{objection.pk}/decide/", {"decision": "correct", "reason": "更正违法事实",
                                                                 **payload})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == "decided" and objection.decision == "correct"
    version = Record.objects.get(pk=penalty.pk).current_version
    assert version.payload["violation_facts"] == "当事人销售标签不符合规定的预包装食品。"

    html = subject.get(f"/objections/{objection.pk}/").content.decode()
    assert 'data-decision="correct"' in html and 'data-action="review"' in html
    inbox = subject.get("/notices/").content.decode()
    assert 'data-code="objections.objection.decided"' in inbox


def test_workbench_filters_and_overdue(
    clock_at_start: time_machine.Traveller, penalty: Record, acme_agent: User, staff: User, operator: User,
) -> None:
    subject, office = signed_in(acme_agent), signed_in(staff)
    subject.post(f"/objections/file/?record={penalty.pk}", {"ground": "other", "description": "x"})
    objection = Objection.objects.get()
    office.post(f"/objections/{objection.pk}/accept/")
    clock_at_start.move_to("2026-10-13 09:00 +0800")  # past the deadline of 10-10 (accepted 09-28)
    office = signed_in(staff)
    html = office.get("/objections/workbench/").content.decode()
    assert 'data-overdue' in html and 'data-queue="overdue"' in html
    assert f'data-objection="{objection.pk}"' in office.get("/objections/workbench/?overdue=1").content.decode()
    assert f'data-objection="{objection.pk}"' not in office.get(
        "/objections/workbench/?status=decided").content.decode()
    assert f'data-objection="{objection.pk}"' in office.get(
        f"/objections/workbench/?unit={penalty.source_unit_id}").content.decode()
    # A failing step comes back as a message on the detail page, not as an error page.
    response = office.post(f"/objections/{objection.pk}/extend/", {"working_days": 30, "reason": "x"}, follow=True)
    assert response.status_code == 200 and "class=\"error\"" in response.content.decode()


def test_the_queue_reads_a_bounded_number_of_queries(
    acme: Any, unit: Any, acme_agent: User, staff: User, operator: User, django_assert_max_num_queries: Any
) -> None:
    """The workbench and its API read each page in a fixed number of queries, however many rows it shows."""
    from gongxin.accounts.viewer import viewer_for_user
    from gongxin.objections.services import objection_accept, objection_decide, objection_file, objection_forward

    agent, office, unit_viewer = viewer_for_user(acme_agent), viewer_for_user(staff), viewer_for_user(operator)
    for n in range(6):
        record = factories.penalty_create(subject=acme, source_unit=unit)
        objection = objection_file(record=record, ground="other", description=f"第{n}件", actor=agent)
        if n % 2:
            objection_accept(objection=objection, actor=office)
            objection_forward(objection=objection, actor=office)
            objection_decide(objection=objection, actor=unit_viewer, decision="uphold", reason="维持")
    client = signed_in(staff)
    # The first request of a rate-limit window opens it (and may purge old windows): not the queue's cost.
    client.get("/api/v1/objections/queue")
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/objections/queue").json()
    assert body["count"] == 6
    with django_assert_max_num_queries(10):
        assert client.get("/objections/workbench/").status_code == 200


def test_operator_asks_for_more_time_and_staff_see_the_request(
    penalty: Record, acme_agent: User, staff: User, operator: User
) -> None:
    from gongxin.accounts.viewer import viewer_for_user
    from gongxin.objections.services import objection_accept, objection_file, objection_forward

    office_viewer = viewer_for_user(staff)
    objection = objection_file(record=penalty, ground="other", description="x", actor=viewer_for_user(acme_agent))
    objection_accept(objection=objection, actor=office_viewer)
    objection_forward(objection=objection, actor=office_viewer)
    unit = signed_in(operator)
    assert 'data-action="request-extension"' in unit.get(f"/objections/{objection.pk}/").content.decode()
    unit.post(f"/objections/{objection.pk}/request-extension/", {"working_days": 4, "reason": "需现场复查"})
    html = unit.get(f"/objections/{objection.pk}/").content.decode()
    assert 'data-action="request-extension"' not in html and "data-extension-request" in html
    office = signed_in(staff)
    assert f'data-objection="{objection.pk}"' in office.get("/objections/workbench/?extension=1").content.decode()
    detail = office.get(f"/objections/{objection.pk}/").content.decode()
    assert "data-extension-request" in detail and 'value="4"' in detail and "需现场复查" in detail
