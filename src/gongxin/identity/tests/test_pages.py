"""The login page offers unified identity when a provider is configured; without one the sign-in says so."""

from __future__ import annotations

from django.test import Client


def test_the_login_page_offers_unified_identity_only_when_configured(db, settings) -> None:
    settings.GONGXIN_IDENTITY = {}
    page = Client().get("/accounts/login/?next=/me/").content.decode()
    assert "/identity/login/" not in page
    refused = Client().get("/identity/login/")
    assert refused.status_code == 404 and 'data-code="identity.not_configured"' in refused.content.decode()

    settings.GONGXIN_IDENTITY = {"ISSUER": "https://id.example.gov.cn/o", "CLIENT_ID": "gongxin"}
    page = Client().get("/accounts/login/?next=/me/").content.decode()
    assert 'href="/identity/login/?next=/me/"' in page
