"""The benefit pages: the subject's own benefits with reasons, authorizing a provider, staff statistics."""

from __future__ import annotations

from django.test import Client

from gongxin.access.models import Consent
from gongxin.testing.personas import signed_in


def test_my_benefits_explain_each_scenario(scenario, person_user):
    page = signed_in(person_user).get("/benefits/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-scenario="{scenario.code}"' in html
    assert 'data-reason="not_listed" data-met="yes"' in html
    assert 'data-parameter="books">10<' in html
    # Seeded scenarios for persons are listed too; the organization-only one is not.
    assert 'data-scenario="pay_after_treatment"' in html and 'data-scenario="bid_deposit_waiver"' not in html


def test_authorize_the_provider_from_the_page(scenario, person_user, library_key):
    client, _key = library_key
    own = signed_in(person_user)
    response = own.post(f"/benefits/{scenario.code}/authorize/")
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.grantee_client_id == client.pk and consent.subject_id == person_user.subject_id
    assert "data-consented" in own.get("/benefits/").content.decode()


def test_a_firm_cannot_authorize_a_provider_for_a_benefit_of_persons(scenario, library_key):
    from gongxin.accounts.choices import Role
    from gongxin.accounts.models import User
    from gongxin.testing import factories

    firm = factories.organization_create(name="宁波某科技有限公司")
    agent = User.objects.create_user(username="firm-agent", password="x-firm-agent-1", role=Role.ORG_AGENT,
                                     subject=firm)
    own = signed_in(agent)
    response = own.post(f"/benefits/{scenario.code}/authorize/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert not Consent.objects.exists()
    assert "This benefit is not offered to this kind of subject." in own.get("/benefits/").content.decode()


def test_statistics_page_for_staff_only(scenario, person_user, staff):
    assert signed_in(person_user).get("/benefits/statistics/").status_code == 403
    page = signed_in(staff).get("/benefits/statistics/")
    assert page.status_code == 200 and 'class="bar-row"' in page.content.decode()
    assert Client().get("/benefits/").status_code == 302


def test_pages_in_chinese(scenario, person_user, staff):
    own = signed_in(person_user)
    html = own.get("/benefits/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我的信用惠民" in html
    desk = signed_in(staff).get("/benefits/statistics/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "信用惠民统计" in desk


def test_the_consent_for_a_benefit_check_opens_no_record(scenario, person_user, library_key):
    """Authorizing a provider to check eligibility is not authorizing it to read the person's records."""
    from gongxin.access.consents import SCOPE_ELIGIBILITY_ONLY
    from gongxin.access.shown import profile_records
    from gongxin.accounts.viewer import viewer_for_client
    from gongxin.records.choices import Purpose
    from gongxin.records.models import Record
    from gongxin.testing import factories

    client, _key = library_key
    factories.penalty_create(subject=person_user.subject, source_unit=factories.source_unit_create())
    assert Record.objects.filter(subject=person_user.subject).exists()
    signed_in(person_user).post(f"/benefits/{scenario.code}/authorize/")
    assert Consent.objects.get().scope == [SCOPE_ELIGIBILITY_ONLY]
    shown = profile_records(subject=person_user.subject, viewer=viewer_for_client(client), purpose=Purpose.AUTHORIZED)
    assert shown == []
