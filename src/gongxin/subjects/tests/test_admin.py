"""The admin shows a person's RIN masked only; subjects are not added or deleted there."""

from __future__ import annotations

import pytest
from django.test import Client

from gongxin.core.crypto import unseal
from gongxin.core.models import OutboxEvent
from gongxin.subjects.identifiers import RIN_CONTEXT
from gongxin.subjects.models import Subject

pytestmark = pytest.mark.django_db


def test_person_pages_show_the_masked_rin_only(admin_client: Client, person: Subject) -> None:
    rin = unseal(person.person.rin_sealed, context=RIN_CONTEXT)
    pages = [
        admin_client.get("/admin/subjects/person/"),
        admin_client.get(f"/admin/subjects/person/{person.pk}/change/"),
        admin_client.get("/admin/subjects/person/", {"q": rin}),
        admin_client.get("/admin/subjects/subject/", {"q": rin}),
        admin_client.get(f"/admin/subjects/subject/{person.pk}/change/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        # Only where the admin typed it: the search box and sorting links echo the query.
        for echo in (f'value="{rin}"', f"q={rin}", f"q%3D{rin}"):
            html = html.replace(echo, "")
        assert rin not in html
        assert person.person.rin_sealed not in html
        assert person.person.rin_hash not in html
    assert person.person.rin_masked in pages[1].content.decode()
    # Searching by the full RIN finds the person through its hash.
    assert person.person.rin_masked in pages[2].content.decode()
    assert admin_client.get("/admin/subjects/person/add/").status_code == 403
    assert admin_client.get("/admin/subjects/subject/add/").status_code == 403


def test_editing_an_organization_emits_an_event(admin_client: Client, organization: Subject) -> None:
    page = admin_client.get(f"/admin/subjects/organization/{organization.pk}/change/")
    assert page.status_code == 200
    org = organization.organization
    response = admin_client.post(
        f"/admin/subjects/organization/{organization.pk}/change/",
        {"org_kind": org.org_kind, "industry": "住宿和餐饮业", "legal_representative": org.legal_representative,
         "registration_date": "", "registered_capital_yuan": "", "address": org.address, "status": "revoked"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.status == "revoked"
    event = OutboxEvent.objects.get(topic="subjects.subject.updated")
    assert event.subject_id == organization.pk
    assert event.payload["changed"] == ["industry", "status"]
