"""The daily clock job (records.expiry) with a simulated clock: publicity and retention end exactly on
the policy's days, for minor, general and serious records under the 2019, Order 58 and 2026 regimes.

Day semantics (decisions/018): the stored end dates are the last day shown / kept; the job ends them on
the day after.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from gongxin.access.disclosure import records_visible
from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.viewer import ANONYMOUS, Viewer, viewer_for_user
from gongxin.core.errors import ValidationFailed
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import ChangeKind, Purpose, RecordStatus
from gongxin.records.expiry import clocks_run, clocks_run_task
from gongxin.records.models import ListEntry, Record, RecordVersion
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for
from gongxin.testing.personas import user_create

ADMIN = Viewer(label="tests", role=Role.ADMIN)
AUDITOR = Viewer(label="user:auditor", role=Role.AUDITOR)
STAFF = Viewer(label="user:staff", role=Role.STAFF)
SHARING = Viewer(label="api-client:tax", role=Role.OPERATOR, scopes=frozenset({Scope.RECORDS_SHARE}))


def travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


def run_on(day: date) -> tuple[int, int, int]:
    with travel(day):
        result = clocks_run()
    return result.publicity_ended, result.retention_ended, result.retention_extended


def penalty_on(unit, subject, decided: date, severity: str, sid: str) -> Record:
    with travel(decided):
        payload = payload_for(item("penalty"), decision_date=decided, penalty_types="罚款")
        result = record_submit(source_unit=unit, item=item("penalty"), source_record_id=sid, subject=subject,
                               payload=payload, actor=ADMIN, severity=severity)
    return Record.objects.select_related("current_version").get(pk=result.record.pk)


def current(record: Record) -> RecordVersion:
    refreshed = Record.objects.select_related("current_version").get(pk=record.pk)
    assert refreshed.current_version is not None
    return refreshed.current_version


# (regime, decision date, severity, last day shown or None when never published, last day kept)
CASES = [
    ("2019", date(2020, 3, 10), "minor", None, date(2025, 3, 10)),
    ("2019", date(2020, 3, 10), "general", date(2021, 3, 10), date(2025, 3, 10)),
    ("2019", date(2020, 3, 10), "serious", date(2023, 3, 10), date(2025, 3, 10)),
    ("order58", date(2024, 2, 29), "minor", date(2027, 2, 28), date(2029, 2, 28)),
    ("order58", date(2024, 2, 29), "general", date(2027, 2, 28), date(2029, 2, 28)),
    ("order58", date(2024, 2, 29), "serious", date(2027, 2, 28), date(2029, 2, 28)),
    ("order36", date(2026, 5, 31), "minor", date(2026, 8, 31), date(2031, 5, 31)),
    ("order36", date(2026, 5, 31), "general", date(2027, 5, 31), date(2031, 5, 31)),
    ("order36", date(2026, 5, 31), "serious", date(2029, 5, 31), date(2031, 5, 31)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("regime", "decided", "severity", "last_shown", "last_kept"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_publicity_and_retention_end_on_the_policys_days(
    ecology_unit, organization, regime, decided, severity, last_shown, last_kept
):
    record = penalty_on(ecology_unit, organization, decided, severity, f"{regime}-{severity}")
    version = current(record)
    assert version.publicity_policy.code == f"publicity.cn.{regime}"
    assert version.publicity_max_end == last_shown
    assert version.retention_end == last_kept

    if last_shown is None:
        assert version.published is False
    else:
        # On the last day it is still shown and nothing ends; the day after, publicity ends.
        assert run_on(last_shown) == (0, 0, 0)
        with travel(last_shown):
            assert records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC).filter(pk=record.pk).exists()
        assert run_on(last_shown + timedelta(days=1)) == (1, 0, 0)
        ended = current(record)
        assert ended.change == ChangeKind.PUBLICITY_ENDED
        assert ended.publicity_ended is True
        assert last_shown.isoformat() in ended.reason
        assert ended.actor_label == "system:clocks"
        assert ended.legal_basis == version.publicity_policy.legal_basis
        assert run_on(last_shown + timedelta(days=1)) == (0, 0, 0)  # idempotent on the same day

    assert run_on(last_kept) == (0, 0, 0)
    with travel(last_kept):
        assert records_visible(viewer=SHARING, purpose=Purpose.SHARING).filter(pk=record.pk).exists()
    assert run_on(last_kept + timedelta(days=1)) == (0, 1, 0)
    archived = current(record)
    assert archived.change == ChangeKind.RETENTION_ENDED
    assert archived.status == RecordStatus.ARCHIVED
    assert last_kept.isoformat() in archived.reason
    assert run_on(last_kept + timedelta(days=1)) == (0, 0, 0)
    assert run_on(last_kept + timedelta(days=400)) == (0, 0, 0)


@pytest.mark.django_db
def test_a_run_after_downtime_catches_up_in_order(ecology_unit, organization):
    record = penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "late")
    # Nothing ran for years: one run does both ends, publicity first, each with its own reason.
    assert run_on(date(2026, 11, 25)) == (1, 1, 0)
    changes = list(RecordVersion.objects.filter(record=record).order_by("number").values_list("change", flat=True))
    assert changes == [ChangeKind.CREATED, ChangeKind.PUBLICITY_ENDED, ChangeKind.RETENTION_ENDED]
    topics = list(OutboxEvent.objects.filter(aggregate_id=record.pk).order_by("id").values_list("topic", flat=True))
    assert topics[-2:] == ["records.record.publicity_ended", "records.record.retention_ended"]


@pytest.mark.django_db
def test_archived_records_are_visible_only_for_audit(ecology_unit, organization):
    record = penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "arch")
    day = date(2025, 3, 11)
    run_on(day)
    assert current(record).status == RecordStatus.ARCHIVED
    # A real sign-in of the firm (the self purpose asks its assurance level, decision 055).
    own = viewer_for_user(user_create("own", role=Role.ORG_AGENT, subject=organization))
    with travel(day):
        for viewer, purpose in ((ANONYMOUS, Purpose.PUBLIC), (own, Purpose.SELF), (SHARING, Purpose.SHARING),
                                (STAFF, Purpose.STAFF)):
            assert not records_visible(viewer=viewer, purpose=purpose, subject=organization).exists(), purpose
        assert list(records_visible(viewer=AUDITOR, purpose=Purpose.AUDIT, subject=organization)) == [record]


def _listing(unit, subject, listed: date, planned_exit: date | None, sid: str) -> Record:
    extra = {"planned_exit_date": planned_exit.isoformat()} if planned_exit else {}
    with travel(listed):
        payload = payload_for(item("serious_dishonesty_list"), decision_date=listed, **extra)
        result = record_submit(source_unit=unit, item=item("serious_dishonesty_list"), source_record_id=sid,
                               subject=subject, payload=payload, actor=ADMIN)
    return result.record


@pytest.mark.django_db
def test_retention_is_extended_while_the_subject_is_on_a_serious_dishonesty_list(ecology_unit, organization):
    record = penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "ext")
    listing = _listing(ecology_unit, organization, date(2024, 6, 1), date(2026, 6, 30), "list-1")
    assert ListEntry.objects.get(record=listing).is_active

    assert run_on(date(2025, 3, 11)) == (1, 0, 1)  # publicity ended long ago; retention extended, not ended
    extended = current(record)
    assert extended.change == ChangeKind.RETENTION_EXTENDED
    assert extended.retention_end == date(2026, 6, 30)
    assert "2025-03-10" in extended.reason and "2026-06-30" in extended.reason
    assert "严重失信主体名单" in extended.reason
    assert extended.status == RecordStatus.ACTIVE
    assert run_on(date(2025, 3, 11)) == (0, 0, 0)
    assert run_on(date(2026, 6, 30)) == (0, 0, 0)

    # The entry's planned end has passed: the next day the record is archived.
    assert run_on(date(2026, 7, 1)) == (0, 1, 0)
    assert current(record).status == RecordStatus.ARCHIVED


@pytest.mark.django_db
def test_an_open_ended_listing_extends_to_the_list_types_default_duration(ecology_unit, organization):
    record = penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "open")
    _listing(ecology_unit, organization, date(2024, 6, 1), None, "list-2")  # serious list: 36 months by default
    run_on(date(2025, 3, 11))
    assert current(record).retention_end == date(2027, 6, 1)


@pytest.mark.django_db
def test_an_ended_listing_does_not_extend(ecology_unit, organization):
    record = penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "gone")
    _listing(ecology_unit, organization, date(2022, 6, 1), date(2024, 12, 31), "list-3")
    # The entry ended before the penalty's retention did: the penalty's publicity and retention end.
    assert run_on(date(2025, 3, 11)) == (1, 1, 0)
    assert current(record).status == RecordStatus.ARCHIVED


@pytest.mark.django_db
def test_the_command_reports_progress_and_refuses_a_future_day(ecology_unit, organization):
    penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "cmd")
    out = StringIO()
    with travel(date(2026, 11, 25)):
        call_command("clocks", "run", "--date", "2021-03-11", stdout=out)
        assert "publicity: 1/1" in out.getvalue()
        assert "publicity ended 1, retention ended 0" in out.getvalue()
        with pytest.raises(CommandError):
            call_command("clocks", "run", "--date", "2026-11-26", stdout=StringIO())
        with pytest.raises(ValidationFailed):
            clocks_run(day=date(2026, 11, 26))


@pytest.mark.django_db
def test_the_task_runs_the_job(ecology_unit, organization):
    penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", "task")
    with travel(date(2026, 11, 25)):
        result = clocks_run_task.call("2025-03-11")  # what the worker runs
    assert result == {"day": "2025-03-11", "publicity_ended": 1, "retention_ended": 1,
                                   "retention_extended": 0}


@pytest.mark.django_db
def test_chunks_cover_every_due_record(ecology_unit, organization):
    for n in range(7):
        penalty_on(ecology_unit, organization, date(2020, 3, 10), "general", f"chunk-{n}")
    seen: list[tuple[str, int, int]] = []
    with travel(date(2021, 3, 11)):
        result = clocks_run(chunk_size=3, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert result.publicity_ended == 7
    assert seen == [("publicity", 3, 7), ("publicity", 6, 7), ("publicity", 7, 7)]
