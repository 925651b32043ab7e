"""Lookups by code and RIN, the public search, and who sees a person's RIN."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core.crypto import unseal
from gongxin.subjects.choices import IdentifierScheme
from gongxin.subjects.identifiers import RIN_CONTEXT
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import (
    organizations_search,
    person_rin_reveal,
    subject_by_code,
    subject_by_rin,
    subject_by_uscc,
    subject_display_code,
)
from gongxin.subjects.services import identifier_add
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db


def _plain_rin(person: Subject) -> str:
    return unseal(person.person.rin_sealed, context=RIN_CONTEXT)


def test_subject_by_uscc_normalizes_and_finds_only_organizations(organization: Subject) -> None:
    uscc = organization.organization.uscc
    assert subject_by_uscc(uscc.lower()) == organization
    assert subject_by_uscc(" " + uscc + " ") == organization
    assert subject_by_uscc(factories.uscc_new()) is None
    assert subject_by_uscc("nonsense") is None


def test_subject_by_code_resolves_aliases(organization: Subject) -> None:
    identifier_add(subject=organization, scheme=IdentifierScheme.REGISTRATION_NUMBER, value="330200000123456",
                   actor_label="tests")
    identifier_add(subject=organization, scheme=IdentifierScheme.ORGANIZATION_CODE, value="MA2H1234X",
                   actor_label="tests")
    assert subject_by_code(organization.organization.uscc) == organization
    assert subject_by_code("330200000123456") == organization
    assert subject_by_code("ma2h1234-x") == organization
    assert subject_by_code("330200000999999") is None
    assert subject_by_code("") is None


def test_subject_by_rin_uses_the_hash(person: Subject) -> None:
    rin = _plain_rin(person)
    assert subject_by_rin(rin) == person
    assert subject_by_rin(rin.lower()) == person
    assert subject_by_rin(factories.rin_new()) is None
    assert subject_by_rin("not a rin") is None
    # A person is not found as an organization code, nor by the masked form.
    assert subject_by_code(rin) is None
    assert subject_by_rin(person.person.rin_masked) is None


def test_search_by_name_and_uscc_prefix() -> None:
    a = factories.organization_create(name="宁波甬江贸易有限公司")
    b = factories.organization_create(name="宁波海曙甬江餐饮店")
    factories.organization_create(name="慈溪家电制造有限公司")
    found, total = organizations_search(q="甬江")
    assert total == 2
    assert {s.pk for s in found} == {a.pk, b.pk}
    assert found[0].organization.uscc  # select_related: no extra query needed
    found, total = organizations_search(q=a.organization.uscc[:12].lower())
    assert a.pk in {s.pk for s in found}
    found, total = organizations_search(q=a.organization.uscc)
    assert [s.pk for s in found] == [a.pk]
    assert organizations_search(q="   ") == ([], 0)


def test_search_pages() -> None:
    for i in range(7):
        factories.organization_create(name=f"宁波分页测试{i}公司")
    with CaptureQueriesContext(connection) as context:
        page, total = organizations_search(q="分页测试", limit=3, offset=3)
        names = [s.organization.uscc and s.name for s in page]
    # Two reads (PostgreSQL adds a statement setting the planner's options).
    assert sum("subjects_subject" in q["sql"] for q in context.captured_queries) == 2
    assert total == 7
    assert names == ["宁波分页测试3公司", "宁波分页测试4公司", "宁波分页测试5公司"]
    page, _total = organizations_search(q="分页测试", limit=1000)
    assert len(page) == 7


def test_search_never_returns_persons() -> None:
    person = factories.person_create(name="甬江张三")
    org = factories.organization_create(name="甬江张三餐饮有限公司")
    rin = _plain_rin(person)
    for q in ["甬江张三", "张三", rin, rin[:6], person.person.rin_masked]:
        found, total = organizations_search(q=q)
        assert person.pk not in {s.pk for s in found}
        assert all(s.kind == "organization" for s in found)
        assert total == len(found)
    assert organizations_search(q="张三")[0] == [org]


def test_rin_revealed_to_self_and_staff_masked_to_others(person: Subject, outsider: Viewer,
                                                          staff_viewer: Viewer) -> None:
    rin = _plain_rin(person)
    masked = person.person.rin_masked
    self_viewer = Viewer(label="user:lisi", role=Role.PERSON, user_id=1, subject_id=person.pk)
    other_person = Viewer(label="user:other", role=Role.PERSON, user_id=2, subject_id=person.pk + 1000)
    operator = Viewer(label="user:op", role=Role.OPERATOR, user_id=3, department_id=1)
    admin = Viewer(label="user:admin", role=Role.ADMIN, user_id=4)
    assert person_rin_reveal(person=person.person, viewer=self_viewer) == rin
    assert person_rin_reveal(person=person.person, viewer=staff_viewer) == rin
    assert person_rin_reveal(person=person.person, viewer=admin) == rin
    for viewer in (outsider, other_person, operator):
        assert person_rin_reveal(person=person.person, viewer=viewer) == masked
    assert masked == "*" * 14 + rin[-4:]


def test_rin_reveal_accepts_users(person: Subject, django_user_model) -> None:
    from django.contrib.auth.models import AnonymousUser

    owner = django_user_model.objects.create(username="lisi", role=Role.PERSON, subject=person)
    stranger = django_user_model.objects.create(username="stranger", role=Role.PUBLIC)
    assert person_rin_reveal(person=person.person, viewer=owner) == _plain_rin(person)
    assert person_rin_reveal(person=person.person, viewer=stranger) == person.person.rin_masked
    assert person_rin_reveal(person=person.person, viewer=AnonymousUser()) == person.person.rin_masked


def test_display_code(organization: Subject, person: Subject, staff_viewer: Viewer, outsider: Viewer) -> None:
    assert subject_display_code(subject=organization, viewer=outsider) == organization.organization.uscc
    assert subject_display_code(subject=person, viewer=outsider) == person.person.rin_masked
    assert subject_display_code(subject=person, viewer=staff_viewer) == person.person.rin_masked
    self_viewer = Viewer(label="user:lisi", role=Role.PERSON, user_id=1, subject_id=person.pk)
    assert subject_display_code(subject=person, viewer=self_viewer) == _plain_rin(person)
