"""The sharing API as business systems call it: subscribe (secret once), follow subjects in bulk, the change
feed (paging, stable order, the same content as webhooks, nothing personal in the clear, logged as
inquiries), and each client seeing only its own."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from gongxin.access.models import Inquiry
from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing.content import deliveries_content
from gongxin.sharing.delivery import webhook_body
from gongxin.sharing.models import Delivery, Subscription
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.models import Person
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/sharing"


def _post(http: Client, path: str, body: dict[str, Any]) -> Any:  # the test client's response
    return http.post(f"{BASE}{path}", data=json.dumps(body), content_type="application/json")


def _subscribe(caller: ApiCaller, **body: Any) -> dict[str, Any]:
    response = _post(caller.http(), "/subscriptions", {"name": "采购主体", **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_subscribe_shows_the_secret_once(gov):
    created = _subscribe(gov, webhook_url="https://hooks.example.test/gongxin",
                         filters={"record_kinds": ["penalty"], "list_types": ["serious_dishonesty"]})
    assert created["secret"].startswith("whsec_")
    assert created["purpose"] == "sharing"
    assert created["filters"] == {"items": [], "record_kinds": ["penalty"], "list_types": ["serious_dishonesty"]}
    again = gov.http().get(f"{BASE}/subscriptions/{created['id']}").json()
    assert again["secret"] is None
    assert created["secret"] not in Subscription.objects.get(pk=created["id"]).secret_sealed
    rotated = _post(gov.http(), f"/subscriptions/{created['id']}/secret", {}).json()["secret"]
    assert rotated != created["secret"]


@pytest.mark.parametrize("url", ["http://hooks.example.test/x", "ftp://127.0.0.1/x", "https://u:p@h.test/x",
                                 "not a url"])
def test_webhook_must_be_https(gov, url):
    response = _post(gov.http(), "/subscriptions", {"name": "x", "webhook_url": url})
    assert response.status_code == 422
    assert response.json()["code"] == "sharing.webhook_url_invalid"


def test_unknown_filters_are_named(gov):
    response = _post(gov.http(), "/subscriptions", {"name": "x", "filters": {"items": ["penalty", "nope"],
                                                                            "record_kinds": ["bogus"]}})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "sharing.unknown_filter"
    assert body["details"] == {"items": ["nope"], "record_kinds": ["bogus"]}


def test_follow_subjects_in_bulk_by_uscc_and_rin(gov, market, acme, other_org, person):
    created = _subscribe(gov)
    rin = rin_generate(area="330203", birth_date=date(1985, 5, 5), sequence=7)
    response = _post(gov.http(), f"/subscriptions/{created['id']}/subjects", {
        "add": [acme.organization.uscc, other_org.organization.uscc.lower(), "91330200MA0000000X", rin,
                "不是代码"],
    })
    body = response.json()
    assert body["added"] == 2
    assert "不是代码" in body["unknown"] and rin not in body["unknown"]  # RINs are echoed masked only
    assert any(code.startswith("*" * 14) for code in body["unknown"])
    removed = _post(gov.http(), f"/subscriptions/{created['id']}/subjects",
                    {"remove": [other_org.organization.uscc]}).json()
    assert removed["removed"] == 1
    assert gov.http().get(f"{BASE}/subscriptions/{created['id']}").json()["subjects"] == 1

    # A market system may follow organizations, not persons.
    theirs = _subscribe(market)
    denied = _post(market.http(), f"/subscriptions/{theirs['id']}/subjects", {"add": [rin]})
    assert denied.status_code == 403
    assert denied.json()["code"] == "sharing.persons_not_allowed"


def _rin_that_passes_the_uscc_check() -> str:
    from gongxin.subjects.identifiers import uscc_is_valid

    return next(rin for n in range(1, 999)
                if uscc_is_valid(rin := rin_generate(area="330203", birth_date=date(1990, 1, 1), sequence=n)))


def test_a_rin_that_also_passes_the_uscc_check_is_a_persons_code(market, gov):
    """About one RIN in 31 is also a well-formed USCC; with no organization holding it, it is a person's code —
    refused to a client that may not follow persons whether the person exists or not, never an unknown USCC."""
    rin = _rin_that_passes_the_uscc_check()
    theirs = _subscribe(market)
    unknown = _post(market.http(), f"/subscriptions/{theirs['id']}/subjects", {"add": [rin]})
    from gongxin.subjects.services import person_register

    person_register(rin=rin, name="张三", region_code="330203", actor_label="tests")
    known = _post(market.http(), f"/subscriptions/{theirs['id']}/subjects", {"add": [rin]})
    assert unknown.status_code == known.status_code == 403
    assert unknown.json() == known.json()
    assert known.json()["code"] == "sharing.persons_not_allowed"
    mine = _subscribe(gov)
    added = _post(gov.http(), f"/subscriptions/{mine['id']}/subjects", {"add": [rin]}).json()
    assert added["added"] == 1 and added["unknown"] == []


def test_each_client_sees_only_its_own(gov, market, acme, unit):
    mine = _subscribe(gov, all_subjects=True)
    theirs = _subscribe(market, all_subjects=True)
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    assert [s["id"] for s in gov.http().get(f"{BASE}/subscriptions").json()] == [mine["id"]]
    assert market.http().get(f"{BASE}/subscriptions/{mine['id']}").status_code == 404
    assert _post(market.http(), f"/subscriptions/{mine['id']}/replay", {"from_sequence": 0}).status_code == 404
    assert market.http().get(f"{BASE}/changes?subscription={mine['id']}").status_code == 404
    gov_items = gov.http().get(f"{BASE}/changes").json()["items"]
    market_items = market.http().get(f"{BASE}/changes").json()["items"]
    assert [i["subscription"] for i in gov_items] == [mine["id"]]
    assert [i["subscription"] for i in market_items] == [theirs["id"]]


def test_change_feed_pages_in_a_stable_order(gov, acme, other_org, unit):
    _subscribe(gov, all_subjects=True)
    for _ in range(3):
        factories.penalty_create(subject=acme, source_unit=unit)
        factories.licence_create(subject=other_org, source_unit=unit)
    outbox_dispatch()
    seen: list[int] = []
    cursor = ""
    pages = 0
    while True:
        page = gov.http().get(f"{BASE}/changes", {"cursor": cursor, "limit": 4}).json()
        seen += [item["sequence"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == 2
    assert seen == sorted(seen) and len(seen) == 6
    assert seen == list(Delivery.objects.order_by("id").values_list("id", flat=True))
    # At the end the cursor stays where it is; later changes come after it.
    empty = gov.http().get(f"{BASE}/changes", {"cursor": cursor}).json()
    assert empty["items"] == [] and empty["next_cursor"] == cursor
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    assert len(gov.http().get(f"{BASE}/changes", {"cursor": cursor}).json()["items"]) == 1
    assert gov.http().get(f"{BASE}/changes", {"cursor": "abc"}).json()["code"] == "sharing.cursor_invalid"


def test_feed_content_is_disclosed_masked_and_logged(gov, person, unit):
    _subscribe(gov, all_subjects=True)
    record = factories.penalty_create(subject=person, source_unit=unit, id_number="330203199001010012")
    outbox_dispatch()
    before = Inquiry.objects.filter(subject=person).count()
    response = gov.http().get(f"{BASE}/changes")
    text = response.content.decode()
    (item,) = response.json()["items"]
    rin_plain = Person.objects.get(subject=person).rin_masked
    assert item["subject"]["code"] == rin_plain and "*" in rin_plain
    assert "330203199001010012" not in text  # the personal field is masked
    fields = {f["code"]: f["value"] for f in item["content"]["fields"]}
    assert fields["id_number"] == "**************0012"
    assert item["content"]["record_id"] == record.pk and item["visible"] is True
    assert Inquiry.objects.filter(subject=person, viewer_client=gov.client).count() == before + 1


def test_a_record_that_left_the_view_arrives_as_not_visible(gov, acme, unit):
    _subscribe(gov, all_subjects=True)
    record = factories.penalty_create(subject=acme, source_unit=unit)
    factories.repair_mark(record)
    outbox_dispatch()
    items = gov.http().get(f"{BASE}/changes").json()["items"]
    assert [i["topic"] for i in items] == ["records.record.created", "records.record.repaired"]
    # Disclosed when read: the repaired record has left the sharing view, so both say so.
    assert [i["visible"] for i in items] == [False, False]
    assert all(i["content"] is None for i in items)


def test_webhook_and_feed_carry_the_same_content(gov, acme, unit):
    created = _subscribe(gov, all_subjects=True)
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    (feed_item,) = gov.http().get(f"{BASE}/changes").json()["items"]
    subscription = Subscription.objects.select_related("client").get(pk=created["id"])
    (hook_item,) = deliveries_content(list(Delivery.objects.filter(subscription=subscription)),
                                      client=subscription.client, purpose=subscription.purpose)
    assert json.loads(webhook_body(hook_item)) == feed_item


def test_anonymous_and_signed_in_people_cannot_subscribe(db, staff):
    assert _post(Client(), "/subscriptions", {"name": "x"}).status_code == 401
    response = _post(signed_in(staff), "/subscriptions", {"name": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "sharing.not_a_client"


def test_deliveries_endpoint_and_a_client_that_lost_its_scope(gov, acme, unit):
    created = _subscribe(gov, all_subjects=True)
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    rows = gov.http().get(f"{BASE}/subscriptions/{created['id']}/deliveries", {"state": "feed"}).json()
    assert [(r["topic"], r["state"]) for r in rows] == [("records.record.created", "feed")]
    assert gov.http().get(f"{BASE}/subscriptions/{created['id']}/deliveries", {"state": "pending"}).json() == []
    # Without records:share the sharing view is closed: items stay in the feed, their content does not.
    gov.client.scopes = ["subjects:read"]
    gov.client.save(update_fields=["scopes"])
    (item,) = gov.http().get(f"{BASE}/changes").json()["items"]
    assert item["visible"] is False and item["content"] is None


def test_a_feed_page_costs_the_same_queries_at_any_size(gov, acme, unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongxin.sharing.selectors import changes_page

    _subscribe(gov, all_subjects=True)
    for _ in range(12):
        factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    counts = []
    for limit in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            page = changes_page(viewer=gov.viewer, limit=limit)
        assert len(page.items) == limit
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
