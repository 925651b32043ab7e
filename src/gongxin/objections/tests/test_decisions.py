"""Each decision kind's effect on the record: the version it implies, its reason naming the objection, the
mark cleared in the same version, and what the public and the list projection see afterwards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.errors import CatalogValidationFailed
from gongxin.catalog.models import SourceUnit
from gongxin.objections.errors import DecisionNotApplicable, PayloadRequired
from gongxin.objections.models import Objection
from gongxin.objections.services import (
    objection_accept,
    objection_decide,
    objection_file,
    objection_forward,
)
from gongxin.objections.tests.conftest import START
from gongxin.records.models import ListEntry, Record, RecordVersion
from gongxin.subjects.models import Subject
from gongxin.testing import factories


def forwarded(record: Record, *, agent: Viewer, staff: Viewer, ground: str = "wrong_facts") -> Objection:
    objection = objection_file(record=record, ground=ground, description="异议说明", actor=agent)
    objection_accept(objection=objection, actor=staff)
    return objection_forward(objection=objection, actor=staff)


def current(record: Record) -> RecordVersion:
    version = Record.objects.select_related("current_version").get(pk=record.pk).current_version
    assert version is not None
    return version


def list_record(*, subject: Subject, unit: SourceUnit, code: str) -> Record:
    base = {"subject_name": subject.name, "subject_category": "organization", "uscc": subject.organization.uscc,
            "listing_date": (START - timedelta(days=30)).isoformat()}
    if code == "serious_dishonesty_list":
        payload = {**base, "list_name": "严重违法失信名单", "decision_number": "甬市监信〔2026〕7号",
                   "listing_reason": "提交虚假材料取得许可",
                   "listing_basis": "《市场监督管理严重违法失信名单管理办法》",
                   "authority_name": factories.SOURCE_UNIT_NAME}
    else:
        payload = {**base, "case_number": "(2026)浙0212执123号", "court": "宁波市鄞州区人民法院",
                   "obligation": "支付货款10万元", "dishonesty_circumstances": "有履行能力而拒不履行"}
    return factories.record_create(subject=subject, source_unit=unit, item=factories.seeded_item(code), payload=payload)


def test_delete_revokes_the_record(penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer,
                                   operator_viewer: Viewer) -> None:
    objection = forwarded(penalty, agent=agent_viewer, staff=staff_viewer)
    assert current(penalty).under_objection is True
    objection_decide(objection=objection, actor=operator_viewer, decision="delete", reason="处罚决定已被撤销")
    version = current(penalty)
    assert (version.change, version.status, version.under_objection) == ("revoked", "revoked", False)
    assert objection.number in version.reason and "处罚决定已被撤销" in version.reason
    assert Client().get(f"/api/v1/records/{penalty.pk}").status_code == 404


@pytest.mark.parametrize("decision", ["correct", "supplement"])
def test_correct_and_supplement_write_the_validated_content(
    decision: str, penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer
) -> None:
    objection = forwarded(penalty, agent=agent_viewer, staff=staff_viewer, ground="omission")
    before = current(penalty)
    with pytest.raises(PayloadRequired):
        objection_decide(objection=objection, actor=operator_viewer, decision=decision, reason="x")
    invalid = {**before.payload, "decision_date": "不是日期"}
    with pytest.raises(CatalogValidationFailed) as problem:
        objection_decide(objection=objection, actor=operator_viewer, decision=decision, reason="x", payload=invalid)
    assert [p["field"] for p in problem.value.details] == ["decision_date"]
    assert current(penalty).pk == before.pk  # nothing written
    with pytest.raises(DecisionNotApplicable):  # the same content again is no correction
        objection_decide(objection=objection, actor=operator_viewer, decision=decision, reason="x",
                         payload=dict(before.payload))
    changed = {**before.payload, "remarks": "已补充：当事人已主动召回涉事产品。"}
    objection_decide(objection=objection, actor=operator_viewer, decision=decision, reason="补充遗漏信息",
                     payload=changed)
    version = current(penalty)
    assert version.change == "corrected" and version.under_objection is False
    assert version.payload["remarks"] == "已补充：当事人已主动召回涉事产品。"
    assert version.content_hash != before.content_hash
    assert version.publicity_max_end == before.publicity_max_end  # the same decision date: the same clocks
    assert objection.number in version.reason


def test_stop_disclosure_ends_publicity(penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer,
                                        operator_viewer: Viewer) -> None:
    objection = forwarded(penalty, agent=agent_viewer, staff=staff_viewer, ground="beyond_period")
    assert Client().get(f"/api/v1/records/{penalty.pk}").status_code == 200
    objection_decide(objection=objection, actor=operator_viewer, decision="stop_disclosure", reason="超期公示")
    version = current(penalty)
    assert (version.change, version.publicity_ended, version.status) == ("publicity_ended", True, "active")
    assert Client().get(f"/api/v1/records/{penalty.pk}").status_code == 404  # no longer public


def test_remove_from_list_ends_the_entry_with_its_removal_date(
    acme: Subject, unit: SourceUnit, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer
) -> None:
    record = list_record(subject=acme, unit=unit, code="serious_dishonesty_list")
    assert ListEntry.objects.get(record=record).is_active is True
    objection = forwarded(record, agent=agent_viewer, staff=staff_viewer, ground="wrongly_listed")
    objection_decide(objection=objection, actor=operator_viewer, decision="remove_from_list",
                     reason="已满足移出条件")
    version = current(record)
    assert version.change == "list_removed" and version.status == "active" and version.under_objection is False
    assert version.payload["planned_exit_date"] == (START - timedelta(days=1)).isoformat()
    entry = ListEntry.objects.get(record=record)
    assert entry.is_active is False and entry.end_date == START - timedelta(days=1)


def test_remove_from_list_withdraws_a_listing_without_an_end_date(
    acme: Subject, unit: SourceUnit, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer
) -> None:
    record = list_record(subject=acme, unit=unit, code="judgment_debtor")
    objection = forwarded(record, agent=agent_viewer, staff=staff_viewer, ground="wrongly_listed")
    objection_decide(objection=objection, actor=operator_viewer, decision="remove_from_list", reason="已履行完毕")
    version = current(record)
    assert (version.change, version.status) == ("list_removed", "revoked")
    assert ListEntry.objects.get(record=record).is_active is False


def test_remove_from_list_does_not_apply_to_other_records(
    penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer
) -> None:
    objection = forwarded(penalty, agent=agent_viewer, staff=staff_viewer)
    with pytest.raises(DecisionNotApplicable):
        objection_decide(objection=objection, actor=operator_viewer, decision="remove_from_list", reason="x")
    assert current(penalty).under_objection is True  # still marked: nothing was decided
    assert Objection.objects.get(pk=objection.pk).status == "forwarded"


def test_uphold_only_clears_the_mark(penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer,
                                     operator_viewer: Viewer) -> None:
    before = current(penalty)
    objection = forwarded(penalty, agent=agent_viewer, staff=staff_viewer)
    objection_decide(objection=objection, actor=operator_viewer, decision="uphold", reason="事实清楚")
    version = current(penalty)
    assert version.change == "objection_cleared" and version.under_objection is False
    same: dict[str, Any] = {f: getattr(before, f) for f in ("payload", "content_hash", "status", "publicity_ended")}
    assert same == {f: getattr(version, f) for f in same}
    changes = list(RecordVersion.objects.filter(record=penalty).order_by("number").values_list("change", flat=True))
    assert changes == ["created", "objection_marked", "objection_cleared"]
