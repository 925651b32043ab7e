"""The home page: headline figures from records.selectors.platform_figures and a search box."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongxin.catalog.selectors import items_current
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

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert _figure(html, "subjects") == "3"  # two organizations and one person
    assert _figure(html, "records") == "2"
    assert _figure(html, "source_units") == "1"
    assert _figure(html, "catalog_items") == str(items_current().count())  # the current edition's items
    assert 'action="/search/"' in html and 'name="q"' in html


def test_home_on_an_empty_platform_shows_zeros(client):
    html = client.get("/").content.decode()
    for key in ("subjects", "records", "source_units"):
        assert _figure(html, key) == "0"


def test_home_links_the_api_docs_and_login(client, db):
    html = client.get("/").content.decode()
    assert 'href="/api/v1/docs"' in html
    assert 'href="/accounts/login/?next=/"' in html
    assert "/static/portal/site.css" in html
