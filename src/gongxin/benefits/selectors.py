"""Reads of the benefits app: scenarios, a subject's own benefits, a provider's usages, statistics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gongxin.access.models import Consent
from gongxin.accounts.capabilities import is_office
from gongxin.accounts.viewer import Viewer
from gongxin.benefits.choices import UsageStatus
from gongxin.benefits.errors import NotProvider, ScenarioNotFound, StatisticsNotAllowed, UsageNotFound
from gongxin.benefits.facts import subject_facts
from gongxin.benefits.models import EligibilityCheck, Scenario, Suspension, Usage
from gongxin.benefits.rules import Verdict, scenario_evaluate
from gongxin.core import clock
from gongxin.subjects.models import Subject


def provider_check(*, scenario: Scenario, actor: Viewer) -> None:
    """Raise unless ``actor`` acts for the scenario's provider (its API client, or a signed-in user of
    its department)."""
    provider = scenario.provider
    if not provider.is_active:
        raise NotProvider()
    if actor.client_id is not None:
        if provider.client_id is not None and actor.client_id == provider.client_id:
            return
        raise NotProvider()
    if actor.user_id is not None and actor.department_id is not None and actor.department_id == provider.department_id:
        return
    raise NotProvider()


def scenarios_in_force(*, subject_kind: str | None = None) -> QuerySet[Scenario]:
    """Active scenarios whose effective period includes today."""
    today = clock.today()
    queryset = Scenario.objects.filter(is_active=True, effective_from__lte=today).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=today)
    )
    if subject_kind is not None:
        queryset = queryset.filter(subject_kind=subject_kind)
    return queryset.select_related("provider").order_by("code")


def scenario_by_code(code: str) -> Scenario:
    scenario = scenarios_in_force().filter(code=code).first()
    if scenario is None:
        raise ScenarioNotFound()
    return scenario


def scenario_for_usages(code: str) -> Scenario:
    """A scenario by code whether in force or not: usages begun under it are still ended or defaulted."""
    scenario = Scenario.objects.select_related("provider").filter(code=code).first()
    if scenario is None:
        raise ScenarioNotFound()
    return scenario


def suspension_active(*, scenario_id: int, subject_id: int) -> Suspension | None:
    return (
        Suspension.objects.filter(scenario_id=scenario_id, subject_id=subject_id, ends_on__gte=clock.today())
        .order_by("-ends_on")
        .first()
    )


def subject_verdict(*, scenario: Scenario, subject_id: int, facts: dict[str, Any] | None = None) -> Verdict:
    """Whether the subject qualifies now and why (no logging: callers decide who may know)."""
    if facts is None:
        facts = subject_facts([subject_id])[subject_id]
    suspension = suspension_active(scenario_id=scenario.pk, subject_id=subject_id)
    return scenario_evaluate(scenario=scenario, facts=facts,
                             suspended_until=suspension.ends_on.isoformat() if suspension else None)


@dataclass(frozen=True)
class MyBenefit:
    scenario: Scenario
    verdict: Verdict
    usages: list[Usage]


def benefits_of_subject(*, viewer: Viewer) -> list[MyBenefit]:
    """For the subject itself: every scenario for its kind, whether it qualifies and why, its usages."""
    if viewer.subject_id is None:
        return []
    subject_kind = Subject.objects.filter(pk=viewer.subject_id).values_list("kind", flat=True).first()
    if subject_kind is None:
        return []
    facts = subject_facts([viewer.subject_id])[viewer.subject_id]
    usages: dict[int, list[Usage]] = {}
    for usage in usages_of_subject(subject_id=viewer.subject_id):
        usages.setdefault(usage.scenario_id, []).append(usage)
    return [
        MyBenefit(scenario=s, verdict=subject_verdict(scenario=s, subject_id=viewer.subject_id, facts=facts),
                  usages=usages.get(s.pk, []))
        for s in scenarios_in_force(subject_kind=subject_kind)
    ]


def usage_of_provider(*, scenario: Scenario, reference: str, viewer: Viewer) -> Usage:
    """A usage by its provider's reference (only the scenario's provider may look)."""
    provider_check(scenario=scenario, actor=viewer)
    usage = Usage.objects.select_related("scenario__provider").filter(scenario=scenario, reference=reference).first()
    if usage is None:
        raise UsageNotFound()
    return usage


def subject_of(*, viewer: Viewer) -> Subject | None:
    """The subject the signed-in viewer acts for (a person, or an organization's agent), if any."""
    return Subject.objects.filter(pk=viewer.subject_id).first() if viewer.subject_id is not None else None


def providers_consented(*, subject_id: int) -> set[int]:
    """Ids of the providers whose API client holds the subject's consent in force now."""
    now = clock.now()
    return set(
        Consent.objects.filter(subject_id=subject_id, revoked_at__isnull=True, valid_from__lte=now,
                               valid_until__gt=now, grantee_client__benefit_provider__isnull=False)
        .values_list("grantee_client__benefit_provider__id", flat=True)
    )


def usages_of_subject(*, subject_id: int) -> QuerySet[Usage]:
    """A subject's own usages, newest first (shown to the subject itself)."""
    return Usage.objects.filter(subject_id=subject_id).select_related("scenario").order_by("-started_at", "-id")


@dataclass(frozen=True)
class ScenarioFigures:
    code: str
    name: str
    checks: int
    checks_eligible: int
    usages: int
    usages_open: int
    defaults: int
    suspensions: int
    amount_yuan: Decimal
    default_amount_yuan: Decimal


def scenario_statistics(*, viewer: Viewer) -> list[ScenarioFigures]:
    """Per scenario: eligibility checks (and how many said yes), usages, defaults, amounts. The office only."""
    if not is_office(viewer):
        raise StatisticsNotAllowed()
    checks = {
        row["scenario_id"]: row
        for row in EligibilityCheck.objects.values("scenario_id").annotate(
            n=Count("id"), yes=Count("id", filter=Q(eligible=True)))
    }
    usages = {
        row["scenario_id"]: row
        for row in Usage.objects.values("scenario_id").annotate(
            n=Count("id"),
            open=Count("id", filter=Q(status=UsageStatus.OPEN)),
            defaults=Count("id", filter=Q(status=UsageStatus.DEFAULTED)),
            amount=Sum("amount_yuan"),
            default_amount=Sum("default_amount_yuan"),
        )
    }
    suspensions = dict(Suspension.objects.values("scenario_id").annotate(n=Count("id")).values_list("scenario_id", "n"))
    figures = []
    for scenario in Scenario.objects.order_by("code"):
        c: Mapping[str, Any] = checks.get(scenario.pk, {})
        u: Mapping[str, Any] = usages.get(scenario.pk, {})
        figures.append(ScenarioFigures(
            code=scenario.code, name=scenario.name,
            checks=c.get("n", 0), checks_eligible=c.get("yes", 0),
            usages=u.get("n", 0), usages_open=u.get("open", 0), defaults=u.get("defaults", 0),
            suspensions=suspensions.get(scenario.pk, 0),
            amount_yuan=u.get("amount") or Decimal("0"), default_amount_yuan=u.get("default_amount") or Decimal("0"),
        ))
    return figures
