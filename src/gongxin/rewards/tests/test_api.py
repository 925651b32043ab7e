"""The check API: single and batch checks, persons and scopes, errors, feedback, certificates, the
measures, matters and statistics endpoints."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongxin.access.models import Inquiry
from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, User
from gongxin.catalog.models import SourceUnit
from gongxin.rewards.models import Check, CheckHit
from gongxin.rewards.tests.conftest import dispatch, judgment_debtor_create
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.models import Subject
from gongxin.subjects.services import person_register
from gongxin.testing import factories


def post(client: Client, url: str, body: dict) -> tuple[int, dict]:
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_check_endpoint(api: Client, debtor_org: Subject) -> None:
    status, body = post(api, "/api/v1/checks", {"uscc": debtor_org.organization.uscc, "matter": "CZ-CG-001",
                                                "name": debtor_org.name})
    assert status == 200, body
    assert body["decision"] == "intercept" and body["warnings"] == []
    assert body["subject"] == {"kind": "organization", "name": debtor_org.name, "code": debtor_org.organization.uscc}
    hit = body["hits"][0]
    assert hit["measure"] == "jd.procurement" and hit["class"] == "legal" and hit["legal_basis"]
    assert hit["basis"][0]["type"] == "list_entry" and hit["lift"]["how"] == "court"
    assert Check.objects.filter(pk=body["check_id"]).exists()
    again = api.get(f"/api/v1/checks/{body['check_id']}").json()
    assert again["decision"] == "intercept" and again["hits"] == body["hits"]


def test_check_answer_is_what_its_schema_gives(api: Client, debtor_org: Subject) -> None:
    """The check endpoint renders its answer without validating it against CheckOut (the hot path);
    the answer must still be exactly what the schema would give, as the stored check's GET is."""
    from gongxin.rewards.api import CheckOut

    status, body = post(api, "/api/v1/checks", {"uscc": debtor_org.organization.uscc, "matter": "CZ-CG-001",
                                                "name": "另一个名字"})
    assert status == 200 and body["hits"] and body["warnings"][0]["code"] == "name_mismatch"
    validated = json.loads(CheckOut.model_validate(body).model_dump_json())
    assert validated == body
    assert api.get(f"/api/v1/checks/{body['check_id']}").json() == body


@pytest.mark.django_db(transaction=True)
def test_checks_in_autocommit_as_a_request_runs_them(api: Client, debtor_org: Subject, clean_org: Subject) -> None:
    """Outside a test's transaction (as in a served request) the check's statements go past the driver's
    cursor on PostgreSQL (core.prepared): the answer, the check, its hits and the inquiry are all written."""
    for _round in range(2):  # the second time the statements are prepared already
        for subject, decision, hits in ((debtor_org, "intercept", 1), (clean_org, "pass", 0)):
            status, body = post(api, "/api/v1/checks", {"uscc": subject.organization.uscc, "matter": "CZ-CG-001"})
            assert status == 200 and body["decision"] == decision and len(body["hits"]) == hits, body
            stored = Check.objects.get(pk=body["check_id"])
            assert stored.subject_id == subject.pk and stored.decision == decision and stored.hits == body["hits"]
            assert CheckHit.objects.filter(check_row=stored).count() == hits
            assert api.get(f"/api/v1/checks/{body['check_id']}").json() == body
    assert Inquiry.objects.filter(subject=debtor_org, channel="check").count() == 2
    assert Inquiry.objects.filter(subject=clean_org, channel="check", records_shown=0).count() == 2


def test_check_errors(api: Client, clean_org: Subject, other_system: tuple) -> None:
    status, body = post(api, "/api/v1/checks", {"uscc": clean_org.organization.uscc, "matter": "NOPE"})
    assert status == 404 and body["code"] == "rewards.unknown_matter"
    status, body = post(api, "/api/v1/checks", {"uscc": clean_org.organization.uscc, "matter": "ZJ-BT-001"})
    assert status == 403 and body["code"] == "rewards.matter_not_of_system"
    status, body = post(api, "/api/v1/checks", {"uscc": "91330200000000000X", "matter": "CZ-CG-001"})
    assert status == 404 and body["code"] == "rewards.subject_not_found"
    status, body = post(api, "/api/v1/checks", {"matter": "CZ-CG-001"})
    assert status == 422 and body["code"] == "rewards.subject_code_required"
    assert Client().post("/api/v1/checks", data="{}", content_type="application/json").status_code in {401, 422}


def test_name_mismatch_warning(api: Client, clean_org: Subject) -> None:
    _status, body = post(api, "/api/v1/checks", {"uscc": clean_org.organization.uscc, "matter": "CZ-CG-001",
                                                 "name": "别的名字有限公司"})
    assert body["decision"] == "pass" and body["warnings"][0]["code"] == "name_mismatch"


def test_persons_by_rin_with_the_sharing_scope_only(api: Client, unit: SourceUnit, other_system: tuple) -> None:
    rin = rin_generate(area="330203", birth_date=__import__("datetime").date(1985, 5, 5), sequence=17)
    person = person_register(rin=rin, name="钱七", region_code="330203", actor_label="tests")
    judgment_debtor_create(subject=person, source_unit=unit)
    dispatch()
    status, body = post(api, "/api/v1/checks", {"rin": rin, "matter": "CZ-RZ-001"})
    assert status == 200 and body["decision"] == "intercept"
    assert body["subject"]["code"] != rin and "*" in body["subject"]["code"]  # masked, never the RIN
    assert body["subject"]["name"] == ""
    assert rin not in json.dumps(body, ensure_ascii=False)
    housing = Client(HTTP_X_API_KEY=other_system[2])
    status, body = post(housing, "/api/v1/checks", {"rin": rin, "matter": "ZJ-BT-001"})
    assert status == 403 and body["code"] == "rewards.person_check_not_allowed"
    assert Inquiry.objects.filter(subject=person, channel="check").count() == 1


def test_batch_endpoint(api: Client, clean_org: Subject, debtor_org: Subject) -> None:
    subjects = [{"uscc": clean_org.organization.uscc}, {"uscc": debtor_org.organization.uscc, "name": "错名"},
                {"uscc": "nonsense"}]
    status, body = post(api, "/api/v1/checks/batch", {"matter": "CZ-BT-001", "subjects": subjects})
    assert status == 200, body
    assert body["checked"] == 2 and body["failed"] == 1
    results = body["results"]
    assert results[0]["result"]["decision"] == "pass"
    assert results[1]["result"]["decision"] == "intercept"
    assert results[1]["result"]["hits"][0]["measure"] == "jd.subsidy"
    assert results[1]["result"]["warnings"][0]["code"] == "name_mismatch"
    assert results[2]["error"]["code"] == "rewards.subject_not_found"
    status, body = post(api, "/api/v1/checks/batch", {"matter": "CZ-BT-001",
                                                      "subjects": [{"uscc": "x"}] * 1001})
    assert status == 422


def test_feedback_closes_the_loop(api: Client, debtor_org: Subject, other_system: tuple) -> None:
    _s, body = post(api, "/api/v1/checks", {"uscc": debtor_org.organization.uscc, "matter": "CZ-CG-001"})
    check_id = body["check_id"]
    url = f"/api/v1/checks/{check_id}/feedback"
    # Another system cannot see the check, let alone report on it.
    status, err = post(Client(HTTP_X_API_KEY=other_system[2]), url, {"measures_applied": [], "outcome": "approved"})
    assert status == 404
    status, err = post(api, url, {"measures_applied": ["jd.bidding"], "outcome": "rejected"})
    assert status == 422 and err["code"] == "rewards.measure_not_hit"
    status, fb = post(api, url, {"measures_applied": ["jd.procurement"], "outcome": "rejected",
                                 "note": "拒绝其参与本次采购"})
    assert status == 201 and fb["measures_applied"] == ["jd.procurement"]
    assert CheckHit.objects.get(check_row_id=check_id).applied is True
    status, err = post(api, url, {"measures_applied": [], "outcome": "approved"})
    assert status == 409 and err["code"] == "rewards.feedback_exists"


def test_statistics_endpoint(api: Client, debtor_org: Subject, clean_org: Subject, unit: SourceUnit) -> None:
    factories.honour_create(subject=clean_org, source_unit=unit)
    dispatch()
    for matter in ("CZ-CG-001", "CZ-BT-001"):
        _s, body = post(api, "/api/v1/checks", {"uscc": debtor_org.organization.uscc, "matter": matter})
    post(api, f"/api/v1/checks/{body['check_id']}/feedback", {"measures_applied": ["jd.subsidy"],
                                                              "outcome": "rejected"})
    post(api, "/api/v1/checks", {"uscc": clean_org.organization.uscc, "matter": "CZ-BT-001"})
    assert api.get("/api/v1/rewards/statistics").status_code == 403  # a system is not staff
    staff = User.objects.create_user(username="staff", password="staff-password-123", role=Role.STAFF)
    client = Client()
    client.force_login(staff)
    by_measure = client.get("/api/v1/rewards/statistics?group=measure").json()
    rows = {r["key"]: r for r in by_measure["rows"]}
    assert rows["jd.procurement"]["punishments"] == 1 and rows["jd.procurement"]["reported"] == 0
    assert rows["jd.subsidy"]["applied"] == 1 and rows["red.green_channel"]["rewards"] == 1
    assert by_measure["checks"] == 3 and by_measure["decisions"] == {"intercept": 2, "reward": 1}
    by_system = client.get("/api/v1/rewards/statistics?group=system").json()
    assert by_system["rows"][0]["label"] == "政府采购管理系统" and by_system["rows"][0]["hits"] == 3
    by_department = client.get("/api/v1/rewards/statistics?group=department").json()
    assert by_department["rows"][0]["label"] == "宁波市财政局"
    by_month = client.get("/api/v1/rewards/statistics?group=month&date_from=2026-01-01").json()
    assert by_month["rows"][0]["key"] == "2026-06"


def test_measures_and_matters_endpoints(api: Client) -> None:
    measures = api.get("/api/v1/rewards/measures").json()
    assert {m["code"] for m in measures} >= {"jd.procurement", "grade_a.fewer_inspections", "vp.credit_loan"}
    assert all(m["legal_basis"] for m in measures)
    matters = {m["code"]: m for m in api.get("/api/v1/rewards/matters").json()}
    assert "jd.procurement" in matters["CZ-CG-001"]["measures"]
    status, err = post(api, "/api/v1/rewards/measures", {
        "code": "x.y", "name": "n", "kind": "punishment", "measure_class": "legal", "trigger": "true",
        "legal_basis": "b", "department": "d", "effective_from": "2026-01-01"})
    assert status == 403 and err["code"] == "rewards.staff_only"


def test_certificate_endpoint_and_public_envelope(api: Client, clean_org: Subject) -> None:
    _s, body = post(api, "/api/v1/checks", {"uscc": clean_org.organization.uscc, "matter": "CZ-CG-001"})
    status, cert = post(api, f"/api/v1/checks/{body['check_id']}/certificate", {})
    assert status == 201 and cert["number"].startswith("GXC-")
    assert cert["verify_url"].endswith(f"/verify/{cert['number']}/")
    public = Client().get(f"/api/v1/rewards/certificates/{cert['number']}").json()
    assert public["envelope"] == cert["envelope"]


@pytest.mark.parametrize("scopes", [["records:share"]])
def test_inactive_client_is_refused(api: Client, procurement_client: tuple[ApiClient, str], clean_org: Subject,
                                    scopes: list[str]) -> None:
    ApiClient.objects.filter(pk=procurement_client[0].pk).update(is_active=False)
    status, _body = post(api, "/api/v1/checks", {"uscc": clean_org.organization.uscc, "matter": "CZ-CG-001"})
    assert status == 401
