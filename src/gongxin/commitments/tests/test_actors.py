"""Who acted on a commitment, as the subject sees it: the verifying department and "you", never an operator's
login (#22, High 4 / Low "internal actors"); the verification note is the subject's. The office sees logins."""

from __future__ import annotations

import pytest

from gongxin.commitments.services import commitment_fulfil, commitment_sign
from gongxin.commitments.tests.conftest import as_viewer, kind, sign_kwargs
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

LOGINS = ("scjg-operator", "credit-staff", "user:", "api-client:")
NOTE = "已按承诺补交材料。"


@pytest.fixture
def kept(acme, unit, agent, operator):
    commitment = commitment_sign(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 actor=as_viewer(agent), **sign_kwargs())
    return commitment_fulfil(commitment=commitment, actor=as_viewer(operator), note=NOTE)


def test_the_subjects_api_view_names_the_department(kept, agent, staff, unit):
    response = signed_in(agent).get(f"/api/v1/commitments/{kept.pk}")
    body = response.json()
    assert {e["actor"] for e in body["events"]} == {"您", unit.department.name}
    assert body["verified_by"] == unit.department.name and body["verification_note"] == NOTE
    for text in (response.content.decode(), signed_in(agent).get("/api/v1/commitments").content.decode()):
        assert not any(login in text for login in LOGINS), text

    office = signed_in(staff).get(f"/api/v1/commitments/{kept.pk}").json()
    # The office reads who acted by name and login, never the stored code (#18).
    assert "scjg-operator" in office["verified_by"] and "user:" not in office["verified_by"]
    actors = sorted(e["actor"] for e in office["events"])
    assert len(actors) == 2 and "acme-agent" in actors[0] and "scjg-operator" in actors[1]
    assert not any("user:" in actor for actor in actors)


def test_the_subjects_page_names_the_department(kept, agent, staff, unit):
    page = signed_in(agent).get(f"/commitments/{kept.pk}/").content.decode()
    assert unit.department.name in page and NOTE in page
    assert not any(login in page for login in LOGINS)
    office_page = signed_in(staff).get(f"/commitments/{kept.pk}/").content.decode()
    assert "scjg-operator" in office_page and "user:scjg-operator" not in office_page
