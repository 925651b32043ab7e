"""Measures: seeded with legal basis and valid triggers, versioned and immutable, validated on save, dry run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongxin.catalog.models import SourceUnit
from gongxin.core.cel import rule_compile
from gongxin.core.errors import RuleSyntaxError, RuleUnknownName
from gongxin.core.models import OutboxEvent
from gongxin.rewards import errors
from gongxin.rewards.facts import fact_names
from gongxin.rewards.models import ImmutableError, Measure, MeasureVersion
from gongxin.rewards.seed import MEASURES
from gongxin.rewards.services import MeasureDraft, measure_dry_run, measure_save
from gongxin.rewards.tests.conftest import STAFF, TODAY
from gongxin.subjects.models import Subject
from gongxin.testing import factories


def draft(**overrides) -> MeasureDraft:
    values = {"name": "限制参与评优评先", "kind": "punishment", "measure_class": "management",
              "trigger": "serious_dishonesty", "legal_basis": "国办发〔2020〕49号", "department": "各级评选部门",
              "effective_from": TODAY, "matter_types": ["honour"]}
    values.update(overrides)
    return MeasureDraft(**values)


def test_seeded_measures(measures: None) -> None:
    names = fact_names()
    assert Measure.objects.count() == len(MEASURES)
    kinds = set()
    for version in MeasureVersion.objects.all():
        assert version.legal_basis.strip() and version.department.strip()
        rule_compile(version.trigger, names=names)  # every seeded trigger validates
        kinds.add((version.kind, version.measure_class))
    assert {("punishment", "legal"), ("punishment", "management"), ("reward", "management"),
            ("reward", "market")} <= kinds


def test_save_creates_versions(measures: None) -> None:
    first = measure_save(code="sd.honours", draft=draft(), actor=STAFF)
    second = measure_save(code="sd.honours", draft=draft(trigger='"serious_dishonesty" in lists'), actor=STAFF,
                          note="只针对严重失信主体名单")
    measure = Measure.objects.get(code="sd.honours")
    assert (first.number, second.number) == (1, 2) and measure.current_version == second
    assert OutboxEvent.objects.filter(topic="rewards.measure.versioned").count() == 2
    with pytest.raises(ImmutableError):
        first.save()
    with pytest.raises(ImmutableError):
        first.delete()


def test_validation(measures: None) -> None:
    with pytest.raises(errors.LegalBasisRequired):
        measure_save(code="x.one", draft=draft(legal_basis="  "), actor=STAFF)
    with pytest.raises(RuleSyntaxError):
        measure_save(code="x.one", draft=draft(trigger="serious_dishonesty &&"), actor=STAFF)
    with pytest.raises(RuleUnknownName) as caught:
        measure_save(code="x.one", draft=draft(trigger="sesame_score > 600"), actor=STAFF)
    assert caught.value.details["names"] == ["sesame_score"]
    with pytest.raises(errors.MeasureInvalid):
        measure_save(code="x.one", draft=draft(kind="maybe"), actor=STAFF)
    with pytest.raises(errors.MeasureInvalid):
        measure_save(code="x.one", draft=draft(effective_to=TODAY - timedelta(days=1)), actor=STAFF)
    with pytest.raises(errors.UnknownMatter):
        measure_save(code="x.one", draft=draft(matter_codes=["NOPE"]), actor=STAFF)
    with pytest.raises(errors.NotStaff):
        measure_save(code="x.one", draft=draft(), actor=STAFF.__class__(label="x"))
    assert not Measure.objects.filter(code="x.one").exists()


def test_effective_period(system_viewer, debtor_org: Subject) -> None:
    from gongxin.rewards.services import check_perform

    measure_save(code="jd.procurement", draft=draft(
        name="限制参与政府采购活动", kind="punishment", measure_class="legal", trigger="judgment_debtor",
        matter_types=["procurement"], effective_from=TODAY + timedelta(days=1)), actor=STAFF)
    assert check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer).decision == "pass"


def test_dry_run(debtor_org: Subject, clean_org: Subject) -> None:
    result = measure_dry_run(trigger="judgment_debtor", actor=STAFF)
    assert result.subjects_hit == 1 and result.sample[0]["uscc"] == debtor_org.organization.uscc
    assert result.subjects_scanned >= 1
    with pytest.raises(RuleUnknownName):
        measure_dry_run(trigger="nope", actor=STAFF)


def test_dry_run_counts_by_facts_value(unit: SourceUnit, clean_org: Subject) -> None:
    """Subjects sharing a facts value are counted together; every matching value is counted, the sample
    names only subjects that match, and a trigger failing on a provider's wrongly typed fact hits nobody."""
    from gongxin.rewards.facts import facts_refresh
    from gongxin.rewards.models import SubjectFacts
    from gongxin.rewards.tests.conftest import dispatch, judgment_debtor_create, serious_penalty_create

    debtors = [factories.organization_create(name=f"宁波市试运行失信{i}有限公司") for i in range(3)]
    for subject in debtors:
        judgment_debtor_create(subject=subject, source_unit=unit)
    penalised = factories.organization_create(name="宁波市试运行处罚有限公司")
    serious_penalty_create(subject=penalised, source_unit=unit)
    judgment_debtor_create(subject=penalised, source_unit=unit)  # a second, different facts value
    dispatch()
    facts_refresh([clean_org.pk])
    total = SubjectFacts.objects.count()
    assert SubjectFacts.objects.filter(subject__in=[*debtors, penalised]).count() == 4

    result = measure_dry_run(trigger="judgment_debtor", actor=STAFF)
    assert result.subjects_scanned == total
    assert result.subjects_hit == 4
    assert {s["subject_id"] for s in result.sample} == {s.pk for s in [*debtors, penalised]}
    only_penalised = measure_dry_run(trigger="judgment_debtor && negative_serious > 0", actor=STAFF)
    assert only_penalised.subjects_hit == 1 and only_penalised.sample[0]["uscc"] == penalised.organization.uscc
    limited = measure_dry_run(trigger="judgment_debtor", actor=STAFF, sample_size=2)
    assert limited.subjects_hit == 4 and len(limited.sample) == 2
    # A wrongly typed value (as a misbehaving provider could store) fails the rule: no hit, no error.
    SubjectFacts.objects.filter(pk=clean_org.pk).update(facts={"judgment_debtor": "yes"})
    assert measure_dry_run(trigger="judgment_debtor", actor=STAFF).subjects_hit == 4


def test_registry_demo_seed_is_idempotent(measures: None) -> None:
    from gongxin.rewards.models import BusinessSystem, Matter
    from gongxin.rewards.seed import DEMO_MATTERS, registry_demo_seed

    key = registry_demo_seed()
    assert key and registry_demo_seed() is None
    system = BusinessSystem.objects.get()
    assert system.client.has_scope("records:share")
    assert Matter.objects.filter(system=system).count() == len(DEMO_MATTERS)
