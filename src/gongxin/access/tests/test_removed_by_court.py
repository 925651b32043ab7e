"""A dishonest judgment debtor's record is removed by the court after performance, never repaired (#18, point 3):
the subject's own page (/me) and the public profile say so, link to the voluntary-performance guide and offer no
repair, while a penalty of the same subject still offers it. The rule is the repair policy's ``removed_by``
(catalog.policy.removal_authorities)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongxin.catalog.models import SourceUnit
from gongxin.records.models import Record
from gongxin.records.services import record_submit
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.payloads import item, payload_for
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

REMOVAL = "由法院在履行后移出"


def _judgment_debtor(subject: Subject, unit: SourceUnit) -> Record:
    debtor = item("judgment_debtor")
    payload = payload_for(debtor, subject_name=subject.name, subject_category="organization",
                          uscc=subject.organization.uscc)
    return record_submit(source_unit=unit, item=debtor, source_record_id="(2026)浙0212执9号", subject=subject,
                         payload=payload, actor=factories.ADMIN).record


def _article(html: str, record: Record) -> str:
    start = html.index(f'data-record="{record.pk}"')
    return html[start:html.index("</article>", start)]


def test_me_says_the_court_removes_it_and_offers_no_repair(acme, acme_records, acme_agent, unit):
    debtor = _judgment_debtor(acme, unit)
    html = signed_in(acme_agent).get(reverse("access:profile")).content.decode()
    article = _article(html, debtor)
    assert 'data-remedy="removed_by"' in article and REMOVAL in article
    assert f'href="{reverse("portal:voluntary_performance")}"' in article
    assert 'data-action="repair"' not in article and 'data-remedy="repair"' not in article
    assert "申请信用修复" not in article
    assert 'data-action="object"' in article  # an objection is still open to it
    # The banner of the lists says the court removes it too.
    assert "data-list-court" in html
    # A penalty of the same firm is still repaired.
    penalty = _article(html, acme_records["penalty"])
    assert 'data-action="repair"' in penalty and 'data-remedy="removed_by"' not in penalty


def test_the_public_profile_says_the_court_removes_it(acme, acme_records, unit):
    debtor = _judgment_debtor(acme, unit)
    html = Client().get(reverse("portal:organization", args=[acme.organization.uscc])).content.decode()
    article = _article(html, debtor)
    assert 'data-remedy="removed_by"' in article and REMOVAL in article
    assert f'href="{reverse("portal:voluntary_performance")}"' in article
    assert "申请信用修复" not in article
    assert "申请信用修复" in _article(html, acme_records["penalty"])


@pytest.mark.parametrize(("language", "heading"), [("zh-hans", "失信被执行人：履行与移出名单"),
                                                   ("en", "Judgment debtors: performance and removal from the list")])
def test_the_voluntary_performance_guide_is_translated(language, heading):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("portal:voluntary_performance"))
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html and 'id="voluntary-performance"' in html
