from __future__ import annotations

from datetime import date

import pytest

from gongxin.core.errors import ValidationFailed
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.errors import NotOwnSourceUnit, RecordRevoked, WrongSubjectKind
from gongxin.records.models import RecordVersion
from gongxin.records.services import record_revoke, record_submit
from gongxin.testing.payloads import item, payload_for


def _submit(unit, operator, subject, payload, source_record_id="CF-2026-001", **kwargs):
    return record_submit(source_unit=unit, item=item("penalty"), source_record_id=source_record_id, subject=subject,
                         payload=payload, actor=operator, **kwargs)


@pytest.mark.django_db
class TestRecordSubmit:
    def test_create_writes_version_one_with_clocks_and_an_event(self, market_unit, market_operator, organization):
        payload = payload_for(item("penalty"), decision_date=date(2026, 5, 10))
        result = _submit(market_unit, market_operator, organization, payload)

        assert result.outcome == "created"
        version = result.record.current_version
        assert version.number == 1
        assert version.change == ChangeKind.CREATED
        assert version.status == RecordStatus.ACTIVE
        assert version.polarity == "negative"
        assert version.severity == "general"  # a fine
        assert version.decision_date == date(2026, 5, 10)
        # SAMR Order 107 for market regulation: general 3 months to 1 year; Zhejiang retention 5 years.
        assert version.publicity_min_end == date(2026, 8, 10)
        assert version.publicity_max_end == date(2027, 5, 10)
        assert version.retention_end == date(2031, 5, 10)
        assert version.publicity_policy_id is not None and version.retention_policy_id is not None
        assert version.actor_label == "user:op-market"
        assert len(version.content_hash) == 64
        events = list(OutboxEvent.objects.filter(aggregate_type="record", aggregate_id=result.record.pk))
        assert [e.topic for e in events] == ["records.record.created"]
        assert events[0].subject_id == organization.pk

    def test_same_content_again_is_unchanged_and_writes_nothing(self, market_unit, market_operator, organization):
        payload = payload_for(item("penalty"))
        _submit(market_unit, market_operator, organization, payload)
        versions, events = RecordVersion.objects.count(), OutboxEvent.objects.count()

        again = _submit(market_unit, market_operator, organization, dict(payload))

        assert again.outcome == "unchanged"
        assert again.version is None
        assert (RecordVersion.objects.count(), OutboxEvent.objects.count()) == (versions, events)

    def test_new_content_is_a_correction_version(self, market_unit, market_operator, organization):
        payload = payload_for(item("penalty"))
        first = _submit(market_unit, market_operator, organization, payload)
        corrected = _submit(market_unit, market_operator, organization,
                            {**payload, "penalty_types": "吊销许可证件"}, reason="wrong penalty type")

        assert corrected.outcome == "corrected"
        assert corrected.record.pk == first.record.pk
        assert corrected.version.number == 2
        assert corrected.version.severity == "serious"
        assert corrected.version.reason == "wrong penalty type"
        history = list(RecordVersion.objects.filter(record=first.record).order_by("number"))
        assert [v.change for v in history] == ["created", "corrected"]
        assert history[0].severity == "general"  # the first version is untouched

    def test_an_operator_of_another_unit_cannot_submit(self, market_unit, ecology_operator, organization):
        with pytest.raises(NotOwnSourceUnit):
            _submit(market_unit, ecology_operator, organization, payload_for(item("penalty")))
        assert RecordVersion.objects.count() == 0

    def test_item_for_organizations_refuses_a_person(self, market_unit, market_operator, person):
        tax = item("tax_grade_a")
        if "person" in tax.subject_kinds:
            pytest.skip("seeded item accepts persons")
        with pytest.raises(WrongSubjectKind):
            record_submit(source_unit=market_unit, item=tax, source_record_id="T1", subject=person,
                          payload=payload_for(tax), actor=market_operator)

    def test_revoke_appends_a_revoked_version_and_blocks_further_changes(
        self, market_unit, market_operator, organization
    ):
        payload = payload_for(item("penalty"))
        record = _submit(market_unit, market_operator, organization, payload).record

        version = record_revoke(record=record, actor=market_operator, reason="decision withdrawn by review")

        assert version.number == 2 and version.status == RecordStatus.REVOKED
        assert version.payload == record.versions.get(number=1).payload
        with pytest.raises(RecordRevoked):
            record_revoke(record=record, actor=market_operator, reason="again")
        with pytest.raises(RecordRevoked):
            _submit(market_unit, market_operator, organization, {**payload, "penalty_types": "警告"})

    def test_another_unit_cannot_revoke(self, market_unit, market_operator, ecology_operator, organization):
        record = _submit(market_unit, market_operator, organization, payload_for(item("penalty"))).record
        with pytest.raises(NotOwnSourceUnit):
            record_revoke(record=record, actor=ecology_operator, reason="not mine")


@pytest.mark.django_db
def test_without_a_source_id_the_natural_key_identifies_the_record(market_unit, market_operator, organization):
    penalty = item("penalty")
    assert penalty.natural_key, "the penalty item has a natural key (its decision number)"
    payload = payload_for(penalty)
    first = record_submit(source_unit=market_unit, item=penalty, source_record_id=None, subject=organization,
                          payload=payload, actor=market_operator)
    again = record_submit(source_unit=market_unit, item=penalty, source_record_id="", subject=organization,
                          payload={**payload, "penalty_types": "吊销许可证件"}, actor=market_operator)
    assert first.record.source_record_id.startswith("nk:")
    assert (again.record.pk, again.outcome) == (first.record.pk, "corrected")


@pytest.mark.django_db
def test_without_a_source_id_or_natural_key_the_identity_is_missing(market_unit, market_operator, organization):
    from gongxin.records.errors import IdentityMissing

    penalty = item("penalty")
    payload = {k: v for k, v in payload_for(penalty).items() if k not in penalty.natural_key}
    with pytest.raises((IdentityMissing, ValidationFailed)):
        record_submit(source_unit=market_unit, item=penalty, source_record_id=None, subject=organization,
                      payload=payload, actor=market_operator)
