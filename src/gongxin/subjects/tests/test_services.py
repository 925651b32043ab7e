"""Registering organizations and persons, alias codes and relations: rows, events and conflicts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from gongxin.catalog.choices import SubjectKind
from gongxin.core.crypto import unseal
from gongxin.core.models import OutboxEvent
from gongxin.subjects.choices import IdentifierScheme, OrganizationKind, OrganizationStatus, RelationKind
from gongxin.subjects.errors import InvalidRin, InvalidUscc, SubjectConflict, SubjectInvalid
from gongxin.subjects.identifiers import RIN_CONTEXT, rin_lookup_hash, uscc_generate
from gongxin.subjects.models import Organization, Person, Relation, Subject, SubjectIdentifier
from gongxin.subjects.services import (
    PersonRow,
    identifier_add,
    organization_register,
    person_register,
    persons_register_bulk,
    relation_add,
    subject_resolve_or_create,
)
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db


def test_organization_register_writes_subject_organization_and_event() -> None:
    uscc = factories.uscc_new()
    subject = organization_register(
        uscc=uscc.lower(), name=" 宁波北仑港口物流有限公司 ", org_kind=OrganizationKind.ENTERPRISE,
        legal_representative="赵六", registration_date=date(2012, 6, 1), actor_label="registry-feed",
    )
    subject.refresh_from_db()
    assert subject.kind == SubjectKind.ORGANIZATION
    assert subject.name == "宁波北仑港口物流有限公司"
    assert subject.region_code == "330200"  # from the USCC's division when not given
    organization = Organization.objects.get(subject=subject)
    assert organization.uscc == uscc
    assert organization.status == OrganizationStatus.ACTIVE
    assert organization.registration_date == date(2012, 6, 1)
    event = OutboxEvent.objects.get(topic="subjects.subject.created", aggregate_id=subject.pk)
    assert event.subject_id == subject.pk
    assert event.payload["uscc"] == uscc
    assert event.payload["actor"] == "registry-feed"


def test_organization_register_refuses_a_registered_uscc(organization: Subject) -> None:
    with pytest.raises(SubjectConflict) as caught:
        factories.organization_create(uscc=organization.organization.uscc, name="另一家公司")
    assert caught.value.code == "subject.duplicate"
    assert caught.value.status == 409
    assert Organization.objects.count() == 1
    assert OutboxEvent.objects.filter(topic="subjects.subject.created").count() == 1


def test_organization_register_validates_its_input() -> None:
    with pytest.raises(InvalidUscc):
        factories.organization_create(uscc="91110000600037341M")
    with pytest.raises(SubjectInvalid):
        factories.organization_create(name="  ")
    with pytest.raises(SubjectInvalid):
        factories.organization_create(org_kind="bank")
    with pytest.raises(SubjectInvalid):
        factories.organization_create(region_code="3302")
    assert not Subject.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_person_register_seals_hashes_and_masks_the_rin() -> None:
    rin = factories.rin_new()
    subject = person_register(rin=rin, name="李四", actor_label="tests")
    person = Person.objects.get(subject=subject)
    assert person.rin_masked == "*" * 14 + rin[-4:]
    assert person.rin_hash == rin_lookup_hash(rin)
    assert rin not in person.rin_sealed
    assert unseal(person.rin_sealed, context=RIN_CONTEXT) == rin
    assert subject.region_code == rin[:6]
    event = OutboxEvent.objects.get(topic="subjects.subject.created", aggregate_id=subject.pk)
    assert rin not in str(event.payload)
    assert "李四" not in str(event.payload)


def test_person_register_refuses_a_registered_rin(person: Subject) -> None:
    plain = unseal(person.person.rin_sealed, context=RIN_CONTEXT)
    with pytest.raises(SubjectConflict) as caught:
        person_register(rin=plain.lower(), name="李四", actor_label="tests")
    assert caught.value.code == "subject.duplicate"
    with pytest.raises(InvalidRin):
        person_register(rin=plain[:17] + ("0" if plain[-1] != "0" else "1"), name="李四", actor_label="tests")


def test_the_plain_rin_is_in_no_column_of_any_subjects_table() -> None:
    rins = [factories.rin_new() for _ in range(3)]
    person_register(rin=rins[0], name="李四", actor_label="tests")
    persons_register_bulk([PersonRow(rin=rins[1], name="王五"), PersonRow(rin=rins[2], name="赵六")],
                          actor_label="tests")
    org = factories.organization_create()
    subject_resolve_or_create(rin=factories.rin_new(), name="钱七", actor_label="tests")
    relation_add(from_subject=Subject.objects.filter(kind=SubjectKind.PERSON).first(), to_subject=org,
                 kind=RelationKind.LEGAL_REPRESENTATIVE, actor_label="tests")
    tables = ["subjects_subject", "subjects_person", "subjects_organization", "subjects_subjectidentifier",
              "subjects_relation", "core_outboxevent"]
    cells_read = 0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            for row in cursor.fetchall():
                for cell in row:
                    cells_read += 1
                    for rin in rins:
                        assert rin not in str(cell), f"plain RIN found in {table}"
                        assert rin.lower() not in str(cell).lower()
    assert cells_read > 0
    assert Person.objects.count() == 4


def test_identifier_add_normalizes_and_is_idempotent(organization: Subject) -> None:
    identifier = identifier_add(subject=organization, scheme=IdentifierScheme.ORGANIZATION_CODE,
                                value="ma2h1234-x", actor_label="tests")
    assert identifier.value == "MA2H1234X"
    again = identifier_add(subject=organization, scheme=IdentifierScheme.ORGANIZATION_CODE, value="MA2H1234X",
                           actor_label="tests")
    assert again.pk == identifier.pk
    assert OutboxEvent.objects.filter(topic="subjects.identifier.added").count() == 1


def test_identifier_add_refuses_another_subjects_code_and_persons(organization: Subject, person: Subject) -> None:
    identifier_add(subject=organization, scheme=IdentifierScheme.REGISTRATION_NUMBER, value="330200000123456",
                   actor_label="tests")
    other = factories.organization_create(name="宁波另一家公司")
    with pytest.raises(SubjectConflict) as caught:
        identifier_add(subject=other, scheme=IdentifierScheme.REGISTRATION_NUMBER, value="330200000123456",
                       actor_label="tests")
    assert caught.value.code == "subject.duplicate_identifier"
    with pytest.raises(SubjectInvalid):
        identifier_add(subject=person, scheme=IdentifierScheme.TAX_NUMBER, value="330203MA2H1234X",
                       actor_label="tests")
    with pytest.raises(SubjectInvalid):
        identifier_add(subject=other, scheme="passport", value="E1234567", actor_label="tests")
    assert SubjectIdentifier.objects.count() == 1


def test_relation_add_records_a_shareholding(organization: Subject, person: Subject) -> None:
    relation = relation_add(from_subject=person, to_subject=organization, kind=RelationKind.SHAREHOLDER,
                            share_ratio=Decimal("0.35"), start_date=date(2020, 1, 1), actor_label="tests")
    assert Relation.objects.get(pk=relation.pk).share_ratio == Decimal("0.3500")
    event = OutboxEvent.objects.get(topic="subjects.relation.added")
    assert event.subject_id == person.pk
    assert event.payload["to_subject_id"] == organization.pk
    assert event.payload["share_ratio"] == "0.35"
    with pytest.raises(SubjectConflict) as caught:
        relation_add(from_subject=person, to_subject=organization, kind=RelationKind.SHAREHOLDER,
                     actor_label="tests")
    assert caught.value.code == "subject.duplicate_relation"


def test_relation_add_refuses_nonsense(organization: Subject, person: Subject) -> None:
    with pytest.raises(SubjectInvalid):
        relation_add(from_subject=organization, to_subject=organization, kind=RelationKind.INVESTMENT,
                     actor_label="tests")
    with pytest.raises(SubjectInvalid):
        relation_add(from_subject=organization, to_subject=person, kind=RelationKind.INVESTMENT,
                     actor_label="tests")
    with pytest.raises(SubjectInvalid):
        relation_add(from_subject=person, to_subject=organization, kind=RelationKind.SHAREHOLDER,
                     share_ratio=Decimal("1.5"), actor_label="tests")
    assert not Relation.objects.exists()


def test_resolve_or_create_finds_or_registers_for_enrichment(organization: Subject) -> None:
    uscc = organization.organization.uscc
    assert subject_resolve_or_create(uscc=uscc, name="任意名称", actor_label="tests").pk == organization.pk
    individual = uscc_generate(prefix="92", division="330212", org_code="L12345678")
    created = subject_resolve_or_create(uscc=individual, name="鄞州区小李面馆", actor_label="ingest")
    assert created.needs_enrichment
    assert created.organization.org_kind == OrganizationKind.INDIVIDUAL_BUSINESS
    rin = factories.rin_new()
    first = subject_resolve_or_create(rin=rin, name="孙八", actor_label="ingest")
    assert first.kind == SubjectKind.PERSON and first.needs_enrichment
    assert subject_resolve_or_create(rin=rin, name="孙八", actor_label="ingest").pk == first.pk
    with pytest.raises(SubjectInvalid):
        subject_resolve_or_create(name="无名", actor_label="ingest")
