"""Self-service pages under /me/: the own profile (non-public records, own fields unmasked, clocks,
remedies), the inquiry log and consents (grant, revoke). Sign-in required; no subject, no 500."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongxin.access.consents import consent_grant
from gongxin.access.models import Consent
from gongxin.access.selectors import consent_active_for
from gongxin.access.tests.conftest import ID_NUMBER, LI_RIN, api, in_days
from gongxin.core import clock
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["access:profile", "access:inquiries", "access:consents"])
def test_sign_in_is_required(name, db):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("name", ["access:profile", "access:inquiries"])
def test_an_account_without_a_subject_gets_a_clear_page(banker, name):
    response = signed_in(banker).get(reverse(name))
    assert response.status_code == 200
    assert "data-no-subject" in response.content.decode()


def test_the_own_profile_shows_non_public_records_and_unmasked_own_fields(acme, acme_records, acme_agent):
    html = signed_in(acme_agent).get(reverse("access:profile")).content.decode()
    assert acme.name in html and acme.organization.uscc in html
    for record in acme_records.values():
        assert f'data-record="{record.pk}"' in html  # the authorized-only record included
    assert ID_NUMBER in html  # the own personal field, unmasked


def test_others_get_the_same_fields_masked(acme, acme_records, acme_viewer, banker):
    consent_grant(subject=acme, grantee_user=banker, purpose="贷款", scope=[], valid_until=in_days(3),
                  actor=acme_viewer)
    data = api(signed_in(banker), "get", "/records", {"subject": acme.organization.uscc,
                                                       "purpose": "authorized"}).content.decode()
    assert ID_NUMBER not in data and "**************0012" in data
    public = api(Client(), "get", "/records", {"subject": acme.organization.uscc}).json()
    assert all(f["code"] != "id_number" for r in public["records"] for f in r["fields"])


def test_negative_records_show_their_clocks_with_days_left_and_remedies(acme, acme_records, acme_agent):
    penalty = acme_records["penalty"].current_version
    html = signed_in(acme_agent).get(reverse("access:profile")).content.decode()
    article = html[html.index(f'data-record="{acme_records["penalty"].pk}"'):]
    article = article[:article.index("</article>")]
    for key, day in (("publicity_min_end", penalty.publicity_min_end), ("publicity_max_end", penalty.publicity_max_end),
                     ("retention_end", penalty.retention_end)):
        assert f'data-clock="{key}"' in article
        assert day.isoformat() in article
    left = (penalty.retention_end - clock.today()).days
    assert f'data-days-left="{left}"' in article
    assert 'data-remedy="objection"' in article and 'data-remedy="repair"' in article
    # The licence (positive) has no clocks.
    licence = html[html.index(f'data-record="{acme_records["licence"].pk}"'):]
    assert "data-clocks" not in licence[:licence.index("</article>")]


def test_marks_change_the_remedies(acme, acme_records, acme_agent):
    factories.objection_mark(acme_records["penalty"])
    html = signed_in(acme_agent).get(reverse("access:profile")).content.decode()
    assert 'data-mark="objection"' in html
    factories.repair_mark(acme_records["tax_arrears"])
    html = signed_in(acme_agent).get(reverse("access:profile")).content.decode()
    assert 'data-mark="repaired"' in html


def test_a_person_sees_her_own_rin_unmasked_only_here(li, li_records, li_user, li_viewer, bank_client, bank_key):
    html = signed_in(li_user).get(reverse("access:profile")).content.decode()
    assert re.search(rf"data-own-code>{LI_RIN}<", html)
    assert f'data-record="{li_records["penalty"].pk}"' in html
    consent_grant(subject=li, grantee_client=bank_client, purpose="贷款", scope=[], valid_until=in_days(3),
                  actor=li_viewer)
    assert LI_RIN not in api(Client(), "post", "/consents/query", {"rin": LI_RIN}, key=bank_key).content.decode()


def test_the_inquiry_page_lists_who_queried(acme, acme_records, acme_agent, acme_viewer, banker):
    consent_grant(subject=acme, grantee_user=banker, purpose="经营贷款审批", scope=[], valid_until=in_days(3),
                  actor=acme_viewer)
    api(signed_in(banker), "get", "/records", {"subject": acme.organization.uscc, "purpose": "authorized",
                                               "reason": "贷前调查"})
    html = signed_in(acme_agent).get(reverse("access:inquiries")).content.decode()
    assert html.count("data-inquiry=") == 1
    assert "陈信贷" in html and "user:banker" not in html and "贷前调查" in html and "经营贷款审批" in html
    assert 'data-purpose="authorized"' in html


def test_the_inquiry_page_when_nobody_queried(acme_agent):
    html = signed_in(acme_agent).get(reverse("access:inquiries"), {"page": "x"}).content.decode()
    assert "data-empty" in html


def _grant(bank, **changes):
    data = {"grantee": str(bank.pk), "purpose": "经营贷款审批", "scope": ["penalty"],
            "valid_until": (clock.today() + timedelta(days=10)).isoformat(), **changes}
    return {key: value for key, value in data.items() if value is not None}


def test_the_grant_form_asks_for_no_internal_code(acme_agent, bank, banker):
    html = signed_in(acme_agent).get(reverse("access:consents")).content.decode()
    form = html.split('id="grant"', 1)[1].split("</section>", 1)[0]
    assert '<select name="grantee"' in form and f'<option value="{bank.pk}">宁波某商业银行</option>' in form
    assert 'name="grantee_kind"' not in form and "key prefix" not in form.lower() and "API" not in form
    assert "banker" not in form and "陈信贷" not in form  # accounts, persons above all, are never listed
    assert 'data-picker="/me/consents/requesters/"' in form and "core/picker.js" in html


def test_grant_after_seeing_what_the_requester_will_see_and_revoke(acme, acme_agent, acme_records, bank, bank_viewer):
    client = signed_in(acme_agent)
    shown = client.post(reverse("access:consents"), _grant(bank))
    html = shown.content.decode()
    assert shown.status_code == 200 and "data-consent-preview" in html and not Consent.objects.exists()
    assert 'data-preview-grantee>宁波某商业银行<' in html
    last_day = (clock.today() + timedelta(days=10)).isoformat()
    assert f'data-preview-until>{last_day} 23:59' in html  # through the chosen day, Beijing time
    assert 'data-preview-records="1"' in html  # acme's one penalty: the scope
    changed = client.post(reverse("access:consents"), _grant(bank, edit="1"))
    assert changed.status_code == 200 and "data-consent-preview" not in changed.content.decode()

    granted = client.post(reverse("access:consents"), _grant(bank, confirm="1"))
    assert granted.status_code == 302
    consent = Consent.objects.get()
    assert (consent.grantee_department_id, consent.grantee_user_id, consent.scope) == (bank.pk, None, ["penalty"])
    # The consent reaches the bank: its system (and its people) query under it.
    assert consent_active_for(subject_id=acme.pk, viewer=bank_viewer) == consent
    # Valid through the chosen day: it ends at the next midnight, local time.
    assert timezone.localtime(consent.valid_until) == timezone.make_aware(
        datetime.combine(clock.today() + timedelta(days=11), time.min))

    html = client.get(reverse("access:consents")).content.decode()
    assert f'data-consent="{consent.pk}"' in html and 'data-state="active"' in html

    revoked = client.post(reverse("access:consent_revoke", args=[consent.pk]), {"reason": "不再需要"})
    assert revoked.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_reason == "不再需要"
    assert 'data-state="revoked"' in client.get(reverse("access:consents")).content.decode()


def test_grant_errors_are_shown_on_the_form(acme_agent, bank):
    unknown = signed_in(acme_agent).post(reverse("access:consents"), _grant(bank, grantee="999999", confirm="1"))
    assert unknown.status_code == 400 and 'class="errors"' in unknown.content.decode()
    too_late = signed_in(acme_agent).post(reverse("access:consents"), _grant(
        bank, valid_until=in_days(400).date().isoformat(), confirm="1"))
    assert too_late.status_code == 400 and "data-consent-preview" not in too_late.content.decode()
    past = signed_in(acme_agent).post(reverse("access:consents"), _grant(bank, valid_until="2020-01-01"))
    assert past.status_code == 400 and "data-consent-preview" not in past.content.decode()
    assert not Consent.objects.exists()


def test_the_last_allowed_day_is_accepted(acme_agent, bank):
    from gongxin.access.consents import consent_latest_end

    last_day = consent_latest_end().date()
    response = signed_in(acme_agent).post(reverse("access:consents"), _grant(
        bank, valid_until=last_day.isoformat(), confirm="1"))
    assert response.status_code == 302
    assert Consent.objects.get().valid_until <= consent_latest_end()


def test_the_requester_search_lists_departments_by_name_never_an_account(acme_agent, bank, banker, li_user):
    url = reverse("access:consent_requesters")
    assert Client().get(url, {"q": "银行"}).status_code == 302  # sign-in first
    client = signed_in(acme_agent)
    found = client.get(url, {"q": "商业银行"}).json()["results"]
    assert found == [{"value": str(bank.pk), "label": "宁波某商业银行", "detail": "市级"}]
    for text in ("陈信贷", "banker", "li-xiaomei", li_user.subject.name, ""):  # accounts and persons: never
        assert client.get(url, {"q": text}).json()["results"] == []
    assert signed_in(banker).get(url, {"q": "银行"}).status_code == 403  # the form is a subject's


def test_another_subjects_consent_cannot_be_revoked_from_the_page(acme, acme_viewer, banker, other_agent):
    consent = consent_grant(subject=acme, grantee_user=banker, purpose="贷款", scope=[], valid_until=in_days(3),
                            actor=acme_viewer)
    response = signed_in(other_agent).post(reverse("access:consent_revoke", args=[consent.pk]), {}, follow=True)
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_a_requester_without_a_subject_sees_consents_received(acme, acme_viewer, banker):
    consent_grant(subject=acme, grantee_user=banker, purpose="贷款", scope=[], valid_until=in_days(3),
                  actor=acme_viewer)
    html = signed_in(banker).get(reverse("access:consents")).content.decode()
    assert 'data-consents="received"' in html and acme.name in html
    assert "data-no-subject" in html
