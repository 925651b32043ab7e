"""The pure generators of the demo city: valid and unique identifiers, determinism, believable records."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from gongxin.catalog.schema import payload_validate
from gongxin.demo import city
from gongxin.demo.services import catalog_slots
from gongxin.subjects.identifiers import rin_validate, uscc_is_valid

AS_OF = date(2026, 11, 1)


def _clear_caches() -> None:
    city.organization_at.cache_clear()
    city.person_at.cache_clear()


def test_organizations_have_valid_unique_usccs_of_their_district() -> None:
    orgs = list(city.organizations(seed=11, count=3000, as_of=AS_OF))
    usccs = [o.uscc for o in orgs]
    assert len(set(usccs)) == len(usccs)
    assert all(uscc_is_valid(code) for code in usccs)
    for org in orgs:
        assert org.uscc[2:8] == org.district_code
        assert org.district_code in city.DISTRICT_BY_CODE
        # The inner organization code carries its own GB 11714 check character.
        assert city.org_code_check(org.uscc[8:16]) == org.uscc[16]
        assert org.uscc[:2] == {"enterprise": "91", "individual_business": "92", "public_institution": "12"}.get(
            org.org_kind, org.uscc[:2])
        assert date(1995, 1, 1) <= org.registration_date <= AS_OF
        assert 0 < len(org.name) <= 200
    kinds = Counter(o.org_kind for o in orgs)
    assert kinds["enterprise"] > kinds["individual_business"] > kinds["social_organization"] > 0
    assert any(o.name.endswith("股份有限公司") for o in orgs)
    assert any(o.name.endswith(("店", "商行", "馆", "部")) for o in orgs if o.is_individual_business)


def test_persons_have_valid_unique_rins_matching_birth_and_sex() -> None:
    persons = list(city.persons(seed=11, count=5000))
    rins = [p.rin for p in persons]
    assert len(set(rins)) == len(rins)
    for person in persons:
        check = rin_validate(person.rin)
        assert check.birth_date == person.birth_date
        assert check.is_male == person.is_male
        assert check.area == person.district_code
        assert 2 <= len(person.name) <= 3


def test_same_seed_same_city_and_a_larger_city_extends_a_smaller_one() -> None:
    first = list(city.organizations(seed=5, count=200, as_of=AS_OF))
    _clear_caches()
    again = list(city.organizations(seed=5, count=200, as_of=AS_OF))
    assert first == again
    assert list(city.organizations(seed=5, count=100, as_of=AS_OF)) == first[:100]
    other = list(city.organizations(seed=6, count=200, as_of=AS_OF))
    assert [o.uscc for o in other] != [o.uscc for o in first]
    assert [o.name for o in other] != [o.name for o in first]
    assert list(city.persons(seed=5, count=50)) == list(city.persons(seed=5, count=50))


def test_legal_representatives_may_be_persons_of_the_city() -> None:
    orgs = list(city.organizations(seed=5, count=500, as_of=AS_OF, persons=300))
    linked = [o for o in orgs if o.legal_representative_index is not None]
    assert linked
    for org in linked:
        assert org.legal_representative == city.person_at(5, org.legal_representative_index).name
    # Everything else about an organization does not depend on the number of persons.
    alone = city.organization_at(5, linked[0].index, as_of=AS_OF)
    assert (alone.uscc, alone.name, alone.address) == (linked[0].uscc, linked[0].name, linked[0].address)


def test_authorities_are_real_departments_with_valid_usccs() -> None:
    names = {a.name for a in city.all_authorities()}
    assert {"宁波市市场监督管理局", "国家税务总局宁波市税务局", "宁波市中级人民法院", "海曙区市场监督管理局"} <= names
    assert all(uscc_is_valid(a.uscc) and a.uscc.startswith("11") for a in city.all_authorities())
    assert len({a.uscc for a in city.all_authorities()}) == len(city.all_authorities())


@pytest.mark.django_db
def test_generated_records_validate_against_the_seeded_catalog() -> None:
    slots, items = catalog_slots()
    assert {s.kind for s in slots} >= {"penalty", "licence", "judgment_debtor", "commitment", "tax_grade_a"}
    facts = list(city.records(seed=3, count=3000, slots=slots, organizations=400, persons=400, as_of=AS_OF))
    assert [f.source_record_id for f in facts] == [f"DEMO3-{i:09d}" for i in range(3000)]
    by_kind = Counter(items[f.slot].record_kind for f in facts)
    assert by_kind.most_common(1)[0][0] == "licence"
    assert all(by_kind[s.kind] > 0 for s in slots)
    regimes = set()
    for fact in facts:
        item = items[fact.slot]
        codes = {f["code"] for f in item.fields}
        payload = payload_validate(item=item, payload={k: v for k, v in fact.payload.items() if k in codes})
        if item.decision_date_field:
            decided = date.fromisoformat(payload[item.decision_date_field])
            assert decided <= AS_OF
            if item.polarity == "negative":
                assert decided >= city.DECISIONS_FROM
                regimes.add(decided.year)
        if item.record_kind == "penalty" and "fine_amount" in payload:
            assert Decimal("100") <= Decimal(payload["fine_amount"]) <= Decimal("1000000")
            assert "罚款" in payload["penalty_types"]
        if fact.subject_kind == "person":
            assert "id_number" not in payload  # RINs stay sealed in the subjects app
    # Decisions spread over the years, so that every publicity regime (2019, Order 58, Order 36) occurs.
    assert {2019, 2022, 2024, 2026} <= regimes


@pytest.mark.django_db
def test_record_stream_is_deterministic() -> None:
    slots, _items = catalog_slots()
    one = list(city.records(seed=9, count=300, slots=slots, organizations=50, persons=50, as_of=AS_OF))
    _clear_caches()
    two = list(city.records(seed=9, count=300, slots=slots, organizations=50, persons=50, as_of=AS_OF))
    assert one == two
    assert one != list(city.records(seed=10, count=300, slots=slots, organizations=50, persons=50, as_of=AS_OF))


def test_records_need_somebody_to_be_about() -> None:
    slots = [city.RecordSlot(key="tax", kind="tax_grade_a", subject_kinds=("organization",), weight=1.0)]
    assert list(city.records(seed=1, count=10, slots=slots, organizations=0, persons=10, as_of=AS_OF)) == []
