"""The home page: headline figures from the maintained statistics table (portal.statistics) and a search box."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.core.outbox import outbox_dispatch
from gongxin.portal.models import PlatformFigure
from gongxin.portal.statistics import FiguresConsumer, figures_refresh
from gongxin.portal.tests.profile_factories import judgment_debtor_of
from gongxin.records.models import ListEntry, ListType, Record, RecordVersion
from gongxin.subjects.models import Subject
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">([^<]*)<', html)
    assert match, f"figure {key} not on the page"
    return match.group(1)


def test_home_shows_the_platform_figures(client, source_unit, acme):
    other = factories.organization_create(name="宁波市江北区样例贸易有限公司")
    factories.person_create(name="李四")
    factories.penalty_create(subject=acme, source_unit=source_unit)
    factories.licence_create(subject=other, source_unit=source_unit)
    outbox_dispatch()  # the figures consumer recounts after the events (no interval in tests)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert _figure(html, "subjects") == "3"  # two organizations and one person
    assert _figure(html, "records") == "2"
    assert _figure(html, "source_units") == "1"
    assert _figure(html, "catalog_items") == str(items_current().count())  # the current edition's items
    assert 'data-figure-kind="penalty"' in html and 'data-figure-kind="licence"' in html
    assert "data-figures-as-of=" in html and "数据截至" in html
    assert 'action="/search/"' in html and 'name="q"' in html


def test_home_on_an_empty_platform_shows_zeros(client):
    html = client.get("/").content.decode()
    for key in ("subjects", "records", "source_units"):
        assert _figure(html, key) == "0"
    assert 'data-figures-as-of=""' in html  # never counted: said so, not counted on the spot


def test_home_counts_no_table_per_request(client, source_unit, acme):
    """The page reads the figures table and the list types (a few rows): no statement touches subjects,
    records, their versions or list entries, whatever their size."""
    factories.penalty_create(subject=acme, source_unit=source_unit)
    figures_refresh()
    big = {model._meta.db_table for model in (Subject, Record, RecordVersion, ListEntry)}

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()

    assert _figure(html, "records") == "1"
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in statements if any(f'"{table}"' in sql for table in big)], statements
    assert not [sql for sql in statements if "COUNT(" in sql.upper()], statements


def test_organizations_on_each_list_are_counted(client, source_unit, acme):
    factories.organization_create(name="宁波市江北区样例贸易有限公司")
    list_type = ListType.objects.get(code="judgment_debtor")
    judgment_debtor_of(subject=acme, source_unit=source_unit)
    figures_refresh()

    html = client.get("/").content.decode()

    row = re.search(r'data-figure-list="judgment_debtor"><th scope="row">([^<]*)</th><td class="num">([^<]*)<', html)
    assert row and row.group(1) == list_type.name and row.group(2) == "1"


def test_the_consumer_recounts_at_most_once_per_interval(settings, source_unit, acme):
    settings.GONGXIN_FIGURES_REFRESH_SECONDS = 600
    factories.penalty_create(subject=acme, source_unit=source_unit)
    outbox_dispatch()
    assert PlatformFigure.objects.get(key="records").value == 1
    counted_at = PlatformFigure.objects.get(key="records").as_of

    factories.licence_create(subject=acme, source_unit=source_unit)
    outbox_dispatch()  # inside the interval: the event is skipped, the figures stay as counted
    assert PlatformFigure.objects.get(key="records").value == 1

    with time_machine.travel(counted_at + timedelta(seconds=601), tick=False):
        factories.honour_create(subject=acme, source_unit=source_unit)
        outbox_dispatch()
        figure = PlatformFigure.objects.get(key="records")
        assert figure.value == 3 and figure.as_of == clock.now()  # all three, counted now


def test_the_consumer_ignores_events_of_other_aggregates(source_unit, acme):
    FiguresConsumer().handle([])
    assert not PlatformFigure.objects.exists()


def test_the_command_recounts_and_prints(source_unit, acme, capsys):
    from django.core.management import call_command

    factories.penalty_create(subject=acme, source_unit=source_unit)
    call_command("figures", "refresh")
    out = capsys.readouterr().out
    assert "figures counted" in out
    assert re.search(r"^records\s+1\s+as of", out, re.MULTILINE)


def test_home_links_the_api_docs_and_login(client, db):
    html = client.get("/").content.decode()
    assert 'href="/api/v1/docs"' in html
    assert 'href="/accounts/login/?next=/"' in html
    assert "/static/portal/site.css" in html
