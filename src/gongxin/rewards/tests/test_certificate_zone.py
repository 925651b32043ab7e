"""A check certificate carries the platform's time (Beijing, +08:00), as every page shows it: issued at 01:30 on
a day in Beijing — still the day before in UTC — its number, its times and its page say that day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from gongxin.accounts.viewer import Viewer
from gongxin.core.templatetags.times import local_time
from gongxin.rewards.services import certificate_issue, check_perform
from gongxin.rewards.tests.conftest import TODAY
from gongxin.subjects.models import Subject

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_certificate_issued_after_midnight_in_beijing_carries_the_beijing_day_and_time(
        system_viewer: Viewer, clean_org: Subject) -> None:
    moment = datetime.combine(TODAY, time(1, 30), SHANGHAI)
    assert moment.astimezone(UTC).date() == TODAY - timedelta(days=1)  # the day before, in UTC
    with time_machine.travel(moment, tick=False):
        check = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
        certificate = certificate_issue(check=check, actor=system_viewer)
    content = certificate.content
    stamp = f"{TODAY.isoformat()}T01:30:00+08:00"
    assert content["issued_at"] == stamp and content["check"]["checked_at"] == stamp
    assert content["check"]["date"] == TODAY.isoformat()
    assert certificate.number.startswith(f"GXC-{TODAY:%Y%m%d}-")
    html = Client().get(f"/rewards/certificates/{certificate.number}/").content.decode()
    assert f"{TODAY.isoformat()} 01:30:00" in html and "+00:00" not in html and "T01:30" not in html


def test_a_stamp_written_in_utc_reads_in_beijing_time() -> None:
    # Certificates issued before they carried +08:00 hold UTC: shown in the platform's zone all the same.
    assert local_time("2026-06-14T17:30:00+00:00") == "2026-06-15 01:30:00"
    assert local_time("2026-06-15T01:30:00+08:00") == "2026-06-15 01:30:00"
    assert local_time("") == "" and local_time("not a time") == "not a time"
