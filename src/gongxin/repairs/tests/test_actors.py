"""Who acted on a repair application, as the subject sees it: the deciding unit, "you", never the operator's
login (#22, High 4 / Low "internal actors"); the credit office still sees the logins."""

from __future__ import annotations

from datetime import date

import pytest

from gongxin.repairs.services import repair_apply, repair_reject
from gongxin.repairs.tests.conftest import apply_kwargs, as_viewer, at
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

# Logins of others and the labels' prefixes (a page's header names the signed-in account itself: that is its own).
LOGINS = ("scjg-operator", "credit-staff", "user:", "api-client:")


@pytest.fixture
def rejected(penalty, agent, operator):
    application = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    with at(date(2026, 10, 8)):
        repair_reject(application=application, actor=as_viewer(operator), reasons=["other"], note="罚款尚未缴清。")
    return application


def test_the_subjects_api_view_names_the_unit_and_keeps_the_reasons(rejected, agent, staff, unit):
    body = signed_in(agent).get(f"/api/v1/repairs/{rejected.pk}").json()
    assert [(e["action"], e["actor"]) for e in body["events"]] == [
        ("repairs.repair.applied", "您"), ("repairs.repair.rejected", unit.department.name)]
    assert [e["action_label"] for e in body["events"]] == ["申请信用修复", "信用修复未通过"]
    assert body["decided_by"] == unit.department.name
    assert body["decision_note"] == "罚款尚未缴清。" and body["events"][1]["note"] == "罚款尚未缴清。"
    listed = signed_in(agent).get("/api/v1/repairs").content.decode()
    for text in (str(body), listed):
        assert not any(login in text for login in LOGINS), text

    office = signed_in(staff).get(f"/api/v1/repairs/{rejected.pk}").json()
    first, second = [e["actor"] for e in office["events"]]  # by name and login, never the stored code (#18)
    assert "acme-agent" in first and "scjg-operator" in second and "user:" not in first + second
    assert "scjg-operator" in office["decided_by"] and "user:" not in office["decided_by"]


def test_the_subjects_page_names_the_unit(rejected, agent, staff, unit):
    page = signed_in(agent).get(f"/repairs/{rejected.pk}/").content.decode()
    assert unit.department.name in page and "罚款尚未缴清。" in page
    assert not any(login in page for login in LOGINS)
    office_page = signed_in(staff).get(f"/repairs/{rejected.pk}/").content.decode()
    assert "scjg-operator" in office_page and "user:scjg-operator" not in office_page
