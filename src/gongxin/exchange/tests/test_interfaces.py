"""The interfaces: the file interface (an exchange directory per peer: inbox, receipts, atomic writes) and the
service interface (push answered with the receipt; a receipt fetched again by the signed sender)."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.test import Client

from gongxin.exchange.keys import NodeIdentity
from gongxin.exchange.models import Package, Peer
from gongxin.exchange.packages import package_build
from gongxin.exchange.receiving import file_write_atomic, inbox_receive
from gongxin.exchange.services import package_receive, receipt_verify, receipt_wire
from gongxin.exchange.tests.kit import push_headers, recipient, register, remote_node, signed_headers, zip_rewrite
from gongxin.records.models import Record
from gongxin.testing.payloads import penalty_payload

PUSH = "/api/v1/exchange/packages"


def _records(*numbers: int) -> list[dict]:
    return [{"op": "new", "source_record_id": f"HS-{n}", "issuer": {"code": "11330203MB1234567X"},
             "fields": penalty_payload(decision_number=f"海市监罚〔2026〕{n}号")} for n in numbers]


def _package(district: NodeIdentity, city: NodeIdentity, *numbers: int, sequence: int = 1) -> bytes:
    return package_build(receiver=recipient(city), sender=district, item_code="penalty", mode="incremental",
                         sequence=sequence, records=_records(*numbers))


def test_the_file_interface_applies_the_inbox_and_writes_receipts_back(
        seeded: None, city: NodeIdentity, district: NodeIdentity, tmp_path: Path) -> None:
    directory = tmp_path / "330203"
    Peer.objects.filter(code="330203").update(directory=str(directory))
    second = _package(district, city, 2, sequence=2)
    first = _package(district, city, 1, sequence=1)
    # Written out of order, and one still being written (hidden until renamed): the pass leaves it alone.
    file_write_atomic(directory / "inbox" / "330203_penalty_000000000002_b.gxp", second)
    file_write_atomic(directory / "inbox" / "330203_penalty_000000000001_a.gxp", first)
    (directory / "inbox" / ".330203_penalty_000000000003_c.gxp.part").write_bytes(first[:100])
    tampered = zip_rewrite(_package(district, city, 9, sequence=9),
                           lambda name, content: content.replace(b"HS-9", b"HS-8") if name == "body.jsonl" else content)
    file_write_atomic(directory / "inbox" / "330203_penalty_000000000009_z.gxp", tampered)

    receipts = inbox_receive()

    assert sorted(r.status for r in receipts) == ["applied", "applied", "refused"]
    assert Record.objects.filter(source_record_id__in=["HS-1", "HS-2"]).count() == 2
    written = {p.name: json.loads(p.read_text()) for p in (directory / "receipts").iterdir()}
    assert len(written) == 3 and not any(name.startswith(".") for name in written)
    refused = next(w for w in written.values() if w["document"]["status"] == "refused")
    assert refused["document"]["code"] == "exchange.package_tampered" and refused["document"]["message"]
    assert sorted(p.name for p in (directory / "inbox").iterdir()) == [".330203_penalty_000000000003_c.gxp.part",
                                                                      "done"]
    assert len(list((directory / "inbox" / "done").iterdir())) == 3
    # A second pass has nothing to do.
    assert inbox_receive() == []


def test_a_pair_sharing_one_directory_leaves_its_own_packages_alone(
        seeded: None, city: NodeIdentity, district: NodeIdentity, tmp_path: Path) -> None:
    Peer.objects.filter(code="330203").update(directory=str(tmp_path))
    own = package_build(receiver=recipient(district), sender=city, item_code="penalty", mode="incremental",
                        sequence=1, records=_records(5))
    file_write_atomic(tmp_path / "inbox" / "330200_penalty_000000000001_x.gxp", own)
    assert inbox_receive() == []
    assert (tmp_path / "inbox" / "330200_penalty_000000000001_x.gxp").exists()


def test_a_push_is_answered_with_the_receipt(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    client = Client()
    data = _package(district, city, 1)
    response = client.post(PUSH, data, content_type="application/octet-stream", **push_headers(district, data))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["document"]["status"] == "applied" and body["document"]["counts"]["applied"] == 1
    assert body["signature"] and body["key_id"] == city.current.key_id

    # A registered peer's push of a package that is unsigned or for another node: refused, with a signed receipt.
    unsigned = zip_rewrite(_package(district, city, 2, sequence=2),
                           lambda name, content: None if name == "signature.json" else content)
    refused = client.post(PUSH, unsigned, content_type="application/zip", **push_headers(district, unsigned))
    assert refused.status_code == 401
    body = refused.json()
    assert body["code"] == "exchange.package_unsigned" and body["message"]
    assert body["details"]["receipt"]["document"]["code"] == "exchange.package_unsigned"
    assert body["details"]["receipt"]["signature"]
    wrong = package_build(receiver=recipient(district), sender=district, item_code="penalty", mode="incremental",
                          sequence=2, records=_records(2))
    refused = client.post(PUSH, wrong, content_type="application/zip", **push_headers(district, wrong))
    assert refused.status_code == 422
    assert refused.json()["code"] == "exchange.package_wrong_receiver"
    assert refused.json()["details"]["receipt"]["document"]["status"] == "refused"


class _Unread(io.RawIOBase):
    """A request body that fails the test if the endpoint reads a byte of it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read before the request's signature was checked")


def _push_unread(headers: dict[str, str], *, length: int) -> Any:
    """POST to the push endpoint with a body that must not be read (the test client's handler on a hand-built WSGI
    environment: the test client itself would read the body into a buffer first)."""
    from django.test.client import ClientHandler

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": PUSH, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "wsgi.input": _Unread(), "wsgi.errors": io.StringIO(),
               "CONTENT_TYPE": "application/octet-stream", "QUERY_STRING": "", **headers}
    if length >= 0:
        environ["CONTENT_LENGTH"] = str(length)
    response: Any = ClientHandler()(environ)  # an HttpResponse (the handler's WSGI type says less)
    return response.status_code, json.loads(response.content)


def test_a_push_is_refused_before_its_body_is_read_unless_a_peer_signed_it(
        seeded: None, city: NodeIdentity, district: NodeIdentity, settings: Any) -> None:
    """Anybody can reach the push endpoint: nothing of the body is read (or stored) before the request's signature
    proves a registered peer, over the body's length (a captured signature does not carry a larger body)."""
    stranger = remote_node("420000", "湖北省", "province")  # keys that no peer here has
    big = 3 << 30
    cases = [
        ({}, big, 401, "exchange.push_not_signed"),
        (push_headers(stranger, b"x" * 10), 10, 401, "exchange.push_bad_signature"),
        (signed_headers(district, method="POST", path=PUSH, length=10), big, 401, "exchange.push_bad_signature"),
        (signed_headers(district, method="POST", path=PUSH), 10, 401, "exchange.push_bad_signature"),  # no length
        (signed_headers(district, method="POST", path=PUSH, length=10, ahead=600), 10, 401,
         "exchange.push_bad_signature"),  # outside the clock's window
        (push_headers(district, b"x" * 10), -1, 411, "exchange.push_length_required"),
    ]
    for headers, length, status, code in cases:
        answer = _push_unread(headers, length=length)
        assert (answer[0], answer[1]["code"]) == (status, code), answer
    settings.GONGXIN_EXCHANGE_PACKAGE_MAX_BYTES = 1 << 20
    status, body = _push_unread(signed_headers(district, method="POST", path=PUSH, length=2 << 20), length=2 << 20)
    assert (status, body["code"]) == (413, "exchange.package_too_large")
    assert not list((Path(django_settings.DATA_DIR) / "exchange" / "incoming").glob("*"))


def test_a_peer_pushes_only_its_own_packages(seeded: None, city: NodeIdentity, district: NodeIdentity,
                                             nation: NodeIdentity) -> None:
    data = _package(district, city, 1)
    refused = Client().post(PUSH, data, content_type="application/zip", **push_headers(nation, data))
    assert refused.status_code == 401
    assert refused.json()["code"] == "exchange.package_not_from_pusher"
    assert not Record.objects.filter(source_record_id="HS-1").exists()
    assert not Package.objects.exists()  # nothing stored for a relayed package


def test_a_receipt_is_given_again_to_the_signed_sender_only(seeded: None, city: NodeIdentity,
                                                             district: NodeIdentity, nation: NodeIdentity) -> None:

    receipt = package_receive(data=_package(district, city, 1), via="service")
    path = f"/api/v1/exchange/receipts/{receipt.package_guid}"

    def signed_by(node: NodeIdentity, path: str = path) -> dict[str, str]:
        return signed_headers(node, method="GET", path=path)

    client = Client()
    assert client.get(path).status_code == 401
    answer = client.get(path, **signed_by(district))
    assert answer.status_code == 200 and answer.json()["document"] == receipt.document
    assert client.get(path, **signed_by(nation)).status_code == 404  # not the nation's package
    unknown = f"/api/v1/exchange/receipts/{uuid.uuid4()}"
    assert client.get(unknown, **signed_by(district, unknown)).status_code == 404


def test_the_sender_verifies_a_receipt(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    receipt = package_receive(data=_package(district, city, 1), via="file")
    wire = receipt_wire(receipt)
    register(city, direction="upstream")  # as the district holds the city's keys
    assert receipt_verify(wire) is True
    changed = json.loads(json.dumps(wire))
    changed["document"]["counts"]["applied"] = 0
    assert receipt_verify(changed) is False
