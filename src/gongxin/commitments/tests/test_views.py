"""The commitment pages: signing (choose → eligibility and full text → sign), my commitments, the department's
queue and verification, statistics, and the public-commitments tag of the profile."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.commitments.choices import CommitmentStatus
from gongxin.commitments.models import Commitment
from gongxin.commitments.services import commitment_preview, commitment_sign
from gongxin.commitments.tests.conftest import as_viewer, kind, sign_kwargs
from gongxin.rewards.choices import MatterType
from gongxin.rewards.services import matter_register, system_register
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


OFFICE = Viewer(label="user:staff", role=Role.STAFF, user_id=None)


@pytest.fixture
def food_matter(unit):
    """The receiving department's matter in the registry (rewards): the signing form lists it by name."""
    system = system_register(code="NB-SCJG-SP", name="食品经营许可系统", department=unit.department, client=None,
                             actor=OFFICE)
    matter_register(code="GOV-PAY-1", name="政府采购投标", system=system, matter_type=MatterType.PROCUREMENT,
                    actor=OFFICE, is_active=False)
    return matter_register(code="FOOD-LICENCE-NEW", name="食品经营许可（新办）", system=system,
                           matter_type=MatterType.LICENCE, actor=OFFICE)


def _matter(unit, type_code="approval_substitute"):
    return {"type": type_code, "department": unit.department.code, "matter": "FOOD-LICENCE-NEW"}


def test_the_signing_form_lists_matters_by_name_and_asks_no_code(acme, unit, agent, food_matter):
    page = signed_in(agent).get(reverse("commitments:sign")).content.decode()
    form = page.split("data-matter-form", 1)[1].split("</form>", 1)[0]
    assert '<select name="matter"' in form and '<option value="FOOD-LICENCE-NEW">食品经营许可（新办）</option>' in form
    assert 'name="matter_code"' not in form and "GOV-PAY-1" not in form  # inactive matters are not offered
    assert 'name="matter_other"' in form and 'data-picker="/commitments/sign/matters/"' in form


def test_a_matter_not_listed_is_named_in_words(acme, unit, agent, food_matter):
    named = {"type": "certification_notice", "department": unit.department.code, "matter_other": "  户外广告设置 许可 "}
    page = signed_in(agent).get(reverse("commitments:sign"), named).content.decode()
    assert "data-sign-form" in page and "户外广告设置 许可" in page
    neither = signed_in(agent).get(reverse("commitments:sign"), {**named, "matter_other": ""})
    assert neither.status_code == 400 and "data-sign-form" not in neither.content.decode()
    unknown = signed_in(agent).get(reverse("commitments:sign"), {**_matter(unit), "matter": "NO-SUCH"})
    assert unknown.status_code == 400


def test_the_matter_search_answers_signed_in_subjects_with_active_matters(acme, unit, agent, operator, food_matter):
    url = reverse("commitments:matters")
    assert Client().get(url, {"q": "食品"}).status_code == 302
    found = signed_in(agent).get(url, {"q": "食品", "department": unit.department.code}).json()["results"]
    assert found == [{"value": "FOOD-LICENCE-NEW", "label": "食品经营许可（新办）", "detail": unit.department.name}]
    assert signed_in(agent).get(url, {"q": "政府采购"}).json()["results"] == []  # inactive
    assert signed_in(agent).get(url, {"q": "食品", "department": "NB-OTHER"}).json()["results"] == []
    assert signed_in(operator).get(url, {"q": "食品"}).status_code == 403


def test_signing_on_the_page(acme, unit, agent, food_matter):
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


def test_signing_needs_the_acceptance_box(acme, unit, agent, food_matter):
    preview = commitment_preview(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 matter_code="FOOD-LICENCE-NEW", matter_name="食品经营许可（新办）")
    answer = signed_in(agent).post(reverse("commitments:sign"), {**_matter(unit), "text_sha256": preview.text_sha256,
                                                                 "signer_name": "王五"})
    assert answer.status_code == 400 and not Commitment.objects.exists()


def test_an_ineligible_subject_sees_why_and_no_form(acme, unit, agent, food_matter):
    factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1), penalty_types="吊销许可证件")
    page = signed_in(agent).get(reverse("commitments:sign"), _matter(unit)).content.decode()
    assert 'data-eligible="false"' in page
    assert 'data-condition="no_unrepaired_serious" data-met="false"' in page
    assert "data-sign-form" not in page


def test_a_person_is_never_offered_publication(person, unit, person_user, food_matter):
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
