"""Who acted on an objection, as the subject sees it: the credit office, the source unit, "you" — never a
login (#22, High 4 / Low "internal actors"); the unit's request for more time stays between the unit and the
office; the decision's reasoning is the subject's. The office still sees the logins."""

from __future__ import annotations

import pytest

from gongxin.accounts.viewer import Viewer
from gongxin.objections.choices import Action
from gongxin.objections.models import Objection
from gongxin.objections.services import objection_decide, objection_extension_request
from gongxin.objections.tests.conftest import api
from gongxin.objections.tests.test_decisions import forwarded
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

LOGINS = ("office-staff", "market-operator", "user:", "api-client:")
INTERNAL = "科室人手不足，请求延期"
DECIDED = "处罚决定已被撤销"


@pytest.fixture
def decided(penalty, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer) -> Objection:
    objection = forwarded(penalty, agent=agent_viewer, staff=staff_viewer)
    objection_extension_request(objection=objection, actor=operator_viewer, working_days=2, reason=INTERNAL)
    return objection_decide(objection=objection, actor=operator_viewer, decision="delete", reason=DECIDED)


def test_the_subjects_api_timeline_names_roles_and_keeps_the_decision(decided, acme_agent, staff, operator, unit):
    response = api(signed_in(acme_agent), "get", f"/{decided.pk}")
    body = response.json()
    actors = [(e["action"], e["actor"]) for e in body["events"]]
    assert actors == [
        (Action.FILED, "您"), (Action.ACCEPTED, "信用办"), (Action.FORWARDED, "信用办"),
        (Action.EXTENSION_REQUESTED, unit.department.name), (Action.DECIDED, unit.department.name)]
    assert body["decision_reason"] == DECIDED and body["events"][-1]["note"] == DECIDED
    text = response.content.decode()
    assert INTERNAL not in text
    assert not any(login in text for login in LOGINS), text

    for insider in (staff, operator):
        inside = api(signed_in(insider), "get", f"/{decided.pk}").json()
        assert INTERNAL in [e["note"] for e in inside["events"]]
    office = api(signed_in(staff), "get", f"/{decided.pk}").json()
    first, second = [e["actor"] for e in office["events"]][:2]  # by name and login, never the stored code (#18)
    assert "acme-agent" in first and "office-staff" in second and "user:" not in first + second


def test_the_subjects_page_names_roles(decided, acme_agent, staff):
    page = signed_in(acme_agent).get(f"/objections/{decided.pk}/").content.decode()
    assert "信用办" in page and DECIDED in page and INTERNAL not in page
    assert not any(login in page for login in LOGINS)
    office_page = signed_in(staff).get(f"/objections/{decided.pk}/").content.decode()
    assert "market-operator" in office_page and "user:market-operator" not in office_page
