"""The sending stream in commit order (decision 076), proved with real concurrent transactions on PostgreSQL: a
version whose transaction commits after a later-numbered one is still sent, in order, exactly once; a hole left by a
rollback holds the stream only until the writers that were running when it was seen have ended; a hole met later is
judged by the writers running then; other items' versions are no holes; a full snapshot never runs ahead of a hole,
and a subscription "from now on" starts at a settled position."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.exchange import sending, stream
from gongxin.exchange.keys import NodeIdentity
from gongxin.exchange.models import Peer
from gongxin.exchange.sending_models import SendingCursor, Subscription
from gongxin.exchange.tests import test_sending as sending_tests
from gongxin.exchange.tests.kit import register
from gongxin.records.models import Record
from gongxin.subjects.models import Organization, Subject
from gongxin.testing import records as record_fixtures
from gongxin.testing.factories import licence_create, penalty_create, seeded_item
from gongxin.testing.payloads import uscc_with_check

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="holes come from concurrent writers"),
              pytest.mark.django_db(transaction=True)]
market_unit = record_fixtures.market_unit  # fixtures: a city source unit and a firm
organization = record_fixtures.organization
inbox = sending_tests.inbox
subscribed = sending_tests.subscribed  # the nation receives the city's penalties, two versions a package


def _firm(name: str, uscc: str) -> Subject:
    subject = Subject.objects.create(kind="organization", name=name, region_code="330212", created_at=clock.now())
    Organization.objects.create(subject=subject, uscc=uscc_with_check(uscc), org_kind="enterprise")
    return subject


@pytest.fixture
def other_firm(db: None) -> Subject:
    """A second firm, so that a writer left open locks nothing the other writers need."""
    return _firm("宁波鄞州四明商贸有限公司", "91330212MA2H5678X")


@pytest.fixture
def third_firm(db: None) -> Subject:
    return _firm("宁波北仑港城物流有限公司", "91330206MA2H9012X")


class SlowWriter(threading.Thread):
    """Writes a penalty in its own transaction (a record and its first version), then waits to be told to commit or
    roll back."""

    def __init__(self, *, subject: Subject, source_unit: SourceUnit, commit: bool) -> None:
        super().__init__()
        self.subject, self.source_unit, self.commit = subject, source_unit, commit
        self.written, self.release = threading.Event(), threading.Event()
        self.record: Record | None = None
        self.failure: BaseException | None = None

    @property
    def version_id(self) -> int:
        assert self.record is not None and self.record.current_version_id is not None
        return self.record.current_version_id

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.record = penalty_create(subject=self.subject, source_unit=self.source_unit)
                self.written.set()
                self.release.wait(20)
                if not self.commit:
                    transaction.set_rollback(True)
        except BaseException as exc:  # the test thread reports it
            self.failure = exc
            self.written.set()
        finally:
            connections.close_all()

    def begin(self) -> SlowWriter:
        self.start()
        assert self.written.wait(20) and self.failure is None, self.failure
        return self

    def end(self) -> None:
        self.release.set()
        self.join(20)
        assert not self.is_alive() and self.failure is None, self.failure


def _cursor(subscription: Subscription) -> SendingCursor:
    return SendingCursor.objects.get(subscription=subscription)


def _send(subscription: Subscription, inbox: Path, nation: NodeIdentity) -> tuple[str, list[str]]:
    """One sending run; the new package (if any) is applied at once by the nation's signed receipt. Returns the
    package's mode and the source record ids it carries, in body order ("", [] when none was sent)."""
    before = set(sending_tests._inbox_files(inbox))
    sending.subscription_send(subscription=subscription)
    new = [path for path in sending_tests._inbox_files(inbox) if path not in before]
    if not new:
        return "", []
    assert len(new) == 1
    opened = sending_tests._opened(new[0], nation)
    records = [r.source_record_id for r in opened.records()]
    sending_tests._receipt(inbox, nation, opened.header["guid"], applied=len(records))
    assert sending.receipts_collect(peer=subscription.peer) == 1
    return opened.header["mode"], records


@pytest.mark.parametrize("commit", [True, False])
def test_a_version_committed_after_a_later_one_is_sent_in_order_once(
        commit: bool, subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject, other_firm: Subject) -> None:
    first = penalty_create(subject=organization, source_unit=market_unit)
    assert _send(subscribed, inbox, nation) == ("incremental", [first.source_record_id])

    middle = penalty_create(subject=organization, source_unit=market_unit)
    early = SlowWriter(subject=other_firm, source_unit=market_unit, commit=commit).begin()
    try:
        late = penalty_create(subject=organization, source_unit=market_unit)  # a higher id, committed first
        assert middle.current_version_id < early.version_id < late.current_version_id

        # The chunk ends before the open transaction's version: what comes before it is sent, nothing after it.
        assert _send(subscribed, inbox, nation) == ("incremental", [middle.source_record_id])
        cursor = _cursor(subscribed)
        assert cursor.position == early.version_id - 1 and cursor.hole_seen_at is not None
        outcome = sending.subscription_send(subscription=subscribed)
        assert (outcome.state, outcome.packages) == ("settling", 0)
        assert _cursor(subscribed).hole_seen_at == cursor.hole_seen_at  # when it was first seen
    finally:
        early.end()

    assert early.record is not None
    expected = [early.record.source_record_id, late.source_record_id] if commit else [late.source_record_id]
    assert _send(subscribed, inbox, nation) == ("incremental", expected)
    cursor = _cursor(subscribed)
    assert (cursor.position, cursor.hole_seen_at) == (late.current_version_id, None)
    assert _send(subscribed, inbox, nation) == ("", [])  # nothing twice
    assert sending.subscription_send(subscription=subscribed).state == "caught_up"


def test_a_hole_met_after_an_older_one_settled_is_judged_by_the_writers_running_then(
        subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject, other_firm: Subject, third_firm: Subject) -> None:
    first = penalty_create(subject=organization, source_unit=market_unit)
    _send(subscribed, inbox, nation)
    rolled_back = SlowWriter(subject=other_firm, source_unit=market_unit, commit=False).begin()
    try:
        second = penalty_create(subject=organization, source_unit=market_unit)
        assert _send(subscribed, inbox, nation) == ("", [])  # stops at the hole of the open transaction
        assert _cursor(subscribed).position == first.current_version_id
    finally:
        rolled_back.end()
    # A writer that began after the hole was first seen takes a higher id and stays open; a later version commits.
    newcomer = SlowWriter(subject=third_firm, source_unit=market_unit, commit=True).begin()
    try:
        third = penalty_create(subject=organization, source_unit=market_unit)
        assert second.current_version_id < newcomer.version_id < third.current_version_id
        # The rolled-back hole is passed (its writer has ended); the newcomer's is a hole of its own, first seen now.
        assert _send(subscribed, inbox, nation) == ("incremental", [second.source_record_id])
        assert _cursor(subscribed).position == newcomer.version_id - 1
    finally:
        newcomer.end()
    assert newcomer.record is not None
    assert _send(subscribed, inbox, nation) == ("incremental", [newcomer.record.source_record_id,
                                                                third.source_record_id])


def test_other_items_versions_are_no_holes_and_a_writer_past_the_chunk_holds_nothing(
        subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject, other_firm: Subject) -> None:
    penalty_create(subject=organization, source_unit=market_unit)
    _send(subscribed, inbox, nation)  # (before it the ids of the tests before, emptied: a hole of its own)
    one = penalty_create(subject=organization, source_unit=market_unit)
    licence = licence_create(subject=organization, source_unit=market_unit)  # another item, between the two
    two = penalty_create(subject=organization, source_unit=market_unit)
    assert one.current_version_id < licence.current_version_id < two.current_version_id
    open_writer = SlowWriter(subject=other_firm, source_unit=market_unit, commit=True).begin()
    try:
        assert open_writer.version_id > two.current_version_id
        assert _send(subscribed, inbox, nation) == ("incremental", [one.source_record_id, two.source_record_id])
        assert _cursor(subscribed).hole_seen_at is None
    finally:
        open_writer.end()
    assert open_writer.record is not None
    assert _send(subscribed, inbox, nation) == ("incremental", [open_writer.record.source_record_id])


def test_a_full_snapshot_waits_for_the_hole_and_then_holds_the_late_version(
        subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject, other_firm: Subject) -> None:
    first = penalty_create(subject=organization, source_unit=market_unit)
    _send(subscribed, inbox, nation)
    sending.snapshot_request(subscription=subscribed)
    early = SlowWriter(subject=other_firm, source_unit=market_unit, commit=True).begin()
    try:
        late = penalty_create(subject=organization, source_unit=market_unit)
        # Not caught up while the stream stops at a hole: no snapshot as of a position below an open version.
        assert _send(subscribed, inbox, nation) == ("", [])
    finally:
        early.end()
    assert early.record is not None
    assert _send(subscribed, inbox, nation) == ("incremental", [early.record.source_record_id,
                                                                late.source_record_id])
    mode, records = _send(subscribed, inbox, nation)
    assert mode == "full"
    assert records == [r.source_record_id for r in sorted([first, early.record, late], key=lambda r: r.pk)]


def test_a_subscription_from_now_starts_at_a_settled_position(
        city: NodeIdentity, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit, organization: Subject,
        other_firm: Subject, monkeypatch: Any) -> None:
    Peer.objects.filter(code=nation.code).update(directory=str(inbox))
    register(city, direction="downstream")
    peer, item = Peer.objects.get(code=nation.code), seeded_item("penalty")
    early = SlowWriter(subject=other_firm, source_unit=market_unit, commit=True).begin()
    try:
        late = penalty_create(subject=organization, source_unit=market_unit)
        with pytest.raises(stream.StreamBusy):
            stream.stream_start_position(item=item, wait_seconds=0.3)
        # The newest version is the start, once the writer that may hold a lower id has ended.
        threading.Timer(0.5, early.release.set).start()
        started = time.monotonic()
        subscription = sending.subscription_add(peer=peer, item=item, national_item_code="XZCF",
                                                start_at_current=True)
        assert time.monotonic() - started >= 0.4
    finally:
        early.end()
    assert _cursor(subscription).position == late.current_version_id
    assert _send(subscription, inbox, nation) == ("", [])  # from now on: nothing yet
    sending.snapshot_request(subscription=subscription)
    assert early.record is not None
    mode, records = _send(subscription, inbox, nation)
    assert mode == "full" and early.record.source_record_id in records and late.source_record_id in records
