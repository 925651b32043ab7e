"""No caller who is not entitled to a person may learn whether a RIN exists (issue #22, Critical 1).

Every endpoint taking a RIN is tried with a known RIN, an unknown valid one and a malformed one, by each
persona not entitled to the person: anonymous, an unrelated signed-in person, an API client without
entitlement, and a benefit provider without the person's consent. Known and unknown must get the same
status and the same body (code, message, details). The endpoints come from the OpenAPI document: one
that takes a ``rin`` or ``subject_code`` and is missing from ``ENDPOINTS`` fails the test, so a new one
cannot be forgotten; page forms taking one must be listed in ``PAGES`` the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department, User
from gongxin.accounts.services import api_client_create
from gongxin.subjects.identifiers import rin_generate
from gongxin.testing import factories
from gongxin.testing.benefits import library_department, library_key, scenario, scenarios  # noqa: F401

# Throttles off here: this test asks many times on purpose (the throttle has its own tests).
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("no_throttle")]

FIELDS = {"rin", "subject_code"}
Body = Callable[[str], dict[str, Any]]

# (method, path as in the OpenAPI document) -> (path to call, body with the RIN in it)
ENDPOINTS: dict[tuple[str, str], tuple[str, Body]] = {
    ("POST", "/api/v1/reports"): ("/api/v1/reports", lambda rin: {"subject": {"rin": rin}, "kind": "person"}),
    ("POST", "/api/v1/consents/query"): ("/api/v1/consents/query", lambda rin: {"rin": rin,
                                                                              "purpose": "authorized"}),
    ("POST", "/api/v1/checks"): ("/api/v1/checks", lambda rin: {"matter": "any", "rin": rin}),
    ("POST", "/api/v1/checks/batch"): ("/api/v1/checks/batch", lambda rin: {"matter": "any",
                                                                          "subjects": [{"rin": rin}]}),
    ("POST", "/api/v1/records"): ("/api/v1/records", lambda rin: {
        "source_unit": "scjgj", "catalog_item": "penalty", "source_record_id": "oracle-1",
        "subject": {"rin": rin, "name": "张三"}, "payload": {}}),
    ("POST", "/api/v1/commitments/eligibility"): ("/api/v1/commitments/eligibility", lambda rin: {
        "type": "any", "department": "any", "matter_code": "m", "matter_name": "m", "rin": rin}),
    ("POST", "/api/v1/commitments"): ("/api/v1/commitments", lambda rin: {
        "type": "any", "department": "any", "matter_code": "m", "matter_name": "m", "rin": rin,
        "signer_name": "张三", "accepted": True, "text_sha256": "0" * 64}),
    ("POST", "/api/v1/commitments/payouts"): ("/api/v1/commitments/payouts", lambda rin: {
        "matter": "m", "rin": rin, "amount": "10.00", "reference": "r-1"}),
    ("POST", "/api/v1/benefits/scenarios/{code}/eligibility"): (
        "/api/v1/benefits/scenarios/test_borrowing/eligibility", lambda rin: {"subject_code": rin}),
    ("POST", "/api/v1/benefits/scenarios/{code}/usages"): (
        "/api/v1/benefits/scenarios/test_borrowing/usages", lambda rin: {"subject_code": rin, "reference": "u-1"}),
    # Naming a firm's agent by name and RIN: only the firm's legal representative gets past the door.
    ("POST", "/api/v1/agents/mandates"): ("/api/v1/agents/mandates", lambda rin: {
        "organization_id": 1, "name": "张三", "rin": rin, "capabilities": ["reports"],
        "valid_from": "2026-06-01", "valid_until": "2026-06-30"}),
}
# Taking RINs in a list the OpenAPI names otherwise: tried as well.
EXTRA = {
    ("POST", "/api/v1/sharing/subscriptions/{subscription_id}/subjects"): (
        "/api/v1/sharing/subscriptions/1/subjects", lambda rin: {"add": [rin]}),
}
# Pages whose forms take a RIN (none today): "url name" -> (path, form data builder).
PAGES: dict[str, tuple[str, Body]] = {}


@pytest.fixture
def no_throttle():
    names = ("rin_lookup.caller", "rin_lookup.address", "report_issue.caller", "report_issue.address")
    with override_settings(GONGXIN_THROTTLE_RATES=dict.fromkeys(names, "0/60")):
        yield


def _schema_fields(schema: Any, components: dict[str, Any], seen: tuple[str, ...] = ()) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return set() if name in seen else _schema_fields(components.get(name, {}), components, (*seen, name))
    found: set[str] = set()
    for key, value in (schema.get("properties") or {}).items():
        found |= {key} | _schema_fields(value, components, seen)
    for key in ("items", "additionalProperties"):
        found |= _schema_fields(schema.get(key), components, seen)
    for key in ("anyOf", "allOf", "oneOf"):
        for part in schema.get(key) or []:
            found |= _schema_fields(part, components, seen)
    return found


def _endpoints_taking_a_rin() -> set[tuple[str, str]]:
    from gongxin.api import api

    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    taking = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                names |= _schema_fields(content.get("schema", {}), components)
            if names & FIELDS:
                taking.add((method.upper(), path))
    return taking


def test_every_endpoint_taking_a_rin_is_in_the_table():
    missing = _endpoints_taking_a_rin() - set(ENDPOINTS)
    assert not missing, f"add these endpoints to ENDPOINTS (and make them answer uniformly): {sorted(missing)}"


def test_every_page_form_taking_a_rin_is_in_the_table():
    root = Path(__file__).resolve().parents[2] / "src" / "gongxin"
    pattern = re.compile(r"""name=["'](rin|subject_code)["']""")
    templates = [p for p in root.rglob("*.html") if pattern.search(p.read_text(encoding="utf-8"))]
    forms = [p for p in root.rglob("forms.py") if re.search(r"^\s+(rin|subject_code)\s*=\s*forms\.",
                                                           p.read_text(encoding="utf-8"), re.M)]
    assert len(templates) + len(forms) <= len(PAGES), f"list these pages in PAGES: {templates + forms}"


def _personas(library_key) -> dict[str, Client]:  # noqa: F811
    outsider_department = Department.objects.create(code="NB-ORACLE", name="无关单位", region_code="330200")
    _client, outsider_key = api_client_create(name="无关系统", department=outsider_department,
                                              scopes=["records:read_public", "subjects:read", "catalog:read"])
    stranger = User.objects.create_user(username="stranger", password="x-oracle-password-1", role=Role.PERSON,
                                        subject=factories.person_create(name="王五"))
    signed_in = Client()
    signed_in.force_login(stranger)
    return {
        "anonymous": Client(),
        "unrelated person": signed_in,
        "client without entitlement": Client(HTTP_X_API_KEY=outsider_key),
        "provider without consent": Client(HTTP_X_API_KEY=library_key[1]),
    }


def _answer(client: Client, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (path, response.status_code, response.content[:300])
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.content


def test_known_and_unknown_rins_get_the_same_answer_everywhere(seeded, library_key, scenario):  # noqa: F811
    known = factories.person_create(name="张三")
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.subjects.selectors import person_rin_reveal

    known_rin = person_rin_reveal(person=known.person, viewer=SYSTEM)
    unknown_rin = rin_generate(area="330203", birth_date=date(1985, 6, 1), sequence=777)
    assert unknown_rin != known_rin
    personas = _personas(library_key)
    differences = []
    for (method, _documented), (path, body) in {**ENDPOINTS, **EXTRA}.items():
        assert method == "POST"
        for persona, client in personas.items():
            known_answer = _answer(client, path, body(known_rin))
            unknown_answer = _answer(client, path, body(unknown_rin))
            _answer(client, path, body("12345"))  # malformed: refused, never a server error
            if known_answer != unknown_answer:
                differences.append((path, persona, known_answer, unknown_answer))
    assert not differences, "\n".join(map(str, differences))


def test_the_refusal_is_the_consent_required_one(seeded, library_key):  # noqa: F811
    """The uniform refusal (decision 029): 403 disclosure.consent_required, true for both cases."""
    known = factories.person_create(name="张三")
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.subjects.selectors import person_rin_reveal

    response = Client().post("/api/v1/reports", {"subject": {"rin": person_rin_reveal(person=known.person,
                                                                                      viewer=SYSTEM)},
                                                 "kind": "person"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "disclosure.consent_required"
