"""Small things of every page: the favicon (no 404), the API docs for developers in the footer only, and page
titles that are plain text (a template once put the registry's forms and CSRF token into its <title>)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.testing.personas import signed_in, user_create

pytestmark = pytest.mark.django_db


def test_every_page_links_the_platforms_icon_and_favicon_ico_leads_to_it(client):
    html = client.get("/").content.decode()
    icon = static("portal/favicon.svg")
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in html
    assert finders.find("portal/favicon.svg") is not None  # served from the portal's static files
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == icon


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title>"
    return match.group(1)


def test_staff_pages_titles_are_plain_text(seeded):
    client = signed_in(user_create("titles-staff", role=Role.STAFF))
    for url_name in ("rewards:registry", "rewards:index", "rewards:checks", "rewards:statistics", "portal:workbench",
                     "objections:workbench", "repairs:workbench", "monitoring:alerts", "ingest:batches"):
        response = client.get(reverse(url_name))
        assert response.status_code == 200, url_name
        title = _title(response.content.decode())
        assert "<" not in title and "csrf" not in title.lower() and len(title) < 200, (url_name, title)
