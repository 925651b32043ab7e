"""The authorization matrix: every page of the URL conf and every operation of the OpenAPI document, asked by
every persona about an object of side A and of side B, against ONE table of rules (``RULES``).

Side A is the personas' own world: person A (the ``person`` login), firm A (the ``agent`` login), source unit A
(the ``operator`` login and the unit's API clients); side B is someone else's (person B, firm B, unit B), with
real objects on both sides — records, repair applications, objections, consents, notices, reports. A rule says
which personas may have an answer about side A and which about side B. The suite fails when

- an endpoint or page has no rule (a new route must say who may use it),
- a persona the rule refuses gets an answer (2xx, or a redirect anywhere but the login page),
- a persona the rule allows gets no answer on a read (own really allowed: the objects are real),
- a body shows a person's name or RIN to a persona not entitled to that person (whatever the rule says).

Writes are sent without a valid body: the matrix proves refusal (no 2xx for a refused persona); what a write
does for those allowed is each app's own tests. Each request runs in a savepoint that is rolled back, so the
order of cases never matters, and the world is built once per module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import Department, User
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import SYSTEM, viewer_for_user
from gongxin.api import api
from gongxin.core import clock

# --------------------------------------------------------------------------------------------------------------
# Personas and groups
# --------------------------------------------------------------------------------------------------------------

USERS = ("anon", "public", "person", "agent", "operator", "staff", "auditor", "admin")
CLIENTS = ("c_none", "c_public", "c_share", "c_write", "c_subjects", "c_catalog", "lender")
PERSONAS = USERS + CLIENTS

ALL = frozenset(PERSONAS)
NOBODY: frozenset[str] = frozenset()
SIGNED_IN = frozenset(USERS) - {"anon"}
CALLERS = ALL - {"anon"}
API_CLIENTS = frozenset(CLIENTS)
OFFICE = frozenset({"staff", "auditor", "admin"})
STAFF = frozenset({"staff", "admin"})
GOV = OFFICE | {"operator"}
SUBJECTS = frozenset({"person", "agent"})
UNIT_A = frozenset({"operator", "c_write"})

# Who may see a person's name and plain RIN anywhere (the disclosure policy's self, staff, audit and sharing).
NAME_SEEN_BY = {"person_a": {"person"} | OFFICE | {"operator", "c_share", "lender"},
                "person_b": OFFICE | {"operator", "c_share", "lender"}}  # the lender holds both persons' consents
RIN_SEEN_BY = {"person_a": {"person"} | OFFICE, "person_b": OFFICE}


@dataclass(frozen=True)
class Rule:
    """Who may have an answer: ``a`` about side A's object (or the endpoint without objects), ``b`` about side
    B's. ``query`` is sent with reads (``{param}`` filled from the side). ``xfail`` names a known defect
    another change fixes."""

    a: frozenset[str]
    b: frozenset[str] | None = None
    query: dict[str, str] = field(default_factory=dict)
    read_must_answer: bool = True
    xfail: str = ""


def R(a: frozenset[str] | set[str], b: frozenset[str] | set[str] | None = None, **kwargs: Any) -> Rule:
    return Rule(frozenset(a), frozenset(b) if b is not None else None, **kwargs)


# --------------------------------------------------------------------------------------------------------------
# THE TABLE: one entry per page route and per API operation
# --------------------------------------------------------------------------------------------------------------

PAGES: dict[str, Rule] = {
    "GET accounts/login/": R(ALL),
    "GET accounts/logout/": R(ALL, read_must_answer=False),  # POST only (405 to a GET)
    "GET i18n/setlang/": R(ALL, read_must_answer=False),
    # The signed-in viewer's own things: an empty page for a login that is no subject.
    "GET me/": R(SIGNED_IN),
    "GET me/inquiries/": R(SIGNED_IN),
    "GET me/consents/": R(SIGNED_IN),
    # A login that is no subject gets the page saying so (200), never a revocation.
    "POST me/consents/<int:consent_id>/revoke/": R({"person", "public", "operator"} | OFFICE,
                                                   {"public", "operator"} | OFFICE),
    "GET ingest/": R(GOV),
    "GET ingest/batches/<int:batch_id>/": R(NOBODY),
    "GET ingest/batches/<int:batch_id>/errors.csv": R(NOBODY),
    "GET ingest/quality/": R(GOV),
    "GET notices/": R(SIGNED_IN),
    "POST notices/<int:notice_id>/read/": R({"person"}, NOBODY),
    "POST notices/read-all/": R(SIGNED_IN),
    "GET objections/": R(SIGNED_IN),
    "GET objections/file/": R(SUBJECTS, read_must_answer=False),
    "GET objections/workbench/": R(OFFICE),
    "GET objections/tasks/": R(SIGNED_IN),  # the viewer's unit's tasks: none for other logins
    "GET objections/<int:objection_id>/": R({"agent"} | OFFICE, OFFICE),
    "POST objections/<int:objection_id>/accept/": R(STAFF),
    "POST objections/<int:objection_id>/reject/": R(STAFF),
    "POST objections/<int:objection_id>/forward/": R(STAFF),
    "POST objections/<int:objection_id>/extend/": R(STAFF),
    "POST objections/<int:objection_id>/request-extension/": R({"operator"}, NOBODY),
    "POST objections/<int:objection_id>/decide/": R({"operator"}, NOBODY),
    "POST objections/<int:objection_id>/review/": R({"agent"}, NOBODY),
    "GET objections/<int:objection_id>/evidence/<int:evidence_id>/": R(NOBODY),
    "GET repairs/": R(SUBJECTS),
    "GET repairs/apply/": R(SUBJECTS, read_must_answer=False),
    "GET repairs/<int:repair_id>/": R({"agent", "operator"} | OFFICE, OFFICE),
    "POST repairs/<int:repair_id>/withdraw/": R({"agent"}, NOBODY),
    "GET repairs/<int:repair_id>/evidence/<int:evidence_id>/": R(NOBODY),
    "GET repairs/workbench/": R({"operator"} | OFFICE),
    "GET repairs/workbench/<int:repair_id>/": R({"agent", "operator"} | OFFICE, OFFICE),  # form: deciders only
    "GET rewards/": R(STAFF),
    "GET rewards/measures/new/": R(STAFF),
    "GET rewards/measures/<str:code>/": R(NOBODY),
    "GET rewards/measures/<str:code>/edit/": R(NOBODY),
    "GET rewards/dry-run/": R(STAFF),
    "GET rewards/registry/": R(STAFF),
    "GET rewards/checks/": R(STAFF),
    "GET rewards/checks/<int:check_id>/": R(NOBODY),
    "GET rewards/statistics/": R(STAFF),
    "GET rewards/certificates/<str:number>/": R(NOBODY),
    "GET rewards/certificates/<str:number>/json": R(NOBODY),
    "GET sharing/": R({"operator"} | STAFF),
    "GET sharing/<int:subscription_id>/": R(NOBODY),
    "GET scoring/": R(OFFICE),
    "GET scoring/models/<int:model_id>/": R(OFFICE),
    "GET scoring/subjects/<int:subject_id>/": R({"person", "operator"} | OFFICE, {"operator"} | OFFICE),
    "GET scoring/me/": R(SUBJECTS),
    "GET scoring/partners/": R(ALL),
    "GET monitoring/": R(OFFICE),
    "GET monitoring/scorecards/<int:scorecard_id>/": R(NOBODY),
    "GET monitoring/alerts/": R(OFFICE),
    "GET monitoring/alerts/<int:alert_id>/": R(NOBODY),
    "GET monitoring/subjects/<int:subject_id>/": R(NOBODY),  # organizations only; the ids here are persons
    "POST monitoring/subjects/<int:subject_id>/watch/": R(NOBODY),
    "GET monitoring/watches/": R(OFFICE),
    "POST monitoring/watches/<int:watch_id>/remove/": R(NOBODY),
    "GET commitments/": R(SUBJECTS | GOV),  # officials are sent on to their workbench
    "GET commitments/sign/": R(SUBJECTS, read_must_answer=False),
    "GET commitments/<int:commitment_id>/": R(NOBODY),
    "GET commitments/workbench/": R({"operator"} | OFFICE),
    "GET commitments/workbench/<int:commitment_id>/": R(NOBODY),
    "GET commitments/statistics/": R({"operator"} | OFFICE),
    "GET benefits/": R(SUBJECTS),
    "POST benefits/<slug:code>/authorize/": R(NOBODY),
    "GET benefits/statistics/": R(OFFICE),
    "GET lending/": R({"agent"}),
    "POST lending/authorize/": R(NOBODY),
    "POST lending/authorizations/<int:authorization_id>/revoke/": R(NOBODY),
    "GET lending/statistics/": R(OFFICE),
    "GET lending/fund/": R(OFFICE),
    "POST lending/fund/claims/<int:loan_id>/": R(NOBODY),
    "GET .well-known/gongxin-signing-key.json": R(ALL),
    "GET .well-known/gongxin-signing-key.pem": R(ALL),
    "POST reports/issue/": R(NOBODY),
    "GET reports/<str:number>/": R({"person"} | STAFF, STAFF),
    "GET reports/<str:number>/pdf": R({"person"} | STAFF, STAFF),
    "GET reports/<str:number>/json": R({"person"} | STAFF, STAFF),
    "GET verify/": R(ALL),
    "GET verify/<str:number>/": R(ALL),
    "GET ": R(ALL),
    "GET search/": R(ALL),
    "GET org/<str:uscc>/": R(ALL),
    "GET publicity/": R(ALL),
    "GET workbench/": R(GOV),
    "GET card/<str:uscc>/": R(ALL),
    "GET card/<str:uscc>/qr.svg": R(ALL),
    "GET card/<str:uscc>/qr.png": R(ALL),
}

OPERATIONS: dict[str, Rule] = {
    "GET /health": R(ALL),
    "POST /checks": R(NOBODY),
    "POST /checks/batch": R(NOBODY),
    "GET /checks/{check_id}": R(NOBODY),
    "POST /checks/{check_id}/feedback": R(NOBODY),
    "POST /checks/{check_id}/certificate": R(NOBODY),
    "GET /catalog/items": R(ALL),
    "GET /catalog/items/{code}": R(NOBODY),
    "GET /catalog/source-units": R(ALL),
    "GET /catalog/policies": R(ALL, read_must_answer=False),
    "GET /subjects": R(ALL, query={"q": "贸易"}),
    "GET /subjects/{uscc}": R(ALL),
    "GET /records": R(ALL, query={"subject": "{uscc}"}),
    "POST /records": R(NOBODY),
    "GET /records/mine": R(SUBJECTS),
    "GET /records/{record_id}": R(ALL),
    "GET /records/{record_id}/versions": R(STAFF),
    "POST /records/{record_id}/revoke": R(NOBODY),
    "POST /consents": R(NOBODY),
    "GET /consents": R(SUBJECTS),
    "GET /consents/received": R(CALLERS, read_must_answer=False),
    "POST /consents/{consent_id}/revoke": R({"person"} | STAFF, STAFF),
    "POST /consents/query": R(NOBODY),
    "GET /inquiries": R(SUBJECTS | OFFICE, read_must_answer=False),
    "POST /reports": R(NOBODY),
    "GET /reports/mine": R(SUBJECTS),
    "GET /reports/{number}.pdf": R({"person"} | STAFF, STAFF),
    "GET /reports/{number}.html": R({"person"} | STAFF, STAFF),
    "GET /reports/{number}/verification": R(ALL),
    "POST /reports/{number}/revoke": R(STAFF),
    "GET /reports/{number}": R({"person"} | STAFF, STAFF),
    "GET /listings/publicity": R(ALL),
    "POST /ingest/batches": R(NOBODY),
    "GET /ingest/batches": R(ALL),  # the caller's unit's batches: an empty page for everyone else
    "GET /ingest/batches/{batch_id}": R(NOBODY),
    "GET /ingest/batches/{batch_id}/issues": R(NOBODY),
    "GET /ingest/batches/{batch_id}/errors.csv": R(NOBODY),
    "POST /ingest/push": R(NOBODY),
    "GET /ingest/quality": R(GOV | API_CLIENTS),  # figures of the caller's own department
    "GET /notices": R(SUBJECTS),
    "POST /notices/{notice_id}/read": R({"person"}, NOBODY),
    "POST /objections": R(NOBODY),
    "GET /objections": R(CALLERS),  # the caller's own: none for a caller that is no subject
    "POST /objections/{objection_id}/evidence": R(NOBODY),
    "GET /objections/queue": R(OFFICE),
    "GET /objections/tasks": R(CALLERS),  # the caller's unit's tasks: none for others
    "GET /objections/{objection_id}": R({"agent"} | OFFICE, OFFICE),
    "POST /objections/{objection_id}/accept": R(STAFF),
    "POST /objections/{objection_id}/reject": R(NOBODY),
    "POST /objections/{objection_id}/forward": R(NOBODY),
    "POST /objections/{objection_id}/extend": R(NOBODY),
    "POST /objections/{objection_id}/extension-request": R(NOBODY),
    "POST /objections/{objection_id}/decide": R(NOBODY),
    "POST /objections/{objection_id}/review": R(NOBODY),
    "GET /repairs/eligibility": R({"agent"}, NOBODY, query={"record": "{record_id}"}),
    "POST /repairs": R(NOBODY),
    "GET /repairs": R(SUBJECTS | UNIT_A | OFFICE),
    "POST /repairs/multipart": R(NOBODY),
    "GET /repairs/{repair_id}": R({"agent"} | UNIT_A | OFFICE, OFFICE),
    "POST /repairs/{repair_id}/decision": R(NOBODY),
    "POST /repairs/{repair_id}/withdraw": R({"agent"}, NOBODY),
    "GET /rewards/measures": R(CALLERS),
    "POST /rewards/measures": R(NOBODY),
    "POST /rewards/measures/dry-run": R(NOBODY),
    "GET /rewards/measures/{code}": R(NOBODY),
    "GET /rewards/matters": R(CALLERS),
    "GET /rewards/statistics": R(STAFF),
    "GET /rewards/certificates/{number}": R(NOBODY),
    "POST /sharing/subscriptions": R(NOBODY),
    "GET /sharing/subscriptions": R(CALLERS),  # the caller's own (its unit's, all for staff): none for others
    "GET /sharing/subscriptions/{subscription_id}": R(NOBODY),
    "PATCH /sharing/subscriptions/{subscription_id}": R(NOBODY),
    "DELETE /sharing/subscriptions/{subscription_id}": R(NOBODY),
    "POST /sharing/subscriptions/{subscription_id}/subjects": R(NOBODY),
    "POST /sharing/subscriptions/{subscription_id}/secret": R(NOBODY),
    "POST /sharing/subscriptions/{subscription_id}/replay": R(NOBODY),
    "GET /sharing/subscriptions/{subscription_id}/deliveries": R(NOBODY),
    "GET /sharing/changes": R(API_CLIENTS, read_must_answer=False),
    # Both persons consented to the lender (authorized purpose); government sharing; the person itself.
    "GET /scoring/subjects/{subject_id}": R({"person", "operator", "c_share", "lender"} | OFFICE,
                                            {"operator", "c_share", "lender"} | OFFICE),
    "GET /scoring/models": R(CALLERS),
    "GET /scoring/models/{model_id}": R(CALLERS),
    "GET /scoring/models/{model_id}/simulation": R(OFFICE),
    "POST /scoring/models/{model_id}/draft": R(STAFF),
    "POST /scoring/models/{model_id}/activate": R(NOBODY),
    "GET /scoring/runs": R(OFFICE),
    "POST /scoring/runs": R(STAFF),
    "GET /scoring/supervision/fields": R(GOV | {"c_share"}),
    "GET /scoring/supervision/{field_code}/classes": R(GOV | {"c_share"}),
    "GET /scoring/supervision/{field_code}/sample": R(GOV | {"c_share"}, query={"seed": "matrix"}),
    "PUT /scoring/supervision/{field_code}/rules/{grade}": R(NOBODY),
    "GET /scoring/partners": R(ALL),
    "GET /scoring/partners/{code}/translate": R(NOBODY, query={"score": "700"}),
    "GET /monitoring/scorecards": R(OFFICE),
    "GET /monitoring/scorecards/{scorecard_id}": R(NOBODY),
    "POST /monitoring/scorecards/{scorecard_id}/activate": R(NOBODY),
    "GET /monitoring/alerts": R(OFFICE),
    "GET /monitoring/alerts/{alert_id}": R(NOBODY),
    "POST /monitoring/alerts/{alert_id}/acknowledge": R(NOBODY),
    "POST /monitoring/alerts/{alert_id}/close": R(NOBODY),
    "GET /monitoring/subjects/{subject_id}/risk": R(NOBODY),  # organizations only; the ids here are persons
    "GET /monitoring/watches": R(OFFICE),
    "POST /monitoring/watches": R(NOBODY),
    "DELETE /monitoring/watches/{watch_id}": R(NOBODY),
    "GET /commitments/types": R(ALL),
    "GET /commitments/eligibility": R(NOBODY, read_must_answer=False),
    "POST /commitments/eligibility": R(NOBODY),
    "POST /commitments": R(NOBODY),
    "GET /commitments": R(SUBJECTS | UNIT_A | OFFICE, read_must_answer=False),
    "GET /commitments/statistics": R(UNIT_A | OFFICE),
    "GET /commitments/{commitment_id}": R(NOBODY),
    "POST /commitments/{commitment_id}/fulfil": R(NOBODY),
    "POST /commitments/{commitment_id}/breach": R(NOBODY),
    "POST /commitments/payouts": R(NOBODY),
    "GET /benefits/scenarios": R(ALL),
    "POST /benefits/scenarios/{code}/eligibility": R(NOBODY),
    "POST /benefits/scenarios/{code}/usages": R(NOBODY),
    "POST /benefits/scenarios/{code}/usages/{reference}/end": R(NOBODY),
    "POST /benefits/scenarios/{code}/usages/{reference}/default": R(NOBODY),
    "GET /benefits/mine": R(CALLERS),  # the caller's own benefits: nothing for a caller that is no person
    "GET /benefits/statistics": R(OFFICE),
    "GET /lending/lenders": R(ALL),
    "GET /lending/data-items": R(ALL),
    "GET /lending/authorizations": R({"agent"}),
    "POST /lending/authorizations": R(NOBODY),
    "POST /lending/authorizations/{authorization_id}/revoke": R(NOBODY),
    "GET /lending/pulls": R({"agent"}),
    "POST /lending/profiles": R(NOBODY),
    "GET /lending/profiles/{code}": R({"lender"}),  # an unknown or unauthorized firm: an empty answer
    "POST /lending/loans": R(NOBODY),
    "POST /lending/loans/{reference}/decision": R(NOBODY),
    "POST /lending/loans/{reference}/repaid": R(NOBODY),
    "POST /lending/loans/{reference}/default": R(NOBODY),
    "GET /lending/fund": R(OFFICE),
    "POST /lending/fund/contributions": R(NOBODY),
    "POST /lending/fund/claims": R(NOBODY),
    "GET /lending/statistics": R(OFFICE),
}


# --------------------------------------------------------------------------------------------------------------
# The routes, generated
# --------------------------------------------------------------------------------------------------------------

API_PREFIX = "/api/v1"
NOT_PAGES = ("api/", "admin/")  # the API is the OpenAPI document's; Django's admin is is_staff-only (below)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _page_methods(callback: Any) -> list[str]:
    """GET for pages, POST for views that take only POST (``require_POST`` keeps ``["POST"]`` in a closure of one
    of the wrappers)."""
    view = callback
    while view is not None:
        cells = [c.cell_contents for c in (getattr(view, "__closure__", None) or ())]
        if ["POST"] in cells:
            return ["POST"]
        view = getattr(view, "__wrapped__", None)
    return ["GET"]


def page_routes() -> list[str]:
    routes = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(NOT_PAGES):
            continue
        for method in _page_methods(callback):
            routes.append(f"{method} {route}")
    return routes


def api_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return [f"{method.upper()} {path.removeprefix(API_PREFIX)}"
            for path, operations in schema["paths"].items() for method in operations]


# --------------------------------------------------------------------------------------------------------------
# The world: side A and side B, built once through the apps' services
# --------------------------------------------------------------------------------------------------------------

PERSON_A_NAME = "柯遥岑"
PERSON_B_NAME = "萧远峤"
MISSING = "987654321"


@dataclass
class World:
    params: dict[str, tuple[str, str]]
    sessions: dict[str, dict[str, str]]  # persona -> extra request headers
    logins: dict[str, User]
    rins: dict[str, str]


def _user(username: str, role: str, **kwargs: Any) -> User:
    return User.objects.create_user(username=username, password="x", role=role, **kwargs)


def world_build() -> World:
    from gongxin.access.consents import consent_grant
    from gongxin.catalog.models import CatalogItem
    from gongxin.catalog.seed import catalog_seed
    from gongxin.notices.services import notice_send
    from gongxin.objections.services import objection_file
    from gongxin.portal.tests import factories
    from gongxin.records.models import ListType
    from gongxin.records.seed import list_types_seed
    from gongxin.repairs.services import repair_apply
    from gongxin.reports.services import report_issue
    from gongxin.scoring.models import ScoringModel
    from gongxin.scoring.seed import scoring_seed
    from gongxin.scoring.services import scores_run
    from gongxin.subjects.identifiers import rin_generate
    from gongxin.subjects.services import person_register

    if not CatalogItem.objects.exists():
        catalog_seed()
    if not ListType.objects.exists():
        list_types_seed()
    if not ScoringModel.objects.exists():
        scoring_seed()
    from gongxin.catalog.models import Policy
    from gongxin.repairs.seed import repair_policies_seed

    if not Policy.objects.filter(kind="repair").exists():
        repair_policies_seed()

    unit_a = factories.source_unit_create(code="MX-SCJG", name="矩阵市场监管局")
    unit_b = factories.source_unit_create(code="MX-STHJ", name="矩阵生态环境局", domain="ecology")
    firm_a = factories.organization_create(name="矩阵甲贸易有限公司")
    firm_b = factories.organization_create(name="矩阵乙贸易有限公司")
    rin_a = rin_generate(area="330203", birth_date=date(1988, 2, 3), sequence=517)
    rin_b = rin_generate(area="330203", birth_date=date(1979, 6, 7), sequence=623)
    person_a = person_register(rin=rin_a, name=PERSON_A_NAME, region_code="330203", actor_label="tests")
    person_b = person_register(rin=rin_b, name=PERSON_B_NAME, region_code="330203", actor_label="tests")
    decided = clock.today() - timedelta(days=200)
    record_a = factories.penalty_create(subject=firm_a, source_unit=unit_a, decided=decided)
    record_b = factories.penalty_create(subject=firm_b, source_unit=unit_b, decided=decided)
    factories.penalty_create(subject=person_a, source_unit=unit_a, decided=decided)
    factories.penalty_create(subject=person_b, source_unit=unit_b, decided=decided)
    scores_run(actor=SYSTEM)

    logins = {
        "public": _user("mx-public", Role.PUBLIC),
        "person": _user("mx-person", Role.PERSON, subject=person_a),
        "agent": _user("mx-agent", Role.ORG_AGENT, subject=firm_a),
        "operator": _user("mx-operator", Role.OPERATOR, department=unit_a.department),
        "staff": _user("mx-staff", Role.STAFF),
        "auditor": _user("mx-auditor", Role.AUDITOR),
        "admin": User.objects.create_superuser(username="mx-admin", password="x"),
    }
    person_b_user = _user("mx-person-b", Role.PERSON, subject=person_b)
    agent_b = _user("mx-agent-b", Role.ORG_AGENT, subject=firm_b)

    bank = Department.objects.create(code="MX-BANK", name="矩阵银行", region_code="330200")
    keys: dict[str, str] = {}
    for persona, department, scopes in (
        ("c_none", unit_a.department, []),
        ("c_public", unit_a.department, [Scope.RECORDS_READ_PUBLIC]),
        ("c_share", unit_a.department, [Scope.RECORDS_SHARE]),
        ("c_write", unit_a.department, [Scope.RECORDS_WRITE]),
        ("c_subjects", unit_a.department, [Scope.SUBJECTS_READ]),
        ("c_catalog", unit_a.department, [Scope.CATALOG_READ]),
        ("lender", bank, []),
    ):
        client, keys[persona] = api_client_create(name=f"矩阵{persona}", department=department, scopes=scopes,
                                                  rate_limit_per_minute=1_000_000)
        if persona == "lender":
            from gongxin.lending.models import Lender

            Lender.objects.create(code="mxbank", name="矩阵银行", client=client)

    repair_a = repair_apply(record=record_a, actor=viewer_for_user(logins["agent"]), statement="罚款已缴清。",
                            commitment_accepted=True, commitment_signer="甲经办")
    repair_b = repair_apply(record=record_b, actor=viewer_for_user(agent_b), statement="罚款已缴清。",
                            commitment_accepted=True, commitment_signer="乙经办")
    objection_a = objection_file(record=record_a, ground="wrong_text", description="文书有误。",
                                 actor=viewer_for_user(logins["agent"]))
    objection_b = objection_file(record=record_b, ground="wrong_text", description="文书有误。",
                                 actor=viewer_for_user(agent_b))
    lender_client = Lender.objects.get(code="mxbank").client
    until = clock.now() + timedelta(days=30)
    consent_a = consent_grant(subject=person_a, grantee_client=lender_client, purpose="贷款审查", scope=[],
                              valid_until=until, actor=viewer_for_user(logins["person"]))
    consent_b = consent_grant(subject=person_b, grantee_client=lender_client, purpose="贷款审查", scope=[],
                              valid_until=until, actor=viewer_for_user(person_b_user))
    notice_a = notice_send(subject=person_a, code="matrix", title="通知", body="正文")
    notice_b = notice_send(subject=person_b, code="matrix", title="通知", body="正文")
    report_a = report_issue(subject=person_a, kind="person", viewer=viewer_for_user(logins["person"]), purpose="self")
    report_b = report_issue(subject=person_b, kind="person", viewer=viewer_for_user(person_b_user), purpose="self")
    model = ScoringModel.objects.filter(status="active").first()

    def both(value: Any) -> tuple[str, str]:
        return str(value), str(value)

    params = {
        "subject_id": (str(person_a.pk), str(person_b.pk)),
        "record_id": (str(record_a.pk), str(record_b.pk)),
        "uscc": (firm_a.organization.uscc, firm_b.organization.uscc),
        "repair_id": (str(repair_a.pk), str(repair_b.pk)),
        "objection_id": (str(objection_a.pk), str(objection_b.pk)),
        "consent_id": (str(consent_a.pk), str(consent_b.pk)),
        "notice_id": (str(notice_a.pk), str(notice_b.pk)),
        "number": (report_a.number, report_b.number),
        "model_id": both(model.pk if model else MISSING),
        "field_code": both("market_regulation"),
        "grade": both("A"),
    }
    sessions = {persona: {"HTTP_X_API_KEY": key} for persona, key in keys.items()}
    return World(params=params, sessions=sessions, logins=logins, rins={"person_a": rin_a, "person_b": rin_b})


# --------------------------------------------------------------------------------------------------------------
# Asking
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield world_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def browsers(world: World) -> dict[str, Client]:
    clients: dict[str, Client] = {"anon": Client()}
    for persona, user in world.logins.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    for persona, headers in world.sessions.items():
        clients[persona] = Client(**headers)
    return clients


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def _fill(template: str, side: int, world: World) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return world.params.get(name, (MISSING, MISSING))[side]

    return PARAM.sub(value, template)


def _answered(status: int, location: str, *, page_write: bool = False) -> bool:
    """An answer: 2xx, or (reads) a redirect anywhere but to the login page (a page's refusal to the anonymous).
    A page's form post redirects after success and after a refusal shown as a message alike: only 2xx counts."""
    if 200 <= status < 300:
        return True
    return not page_write and 300 <= status < 400 and "/accounts/login/" not in location


def _ask(client: Client, method: str, path: str, query: dict[str, str]) -> Any:
    with transaction.atomic():
        if method == "GET":
            response = client.get(path, query)
        else:
            response = client.generic(method, path, "{}", content_type="application/json")
        transaction.set_rollback(True)
    return response


def _leaks(persona: str, body: str, world: World) -> list[str]:
    found = []
    for who, name in (("person_a", PERSON_A_NAME), ("person_b", PERSON_B_NAME)):
        if name in body and persona not in NAME_SEEN_BY[who]:
            found.append(f"{who}'s name")
        if world.rins[who] in body and persona not in RIN_SEEN_BY[who]:
            found.append(f"{who}'s RIN")
    return found


def _check(key: str, rule: Rule, path_template: str, world: World, browsers: dict[str, Client]) -> list[str]:
    method = key.split(" ", 1)[0]
    has_object = PARAM.search(path_template) is not None
    problems = []
    for side in (0, 1) if has_object else (0,):
        allowed = rule.a if side == 0 or rule.b is None else rule.b
        path = _fill(path_template, side, world)
        query = {k: _fill(v, side, world) for k, v in rule.query.items()}
        for persona in PERSONAS:
            response = _ask(browsers[persona], method, path, query)
            status = response.status_code
            page_write = method != "GET" and not path.startswith(API_PREFIX)
            answered = _answered(status, response.get("Location", ""), page_write=page_write)
            label = f"{persona} {'AB'[side]}: {method} {path} -> {status}"
            if persona not in allowed and answered:
                problems.append(f"LEAK {label} (refused by the rule, answered)")
            if (persona in allowed and method == "GET" and rule.read_must_answer and not answered):
                problems.append(f"DENIED {label} (allowed by the rule, not answered)")
            body = b"" if response.streaming else response.content
            for leak in _leaks(persona, body.decode("utf-8", "replace"), world):
                problems.append(f"LEAK {label}: {leak} in the body")
    return problems


def _case_id(key: str) -> str:
    return key


@pytest.mark.django_db
def test_every_route_has_a_rule() -> None:
    pages, operations = set(page_routes()), set(api_operations())
    assert sorted(pages - set(PAGES)) == [], "pages without a rule in PAGES"
    assert sorted(operations - set(OPERATIONS)) == [], "API operations without a rule in OPERATIONS"
    assert sorted(set(PAGES) - pages) == [], "rules for pages that no longer exist"
    assert sorted(set(OPERATIONS) - operations) == [], "rules for API operations that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(PAGES), ids=_case_id)
def test_page(key: str, world: World, browsers: dict[str, Client]) -> None:
    rule = PAGES[key]
    if rule.xfail:
        pytest.xfail(rule.xfail)
    _method, route = key.split(" ", 1)
    problems = _check(key, rule, "/" + route, world, browsers)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=_case_id)
def test_api_operation(key: str, world: World, browsers: dict[str, Client]) -> None:
    rule = OPERATIONS[key]
    if rule.xfail:
        pytest.xfail(rule.xfail)
    _method, route = key.split(" ", 1)
    problems = _check(key, rule, API_PREFIX + route, world, browsers)
    assert problems == [], "\n".join(problems)
