"""Association queries over the relation projection: paths to depth 2-3, "as of" a day, exact ultimate-controller
shares on hand-made holding chains (cycles included), shared legal representatives and addresses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from gongxin.subjects.associations import (
    IN,
    OUT,
    holding_shares,
    related_subjects,
    shared_addresses,
    shared_legal_representatives,
    ultimate_controllers,
)
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.models import Relation, Subject
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

_refs = iter(range(1, 10_000))


def org(name: str, address: str = "浙江省宁波市鄞州区首南街道1号") -> Subject:
    return factories.organization_create(name=name, address=address)


def rel(holder: Subject, held: Subject, kind: str = RelationKind.SHAREHOLDER, share: str | None = None,
        start: date | None = None, end: date | None = None) -> Relation:
    return Relation.objects.create(from_subject=holder, to_subject=held, kind=kind,
                                   share_ratio=Decimal(share) if share is not None else None, start_date=start,
                                   end_date=end, record_ref=next(_refs))


def shares_of(subject: Subject) -> dict[int, Fraction]:
    return {c.subject_id: c.share for c in ultimate_controllers(subject_id=subject.pk, as_of=date(2026, 6, 1))}


def test_related_subjects_to_depth_two_with_paths_and_directions() -> None:
    firm, other = org("宁波甲公司"), org("宁波乙公司")
    person = factories.person_create(name="王五")
    rel(person, firm, RelationKind.LEGAL_REPRESENTATIVE)
    rel(person, other, RelationKind.EXECUTIVE)
    found = {a.subject_id: a for a in related_subjects(subject_id=firm.pk, depth=2, as_of=date(2026, 6, 1))}
    assert set(found) == {person.pk, other.pk}
    assert found[person.pk].depth == 1
    assert found[person.pk].subject_kind == "person"
    assert [(h.subject_id, h.kind, h.direction) for h in found[person.pk].path] == [
        (person.pk, "legal_representative", IN)]
    assert [(h.subject_id, h.kind, h.direction) for h in found[other.pk].path] == [
        (person.pk, "legal_representative", IN), (other.pk, "executive", OUT)]
    assert {a.subject_id for a in related_subjects(subject_id=firm.pk, depth=1)} == {person.pk}
    only = related_subjects(subject_id=firm.pk, depth=2, kinds=["legal_representative"], as_of=date(2026, 6, 1))
    assert {a.subject_id for a in only} == {person.pk}


def test_as_of_a_day_the_relation_had_not_started_or_had_ended() -> None:
    firm = org("宁波丙公司")
    person = factories.person_create(name="赵六")
    rel(person, firm, RelationKind.LEGAL_REPRESENTATIVE, start=date(2020, 1, 1), end=date(2025, 1, 1))
    assert related_subjects(subject_id=firm.pk, as_of=date(2019, 12, 31)) == []
    assert [a.subject_id for a in related_subjects(subject_id=firm.pk, as_of=date(2024, 12, 31))] == [person.pk]
    assert related_subjects(subject_id=firm.pk, as_of=date(2025, 1, 1)) == []  # the end day is the first day without


def test_controller_shares_multiply_along_a_chain_and_add_over_chains() -> None:
    target, mid, other_mid = org("目标公司"), org("中间公司"), org("另一中间公司")
    person = factories.person_create(name="钱七")
    rel(mid, target, share="0.6000")
    rel(other_mid, target, share="0.4000")
    rel(person, mid, share="0.5000")
    rel(person, other_mid, share="0.2500")
    rel(mid, other_mid, share="0.7500")  # a second chain: person -> mid -> other_mid -> target
    shares = shares_of(target)
    # 0.5 * 0.6 + 0.25 * 0.4 + 0.5 * 0.75 * 0.4 = 0.3 + 0.1 + 0.15
    assert shares == {person.pk: Fraction(55, 100)}
    controller = ultimate_controllers(subject_id=target.pk)[0]
    assert controller.exact and len(controller.paths) == 3
    assert all(hop.direction == IN for path in controller.paths for hop in path)
    assert {path[-1].subject_id for path in controller.paths} == {person.pk}


def test_a_holding_cycle_is_solved_exactly() -> None:
    # X holds 60 % of the target; Y holds 40 % of X; X holds 30 % of Y; a person holds 70 % of Y.
    target, x, y = org("目标"), org("甲"), org("乙")
    person = factories.person_create(name="孙八")
    rel(x, target, share="0.6")
    rel(y, x, share="0.4")
    rel(x, y, share="0.3")
    rel(person, y, share="0.7")
    # f(X) = 0.6 + 0.3 f(Y), f(Y) = 0.4 f(X)  ->  f(X) = 15/22, f(Y) = 3/11; the person: 0.7 * 3/11 = 21/110
    assert shares_of(target) == {person.pk: Fraction(21, 110)}


def test_a_cycle_nobody_outside_holds_is_the_top_and_the_target_in_a_cycle_stops_chains() -> None:
    target, a, b = org("目标二"), org("丙"), org("丁")
    rel(a, target, share="0.5")
    rel(b, target, share="0.5")
    rel(a, b, share="0.5")
    rel(b, a, share="0.5")
    rel(target, a, share="0.1")  # the target holding its holder: chains stop at the target
    # f(a) = 0.5 + 0.5 f(b), f(b) = 0.5 + 0.5 f(a) -> both 1 (together they hold everything, each counted with
    # what it holds through the other)
    assert shares_of(target) == {a.pk: Fraction(1), b.pk: Fraction(1)}


def test_holding_shares_against_a_direct_computation() -> None:
    from gongxin.subjects.associations import _Holding

    holdings = [_Holding(holder=2, held=1, share=Fraction(1, 3), relation_id=1, ratio=None),
                _Holding(holder=3, held=2, share=Fraction(1, 2), relation_id=2, ratio=None),
                _Holding(holder=2, held=3, share=Fraction(1, 5), relation_id=3, ratio=None),
                _Holding(holder=4, held=3, share=Fraction(1, 2), relation_id=4, ratio=None)]
    shares, exact = holding_shares(1, holdings)
    f2 = Fraction(1, 3) / (1 - Fraction(1, 5) * Fraction(1, 2))
    assert exact and shares[2] == f2 and shares[3] == Fraction(1, 2) * f2 and shares[4] == Fraction(1, 4) * f2


def test_declared_actual_controller_and_ended_holdings() -> None:
    target, holder = org("目标三"), org("控股公司")
    person = factories.person_create(name="周九")
    rel(holder, target, share="1.0", end=date(2026, 1, 1))
    rel(person, target, RelationKind.ACTUAL_CONTROLLER)
    controllers = ultimate_controllers(subject_id=target.pk, as_of=date(2026, 6, 1))
    assert [(c.subject_id, c.declared, c.share) for c in controllers] == [(person.pk, True, Fraction(0))]
    before = ultimate_controllers(subject_id=target.pk, as_of=date(2025, 6, 1))
    assert {(c.subject_id, c.share) for c in before} == {(holder.pk, Fraction(1)), (person.pk, Fraction(0))}


def test_shared_legal_representatives_and_addresses() -> None:
    a, b = org("共用甲", address="宁波市江北区人民路8号"), org("共用乙", address="宁波市江北区人民路8号")
    c = org("别处", address="宁波市海曙区中山西路1号")
    person = factories.person_create(name="吴十")
    rel(person, a, RelationKind.LEGAL_REPRESENTATIVE)
    rel(person, c, RelationKind.LEGAL_REPRESENTATIVE)
    assert [(s.subject_id, s.via_subject_id) for s in shared_legal_representatives(subject_id=a.pk)] == [
        (c.pk, person.pk)]
    assert [s.subject_id for s in shared_addresses(subject_id=a.pk)] == [b.pk]
    assert shared_addresses(subject_id=c.pk) == []
