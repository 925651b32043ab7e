"""An export's file name carries the platform's date and time (Beijing), never UTC: at 01:30 in Beijing — the day
before in UTC — the file is named after the Beijing day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_an_export_after_midnight_in_beijing_is_named_for_the_beijing_day(client, export_format):
    with time_machine.travel(datetime(2026, 12, 7, 17, 30, tzinfo=UTC), tick=False):  # 2026-12-08 01:30 in Beijing
        response = client.get("/publicity/", {"format": export_format})
        b"".join(response.streaming_content)
    assert response.status_code == 200
    assert f'filename="publicity-20261208-0130.{export_format}"' in response["Content-Disposition"]
