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
from gongxin.records.services import record_revoke
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


# The home page's statements: the figures, the list types, the shown units' names and the newest rows by their
# stored ids (one statement for all three groups). None counts, none walks an index past a few rows.
HOME_MAX_QUERIES = 5


def test_home_counts_nothing_per_request_and_reads_records_only_by_primary_key(client, source_unit, acme):
    """Figures come from the maintained table; the only read of records is the newest rows by the ids the refresh
    stored, so the page costs the same few statements whatever the size of the store."""
    for _n in range(3):
        factories.penalty_create(subject=acme, source_unit=source_unit)
    judgment_debtor_of(subject=acme, source_unit=source_unit)
    figures_refresh()
    client.get("/")  # warm the process's caches (stored texts, the calendar)

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()

    assert _figure(html, "records") == "4"
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) <= HOME_MAX_QUERIES, statements
    assert not [sql for sql in statements if "COUNT(" in sql.upper()], statements
    big = {model._meta.db_table for model in (Subject, Record, RecordVersion, ListEntry)}
    reads = [sql for sql in statements if any(f'"{table}"' in sql for table in big)]
    assert len(reads) == 1 and '"records_record"."id" IN (' in reads[0], reads  # the newest rows, by primary key


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


def test_home_links_the_api_docs_in_the_footer_not_the_top_menu(client, db):
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="site-nav"'):html.index("</nav>")]
    footer = html[html.index('<footer'):]
    assert "/api/v1/docs" not in nav
    assert 'href="/api/v1/docs"' in footer and 'data-footer="developers"' in footer
    assert 'href="/accounts/login/?next=/"' in html
    assert "/static/portal/site.css" in html


def test_home_shows_the_newest_publicity_and_the_public_list_entries(client, source_unit, acme):
    today = clock.today()
    older = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=20))
    newer = factories.licence_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=2))
    firm = factories.organization_create(name="宁波市江北区失信样例有限公司")
    listed = judgment_debtor_of(subject=firm, source_unit=source_unit)
    person = factories.person_create(name="王五")
    hidden = judgment_debtor_of(subject=person, source_unit=source_unit)
    honoured = factories.honour_create(subject=acme, source_unit=source_unit)
    figures_refresh()  # the newest rows are found with the figures, not on every visit (portal.latest)

    html = client.get("/").content.decode()

    latest = html[html.index('data-home="publicity"'):html.index('data-home="lists"')]
    assert latest.index(f'data-latest-record="{newer.pk}"') < latest.index(f'data-latest-record="{older.pk}"')
    assert f'href="/org/{acme.organization.uscc}/"' in latest
    black = html[html.index('data-list-highlights="black"'):]
    assert f'data-list-entry="{listed.pk}"' in black and firm.name in black
    assert f'data-list-entry="{hidden.pk}"' not in html and "王五" not in html  # persons are never public
    red = html[html.index('data-list-highlights="red"'):html.index('data-list-highlights="black"')]
    assert f'data-list-entry="{honoured.pk}"' in red  # honours are the red list's entries

    record_revoke(record=listed, actor=factories.ADMIN, reason="撤销列入决定")  # revoked since the refresh
    html = client.get("/").content.decode()
    assert f'data-list-entry="{listed.pk}"' not in html  # read back through the disclosure policy: gone at once


def test_home_offers_the_services_as_entrances(client, db):
    html = client.get("/").content.decode()
    for key, url_name in (("report", "reports:issue"), ("objection", "objections:mine"), ("repair", "repairs:mine"),
                          ("commitment", "commitments:sign"), ("benefits", "benefits:mine"),
                          ("lending", "lending:firm")):
        assert re.search(rf'data-entrance="{key}"><a href="{re.escape(reverse(url_name))}"', html), key
    assert html.index('data-home="search"') < html.index('data-home="services"')  # search first


def test_figures_have_thousands_separators_and_the_chart_series(client, source_unit, acme):
    today = clock.today()
    factories.penalty_create(subject=acme, source_unit=source_unit, decided=today)
    figures_refresh()
    PlatformFigure.objects.filter(key="records").update(value=1_234_567)

    html = client.get("/").content.decode()

    assert _figure(html, "records") == "1,234,567"
    month = html[html.index('data-chart-name="by_month"'):]
    month = month[:month.index("</table>")]
    assert month.count("<tr>") == 13  # the head and twelve months, the current one last
    assert f"<th scope=\"row\">{today:%Y-%m}</th>" in month and 'data-value="1"' in month
    unit = html[html.index('data-chart-name="by_unit"'):]
    unit = unit[:unit.index("</table>")]
    assert source_unit.department.name in unit and 'data-value="1"' in unit
    assert 'data-chart="bar"' in html and 'data-chart="hbar"' in html
    assert "/static/portal/charts.js" in html and "/static/vendor/chart.js/chart.umd.min.js" in html


def test_series_count_months_without_records_as_zero_and_sum_the_smaller_units(source_unit, acme, monkeypatch):
    from gongxin.portal import statistics

    other = factories.source_unit_create(code="sthjj", name="宁波市生态环境局", domain="ecology")
    today = clock.today()
    factories.penalty_create(subject=acme, source_unit=source_unit, decided=today)
    factories.penalty_create(subject=acme, source_unit=source_unit, decided=today)
    factories.penalty_create(subject=acme, source_unit=other, decided=today - timedelta(days=400))  # a year ago
    figures_refresh()
    monkeypatch.setattr(statistics, "UNITS_SHOWN", 1)

    figures = statistics.figures_current()

    assert [p.value for p in figures.by_month][-1] == 2 and sum(p.value for p in figures.by_month) == 2
    assert len(figures.by_month) == statistics.MONTHS_IN_SERIES
    assert [(p.label, p.value) for p in figures.by_unit] == [(source_unit.department.name, 2), ("其他信源单位", 1)]
