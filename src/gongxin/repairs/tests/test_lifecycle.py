"""A repair from filing to effect: apply → approve (the record is repaired: gone from the public profile
and sharing, marked 已修复 in the subject's own view and reports), a rejection with reasons, an overdue
case, and deadlines that cross the National Day holiday and its make-up workday."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from gongxin.access.shown import profile_records
from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.viewer import ANONYMOUS, Viewer
from gongxin.core.models import OutboxEvent
from gongxin.notices.models import Notice
from gongxin.records.choices import ChangeKind, Purpose
from gongxin.records.models import Record
from gongxin.repairs.choices import RepairStatus
from gongxin.repairs.errors import (
    RepairNotDecider,
    RepairNotEligible,
    RepairNotPending,
    RepairNotSubject,
    RepairObligationsUnconfirmed,
    RepairReasonsMissing,
)
from gongxin.repairs.models import RepairApplication, RepairEvent
from gongxin.repairs.selectors import repair_is_overdue, repairs_queue
from gongxin.repairs.services import repair_apply, repair_approve, repair_reject, repair_withdraw
from gongxin.repairs.tests.conftest import FILED, apply_kwargs, as_viewer, at
from gongxin.reports.services import report_issue

SHARING = Viewer(label="api-client:tax", role=Role.OPERATOR, scopes=frozenset({Scope.RECORDS_SHARE}))

pytestmark = pytest.mark.django_db


def _ids(subject, viewer, purpose):
    return [r.record_id for r in profile_records(subject=subject, viewer=viewer, purpose=purpose)]


def test_deadlines_cross_the_national_day_holiday_and_the_make_up_workday(penalty, agent):
    application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    # 3 working days after Wed 2026-09-30: Thu 10-08, Fri 10-09, Sat 10-10 (make-up workday).
    assert application.department_due == date(2026, 10, 10)
    # 10 working days: 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20.
    assert application.platform_due == date(2026, 10, 20)
    assert application.status == RepairStatus.FORWARDED
    assert application.source_unit_id == penalty.source_unit_id
    assert application.commitment_signer == "王五"
    assert "郑重承诺" in application.commitment_text
    assert application.policy.code == "repair.cn.order36"
    assert {c["code"]: c["met"] for c in application.eligibility}["obligations"] is None


def test_from_filing_to_effect(penalty, acme, agent, operator, django_capture_on_commit_callbacks):
    own = as_viewer(agent)
    assert _ids(acme, ANONYMOUS, Purpose.PUBLIC) == [penalty.pk]
    assert _ids(acme, SHARING, Purpose.SHARING) == [penalty.pk]

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves after commit
        application = repair_apply(record=penalty, actor=own, **apply_kwargs())
    assert Notice.objects.filter(subject=acme, code="repairs.repair.applied").count() == 1
    assert "2026-10-10" in Notice.objects.get(code="repairs.repair.applied").body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["acme-agent@example.test"]

    with at(date(2026, 10, 9)):
        approved = repair_approve(application=application, actor=as_viewer(operator), obligations_confirmed=True,
                                  note="罚款已缴清，经核实。")
        assert approved.status == RepairStatus.APPROVED
        record = Record.objects.select_related("current_version").get(pk=penalty.pk)
        version = record.current_version
        assert version.change == ChangeKind.REPAIRED
        assert version.repaired is True and version.publicity_ended is True
        assert approved.repaired_version == version.number
        assert "罚款已缴清" in version.reason
        assert version.legal_basis == approved.policy.legal_basis

        # Effects: gone from the public profile and from sharing; still in the subject's own view and
        # in its own credit report, marked 已修复.
        assert _ids(acme, ANONYMOUS, Purpose.PUBLIC) == []
        assert _ids(acme, SHARING, Purpose.SHARING) == []
        assert _ids(acme, own, Purpose.SELF) == [penalty.pk]
        report = report_issue(subject=acme, kind="organization", viewer=own, purpose=Purpose.SELF)
        found = [e for section in report.content["details"] for e in section["records"]
                 if e["record_id"] == penalty.pk]
        assert found and "已修复" in found[0]["marks"]

    topics = list(OutboxEvent.objects.filter(subject_id=acme.pk).values_list("topic", flat=True))
    assert {"repairs.repair.applied", "repairs.repair.approved", "records.record.repaired"} <= set(topics)
    assert list(RepairEvent.objects.filter(application=application).values_list("action", flat=True)) == [
        "repairs.repair.applied", "repairs.repair.approved"]
    assert Notice.objects.filter(subject=acme, code="repairs.repair.approved").count() == 1

    with pytest.raises(RepairNotPending):
        repair_reject(application=application, actor=as_viewer(operator), reasons=["other"], note="x")
    # A repaired record cannot be applied for again.
    with pytest.raises(RepairNotEligible):
        repair_apply(record=penalty, actor=own, **apply_kwargs())


def test_a_rejection_gives_reasons_and_leaves_the_record_alone(penalty, acme, agent, operator):
    application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    with pytest.raises(RepairReasonsMissing):
        repair_reject(application=application, actor=as_viewer(operator), reasons=[], note="")
    with pytest.raises(RepairReasonsMissing):
        repair_reject(application=application, actor=as_viewer(operator), reasons=["no_such_reason"], note="x")
    rejected = repair_reject(application=application, actor=as_viewer(operator),
                             reasons=["obligations_not_performed", "evidence_insufficient"],
                             note="罚款尚未缴清。")
    assert rejected.status == RepairStatus.REJECTED
    assert rejected.rejection_reasons == ["obligations_not_performed", "evidence_insufficient"]
    record = Record.objects.select_related("current_version").get(pk=penalty.pk)
    assert record.current_version.change == ChangeKind.CREATED
    assert _ids(acme, ANONYMOUS, Purpose.PUBLIC) == [penalty.pk]
    notice = Notice.objects.get(subject=acme, code="repairs.repair.rejected")
    assert "罚款尚未缴清" in notice.body and "履行" in notice.body
    assert "repairs.repair.rejected" in OutboxEvent.objects.values_list("topic", flat=True)
    # The subject may apply again once the reasons no longer apply.
    again = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    assert again.status == RepairStatus.FORWARDED


def test_an_overdue_application_stands_out_in_the_queue(penalty, acme, agent, operator, staff):
    application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    with at(date(2026, 10, 10)):  # the make-up Saturday is the last day in time
        assert not repair_is_overdue(application)
        assert list(repairs_queue(viewer=as_viewer(operator), overdue=True)) == []
    with at(date(2026, 10, 12)):
        assert repair_is_overdue(application)
        assert list(repairs_queue(viewer=as_viewer(operator), overdue=True)) == [application]
        assert list(repairs_queue(viewer=as_viewer(staff), overdue=True)) == [application]
        approved = repair_approve(application=application, actor=as_viewer(operator), obligations_confirmed=True)
    assert approved.events.get(action="repairs.repair.approved").data["overdue"] is True


def test_only_the_subject_applies_and_only_the_deciding_unit_decides(
    penalty, agent, other_agent, operator, other_operator, staff
):
    with pytest.raises(RepairNotSubject):
        repair_apply(record=penalty, actor=as_viewer(other_agent), **apply_kwargs())
    application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    for outsider in (other_operator, staff, agent):
        with pytest.raises(RepairNotDecider):
            repair_approve(application=application, actor=as_viewer(outsider), obligations_confirmed=True)
    with pytest.raises(RepairObligationsUnconfirmed):
        repair_approve(application=application, actor=as_viewer(operator), obligations_confirmed=False)
    assert list(repairs_queue(viewer=as_viewer(other_operator))) == []
    with pytest.raises(RepairNotSubject):
        repair_withdraw(application=application, actor=as_viewer(other_agent))
    withdrawn = repair_withdraw(application=application, actor=as_viewer(agent))
    assert withdrawn.status == RepairStatus.WITHDRAWN


def test_one_pending_application_per_record(penalty, agent):
    repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    with pytest.raises(RepairNotEligible) as caught:
        repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    unmet = [c["code"] for c in caught.value.details["conditions"] if c["met"] is False]
    assert unmet == ["no_pending"]


def test_filed_on_the_filing_day(penalty, agent):
    application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    assert application.applied_at.date() == FILED


def test_the_database_refuses_a_second_pending_application(penalty, agent):
    """The last line of defence when two filings race past the eligibility check."""
    from django.db import IntegrityError, transaction

    first = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    twin = RepairApplication.objects.get(pk=first.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.status = RepairStatus.REJECTED  # decided applications do not count
    twin.pk = None
    twin.save()
