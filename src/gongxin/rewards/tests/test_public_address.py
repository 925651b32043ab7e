"""Without a public address (production with ``GONGXIN_PUBLIC_URL`` unset) no check certificate is issued: 503
``documents.public_address_unset``, translated, and no certificate stored; the check itself still answers."""

from __future__ import annotations

import json

from django.test import Client

from gongxin.rewards.models import CheckCertificate
from gongxin.subjects.models import Subject


def test_no_certificate_is_issued_while_the_public_address_is_unset(api: Client, clean_org: Subject,
                                                                    settings) -> None:
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = ""
    check = api.post("/api/v1/checks", json.dumps({"uscc": clean_org.organization.uscc, "matter": "CZ-CG-001"}),
                     content_type="application/json")
    assert check.status_code == 200
    refused = api.post(f"/api/v1/checks/{check.json()['check_id']}/certificate", "{}",
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 503
    assert refused.json()["code"] == "documents.public_address_unset"
    assert "公开地址" in refused.json()["message"]
    assert not CheckCertificate.objects.exists()


def test_a_certificate_issued_before_still_opens_while_the_public_address_is_unset(api: Client, clean_org: Subject,
                                                                                   settings) -> None:
    check = api.post("/api/v1/checks", json.dumps({"uscc": clean_org.organization.uscc, "matter": "CZ-CG-001"}),
                     content_type="application/json").json()
    number = api.post(f"/api/v1/checks/{check['check_id']}/certificate", "{}",
                      content_type="application/json").json()["number"]
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = ""
    public = Client().get(f"/api/v1/rewards/certificates/{number}")
    assert public.status_code == 200
    assert public.json()["verify_url"] == f"http://127.0.0.1:8000/verify/{number}/"  # the address it was signed for
    assert Client().get(f"/verify/{number}/").status_code == 200
