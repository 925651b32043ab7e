"""One sub-navigation per area, the same on every page of it: a subject's pages ("My credit": profile, queries,
consents, objections, repairs, evaluation, commitments, benefits, lending, notices) all show access/_tabs.html with
the current page marked; each staff area shows its own, in the same markup (class "subnav")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.testing import factories
from gongxin.testing.personas import signed_in, user_create

pytestmark = pytest.mark.django_db


def _subnavs(html: str) -> list[tuple[str, str]]:
    """(area, the marked tab's text) of each sub-navigation on the page."""
    found = []
    for match in re.finditer(r'<nav class="subnav"[^>]*data-subnav="([^"]+)"[^>]*>(.*?)</nav>', html, re.S):
        current = re.search(r'aria-current="page"[^>]*>([^<]*)<', match.group(2))
        found.append((match.group(1), current.group(1).strip() if current else ""))
    return found


def test_every_page_of_my_credit_shows_the_same_subnav_with_its_tab_marked(seeded):
    firm = factories.organization_create(name="宁波市子导航测试有限公司")
    agent = user_create("subnav-agent", role=Role.ORG_AGENT, subject=firm)
    client = signed_in(agent)
    pages = [reverse(name) for name in (
        "access:profile", "access:inquiries", "access:consents", "objections:mine", "repairs:mine", "commitments:mine",
        "commitments:sign", "benefits:mine", "lending:firm", "notices:inbox")]
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        navs = _subnavs(response.content.decode())
        assert [area for area, _tab in navs] == ["me"], (path, navs)
        assert navs[0][1], (path, "no tab marked")
    marked = {path: _subnavs(client.get(path, follow=True).content.decode())[0][1] for path in pages}
    assert len(set(marked.values())) >= 8  # each page marks its own tab (a commitment's form marks its list)
    assert marked[reverse("commitments:sign")] == marked[reverse("commitments:mine")]


def test_each_staff_area_has_its_own_subnav_in_the_same_markup(seeded):
    staff_user = user_create("subnav-staff", role=Role.STAFF)
    client = signed_in(staff_user)
    for url_name, area in (("objections:workbench", "objections"), ("repairs:workbench", "repairs"),
                           ("commitments:workbench", "commitments"), ("rewards:index", "rewards"),
                           ("monitoring:alerts", "monitoring"), ("lending:statistics", "lending")):
        response = client.get(reverse(url_name))
        assert response.status_code == 200, url_name
        navs = _subnavs(response.content.decode())
        assert [found for found, _tab in navs] == [area], (url_name, navs)
        assert navs[0][1], (url_name, "no tab marked")
