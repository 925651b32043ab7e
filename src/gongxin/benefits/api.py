"""Benefit scenarios API, mounted at /api/v1/benefits (thin: parse, call one service or selector, shape).

- ``GET  /scenarios`` — the scenarios in force, their conditions and parameters (anyone);
- ``POST /scenarios/{code}/eligibility`` — the provider checks a consenting subject: eligible or not,
  the parameters (credit line …) and the reasons (zh + en); without consent nothing is disclosed;
- ``POST /scenarios/{code}/usages`` — the provider starts a usage; ``…/usages/{reference}/end`` ends it;
  ``…/usages/{reference}/default`` records a default (repeated defaults suspend the benefit);
- ``GET  /mine`` — the signed-in subject's benefits: qualifies or not and why, usages;
- ``GET  /statistics`` — per scenario figures (staff).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import api_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.benefits.models import Scenario, Usage
from gongxin.benefits.rules import Verdict
from gongxin.benefits.selectors import (
    benefits_of_subject,
    scenario_by_code,
    scenario_for_usages,
    scenario_statistics,
    scenarios_in_force,
    suspension_active,
    usage_of_provider,
)
from gongxin.benefits.services import (
    PartnerScore,
    eligibility_check,
    usage_default_record,
    usage_end,
    usage_start,
)
from gongxin.core.errors import NotAuthenticated

router = Router(tags=["benefits"], auth=viewer_auth)


class ScenarioConditionOut(Schema):
    code: str
    label: str
    label_en: str


class ParameterOut(Schema):
    code: str
    label: str
    label_en: str = ""
    unit: str = ""
    by: str = ""
    values: dict[str, Any] = {}
    value: Any = None


class ScenarioOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    subject_kind: str
    provider: str
    conditions: list[ScenarioConditionOut]
    parameters: list[ParameterOut]
    default_threshold: int
    default_window_months: int
    suspension_months: int
    legal_basis: str


class BenefitSubjectIn(Schema):
    subject_code: str = Field(..., min_length=1, max_length=40,
                              description="The person's ID number (RIN), or the organization's USCC")
    partner_scheme: str = Field("", max_length=40,
                                description="A partner city's score scheme the subject presented (hangzhou_qianjiang)")
    partner_score: int | None = Field(None, description="That partner score")

    def partner(self) -> PartnerScore | None:
        if not self.partner_scheme or self.partner_score is None:
            return None
        return PartnerScore(scheme=self.partner_scheme, score=self.partner_score)


class BenefitReasonOut(Schema):
    code: str
    met: bool
    label: str = Field(..., description="In Chinese")
    label_en: str


class BenefitEligibilityOut(Schema):
    check_id: int
    scenario: str
    eligible: bool
    parameters: dict[str, Any]
    reasons: list[BenefitReasonOut]
    consent_valid_until: datetime


class UsageIn(BenefitSubjectIn):
    reference: str = Field(..., min_length=1, max_length=100, description="The provider's own id of this usage")
    amount_yuan: Decimal = Field(Decimal("0"), ge=0, decimal_places=2)
    note: str = Field("", max_length=500)


class UsageEndIn(Schema):
    amount_yuan: Decimal | None = Field(None, ge=0, decimal_places=2)
    note: str = Field("", max_length=500)


class UsageDefaultIn(Schema):
    amount_yuan: Decimal = Field(..., ge=0, decimal_places=2, description="The amount left unpaid")
    note: str = Field("", max_length=500)


class UsageOut(Schema):
    scenario: str
    reference: str
    status: str
    amount_yuan: Decimal
    started_at: datetime
    ended_at: datetime | None
    defaulted_at: datetime | None
    default_amount_yuan: Decimal | None
    suspended_until: str | None = None


class MyBenefitOut(Schema):
    scenario: str
    name: str
    eligible: bool
    parameters: dict[str, Any]
    reasons: list[BenefitReasonOut]
    usages: list[UsageOut]


class FiguresOut(Schema):
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


def _signed_in(request: HttpRequest) -> Viewer:
    viewer = api_viewer(request)
    if viewer.is_anonymous:
        raise NotAuthenticated()
    return viewer


def _scenario_out(scenario: Scenario) -> dict[str, Any]:
    return {
        "code": scenario.code, "name": scenario.name, "name_en": scenario.name_en,
        "description": scenario.description, "subject_kind": scenario.subject_kind,
        "provider": scenario.provider.name,
        "conditions": [{"code": c["code"], "label": c["label"], "label_en": c.get("label_en", "")}
                       for c in scenario.conditions],
        "parameters": scenario.parameters,
        "default_threshold": scenario.default_threshold, "default_window_months": scenario.default_window_months,
        "suspension_months": scenario.suspension_months, "legal_basis": scenario.legal_basis,
    }


def _reasons(verdict: Verdict) -> list[dict[str, Any]]:
    return [r.as_dict() for r in verdict.reasons]


def _usage_out(usage: Usage) -> dict[str, Any]:
    return {
        "scenario": usage.scenario.code, "reference": usage.reference, "status": usage.status,
        "amount_yuan": usage.amount_yuan, "started_at": usage.started_at, "ended_at": usage.ended_at,
        "defaulted_at": usage.defaulted_at, "default_amount_yuan": usage.default_amount_yuan,
    }


@router.get("/scenarios", response=list[ScenarioOut], summary="The benefit scenarios in force")
def scenarios_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_scenario_out(s) for s in scenarios_in_force()]


@router.post("/scenarios/{code}/eligibility", response=BenefitEligibilityOut,
             summary="Provider: does this consenting subject qualify? (parameters and reasons)")
def eligibility_endpoint(request: HttpRequest, code: str, body: BenefitSubjectIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    result = eligibility_check(scenario=scenario_by_code(code), subject_code=body.subject_code, actor=viewer,
                               partner=body.partner())
    return {
        "check_id": result.check.pk, "scenario": code, "eligible": result.verdict.eligible,
        "parameters": result.verdict.parameters, "reasons": _reasons(result.verdict),
        "consent_valid_until": result.consent.valid_until,
    }


@router.post("/scenarios/{code}/usages", response={201: UsageOut}, summary="Provider: a usage starts")
def usage_start_endpoint(request: HttpRequest, code: str, body: UsageIn) -> Status[dict[str, Any]]:
    viewer = _signed_in(request)
    usage = usage_start(scenario=scenario_by_code(code), subject_code=body.subject_code, reference=body.reference,
                        amount_yuan=body.amount_yuan, actor=viewer, note=body.note, partner=body.partner())
    return Status(201, _usage_out(usage))


@router.post("/scenarios/{code}/usages/{reference}/end", response=UsageOut, summary="Provider: a usage ends, settled")
def usage_end_endpoint(request: HttpRequest, code: str, reference: str, body: UsageEndIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    usage = usage_of_provider(scenario=scenario_for_usages(code), reference=reference, viewer=viewer)
    return _usage_out(usage_end(usage=usage, actor=viewer, amount_yuan=body.amount_yuan, note=body.note))


@router.post("/scenarios/{code}/usages/{reference}/default", response=UsageOut,
             summary="Provider: the subject defaulted (repeated defaults suspend the benefit)")
def usage_default_endpoint(request: HttpRequest, code: str, reference: str, body: UsageDefaultIn) -> dict[str, Any]:
    viewer = _signed_in(request)
    scenario = scenario_for_usages(code)
    usage = usage_of_provider(scenario=scenario, reference=reference, viewer=viewer)
    usage = usage_default_record(usage=usage, amount_yuan=body.amount_yuan, actor=viewer, note=body.note)
    suspension = suspension_active(scenario_id=scenario.pk, subject_id=usage.subject_id)
    return {**_usage_out(usage), "suspended_until": suspension.ends_on.isoformat() if suspension else None}


@router.get("/mine", response=list[MyBenefitOut], summary="Your benefits: whether you qualify and why, your usages")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = _signed_in(request)
    return [
        {"scenario": b.scenario.code, "name": b.scenario.name, "eligible": b.verdict.eligible,
         "parameters": b.verdict.parameters, "reasons": _reasons(b.verdict),
         "usages": [_usage_out(u) for u in b.usages]}
        for b in benefits_of_subject(viewer=viewer)
    ]


@router.get("/statistics", response=list[FiguresOut], summary="Per scenario: checks, usages, defaults (staff)")
def statistics(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = _signed_in(request)
    return [f.__dict__ for f in scenario_statistics(viewer=viewer)]
