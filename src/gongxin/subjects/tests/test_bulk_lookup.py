"""The bulk lookup by code (subjects_by_codes) and its SQL text (subjects_by_codes_sql)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.subjects.choices import IdentifierScheme
from gongxin.subjects.identifiers import rin_lookup_hash
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import (
    CODE_RIN_HASH,
    CODE_USCC,
    CODES_PER_QUERY,
    subjects_by_codes,
    subjects_by_codes_sql,
)
from gongxin.subjects.services import identifier_add
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db


def test_by_uscc_reads_the_asked_fields_and_leaves_unknown_codes_out() -> None:
    first = factories.organization_create(name="宁波甲有限公司")
    second = factories.organization_create(name="宁波乙有限公司")
    unknown = factories.uscc_new()
    codes = [first.organization.uscc, second.organization.uscc, unknown, first.organization.uscc]
    rows = sorted(subjects_by_codes(scheme=CODE_USCC, codes=codes, fields=("name", "kind")))
    assert rows == sorted([
        (first.organization.uscc, first.pk, "宁波甲有限公司", "organization"),
        (second.organization.uscc, second.pk, "宁波乙有限公司", "organization"),
    ])
    assert list(subjects_by_codes(scheme=CODE_USCC, codes=[])) == []


def test_by_rin_hash_finds_persons_only() -> None:
    rin = factories.rin_new()
    person = factories.person_create(name="李四", rin=rin)
    digest = rin_lookup_hash(rin)
    rows = list(subjects_by_codes(scheme=CODE_RIN_HASH, codes=[digest, rin_lookup_hash(factories.rin_new())],
                                  fields=("person__rin_masked",)))
    assert rows == [(digest, person.pk, person.person.rin_masked)]
    # The plain RIN is not a code of the lookup.
    assert list(subjects_by_codes(scheme=CODE_RIN_HASH, codes=[rin])) == []


def test_by_alias_keeps_to_its_scheme() -> None:
    organization = factories.organization_create()
    other = factories.organization_create(name="宁波丙有限公司")
    identifier_add(subject=organization, scheme=IdentifierScheme.REGISTRATION_NUMBER, value="330200000123456",
                   actor_label="tests")
    identifier_add(subject=organization, scheme=IdentifierScheme.ORGANIZATION_CODE, value="MA2H1234X",
                   actor_label="tests")
    identifier_add(subject=other, scheme=IdentifierScheme.TAX_NUMBER, value="330200000123456",
                   actor_label="tests")
    codes = ["330200000123456", "MA2H1234X"]
    assert list(subjects_by_codes(scheme=IdentifierScheme.REGISTRATION_NUMBER, codes=codes, fields=("name",))) == [
        ("330200000123456", organization.pk, organization.name)]
    assert list(subjects_by_codes(scheme=IdentifierScheme.TAX_NUMBER, codes=codes)) == [
        ("330200000123456", other.pk)]
    assert list(subjects_by_codes(scheme=IdentifierScheme.ORGANIZATION_CODE, codes=codes)) == [
        ("MA2H1234X", organization.pk)]


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError):
        list(subjects_by_codes(scheme="passport", codes=["x"]))


def test_many_codes_cost_one_query_on_postgresql() -> None:
    known = factories.organization_create()
    codes = [factories.uscc_new() for _ in range(CODES_PER_QUERY + 50)] + [known.organization.uscc]
    with CaptureQueriesContext(connection) as queries:
        rows = list(subjects_by_codes(scheme=CODE_USCC, codes=codes))
    assert rows == [(known.organization.uscc, known.pk)]
    lookups = [q for q in queries if "set_config" not in q["sql"]]  # the planner's settings around it aside
    assert len(lookups) == (1 if connection.vendor == "postgresql" else 2)


def test_the_lookup_probes_the_index_even_while_the_statistics_say_the_tables_are_small() -> None:
    """Statistics taken while the subjects were few (a load's first minutes) must not make each chunk of the
    load scan every subject: the lookup reads the code's index whatever the planner believes (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    known = factories.organization_create()
    tables = ("subjects_subject", "subjects_organization")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
    codes = [factories.uscc_new() for _ in range(200)] + [known.organization.uscc]

    def scans() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(sum(seq_scan), 0) FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
                           [list(tables)])
            return int(cursor.fetchone()[0])

    before = scans()
    assert list(subjects_by_codes(scheme=CODE_USCC, codes=codes)) == [(known.organization.uscc, known.pk)]
    assert scans() == before


@pytest.mark.parametrize("scheme", [CODE_USCC, CODE_RIN_HASH, IdentifierScheme.REGISTRATION_NUMBER])
def test_sql_text_finds_what_the_selector_finds(scheme: str) -> None:
    organization = factories.organization_create()
    identifier_add(subject=organization, scheme=IdentifierScheme.REGISTRATION_NUMBER, value="330200000654321",
                   actor_label="tests")
    rin = factories.rin_new()
    person = factories.person_create(rin=rin)
    code = {CODE_USCC: organization.organization.uscc, CODE_RIN_HASH: rin_lookup_hash(rin)}.get(
        scheme, "330200000654321")
    subject: Subject = person if scheme == CODE_RIN_HASH else organization
    expected = list(subjects_by_codes(scheme=scheme, codes=[code], fields=("name",)))
    assert expected == [(code, subject.pk, subject.name)]
    forms = [(True, code)] + ([(False, [code, "nobody"])] if connection.vendor == "postgresql" else [])
    for one, value in forms:
        sql = subjects_by_codes_sql(scheme=scheme, one=one)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql.code}, s.id, s.name FROM {sql.tables} WHERE {sql.where}",  # noqa: S608
                           sql.params(value))
            assert cursor.fetchall() == expected
