"""GET /api/v1/listings/publicity: the double-publicity listing in the API, with the page's filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongxin.core import clock
from gongxin.portal.tests import publicity_factories as pf
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/publicity"


def _ids(client, **params) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.json()
    return [item["record_id"] for item in response.json()["items"]]


def test_lists_public_licences_and_penalties_with_their_public_fields(client, acme, source_unit):
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    licence = factories.licence_create(subject=acme, source_unit=source_unit, decided=clock.today())
    factories.honour_create(subject=acme, source_unit=source_unit)
    factories.penalty_create(subject=factories.person_create(name="孙七"), source_unit=source_unit)

    body = client.get(URL).json()

    assert body["count"]["value"] == 2 and body["count"]["exactness"] == "exact" and body["limit"] == 20
    assert body["next"] is None and body["previous"] is None
    assert [item["record_id"] for item in body["items"]] == [licence.pk, penalty.pk]
    item = body["items"][1]
    version = penalty.current_version
    assert item["kind"] == "penalty"
    assert item["uscc"] == acme.organization.uscc
    assert item["subject_name"] == acme.name
    assert item["decision_number"] == version.payload["decision_number"]
    assert item["type"] == "罚款"
    assert item["decision_date"] == version.decision_date.isoformat()
    assert item["publicity_end"] == version.publicity_max_end.isoformat()
    assert item["source_unit_name"] == factories.SOURCE_UNIT_NAME
    codes = {field["code"] for field in item["fields"]}
    assert "decision_number" in codes and "id_number" not in codes
    assert pf.PERSONAL_ID not in str(body)
    assert "孙七" not in str(body)
    assert body["items"][0]["publicity_end"] is None  # licences have no publicity end


def test_filters(client, source_unit):
    today = clock.today()
    haishu = pf.organization_in(name="宁波海曙戊公司", district="330203")
    beilun = pf.organization_in(name="宁波北仑己公司", district="330206")
    fine = factories.penalty_create(subject=haishu, source_unit=source_unit, decided=today - timedelta(days=100))
    closure = factories.penalty_create(subject=beilun, source_unit=source_unit, penalty_types="责令停产停业",
                                       decided=today - timedelta(days=10))
    franchise = pf.licence_of(subject=beilun, source_unit=pf.ecology_unit_create(), category="franchise",
                              decided=today - timedelta(days=20))

    assert _ids(client, kind="licence") == [franchise.pk]
    assert _ids(client, department="sthjj") == [franchise.pk]
    assert _ids(client, district="330203") == [fine.pk]
    assert _ids(client, type="责令停产停业") == [closure.pk]
    assert _ids(client, type="franchise") == [franchise.pk]
    assert _ids(client, date_from=(today - timedelta(days=15)).isoformat()) == [closure.pk]
    assert _ids(client, date_to=(today - timedelta(days=50)).isoformat()) == [fine.pk]


def test_pages_by_cursor(client, acme, source_unit):
    today = clock.today()
    records = [factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=n + 1))
               for n in range(5)]
    ids = [r.pk for r in records]
    body = client.get(URL, {"limit": 2}).json()
    assert body["count"] == {"value": 5, "exactness": "exact", "text": "5"}
    assert body["limit"] == 2 and body["previous"] is None
    seen = [i["record_id"] for i in body["items"]]
    while body["next"]:
        body = client.get(URL, {"limit": 2, "cursor": body["next"]}).json()
        seen += [i["record_id"] for i in body["items"]]
    assert seen == ids
    assert body["previous"] is not None
    back = client.get(URL, {"limit": 2, "cursor": body["previous"]}).json()
    assert [i["record_id"] for i in back["items"]] == ids[2:4]
    last = client.get(URL, {"limit": 2, "cursor": "last"}).json()
    assert [i["record_id"] for i in last["items"]] == ids[3:] and last["next"] is None
    # The numbered pages of before are still read, up to page 50.
    assert [i["record_id"] for i in client.get(URL, {"limit": 2, "page": 2}).json()["items"]] == ids[2:4]
    assert client.get(URL, {"limit": 51}).status_code == 422
    assert client.get(URL, {"page": 51}).status_code == 422


def test_a_bad_cursor_is_400_with_a_code(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    response = client.get(URL, {"cursor": "eyJiIjowfQ:forged"})
    assert response.status_code == 400
    assert response.json()["code"] == "paging.cursor_invalid" and response.json()["message"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"department": "nope"}, "listing.unknown_department"),
        ({"district": "999999"}, "listing.unknown_district"),
        ({"kind": "honour"}, "listing.unknown_kind"),
        ({"type": "nope"}, "listing.unknown_type"),
        ({"kind": "penalty", "type": "ordinary"}, "listing.type_kind_mismatch"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "listing.invalid_date_range"),
        ({"date_from": "2026-02-30"}, "validation_failed"),
    ],
)
def test_bad_filters_are_422_with_a_code_and_a_message(client, source_unit, params, code):
    response = client.get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operation = paths[URL]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"kind", "department", "district", "type", "date_from", "date_to", "cursor", "limit"} <= names
