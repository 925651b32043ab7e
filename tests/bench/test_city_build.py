"""The city benchmark's builder (bench/city_build.py) writes a believable city: most organizations have
0–3 records, one organization has exactly 500, no subject is on a red and a black list on the same days,
and every record points at its latest version; the versions are in the platform's stored form (decision 047)
and read back as generated. PostgreSQL only (the builder writes with COPY)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from gongxin.records.models import ListEntry, Record, RecordVersion
from gongxin.subjects.models import Subject

BENCH = Path(__file__).resolve().parents[2] / "bench"

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the city builder writes with COPY")


@pytest.fixture
def built(db: None) -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        from city_build import Builder, Progress
    finally:
        sys.path.remove(str(BENCH))
    from gongxin.demo.services import departments_ensure, reference_data_ensure

    reference_data_ensure()
    builder = Builder(records=10_000, seed=7, as_of=date(2026, 6, 1), progress=False)
    builder.units = departments_ensure()
    # What the generators made of each record (its stored payload and hash), to compare with what was written.
    one = builder._one
    builder.generated = {}

    def remembered(fact: Any) -> dict[str, Any]:
        record = one(fact)
        key = (record["unit"].pk, record["item"].pk, record["source_record_id"])
        builder.generated[key] = (record["content"].payload, record["content"].digest, record["item"].legal_basis)
        return record

    builder._one = remembered
    for phase in (builder._organizations, builder._persons, builder._records):
        phase(Progress("test", 0, enabled=False))
    builder._summaries()
    return builder


def test_the_city_is_believable(built: Any) -> None:
    """One build (a few seconds), three properties."""
    # Most organizations have 0-3 records; the big one has exactly 500.
    counts = dict(Record.objects.values_list("subject_id").annotate(n=Count("id")).values_list("subject_id", "n"))
    organizations = list(Subject.objects.filter(kind="organization").values_list("id", flat=True))
    per_org = [counts.get(pk, 0) for pk in organizations]
    assert Record.objects.count() == 10_000
    assert sum(n <= 3 for n in per_org) / len(per_org) > 0.5
    assert [pk for pk in organizations if counts.get(pk) == 500] == [built.org_id(built.plan.big_index)]

    # Black-list entries exist, and no subject is on a red and a black list on the same days.
    entries = list(ListEntry.objects.values_list("subject_id", "list_type__kind", "start_date", "end_date"))
    assert any(kind == "black" for _s, kind, _a, _b in entries)
    by_subject: dict[int, list[tuple[str, date, date]]] = {}
    for subject_id, kind, start, end in entries:
        by_subject.setdefault(subject_id, []).append((kind, start, end or date.max))
    for spans in by_subject.values():
        for kind, start, end in spans:
            for other, start2, end2 in spans:
                if kind == "red" and other == "black":
                    assert end < start2 or end2 < start

    # Every record points at its latest version.
    latest = dict(RecordVersion.objects.values_list("record_id").annotate(n=Count("id"))
                  .values_list("record_id", "n"))
    assert all(number == latest[pk] for pk, number in Record.objects.values_list("id", "current_version__number"))


def test_versions_are_stored_packed_and_read_back_as_generated(built: Any) -> None:
    """Every version's payload is packed ([layout, values...]) and decodes to the generated payload; the hash is
    the generated one (32 bytes); the legal basis is a reference to its stored text and reads back as written."""
    assert len(built.generated) == Record.objects.count()
    versions = RecordVersion.objects.select_related("record").order_by("id")
    seen = 0
    for version in versions.iterator(chunk_size=2000):
        record = version.record
        payload, digest, item_basis = built.generated[(record.source_unit_id, record.catalog_item_id,
                                                       record.source_record_id)]
        assert isinstance(version.packed_payload, list)
        assert version.payload == payload
        assert version.content_hash == digest
        if version.number == 1:
            assert version.legal_basis == item_basis
        if version.legal_basis:
            assert version.legal_basis_ref is not None and version.legal_basis_text == ""
        seen += 1
    assert seen == RecordVersion.objects.count() > Record.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT octet_length(content_hash) FROM records_recordversion GROUP BY 1")
        assert cursor.fetchall() == [(32,)]


def test_summaries_hold_what_each_purpose_is_shown(built: Any) -> None:
    """The built summaries carry the providers' entries (access: counts shown per purpose), equal to a live count."""
    from gongxin.access.summary import SUMMARY_KEY, shown_counts, shown_counts_compute
    from gongxin.core import clock
    from gongxin.records.choices import Purpose
    from gongxin.records.models import ProfileSummary

    big = built.org_id(built.plan.big_index)
    kept = ProfileSummary.objects.get(subject_id=big).counts[SUMMARY_KEY]
    live = shown_counts_compute([big], day=clock.today())[big]
    assert kept[Purpose.PUBLIC] == live[Purpose.PUBLIC] and kept[Purpose.SELF] == live[Purpose.SELF]
    assert shown_counts(subject_id=big, purpose=Purpose.PUBLIC).from_summary


def test_the_measure_reaches_a_deep_profile_page_and_counts_every_partition(built: Any, client: Any) -> None:
    """What bench/city_measure.py asks for exists: a cursor ten pages into the big firm's largest group serves
    that page; bytes are counted over the version partitions (a partitioned parent alone holds none)."""
    sys.path.insert(0, str(BENCH))
    try:
        import city_measure
    finally:
        sys.path.remove(str(BENCH))
    from gongxin.subjects.models import Organization

    big = Organization.objects.select_related("subject").get(subject_id=built.org_id(built.plan.big_index))
    group, cursor, page = city_measure._profile_deep_cursor(big.subject)
    assert page == city_measure.DEEP_PAGES + 1 and cursor
    response = client.get(f"/org/{big.uscc}/", {"group": group, "cursor": cursor})
    assert response.status_code == 200
    figures = {f.name: f for f in city_measure.storage_measure(Record.objects.count())}
    versions = figures["bytes: records_recordversion"].extra
    assert versions["heap"] > 0 and versions["rows"] >= 0
    assert figures["bytes: records_versiontext"].extra["heap"] > 0
