"""Without a public address (production with ``GONGXIN_PUBLIC_URL`` unset) no report is issued — a translated
503 on the page and in the API — rather than a signed QR code that leads nowhere; with one, the report's
verification address is that address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongxin.reports.models import Report

pytestmark = pytest.mark.django_db


def test_no_report_is_issued_while_the_public_address_is_unset(client, acme, settings) -> None:
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = ""
    api = client.post("/api/v1/reports", {"subject": {"uscc": acme.organization.uscc}},
                      content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.status_code == 503
    assert api.json()["code"] == "documents.public_address_unset"
    assert "公开地址" in api.json()["message"]

    page = client.post(reverse("reports:issue"), {"uscc": acme.organization.uscc}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 503
    assert "公开地址" in page.content.decode()
    assert not Report.objects.exists()


def test_the_report_is_signed_for_the_configured_public_address(client, acme, settings) -> None:
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = "https://credit.example.gov.cn"
    number = client.post("/api/v1/reports", {"subject": {"uscc": acme.organization.uscc}},
                         content_type="application/json").json()["number"]
    report = Report.objects.get(number=number)
    assert report.content["verification"]["url"] == f"https://credit.example.gov.cn/verify/{number}/"
