"""Versions cannot be overwritten: not through the model, not through querysets, not with raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gongxin.records.maintenance import history_purge
from gongxin.records.models import ImmutableError, Record, RecordVersion
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for


@pytest.fixture
def version(market_unit, market_operator, organization) -> RecordVersion:
    result = record_submit(source_unit=market_unit, item=item("penalty"), source_record_id="CF-1",
                           subject=organization, payload=payload_for(item("penalty")), actor=market_operator)
    return result.version


@pytest.mark.django_db
class TestVersionsImmutable:
    def test_model_save_of_an_existing_version_is_refused(self, version):
        version.reason = "rewritten"
        with pytest.raises(ImmutableError):
            version.save()

    def test_model_delete_is_refused(self, version):
        with pytest.raises(ImmutableError):
            version.delete()

    def test_queryset_update_and_delete_are_refused(self, version):
        with pytest.raises(ImmutableError):
            RecordVersion.objects.filter(pk=version.pk).update(reason="rewritten")
        with pytest.raises(ImmutableError):
            RecordVersion.objects.filter(pk=version.pk).delete()

    @pytest.mark.parametrize("statement", [
        "UPDATE records_recordversion SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM records_recordversion WHERE id = %s",
        "UPDATE records_recordversion SET number = number + 1 WHERE id = %s",
    ])
    def test_raw_sql_is_refused_by_the_database(self, version, statement):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [version.pk])
        stored = RecordVersion.objects.get(pk=version.pk)
        assert stored.reason == version.reason

    def test_only_an_explicit_purge_may_delete_and_never_update(self, version, market_unit, market_operator):
        other = record_submit(source_unit=market_unit, item=item("penalty"), source_record_id="CF-2",
                              subject=version.record.subject, payload=payload_for(item("penalty")),
                              actor=market_operator).version
        with history_purge(reason="test"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE records_recordversion SET reason = 'x' WHERE id = %s", [version.pk])
            Record.objects.filter(pk=version.record_id).update(current_version=None)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM records_recordversion WHERE id = %s", [version.pk])
        assert not RecordVersion.objects.filter(pk=version.pk).exists()
        assert RecordVersion.objects.filter(pk=other.pk).exists()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM records_recordversion")
