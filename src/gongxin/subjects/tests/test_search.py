"""The public organization search: initials kept on every write path, and what each kind of query finds.

Runs on SQLite and on PostgreSQL (where the 1–2-character and trigram indexes of migration 0004 serve
the same queries); persons are never found, whatever the query.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.core.crypto import unseal
from gongxin.subjects.identifiers import RIN_CONTEXT
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import (
    SEARCH_COUNT_CAP,
    organizations_matching,
    organizations_search,
    organizations_search_explain,
    organizations_search_page,
)
from gongxin.subjects.services import OrganizationRow, organizations_register_bulk, subject_resolve_or_create
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db


def _names(items: list[Subject]) -> list[str]:
    return [s.name for s in items]


# --- initials on every write path ---------------------------------------------------------------------


def test_register_sets_initials() -> None:
    subject = factories.organization_create(name="宁波万业贸易有限公司")
    assert subject.name_initials == "nbwymyyxgs"
    subject.refresh_from_db()
    assert subject.name_initials == "nbwymyyxgs"


def test_bulk_register_sets_initials() -> None:
    names = ("宁波万业贸易有限公司", "IBM（中国）有限公司")
    rows = [OrganizationRow(uscc=factories.uscc_new(), name=name) for name in names]
    assert organizations_register_bulk(rows, actor_label="tests") == 2
    stored = dict(Subject.objects.values_list("name", "name_initials"))
    assert stored == {"宁波万业贸易有限公司": "nbwymyyxgs", "IBM（中国）有限公司": "ibmzgyxgs"}


def test_resolve_or_create_sets_initials_for_organizations_only() -> None:
    organization = subject_resolve_or_create(uscc=factories.uscc_new(), name="慈溪家电制造有限公司",
                                             actor_label="tests")
    person = subject_resolve_or_create(rin=factories.rin_new(), name="张三", actor_label="tests")
    organization.refresh_from_db()
    person.refresh_from_db()
    assert organization.name_initials == "cxjdzzyxgs"
    assert person.name_initials == ""  # persons are never searched publicly


def test_save_keeps_initials_in_step_with_the_name() -> None:
    subject = Subject.objects.create(kind=SubjectKind.ORGANIZATION, name="宁波甬江贸易有限公司", created_at=clock.now())
    assert Subject.objects.get(pk=subject.pk).name_initials == "nbyjmyyxgs"
    subject.name = "宁波万业贸易有限公司"
    subject.save(update_fields=["name"])
    assert Subject.objects.get(pk=subject.pk).name_initials == "nbwymyyxgs"


def test_admin_rename_updates_initials(admin_client: Client, organization: Subject) -> None:
    response = admin_client.post(
        f"/admin/subjects/subject/{organization.pk}/change/",
        {"name": "宁波万业贸易有限公司", "region_code": organization.region_code, "needs_enrichment": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert organization.name == "宁波万业贸易有限公司"
    assert organization.name_initials == "nbwymyyxgs"
    assert organizations_search(q="nbwy")[0] == [organization]


# --- what each kind of query finds ----------------------------------------------------------------------


def test_search_by_initials() -> None:
    wanye = factories.organization_create(name="宁波万业贸易有限公司")
    bank = factories.organization_create(name="宁波银行股份有限公司")
    haishu = factories.organization_create(name="海曙宁波路餐饮店")  # initials hsnblcyd
    assert _names(organizations_search(q="nbwy")[0]) == [wanye.name]
    assert _names(organizations_search(q="NBWY")[0]) == [wanye.name]
    # More than two letters: a part of the initials, anywhere.
    assert {s.pk for s in organizations_search(q="nbl")[0]} == {haishu.pk}
    assert {s.pk for s in organizations_search(q="yxgs")[0]} == {wanye.pk, bank.pk}
    # One or two letters: the beginning only.
    assert {s.pk for s in organizations_search(q="nb")[0]} == {wanye.pk, bank.pk}
    assert {s.pk for s in organizations_search(q="h")[0]} == {haishu.pk}
    page = organizations_search_page(q="nbwy")
    assert page.kind == "initials"


def test_search_by_chinese_substring_of_any_length() -> None:
    wanye = factories.organization_create(name="宁波万业贸易有限公司")
    other = factories.organization_create(name="宁波海曙万达餐饮店")
    assert {s.pk for s in organizations_search(q="万")[0]} == {wanye.pk, other.pk}
    assert _names(organizations_search(q="万业")[0]) == [wanye.name]
    assert _names(organizations_search(q="万业贸易")[0]) == [wanye.name]
    assert _names(organizations_search(q="海曙万达餐饮")[0]) == [other.name]
    assert organizations_search(q="业万")[0] == []
    assert organizations_search_page(q="万业").kind == "name"


def test_mixed_queries() -> None:
    ibm = factories.organization_create(name="IBM中国有限公司")
    wanye = factories.organization_create(name="宁波万业贸易有限公司")
    # Chinese with Latin letters: a part of the name, ASCII case ignored.
    assert _names(organizations_search(q="ibm中国")[0]) == [ibm.name]
    assert _names(organizations_search(q="IBM中国")[0]) == [ibm.name]
    # Latin letters alone: the Latin word is part of the initials.
    assert _names(organizations_search(q="ibm")[0]) == [ibm.name]
    # Digits: the USCC's beginning, never the name.
    uscc = wanye.organization.uscc
    assert _names(organizations_search(q=uscc[:8])[0]) == [ibm.name, wanye.name]
    assert _names(organizations_search(q=uscc.lower())[0]) == [wanye.name]
    assert organizations_search_page(q=uscc[:8]).kind == "uscc"


def test_like_wildcards_are_literal() -> None:
    odd = factories.organization_create(name="宁波百分_百%贸易有限公司")
    factories.organization_create(name="宁波百分百贸易有限公司")
    assert _names(organizations_search(q="百分_百%")[0]) == [odd.name]
    assert _names(organizations_search(q="_")[0]) == [odd.name]
    assert _names(organizations_search(q="%")[0]) == [odd.name]


def test_persons_are_never_found() -> None:
    person = factories.person_create(name="宁波万业")
    org = factories.organization_create(name="宁波万业贸易有限公司")
    # A person's row with initials (as if set by hand) is still not found.
    Subject.objects.filter(pk=person.pk).update(name_initials="nbwy")
    rin = unseal(person.person.rin_sealed, context=RIN_CONTEXT)
    for q in ["宁波万业", "万业", "万", "nbwy", "nb", "NBWY", rin, rin[:6], person.person.rin_masked]:
        page = organizations_search_page(q=q)
        assert person.pk not in {s.pk for s in page.items}, q
        assert all(s.kind == SubjectKind.ORGANIZATION for s in page.items)
        assert person.pk not in set(organizations_matching(q=q).values_list("pk", flat=True))
    assert organizations_search(q="nbwy")[0] == [org]


def test_total_is_capped_and_flagged() -> None:
    rows = [OrganizationRow(uscc=factories.uscc_new(), name=f"宁波封顶测试{i:04d}有限公司")
            for i in range(SEARCH_COUNT_CAP + 5)]
    organizations_register_bulk(rows, actor_label="tests", batch_size=500)
    page = organizations_search_page(q="封顶测试", limit=20)
    assert (page.total, page.total_capped) == (SEARCH_COUNT_CAP, True)
    assert organizations_search(q="封顶测试")[1] == SEARCH_COUNT_CAP
    # Beyond the cap, the pages cover SEARCH_COUNT_CAP of the matches, in name order, each once.
    seen: list[str] = []
    for offset in range(0, SEARCH_COUNT_CAP + 100, 100):
        seen += _names(organizations_search_page(q="封顶测试", limit=100, offset=offset).items)
    assert len(seen) == len(set(seen)) == SEARCH_COUNT_CAP
    assert seen == sorted(seen)
    assert all("封顶测试" in name for name in seen)
    # A narrower query is exact again.
    page = organizations_search_page(q="封顶测试000", limit=20)  # 0000–0009
    assert (page.total, page.total_capped) == (10, False)
    assert _names(page.items) == [f"宁波封顶测试{i:04d}有限公司" for i in range(10)]


def _data_queries(context: CaptureQueriesContext) -> int:
    # On PostgreSQL the search also sets its planner options (see selectors._index_scans_only).
    return sum("subjects_subject" in query["sql"] for query in context.captured_queries)


def test_two_queries_whatever_the_match() -> None:
    for i in range(30):
        factories.organization_create(name=f"宁波万业{i:02d}贸易有限公司")
    with CaptureQueriesContext(connection) as context:  # the matches' ids and names; the page's rows
        page = organizations_search_page(q="万业", limit=5, offset=10)
        assert [s.organization.uscc and s.name for s in page.items] == [
            f"宁波万业{i:02d}贸易有限公司" for i in range(10, 15)]
    assert _data_queries(context) == 2
    assert (page.total, page.total_capped) == (30, False)
    with CaptureQueriesContext(connection) as context:  # past the end: no second query
        assert organizations_search_page(q="万业", offset=40).items == []
    assert _data_queries(context) == 1
    with CaptureQueriesContext(connection) as context:  # nothing found: likewise
        assert organizations_search_page(q="不存在").items == []
    assert _data_queries(context) == 1


def test_explain_shows_the_plan() -> None:
    assert organizations_search_explain(q="万业")
    assert organizations_search_explain(q=" ") == ""


def test_blank_query() -> None:
    factories.organization_create()
    assert organizations_search_page(q="  ").items == []
    assert list(organizations_matching(q="")) == []


def test_initials_prefixes_at_the_end_of_the_alphabet() -> None:
    names = {"中资": "zz", "中原": "zy", "长沙": "cs", "重庆": "cq", "宁波": "nb"}
    subjects = {initials: factories.organization_create(name=f"{name}测试店") for name, initials in names.items()}
    assert {s.name_initials[:2] for s in subjects.values()} == set(names.values())

    def found(q: str) -> set[str]:
        return {s.name_initials[:2] for s in organizations_search(q=q)[0]}

    assert found("z") == {"zz", "zy"}
    assert found("zz") == {"zz"}
    assert found("zy") == {"zy"}
    assert found("c") == {"cs", "cq"}
    assert found("cq") == {"cq"}
    assert found("y") == set()
