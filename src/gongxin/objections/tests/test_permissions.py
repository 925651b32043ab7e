"""Who may do what: only the subject's own users file and ask for review; only staff accept, reject,
forward and extend; only the record's source unit decides; evidence is served to those parties alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.objections.errors import EvidenceInvalid, NotOwnRecord, NotSourceUnit, NotStaff, NotSubject
from gongxin.objections.evidence import MAX_BYTES
from gongxin.objections.models import Evidence, Objection
from gongxin.objections.services import (
    objection_accept,
    objection_decide,
    objection_extend,
    objection_file,
    objection_forward,
    objection_reject,
    objection_review_request,
)
from gongxin.objections.tests.conftest import api
from gongxin.records.models import Record
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"IHDR" * 8
REAL_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16


def pdf(name: str = "进货单据.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def filed(penalty: Record, agent_viewer: Viewer) -> Objection:
    return objection_file(record=penalty, ground="wrong_facts", description="异议说明", actor=agent_viewer,
                          files=[pdf()])


def test_only_the_subjects_own_users_file(penalty: Record, other_agent: User, staff: User, operator: User) -> None:
    for user in (other_agent, staff, operator):
        with pytest.raises(NotOwnRecord):
            objection_file(record=penalty, ground="other", description="x", actor=viewer_for_user(user))
    response = api(signed_in(other_agent), "post", "", {"record_id": penalty.pk, "ground": "other",
                                                        "description": "x"})
    assert response.status_code == 403 and response.json()["code"] == "objection.not_own_record"
    response = api(Client(), "post", "", {"record_id": penalty.pk, "ground": "other", "description": "x"})
    assert response.status_code == 401
    response = api(signed_in(other_agent), "post", "", {"record_id": penalty.pk, "ground": "nonsense",
                                                        "description": "x"})
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert not Objection.objects.exists()


def test_only_staff_handle_and_only_the_source_unit_decides(
    filed: Objection, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer, other_operator: User
) -> None:
    for viewer in (agent_viewer, operator_viewer):
        with pytest.raises(NotStaff):
            objection_accept(objection=filed, actor=viewer)
        with pytest.raises(NotStaff):
            objection_reject(objection=filed, actor=viewer, reason="x")
    objection_accept(objection=filed, actor=staff_viewer)
    with pytest.raises(NotStaff):
        objection_forward(objection=filed, actor=operator_viewer)
    with pytest.raises(NotStaff):
        objection_extend(objection=filed, actor=operator_viewer, working_days=2, reason="x")
    objection_forward(objection=filed, actor=staff_viewer)
    for viewer in (staff_viewer, agent_viewer, viewer_for_user(other_operator)):
        with pytest.raises(NotSourceUnit):
            objection_decide(objection=filed, actor=viewer, decision="uphold", reason="x")
    response = api(signed_in(other_operator), "post", f"/{filed.pk}/decide", {"decision": "uphold", "reason": "x"})
    assert response.status_code == 404  # another unit does not even see it
    assert api(signed_in(other_operator), "get", "/tasks").json()["count"] == 0
    with pytest.raises(NotSubject):
        objection_review_request(objection=filed, actor=staff_viewer, reason="x")


def test_operators_see_an_objection_only_once_forwarded(filed: Objection, operator: User, staff_viewer: Viewer) -> None:
    client = signed_in(operator)
    assert api(client, "get", f"/{filed.pk}").status_code == 404
    objection_accept(objection=filed, actor=staff_viewer)
    objection_forward(objection=filed, actor=staff_viewer)
    assert api(client, "get", f"/{filed.pk}").json()["number"] == filed.number


def test_staff_queue_is_for_staff(filed: Objection, acme_agent: User, operator: User, staff: User) -> None:
    for user in (acme_agent, operator):
        response = api(signed_in(user), "get", "/queue")
        assert response.status_code == 403 and response.json()["code"] == "objection.not_staff"
        assert signed_in(user).get("/objections/workbench/").status_code == 403
    assert api(signed_in(staff), "get", "/queue").json()["count"] == 1


def test_evidence_is_served_to_the_parties_only(
    filed: Objection, acme_agent: User, staff: User, operator: User, other_agent: User, other_operator: User,
    staff_viewer: Viewer,
) -> None:
    evidence = Evidence.objects.get(objection=filed)
    assert evidence.content_type == "application/pdf" and evidence.name == "进货单据.pdf"
    assert evidence.file.name.endswith(".pdf") and "进货单据" not in evidence.file.name  # stored under a random name
    url = f"/objections/{filed.pk}/evidence/{evidence.pk}/"

    def fetch(user: User) -> Any:
        return signed_in(user).get(url)

    response = fetch(acme_agent)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert fetch(staff).status_code == 200
    assert fetch(operator).status_code == 404  # not forwarded yet
    objection_accept(objection=filed, actor=staff_viewer)
    objection_forward(objection=filed, actor=staff_viewer)
    assert fetch(operator).status_code == 200
    assert fetch(other_agent).status_code == 404 and fetch(other_operator).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_evidence_limits(penalty: Record, agent_viewer: Viewer, acme_agent: User) -> None:
    script = SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(EvidenceInvalid) as problem:
        objection_file(record=penalty, ground="other", description="x", actor=agent_viewer,
                       files=[script, pdf("empty.pdf", b"")])
    assert [p["file"] for p in problem.value.details] == ["evil.pdf", "empty.pdf"]
    big = pdf("big.pdf", PDF + b"0" * MAX_BYTES)
    with pytest.raises(EvidenceInvalid):
        objection_file(record=penalty, ground="other", description="x", actor=agent_viewer, files=[big])
    with pytest.raises(EvidenceInvalid):
        objection_file(record=penalty, ground="other", description="x", actor=agent_viewer,
                       files=[pdf(f"{n}.pdf") for n in range(11)])
    assert not Objection.objects.exists()
    # More evidence later, multipart through the API: a PNG recognised by its bytes, whatever its name says.
    objection = objection_file(record=penalty, ground="other", description="x", actor=agent_viewer)
    client = signed_in(acme_agent)
    response = client.post(f"/api/v1/objections/{objection.pk}/evidence",
                           {"files": [SimpleUploadedFile("photo.pdf", PNG, content_type="application/pdf")]})
    assert response.status_code == 201, response.content
    assert response.json()[0]["content_type"] == "image/png"
    response = client.post(f"/api/v1/objections/{objection.pk}/evidence",
                           {"files": [SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")]})
    assert response.status_code == 422 and response.json()["code"] == "objection.evidence_invalid"


def test_binary_evidence_passes_the_door(penalty: Record, agent_viewer: Viewer, acme_agent: User) -> None:
    """Real PDFs and images contain NUL bytes; the NUL check at the door looks only at a form's text fields."""
    objection = objection_file(record=penalty, ground="other", description="x", actor=agent_viewer)
    response = signed_in(acme_agent).post(f"/api/v1/objections/{objection.pk}/evidence",
                                          {"files": [SimpleUploadedFile("photo.png", REAL_PNG)]})
    assert response.status_code == 201


def test_a_subject_cannot_object_to_records_it_may_not_see(acme: Any, unit: Any, acme_agent: User) -> None:
    """An internal-use record of the subject (never disclosed, not even to itself) cannot be reached by its id."""
    internal = factories.penalty_create(subject=acme, source_unit=unit, item=factories.internal_item_create())
    response = api(signed_in(acme_agent), "post", "", {"record_id": internal.pk, "ground": "other",
                                                       "description": "x"})
    assert response.status_code == 404 and response.json()["code"] == "record.not_found"
    assert signed_in(acme_agent).get(f"/objections/file/?record={internal.pk}").status_code == 404
