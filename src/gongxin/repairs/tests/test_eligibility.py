"""Eligibility for repair, condition by condition, each explained from the policy and the record's clocks."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.records.services import record_submit
from gongxin.repairs.eligibility import eligibility_check
from gongxin.repairs.errors import RepairEvidenceInvalid, RepairNotEligible
from gongxin.repairs.models import RepairEvidence
from gongxin.repairs.services import repair_apply
from gongxin.repairs.tests.conftest import FILED, apply_kwargs, as_viewer
from gongxin.testing import factories
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _states(result) -> dict[str, bool | None]:
    return {c.code: c.met for c in result.conditions}


def _explained(result, code: str) -> str:
    return next(c.explanation for c in result.conditions if c.code == code)


def test_every_condition_is_listed_and_explained(penalty):
    result = eligibility_check(record=penalty, day=FILED)
    assert list(_states(result)) == ["negative_in_effect", "not_repaired", "severity", "repairable_kind",
                                     "min_publicity", "obligations", "commitment", "no_pending"]
    assert result.eligible
    assert _states(result)["obligations"] is None and _states(result)["commitment"] is None
    assert "2026-08-01" in _explained(result, "min_publicity")
    assert all(c.explanation and c.label for c in result.conditions)
    assert result.policy.code == "repair.cn.order36"


def test_the_minimum_publicity_period_must_be_served(acme, unit, agent):
    recent = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 8, 1))
    result = eligibility_check(record=recent, day=FILED)
    assert not result.eligible
    assert [c.code for c in result.unmet] == ["min_publicity"]
    assert "2026-11-01" in _explained(result, "min_publicity")
    with pytest.raises(RepairNotEligible) as caught:
        repair_apply(record=recent, actor=as_viewer(agent), **apply_kwargs())
    assert {c["code"]: c["met"] for c in caught.value.details["conditions"]}["min_publicity"] is False
    # On the day the minimum period is served, it may be applied for (as the subject's profile says).
    assert eligibility_check(record=recent, day=date(2026, 11, 1)).eligible


def test_some_serious_acts_only_after_the_maximum_period(acme, unit):
    revoked_licence = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2025, 1, 10),
                                               penalty_types="吊销许可证件")
    version = revoked_licence.current_version
    assert version.severity == "serious"
    result = eligibility_check(record=revoked_licence, day=FILED)
    assert [c.code for c in result.unmet] == ["repairable_kind"]
    assert version.publicity_max_end.isoformat() in _explained(result, "repairable_kind")
    after = eligibility_check(record=revoked_licence, day=version.publicity_max_end.replace(day=11))
    assert _states(after)["repairable_kind"] is True


def test_a_dishonest_judgment_debtor_is_not_repaired_through_the_platform(acme, unit, agent):
    from gongxin.testing.factories import ADMIN

    payload = payload_for(item("judgment_debtor"), decision_date=date(2025, 1, 10), subject_name=acme.name)
    record = record_submit(source_unit=unit, item=item("judgment_debtor"), source_record_id="JD-1", subject=acme,
                           payload=payload, actor=ADMIN).record
    result = eligibility_check(record=record, day=FILED)
    assert _states(result)["repairable_kind"] is False
    # The reason every page gives (catalog.policy.removal_label of the policy's removed_by), not only "not repairable".
    assert _explained(result, "repairable_kind").startswith("由法院在履行后移出")
    assert "失信被执行人" in _explained(result, "repairable_kind")
    # Applying is refused with that same reason.
    with pytest.raises(RepairNotEligible) as refused:
        repair_apply(record=record, actor=as_viewer(agent), **apply_kwargs())
    unmet = [c for c in refused.value.details["conditions"] if c["met"] is False]
    assert [c["code"] for c in unmet] == ["repairable_kind"]
    assert unmet[0]["explanation"] == _explained(result, "repairable_kind")


def test_who_removes_a_kind_is_the_repair_policys_data(acme, unit):
    from gongxin.catalog.models import Policy
    from gongxin.catalog.policy import removal_authorities

    assert removal_authorities(day=FILED) == {"judgment_debtor": "court"}
    # Policy, not code: a policy in force that names no kind leaves the judgment debtor repairable.
    for policy in Policy.objects.filter(kind="repair"):
        policy.params = {**policy.params, "removed_by": {}}
        policy.save(update_fields=["params"])
    assert removal_authorities(day=FILED) == {}
    record = record_submit(source_unit=unit, item=item("judgment_debtor"), source_record_id="JD-2", subject=acme,
                           payload=payload_for(item("judgment_debtor"), decision_date=date(2025, 1, 10),
                                               subject_name=acme.name), actor=factories.ADMIN).record
    assert _states(eligibility_check(record=record, day=FILED))["repairable_kind"] is True


def test_a_positive_record_is_not_repaired(acme, unit):
    licence = factories.licence_create(subject=acme, source_unit=unit)
    result = eligibility_check(record=licence, day=FILED)
    assert _states(result)["negative_in_effect"] is False
    assert _states(result)["severity"] is False


def test_the_commitment_must_be_signed(penalty, agent):
    with pytest.raises(RepairNotEligible) as caught:
        repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs(commitment_accepted=False))
    assert [c["code"] for c in caught.value.details["conditions"] if c["met"] is False] == ["commitment"]


def test_evidence_meets_the_obligations_condition_and_is_kept_with_its_hash(penalty, agent):
    files = [SimpleUploadedFile("缴款凭证.pdf", PDF, content_type="application/pdf")]
    application = repair_apply(record=penalty, actor=as_viewer(agent), evidence=files, **apply_kwargs())
    assert {c["code"]: c["met"] for c in application.eligibility}["obligations"] is True
    evidence = RepairEvidence.objects.get(application=application)
    assert evidence.original_name == "缴款凭证.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.file.name.startswith(f"repairs/{application.pk}/") and "缴款" not in evidence.file.name
    with evidence.file.open("rb") as handle:
        assert handle.read() == PDF


def test_evidence_must_be_a_pdf_or_an_image(penalty, agent):
    files = [SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")]
    with pytest.raises(RepairEvidenceInvalid):
        repair_apply(record=penalty, actor=as_viewer(agent), evidence=files, **apply_kwargs())
