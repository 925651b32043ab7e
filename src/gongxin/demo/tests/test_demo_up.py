"""`gongxin demo up` leaves no dead end: a printed login decides every record of the demo firm and the demo
person, the business system's key works on every run, reports are signed for the address the demo serves on,
and the "try this" guide exists only while the platform runs as the demo. The seed leaves the outbox consumers
little to catch up, and what it skipped is exactly what they would have done."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from gongxin.accounts.capabilities import writes_for_unit
from gongxin.accounts.models import User
from gongxin.accounts.services import api_client_authenticate
from gongxin.accounts.viewer import ANONYMOUS, viewer_for_user
from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import consumers, outbox_dispatch
from gongxin.demo import services
from gongxin.records.models import ProfileSummary, Record
from gongxin.reports.services import report_issue
from gongxin.rewards.models import SubjectFacts
from gongxin.scoring.models import SubjectScore

pytestmark = pytest.mark.django_db

TINY = ["--organizations", "20", "--persons", "20", "--records", "100", "--no-progress"]


@pytest.fixture
def demo_settings(settings, monkeypatch):
    """`demo up` switches the demo on and sets the public address in this process: restored after each test."""
    settings.GONGXIN_DEMO = False
    settings.GONGXIN_PUBLIC_URL = ""
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = ""
    for name in ("GONGXIN_DEMO", "GONGXIN_PUBLIC_URL", "GONGXIN_SIGNING_VERIFY_BASE_URL"):
        monkeypatch.setenv(name, "")
    return settings


def test_demo_up_prints_a_deciding_login_for_every_record_of_the_demo_firm_and_person(demo_settings) -> None:
    out = StringIO()
    call_command("demo", "up", "--no-serve", "--port", "8765", *TINY, stdout=out)
    text = out.getvalue()

    firm = User.objects.get(username="demo-org").subject
    person = User.objects.get(username="demo-person").subject
    records = list(Record.objects.filter(subject__in=[firm, person]).select_related("source_unit__department"))
    assert records and {r.subject_id for r in records} == {firm.pk, person.pk}
    for record in records:
        username = services.decider_username(record.source_unit.department)
        decider = User.objects.get(username=username)
        assert username in text and record.source_unit.department.name in text
        assert decider.check_password(services.DEMO_PASSWORD)
        assert writes_for_unit(viewer_for_user(decider), source_unit_id=record.source_unit_id)

    # The business system's key is printed, works, and is printed again by the next run.
    key = text.split("X-API-Key: ", 1)[1].split()[0]
    assert api_client_authenticate(key).name
    again = StringIO()
    call_command("demo", "up", "--no-serve", "--port", "8765", *TINY, stdout=again)
    assert f"X-API-Key: {key}" in again.getvalue()

    # Reports are signed for the address the demo serves on.
    assert demo_settings.GONGXIN_SIGNING_VERIFY_BASE_URL == "http://127.0.0.1:8765"
    report = report_issue(subject=firm, kind="organization", viewer=ANONYMOUS, purpose="public")
    assert report.content["verification"]["url"] == f"http://127.0.0.1:8765/verify/{report.number}/"


def test_the_guide_is_there_only_while_the_platform_runs_as_the_demo(demo_settings) -> None:
    assert Client().get("/demo/").status_code == 404
    assert "data-demo-guide" not in Client().get("/").content.decode()  # production: no link, no page
    call_command("demo", "up", "--no-serve", *TINY, stdout=StringIO())
    assert demo_settings.GONGXIN_DEMO is True
    assert 'href="/demo/"' in Client().get("/").content.decode()  # the home page links the guide
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/demo/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "demo-person" in html and "demo-org" in html and services.DEMO_PASSWORD in html
    person = User.objects.get(username="demo-person").subject
    penalty = Record.objects.filter(subject=person, catalog_item__record_kind="penalty").select_related(
        "source_unit__department").first()
    if penalty is not None:
        assert f'data-decider="{services.decider_username(penalty.source_unit.department)}"' in html
        assert f"/objections/file/?record={penalty.pk}" in html


def _state() -> tuple[list[tuple], list[tuple], list[tuple]]:
    return (sorted(ProfileSummary.objects.values_list("subject_id", "counts")),
            sorted(SubjectScore.objects.values_list("subject_id", "model_id", "score", "grade")),
            sorted(SubjectFacts.objects.values_list("subject_id", "facts")))


def test_the_seed_does_set_based_what_the_consumers_would_and_skips_only_that(settings) -> None:
    # The task worker is not running (as during `demo up`'s seed): events wait for the background catch-up.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    call_command("demo", "seed", *TINY, stdout=StringIO())
    last_record_event = (OutboxEvent.objects.filter(aggregate_type="record").order_by("-id")
                         .values_list("id", flat=True).first())
    positions = dict(ConsumerCursor.objects.values_list("consumer", "position"))
    # Every consumer starts past the seed's records (all of their events): only the services' own are left.
    assert last_record_event and all(positions.get(c.name, 0) >= last_record_event for c in consumers()), positions

    outbox_dispatch()
    caught_up = _state()
    # The consumers from the start, over every event, give the same rows.
    ConsumerCursor.objects.update(position=0)
    outbox_dispatch()
    assert _state() == caught_up
