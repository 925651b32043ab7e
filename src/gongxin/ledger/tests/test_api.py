"""The log's public API: tree head, leaves, inclusion and consistency proofs that verify with the RFC 9162
algorithms, and the refusals (stable codes)."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from django.test import Client

from gongxin.ledger import merkle
from gongxin.ledger.services import ledger_integrate
from gongxin.records.load import RecordRow, records_load
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db
API = "/api/v1/ledger"


def _b(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def logged(market_unit, organization) -> int:
    penalty = item("penalty")
    records_load([RecordRow(source_unit_id=market_unit.pk, catalog_item=penalty, source_record_id=f"CF-{i}",
                            subject_id=organization.pk, payload=payload_for(penalty, decision_date=date(2026, 3, 2)))
                  for i in range(13)], actor_label="batch:test")
    return ledger_integrate().size


def test_proofs_through_the_api_verify(logged):
    client = Client()
    tree = client.get(f"{API}/tree").json()
    assert tree["tree_size"] == logged == 13
    for size in (1, 7, 13):
        for index in range(size):
            body = client.get(f"{API}/proofs/inclusion", {"index": index, "size": size}).json()
            leaf = client.get(f"{API}/leaves/{index}").json()
            assert leaf["kind"] == "record.version" and leaf["leaf_hash"] == body["leaf_hash"]
            assert merkle.inclusion_verify(leaf_hash=_b(body["leaf_hash"]), index=index, size=size,
                                           proof=[_b(p) for p in body["proof"]], root=_b(body["root_hash"]))
    roots = {}
    for first in range(1, 14):
        body = client.get(f"{API}/proofs/consistency", {"first": first, "second": 13}).json()
        assert body["second_root"] == tree["root_hash"]
        roots[first] = body["first_root"]
        assert merkle.consistency_verify(size1=first, size2=13, root1=_b(body["first_root"]),
                                         root2=_b(body["second_root"]), proof=[_b(p) for p in body["proof"]])


def test_refusals(logged):
    client = Client()
    assert client.get(f"{API}/leaves/13").json()["code"] == "ledger.leaf_not_found"
    assert client.get(f"{API}/leaves/13").status_code == 404
    answer = client.get(f"{API}/proofs/inclusion", {"index": 0, "size": 14})
    assert (answer.status_code, answer.json()["code"]) == (422, "ledger.tree_size_invalid")
    answer = client.get(f"{API}/proofs/inclusion", {"index": 5, "size": 5})
    assert (answer.status_code, answer.json()["code"]) == (422, "ledger.leaf_not_in_tree")
    answer = client.get(f"{API}/proofs/consistency", {"first": 9, "second": 5})
    assert (answer.status_code, answer.json()["code"]) == (422, "ledger.tree_size_invalid")
