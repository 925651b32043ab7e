"""Watch lists: a watched organization's new negative record raises one alert for each watcher, through
the outbox consumer, once however often the events are handled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongxin.accounts.viewer import SYSTEM
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import outbox_dispatch
from gongxin.monitoring.choices import AlertKind
from gongxin.monitoring.consumers import WatchConsumer
from gongxin.monitoring.errors import MonitoringNotStaff, SubjectNotOrganization
from gongxin.monitoring.models import Alert, AlertEvent, Watch
from gongxin.monitoring.services import watch_start, watch_start_by_id, watch_stop
from gongxin.monitoring.tests.conftest import TODAY, penalty, viewer
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

CONSUMERS = ["gongxin.records.consumers.ProfileSummaryConsumer", "gongxin.monitoring.consumers.WatchConsumer"]


def _events_since(mark: int) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(id__gt=mark).order_by("id"))


def _mark() -> int:
    last = OutboxEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def test_a_new_negative_record_alerts_each_watcher_once(acme, unit, staff, other_staff, settings) -> None:
    settings.GONGXIN_OUTBOX_CONSUMERS = CONSUMERS
    mine = watch_start(subject=acme, actor=viewer(staff), note="complaints")
    theirs = watch_start(subject=acme, actor=viewer(other_staff))
    bystander = factories.organization_create(name="宁波市北仑区旁观贸易有限公司")
    mark = _mark()
    penalty(acme, unit, TODAY - timedelta(days=3))
    penalty(bystander, unit, TODAY - timedelta(days=3))
    outbox_dispatch()
    alerts = list(Alert.objects.filter(kind=AlertKind.WATCH).order_by("watch_id"))
    assert [(a.subject_id, a.watch_id) for a in alerts] == [(acme.pk, mine.pk), (acme.pk, theirs.pk)]
    assert alerts[0].record_id is not None and alerts[0].detail["item"] == "penalty"
    assert AlertEvent.objects.filter(alert__in=alerts, action="monitoring.alert.raised").count() == 2
    # Handling the same events again (a re-dispatch after a crash) raises nothing new.
    WatchConsumer().handle(_events_since(mark))
    assert Alert.objects.filter(kind=AlertKind.WATCH).count() == 2


def test_positive_records_and_stopped_watches_raise_nothing(acme, unit, staff) -> None:
    watch = watch_start(subject=acme, actor=viewer(staff))
    mark = _mark()
    factories.licence_create(subject=acme, source_unit=unit)
    WatchConsumer().handle(_events_since(mark))
    assert not Alert.objects.exists()
    watch_stop(watch=watch, actor=viewer(staff))
    mark = _mark()
    penalty(acme, unit, TODAY - timedelta(days=1))
    WatchConsumer().handle(_events_since(mark))
    assert not Alert.objects.exists()


def test_only_organizations_are_watched(staff, policies) -> None:
    person = factories.person_create(name="李四")
    with pytest.raises(SubjectNotOrganization):
        watch_start(subject=person, actor=viewer(staff))


def test_who_may_watch_is_checked_before_the_subject_is_looked_up(staff, auditor, policies) -> None:
    """An auditor (who reads but does not watch) is refused alike for a person, an organization and an
    unknown id: the refusal tells nothing of the subject."""
    person = factories.person_create(name="李四")
    for subject_id in (person.pk, person.pk + 10_000):
        with pytest.raises(MonitoringNotStaff):
            watch_start_by_id(subject_id=subject_id, actor=viewer(auditor))
    with pytest.raises(SubjectNotOrganization):
        watch_start_by_id(subject_id=person.pk, actor=viewer(staff))


def test_an_actor_without_an_account_watches_nothing(acme) -> None:
    """A watch alerts the staff member who started it: the platform's own actors (an administrator role with
    no account, as the jobs and commands act) are refused, and no watch without a watcher is written."""
    with pytest.raises(MonitoringNotStaff):
        watch_start(subject=acme, actor=SYSTEM)
    assert not Watch.objects.exists()
