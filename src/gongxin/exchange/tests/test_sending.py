"""Sending by cursor (decision 068): packages built from the record-version stream and stored before they leave,
the same GUID resent after a crash, the cursor moved only by a receipt that says applied, backoff for a peer that is
down, corrections and revocations travelling as such, full snapshots, pull by a signed request, and the audit page."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.core import clock
from gongxin.core.signing import canonical_json
from gongxin.exchange import sending
from gongxin.exchange.choices import PackageDirection, PackageStatus
from gongxin.exchange.keys import NodeIdentity, b64
from gongxin.exchange.models import Package, Peer
from gongxin.exchange.packages import package_open
from gongxin.exchange.sending_models import SendingCursor, Subscription
from gongxin.exchange.tests.kit import register, signed_headers
from gongxin.records.services import record_revoke, record_version_append
from gongxin.subjects.models import Subject
from gongxin.testing import records as record_fixtures
from gongxin.testing.factories import ADMIN, penalty_create, seeded_item

pytestmark = pytest.mark.django_db
market_unit = record_fixtures.market_unit  # fixtures: a city source unit and a firm
organization = record_fixtures.organization


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "nation-exchange"


@pytest.fixture
def subscribed(city: NodeIdentity, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit) -> Subscription:
    """The nation receives the city's penalties through its exchange directory; the city's own node is registered
    as a peer too, so that the tests open the packages as the nation would."""
    Peer.objects.filter(code=nation.code).update(directory=str(inbox))
    register(city, direction="downstream")
    return sending.subscription_add(peer=Peer.objects.get(code=nation.code), item=seeded_item("penalty"),
                                    national_item_code="XZCF", field_mapping={"decision_number": "xk_wsh"},
                                    chunk_size=2, snapshot_every_days=30)


def _opened(path: Path, nation: NodeIdentity) -> Any:
    return package_open(path.read_bytes(), expected_receiver=nation.code, node=nation)


def _inbox_files(inbox: Path) -> list[Path]:
    return sorted((inbox / "inbox").glob("*.gxp"))


def _receipt(inbox: Path, nation: NodeIdentity, guid: str, status: str = "applied", *, signed: bool = True,
             **counts: int) -> None:
    """The nation's receipt written back into the exchange directory, signed with its node key (or not)."""
    document = {"package_guid": guid, "receiver": nation.code, "status": status, "counts": counts}
    wire: dict[str, Any] = {"document": document, "key_id": nation.current.key_id, "algorithm": "Ed25519",
                            "signature": b64(nation.current.signing.sign(canonical_json(document))) if signed else ""}
    folder = inbox / "receipts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{guid}.json").write_text(json.dumps(wire))


def test_packages_by_cursor_resent_alike_and_moved_only_by_receipts(
        subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject) -> None:
    records = [penalty_create(subject=organization, source_unit=market_unit) for _ in range(3)]
    outcome = sending.subscription_send(subscription=subscribed)
    assert outcome.state == "waiting"  # file interface: the receipt comes back as a file
    files = _inbox_files(inbox)
    assert len(files) == 1
    cursor = SendingCursor.objects.get(subscription=subscribed)
    assert (cursor.position, cursor.sequence, cursor.pending_sequence, cursor.pending_records) == (0, 1, 1, 2)
    opened = _opened(files[0], nation)
    assert (opened.sequence, opened.item_code, opened.record_count, opened.header["mode"]) == (1, "XZCF", 2,
                                                                                              "incremental")
    first = list(opened.records())
    assert [r.source_record_id for r in first] == [r.source_record_id for r in records[:2]]
    assert first[0].op == "new" and "xk_wsh" in first[0].fields and "decision_number" not in first[0].fields
    assert first[0].fields["id_number"] == "330203199001010012"  # sealed in the file, opened by the nation
    assert first[0].issuer == {"code": "NB-SCJG", "name": "宁波市市场监督管理局"}
    guid = opened.header["guid"]

    # A crash before the receipt: the next run sends the very same package again (same GUID), nothing new.
    sending.subscription_send(subscription=subscribed, force=True)
    assert [f.name for f in _inbox_files(inbox)] == [files[0].name]
    assert Package.objects.filter(direction=PackageDirection.SENT).count() == 1

    # A receipt that refuses does not move the cursor; one that says applied does, and the next package follows.
    _receipt(inbox, nation, guid, status="applied", signed=False, applied=2)  # not signed: no receipt
    assert sending.receipts_collect(peer=subscribed.peer) == 0
    cursor.refresh_from_db()
    assert (cursor.position, cursor.pending_guid, cursor.attempts) == (0, guid, 1)
    _receipt(inbox, nation, guid, status="refused")
    assert sending.receipts_collect(peer=subscribed.peer) == 0
    cursor.refresh_from_db()
    assert (cursor.position, cursor.pending_guid, cursor.attempts) == (0, guid, 2)
    _receipt(inbox, nation, guid, status="applied", applied=2)
    assert sending.receipts_collect(peer=subscribed.peer) == 1
    cursor.refresh_from_db()
    assert cursor.pending_guid == "" and cursor.position == records[1].current_version_id
    sent = Package.objects.get(direction=PackageDirection.SENT, guid=uuid.UUID(guid))
    assert (sent.status, sent.applied) == (PackageStatus.ACKNOWLEDGED, 2)

    sending.subscription_send(subscription=subscribed)
    second = _opened(_inbox_files(inbox)[-1], nation)
    assert second.sequence == 2 and [r.source_record_id for r in second.records()] == [records[2].source_record_id]


def test_the_package_built_ahead_becomes_outstanding_only_where_the_cursor_stands(
        subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject) -> None:
    """Package N+1 is built while N is delivered (``package_prepare``) and stored nowhere until N's receipt has
    moved the cursor to where it reads after; one built for a cursor that did not get there is removed."""
    records = [penalty_create(subject=organization, source_unit=market_unit) for _ in range(5)]
    cursor = sending.package_next(subscription=subscribed)
    first_guid = cursor.pending_guid
    prepared = sending.package_prepare(subscription=subscribed, cursor=cursor)
    assert prepared is not None and prepared.sequence == 2 and prepared.path.parent == sending.ahead_dir()
    assert not Package.objects.filter(guid=uuid.UUID(prepared.header["guid"])).exists()  # nothing stored yet
    assert [r.source_record_id for r in _opened(prepared.path, nation).records()] == [
        r.source_record_id for r in records[2:4]]

    # Before N's receipt the slot is taken: offered then, the package built ahead is removed, N stays outstanding.
    early = sending.package_prepare(subscription=subscribed, cursor=cursor)
    assert early is not None
    assert sending.package_next(subscription=subscribed, prepared=early).pending_guid == first_guid
    assert not early.path.exists() and not early.adopted

    _receipt(inbox, nation, first_guid, status="applied", applied=2)
    assert sending.receipts_collect(peer=subscribed.peer) == 1
    cursor = sending.package_next(subscription=subscribed, prepared=prepared)
    assert prepared.adopted and cursor.pending_guid == prepared.header["guid"] and cursor.pending_sequence == 2
    assert cursor.pending_position == records[3].current_version_id and cursor.pending_records == 2
    stored = Path(cursor.pending_file)
    assert stored.parent == sending.outgoing_dir() and stored.exists() and not prepared.path.exists()
    assert Package.objects.get(guid=uuid.UUID(cursor.pending_guid)).status == PackageStatus.BUILT

    # A package built ahead of N+1 whose receipt refuses it: the cursor never reaches its start, it is removed.
    stale = sending.package_prepare(subscription=subscribed, cursor=cursor)
    assert stale is not None and stale.sequence == 3
    _receipt(inbox, nation, cursor.pending_guid, status="refused")
    sending.receipts_collect(peer=subscribed.peer)
    assert sending.package_next(subscription=subscribed, prepared=stale).pending_sequence == 2
    assert not stale.path.exists()
    assert Package.objects.filter(direction=PackageDirection.SENT).count() == 2


def test_corrections_and_revocations_travel_as_such(subscribed: Subscription, nation: NodeIdentity, inbox: Path,
                                                     market_unit: SourceUnit, organization: Subject) -> None:
    record = penalty_create(subject=organization, source_unit=market_unit)
    SendingCursor.objects.filter(subscription=subscribed).update(position=record.current_version_id)
    payload = {**record.current_version.payload, "penalty_content": "罚款人民币叁万元"}
    record_version_append(record=record, change="corrected", payload=payload, actor=ADMIN, reason="更正")
    record.refresh_from_db()
    record_revoke(record=record, actor=ADMIN, reason="撤销")
    sending.subscription_send(subscription=subscribed)
    opened = _opened(_inbox_files(inbox)[-1], nation)
    assert [(r.op, r.source_record_id) for r in opened.records()] == [
        ("correction", record.source_record_id), ("revocation", record.source_record_id)]


def test_a_peer_that_is_down_is_retried_with_backoff(subscribed: Subscription, market_unit: SourceUnit,
                                                      organization: Subject) -> None:
    Peer.objects.filter(pk=subscribed.peer_id).update(service_url="http://127.0.0.1:9")
    subscribed.peer.refresh_from_db()
    penalty_create(subject=organization, source_unit=market_unit)
    outcome = sending.subscription_send(subscription=subscribed)
    assert outcome.state == "retrying"
    cursor = SendingCursor.objects.get(subscription=subscribed)
    assert cursor.attempts == 1 and cursor.position == 0 and cursor.next_attempt_at is not None
    first_wait = cursor.next_attempt_at - clock.now()
    guid = cursor.pending_guid
    assert sending.subscription_send(subscription=subscribed).state == "retrying"  # waits out its backoff
    assert SendingCursor.objects.get(subscription=subscribed).attempts == 1
    sending.subscription_send(subscription=subscribed, force=True)
    cursor.refresh_from_db()
    assert cursor.attempts == 2 and cursor.pending_guid == guid
    assert cursor.next_attempt_at - clock.now() > first_wait


def test_a_full_snapshot_names_the_records_in_force_once_caught_up(
        subscribed: Subscription, nation: NodeIdentity, inbox: Path, market_unit: SourceUnit,
        organization: Subject) -> None:
    kept = penalty_create(subject=organization, source_unit=market_unit)
    gone = penalty_create(subject=organization, source_unit=market_unit)
    record_revoke(record=gone, actor=ADMIN, reason="撤销")
    gone.refresh_from_db()
    SendingCursor.objects.filter(subscription=subscribed).update(position=gone.current_version_id, sequence=4)
    sending.snapshot_request(subscription=subscribed)
    sending.subscription_send(subscription=subscribed)
    opened = _opened(_inbox_files(inbox)[-1], nation)
    assert (opened.header["mode"], opened.sequence) == ("full", 5)
    assert [r.source_record_id for r in opened.records()] == [kept.source_record_id]
    assert subscribed.snapshot_schedule.next_due_at > clock.now()


def _signed(client: Client, node: NodeIdentity, query: dict[str, Any], *, key: Any = None) -> Any:
    path = f"/api/v1/exchange/packages?{urlencode(query)}"
    return client.get(path, **signed_headers(node, method="GET", path=path, key=key))


def test_pull_by_cursor_for_a_signed_peer(subscribed: Subscription, nation: NodeIdentity, market_unit: SourceUnit,
                                          organization: Subject) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    Peer.objects.filter(pk=subscribed.peer_id).update(directory="")
    record = penalty_create(subject=organization, source_unit=market_unit)
    client = Client()
    assert client.get("/api/v1/exchange/packages?item=XZCF&after=0").status_code == 401
    assert _signed(client, nation, {"item": "XZCF", "after": 0}, key=Ed25519PrivateKey.generate()).status_code == 401
    assert _signed(client, nation, {"item": "OTHER", "after": 0}).status_code == 404
    response = _signed(client, nation, {"item": "XZCF", "after": 0})
    assert response.status_code == 200 and response["X-Exchange-Sequence"] == "1"
    data = b"".join(response.streaming_content)
    opened = package_open(data, expected_receiver=nation.code, node=nation)
    assert [r.source_record_id for r in opened.records()] == [record.source_record_id]
    again = _signed(client, nation, {"item": "XZCF", "after": 0})  # not yet acknowledged: the same package
    assert again["X-Exchange-Package"] == response["X-Exchange-Package"]
    assert _signed(client, nation, {"item": "XZCF", "after": 5}).status_code == 409
    assert _signed(client, nation, {"item": "XZCF", "after": 1}).status_code == 204  # applied: caught up
    assert SendingCursor.objects.get(subscription=subscribed).position == record.current_version_id


def test_the_audit_page_shows_the_exchange_to_the_office(subscribed: Subscription, inbox: Path,
                                                         market_unit: SourceUnit, organization: Subject,
                                                         staff: Any) -> None:
    penalty_create(subject=organization, source_unit=market_unit)
    sending.subscription_send(subscription=subscribed)
    client = Client()
    client.force_login(staff)
    response = client.get("/exchange/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-audit" in body and "data-cursors" in body and seeded_item("penalty").name in body
    assert "XZCF" not in body  # items are named, never shown by code
    anonymous = Client().get("/exchange/audit/")
    assert anonymous.status_code in (302, 403, 404)
    assert CatalogItem.objects.filter(code="penalty").exists()


def test_the_command_sends_and_shows_the_cursors(subscribed: Subscription, inbox: Path, market_unit: SourceUnit,
                                                 organization: Subject) -> None:
    from io import StringIO

    from django.core.management import call_command

    penalty_create(subject=organization, source_unit=market_unit)
    call_command("exchange", "send", "--peer", subscribed.peer.code, stdout=StringIO())
    assert len(_inbox_files(inbox)) == 1
    out = StringIO()
    call_command("exchange", "status", stdout=out)
    assert "100000 penalty -> XZCF: at 0, 1 versions behind, sequence 1, outstanding #1 (1 records" in out.getvalue()
