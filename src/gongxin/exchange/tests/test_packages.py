"""Data packages: built and opened between nodes, personal identifiers sealed for the receiver, and every
refusal with its stable code (unsigned, bad signature, tampered, unknown sender, wrong receiver), rotated keys
still verifying what they signed."""

from __future__ import annotations

import dataclasses
import io
import json
import tracemalloc
import uuid
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from gongxin.core import clock
from gongxin.exchange import errors
from gongxin.exchange.keys import KeyPair, NodeIdentity, node_keys_rotate
from gongxin.exchange.packages import package_build, package_open, package_write
from gongxin.exchange.tests.kit import recipient, register, remote_node, zip_rewrite

RIN = "330203199001011234"


def _records(count: int = 3) -> list[dict]:
    rows = []
    for number in range(count):
        rows.append({"op": "new", "source_record_id": f"HS-{number}",
                     "issuer": {"code": "11330203MB0000000X", "name": "海曙区市场监督管理局"},
                     "fields": {"subject_name": "张三", "id_number": RIN,
                                "decision_number": f"海市监罚〔2026〕{number}号"}})
    return rows


def _build(sender: NodeIdentity, receiver: NodeIdentity, **kwargs: object) -> bytes:
    options: dict = {"item_code": "XZCF", "mode": "incremental", "sequence": 1, "records": _records()}
    options.update(kwargs)
    return package_build(receiver=recipient(receiver), sender=sender, **options)


def test_a_package_travels_signed_with_the_identifiers_sealed(city: NodeIdentity, district: NodeIdentity) -> None:
    guid = uuid.uuid4()
    data = _build(district, city, guid=guid, local_item_code="HS-XZCF", sequence=7)

    assert RIN.encode() not in data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["body.jsonl", "header.json", "signature.json"]
        assert RIN.encode() not in archive.read("body.jsonl")
    opened = package_open(data, expected_receiver="330200")
    assert opened.guid == guid
    assert (opened.sender, opened.receiver, opened.item_code, opened.sequence, opened.record_count) == (
        "330203", "330200", "XZCF", 7, 3)
    assert opened.header["local_item_code"] == "HS-XZCF"
    assert opened.header["mode"] == "incremental"
    assert opened.header["created_at"].endswith("+08:00")
    records = list(opened.records())
    assert [r.source_record_id for r in records] == ["HS-0", "HS-1", "HS-2"]
    assert records[0].fields["id_number"] == RIN
    assert records[0].issuer["name"] == "海曙区市场监督管理局"
    assert records[2].fields["decision_number"] == "海市监罚〔2026〕2号"
    opened.close()


def test_an_unsigned_package_is_refused(city: NodeIdentity, district: NodeIdentity) -> None:
    data = zip_rewrite(_build(district, city), lambda name, content: None if name == "signature.json" else content)
    with pytest.raises(errors.PackageUnsigned) as caught:
        package_open(data, expected_receiver="330200")
    assert caught.value.code == "exchange.package_unsigned"


def test_a_changed_header_fails_the_signature(city: NodeIdentity, district: NodeIdentity) -> None:
    def change(name: str, content: bytes) -> bytes:
        if name != "header.json":
            return content
        header = json.loads(content)
        header["sequence"] = 8
        return json.dumps(header).encode()

    with pytest.raises(errors.PackageBadSignature) as caught:
        package_open(zip_rewrite(_build(district, city), change), expected_receiver="330200")
    assert caught.value.code == "exchange.package_bad_signature"


def test_a_changed_body_is_tampered(city: NodeIdentity, district: NodeIdentity) -> None:
    def change(name: str, content: bytes) -> bytes:
        return content.replace("〔2026〕1号".encode(), "〔2026〕9号".encode()) if name == "body.jsonl" else content

    with pytest.raises(errors.PackageTampered) as caught:
        package_open(zip_rewrite(_build(district, city), change), expected_receiver="330200")
    assert caught.value.code == "exchange.package_tampered"

    def drop_line(name: str, content: bytes) -> bytes:
        return b"".join(content.splitlines(keepends=True)[:2]) if name == "body.jsonl" else content

    with pytest.raises(errors.PackageTampered):
        package_open(zip_rewrite(_build(district, city), drop_line), expected_receiver="330200")


def test_a_package_from_an_unregistered_node_is_refused(city: NodeIdentity) -> None:
    stranger = remote_node("330205", "江北区", "district")
    with pytest.raises(errors.PackageUnknownSender) as caught:
        package_open(_build(stranger, city), expected_receiver="330200")
    assert caught.value.code == "exchange.package_unknown_sender"


def test_a_registered_code_signing_with_another_key_is_refused(city: NodeIdentity, district: NodeIdentity) -> None:
    impostor = dataclasses.replace(district, pairs=(KeyPair.generate(),))
    with pytest.raises(errors.PackageUnknownSender):
        package_open(_build(impostor, city), expected_receiver="330200")


def test_a_package_for_another_node_is_refused(city: NodeIdentity, district: NodeIdentity) -> None:
    province = remote_node("330000", "浙江省", "provincial")
    with pytest.raises(errors.PackageWrongReceiver) as caught:
        package_open(_build(district, province), expected_receiver="330200")
    assert caught.value.code == "exchange.package_wrong_receiver"


def test_not_a_package_is_malformed(city: NodeIdentity) -> None:
    with pytest.raises(errors.PackageMalformed):
        package_open(b"not a zip", expected_receiver="330200")


def test_rotated_sender_keys_keep_verifying_what_they_signed(city: NodeIdentity) -> None:
    old = KeyPair.generate(at=clock.now() - timedelta(days=30))
    district = NodeIdentity("330203", "district", "海曙区", (old,))
    before = _build(district, city, created_at=clock.now() - timedelta(days=10))
    rotated = NodeIdentity("330203", "district", "海曙区", (old, KeyPair.generate(at=clock.now() - timedelta(days=1))))
    register(rotated, direction="downstream")  # the old key retired a day ago, the new one current

    assert package_open(before, expected_receiver="330200").record_count == 3
    assert package_open(_build(rotated, city), expected_receiver="330200").record_count == 3
    # The retired key signing after its validity ended is not accepted.
    with pytest.raises(errors.PackageUnknownSender):
        package_open(_build(district, city), expected_receiver="330200")


def test_a_package_sealed_to_a_rotated_receiver_key_still_opens(city: NodeIdentity, district: NodeIdentity) -> None:
    data = _build(district, city)
    node_keys_rotate()
    from gongxin.exchange.keys import local_node

    rotated_city = local_node()
    assert rotated_city.current.key_id != city.current.key_id
    records = list(package_open(data, expected_receiver="330200", node=rotated_city).records())
    assert records[0].fields["id_number"] == RIN


def test_a_big_body_is_streamed_both_ways(city: NodeIdentity, district: NodeIdentity, tmp_path: Path) -> None:
    def generated(count: int) -> Iterator[dict]:
        for number in range(count):
            yield {"op": "new", "source_record_id": f"HS-{number}", "issuer": {"code": "X"},
                   "fields": {"subject_name": f"公司{number}", "id_number": RIN, "note": "x" * 200}}

    path = tmp_path / "big.zip"
    tracemalloc.start()
    package_write(path, receiver=recipient(city), sender=district, item_code="XZCF", mode="full", sequence=1,
                  records=generated(30_000))
    _size, built_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    opened = package_open(path, expected_receiver="330200")
    count = sum(1 for _ in opened.records())
    _size, opened_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    opened.close()
    assert count == opened.record_count == 30_000
    # 30,000 records of ~300 bytes are ~9 MB as dicts; streamed, both sides stay far below.
    assert built_peak < 3_000_000 and opened_peak < 3_000_000, (built_peak, opened_peak)
