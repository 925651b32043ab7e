"""The bulk path: set-based, safe to re-run, a bad row never sinks its neighbours."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gongxin.catalog.policy import PolicyBook
from gongxin.core.models import OutboxEvent
from gongxin.records.load import RecordRow, record_content, records_load
from gongxin.records.models import ListEntry, Record, RecordVersion
from gongxin.testing.payloads import item, payload_for


def _rows(unit, subject, n, **overrides):
    penalty = item("penalty")
    return [
        RecordRow(source_unit_id=unit.pk, catalog_item=penalty, source_record_id=f"CF-{i:05d}",
                  subject_id=subject.pk, payload=payload_for(penalty, decision_date=date(2026, 3, 1 + i % 28),
                                                             **overrides))
        for i in range(n)
    ]


@pytest.mark.django_db
class TestRecordsLoad:
    def test_loads_records_versions_and_events(self, market_unit, organization):
        seen: list[int] = []
        result = records_load(_rows(market_unit, organization, 120), actor_label="batch:test", batch_size=50,
                              progress=seen.append)
        assert (result.inserted, result.corrected, result.unchanged, result.rejected) == (120, 0, 0, 0)
        assert seen == [50, 50, 20]
        assert Record.objects.count() == 120
        assert RecordVersion.objects.count() == 120
        assert Record.objects.filter(current_version__isnull=True).count() == 0
        assert OutboxEvent.objects.filter(topic="records.record.created").count() == 120
        version = RecordVersion.objects.get(record__source_record_id="CF-00000")
        assert version.decision_date == date(2026, 3, 1)
        assert version.retention_end == date(2031, 3, 1)

    def test_rerunning_the_same_rows_changes_nothing(self, market_unit, organization):
        rows = _rows(market_unit, organization, 30)
        records_load(rows, actor_label="batch:test")
        counts = (RecordVersion.objects.count(), OutboxEvent.objects.count())
        again = records_load(rows, actor_label="batch:test")
        assert (again.inserted, again.corrected, again.unchanged) == (0, 0, 30)
        assert (RecordVersion.objects.count(), OutboxEvent.objects.count()) == counts

    def test_changed_rows_become_corrections(self, market_unit, organization):
        records_load(_rows(market_unit, organization, 10), actor_label="batch:test")
        result = records_load(_rows(market_unit, organization, 10, penalty_types="责令停产停业"),
                              actor_label="batch:test")
        assert result.corrected == 10
        latest = Record.objects.select_related("current_version").first().current_version
        assert (latest.number, latest.change, latest.severity) == (2, "corrected", "serious")

    def test_an_invalid_row_is_rejected_and_its_neighbours_load(self, market_unit, organization):
        rows = _rows(market_unit, organization, 5)
        bad = RecordRow(source_unit_id=market_unit.pk, catalog_item=item("penalty"), source_record_id="BAD",
                        subject_id=organization.pk, payload={"decision_date": "not a date"})
        result = records_load([*rows[:2], bad, *rows[2:]], actor_label="batch:test")
        assert (result.inserted, result.rejected) == (5, 1)
        assert result.rejections[0].source_record_id == "BAD"
        assert result.rejections[0].code == "record.invalid_payload"
        assert not Record.objects.filter(source_record_id="BAD").exists()

    def test_list_items_maintain_list_entries(self, market_unit, organization):
        listing = item("serious_dishonesty_list")
        row = RecordRow(source_unit_id=market_unit.pk, catalog_item=listing, source_record_id="YZSX-1",
                        subject_id=organization.pk, payload=payload_for(listing, decision_date=date(2026, 1, 5)))
        records_load([row], actor_label="batch:test")
        entry = ListEntry.objects.get(subject=organization)
        assert entry.list_type.code == "serious_dishonesty"
        assert entry.is_active

    def test_content_computed_ahead_loads_exactly_like_content_computed_here(self, market_unit, organization):
        """The ingest reader process hands over ``record_content``; the versions must be the same as when
        ``records_load`` computes it itself (hash, canonical payload, clocks)."""
        penalty = item("penalty")
        rows = _rows(market_unit, organization, 6, penalty_types="责令停产停业")
        policies = PolicyBook.load()
        ahead = [
            replace(row, source_record_id=f"AHEAD-{row.source_record_id}",
                    content=record_content(item=penalty, domain=market_unit.domain, payload=row.payload,
                                           severity=row.severity, source_record_id=f"AHEAD-{row.source_record_id}",
                                           policies=policies, fields_cache={}))
            for row in rows
        ]
        assert records_load(rows + ahead, actor_label="batch:test").inserted == 12
        columns = ("packed_payload", "content_hash", "polarity", "severity", "decision_date", "published",
                   "publicity_min_end", "publicity_max_end", "retention_end", "publicity_policy_id",
                   "retention_policy_id")
        for row in rows:
            here = RecordVersion.objects.filter(record__source_record_id=row.source_record_id).values(*columns).get()
            there = RecordVersion.objects.filter(record__source_record_id=f"AHEAD-{row.source_record_id}").values(
                *columns).get()
            assert here == there
        # Content computed ahead is trusted as the row's: loading it again is "unchanged".
        again = records_load(ahead, actor_label="batch:test")
        assert (again.inserted, again.unchanged) == (0, 6)
