"""Triggers within the rule budget (decision 035): a costly or failing trigger is refused when a measure
is saved and when it is tried (API and page, never a server error); a costly trigger stored before the
budget is not applied by checks, which keep working."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import RuleFails, RuleTooCostly
from gongxin.rewards.models import Measure, MeasureVersion
from gongxin.rewards.rules import rules_changed
from gongxin.rewards.services import check_perform, measure_dry_run, measure_save
from gongxin.rewards.tests.conftest import STAFF
from gongxin.rewards.tests.test_measures import draft
from gongxin.subjects.models import Subject

pytestmark = pytest.mark.django_db

_LIST = "[" + ",".join(str(i) for i in range(100)) + "]"
# The trigger of the 12-minute dry run: comprehensions nested over lists.
NESTED = f"{_LIST}.all(a, {_LIST}.all(b, {_LIST}.all(c, a + b + c >= 0)))"


@pytest.fixture
def staff_client(measures: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="budget-staff", password="x-password-123",
                                                role=Role.STAFF))
    return client


def test_a_nested_trigger_is_not_accepted_as_a_measure(measures: None) -> None:
    with pytest.raises(RuleTooCostly):
        measure_save(code="too.costly", draft=draft(trigger=NESTED), actor=STAFF)
    with pytest.raises(RuleFails):
        measure_save(code="divides.by.zero", draft=draft(trigger="1/0 == 1"), actor=STAFF)
    assert not Measure.objects.filter(code__in=["too.costly", "divides.by.zero"]).exists()


def test_a_nested_trigger_is_not_tried(measures: None) -> None:
    with pytest.raises(RuleTooCostly):
        measure_dry_run(trigger=NESTED, actor=STAFF)


@pytest.mark.parametrize(("trigger", "code"), [("1/0 == 1", "rule.fails"), ("1/0", "rule.fails"),
                                               (NESTED, "rule.too_costly")])
def test_the_dry_run_endpoint_refuses_it(staff_client: Client, trigger: str, code: str) -> None:
    response = staff_client.post("/api/v1/rewards/measures/dry-run", data=json.dumps({"trigger": trigger}),
                                 content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code


@pytest.mark.parametrize(("trigger", "code"), [("1/0", "rule.fails"), ("1/0 == 1", "rule.fails"),
                                               (NESTED, "rule.too_costly")])
def test_the_dry_run_page_shows_why(staff_client: Client, trigger: str, code: str) -> None:
    response = staff_client.post("/rewards/dry-run/", {"trigger": trigger})
    assert response.status_code == 200
    assert f'data-error="{code}"' in response.content.decode()


def test_a_costly_trigger_stored_before_the_budget_is_not_applied(system_viewer: Viewer,
                                                                  debtor_org: Subject) -> None:
    measure = Measure.objects.get(code="jd.procurement")
    before = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    assert {hit["measure"] for hit in before.hits} == {"jd.procurement"}
    MeasureVersion.objects.filter(pk=measure.current_version_id).update(trigger=NESTED)  # as an old release took it
    rules_changed()
    after = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    assert after.hits == [] and after.decision == "pass"
