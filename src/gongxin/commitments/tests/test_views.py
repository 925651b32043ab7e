"""The commitment pages: signing (choose → eligibility and full text → sign), my commitments, the department's
queue and verification, statistics, and the public-commitments tag of the profile."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from gongxin.commitments.choices import CommitmentStatus
from gongxin.commitments.models import Commitment
from gongxin.commitments.services import commitment_preview, commitment_sign
from gongxin.commitments.tests.conftest import as_viewer, kind, sign_kwargs
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def _matter(unit, type_code="approval_substitute"):
    return {"type": type_code, "department": unit.department.code, "matter_code": "FOOD-LICENCE-NEW",
            "matter_name": "食品经营许可（新办）"}


def test_signing_on_the_page(acme, unit, agent):
    client = signed_in(agent)
    empty = client.get(reverse("commitments:sign"))
    assert empty.status_code == 200 and b"data-matter-form" in empty.content and b"data-sign-form" not in empty.content
    shown = client.get(reverse("commitments:sign"), _matter(unit))
    assert shown.status_code == 200
    page = shown.content.decode()
    preview = commitment_preview(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 matter_code="FOOD-LICENCE-NEW", matter_name="食品经营许可（新办）")
    assert 'data-eligible="true"' in page and preview.text in page and "data-sign-form" in page
    posted = client.post(reverse("commitments:sign"), {**_matter(unit), "text_sha256": preview.text_sha256,
                                                       "accepted": "on", "signer_name": "王五", "publish": "on"})
    commitment = Commitment.objects.get()
    assert posted.status_code == 302 and posted.url == reverse("commitments:detail", args=[commitment.pk])
    assert commitment.text == preview.text and commitment.is_public and commitment.signer_name == "王五"
    detail = client.get(posted.url).content.decode()
    assert commitment.number in detail and 'data-signature-valid="true"' in detail
    mine = client.get(reverse("commitments:mine")).content.decode()
    assert f'data-commitment="{commitment.pk}"' in mine


def test_signing_needs_the_acceptance_box(acme, unit, agent):
    preview = commitment_preview(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 matter_code="FOOD-LICENCE-NEW", matter_name="食品经营许可（新办）")
    answer = signed_in(agent).post(reverse("commitments:sign"), {**_matter(unit), "text_sha256": preview.text_sha256,
                                                                 "signer_name": "王五"})
    assert answer.status_code == 400 and not Commitment.objects.exists()


def test_an_ineligible_subject_sees_why_and_no_form(acme, unit, agent):
    factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1), penalty_types="吊销许可证件")
    page = signed_in(agent).get(reverse("commitments:sign"), _matter(unit)).content.decode()
    assert 'data-eligible="false"' in page
    assert 'data-condition="no_unrepaired_serious" data-met="false"' in page
    assert "data-sign-form" not in page


def test_a_person_is_never_offered_publication(person, unit, person_user):
    page = signed_in(person_user).get(reverse("commitments:sign"), _matter(unit, "repair")).content.decode()
    assert "data-sign-form" in page and 'name="publish"' not in page


def test_the_department_verifies_on_its_queue(acme, unit, agent, operator, other_operator, staff):
    commitment = commitment_sign(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 actor=as_viewer(agent), **sign_kwargs())
    queue = signed_in(operator).get(reverse("commitments:workbench")).content.decode()
    assert f'data-commitment="{commitment.pk}"' in queue
    assert f'data-commitment="{commitment.pk}"' not in signed_in(other_operator).get(
        reverse("commitments:workbench")).content.decode()
    assert signed_in(agent).get(reverse("commitments:workbench")).status_code == 403
    # Staff oversee but do not verify.
    staff_page = signed_in(staff).get(reverse("commitments:verify", args=[commitment.pk])).content.decode()
    assert "data-verify-form" not in staff_page
    path = reverse("commitments:verify", args=[commitment.pk])
    missing_facts = signed_in(operator).post(path, {"outcome": "breach", "note": ""})
    assert missing_facts.status_code == 400
    done = signed_in(operator).post(path, {"outcome": "breach", "note": "未按期补齐容缺材料。", "severity": ""})
    assert done.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.BREACHED and commitment.breach_record_id
    after = signed_in(operator).get(path).content.decode()
    assert f'data-breach-record="{commitment.breach_record_id}"' in after and "data-verify-form" not in after


def test_statistics_page_draws_bars(acme, unit, agent, staff):
    commitment_sign(subject=acme, type=kind("voluntary_public"), source_unit=unit, actor=as_viewer(agent),
                    **sign_kwargs())
    page = signed_in(staff).get(reverse("commitments:statistics")).content.decode()
    assert 'data-chart="by_type"' in page and 'class="bar"' in page and "主动公示型" in page
    assert signed_in(agent).get(reverse("commitments:statistics")).status_code == 403


def test_public_commitments_tag(acme, person, unit, agent, person_user):
    public = commitment_sign(subject=acme, type=kind("voluntary_public"), source_unit=unit, actor=as_viewer(agent),
                             **sign_kwargs())
    private = commitment_sign(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                              actor=as_viewer(agent), **sign_kwargs())
    personal = commitment_sign(subject=person, type=kind("voluntary_public"), source_unit=unit,
                               actor=as_viewer(person_user), **sign_kwargs())
    assert personal.is_public is False  # a natural person is never published, whatever the type
    template = Template("{% load commitments %}{% commitments_public subject %}")
    shown = template.render(Context({"subject": acme}))
    assert f'data-public-commitment="{public.number}"' in shown and private.number not in shown
    assert "data-public-commitments" not in template.render(Context({"subject": person}))
