"""Writes of the benefits app: eligibility checks by providers, usages, defaults and suspensions.

Each write runs in one transaction with its history row and outbox event. A provider learns nothing
about a subject without the subject's consent in force (not even whether it exists); every check under
a consent is logged as an inquiry the subject sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from gongxin.access.choices import Channel
from gongxin.access.errors import ConsentRequired as PersonRefused
from gongxin.access.models import Consent
from gongxin.access.persons import person_by_rin_for
from gongxin.access.selectors import consent_active_for
from gongxin.access.services import inquiry_record
from gongxin.accounts.viewer import Viewer
from gongxin.benefits.choices import SubjectKindChoice, UsageAction, UsageStatus
from gongxin.benefits.errors import (
    AmountInvalid,
    ConsentRequired,
    NotEligible,
    ScenarioNotForSubject,
    ScenarioNotFound,
    UsageAlreadyDefaulted,
    UsageDuplicate,
    UsageNotOpen,
)
from gongxin.benefits.facts import partner_grade, subject_facts
from gongxin.benefits.models import EligibilityCheck, Scenario, Suspension, Usage, UsageEvent
from gongxin.benefits.rules import Verdict
from gongxin.benefits.selectors import provider_check, subject_verdict, suspension_active
from gongxin.core import clock
from gongxin.core.events import DEFAULT_RECORDED, SUSPENSION_STARTED, USAGE_ENDED, USAGE_STARTED
from gongxin.core.outbox import event_emit
from gongxin.records.choices import Purpose
from gongxin.subjects.errors import InvalidRin
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_code

AGGREGATE_USAGE = "benefit_usage"


@dataclass(frozen=True)
class CheckResult:
    check: EligibilityCheck
    verdict: Verdict
    consent: Consent


def scenario_authorize(*, scenario: Scenario, subject: Subject, actor: Viewer) -> Consent:
    """``subject`` lets the scenario's provider check whether it qualifies: a consent to the provider's API
    client, for eligibility only, until the latest end a consent may have. Only a subject of the kind the
    scenario serves may give it (a firm has nothing to authorize for a benefit of persons)."""
    from gongxin.access.consents import SCOPE_ELIGIBILITY_ONLY, consent_grant, consent_latest_end

    if subject.kind != scenario.subject_kind:
        raise ScenarioNotForSubject()
    if scenario.provider.client is None:
        raise ScenarioNotFound()
    return consent_grant(subject=subject, grantee_client=scenario.provider.client,
                         purpose=f"信用惠民：{scenario.name}", scope=[SCOPE_ELIGIBILITY_ONLY],
                         valid_until=consent_latest_end(), actor=actor)


def _subject_consented(*, scenario: Scenario, subject_code: str, actor: Viewer) -> tuple[Subject, Consent]:
    """The subject named by its RIN (persons) or USCC (organizations), if it consented to ``actor``.

    Unknown code, another kind of subject, no consent: one and the same answer (a person through
    access.persons, whose uniform refusal becomes this one: the same queries whatever the RIN).
    """
    code = (subject_code or "").strip()
    if scenario.subject_kind == SubjectKindChoice.PERSON:
        try:
            subject = person_by_rin_for(rin=code, viewer=actor)
        except (PersonRefused, InvalidRin):
            raise ConsentRequired() from None
    else:
        subject = subject_by_code(code)
    if subject is None or subject.kind != scenario.subject_kind:
        raise ConsentRequired()
    consent = consent_active_for(subject_id=subject.pk, viewer=actor)
    if consent is None:
        raise ConsentRequired()
    return subject, consent


@dataclass(frozen=True)
class PartnerScore:
    """A partner city's score the subject presented to the provider (scheme code, e.g. hangzhou_qianjiang)."""

    scheme: str
    score: int


def _facts(subject_id: int, partner: PartnerScore | None) -> dict[str, Any]:
    facts = subject_facts([subject_id])[subject_id]
    if partner is not None:
        facts["partner_grade"] = partner_grade(scheme=partner.scheme, score=partner.score)
    return facts


def eligibility_check(
    *, scenario: Scenario, subject_code: str, actor: Viewer, partner: PartnerScore | None = None
) -> CheckResult:
    """The provider asks whether a consenting subject qualifies: yes/no, parameters, reasons. Logged
    as an inquiry under the consent and kept for the statistics."""
    provider_check(scenario=scenario, actor=actor)
    subject, consent = _subject_consented(scenario=scenario, subject_code=subject_code, actor=actor)
    verdict = subject_verdict(scenario=scenario, subject_id=subject.pk, facts=_facts(subject.pk, partner))
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            scenario=scenario, subject=subject, consent=consent, eligible=verdict.eligible,
            parameters=verdict.parameters, reasons=[r.as_dict() for r in verdict.reasons], created_at=clock.now(),
        )
        inquiry_record(subject_id=subject.pk, viewer=actor, purpose=Purpose.AUTHORIZED, channel=Channel.API,
                       consent=consent, reason=f"信用惠民资格核验：{scenario.name}")
    return CheckResult(check=check, verdict=verdict, consent=consent)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AmountInvalid() from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**10:
        raise AmountInvalid()
    return amount.quantize(Decimal("0.01"))


def _event(usage: Usage, *, action: str, actor: Viewer, amount: Decimal | None = None, note: str = "") -> None:
    UsageEvent.objects.create(usage=usage, action=action, amount_yuan=amount, actor_label=actor.label,
                              note=note[:500], created_at=clock.now())


def _payload(usage: Usage, actor: Viewer) -> dict[str, Any]:
    return {"scenario": usage.scenario.code, "reference": usage.reference, "status": usage.status,
            "amount_yuan": str(usage.amount_yuan), "actor": actor.label}


def usage_start(
    *, scenario: Scenario, subject_code: str, reference: str, amount_yuan: Any = 0, actor: Viewer, note: str = "",
    partner: PartnerScore | None = None,
) -> Usage:
    """The provider starts a usage (a ride, a stay, a treatment paid later) for a consenting subject who
    qualifies now."""
    provider_check(scenario=scenario, actor=actor)
    subject, _consent = _subject_consented(scenario=scenario, subject_code=subject_code, actor=actor)
    amount = _amount(amount_yuan)
    verdict = subject_verdict(scenario=scenario, subject_id=subject.pk, facts=_facts(subject.pk, partner))
    if not verdict.eligible:
        raise NotEligible(details={"reasons": [r.as_dict() for r in verdict.reasons if not r.met]})
    reference = reference.strip()[:100]
    now = clock.now()
    try:
        with transaction.atomic():
            usage = Usage.objects.create(scenario=scenario, subject=subject, reference=reference, amount_yuan=amount,
                                         started_at=now, note=note[:500])
            _event(usage, action=UsageAction.STARTED, actor=actor, amount=amount, note=note)
            event_emit(topic=USAGE_STARTED, aggregate_type=AGGREGATE_USAGE, aggregate_id=usage.pk,
                       subject_id=subject.pk, payload=_payload(usage, actor))
    except IntegrityError:
        raise UsageDuplicate() from None
    return usage


def usage_end(*, usage: Usage, actor: Viewer, amount_yuan: Any | None = None, note: str = "") -> Usage:
    """The provider closes a usage settled in full (the final amount, if it changed)."""
    provider_check(scenario=usage.scenario, actor=actor)
    amount = _amount(amount_yuan) if amount_yuan is not None else None
    with transaction.atomic():
        locked = Usage.objects.select_for_update().get(pk=usage.pk)
        if locked.status != UsageStatus.OPEN:
            raise UsageNotOpen()
        locked.status = UsageStatus.ENDED
        locked.ended_at = clock.now()
        if amount is not None:
            locked.amount_yuan = amount
        locked.save(update_fields=["status", "ended_at", "amount_yuan"])
        _event(locked, action=UsageAction.ENDED, actor=actor, amount=locked.amount_yuan, note=note)
        event_emit(topic=USAGE_ENDED, aggregate_type=AGGREGATE_USAGE, aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload=_payload(locked, actor))
    return locked


def usage_default_record(*, usage: Usage, amount_yuan: Any, actor: Viewer, note: str = "") -> Usage:
    """The provider reports that the subject did not pay (after the usage, or instead of ending it).

    The default is kept for the score model (event ``benefits.default.recorded`` with the subject); the
    scenario's threshold of defaults within its window suspends the subject's benefit in the scenario.
    """
    provider_check(scenario=usage.scenario, actor=actor)
    amount = _amount(amount_yuan)
    scenario = usage.scenario
    with transaction.atomic():
        # The scenario row first (then the usage): two defaults of one subject at once must not both count
        # only themselves and miss the threshold. Defaults are rare; serializing them per scenario is cheap.
        Scenario.objects.select_for_update().filter(pk=scenario.pk).first()
        locked = Usage.objects.select_for_update().get(pk=usage.pk)
        if locked.status == UsageStatus.DEFAULTED:
            raise UsageAlreadyDefaulted()
        now = clock.now()
        locked.status = UsageStatus.DEFAULTED
        locked.defaulted_at = now
        locked.default_amount_yuan = amount
        locked.save(update_fields=["status", "defaulted_at", "default_amount_yuan"])
        _event(locked, action=UsageAction.DEFAULTED, actor=actor, amount=amount, note=note)
        event_emit(topic=DEFAULT_RECORDED, aggregate_type=AGGREGATE_USAGE, aggregate_id=locked.pk,
                   subject_id=locked.subject_id,
                   payload={**_payload(locked, actor), "default_amount_yuan": str(amount),
                            "defaulted_at": now.isoformat()})
        _suspend_if_repeated(scenario=scenario, subject_id=locked.subject_id, actor=actor)
    return locked


def _suspend_if_repeated(*, scenario: Scenario, subject_id: int, actor: Viewer) -> Suspension | None:
    if suspension_active(scenario_id=scenario.pk, subject_id=subject_id) is not None:
        return None
    now = clock.now()
    since = clock.add_months(clock.today(), -scenario.default_window_months)
    defaults = Usage.objects.filter(scenario=scenario, subject_id=subject_id, status=UsageStatus.DEFAULTED,
                                    defaulted_at__date__gte=since).count()
    if defaults < scenario.default_threshold:
        return None
    ends_on = clock.add_months(clock.today(), scenario.suspension_months) - timedelta(days=1)
    suspension = Suspension.objects.create(
        scenario=scenario, subject_id=subject_id, started_at=now, ends_on=ends_on, defaults_counted=defaults,
        reason=f"{scenario.default_window_months} 个月内违约 {defaults} 次（阈值 {scenario.default_threshold} 次）",
    )
    event_emit(topic=SUSPENSION_STARTED, aggregate_type="benefit_suspension", aggregate_id=suspension.pk,
               subject_id=subject_id,
               payload={"scenario": scenario.code, "ends_on": ends_on.isoformat(), "defaults": defaults,
                        "actor": actor.label})
    return suspension
