"""Bad paging input to the ingest API is refused as invalid (422), never a server error (an offset past what
the database's integers hold overflowed)."""

from __future__ import annotations

import pytest

from gongxin.ingest.tests.conftest import csv_write, penalty_row
from gongxin.ingest.tests.test_api import BASE, _upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("offset", [2**63, 10**30, -1])
def test_an_offset_out_of_range_is_invalid(client, tmp_path, operator_user, frozen_today,
                                           django_capture_on_commit_callbacks, offset):
    client.force_login(operator_user)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(client, csv_write(tmp_path / "penalties.csv", [penalty_row()])).json()
    for path in (f"{BASE}/batches/{batch['id']}/issues", f"{BASE}/batches"):
        response = client.get(path, {"offset": offset})
        assert response.status_code == 422, (path, response.content)
        assert response.json()["code"] == "validation_failed"
    assert client.get(f"{BASE}/batches/{batch['id']}/issues", {"offset": 10**6}).json() == []
