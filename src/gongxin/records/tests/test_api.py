"""The records API end to end: API keys, scopes, object-level rules, errors as JSON with codes."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from gongxin.accounts.choices import Scope
from gongxin.accounts.services import api_client_create
from gongxin.records.models import Record
from gongxin.testing.payloads import item, payload_for, uscc_with_check

URL = "/api/v1/records"


@pytest.fixture
def market_key(market_unit) -> str:
    _, key = api_client_create(name="市场监管业务系统", department=market_unit.department,
                               scopes=[Scope.RECORDS_WRITE, Scope.RECORDS_SHARE])
    return key


@pytest.fixture
def ecology_key(ecology_unit) -> str:
    _, key = api_client_create(name="生态环境业务系统", department=ecology_unit.department,
                               scopes=[Scope.RECORDS_WRITE])
    return key


def _body(uscc: str, **payload_overrides) -> dict:
    return {
        "source_unit": "NB-SCJG",
        "item": "penalty",
        "source_record_id": "甬市监罚〔2026〕12号",
        "subject": {"uscc": uscc, "name": "宁波海曙甬江贸易有限公司"},
        "payload": payload_for(item("penalty"), decision_date=date(2026, 6, 1), **payload_overrides),
    }


def _post(client: Client, key: str, body: dict, path: str = URL):
    return client.post(path, body, content_type="application/json", headers={"X-API-Key": key})


@pytest.mark.django_db
class TestRecordsApi:
    def test_submit_create_then_unchanged_then_corrected(self, client, market_key, organization):
        uscc = organization.organization.uscc
        created = _post(client, market_key, _body(uscc))
        assert created.status_code == 201, created.json()
        assert created.json()["outcome"] == "created"
        assert created.json()["version"] == 1

        again = _post(client, market_key, _body(uscc))
        assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")

        corrected = _post(client, market_key, _body(uscc, penalty_types="吊销许可证件"))
        assert (corrected.json()["outcome"], corrected.json()["version"]) == ("corrected", 2)

    def test_public_read_shows_the_record_with_its_clocks(self, client, market_key, organization):
        uscc = organization.organization.uscc
        _post(client, market_key, _body(uscc))
        response = client.get(URL, {"subject": uscc})
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 1
        record = data["records"][0]
        assert record["publicity_max_end"] == "2027-06-01"
        assert record["retention_end"] == "2031-06-01"
        assert record["source_unit_name"] == "宁波市市场监督管理局"

    def test_an_unknown_organization_is_registered_and_flagged(self, client, market_key, db):
        uscc = uscc_with_check("91330212MA2AB0001")
        assert _post(client, market_key, _body(uscc)).status_code == 201
        record = Record.objects.select_related("subject").get()
        assert record.subject.needs_enrichment is True

    def test_another_units_key_is_forbidden(self, client, ecology_key, market_unit, organization):
        response = _post(client, ecology_key, _body(organization.organization.uscc))
        assert response.status_code == 403
        assert response.json()["code"] == "record.not_own_source_unit"
        assert Record.objects.count() == 0

    def test_anonymous_cannot_submit(self, client, organization, market_unit):
        response = client.post(URL, _body(organization.organization.uscc), content_type="application/json")
        assert response.status_code == 403
        assert response.json()["code"] == "record.not_own_source_unit"

    def test_a_wrong_key_is_401_never_anonymous(self, client, organization):
        response = client.get(URL, {"subject": organization.organization.uscc}, headers={"X-API-Key": "gx_nope_x"})
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_api_key"

    def test_invalid_payload_lists_every_problem(self, client, market_key, organization):
        body = _body(organization.organization.uscc)
        body["payload"]["decision_date"] = "2026-02-30"
        body["payload"]["fine_amount"] = "-5"
        response = _post(client, market_key, body)
        assert response.status_code == 422
        data = response.json()
        assert data["code"] == "record.invalid_payload"
        assert {d["field"] for d in data["details"]} >= {"decision_date", "fine_amount"}

    def test_malformed_json_and_unknown_item_are_clear_errors(self, client, market_key, organization):
        response = client.post(URL, "{not json", content_type="application/json", headers={"X-API-Key": market_key})
        assert response.status_code in (400, 422)
        assert "code" in response.json()
        body = _body(organization.organization.uscc)
        body["item"] = "no-such-item"
        response = _post(client, market_key, body)
        assert (response.status_code, response.json()["code"]) == (404, "catalog.item_not_found")
        body = _body(organization.organization.uscc)
        body["source_unit"] = "NO-SUCH-UNIT"
        response = _post(client, market_key, body)
        assert (response.status_code, response.json()["code"]) == (404, "catalog.source_unit_not_found")

    def test_revoke_and_history(self, client, market_key, organization):
        record_id = _post(client, market_key, _body(organization.organization.uscc)).json()["record_id"]
        revoked = _post(client, market_key, {"reason": "复议撤销"}, f"{URL}/{record_id}/revoke")
        assert revoked.status_code == 200 and revoked.json()["version"] == 2
        assert client.get(URL, {"subject": organization.organization.uscc}).json()["count"] == 0
        again = _post(client, market_key, {"reason": "again"}, f"{URL}/{record_id}/revoke")
        assert (again.status_code, again.json()["code"]) == (409, "record.revoked")
        history = client.get(f"{URL}/{record_id}/versions", {"purpose": "sharing"},
                             headers={"X-API-Key": market_key})
        assert history.status_code == 404  # revoked records are not shared

    def test_persons_are_not_found_publicly(self, client, person):
        response = client.get(URL, {"subject": "330203199001011234"})
        assert response.status_code in (404, 422)
        assert response.json()["code"].startswith("subject.")


@pytest.mark.django_db
def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_records_history_shows_the_public_its_source_not_who_typed_it(organization, market_unit):
    """Low of #22: the versions API gave anyone the operator's login (``user:<username>``) and internal reasons."""
    from gongxin.accounts.models import User

    operator = User.objects.create_user(username="scjg-wang", password="x", role="operator",
                                        department=market_unit.department)
    staff = User.objects.create_user(username="credit-li", password="x", role="staff")
    desk = Client()
    desk.force_login(operator)
    body = {**_body(organization.organization.uscc), "reason": "内部核对：王科长电话确认"}
    created = desk.post(URL, body, content_type="application/json")
    assert created.status_code == 201, created.content
    record_id = created.json()["record_id"]

    public = Client().get(f"{URL}/{record_id}/versions", {"purpose": "public"})
    assert public.status_code == 200
    (version,) = public.json()
    assert version["actor"] == version["source_unit_name"] == "宁波市市场监督管理局"
    assert version["reason"] == "" and version["legal_basis"]
    assert "scjg-wang" not in public.content.decode() and "王科长" not in public.content.decode()

    office = Client()
    office.force_login(staff)
    (internal,) = office.get(f"{URL}/{record_id}/versions", {"purpose": "staff"}).json()
    # The office sees the login (by name when it has one; never the raw "user:" label) and the reason.
    assert internal["actor"] == "scjg-wang" and internal["reason"] == body["reason"]
