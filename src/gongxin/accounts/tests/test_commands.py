from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.services import api_client_authenticate


@pytest.mark.django_db
def test_apiclient_create_prints_a_working_key_once():
    Department.objects.create(code="NB-SCJG", name="宁波市市场监督管理局", region_code="330200")
    out = StringIO()
    call_command("apiclient", "create", "--name", "市场监管系统", "--department", "NB-SCJG",
                 "--scope", "records:write", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    client = api_client_authenticate(key)
    assert client.scopes == ["records:write"]
    listing = StringIO()
    call_command("apiclient", "list", stdout=listing)
    assert client.key_prefix in listing.getvalue() and key not in listing.getvalue()


@pytest.mark.django_db
def test_apiclient_create_for_an_unknown_department_is_a_clear_error():
    with pytest.raises(CommandError, match="No department"):
        call_command("apiclient", "create", "--name", "x", "--department", "NOPE")
    assert ApiClient.objects.count() == 0


@pytest.mark.django_db
def test_outbox_status_and_dispatch_run():
    out = StringIO()
    call_command("outbox", "dispatch", stdout=out)
    call_command("outbox", "status", stdout=out)
    assert "records.profile_summary" in out.getvalue()
