"""The seeded demo city has a city's shape: most organizations have 0–3 records and a long tail has hundreds,
~2 % are on a black list, nobody is on the red and a black list at once, and the demo firm has a believable
history with a record to repair and one under objection."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db.models import Count

from gongxin.core import clock
from gongxin.demo import city, distributions, services
from gongxin.objections.models import Objection
from gongxin.records.models import ListEntry, Record
from gongxin.repairs.eligibility import eligibility_check
from gongxin.subjects.models import Subject

pytestmark = pytest.mark.django_db

ORGANIZATIONS = 2_000
CITY = {"seed": 2026, "organizations": ORGANIZATIONS, "persons": 1_000, "records": 20_000, "progress": False}


def _generated_counts(kind: str) -> dict[int, int]:
    """Records per subject of the generator (the sample batch's penalties left out)."""
    rows = (Record.objects.filter(subject__kind=kind, source_record_id__startswith="DEMO")
            .values("subject").annotate(n=Count("id")).values_list("subject", "n"))
    counts = dict.fromkeys(Subject.objects.filter(kind=kind).values_list("pk", flat=True), 0)
    counts.update(dict(rows))
    return counts


def test_records_per_organization_are_mostly_few_with_a_long_tail_and_lists_in_proportion() -> None:
    services.demo_seed(**CITY)

    counts = _generated_counts("organization")
    assert len(counts) == ORGANIZATIONS and sum(counts.values()) > 17_000
    values = sorted(counts.values())
    assert sum(v <= 3 for v in values) / len(values) > 0.6  # most organizations: 0–3 records
    assert sum(v == 0 for v in values) / len(values) > 0.25
    assert values[-1] >= city.BIG_ORGANIZATION_RECORDS  # the big organization
    assert values[-2] >= 150  # the tail of ordinary ones reaches hundreds
    assert sum(v >= 50 for v in values) / len(values) > 0.01
    persons = _generated_counts("person")
    assert sum(v == 0 for v in persons.values()) / len(persons) > 0.5

    # Black lists: ~2 % of organizations now; red list entries never overlap a black one of the subject.
    black_now = (ListEntry.objects.filter(list_type__kind="black", is_active=True, subject__kind="organization")
                 .values("subject").distinct().count())
    assert 0.01 <= black_now / ORGANIZATIONS <= 0.03
    assert ListEntry.objects.filter(list_type__kind="red").exists()
    entries: dict[int, list[tuple[str, date, date | None]]] = {}
    for subject_id, kind, start, end in ListEntry.objects.values_list(
            "subject_id", "list_type__kind", "start_date", "end_date"):
        entries.setdefault(subject_id, []).append((kind, start, end))
    for listed in entries.values():
        for _red, red_start, red_end in (e for e in listed if e[0] == "red"):
            for _black, black_start, black_end in (e for e in listed if e[0] == "black"):
                assert not distributions.periods_overlap(red_start, red_end, black_start, black_end)
    assert max(len(e) for e in entries.values()) <= 3
    # The catalog item mix: licences first, then penalties, commitments.
    kinds = Counter(Record.objects.filter(source_record_id__startswith="DEMO")
                    .values_list("catalog_item__record_kind", flat=True))
    assert [k for k, _n in kinds.most_common(3)] == ["licence", "penalty", "commitment"]


def test_the_demo_firm_has_a_believable_history_to_repair_and_object_in() -> None:
    services.demo_seed(**CITY)
    services.demo_accounts_ensure(seed=2026)

    number = services.demo_objection_ensure(seed=2026)

    shown = {s.label: s for s in services.demo_showcase(seed=2026)}
    firm = shown["demo firm"]
    assert 10 <= firm.records <= 40
    assert 1 <= firm.list_entries <= 2
    assert shown["big organization"].records >= city.BIG_ORGANIZATION_RECORDS
    assert 3 <= shown["demo person"].records <= 10
    _person, subject = services._demo_subjects(2026)
    assert subject is not None and subject.name == firm.name
    records = list(Record.objects.filter(subject=subject).select_related("current_version", "catalog_item"))
    assert len({r.catalog_item.record_kind for r in records}) >= 5
    years = {r.current_version.decision_date.year for r in records if r.current_version.decision_date}
    assert len(years) >= 5  # over the years, not all at once
    # One penalty under objection (filed by the firm's agent, accepted: the record is marked) …
    objection = Objection.objects.get(subject=subject)
    assert objection.number == number and objection.status == "accepted"
    assert services.demo_objection_ensure(seed=2026) is None  # once
    # … one that can be repaired now, and a recent one, in publicity, left to object to.
    penalties = [r for r in records if r.catalog_item.record_kind == "penalty" and r.pk != objection.record_id]
    assert any(eligibility_check(record=r, day=clock.today(), evidence_count=1, commitment_signed=True).eligible
               for r in penalties)
    newest = max(penalties, key=lambda r: r.current_version.decision_date)
    assert newest.current_version.status == "active" and newest.current_version.published
    assert newest.current_version.publicity_max_end >= clock.today()
