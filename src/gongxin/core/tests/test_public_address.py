"""The public address signed into reports and certificates: ``gongxin check --deploy`` refuses a missing or
local one, and without one no signed document is issued (core.documents.verify_base_url)."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongxin.core.checks import public_address_check
from gongxin.core.documents import verify_url_for
from gongxin.core.errors import PublicAddressUnset


@pytest.mark.parametrize(("base", "code"), [
    ("", "gongxin.E001"), ("credit.example.gov.cn", "gongxin.E002"), ("http://127.0.0.1:8000", "gongxin.E003"),
    ("http://localhost:8765", "gongxin.E003"),
])
def test_the_deploy_check_refuses_a_missing_or_local_public_address(settings, base: str, code: str) -> None:
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = base
    assert [message.id for message in public_address_check()] == [code]


def test_the_deploy_check_accepts_the_public_address(settings) -> None:
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = "https://credit.example.gov.cn"
    assert public_address_check() == []
    assert verify_url_for("GX-20261201-ABCDEFGHJK") == "https://credit.example.gov.cn/verify/GX-20261201-ABCDEFGHJK/"


def test_without_a_public_address_no_verification_address_is_made(settings) -> None:
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = ""
    with pytest.raises(PublicAddressUnset) as raised, translation.override("zh-hans"):
        verify_url_for("GX-20261201-ABCDEFGHJK")
    assert raised.value.status == 503 and raised.value.code == "documents.public_address_unset"
    with translation.override("zh-hans"):
        assert "公开地址" in str(raised.value.message)
