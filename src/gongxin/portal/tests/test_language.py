"""zh-hans is the default language; English with the language cookie, Accept-Language or the switcher."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "公信 · 公共信用信息平台" in html
    assert "搜索" in html
    assert "Public Credit Information Platform" not in html


def test_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Gongxin · Public Credit Information Platform" in html
    assert "公共信用信息平台" not in html


def test_english_with_accept_language(client):
    html = client.get("/search/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
    assert "Search organizations" in html


def test_the_switcher_sets_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/search/"})
    assert response.status_code == 302
    assert response["Location"] == "/search/"
    html = client.get("/search/").content.decode()
    assert '<html lang="en">' in html


def test_the_switcher_is_on_every_page(client):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'value="en"' in html and 'value="zh-hans"' in html
