"""``demo_seed`` and ``demo_accounts_ensure`` against the real database."""

from __future__ import annotations

from datetime import date

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.catalog.models import SourceUnit
from gongxin.demo import city, services
from gongxin.ingest.models import Batch
from gongxin.records.models import ListEntry, Record, RecordVersion
from gongxin.subjects.identifiers import rin_lookup_hash, uscc_is_valid
from gongxin.subjects.models import Organization, Person, Relation

pytestmark = pytest.mark.django_db

SMALL = {"seed": 7, "organizations": 50, "persons": 50, "records": 500, "progress": False}


def test_a_small_city_is_seeded_with_valid_codes_and_all_its_records() -> None:
    counts = services.demo_seed(**SMALL)

    assert counts["organizations"] == 50
    assert counts["persons"] == 50
    assert counts["records"] == 500
    assert counts["records_rejected"] == 0
    assert counts["records_without_subject"] == 0
    assert Organization.objects.count() == 50
    assert all(uscc_is_valid(code) for code in Organization.objects.values_list("uscc", flat=True))
    assert Person.objects.count() == 50
    sampled = counts["sample_batch_rows"]  # plus the sample batch (demo.batches), loaded through ingest
    assert sampled > 0
    assert RecordVersion.objects.filter(actor_label="demo seed").count() == 500
    # (besides the registration relations the city's relation graph arrives as: test_demo_relations)
    assert Record.objects.exclude(catalog_item__code="registration_relation").count() == (
        500 + Batch.objects.get().inserted)
    # Records are spread over the catalog and the departments, and lists get their entries.
    assert Record.objects.values("catalog_item").distinct().count() >= 6
    assert Record.objects.values("source_unit").distinct().count() >= 8
    assert ListEntry.objects.exists()
    assert SourceUnit.objects.filter(department__name="宁波市市场监督管理局", domain="market_regulation").exists()
    assert SourceUnit.objects.filter(department__name="海曙区市场监督管理局").exists()


def test_the_database_holds_the_generated_city_of_the_seed() -> None:
    services.demo_seed(**SMALL)

    expected = {(o.uscc, o.name) for o in city.organizations(seed=7, count=50, as_of=city.DEMO_AS_OF)}
    stored = set(Organization.objects.values_list("uscc", "subject__name"))
    assert stored == expected
    expected_persons = {rin_lookup_hash(p.rin): p.name for p in city.persons(seed=7, count=50)}
    assert dict(Person.objects.values_list("rin_hash", "subject__name")) == expected_persons
    # A person never appears plain: masked and sealed only.
    rin = city.person_at(7, 0).rin
    person = Person.objects.get(rin_hash=rin_lookup_hash(rin))
    assert rin not in person.rin_sealed
    assert person.rin_masked == "*" * 14 + rin[-4:]


def test_a_second_run_adds_nothing() -> None:
    services.demo_seed(**SMALL)
    before = (Organization.objects.count(), Person.objects.count(), Record.objects.count(),
              RecordVersion.objects.count(), Relation.objects.count(), ListEntry.objects.count())

    counts = services.demo_seed(**SMALL)

    assert counts["organizations"] == counts["persons"] == counts["relations"] == 0
    assert counts["records"] == counts["records_corrected"] == 0
    assert counts["records_unchanged"] == 500
    after = (Organization.objects.count(), Person.objects.count(), Record.objects.count(),
             RecordVersion.objects.count(), Relation.objects.count(), ListEntry.objects.count())
    assert after == before


def test_a_larger_run_keeps_the_smaller_city_and_adds_the_rest() -> None:
    services.demo_seed(seed=7, organizations=30, persons=20, records=0, progress=False)
    counts = services.demo_seed(seed=7, organizations=50, persons=40, records=0, progress=False)
    assert counts["organizations"] == 20
    assert counts["persons"] == 20


def test_legal_representatives_are_related_to_their_organizations() -> None:
    counts = services.demo_seed(seed=7, organizations=400, persons=100, records=0, progress=False)
    assert counts["relations"] > 0
    # The current legal representatives (the graph also holds executives, shareholders ...: test_demo_relations).
    relation = (Relation.objects.filter(kind="legal_representative", end_date__isnull=True)
                .select_related("from_subject", "to_subject__organization").first())
    assert relation.from_subject.kind == "person"
    assert relation.to_subject.organization.legal_representative == relation.from_subject.name


def test_the_parallel_record_stream_equals_the_inline_one() -> None:
    slots, _items = services.catalog_slots()
    kwargs = {"seed": 4, "count": 12_000, "slots": slots, "organizations": 80, "persons": 80,
              "as_of": date(2026, 11, 1)}
    inline = [f.source_record_id + repr(sorted(f.payload.items())) for f in
              services._facts_stream(parallel=False, **kwargs)]
    forked = [f.source_record_id + repr(sorted(f.payload.items())) for f in
              services._facts_stream(parallel=True, **kwargs)]
    assert forked == inline


def test_demo_accounts_one_per_role_linked_to_their_subject_or_department() -> None:
    services.demo_seed(**SMALL)

    rows = services.demo_accounts_ensure(seed=7)

    assert {role for role, _username, _password in rows} == set(Role.values)
    users = {u.role: u for u in User.objects.filter(username__startswith="demo-")}
    assert set(users) == set(Role.values)
    for role, username, password in rows:
        assert users[role].username == username
        assert users[role].check_password(password)
    assert users[Role.PERSON].subject.kind == "person"
    assert users[Role.PERSON].subject.person.rin_hash == rin_lookup_hash(city.person_at(7, 0).rin)
    assert users[Role.ORG_AGENT].subject.kind == "organization"
    assert users[Role.OPERATOR].department.name == "宁波市市场监督管理局"
    assert users[Role.OPERATOR].department.source_unit.domain == "market_regulation"
    assert users[Role.STAFF].department.name == "宁波市发展和改革委员会"
    assert users[Role.ADMIN].is_superuser and users[Role.ADMIN].is_staff
    assert not users[Role.STAFF].is_superuser
    assert users[Role.PUBLIC].subject is None


def test_demo_accounts_are_safe_to_ensure_again_and_keep_a_changed_password() -> None:
    services.demo_accounts_ensure()
    staff = User.objects.get(username="demo-staff")
    staff.set_password("changed-by-the-user")
    staff.save()

    again = services.demo_accounts_ensure()

    assert len(again) == len(Role.values)
    assert User.objects.filter(username__startswith="demo-").count() == len(Role.values)
    assert User.objects.get(username="demo-staff").check_password("changed-by-the-user")
