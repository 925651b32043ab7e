"""The catalog admin pages render, and a malformed field schema is refused."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongxin.catalog.models import CatalogItem
from gongxin.catalog.tests.factories import source_unit_create


@pytest.mark.parametrize("model", ["sourceunit", "catalogedition", "catalogitem", "policy"])
def test_changelists_render(admin_client: Client, catalog: None, model: str) -> None:
    source_unit_create()
    assert admin_client.get(f"/admin/catalog/{model}/").status_code == 200


def test_item_form_refuses_a_bad_schema(admin_client: Client, penalty_item: CatalogItem) -> None:
    url = f"/admin/catalog/catalogitem/{penalty_item.pk}/change/"
    assert admin_client.get(url).status_code == 200
    data = {
        "edition": penalty_item.edition_id, "code": "penalty", "name": penalty_item.name, "name_en": "",
        "source_unit": "", "subject_kinds": json.dumps(penalty_item.subject_kinds),
        "category": penalty_item.category, "record_kind": "penalty", "polarity": "negative",
        "fields": json.dumps([{"code": "Bad", "label": "", "type": "colour", "required": True, "personal": False}]),
        "natural_key": json.dumps(["decision_number"]), "decision_date_field": "decision_date",
        "disclosure_level": "public", "default_severity": "general", "list_type_code": "",
        "legal_basis": "x", "update_frequency": "daily", "is_active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200          # the form again, with errors
    assert "snake_case" in response.content.decode()
    penalty_item.refresh_from_db()
    assert penalty_item.field("fine_amount") is not None
