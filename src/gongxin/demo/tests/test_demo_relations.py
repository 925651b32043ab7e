"""The demo city's relation graph arrives as registration-relation records and is projected onto subjects.Relation:
several kinds, people on several boards, holding chains, branches; the parties' identity numbers sealed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count

from gongxin.demo import city, services
from gongxin.records.models import Record
from gongxin.records.personal import is_sealed
from gongxin.subjects.models import Relation

pytestmark = pytest.mark.django_db


def test_the_city_has_a_believable_relation_graph() -> None:
    counts = services.demo_seed(seed=7, organizations=1200, persons=300, records=0, progress=False)
    assert counts["relations"] == Relation.objects.count() > 0
    kinds = dict(Relation.objects.values_list("kind").annotate(n=Count("id")))
    assert {"legal_representative", "executive", "shareholder", "branch"} <= set(kinds)
    # People on several boards.
    boards = (Relation.objects.filter(kind__in=["legal_representative", "executive"]).values("from_subject")
              .annotate(n=Count("to_subject", distinct=True)).order_by("-n").first())
    assert boards is not None and boards["n"] >= 3
    # Holdings between organizations, some of them chains (the holder is itself held by an organization).
    held_by_orgs = set(Relation.objects.filter(kind="shareholder", from_subject__kind="organization")
                       .values_list("to_subject_id", flat=True))
    holders = set(Relation.objects.filter(kind="shareholder", from_subject__kind="organization")
                  .values_list("from_subject_id", flat=True))
    assert held_by_orgs & holders
    # Every relation is the projection of a record whose party number (persons) is sealed.
    records = Record.objects.filter(catalog_item__code="registration_relation").select_related("current_version")
    assert records.count() == Relation.objects.count()
    person_record = next(r for r in records if r.current_version.payload.get("party_category") == "person")
    assert is_sealed(person_record.current_version.payload["party_id_number"])
    # A second run adds nothing.
    again = services.demo_seed(seed=7, organizations=1200, persons=300, records=0, progress=False)
    assert again["relations"] == 0


def test_the_generator_is_deterministic() -> None:
    first = [f.payload for f in city.relations(seed=3, organizations=200, persons=50, as_of=date(2026, 11, 1))]
    second = [f.payload for f in city.relations(seed=3, organizations=200, persons=50, as_of=date(2026, 11, 1))]
    assert first == second and first
