"""GET /api/v1/catalog/...: items, one item's schema, source units, policies."""

from __future__ import annotations

import pytest
from django.test import Client

from gongxin.catalog.tests.factories import source_unit_create

pytestmark = pytest.mark.usefixtures("catalog")


def test_items(client: Client) -> None:
    response = client.get("/api/v1/catalog/items")
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()}
    assert items["penalty"]["name"] == "行政处罚信息"
    assert items["penalty"]["polarity"] == "negative"
    assert items["penalty"]["edition"] == "2026"
    assert items["penalty"]["source_unit"] is None
    assert items["honour"]["list_type_code"] == "red_list"
    assert "fields" not in items["penalty"]


def test_item_detail_with_schema(client: Client) -> None:
    response = client.get("/api/v1/catalog/items/penalty")
    assert response.status_code == 200
    body = response.json()
    assert body["natural_key"] == ["decision_number"]
    assert body["decision_date_field"] == "decision_date"
    fields = {f["code"]: f for f in body["fields"]}
    assert fields["fine_amount"]["label"] == "罚款金额（万元）"
    assert fields["fine_amount"]["type"] == "money_wan"
    assert fields["id_number"]["personal"] is True
    assert fields["subject_category"]["enum"][0] == {"code": "organization", "label": "法人及非法人组织"}
    assert fields["penalty_valid_until"]["not_before"] == "decision_date"


def test_unknown_item_is_404(client: Client) -> None:
    response = client.get("/api/v1/catalog/items/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "catalog.item_not_found"


def test_source_units(client: Client) -> None:
    source_unit_create()
    source_unit_create(code="old", name="已撤销单位", domain="", is_active=False)
    response = client.get("/api/v1/catalog/source-units")
    assert response.status_code == 200
    assert response.json() == [{"code": "nbamr", "name": "宁波市市场监督管理局", "domain": "market_regulation",
                                "level": "city", "region_code": "330200"}]


def test_policies_by_kind_and_jurisdiction(client: Client) -> None:
    response = client.get("/api/v1/catalog/policies", {"kind": "retention", "jurisdiction": "CN-ZJ-NB"})
    assert response.status_code == 200
    [policy] = response.json()
    assert policy["code"] == "retention.zj"
    assert policy["params"] == {"years": 5}
    assert policy["effective_to"] is None
    assert "浙江省公共信用信息管理条例" in policy["legal_basis"]
    assert client.get("/api/v1/catalog/policies", {"kind": "retention", "jurisdiction": "CN-GD"}).json() == []
    publicity = client.get("/api/v1/catalog/policies", {"kind": "publicity"}).json()
    assert {p["code"] for p in publicity} >= {"publicity.cn.2019", "publicity.cn.order36", "publicity.cn.samr107"}
    everything = client.get("/api/v1/catalog/policies").json()
    assert len(everything) > len(publicity)


def test_policies_unknown_kind_is_422(client: Client) -> None:
    response = client.get("/api/v1/catalog/policies", {"kind": "colour"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
