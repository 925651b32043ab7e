"""/me tells an objection's state as it is (#18, point 9): the record is marked "under objection" when the credit
office accepts the objection, not when it is filed — until then the page says "submitted, awaiting acceptance"
and offers no second objection; no text promises a mark "at once"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongxin.accounts.viewer import viewer_for_user
from gongxin.objections.services import objection_accept, objection_file
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def _article(html: str, record_id: int) -> str:
    start = html.index(f'data-record="{record_id}"')
    return html[start:html.index("</article>", start)]


def test_a_filed_objection_awaits_acceptance_and_the_mark_comes_with_it(acme, acme_records, acme_agent, staff):
    penalty = acme_records["penalty"]
    page = signed_in(acme_agent)
    before = page.get(reverse("access:profile")).content.decode()
    assert "立即" not in _article(before, penalty.pk) and "受理后" in _article(before, penalty.pk)  # mark at acceptance

    objection = objection_file(record=penalty, ground="wrong_text", description="文书号有误。",
                               actor=viewer_for_user(acme_agent))
    filed = _article(page.get(reverse("access:profile")).content.decode(), penalty.pk)
    assert 'data-mark="objection-submitted"' in filed and "异议已提交，待受理" in filed
    assert 'data-mark="objection"' not in filed and "异议中</span>" not in filed
    assert 'data-action="object"' not in filed  # one objection at a time

    objection_accept(objection=objection, actor=viewer_for_user(staff), note="已受理")
    accepted = _article(page.get(reverse("access:profile")).content.decode(), penalty.pk)
    assert 'data-mark="objection"' in accepted and "异议中" in accepted
    assert 'data-mark="objection-submitted"' not in accepted
