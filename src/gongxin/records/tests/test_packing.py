"""Compact storage of versions (decision 047): the payload packed by layout, the legal basis by reference, the
content hash as 32 bytes — and every reader still sees the dict and the strings it always saw."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from gongxin.records.load import RecordRow, records_load
from gongxin.records.models import Record, RecordVersion, VersionText
from gongxin.records.packing import (
    REPEATING_FIELDS,
    layout_text,
    payload_key_q,
    payload_layout,
    payload_pack,
    payload_unpack,
    text_id,
    texts_ensure,
)
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for


def _raw(version_id: int) -> tuple[Any, Any, Any, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload, legal_basis, legal_basis_ref, content_hash FROM records_recordversion "
                       "WHERE id = %s", [version_id])
        return cursor.fetchone()


@pytest.mark.django_db
class TestStoredForm:
    def test_service_version_is_stored_packed_and_read_as_before(self, market_unit, market_operator, organization):
        penalty = item("penalty")
        payload = payload_for(penalty, decision_date=date(2026, 5, 10))
        result = record_submit(source_unit=market_unit, item=penalty, source_record_id="CF-PACK-1",
                               subject=organization, payload=payload, actor=market_operator)
        version = RecordVersion.objects.get(pk=result.version.pk)

        stored, basis_text, basis_ref, digest = _raw(version.pk)
        packed = json.loads(stored) if isinstance(stored, str) else stored
        assert isinstance(packed, list)
        assert packed[0] == text_id(payload_layout(version.payload)[0])
        assert "decision_date" not in json.dumps(packed)  # the keys live once, in the layout
        # So do the values of the repeating fields (the issuing authority, the subject's category, ...).
        repeating = {k: v for k, v in version.payload.items() if k in REPEATING_FIELDS}
        assert "authority_name" in repeating
        assert len(packed) == 1 + len(version.payload) - len(repeating)
        assert not set(map(str, repeating.values())) & set(map(str, packed[1:]))
        assert (basis_text, basis_ref) == ("", text_id(penalty.legal_basis))
        assert bytes(digest) == bytes.fromhex(version.content_hash) and len(bytes(digest)) == 32
        # Readers see what they always saw.
        assert version.payload["decision_date"] == "2026-05-10"
        assert version.legal_basis == penalty.legal_basis
        assert len(version.content_hash) == 64

    def test_bulk_and_service_store_the_same_form(self, market_unit, market_operator, organization):
        penalty = item("penalty")
        payload = payload_for(penalty, decision_date=date(2026, 3, 3))
        records_load([RecordRow(source_unit_id=market_unit.pk, catalog_item=penalty, source_record_id="CF-BULK",
                                subject_id=organization.pk, payload=payload)], actor_label="batch:test")
        record_submit(source_unit=market_unit, item=penalty, source_record_id="CF-ONE", subject=organization,
                      payload=payload, actor=market_operator)
        bulk = Record.objects.get(source_record_id="CF-BULK").current_version
        one = Record.objects.get(source_record_id="CF-ONE").current_version
        assert bulk.packed_payload == one.packed_payload
        assert (bulk.legal_basis_ref, bulk.legal_basis) == (one.legal_basis_ref, one.legal_basis)
        assert bulk.content_hash == one.content_hash
        # Unchanged content is recognised by its stored hash: loading again writes nothing.
        again = records_load([RecordRow(source_unit_id=market_unit.pk, catalog_item=penalty,
                                        source_record_id="CF-BULK", subject_id=organization.pk, payload=payload)],
                             actor_label="batch:test")
        assert again.unchanged == 1

    def test_round_trip_keeps_types_and_the_empty_payload(self):
        payload = {"b": 1, "a": "宁波", "c": None, "d": [1, "x"], "e": {"f": True}}
        texts_ensure([layout_text(payload), layout_text({})])
        assert payload_unpack(payload_pack(payload)) == payload
        assert payload_unpack(payload_pack({})) == {}
        assert payload_unpack({"plain": 1}) == {"plain": 1}  # stored plainly (a collision)

    def test_repeating_values_live_in_the_layout_and_round_trip(self):
        payload = {"authority_name": "宁波市市场监督管理局", "subject_category": "organization", "fine_amount": "500",
                   "court": "x" * 121, "penalty_types": ["罚款"], "procedure": None,
                   "decision_number": "甬市监罚〔2026〕1号"}
        layout, values = payload_layout(payload)
        # Only short strings, numbers and booleans of the named fields are kept; the rest stay in the array.
        assert json.loads(layout) == [sorted(payload), {"authority_name": "宁波市市场监督管理局",
                                                        "subject_category": "organization"}]
        assert values == ["x" * 121, "甬市监罚〔2026〕1号", "500", ["罚款"], None]
        texts_ensure([layout])
        assert payload_unpack(payload_pack(payload)) == payload
        # The same authority and category on another payload: the same layout, the values differ.
        other = {**payload, "decision_number": "甬市监罚〔2026〕2号", "fine_amount": "900"}
        assert payload_layout(other)[0] == layout

    def test_a_layout_looked_up_again_is_the_layout_encoded(self):
        """The layouts are remembered per process (the bulk paths pack every row): a value equal to another of
        another type (True and 1, 1 and 1.0, 0.0 and -0.0) or a payload with other keys never gets another's layout."""
        def encoded(payload: dict[str, Any]) -> str:
            keys = sorted(payload)
            kept = {k: payload[k] for k in keys if k in REPEATING_FIELDS and (
                isinstance(payload[k], (int, float, bool))
                or (isinstance(payload[k], str) and len(payload[k]) <= 120))}
            if not kept:
                return layout_text(keys)
            return json.dumps([keys, kept], ensure_ascii=False, separators=(",", ":"), sort_keys=True)

        base = {"authority_name": "宁波市市场监督管理局", "fine_amount": "500"}
        payloads = [
            {**base, "honour_level": True}, {**base, "honour_level": 1}, {**base, "honour_level": 1.0},
            {**base, "honour_level": 0.0}, {**base, "honour_level": -0.0}, {**base, "honour_level": "1"},
            {**base, "honour_level": "x" * 121}, {**base, "court": "宁波市中级人民法院"}, {"fine_amount": "500"},
            base, {**base, "authority_name": "宁波市税务局"},
        ]
        for _round in range(2):  # the second round reads every layout from the memo
            for payload in payloads:
                layout, values = payload_layout(payload)
                assert layout == encoded(payload), payload
                texts_ensure([layout])
                assert payload_unpack(payload_pack(payload)) == payload
                kept = json.loads(layout)[1] if layout.startswith("[[") else {}
                assert values == [payload[k] for k in sorted(payload) if k not in kept]

    def test_a_layout_of_keys_only_still_decodes(self):
        """Versions stored before the repeating values moved into layouts (a layout of keys only)."""
        layout = layout_text(["authority_name", "fine_amount"])
        texts_ensure([layout])
        assert payload_unpack([text_id(layout), "宁波市市场监督管理局", "500"]) == {
            "authority_name": "宁波市市场监督管理局", "fine_amount": "500"}

    def test_text_id_is_the_first_40_bits_of_sha256(self):
        digest = hashlib.sha256("《行政处罚法》".encode()).digest()
        assert text_id("《行政处罚法》") == int.from_bytes(digest[:5], "big")

    def test_a_taken_id_leaves_the_text_plain(self):
        """Another text already holds the id: this one is not given it (its payloads are stored plainly)."""
        text = '["zz_collision_key"]'
        VersionText.objects.create(pk=text_id(text), value="another text")
        assert texts_ensure([text]) == {text: None}

    def test_a_rolled_back_text_is_stored_again(self):
        text = '["rolled_back_key"]'
        with pytest.raises(RuntimeError), transaction.atomic():
            texts_ensure([text])
            raise RuntimeError
        assert not VersionText.objects.filter(pk=text_id(text)).exists()
        texts_ensure([text])
        assert VersionText.objects.filter(pk=text_id(text), value=text).exists()


@pytest.mark.django_db
def test_filter_on_a_payload_key_finds_packed_versions(market_unit, market_operator, organization):
    penalty = item("penalty")
    for number, types in (("1", "罚款"), ("2", "警告")):
        record_submit(source_unit=market_unit, item=penalty, source_record_id=f"CF-Q-{number}", subject=organization,
                      payload=payload_for(penalty, penalty_types=types), actor=market_operator)
    found = Record.objects.filter(payload_key_q(prefix="current_version__", key="penalty_types",
                                                lookup="icontains", value="警告"))
    assert list(found.values_list("source_record_id", flat=True)) == ["CF-Q-2"]
    exact = Record.objects.filter(payload_key_q(prefix="current_version__", key="penalty_types", value="罚款"))
    assert list(exact.values_list("source_record_id", flat=True)) == ["CF-Q-1"]


@pytest.mark.django_db
def test_filter_on_a_key_kept_in_the_array(market_unit, market_operator, organization):
    penalty = item("penalty")
    for number in ("1", "2"):
        record_submit(source_unit=market_unit, item=penalty, source_record_id=f"CF-N-{number}", subject=organization,
                      payload=payload_for(penalty, decision_number=f"甬罚〔2026〕{number}号"), actor=market_operator)
    found = Record.objects.filter(payload_key_q(prefix="current_version__", key="decision_number",
                                                value="甬罚〔2026〕2号"))
    assert list(found.values_list("source_record_id", flat=True)) == ["CF-N-2"]
