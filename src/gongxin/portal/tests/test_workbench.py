"""The workbench: the to-dos of the signed-in official's role (counts, deadlines, most urgent first), then the
working areas of that role, and nobody else's."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import viewer_for_user
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.services import batch_ingest_file
from gongxin.objections.services import objection_accept, objection_file
from gongxin.testing import factories
from gongxin.testing.personas import signed_in, user_create

pytestmark = pytest.mark.django_db

# The office's page: each to-do's count, overdue and due-soon counts and items (a handful each), the session, the
# user and the areas. Whatever the number of rows waiting.
WORKBENCH_MAX_QUERIES = 30


def _signed_in(client, role: str):
    user = User.objects.create_user(username=f"wb-{role}", password="pw-123456789", role=role)
    client.force_login(user)
    return client


def test_staff_see_every_area_of_the_office(client):
    html = _signed_in(client, Role.STAFF).get(reverse("portal:workbench")).content.decode()
    for url_name in ["rewards:index", "rewards:statistics", "sharing:overview", "monitoring:alerts",
                     "commitments:workbench", "lending:fund", "repairs:workbench", "scoring:overview",
                     "objections:workbench"]:
        assert f'href="{reverse(url_name)}"' in html
    assert f'href="{reverse("objections:tasks")}"' not in html  # the operators' view of objections
    assert 'data-nav="workbench" aria-current="page"' in html


def test_operators_see_their_areas_only(client):
    html = _signed_in(client, Role.OPERATOR).get(reverse("portal:workbench")).content.decode()
    assert f'href="{reverse("ingest:batches")}"' in html
    assert f'href="{reverse("objections:tasks")}"' in html
    assert f'href="{reverse("rewards:index")}"' not in html
    assert f'href="{reverse("lending:fund")}"' not in html


def test_subjects_and_visitors_are_kept_out(client):
    assert client.get(reverse("portal:workbench")).status_code == 302  # to the log-in page
    assert _signed_in(client, Role.PERSON).get(reverse("portal:workbench")).status_code == 403


# --- to-dos ----------------------------------------------------------------------------------------------------

def _travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


def _filed(*, unit, name: str, filed: date):
    """An organization's penalty and the objection its agent filed against it on ``filed``."""
    subject = factories.organization_create(name=name)
    record = factories.penalty_create(subject=subject, source_unit=unit, decided=filed - timedelta(days=60))
    agent = user_create(f"agent-{subject.pk}", role=Role.ORG_AGENT, subject=subject)
    with _travel(filed):
        return objection_file(record=record, ground="wrong_text", description="决定书金额有误",
                              actor=viewer_for_user(agent))


def _todo(html: str, key: str) -> str:
    match = re.search(rf'<li class="todo[^"]*" data-todo="{key}">(.*?)</li>\s*(?=<li class="todo|</ul>\s*</section>)',
                      html, re.S)
    assert match, f"to-do {key} not on the page"
    return match.group(1)


def test_staff_see_objections_overdue_and_due_soon_most_urgent_first(client, seeded):
    unit = factories.source_unit_create()
    staff_user = user_create("wb-office", role=Role.STAFF)
    office = viewer_for_user(staff_user)
    monday = date(2026, 11, 2)  # no holiday in November: five working days are a calendar week
    late = _filed(unit=unit, name="宁波逾期异议测试有限公司", filed=monday)
    soon = _filed(unit=unit, name="宁波将到期异议测试有限公司", filed=monday)
    waiting = _filed(unit=unit, name="宁波待受理异议测试有限公司", filed=monday + timedelta(days=3))
    with _travel(monday):
        objection_accept(objection=late, actor=office)  # due Monday 11-09
    with _travel(monday + timedelta(days=4)):
        objection_accept(objection=soon, actor=office)  # due Friday 11-13

    with _travel(date(2026, 11, 12)):  # Thursday: the first is overdue, the second due tomorrow
        html = signed_in(staff_user).get(reverse("portal:workbench")).content.decode()

    todo = _todo(html, "objections")
    assert 'data-todo-count="objections">3<' in todo  # two open, one waiting for acceptance
    assert 'data-todo-overdue="1"' in todo and 'data-todo-due-soon="1"' in todo
    assert f'href="{reverse("objections:workbench")}?overdue=1"' in todo
    order = [todo.index(reverse("objections:detail", args=[o.pk])) for o in (late, soon, waiting)]
    assert order == sorted(order)  # overdue, then due soon, then the one waiting for acceptance
    assert html.index('data-todo="objections"') < html.index('data-todo="batches"')  # urgent ones lead
    for key in ("repairs", "batches", "alerts", "feedback"):
        assert f'data-todo-count="{key}">0<' in _todo(html, key)


def test_operators_see_their_units_failed_batches_and_forwarded_objections_only(client, seeded, tmp_path):
    unit = factories.source_unit_create()
    other = factories.source_unit_create(code="sthjj", name="宁波市生态环境局", domain="ecology")
    operator_user = user_create("wb-operator", role=Role.OPERATOR, department=unit.department)
    other_user = user_create("wb-other-operator", role=Role.OPERATOR, department=other.department)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    batch = batch_ingest_file(path=path, source_unit=unit, item=factories.seeded_item("penalty"),
                              actor=viewer_for_user(operator_user))
    assert batch.status == BatchStatus.FAILED

    html = signed_in(operator_user).get(reverse("portal:workbench")).content.decode()
    other_html = signed_in(other_user).get(reverse("portal:workbench")).content.decode()

    todo = _todo(html, "batches")
    assert 'data-todo-count="batches">1<' in todo and reverse("ingest:batch", args=[batch.pk]) in todo
    assert 'data-todo-count="batches">0<' in _todo(other_html, "batches")
    assert f'href="{reverse("objections:tasks")}"' in _todo(html, "objections")
    assert 'data-todo="alerts"' not in html and 'data-todo="feedback"' not in html  # the office's


def test_a_count_stops_at_the_cap(monkeypatch, seeded):
    from gongxin.portal import workbench

    monkeypatch.setattr(workbench, "COUNT_CAP", 2)
    unit = factories.source_unit_create()
    for n in range(3):
        _filed(unit=unit, name=f"宁波封顶异议测试{n}有限公司", filed=date(2026, 11, 2))
    staff_user = user_create("wb-cap", role=Role.STAFF)
    with _travel(date(2026, 11, 3)):
        html = signed_in(staff_user).get(reverse("portal:workbench")).content.decode()
    assert 'data-todo-count="objections">2+<' in _todo(html, "objections")


def test_the_workbench_reads_a_bounded_number_of_statements(seeded):
    staff_user = user_create("wb-queries", role=Role.STAFF)
    client = signed_in(staff_user)
    client.get(reverse("portal:workbench"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("portal:workbench")).status_code == 200
    assert len(captured.captured_queries) <= WORKBENCH_MAX_QUERIES, [q["sql"] for q in captured.captured_queries]
