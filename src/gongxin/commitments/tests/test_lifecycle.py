"""The commitment loop through its services: sign (text, hash, signature, deadline), eligibility refusals,
fulfil, breach → negative record with clocks, reminders and overdue once, and the facts provider."""

from __future__ import annotations

from datetime import date

import pytest

from gongxin.catalog.choices import Polarity, Severity
from gongxin.commitments.choices import CommitmentStatus, SignedVia
from gongxin.commitments.errors import (
    CommitmentNotAccepted,
    CommitmentNotEligible,
    CommitmentNotOpen,
    CommitmentNotSigner,
    CommitmentNotVerifier,
    CommitmentOpenExists,
    CommitmentTextChanged,
)
from gongxin.commitments.facts import CommitmentFacts
from gongxin.commitments.models import Commitment, CommitmentEvent
from gongxin.commitments.services import (
    commitment_breach,
    commitment_fulfil,
    commitment_preview,
    commitment_sign,
    commitment_signature_valid,
    commitments_daily,
)
from gongxin.commitments.tests.conftest import SIGNED, as_viewer, at, kind, sign_kwargs
from gongxin.core.models import OutboxEvent
from gongxin.notices.models import Notice
from gongxin.records.models import Record
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _sign(subject, unit, user, type_code="approval_substitute", **overrides):
    return commitment_sign(subject=subject, type=kind(type_code), source_unit=unit, actor=as_viewer(user),
                           **sign_kwargs(**overrides))


def test_signing_keeps_the_exact_text_its_hash_and_a_valid_platform_signature(acme, unit, agent):
    preview = commitment_preview(subject=acme, type=kind("approval_substitute"), source_unit=unit,
                                 matter_code="FOOD-LICENCE-NEW", matter_name="食品经营许可（新办）")
    commitment = _sign(acme, unit, agent, shown_text_sha256=preview.text_sha256)

    assert commitment.status == CommitmentStatus.SIGNED
    assert commitment.text == preview.text
    assert acme.name in commitment.text and "食品经营许可（新办）" in commitment.text and unit.name in commitment.text
    assert commitment.signer_name == "王五" and commitment.signed_via == SignedVia.PORTAL
    assert commitment.signed_by_id == agent.pk
    # 20 working days from 2026-09-30 skip the National Day holiday and count Saturday 10-10.
    assert commitment.deadline == date(2026, 11, 3)
    assert "2026年11月3日" in commitment.text
    # Reminder 3 working days before the deadline.
    assert commitment.remind_on == date(2026, 10, 29)
    assert commitment_signature_valid(commitment)
    assert [e.action for e in commitment.events.all()] == ["commitments.commitment.signed"]
    assert OutboxEvent.objects.filter(topic="commitments.commitment.signed", aggregate_id=commitment.pk,
                                      subject_id=acme.pk).exists()
    assert Notice.objects.filter(subject=acme, code="commitments.signed").count() == 1
    assert all(c["met"] for c in commitment.eligibility)


def test_a_tampered_text_no_longer_verifies(acme, unit, agent):
    commitment = _sign(acme, unit, agent)
    Commitment.objects.filter(pk=commitment.pk).update(text=commitment.text + "（补充）")
    commitment.refresh_from_db()
    assert not commitment_signature_valid(commitment)


def test_a_changed_text_is_refused(acme, unit, agent):
    with pytest.raises(CommitmentTextChanged):
        _sign(acme, unit, agent, shown_text_sha256="0" * 64)


def test_signing_needs_acceptance_and_a_name(acme, unit, agent):
    with pytest.raises(CommitmentNotAccepted):
        _sign(acme, unit, agent, accepted=False)
    with pytest.raises(CommitmentNotAccepted):
        _sign(acme, unit, agent, signer_name="  ")


def test_only_the_subject_signs_for_itself(acme, unit, other_agent, operator):
    with pytest.raises(CommitmentNotSigner):
        _sign(acme, unit, other_agent)
    with pytest.raises(CommitmentNotSigner):
        _sign(acme, unit, operator)


def test_one_open_commitment_per_type_and_matter(acme, unit, agent):
    _sign(acme, unit, agent)
    with pytest.raises(CommitmentOpenExists):
        _sign(acme, unit, agent)
    # Another matter is fine.
    _sign(acme, unit, agent, matter_code="FOOD-LICENCE-CHANGE", matter_name="食品经营许可（变更）")


def test_an_unrepaired_serious_record_bars_approval_types_only(acme, unit, agent):
    serious = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1),
                                       penalty_types="吊销许可证件")
    assert serious.current_version.severity == Severity.SERIOUS
    with pytest.raises(CommitmentNotEligible) as refused:
        _sign(acme, unit, agent)
    conditions = {c["code"]: c for c in refused.value.details["conditions"]}
    assert conditions["no_unrepaired_serious"]["met"] is False
    assert "行政处罚信息" in conditions["no_unrepaired_serious"]["explanation"]
    assert conditions["no_breach"]["met"] is True
    # A voluntary public commitment has no eligibility rules.
    assert _sign(acme, unit, agent, type_code="voluntary_public").is_public
    # Once the record is repaired, approval types are open again.
    factories.repair_mark(serious)
    assert _sign(acme, unit, agent).status == CommitmentStatus.SIGNED


def test_a_general_record_does_not_bar(acme, unit, agent):
    factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1))
    assert _sign(acme, unit, agent).status == CommitmentStatus.SIGNED


def test_fulfilment_by_the_receiving_department(acme, unit, agent, operator, other_operator):
    commitment = _sign(acme, unit, agent)
    with pytest.raises(CommitmentNotVerifier):
        commitment_fulfil(commitment=commitment, actor=as_viewer(other_operator))
    with pytest.raises(CommitmentNotVerifier):
        commitment_fulfil(commitment=commitment, actor=as_viewer(agent))
    done = commitment_fulfil(commitment=commitment, actor=as_viewer(operator), note="现场核查符合承诺条件")
    assert done.status == CommitmentStatus.FULFILLED and done.verified_by_id == operator.pk
    assert Notice.objects.filter(subject=acme, code="commitments.fulfilled").count() == 1
    with pytest.raises(CommitmentNotOpen):
        commitment_fulfil(commitment=done, actor=as_viewer(operator))


def test_a_breach_writes_a_negative_record_with_its_clocks(acme, unit, agent, operator):
    commitment = _sign(acme, unit, agent)
    with at(date(2026, 10, 20)):
        breached = commitment_breach(commitment=commitment, actor=as_viewer(operator),
                                     facts="现场核查发现实际经营场所与承诺不符。", handling="撤销许可决定")
    assert breached.status == CommitmentStatus.BREACHED
    record = Record.objects.select_related("current_version", "catalog_item").get(pk=breached.breach_record_id)
    version = record.current_version
    assert record.catalog_item.code == "broken_commitment" and record.subject_id == acme.pk
    assert record.source_record_id == commitment.number
    assert version.polarity == Polarity.NEGATIVE and version.severity == Severity.GENERAL
    assert version.decision_date == date(2026, 10, 20)
    # Order 36: general 3–12 months; Zhejiang retention 5 years.
    assert version.publicity_min_end == date(2027, 1, 20)
    assert version.publicity_max_end == date(2027, 10, 20)
    assert version.retention_end == date(2031, 10, 20)
    assert version.payload["commitment_number"] == commitment.number
    assert version.payload["commitment_type"] == "approval_substitute"
    assert OutboxEvent.objects.filter(topic="records.record.created", aggregate_id=record.pk).exists()
    breach_event = OutboxEvent.objects.get(topic="commitments.commitment.breached", aggregate_id=commitment.pk)
    assert breach_event.payload["record"] == record.pk and breach_event.payload["retention_end"] == "2031-10-20"
    assert Notice.objects.filter(subject=acme, code="commitments.breached").count() == 1


def test_a_past_breach_bars_approval_types_until_repaired(acme, unit, agent, operator):
    commitment = _sign(acme, unit, agent)
    breached = commitment_breach(commitment=commitment, actor=as_viewer(operator), facts="提交虚假证明。",
                                 severity=Severity.SERIOUS)
    assert breached.breach_record.current_version.severity == Severity.SERIOUS
    with pytest.raises(CommitmentNotEligible) as refused:
        _sign(acme, unit, agent, matter_code="OTHER", matter_name="其他事项", type_code="certification_notice")
    conditions = {c["code"]: c["met"] for c in refused.value.details["conditions"]}
    assert conditions["no_breach"] is False
    assert conditions["no_unrepaired_serious"] is False  # the serious breach record itself
    facts = CommitmentFacts().facts_for([acme.pk])[acme.pk]
    assert facts == {"commitments_active": 0, "commitments_broken": 1, "false_commitment": True}


def test_reminders_and_overdue_notes_are_sent_once(acme, unit, agent):
    commitment = _sign(acme, unit, agent)
    assert commitments_daily(day=SIGNED).reminded == 0
    with at(commitment.remind_on):
        first = commitments_daily()
        again = commitments_daily()
    assert (first.reminded, again.reminded) == (1, 0)
    assert Notice.objects.filter(subject=acme, code="commitments.reminder").count() == 1
    with at(date(2026, 11, 4)):
        late = commitments_daily()
        late_again = commitments_daily()
    assert (late.overdue, late_again.overdue) == (1, 0)
    assert Notice.objects.filter(subject=acme, code="commitments.overdue").count() == 1
    actions = list(CommitmentEvent.objects.filter(commitment=commitment).values_list("action", flat=True))
    assert actions == ["commitments.commitment.signed", "commitments.commitment.reminded",
                       "commitments.commitment.overdue"]
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.SIGNED  # the department still verifies it


def test_facts_are_set_based_for_many_subjects(acme, other_org, unit, agent):
    _sign(acme, unit, agent)
    _sign(acme, unit, agent, type_code="voluntary_public")
    facts = CommitmentFacts().facts_for([acme.pk, other_org.pk])
    assert facts[acme.pk] == {"commitments_active": 2, "commitments_broken": 0, "false_commitment": False}
    assert facts[other_org.pk] == {"commitments_active": 0, "commitments_broken": 0, "false_commitment": False}
    assert set(CommitmentFacts.names) == {"commitments_active", "commitments_broken", "false_commitment"}


def test_the_daily_command(acme, unit, agent):
    from io import StringIO

    from django.core.management import call_command

    commitment = _sign(acme, unit, agent)
    out = StringIO()
    with at(commitment.remind_on):
        call_command("commitments", "daily", stdout=out)
        call_command("commitments", "daily", stdout=out)
    assert out.getvalue().splitlines() == ["commitments 2026-10-29: reminded 1, overdue noted 0",
                                           "commitments 2026-10-29: reminded 0, overdue noted 0"]
