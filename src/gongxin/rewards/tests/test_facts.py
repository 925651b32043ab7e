"""Subject facts: computed set-based from list entries and records, kept current by the outbox
consumer, recomputed when their valid_until comes; providers add facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from gongxin.catalog.models import SourceUnit
from gongxin.rewards.facts import fact_names, facts_compute, facts_rebuild, facts_refresh, facts_stale_refresh
from gongxin.rewards.models import SubjectFacts
from gongxin.rewards.tests.conftest import (
    TODAY,
    dispatch,
    judgment_debtor_create,
    serious_list_create,
    serious_penalty_create,
    voluntary_performance_create,
)
from gongxin.subjects.models import Subject
from gongxin.testing import factories


class GradeProvider:
    """A stand-in for the scoring app's provider: every subject graded "A"."""

    names = {"grade": "string", "score": "int"}

    def facts_for(self, subject_ids):
        return {sid: {"grade": "A", "score": 900} for sid in subject_ids}


def test_clean_subject_has_zero_facts(clean_org: Subject) -> None:
    facts = facts_compute([clean_org.pk])[clean_org.pk]
    assert facts.facts["lists"] == [] and facts.facts["serious_dishonesty"] is False
    assert facts.facts["negative_serious"] == 0 and facts.facts["subject_kind"] == "organization"
    assert facts.bases == [] and facts.valid_until is None


def test_judgment_debtor_is_on_a_serious_list(debtor_org: Subject) -> None:
    row = SubjectFacts.objects.get(pk=debtor_org.pk)  # written by the consumer from the record's event
    assert row.facts["lists"] == ["judgment_debtor"]
    assert row.facts["judgment_debtor"] is True and row.facts["serious_dishonesty"] is True
    basis = row.bases[0]
    assert basis["type"] == "list_entry" and basis["list"] == "judgment_debtor"
    # No end date: the court removes it after performance (never credit repair), or an objection succeeds.
    assert [lift["how"] for lift in basis["lift_options"]] == ["court", "objection"]


def test_list_end_date_sets_valid_until(clean_org: Subject, unit: SourceUnit) -> None:
    serious_list_create(subject=clean_org, source_unit=unit, exit_on=TODAY + timedelta(days=10))
    dispatch()
    row = SubjectFacts.objects.get(pk=clean_org.pk)
    assert row.facts["serious_dishonesty"] is True and "judgment_debtor" not in row.facts
    assert row.valid_until == TODAY + timedelta(days=11)
    assert row.bases[0]["lift"] == {"how": "end_date", "date": (TODAY + timedelta(days=11)).isoformat()}
    # On that day the entry is over: the stale-row job recomputes it.
    assert facts_stale_refresh(day=TODAY + timedelta(days=11)) == 1
    row.refresh_from_db()
    assert row.facts == {"subject_kind": "organization"}  # only facts that differ from zero are stored


def test_negative_records_by_severity_and_repair(clean_org: Subject, unit: SourceUnit) -> None:
    serious = serious_penalty_create(subject=clean_org, source_unit=unit)
    fine = factories.penalty_create(subject=clean_org, source_unit=unit)  # a fine: general
    dispatch()
    row = SubjectFacts.objects.get(pk=clean_org.pk)
    assert row.facts["negative_serious"] == 1 and row.facts["negative_general"] == 1
    assert row.facts["unrepaired_serious"] is True
    ends = [serious.current_version.retention_end, fine.current_version.retention_end]
    assert row.valid_until == min(ends) + timedelta(days=1)  # the day after the first retention ends
    factories.repair_mark(serious)
    dispatch()
    row.refresh_from_db()
    assert "negative_serious" not in row.facts and "unrepaired_serious" not in row.facts
    assert row.facts["negative_general"] == 1


def test_positive_facts(clean_org: Subject, unit: SourceUnit) -> None:
    voluntary_performance_create(subject=clean_org, source_unit=unit)
    factories.honour_create(subject=clean_org, source_unit=unit)
    dispatch()
    facts = SubjectFacts.objects.get(pk=clean_org.pk).facts
    assert facts["voluntary_performance"] == 1 and facts["honours"] == 1
    assert facts["red_list"] is True and facts["lists"] == ["red_list"]


def test_rebuild_covers_every_subject_in_chunks(clean_org: Subject, debtor_org: Subject) -> None:
    SubjectFacts.objects.all().delete()
    progress = list(facts_rebuild(chunk_size=1))
    total = Subject.objects.count()
    assert progress[-1] == (total, total) and len(progress) == total
    assert SubjectFacts.objects.count() == total
    assert SubjectFacts.objects.get(pk=debtor_org.pk).facts["judgment_debtor"] is True


def test_refresh_is_idempotent(debtor_org: Subject) -> None:
    first = dict(SubjectFacts.objects.get(pk=debtor_org.pk).facts)
    facts_refresh([debtor_org.pk])
    facts_refresh([debtor_org.pk])
    assert SubjectFacts.objects.get(pk=debtor_org.pk).facts == first


@pytest.mark.django_db
def test_providers_add_facts_and_names(clean_org: Subject) -> None:
    with override_settings(GONGXIN_FACT_PROVIDERS=["gongxin.rewards.tests.test_facts.GradeProvider"]):
        assert fact_names()["score"] == "int"
        facts = facts_compute([clean_org.pk])[clean_org.pk].facts
        assert facts["grade"] == "A" and facts["score"] == 900
    assert "score" not in fact_names()


def test_person_debtor(unit: SourceUnit) -> None:
    person = factories.person_create(name="李四")
    judgment_debtor_create(subject=person, source_unit=unit)
    dispatch()
    facts = SubjectFacts.objects.get(pk=person.pk).facts
    assert facts["subject_kind"] == "person" and facts["judgment_debtor"] is True


def test_stale_refresh_task(clean_org: Subject, unit: SourceUnit) -> None:
    from gongxin.rewards.tasks import facts_stale_refresh_task

    serious_list_create(subject=clean_org, source_unit=unit, exit_on=TODAY + timedelta(days=1))
    dispatch()
    result = facts_stale_refresh_task.enqueue(day=(TODAY + timedelta(days=2)).isoformat())
    assert result.return_value == 1
    assert SubjectFacts.objects.get(pk=clean_org.pk).facts == {"subject_kind": "organization"}
