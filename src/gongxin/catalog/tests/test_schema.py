"""payload_validate: canonical payloads and every kind of problem, collected together."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gongxin.catalog.models import CatalogItem
from gongxin.catalog.schema import (
    CatalogValidationFailed,
    _uscc_checksum_ok,
    fields_label_map,
    fields_schema_problems,
    payload_validate,
)
from gongxin.catalog.selectors import item_by_code, items_current
from gongxin.core.errors import ValidationFailed
from gongxin.testing.payloads import COMPANY_USCC, licence_payload, penalty_payload

pytestmark = pytest.mark.usefixtures("june_2026")


def problems(item: CatalogItem, payload: dict[str, Any]) -> dict[str, str]:
    """field -> problem code."""
    with pytest.raises(CatalogValidationFailed) as caught:
        payload_validate(item=item, payload=payload)
    return {d["field"]: d["code"] for d in caught.value.details}


def test_valid_penalty_is_canonicalized(penalty_item: CatalogItem) -> None:
    payload = penalty_payload(
        subject_category="法人及非法人组织",          # label accepted
        uscc=" " + COMPANY_USCC.lower() + " ",
        id_number="  330203199001011234 ",
        decision_date="2026年5月10日",
        penalty_valid_until="2027/5/10",
        publicity_deadline=date(2027, 5, 10),
        fine_amount=Decimal("12345.5"),
        confiscation_amount=0,
        remarks="   ",                                 # empty optional: dropped
        licence_suspended="",
    )
    canonical = payload_validate(item=penalty_item, payload=payload)
    assert canonical["subject_category"] == "organization"
    assert canonical["uscc"] == COMPANY_USCC
    assert canonical["id_number"] == "330203199001011234"
    assert canonical["decision_date"] == "2026-05-10"
    assert canonical["penalty_valid_until"] == "2027-05-10"
    assert canonical["publicity_deadline"] == "2027-05-10"
    assert canonical["fine_amount"] == "12345.50"
    assert canonical["confiscation_amount"] == "0.00"
    assert "remarks" not in canonical
    assert "licence_suspended" not in canonical
    assert list(canonical) == [f["code"] for f in penalty_item.fields if f["code"] in canonical]


@pytest.mark.parametrize("raw", ["2026-05-10", "2026/05/10", "2026.5.10", "20260510", "2026-05-10 00:00:00",
                                 "2026-05-10T08:30:00", "2026年05月10日"])
def test_date_formats(penalty_item: CatalogItem, raw: str) -> None:
    assert payload_validate(item=penalty_item, payload=penalty_payload(decision_date=raw))["decision_date"] == (
        "2026-05-10"
    )


def test_enum_accepts_code_label_and_code_in_other_case(licence_item: CatalogItem) -> None:
    for raw in ("特许", "franchise", "FRANCHISE"):
        canonical = payload_validate(item=licence_item, payload=licence_payload(licence_category=raw))
        assert canonical["licence_category"] == "franchise"


def test_decimal_is_a_plain_string(catalog: None) -> None:
    item = item_by_code("voluntary_performance")
    payload: dict[str, Any] = {"subject_name": "李四", "subject_category": "自然人",
                               "case_number": "（2026）浙0203执100号", "court": "宁波市海曙区人民法院",
                               "performance_date": "2026-05-01", "performance_amount": "1,000.50"}
    assert payload_validate(item=item, payload=payload)["performance_amount"] == "1000.5"
    payload["performance_amount"] = 200
    assert payload_validate(item=item, payload=payload)["performance_amount"] == "200"
    payload["performance_amount"] = "-0.000"
    assert payload_validate(item=item, payload=payload)["performance_amount"] == "0"


def test_money_zero_is_plain(penalty_item: CatalogItem) -> None:
    assert payload_validate(item=penalty_item, payload=penalty_payload(fine_amount="-0"))["fine_amount"] == "0.00"
    assert payload_validate(item=penalty_item, payload=penalty_payload(fine_amount=500))["fine_amount"] == "500.00"


def test_error_shape(penalty_item: CatalogItem) -> None:
    with pytest.raises(CatalogValidationFailed) as caught:
        payload_validate(item=penalty_item, payload=penalty_payload(fine_amount="-1"))
    error = caught.value
    assert isinstance(error, ValidationFailed)
    assert error.code == "record.invalid_payload"
    assert error.status == 422
    assert error.details == [{
        "field": "fine_amount", "label": "罚款金额（万元）", "value": "-1", "code": "negative",
        "reason": error.details[0]["reason"],
    }]
    assert error.details[0]["reason"]
    assert error.as_dict()["details"] == error.details


@pytest.mark.parametrize(("field", "value", "code"), [
    ("decision_number", None, "required"),
    ("decision_number", "   ", "required"),
    ("decision_date", "2026-02-30", "invalid_date"),
    ("decision_date", "next week", "invalid_date"),
    ("decision_date", "2026-06-02", "future_date"),
    ("penalty_valid_until", "2026-05-09", "before_start"),
    ("fine_amount", "a lot", "invalid_number"),
    ("fine_amount", "NaN", "invalid_number"),
    ("fine_amount", True, "invalid_number"),
    ("fine_amount", "-0.01", "negative"),
    ("fine_amount", "10.005", "too_precise"),
    ("subject_category", "公司", "invalid_choice"),
    ("uscc", "91330200MA2CJ0WX7", "invalid_uscc"),
    ("uscc", "91330200MA2CJ0WX7I", "invalid_uscc"),
    ("uscc", "91330200MA2CJ0WX7U", "invalid_uscc_checksum"),
    ("subject_name", "某" * 201, "too_long"),
    ("violation_type", ["a", "b"], "invalid_text"),
])
def test_each_problem_kind(penalty_item: CatalogItem, field: str, value: Any, code: str) -> None:
    payload = penalty_payload()
    payload[field] = value
    if value is None:
        del payload[field]
    assert problems(penalty_item, payload) == {field: code}


def test_unknown_keys_are_rejected(penalty_item: CatalogItem) -> None:
    assert problems(penalty_item, penalty_payload(home_address="某路1号")) == {"home_address": "unknown_field"}


def test_validity_end_not_before_start(licence_item: CatalogItem) -> None:
    assert problems(licence_item, licence_payload(valid_to="2026-03-01")) == {"valid_to": "before_start"}
    # long-term licences end on 2099-12-31
    assert payload_validate(item=licence_item, payload=licence_payload(valid_to="2099/12/31"))["valid_to"] == (
        "2099-12-31"
    )


def test_today_is_not_the_future(penalty_item: CatalogItem) -> None:
    canonical = payload_validate(item=penalty_item, payload=penalty_payload(decision_date="2026-06-01",
                                                                            penalty_valid_until="2026-06-01"))
    assert canonical["decision_date"] == "2026-06-01"


def test_all_problems_are_reported_at_once(penalty_item: CatalogItem) -> None:
    payload = penalty_payload(
        subject_name=None, uscc="123", fine_amount="-5", decision_date="2030-01-01", subject_category="x",
        colour="red",
    )
    with pytest.raises(CatalogValidationFailed) as caught:
        payload_validate(item=penalty_item, payload=payload)
    details = {d["field"]: d for d in caught.value.details}
    assert {f: d["code"] for f, d in details.items()} == {
        "colour": "unknown_field",
        "subject_name": "required",
        "subject_category": "invalid_choice",
        "uscc": "invalid_uscc",
        "fine_amount": "negative",
        "decision_date": "future_date",
        "penalty_valid_until": "before_start",
    }
    assert details["subject_name"]["label"] == "行政相对人名称"
    assert details["uscc"]["value"] == "123"
    assert "法人及非法人组织" in details["subject_category"]["reason"]


def test_boolean_field() -> None:
    item = CatalogItem(code="t", fields=[
        {"code": "flag", "label": "标志", "label_en": "Flag", "type": "boolean", "required": True,
         "personal": False},
    ])
    for raw, expected in ((True, True), ("是", True), ("yes", True), ("0", False), ("否", False)):
        assert payload_validate(item=item, payload={"flag": raw}) == {"flag": expected}
    assert problems(item, {"flag": "maybe"}) == {"flag": "invalid_boolean"}


def test_uscc_checksum() -> None:
    assert _uscc_checksum_ok("91350100M000100Y43")
    assert _uscc_checksum_ok(COMPANY_USCC)
    assert not _uscc_checksum_ok("91350100M000100Y44")
    assert not _uscc_checksum_ok("91350100M000100Y4")


def test_fields_label_map(penalty_item: CatalogItem) -> None:
    labels = fields_label_map(penalty_item)
    assert labels["fine_amount"] == "罚款金额（万元）"
    assert labels["decision_date"] == "处罚决定日期"
    assert len(labels) == len(penalty_item.fields)


def test_seeded_schemas_are_well_formed(catalog: None) -> None:
    for item in items_current():
        assert fields_schema_problems(item.fields) == [], item.code
        codes = {f["code"] for f in item.fields}
        assert set(item.natural_key) <= codes, item.code
        assert item.decision_date_field in codes, item.code


def test_schema_problems_are_found() -> None:
    bad = [
        {"code": "Bad Code", "label": "", "type": "colour", "required": "yes", "personal": False},
        {"code": "e", "label": "枚举", "type": "enum", "required": False, "personal": False, "enum": []},
        {"code": "e", "label": "重复", "type": "date", "required": False, "personal": False, "not_before": "x"},
    ]
    found = fields_schema_problems(bad)
    assert any("snake_case" in p for p in found)
    assert any("unknown type" in p for p in found)
    assert any("required must be" in p for p in found)
    assert any("enum needs" in p for p in found)
    assert any("duplicate" in p for p in found)
    assert any("not_before" in p for p in found)
    assert fields_schema_problems("nope") == ["the field schema must be a list"]
