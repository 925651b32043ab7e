"""GET /api/v1/subjects and /api/v1/subjects/{uscc}: public organization data only."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from gongxin.core.crypto import unseal
from gongxin.subjects.identifiers import RIN_CONTEXT
from gongxin.subjects.models import Subject
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db


def test_search_returns_organizations_with_total(client: Client) -> None:
    org = factories.organization_create(name="宁波甬江贸易有限公司")
    factories.organization_create(name="宁波甬江物流有限公司")
    response = client.get("/api/v1/subjects", {"q": "甬江", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert set(item) == {"uscc", "name", "org_kind", "region_code", "status"}
    assert item["name"] == "宁波甬江物流有限公司" or item["uscc"] == org.organization.uscc


def test_search_never_returns_persons(client: Client) -> None:
    person = factories.person_create(name="甬江王五")
    rin = unseal(person.person.rin_sealed, context=RIN_CONTEXT)
    for q in ["甬江王五", rin, rin[:8]]:
        body = client.get("/api/v1/subjects", {"q": q}).json()
        assert body == {"items": [], "total": 0, "total_capped": False}


def test_search_rejects_bad_paging(client: Client) -> None:
    response = client.get("/api/v1/subjects", {"q": "甬江", "limit": 0})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert client.get("/api/v1/subjects", {"q": "甬江", "limit": 101}).status_code == 422
    assert client.get("/api/v1/subjects", {"q": "甬江", "offset": -1}).status_code == 422
    assert client.get("/api/v1/subjects").json() == {"items": [], "total": 0, "total_capped": False}


def test_detail_of_an_organization(client: Client) -> None:
    org = factories.organization_create(name="宁波甬江贸易有限公司", registration_date=date(2015, 3, 18))
    uscc = org.organization.uscc
    response = client.get(f"/api/v1/subjects/{uscc.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["uscc"] == uscc
    assert body["name"] == "宁波甬江贸易有限公司"
    assert body["org_kind"] == "enterprise"
    assert body["status"] == "active"
    assert body["region_code"] == "330203"
    assert body["legal_representative"] == "王五"
    assert body["registration_date"] == "2015-03-18"


def test_detail_unknown_code_is_404(client: Client) -> None:
    response = client.get(f"/api/v1/subjects/{factories.uscc_new()}")
    assert response.status_code == 404
    assert response.json()["code"] == "subject.not_found"
    assert response.json()["message"]


def test_detail_of_a_person_is_404_by_any_code(client: Client, person: Subject) -> None:
    rin = unseal(person.person.rin_sealed, context=RIN_CONTEXT)
    for code in [rin, person.person.rin_masked, str(person.pk)]:
        response = client.get(f"/api/v1/subjects/{code}")
        assert response.status_code in (404, 422)
        assert rin not in response.content.decode()
        assert response.json()["code"] in ("subject.not_found", "subject.invalid_uscc")


def test_detail_malformed_code_is_422(client: Client) -> None:
    for code in ["12345", "91110000600037341M", "9111000060003734IL"]:
        response = client.get(f"/api/v1/subjects/{code}")
        assert response.status_code == 422
        assert response.json()["code"] == "subject.invalid_uscc"
        assert response.json()["message"]


def test_routes_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/subjects" in paths
    assert "/api/v1/subjects/{uscc}" in paths


def test_search_by_pinyin_initials(client: Client) -> None:
    org = factories.organization_create(name="宁波万业贸易有限公司")
    factories.person_create(name="宁波万业")
    body = client.get("/api/v1/subjects", {"q": "nbwy"}).json()
    assert [item["uscc"] for item in body["items"]] == [org.organization.uscc]
    assert (body["total"], body["total_capped"]) == (1, False)
