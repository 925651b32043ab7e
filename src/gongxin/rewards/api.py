"""JSON API of the rewards app (mounted under /api/v1 by gongxin.api). Thin: parse, call one service or
selector, shape.

``checks_router`` at /api/v1/checks:

- ``POST ""`` — check one subject (``uscc``, or ``rin`` with the sharing scope) before a ``matter``;
- ``POST /batch`` — up to 1,000 subjects for one matter, answered in order (an error per subject where
  it cannot be checked);
- ``GET /{id}`` — a check as answered; ``POST /{id}/feedback`` — what the system did (closes the loop);
- ``POST /{id}/certificate`` — the check as a signed, QR-verifiable certificate.

``router`` at /api/v1/rewards: ``GET /statistics``, ``GET|POST /measures``, ``GET /measures/{code}``,
``POST /measures/dry-run``, ``GET /matters``, ``GET /certificates/{number}`` (the signed envelope).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import api_viewer, viewer_for_request
from gongxin.accounts.services import api_rate_limit_charge
from gongxin.core import clock
from gongxin.core.documents import verify_url_shown
from gongxin.core.schemas import ErrorOut
from gongxin.rewards import selectors
from gongxin.rewards.choices import Decision, FeedbackOutcome
from gongxin.rewards.models import Check, CheckCertificate, MeasureVersion
from gongxin.rewards.services import (
    BATCH_MAX,
    CheckOutcome,
    CheckRequest,
    MeasureDraft,
    certificate_issue,
    check_feedback,
    checks_perform,
    measure_dry_run,
    measure_save,
)

router = Router(tags=["rewards"], auth=viewer_auth)
checks_router = Router(tags=["checks"], auth=viewer_auth)


# --- schemas ---------------------------------------------------------------------------------------

class CheckIn(Schema):
    matter: str = Field(..., min_length=1, max_length=60, description="Code of the matter (registered)")
    uscc: str = Field("", max_length=40, description="Organization: unified social credit code")
    rin: str = Field("", max_length=40, description="Person: resident identity number (sharing scope only)")
    name: str = Field("", max_length=200, description="The name the system holds; a mismatch is warned")


class CheckSubjectIn(Schema):
    uscc: str = Field("", max_length=40)
    rin: str = Field("", max_length=40)
    name: str = Field("", max_length=200)


class BatchIn(Schema):
    matter: str = Field(..., min_length=1, max_length=60)
    subjects: list[CheckSubjectIn] = Field(..., min_length=1, max_length=BATCH_MAX)


class WarningOut(Schema):
    code: str
    message: str


class SubjectOut(Schema):
    kind: str
    name: str
    code: str = Field(..., description="USCC, or the masked RIN of a person")


class CheckOut(Schema):
    check_id: int
    decision: Decision
    matter: str
    subject: SubjectOut
    hits: list[dict[str, Any]] = Field(..., description=(
        "Measures that apply: measure, name, version, kind (punishment|reward), class (legal|management|market), "
        "department, legal_basis, content, basis (list entries, records or facts behind it, each with its lift), "
        "lift {how: end_date|court|repair|objection, date}: end_date when every basis ends by itself (date: the "
        "last end + 1 day); court when a basis is one the court removes after performance (a dishonest judgment "
        "debtor's entry: credit repair does not apply); repair (date: the earliest a repair may be decided, where "
        "known); else objection"))
    warnings: list[WarningOut]
    checked_at: datetime
    facts_as_of: datetime | None


class BatchItemOut(Schema):
    index: int
    uscc: str = ""
    result: CheckOut | None = None
    error: ErrorOut | None = None


class CheckBatchOut(Schema):
    matter: str
    checked: int
    failed: int
    results: list[BatchItemOut]


class FeedbackIn(Schema):
    measures_applied: list[str] = Field(default_factory=list, max_length=200)
    outcome: FeedbackOutcome
    note: str = Field("", max_length=4000)


class FeedbackOut(Schema):
    check_id: int
    measures_applied: list[str]
    outcome: str
    note: str
    reported_at: datetime


class CertificateOut(Schema):
    number: str
    verify_url: str
    issued_at: datetime
    envelope: dict[str, Any]


class MeasureOut(Schema):
    code: str
    version: int
    name: str
    kind: str
    measure_class: str
    trigger: str
    matter_types: list[str]
    matter_codes: list[str]
    department: str
    legal_basis: str
    content: str
    effective_from: date
    effective_to: date | None
    is_active: bool


class MeasureIn(Schema):
    code: str = Field(..., min_length=2, max_length=60)
    name: str = Field(..., min_length=1, max_length=200)
    kind: str
    measure_class: str
    trigger: str = Field(..., min_length=1, max_length=4000)
    legal_basis: str = Field(..., max_length=4000)
    department: str = Field(..., min_length=1, max_length=200)
    effective_from: date
    effective_to: date | None = None
    matter_types: list[str] = Field(default_factory=list)
    matter_codes: list[str] = Field(default_factory=list)
    content: str = ""
    is_active: bool = True
    note: str = ""


class DryRunIn(Schema):
    trigger: str = Field(..., min_length=1, max_length=4000)


class DryRunOut(Schema):
    trigger: str
    subjects_scanned: int
    subjects_hit: int
    sample: list[dict[str, Any]]


class MatterOut(Schema):
    code: str
    name: str
    matter_type: str
    system: str
    department: str
    is_active: bool
    measures: list[str]


class StatisticsRowOut(Schema):
    key: str
    label: str
    hits: int
    punishments: int
    rewards: int
    reported: int
    applied: int


class StatisticsOut(Schema):
    group: str
    date_from: date
    date_to: date
    checks: int
    decisions: dict[str, int]
    rows: list[StatisticsRowOut]


# --- shaping ---------------------------------------------------------------------------------------

def _check_out(row: dict[str, Any], *, matter: str, kind: str, name: str, code: str) -> dict[str, Any]:
    """The answer to a check, from its columns (``row``: as written, with its id)."""
    return {
        "check_id": row["id"], "decision": row["decision"], "matter": matter,
        "subject": {"kind": kind, "name": name if kind == "organization" else "", "code": code},
        "hits": row["hits"], "warnings": row["warnings"], "checked_at": row["created_at"],
        "facts_as_of": row["facts_updated_at"],
    }


def _outcome_out(outcome: CheckOutcome) -> dict[str, Any]:
    assert outcome.row is not None and outcome.matter is not None
    return _check_out(outcome.row, matter=outcome.matter.code, kind=outcome.subject_kind,
                      name=outcome.subject_name, code=outcome.subject_code)


def _stored_check_out(check: Check) -> dict[str, Any]:
    subject = check.subject
    code = subject.organization.uscc if subject.kind == "organization" else subject.person.rin_masked
    row = {"id": check.pk, "decision": check.decision, "hits": check.hits, "warnings": check.warnings,
           "created_at": check.created_at, "facts_updated_at": check.facts_updated_at}
    return _check_out(row, matter=check.matter.code, kind=subject.kind, name=subject.name, code=code)


def _measure_out(version: MeasureVersion) -> dict[str, Any]:
    return {
        "code": version.measure.code, "version": version.number, "name": version.name, "kind": version.kind,
        "measure_class": version.measure_class, "trigger": version.trigger, "matter_types": version.matter_types,
        "matter_codes": version.matter_codes, "department": version.department, "legal_basis": version.legal_basis,
        "content": version.content, "effective_from": version.effective_from, "effective_to": version.effective_to,
        "is_active": version.is_active,
    }


def _certificate_out(certificate: CheckCertificate) -> dict[str, Any]:
    signed = certificate.content.get("verification", {}).get("url", "")
    return {"number": certificate.number, "verify_url": verify_url_shown(certificate.number, signed=signed),
            "issued_at": certificate.created_at, "envelope": selectors.certificate_envelope(certificate)}


def _json_response(payload: dict[str, Any]) -> HttpResponse:
    """The answer as Ninja would render it, without validating our own output against the response
    schema first: on the check path that validation cost more CPU than the check's rules (the schema
    still documents the answer, and tests hold the two equal)."""
    return HttpResponse(_ENCODER.encode(payload), content_type="application/json; charset=utf-8")


_ENCODER = NinjaJSONEncoder()  # as Ninja's renderer encodes, made once


# --- checks ----------------------------------------------------------------------------------------

@checks_router.post("", response=CheckOut, summary="Check a subject before a matter")
def check_create(request: HttpRequest, body: CheckIn) -> HttpResponse:
    viewer = viewer_for_request(request)
    outcome = checks_perform(requests=[CheckRequest(uscc=body.uscc, rin=body.rin, name=body.name)],
                             matter_code=body.matter, actor=viewer)[0]
    if outcome.error is not None:
        raise outcome.error
    return _json_response(_outcome_out(outcome))


@checks_router.post("/batch", response=CheckBatchOut, summary="Check up to 1,000 subjects before one matter")
def check_batch(request: HttpRequest, body: BatchIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    # The rate limit counts subjects: the request was counted once, its other subjects now.
    api_rate_limit_charge(viewer=viewer, cost=len(body.subjects) - 1)
    outcomes = checks_perform(
        requests=[CheckRequest(uscc=s.uscc, rin=s.rin, name=s.name) for s in body.subjects],
        matter_code=body.matter, actor=viewer,
    )
    results = []
    for i, outcome in enumerate(outcomes):
        item: dict[str, Any] = {"index": i, "uscc": outcome.request.uscc}
        if outcome.error is not None:
            item["error"] = {"code": outcome.error.code, "message": str(outcome.error.message)}
        else:
            item["result"] = _outcome_out(outcome)
        results.append(item)
    failed = sum(1 for o in outcomes if o.error is not None)
    return {"matter": body.matter, "checked": len(outcomes) - failed, "failed": failed, "results": results}


@checks_router.get("/{int:check_id}", response=CheckOut, summary="A check as answered")
def check_detail(request: HttpRequest, check_id: int) -> dict[str, Any]:
    check = selectors.check_visible(check_id=check_id, viewer=viewer_for_request(request))
    return _stored_check_out(check)


@checks_router.post("/{int:check_id}/feedback", response={201: FeedbackOut},
                    summary="Report what the system did after the check")
def check_feedback_create(request: HttpRequest, check_id: int, body: FeedbackIn) -> Status:
    viewer = viewer_for_request(request)
    check = selectors.check_visible(check_id=check_id, viewer=viewer)
    feedback = check_feedback(check=check, measures_applied=body.measures_applied, outcome=body.outcome,
                              note=body.note, actor=viewer)
    return Status(201, {"check_id": check.pk, "measures_applied": feedback.measures_applied,
                        "outcome": feedback.outcome, "note": feedback.note, "reported_at": feedback.created_at})


@checks_router.post("/{int:check_id}/certificate", response={201: CertificateOut},
                    summary="Issue the check's result as a signed certificate")
def check_certificate_create(request: HttpRequest, check_id: int) -> Status:
    viewer = viewer_for_request(request)
    check = selectors.check_visible(check_id=check_id, viewer=viewer)
    return Status(201, _certificate_out(certificate_issue(check=check, actor=viewer)))


# --- measures, matters, statistics, certificates ---------------------------------------------------

@router.get("/measures", response=list[MeasureOut], summary="The list of measures (current versions)")
def measures_list(request: HttpRequest) -> list[dict[str, Any]]:
    viewer_for_request(request)
    return [_measure_out(v) for v in selectors.measures_current()]


# Before /measures/{code}: Django tries URL patterns in order, and {code} would take "dry-run" (then
# answer 405 to the POST, as the path had only a GET).
@router.post("/measures/dry-run", response=DryRunOut, summary="How many subjects a trigger would hit (staff)")
def measure_dry_run_endpoint(request: HttpRequest, body: DryRunIn) -> dict[str, Any]:
    result = measure_dry_run(trigger=body.trigger, actor=viewer_for_request(request))
    return {"trigger": result.trigger, "subjects_scanned": result.subjects_scanned,
            "subjects_hit": result.subjects_hit, "sample": result.sample}


@router.get("/measures/{code}", response=list[MeasureOut], summary="A measure's versions, newest first")
def measure_detail(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    viewer_for_request(request)
    measure = selectors.measure_by_code(code)
    return [_measure_out(v) for v in selectors.measure_versions(measure).select_related("measure")]


@router.post("/measures", response={201: MeasureOut}, summary="Create a measure or give it a new version (staff)")
def measure_create(request: HttpRequest, body: MeasureIn) -> Status:
    viewer = viewer_for_request(request)
    draft = MeasureDraft(
        name=body.name, kind=body.kind, measure_class=body.measure_class, trigger=body.trigger,
        legal_basis=body.legal_basis, department=body.department, effective_from=body.effective_from,
        effective_to=body.effective_to, matter_types=body.matter_types, matter_codes=body.matter_codes,
        content=body.content, is_active=body.is_active,
    )
    version = measure_save(code=body.code, draft=draft, actor=viewer, note=body.note)
    return Status(201, _measure_out(version))


@router.get("/matters", response=list[MatterOut], summary="Registered matters and the measures that apply")
def matters_list(request: HttpRequest) -> list[dict[str, Any]]:
    viewer_for_request(request)
    current = selectors.measures_current()
    out = []
    for matter in selectors.matters_of().order_by("code"):
        codes = [v.measure.code for v in current if v.is_active and (matter.code in v.matter_codes
                                                                     or matter.matter_type in v.matter_types)]
        out.append({"code": matter.code, "name": matter.name, "matter_type": matter.matter_type,
                    "system": matter.system.code, "department": matter.system.department.name,
                    "is_active": matter.is_active, "measures": codes})
    return out


@router.get("/statistics", response=StatisticsOut, summary="Measures hit and applied, by group (staff)")
def statistics_endpoint(
    request: HttpRequest,
    group: Literal["measure", "system", "department", "month", "day"] = "measure",
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, Any]:
    today = clock.today()
    result = selectors.statistics(group=group, date_from=date_from or today.replace(day=1),
                                  date_to=date_to or today, viewer=viewer_for_request(request))
    return {"group": result.group, "date_from": result.date_from, "date_to": result.date_to,
            "checks": result.checks, "decisions": result.decisions,
            "rows": [r.__dict__ for r in result.rows]}


@router.get("/certificates/{number}", response=CertificateOut,
            summary="A check certificate's signed envelope (an organization's: whoever holds the number; a "
                    "person's: the person, the system that made the check, staff)")
def certificate_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _certificate_out(selectors.certificate_for_viewer(number, viewer=api_viewer(request)))
