"""Receiving mappings: a package of the national item XZCF with the national field names lands on the local item
``penalty`` under its local fields; a peer's own mapping wins over the any-peer one; an unmapped item is refused
with its code and words saying how to map it; ``gongxin exchange map`` adds and lists mappings, and the peers page
shows them."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongxin.accounts.models import User
from gongxin.accounts.viewer import SYSTEM
from gongxin.exchange.errors import ReceivingMappingInvalid
from gongxin.exchange.keys import NodeIdentity
from gongxin.exchange.mappings import receiving_mapping_set, receiving_target
from gongxin.exchange.models import Package
from gongxin.exchange.packages import package_build
from gongxin.exchange.receiving_models import ReceivingMapping
from gongxin.exchange.services import package_receive
from gongxin.exchange.tests.kit import recipient, register, remote_node
from gongxin.records.models import Record
from gongxin.testing.payloads import penalty_payload
from gongxin.testing.personas import signed_in

# National field name -> the local penalty item's field code (the rest of the body uses the local names).
NATIONAL = {"xdr_mc": "subject_name", "xdr_shxym": "uscc", "cf_wsh": "decision_number", "cf_fk": "fine_amount",
            "cf_jdrq": "decision_date"}


def national_penalty(number: int) -> dict[str, Any]:
    """A record of XZCF as a node with the national field names sends it."""
    local = penalty_payload(decision_number=f"海市监罚〔2026〕{number}号")
    to_national = {value: key for key, value in NATIONAL.items()}
    return {"op": "new", "source_record_id": f"HS-XZCF-{number}",
            "issuer": {"code": "11330203MB1234567X", "name": "宁波市海曙区市场监督管理局"},
            "fields": {to_national.get(name, name): value for name, value in local.items()}}


def send(sender: NodeIdentity, receiver: NodeIdentity, records: list[dict[str, Any]], *, sequence: int = 1,
         item_code: str = "XZCF") -> bytes:
    return package_build(receiver=recipient(receiver), sender=sender, item_code=item_code, mode="incremental",
                         sequence=sequence, records=records, guid=uuid.uuid4())


def test_a_national_package_lands_on_the_mapped_item_under_its_local_fields(
        seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty", field_mapping=NATIONAL, actor=SYSTEM)

    receipt = package_receive(data=send(district, city, [national_penalty(1), national_penalty(2)]), via="file")

    assert receipt.status == "applied", receipt.document
    assert receipt.document["item_code"] == "XZCF"
    assert receipt.document["counts"] == {"records": 2, "applied": 2, "duplicates": 0, "rejected": 0}
    records = Record.objects.filter(source_record_id__startswith="HS-XZCF-").select_related(
        "catalog_item", "current_version").order_by("source_record_id")
    assert [(r.source_record_id, r.catalog_item.code) for r in records] == [("HS-XZCF-1", "penalty"),
                                                                            ("HS-XZCF-2", "penalty")]
    payload = records[0].current_version.payload
    assert payload["decision_number"] == "海市监罚〔2026〕1号"
    assert payload["fine_amount"] == "12345.00"  # renamed before the 10,000-yuan field is read: the same yuan
    assert payload["decision_date"] == "2026-05-10"
    assert not set(NATIONAL) & payload.keys()


def test_a_peers_own_mapping_wins_over_the_any_peer_one(seeded: None, city: NodeIdentity,
                                                         district: NodeIdentity) -> None:
    other = remote_node("330205", "江北区", "district")
    register(other, direction="downstream")
    # Any peer: XZCF is the licence item (a wrong guess for Haishu); Haishu's own mapping says penalty.
    receiving_mapping_set(national_item_code="XZCF", local_item_code="licence", actor=SYSTEM)
    receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty", peer_code="330203",
                          field_mapping=NATIONAL, actor=SYSTEM)

    for_haishu = receiving_target(sender="330203", item_code="XZCF")
    for_jiangbei = receiving_target(sender="330205", item_code="XZCF")
    assert for_haishu is not None and for_haishu.item.code == "penalty"
    assert for_jiangbei is not None and for_jiangbei.item.code == "licence"
    assert package_receive(data=send(district, city, [national_penalty(1)]), via="file").status == "applied"
    assert Record.objects.get(source_record_id="HS-XZCF-1").catalog_item.code == "penalty"

    # An inactive mapping is not used: the any-peer one applies to Haishu too.
    receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty", peer_code="330203",
                          field_mapping=NATIONAL, actor=SYSTEM, is_active=False)
    target = receiving_target(sender="330203", item_code="XZCF")
    assert target is not None and target.item.code == "licence"


def test_without_a_mapping_the_national_code_is_the_local_code(seeded: None, city: NodeIdentity) -> None:
    target = receiving_target(sender="330203", item_code="penalty")
    assert target is not None and target.item.code == "penalty" and not target.fields
    assert receiving_target(sender="330203", item_code="XZCF") is None
    fallback = receiving_target(sender="330203", item_code="XZCF", local_item_code="penalty")
    assert fallback is not None and fallback.item.code == "penalty"


def test_an_unmapped_item_is_refused_with_words_on_how_to_map_it(seeded: None, city: NodeIdentity,
                                                                   district: NodeIdentity) -> None:
    receipt = package_receive(data=send(district, city, [national_penalty(1)]), via="file")

    assert receipt.status == "refused"
    assert receipt.document["code"] == "exchange.package_unknown_item"
    assert "gongxin exchange map XZCF" in receipt.document["message_en"]
    assert "--peer 330203" in receipt.document["message_en"]
    assert "gongxin exchange map XZCF" in receipt.document["message"] and "XZCF" in receipt.document["message"]
    assert receipt.document["message"] != receipt.document["message_en"]  # the Chinese words
    assert Package.objects.get(guid=receipt.package_guid).error_code == "exchange.package_unknown_item"
    assert not Record.objects.filter(source_record_id="HS-XZCF-1").exists()

    # Mapped now, the same package is sent again and applied.
    receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty", field_mapping=NATIONAL, actor=SYSTEM)
    assert package_receive(data=send(district, city, [national_penalty(1)]), via="file").status == "applied"


def test_a_mapping_names_a_current_item_and_its_fields(seeded: None, city: NodeIdentity,
                                                       district: NodeIdentity) -> None:
    with pytest.raises(ReceivingMappingInvalid):
        receiving_mapping_set(national_item_code="XZCF", local_item_code="no_such_item", actor=SYSTEM)
    with pytest.raises(ReceivingMappingInvalid) as raised:
        receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty",
                              field_mapping={"cf_wsh": "no_such_field"}, actor=SYSTEM)
    assert raised.value.details == {"fields": ["no_such_field"]}
    with pytest.raises(ReceivingMappingInvalid):
        receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty", peer_code="999999", actor=SYSTEM)
    assert not ReceivingMapping.objects.exists()


def test_the_command_adds_and_lists_mappings(seeded: None, city: NodeIdentity, district: NodeIdentity) -> None:
    out = StringIO()
    call_command("exchange", "map", "XZCF", "penalty", "--map", "cf_wsh=decision_number", "--map", "cf_fk=fine_amount",
                 stdout=out)
    call_command("exchange", "map", "XZCF", "penalty", "--peer", "330203", "--map", "xdr_mc=subject_name", stdout=out)
    assert "XZCF from any peer lands on penalty" in out.getvalue()
    assert "XZCF from 330203 lands on penalty" in out.getvalue()
    mapping = ReceivingMapping.objects.get(peer__isnull=True)
    assert (mapping.national_item_code, mapping.local_item_code, mapping.created_by) == ("XZCF", "penalty", "system")
    assert mapping.field_mapping == {"cf_wsh": "decision_number", "cf_fk": "fine_amount"}

    listed = StringIO()
    call_command("exchange", "map", "--list", stdout=listed)
    assert listed.getvalue().splitlines() == [
        "receiving XZCF from * -> penalty [cf_fk=fine_amount, cf_wsh=decision_number]",
        "receiving XZCF from 330203 -> penalty [xdr_mc=subject_name]"]
    status = StringIO()
    call_command("exchange", "status", stdout=status)
    assert "receiving XZCF from 330203 -> penalty" in status.getvalue()

    with pytest.raises(CommandError, match=r"exchange\.receiving_mapping_invalid"):
        call_command("exchange", "map", "XZCF", "penalty", "--map", "cf_wsh=nothing", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("exchange", "map", "XZCF", stdout=StringIO())


def test_the_peers_page_shows_the_mappings(seeded: None, city: NodeIdentity, district: NodeIdentity,
                                           staff: User) -> None:
    receiving_mapping_set(national_item_code="XZCF", local_item_code="penalty", peer_code="330203",
                          field_mapping={"cf_wsh": "decision_number"}, actor=SYSTEM)
    text = signed_in(staff).get("/exchange/peers/").content.decode()
    row = text.split('data-mapping="XZCF:330203"')[1].split("</tr>")[0]
    assert "penalty" in row and "cf_wsh → decision_number" in row and "海曙区" in row
