"""The bulk revocation (a confirmed snapshot's missing records) writes what ``record_revoke`` writes, record by
record: the same version, pointer, list entry and event — compared on two records loaded alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core.models import OutboxEvent
from gongxin.records.load import RecordRow, records_load, records_revoke_bulk
from gongxin.records.models import ListEntry, Record
from gongxin.records.services import VERSION_FIELDS, record_revoke
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db
ACTOR = Viewer(label="tests", role=Role.ADMIN)


@pytest.mark.parametrize("code", ["penalty", "serious_dishonesty_list"])
def test_bulk_revocation_writes_what_one_revocation_writes(market_unit, organization, code):
    catalog_item = item(code)
    payload = payload_for(catalog_item, decision_date=date(2026, 3, 2))
    records_load([RecordRow(source_unit_id=market_unit.pk, catalog_item=catalog_item, source_record_id=srid,
                            subject_id=organization.pk, payload=payload) for srid in ("ONE", "BULK")],
                 actor_label="batch:test")
    one, bulk = (Record.objects.get(source_record_id=srid) for srid in ("ONE", "BULK"))
    record_revoke(record=one, actor=ACTOR, reason="withdrawn")
    with transaction.atomic():
        assert records_revoke_bulk([bulk.pk], actor_label=ACTOR.label, reason="withdrawn") == [bulk.pk]
        assert records_revoke_bulk([bulk.pk], actor_label=ACTOR.label, reason="withdrawn") == []  # once only
    one, bulk = (Record.objects.select_related("current_version").get(pk=r.pk) for r in (one, bulk))
    fields = (*VERSION_FIELDS, "number", "change", "actor_label", "reason", "legal_basis")
    assert {f: getattr(bulk.current_version, f) for f in fields} == {f: getattr(one.current_version, f) for f in fields}
    assert bulk.current_version.status == "revoked" and bulk.current_version.number == 2
    events = {r.pk: OutboxEvent.objects.filter(aggregate_id=r.pk, topic="records.record.revoked").get()
              for r in (one, bulk)}
    assert events[bulk.pk].payload == events[one.pk].payload and events[bulk.pk].subject_id == organization.pk
    if catalog_item.list_type_code:
        entries = {e.record_id: e for e in ListEntry.objects.filter(record__in=[one, bulk])}
        assert not entries[bulk.pk].is_active and not entries[one.pk].is_active
