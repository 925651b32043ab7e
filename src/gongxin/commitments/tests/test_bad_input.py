"""Bad input to the commitments API is refused as invalid (422), never a server error."""

from __future__ import annotations

import pytest

from gongxin.commitments.tests.conftest import post_json
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/commitments"


@pytest.mark.parametrize("query", [
    "type=&department=&matter_code=&matter_name=",
    "type=approval_substitute&department=x&matter_code=&matter_name=x",
    "type=approval_substitute&department=x&matter_code=x&matter_name=" + "名" * 201,
])
def test_eligibility_with_empty_or_overlong_parameters_is_invalid(agent, query):
    response = signed_in(agent).get(f"{BASE}/eligibility?{query}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["details"], body


def test_eligibility_body_with_empty_fields_is_invalid(agent):
    response = post_json(signed_in(agent), f"{BASE}/eligibility",
                         {"type": "", "department": "", "matter_code": "", "matter_name": ""})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_failed"
