"""The authorization matrix: every page of the URL conf and every operation of the OpenAPI document, asked by
every persona about an object of side A and of side B, against ONE table of rules (``RULES``).

Side A is the personas' own world: person A (the ``person`` login), firm A (the ``agent`` login), source unit A
(the ``operator`` login and the unit's API clients); side B is someone else's (person B, firm B, unit B, a second
business system, lender, benefit provider and staff member), with real objects of every kind on both sides, made by
the owning apps' services: records, repair applications, objections and their evidence, consents, notices,
reports, ingest batches, checks, commitments, subscriptions, watches and alerts, lender authorizations and loans,
benefit usages. A rule says which personas may have an answer about side A and which about side B. The suite
fails when

- an endpoint or page has no rule (a new route must say who may use it),
- a persona the rule refuses gets an answer: on a read 2xx or a redirect anywhere but the login page; on an API
  write sent with a body its schema accepts (generated from the OpenAPI document), anything but 401/403/404/405
  (a business rule's 400/409/422 says it got past the door); on a page's form post a 2xx or a redirect carrying a
  success message (the messages framework tells success from refusal; both redirect),
- a persona the rule allows gets no answer on a read, is stopped at the door (401/403/404/405) on an API write,
  or (API writes with a JSON body) does not reach validation (422 ``validation_failed``) with an invalid body,
- a body shows a person's name, RIN or masked RIN to a persona not entitled to that person (whatever the rule).

Each request runs in a savepoint that is rolled back, so the order of cases never matters, and the world is built
once per module. Limits, each named in its rule: multipart uploads are sent as JSON (``door_after_validation``);
a few page posts answer refusal and success alike (``silent``); empty page forms are refused by their validation,
so for some deciders the page proves refusal only (``write_must_pass=False``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.messages import constants, get_messages
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
NAME_SEEN_BY = {"person_a": {"person"} | OFFICE | {"operator", "c_share", "lender", "c_none"},
                "person_b": OFFICE | {"operator", "c_share", "lender"}}  # the lender holds both persons' consents, the
# benefit provider of side A (c_none) person A's
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
    use: dict[str, str] = field(default_factory=dict)  # a path parameter filled from another of the world's
    body: dict[str, Any] | None = None  # an API write's valid body where the one generated from its schema fails
    write_must_pass: bool = True
    silent: str = ""  # a page post that cannot be told apart from outside: why, and what proves its door instead
    door_after_validation: str = ""  # an API write whose body is validated before the door (422 to all): why


def R(a: frozenset[str] | set[str], b: frozenset[str] | set[str] | None = None, **kwargs: Any) -> Rule:
    return Rule(frozenset(a), frozenset(b) if b is not None else None, **kwargs)


USAGE = {"code": "scenario", "reference": "usage"}
PROVIDER_A = frozenset({"c_none", "operator"})  # side A's benefit provider: unit A's client and its users
LOAN = {"reference": "loan"}
NOT_FORWARDED = frozenset({"admin"})  # the objections are not yet forwarded: unit A's operator does not see them yet
MULTIPART = "a multipart upload: the matrix sends JSON, which its parsing refuses (422) before the door"
SILENT = "answers a refusal and success alike (back to the inbox, no message); POST /notices/{id}/read proves the door"

# --------------------------------------------------------------------------------------------------------------
# THE TABLE: one entry per page route and per API operation
# --------------------------------------------------------------------------------------------------------------

PAGES: dict[str, Rule] = {
    "GET accounts/login/": R(ALL),
    "GET accounts/logout/": R(ALL, read_must_answer=False),  # POST only (405 to a GET)
    # The second factor's steps answer every login (persons and firms are sent on: they need none).
    "GET accounts/second-factor/": R(ALL, read_must_answer=False),
    "GET accounts/second-factor/enrol/": R(ALL, read_must_answer=False),
    "GET accounts/reauthenticate/": R(SIGNED_IN),
    # Firm agents: the page of every login (its own firms, mandates, invitation); an invitation code is a person's;
    # no login of the matrix is a firm's registered legal representative, and the mandates' ids are not its world.
    "GET accounts/agents/": R(SIGNED_IN),
    "POST accounts/agents/invitation/": R({"person"}),
    "POST accounts/agents/<int:organization_id>/authorize/": R(NOBODY),
    "POST accounts/agents/mandates/<int:mandate_id>/revoke/": R(NOBODY),
    "POST accounts/agents/mandates/<int:mandate_id>/act/": R(NOBODY),
    "POST accounts/agents/act/stop/": R(SIGNED_IN, silent="back to the agents page, no message, for everyone: "
                                                          "it only drops the session's choice of firm"),
    # Unified identity: open to everyone; off in the matrix's world (no provider: 404 to all), else the
    # provider's redirect and its answer (tested against a real provider in identity/tests).
    "GET identity/login/": R(ALL, read_must_answer=False),
    "GET identity/callback/": R(ALL, read_must_answer=False),
    "GET i18n/setlang/": R(ALL, read_must_answer=False),
    "GET favicon.ico": R(ALL, read_must_answer=False),  # a redirect to the icon in static files
    # The exchange audit (decision 069): the credit office's oversight read.
    "GET exchange/audit/": R(OFFICE),
    # The exchange peers (decision 066): the office reads this node and its peers; its deciders register a peer.
    "GET exchange/peers/": R(OFFICE),
    # The signed-in viewer's own things: an empty page for a login that is no subject.
    "GET me/": R(SIGNED_IN),
    "GET me/inquiries/": R(SIGNED_IN),
    "GET me/consents/": R(SIGNED_IN),
    "GET me/consents/requesters/": R(SUBJECTS),  # the grant form's search: departments by name, for subjects
    # A login that is no subject gets the page saying so (200), never a revocation.
    "POST me/consents/<int:consent_id>/revoke/": R({"person", "public", "operator"} | OFFICE,
                                                   {"public", "operator"} | OFFICE),
    "GET ingest/": R(GOV),
    "GET ingest/batches/<int:batch_id>/": R(GOV, OFFICE),
    "GET ingest/batches/<int:batch_id>/errors.csv": R(GOV, OFFICE),
    "GET ingest/quality/": R(GOV),
    # A snapshot's decision: refused and allowed alike go back to the batch page with a message (the world's batch
    # awaits no decision); the API's operations prove the door.
    "POST ingest/batches/<int:batch_id>/confirm/": R(GOV, OFFICE, silent="back to the batch page with a message"),
    "POST ingest/batches/<int:batch_id>/cancel/": R(GOV, OFFICE, silent="back to the batch page with a message"),
    "GET ingest/templates/<slug:item_code>/": R(GOV),
    "GET ingest/templates/<slug:item_code>.csv": R(GOV),
    "GET ingest/templates/<slug:item_code>.xlsx": R(GOV),
    "GET notices/": R(SIGNED_IN),
    "POST notices/<int:notice_id>/read/": R({"person"}, NOBODY, silent=SILENT),
    "POST notices/read-all/": R(SIGNED_IN, silent=SILENT),
    "GET objections/": R(SIGNED_IN),
    "GET objections/file/": R(SUBJECTS, read_must_answer=False),
    "GET objections/workbench/": R(OFFICE),
    "GET objections/tasks/": R(SIGNED_IN),  # the viewer's unit's tasks: none for other logins
    "GET objections/<int:objection_id>/": R({"agent"} | OFFICE, OFFICE),
    "POST objections/<int:objection_id>/accept/": R(STAFF),
    # An empty form is refused by its own validation, with an error message like a refusal's: for the deciders
    # these prove refusal only (the API operations prove they pass the door).
    "POST objections/<int:objection_id>/reject/": R(STAFF, write_must_pass=False),
    "POST objections/<int:objection_id>/forward/": R(STAFF, write_must_pass=False),
    "POST objections/<int:objection_id>/extend/": R(STAFF, write_must_pass=False),
    "POST objections/<int:objection_id>/request-extension/": R(NOBODY),  # not yet forwarded to unit A
    "POST objections/<int:objection_id>/decide/": R(NOBODY),  # not yet forwarded to unit A
    "POST objections/<int:objection_id>/review/": R({"agent"}, NOBODY, write_must_pass=False),  # not yet decided
    "GET objections/<int:objection_id>/evidence/<int:evidence_id>/": R({"agent"} | OFFICE, OFFICE),
    "GET repairs/": R(SUBJECTS),
    "GET repairs/apply/": R(SUBJECTS, read_must_answer=False),
    "GET repairs/<int:repair_id>/": R({"agent", "operator"} | OFFICE, OFFICE),
    "POST repairs/<int:repair_id>/withdraw/": R({"agent"}, NOBODY),
    "GET repairs/<int:repair_id>/evidence/<int:evidence_id>/": R({"agent", "operator"} | OFFICE, OFFICE,
                                                                 use={"evidence_id": "repair_evidence_id"}),
    "GET repairs/workbench/": R({"operator"} | OFFICE),
    "GET repairs/workbench/<int:repair_id>/": R({"agent", "operator"} | OFFICE, OFFICE),  # form: deciders only
    # Auditors read everything the office oversees (accounts.capabilities.is_office) and write nothing: the rewards
    # pages that read are the office's; the forms that write (a measure, a dry run of a draft) its deciders'.
    "GET rewards/": R(OFFICE),
    "GET rewards/measures/new/": R(STAFF),
    "GET rewards/measures/<str:code>/": R(NOBODY),
    "GET rewards/measures/<str:code>/edit/": R(NOBODY),
    "GET rewards/dry-run/": R(STAFF),
    "GET rewards/registry/": R(OFFICE),
    "GET rewards/checks/": R(OFFICE),
    "GET rewards/checks/<int:check_id>/": R({"agent"} | OFFICE, OFFICE),
    "GET rewards/statistics/": R(OFFICE),
    "GET rewards/certificates/<str:number>/": R(NOBODY),
    "GET rewards/certificates/<str:number>/json": R(NOBODY),
    # Auditors read the subscriptions pages too (read-only: auditors read everything the office oversees, never
    # write; only a subscription's own client changes it).
    "GET sharing/": R({"operator"} | OFFICE),
    "GET sharing/<int:subscription_id>/": R({"operator"} | OFFICE, OFFICE),
    "GET scoring/": R(OFFICE),
    "GET scoring/models/<int:model_id>/": R(OFFICE),
    "GET scoring/subjects/<int:subject_id>/": R({"person", "operator"} | OFFICE, {"operator"} | OFFICE),
    "GET scoring/me/": R(SUBJECTS),
    "GET scoring/partners/": R(ALL),
    "GET monitoring/": R(OFFICE),
    "GET monitoring/scorecards/<int:scorecard_id>/": R(NOBODY),
    "GET monitoring/alerts/": R(OFFICE),
    "GET monitoring/alerts/<int:alert_id>/": R(OFFICE),
    "GET monitoring/subjects/<int:subject_id>/": R(NOBODY),  # organizations only; the ids here are persons
    "POST monitoring/subjects/<int:subject_id>/watch/": R(NOBODY),
    "GET monitoring/watches/": R(OFFICE),
    "POST monitoring/watches/<int:watch_id>/remove/": R({"staff"}, NOBODY),
    # The credit brain (decision 073): dashboards for the office, the public series' CSV for everyone; a subject's
    # relation graph (the ids here are persons: named to the office's deciders, not found for auditors).
    "GET monitoring/dashboards/": R(OFFICE),
    "GET monitoring/dashboards/<slug:series>.csv": R(OFFICE),
    "GET monitoring/public/<slug:series>.csv": R(ALL),
    "GET monitoring/subjects/<int:subject_id>/relations/": R(OFFICE),  # the office sees persons by name
    # Association analysis (decision 070): the office and government sharing (operators; on the API also clients
    # holding records:share); persons named to the office only, "a natural person" to sharing.
    "GET associations/": R(OFFICE | {"operator"}),
    "GET associations/subjects/<int:subject_id>/": R(OFFICE | {"operator"}, OFFICE | {"operator"}),
    "GET associations/subjects/<int:subject_id>/related.csv": R(OFFICE | {"operator"}, OFFICE | {"operator"}),
    "GET commitments/": R(SUBJECTS | GOV),  # officials are sent on to their workbench
    "GET commitments/sign/": R(SUBJECTS, read_must_answer=False),
    "GET commitments/sign/matters/": R(SUBJECTS),  # the signing form's search: matters by name
    "GET commitments/<int:commitment_id>/": R({"agent", "operator"} | OFFICE, OFFICE),
    "GET commitments/workbench/": R({"operator"} | OFFICE),
    "GET commitments/workbench/<int:commitment_id>/": R({"agent", "operator"} | OFFICE, OFFICE),
    "GET commitments/statistics/": R({"operator"} | OFFICE),
    "GET benefits/": R(SUBJECTS),
    # Scenarios are public offers, each to one kind of subject (the matrix's scenario serves persons).
    "POST benefits/<slug:code>/authorize/": R({"person"}, use={"code": "scenario"}),
    "GET benefits/statistics/": R(OFFICE),
    "GET lending/": R({"agent"}),
    "POST lending/authorize/": R(NOBODY),
    "POST lending/authorizations/<int:authorization_id>/revoke/": R({"agent"}, NOBODY),
    "GET lending/statistics/": R(OFFICE),
    "GET lending/fund/": R(OFFICE),
    "POST lending/fund/claims/<int:loan_id>/": R(NOBODY),
    "GET .well-known/gongxin-signing-key.json": R(ALL),
    "GET .well-known/gongxin-signing-key.pem": R(ALL),
    "POST reports/issue/": R(SUBJECTS, write_must_pass=False),  # a subject's own report: on to it, no message
    "GET reports/<str:number>/": R({"person"} | STAFF, STAFF),
    "GET reports/<str:number>/pdf": R({"person"} | STAFF, STAFF),
    "GET reports/<str:number>/json": R({"person"} | STAFF, STAFF),
    "GET verify/": R(ALL),
    "GET verify/<str:number>/": R(ALL),
    "GET ": R(ALL),
    "GET search/": R(ALL),
    "GET org/<str:uscc>/": R(ALL),
    "GET publicity/": R(ALL),
    "GET guide/voluntary-performance/": R(ALL),
    "GET demo/": R(NOBODY),  # the demo's "try this" guide: 404 to all unless the platform runs as the demo
    "GET workbench/": R(GOV),
    # The office's pages of a subject and a record (staff, or audit for the auditor): both sides, persons included.
    "GET office/subjects/<int:subject_id>/": R(OFFICE, OFFICE),
    "GET office/records/<int:record_id>/": R(OFFICE, OFFICE),
    "GET card/<str:uscc>/": R(ALL),
    "GET card/<str:uscc>/qr.svg": R(ALL),
    "GET card/<str:uscc>/qr.png": R(ALL),
    # The tamper-evident log's checkpoints (decision 064): published to everyone; the auditors' pages for the office.
    "GET .well-known/gongxin-ledger/checkpoint": R(ALL),
    "GET .well-known/gongxin-ledger/checkpoint/<int:tree_size>": R(ALL),
    "GET .well-known/gongxin-ledger/log-keys": R(ALL),
    "GET .well-known/gongxin-ledger/witness-key": R(ALL),
    "GET ledger/": R(OFFICE),
    "GET ledger/checkpoints/": R(OFFICE),
    "GET ledger/checkpoints/<int:tree_size>/": R(OFFICE),
    "GET ledger/alerts/": R(OFFICE),
    "GET ledger/alerts/<int:alert_id>/": R(OFFICE, use={"alert_id": "ledger_alert_id"}),
    "GET ledger/audits/": R(OFFICE),
}

OPERATIONS: dict[str, Rule] = {
    "GET /health": R(ALL),
    # Pull by cursor (decision 068): only a registered exchange peer signing with its node key; no login or API
    # client of the matrix is one (401 to all).
    "GET /exchange/packages": R(NOBODY, query={"item": "XZCF", "after": "0"}),
    # Push (decision 066): the package's own signature authenticates a registered peer; a receipt again only to
    # the peer that sent the package, signing its request. No login or API client of the matrix is one.
    "POST /exchange/packages": R(NOBODY),
    "GET /exchange/receipts/{guid}": R(NOBODY),
    "POST /checks": R(NOBODY),
    "POST /checks/batch": R(NOBODY),
    "GET /checks/{check_id}": R({"agent", "c_share"} | OFFICE, OFFICE),  # auditors read; issuing is a write
    "POST /checks/{check_id}/feedback": R({"c_share"}, NOBODY),
    "POST /checks/{check_id}/certificate": R({"agent", "c_share"} | STAFF, STAFF),
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
    "POST /records/{record_id}/revoke": R(UNIT_A | {"admin"}, {"admin"}),
    "POST /consents": R(SUBJECTS),
    "GET /consents": R(SUBJECTS),
    "GET /consents/received": R(CALLERS, read_must_answer=False),
    "POST /consents/{consent_id}/revoke": R({"person"} | STAFF, STAFF),
    "POST /consents/query": R(CALLERS),
    "GET /inquiries": R(SUBJECTS | OFFICE, read_must_answer=False),
    "POST /reports": R(ALL),  # an organization's report is public
    "GET /reports/mine": R(SUBJECTS),
    "GET /reports/{number}.pdf": R({"person"} | STAFF, STAFF),
    "GET /reports/{number}.html": R({"person"} | STAFF, STAFF),
    "GET /reports/{number}/verification": R(ALL),
    "POST /reports/{number}/revoke": R(STAFF),
    "GET /reports/{number}": R({"person"} | STAFF, STAFF),
    "GET /listings/publicity": R(ALL),
    "POST /ingest/batches": R(NOBODY, door_after_validation=MULTIPART),
    "GET /ingest/batches": R(ALL),  # the caller's unit's batches: an empty page for everyone else
    "GET /ingest/batches/{batch_id}": R(GOV | {"c_write"}, OFFICE),
    "GET /ingest/batches/{batch_id}/issues": R(GOV | {"c_write"}, OFFICE),
    "GET /ingest/batches/{batch_id}/errors.csv": R(GOV | {"c_write"}, OFFICE),
    "POST /ingest/batches/{batch_id}/confirm": R(GOV | {"c_write"}, OFFICE),
    "POST /ingest/batches/{batch_id}/cancel": R(GOV | {"c_write"}, OFFICE),
    "POST /ingest/push": R(NOBODY),
    "GET /ingest/quality": R(GOV | API_CLIENTS),  # figures of the caller's own department
    # Firm agents (sessions only): no login of the matrix is a firm's registered legal representative, and the
    # mandates' ids are not its world; any signed-in login lists the firms it may act for (none) and stops acting.
    "GET /agents/organizations/{organization_id}/mandates": R(NOBODY),
    "POST /agents/mandates": R(NOBODY),
    "POST /agents/mandates/{mandate_id}/revoke": R(NOBODY),
    "POST /agents/mandates/{mandate_id}/act": R(NOBODY),
    "POST /agents/invitations": R({"person"}),
    "GET /agents/mine": R(SIGNED_IN),
    "POST /agents/act/stop": R(SIGNED_IN),
    "GET /notices": R(SUBJECTS),
    "POST /notices/{notice_id}/read": R({"person"}, NOBODY),
    "POST /objections": R({"agent"}),
    "GET /objections": R(CALLERS),  # the caller's own: none for a caller that is no subject
    "POST /objections/{objection_id}/evidence": R(NOBODY, door_after_validation=MULTIPART),
    "GET /objections/queue": R(OFFICE),
    # The caller's unit's tasks, for those who write the unit's records (operators, clients with records:write):
    # none for others, a client of the unit without records:write included (its list is empty).
    "GET /objections/tasks": R(CALLERS),
    "GET /objections/{objection_id}": R({"agent"} | OFFICE, OFFICE),
    "POST /objections/{objection_id}/accept": R(STAFF),
    "POST /objections/{objection_id}/reject": R(STAFF),
    "POST /objections/{objection_id}/forward": R(STAFF),
    "POST /objections/{objection_id}/extend": R(STAFF),
    "POST /objections/{objection_id}/extension-request": R(NOT_FORWARDED),
    "POST /objections/{objection_id}/decide": R(NOT_FORWARDED),
    "POST /objections/{objection_id}/review": R({"agent"}, NOBODY),
    "GET /repairs/eligibility": R({"agent"}, NOBODY, query={"record": "{record_id}"}),
    "POST /repairs": R({"agent"}),
    "GET /repairs": R(SUBJECTS | UNIT_A | OFFICE),
    "POST /repairs/multipart": R(NOBODY, door_after_validation=MULTIPART),
    "GET /repairs/{repair_id}": R({"agent"} | UNIT_A | OFFICE, OFFICE),
    "POST /repairs/{repair_id}/decision": R(UNIT_A | {"admin"}, {"admin"}),
    "POST /repairs/{repair_id}/withdraw": R({"agent"}, NOBODY),
    "GET /rewards/measures": R(CALLERS),
    "POST /rewards/measures": R(STAFF),
    "POST /rewards/measures/dry-run": R(STAFF),
    "GET /rewards/measures/{code}": R(NOBODY),
    "GET /rewards/matters": R(CALLERS),
    "GET /rewards/statistics": R(OFFICE),  # auditors read the office's statistics
    "GET /rewards/certificates/{number}": R(NOBODY),
    "POST /sharing/subscriptions": R(API_CLIENTS),  # what it receives is what its purpose may see
    "GET /sharing/subscriptions": R(CALLERS),  # the caller's own (its unit's, all for staff): none for others
    # The office reads every subscription, auditors included (the pages' rule, one selector); writes: the client's.
    "GET /sharing/subscriptions/{subscription_id}": R({"operator", "c_share"} | OFFICE, OFFICE),
    "PATCH /sharing/subscriptions/{subscription_id}": R({"c_share"}, NOBODY),
    "DELETE /sharing/subscriptions/{subscription_id}": R({"c_share"}, NOBODY),
    "POST /sharing/subscriptions/{subscription_id}/subjects": R({"c_share"}, NOBODY),
    "POST /sharing/subscriptions/{subscription_id}/secret": R({"c_share"}, NOBODY),
    "POST /sharing/subscriptions/{subscription_id}/replay": R({"c_share"}, NOBODY),
    "GET /sharing/subscriptions/{subscription_id}/deliveries": R({"operator", "c_share"} | OFFICE, OFFICE),
    "GET /sharing/changes": R(API_CLIENTS, read_must_answer=False),
    # Both persons consented to the lender (authorized purpose); government sharing; the person itself.
    "GET /scoring/subjects/{subject_id}": R({"person", "operator", "c_share", "lender", "c_none"} | OFFICE,
                                            {"operator", "c_share", "lender"} | OFFICE),
    "GET /scoring/models": R(CALLERS),
    "GET /scoring/models/{model_id}": R(CALLERS),
    "GET /scoring/models/{model_id}/simulation": R(OFFICE),
    "POST /scoring/models/{model_id}/draft": R(STAFF),
    "POST /scoring/models/{model_id}/activate": R(STAFF),
    "GET /scoring/runs": R(OFFICE),
    "POST /scoring/runs": R(STAFF),
    "GET /scoring/supervision/fields": R(GOV | {"c_share"}),
    "GET /scoring/supervision/{field_code}/classes": R(GOV | {"c_share"}),
    "GET /scoring/supervision/{field_code}/sample": R(GOV | {"c_share"}, query={"seed": "matrix"}),
    "PUT /scoring/supervision/{field_code}/rules/{grade}": R(STAFF),
    "GET /scoring/partners": R(ALL),
    "GET /scoring/partners/{code}/translate": R(NOBODY, query={"score": "700"}),
    "GET /monitoring/scorecards": R(OFFICE),
    "GET /monitoring/scorecards/{scorecard_id}": R(NOBODY),
    "POST /monitoring/scorecards/{scorecard_id}/activate": R(NOBODY),
    "GET /monitoring/alerts": R(OFFICE),
    "GET /monitoring/alerts/queue": R(OFFICE),
    "GET /monitoring/alerts/{alert_id}": R(OFFICE),
    "POST /monitoring/alerts/{alert_id}/acknowledge": R(STAFF),
    "POST /monitoring/alerts/{alert_id}/close": R(STAFF),
    "GET /monitoring/subjects/{subject_id}/risk": R(NOBODY),  # organizations only; the ids here are persons
    # Association analysis (decision 070): the office and government sharing; persons named to the office only.
    "GET /associations/subjects/{subject_id}/related": R(OFFICE | {"operator", "c_share"},
                                                         OFFICE | {"operator", "c_share"}),
    "GET /associations/subjects/{subject_id}/controllers": R(OFFICE | {"operator", "c_share"},
                                                             OFFICE | {"operator", "c_share"}),
    "GET /associations/subjects/{subject_id}/shared": R(OFFICE | {"operator", "c_share"},
                                                        OFFICE | {"operator", "c_share"}),
    "GET /monitoring/watches": R(OFFICE),
    "POST /monitoring/watches": R(STAFF),
    "DELETE /monitoring/watches/{watch_id}": R({"staff"}, NOBODY),
    "GET /commitments/types": R(ALL),
    "GET /commitments/eligibility": R(NOBODY, read_must_answer=False),
    "POST /commitments/eligibility": R(NOBODY),
    "POST /commitments": R(NOBODY),
    "GET /commitments": R(SUBJECTS | UNIT_A | OFFICE, read_must_answer=False),
    "GET /commitments/statistics": R(UNIT_A | OFFICE),
    "GET /commitments/{commitment_id}": R({"agent"} | UNIT_A | OFFICE, OFFICE),
    "POST /commitments/{commitment_id}/fulfil": R(UNIT_A | {"admin"}, {"admin"}),
    "POST /commitments/{commitment_id}/breach": R(UNIT_A | {"admin"}, {"admin"}),
    "POST /commitments/payouts": R(NOBODY),
    "GET /benefits/scenarios": R(ALL),
    "POST /benefits/scenarios/{code}/eligibility": R(NOBODY, use={"code": "scenario"}),
    "POST /benefits/scenarios/{code}/usages": R(NOBODY, use={"code": "scenario"}),
    "POST /benefits/scenarios/{code}/usages/{reference}/end": R(PROVIDER_A, NOBODY, use=USAGE),
    "POST /benefits/scenarios/{code}/usages/{reference}/default": R(PROVIDER_A, NOBODY, use=USAGE),
    "GET /benefits/mine": R(CALLERS),  # the caller's own benefits: nothing for a caller that is no person
    "GET /benefits/statistics": R(OFFICE),
    "GET /lending/lenders": R(ALL),
    "GET /lending/data-items": R(ALL),
    "GET /lending/authorizations": R({"agent"}),
    "POST /lending/authorizations": R(NOBODY),
    "POST /lending/authorizations/{authorization_id}/revoke": R({"agent"}, NOBODY),
    "GET /lending/pulls": R({"agent"}),
    "POST /lending/profiles": R({"lender"}),
    "GET /lending/profiles/{code}": R({"lender"}),  # an unknown or unauthorized firm: an empty answer
    "POST /lending/loans": R(NOBODY),
    "POST /lending/loans/{reference}/decision": R({"lender"}, NOBODY, use=LOAN),
    "POST /lending/loans/{reference}/repaid": R({"lender"}, NOBODY, use=LOAN),
    "POST /lending/loans/{reference}/default": R({"lender"}, NOBODY, use=LOAN),
    "GET /lending/fund": R(OFFICE),
    "POST /lending/fund/contributions": R(STAFF),
    "POST /lending/fund/claims": R(STAFF),
    "GET /lending/statistics": R(OFFICE),
    # Checkpoints are public; a witness's cosignature or refusal needs no account but must carry the signature of a
    # configured witness (none is configured here: every body is refused with 422 past the door).
    "GET /ledger/checkpoints": R(ALL),
    "POST /ledger/cosignatures": R(ALL),
    "POST /ledger/witness-alerts": R(ALL),
    # The log's tree head, leaves and proofs: hashes only, public (decision 062).
    "GET /ledger/tree": R(ALL),
    "GET /ledger/leaves/{index}": R(ALL, use={"index": "ledger_leaf_index"}),
    "GET /ledger/proofs/inclusion": R(ALL, query={"index": "0", "size": "1"}),
    "GET /ledger/proofs/consistency": R(ALL, query={"first": "1", "second": "1"}),
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
    masks: dict[str, str]


def _user(username: str, role: str, **kwargs: Any) -> User:
    return User.objects.create_user(username=username, password="x", role=role, **kwargs)


def _ledger_leaf_index() -> str:
    """The first leaf of the log, once the world's record versions are integrated (no side: the log is public)."""
    from gongxin.ledger.services import ledger_integrate

    assert ledger_integrate().size > 0
    return "0"


def _ledger_params() -> dict[str, tuple[str, str]]:
    """A signed checkpoint of the log and an alert of a refused checkpoint (no side: the log is the platform's)."""
    from gongxin.ledger.checkpoints import checkpoint_ensure
    from gongxin.ledger.witness_alerts import alert_raise

    checkpoint = checkpoint_ensure()
    alert = alert_raise(side="witness", kind="split_view", origin="gongxin/matrix-peer", tree_size=1)
    return {"tree_size": (str(checkpoint.tree_size),) * 2, "ledger_alert_id": (str(alert.pk),) * 2}


def world_build() -> World:
    from gongxin.access.consents import consent_grant
    from gongxin.catalog.models import CatalogItem
    from gongxin.catalog.seed import catalog_seed
    from gongxin.notices.services import notice_send
    from gongxin.objections.services import objection_file
    from gongxin.records.models import ListType
    from gongxin.records.seed import list_types_seed
    from gongxin.repairs.services import repair_apply
    from gongxin.reports.services import report_issue
    from gongxin.scoring.models import ScoringModel
    from gongxin.scoring.seed import scoring_seed
    from gongxin.scoring.services import scores_run
    from gongxin.subjects.identifiers import rin_generate, rin_mask
    from gongxin.subjects.services import person_register
    from gongxin.testing import factories

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
                            commitment_accepted=True, commitment_signer="甲经办", evidence=[_pdf("a.pdf")])
    repair_b = repair_apply(record=record_b, actor=viewer_for_user(agent_b), statement="罚款已缴清。",
                            commitment_accepted=True, commitment_signer="乙经办", evidence=[_pdf("b.pdf")])
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
    more = _more_objects(unit_a=unit_a, unit_b=unit_b, firm_a=firm_a, firm_b=firm_b, person_a=person_a,
                         person_b=person_b, logins=logins, agent_b=agent_b, person_b_user=person_b_user,
                         keys=keys, objection_a=objection_a, objection_b=objection_b, record_a=record_a,
                         record_b=record_b)

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
        "item_code": both("penalty"),
        "series": both("records"),
        "ledger_leaf_index": both(_ledger_leaf_index()),
        **_ledger_params(),
        **more,
    }
    sessions = {persona: {"HTTP_X_API_KEY": key} for persona, key in keys.items()}
    return World(params=params, sessions=sessions, logins=logins, rins={"person_a": rin_a, "person_b": rin_b},
                 masks={"person_a": rin_mask(rin_a), "person_b": rin_mask(rin_b)})


def _pdf(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n% matrix evidence\n%%EOF\n", content_type="application/pdf")


def _client(name: str, department: Department, scopes: list[str]) -> Any:
    client, _key = api_client_create(name=name, department=department, scopes=scopes,
                                     rate_limit_per_minute=1_000_000)
    return client


def _more_objects(*, unit_a: Any, unit_b: Any, firm_a: Any, firm_b: Any, person_a: Any, person_b: Any,
                  logins: dict[str, User], agent_b: User, person_b_user: User, keys: dict[str, str],
                  objection_a: Any, objection_b: Any, record_a: Any, record_b: Any) -> dict[str, tuple[str, str]]:
    """Side A's and side B's batches, checks, commitments, subscriptions, watches and alerts, loans, benefit
    usages and evidence, each made by the owning app's services as its owner would make it. Side B's owners
    are no persona: unit B's client, a second business system, lender and provider, a second staff member."""
    from gongxin.access.consents import consent_grant
    from gongxin.accounts.models import ApiClient
    from gongxin.accounts.viewer import viewer_for_client
    from gongxin.benefits.models import Provider, Scenario
    from gongxin.benefits.seed import BASIS, EFFECTIVE, NOT_LISTED, scenarios_seed
    from gongxin.benefits.services import usage_start
    from gongxin.catalog.models import CatalogItem
    from gongxin.commitments.models import CommitmentType
    from gongxin.commitments.seed import commitments_seed
    from gongxin.commitments.services import commitment_sign
    from gongxin.core.outbox import outbox_dispatch
    from gongxin.ingest.services import batch_push
    from gongxin.lending.models import Lender
    from gongxin.lending.services import lender_authorize, lender_register, loan_apply
    from gongxin.monitoring.services import watch_start
    from gongxin.objections.services import objection_evidence_add
    from gongxin.rewards.models import Measure
    from gongxin.rewards.seed import measures_seed
    from gongxin.rewards.services import check_perform, matter_register, system_register
    from gongxin.sharing.services import subscription_create
    from gongxin.testing import factories

    client_of = {persona: ApiClient.objects.get(name=f"矩阵{persona}") for persona in keys}
    unit_b_client = _client("矩阵乙单位系统", unit_b.department, [Scope.RECORDS_WRITE, Scope.RECORDS_SHARE])
    staff = viewer_for_user(logins["staff"])
    other_staff = viewer_for_user(_user("mx-staff-b", Role.STAFF))

    # Ingest: one push per unit, by the unit's writing client.
    penalty = CatalogItem.objects.get(code="penalty", edition__is_current=True)
    batches = []
    for unit, client in ((unit_a, client_of["c_write"]), (unit_b, unit_b_client)):
        batches.append(batch_push(source_unit=unit, item=penalty, records=[{"行政相对人名称": "矩阵"}],
                                  idempotency_key=f"matrix-{unit.pk}", actor=viewer_for_client(client)))

    # Rewards: a check by each business system (c_share's on side A, another department's on side B).
    if not Measure.objects.exists():
        measures_seed()
    finance_b = Department.objects.create(code="MX-CZ", name="矩阵财政局", region_code="330200")
    system_b_client = _client("矩阵乙业务系统", finance_b, [Scope.SUBJECTS_READ, Scope.RECORDS_SHARE])
    checks = []
    for code, department, client, firm in (("MX-A", unit_a.department, client_of["c_share"], firm_a),
                                          ("MX-B", finance_b, system_b_client, firm_b)):
        system = system_register(code=f"{code}-SYS", name=f"矩阵{code}系统", department=department, client=client,
                                 actor=SYSTEM)
        matter_register(code=f"{code}-CG", name="政府采购供应商资格审查", system=system, matter_type="procurement",
                        actor=SYSTEM)
        checks.append(check_perform(subject=firm, matter=f"{code}-CG", actor=viewer_for_client(client)))

    # Commitments: each firm signs one for a matter of its unit.
    if not CommitmentType.objects.exists():
        commitments_seed()
    voluntary = CommitmentType.objects.get(code="voluntary_public")
    commitments = [commitment_sign(subject=firm, type=voluntary, source_unit=unit, matter_code="MX-MATTER",
                                   matter_name="矩阵事项", signer_name="经办", accepted=True,
                                   actor=viewer_for_user(agent))
                   for firm, unit, agent in ((firm_a, unit_a, logins["agent"]), (firm_b, unit_b, agent_b))]

    # Sharing: a subscription of c_share (side A), one of unit B's client (side B).
    subscriptions = [subscription_create(name=f"矩阵订阅{side}", actor=viewer_for_client(client),
                                         all_subjects=True).subscription
                     for side, client in (("A", client_of["c_share"]), ("B", unit_b_client))]

    # Monitoring: staff watches firm A, another staff member firm B; a new penalty of each raises the alerts.
    watches = [watch_start(subject=firm_a, actor=staff), watch_start(subject=firm_b, actor=other_staff)]
    outbox_dispatch()
    for firm, unit in ((firm_a, unit_a), (firm_b, unit_b)):
        factories.penalty_create(subject=firm, source_unit=unit, decided=clock.today() - timedelta(days=3))
    outbox_dispatch()
    from gongxin.monitoring.models import Alert

    alerts = [Alert.objects.filter(watch=watch).order_by("pk").first() for watch in watches]

    # Lending: each firm authorizes its lender (the persona's bank; another bank), which reports a loan.
    bank_b = Department.objects.create(code="MX-BANK-B", name="矩阵乙银行", region_code="330200")
    lender_b = lender_register(code="mxbankb", name="矩阵乙银行", client=_client("矩阵乙银行系统", bank_b, []),
                               actor=SYSTEM)
    until = clock.now() + timedelta(days=30)
    loans, authorizations = [], []
    for firm, agent, lender, reference in ((firm_a, logins["agent"], Lender.objects.get(code="mxbank"), "MX-LOAN-A"),
                                           (firm_b, agent_b, lender_b, "MX-LOAN-B")):
        authorizations.append(lender_authorize(subject=firm, lender=lender, valid_until=until,
                                               actor=viewer_for_user(agent)))
        loans.append(loan_apply(uscc=firm.organization.uscc, reference=reference, amount_requested_yuan=100_000,
                                actor=viewer_for_client(lender.client)))

    # Benefits: c_none is side A's provider, another department's client side B's; each person consents.
    if not Scenario.objects.exists():
        scenarios_seed()
    provider_b_department = Department.objects.create(code="MX-LIB-B", name="矩阵乙图书馆", region_code="330200")
    usages = []
    for side, client, person, user in (("a", client_of["c_none"], person_a, logins["person"]),
                                       ("b", _client("矩阵乙借阅系统", provider_b_department, []), person_b,
                                        person_b_user)):
        provider = Provider.objects.create(code=f"mx-lib-{side}", name=f"矩阵图书馆{side}", client=client,
                                           department=client.department)
        scenario = Scenario.objects.create(
            code=f"mx_borrowing_{side}", name="矩阵信用借阅", name_en="Matrix borrowing", subject_kind="person",
            provider=provider, conditions=[NOT_LISTED], parameters=[], default_threshold=2,
            default_window_months=12, suspension_months=6, legal_basis=BASIS, effective_from=EFFECTIVE)
        consent_grant(subject=person, grantee_client=client, purpose="信用借阅", scope=[], valid_until=until,
                      actor=viewer_for_user(user))
        usages.append(usage_start(scenario=scenario, subject_code=_rin_of(person), reference=f"MX-USE-{side}",
                                  actor=viewer_for_client(client)))

    # Evidence: each firm adds a PDF to its objection and to its repair application.
    objection_evidence = [objection_evidence_add(objection=objection, actor=viewer_for_user(agent),
                                                 files=[_pdf("evidence.pdf")])[0]
                          for objection, agent in ((objection_a, logins["agent"]), (objection_b, agent_b))]
    from gongxin.repairs.models import RepairEvidence

    repair_evidence = [RepairEvidence.objects.filter(application__record=record).order_by("pk").first()
                       for record in (record_a, record_b)]

    def pair(objects: list[Any], attribute: str = "pk") -> tuple[str, str]:
        return str(getattr(objects[0], attribute)), str(getattr(objects[1], attribute))

    return {
        "batch_id": pair(batches), "check_id": pair(checks), "commitment_id": pair(commitments),
        "subscription_id": pair(subscriptions), "watch_id": pair(watches), "alert_id": pair(alerts),
        "authorization_id": pair(authorizations), "loan": pair(loans, "reference"),
        "loan_id": pair(loans), "scenario": pair([u.scenario for u in usages], "code"),
        "usage": pair(usages, "reference"), "evidence_id": pair(objection_evidence),
        "repair_evidence_id": pair(repair_evidence),
    }


def _rin_of(person: Any) -> str:
    from gongxin.subjects.selectors import person_rin_reveal

    return person_rin_reveal(person=person.person, viewer=SYSTEM)


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


def _fill(template: str, side: int, world: World, use: dict[str, str] | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return world.params.get((use or {}).get(name, name), (MISSING, MISSING))[side]

    return PARAM.sub(value, template)


REFUSED = frozenset({401, 403, 404, 405})


def _answered(status: int, location: str) -> bool:
    """A read's answer: 2xx, or a redirect anywhere but to the login page (a page's refusal to the anonymous)."""
    if 200 <= status < 300:
        return True
    return 300 <= status < 400 and "/accounts/login/" not in location


def _page_post_outcome(response: Any) -> str:
    """What a page's form post did: ``done`` (2xx, or a redirect carrying a success message), ``refused`` (4xx,
    the login page, or a redirect carrying an error or warning message, the form posts' way to refuse),
    else ``other``. Redirects look alike after success and refusal; the messages framework tells them apart."""
    status = response.status_code
    if 200 <= status < 300:
        return "done"
    if 400 <= status < 500 or "/accounts/login/" in response.get("Location", ""):
        return "refused"
    if 300 <= status < 400:
        levels = {message.level for message in get_messages(response.wsgi_request)}
        if levels & {constants.ERROR, constants.WARNING}:
            return "refused"
        if constants.SUCCESS in levels:
            return "done"
    return "other"


def _ask(client: Client, method: str, path: str, query: dict[str, str], body: str | None = None) -> Any:
    with transaction.atomic():
        if method == "GET":
            response = client.get(path, query)
        elif path.startswith(API_PREFIX):
            response = client.generic(method, path, body if body is not None else "{}",
                                      content_type="application/json")
        else:
            client.cookies.pop("messages", None)  # a message left by an earlier post must not be read as this one's
            response = client.generic(method, path, "", content_type="application/x-www-form-urlencoded")
            response.outcome = _page_post_outcome(response)
            client.cookies.pop("messages", None)
        transaction.set_rollback(True)
    return response


def _code(response: Any) -> str:
    try:
        return str(response.json().get("code", ""))
    except (ValueError, AttributeError, TypeError):
        return ""


# --------------------------------------------------------------------------------------------------------------
# Request bodies for the API's writes, generated from the OpenAPI document
# --------------------------------------------------------------------------------------------------------------


@functools.cache
def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = _schema()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _sample(schema: dict[str, Any]) -> Any:
    """The smallest value ``schema`` accepts: required properties only, each of its type."""
    schema = _resolve(schema)
    for combined in ("allOf", "anyOf", "oneOf"):
        if combined in schema:
            choices = [c for c in schema[combined] if _resolve(c).get("type") != "null"]
            return _sample(choices[0])
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: _sample(properties.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        return [_sample(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        if schema.get("format") == "date":
            return clock.today().isoformat()
        if schema.get("format") == "date-time":
            return clock.now().isoformat()
        return "1" * max(schema.get("minLength", 1), 1)
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    return None


def _wrong(schema: dict[str, Any]) -> Any:
    """A value of the wrong type for ``schema``: a list for an object, an object for anything else."""
    return [] if _resolve(schema).get("type", "object") == "object" else {"invalid": []}


def _json_bodies(key: str, rule: Rule, world: World, side: int) -> tuple[str | None, str | None]:
    """A body the operation's schema accepts (``rule.body`` where the generated one is not enough) and one it
    refuses (every property of the wrong type; None when the schema has no property to get wrong), or (None,
    None) for an operation without a JSON body. An integer property named like one of the world's ids
    (``record_id``, ``subject_id``, ``loan_id`` ...) names the side's object, never an id that happens to exist
    (ids differ between databases: PostgreSQL's sequences are not reset between tests)."""
    method, route = key.split(" ", 1)
    content = _schema()["paths"][API_PREFIX + route][method.lower()].get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None, None
    schema = _resolve(content["application/json"]["schema"])
    valid = rule.body if rule.body is not None else _sample(schema)
    if rule.body is None and isinstance(valid, dict):
        for name, value in list(valid.items()):
            known = world.params.get(rule.use.get(name, name))
            if isinstance(value, int) and not isinstance(value, bool) and known and known[side].isdigit():
                valid[name] = int(known[side])
    properties = schema.get("properties", {})
    invalid = {name: _wrong(value) for name, value in properties.items()} if properties else None
    return json.dumps(valid), (json.dumps(invalid) if invalid is not None else None)


# --------------------------------------------------------------------------------------------------------------
# The verdicts
# --------------------------------------------------------------------------------------------------------------


def _leaks(persona: str, body: str, world: World) -> list[str]:
    found = []
    for who, name in (("person_a", PERSON_A_NAME), ("person_b", PERSON_B_NAME)):
        if name in body and persona not in NAME_SEEN_BY[who]:
            found.append(f"{who}'s name")
        if world.rins[who] in body and persona not in RIN_SEEN_BY[who]:
            found.append(f"{who}'s RIN")
        # The masked form is for third parties entitled to the person, never for anyone else.
        if world.masks[who] in body and persona not in NAME_SEEN_BY[who]:
            found.append(f"{who}'s masked RIN")
    return found


def _body_leaks(persona: str, response: Any, label: str, world: World) -> list[str]:
    body = b"" if response.streaming else response.content
    return [f"LEAK {label}: {leak} in the body" for leak in _leaks(persona, body.decode("utf-8", "replace"), world)]


def _verdict_read(allowed: bool, rule: Rule, response: Any, label: str) -> list[str]:
    answered = _answered(response.status_code, response.get("Location", ""))
    if not allowed and answered:
        return [f"LEAK {label} (refused by the rule, answered)"]
    if allowed and rule.read_must_answer and not answered:
        return [f"DENIED {label} (allowed by the rule, not answered)"]
    return []


def _verdict_api_write(allowed: bool, rule: Rule, response: Any, label: str) -> list[str]:
    """With a body its schema accepts, a write reaches the door: a refused persona must be stopped there (401/
    403/404/405; never 2xx, nor a business rule's 400/409/422 that tells it got past the door), an allowed one
    must pass it (anything but 401/403/404/405: done, or refused by a business rule about placeholder values)."""
    status = response.status_code
    if rule.door_after_validation and status == 422 and _code(response) == "validation_failed":
        return []
    if not allowed and status not in REFUSED:
        return [f"LEAK {label} {_code(response)} (refused by the rule, not stopped at the door)"]
    if allowed and rule.write_must_pass and status in REFUSED:
        return [f"DENIED {label} {_code(response)} (allowed by the rule, stopped at the door)"]
    return []


def _verdict_page_write(allowed: bool, rule: Rule, response: Any, label: str) -> list[str]:
    outcome = response.outcome
    if rule.silent:
        return []
    if not allowed and outcome != "refused":
        return [f"LEAK {label} {outcome} (refused by the rule, not refused)"]
    if allowed and rule.write_must_pass and outcome != "done":
        return [f"DENIED {label} {outcome} (allowed by the rule, not done)"]
    return []


def _check(key: str, rule: Rule, path_template: str, world: World, browsers: dict[str, Client]) -> list[str]:
    method = key.split(" ", 1)[0]
    is_api = path_template.startswith(API_PREFIX)
    has_object = PARAM.search(path_template) is not None
    verdict = _verdict_read if method == "GET" else _verdict_api_write if is_api else _verdict_page_write
    problems = []
    for side in (0, 1) if has_object else (0,):
        body, invalid_body = _json_bodies(key, rule, world, side) if is_api and method != "GET" else (None, None)
        allowed = rule.a if side == 0 or rule.b is None else rule.b
        path = _fill(path_template, side, world, rule.use)
        query = {k: _fill(v, side, world, rule.use) for k, v in rule.query.items()}
        for persona in PERSONAS:
            response = _ask(browsers[persona], method, path, query, body)
            label = f"{persona} {'AB'[side]}: {method} {path} -> {response.status_code}"
            problems += verdict(persona in allowed, rule, response, label)
            problems += _body_leaks(persona, response, label, world)
            if invalid_body is not None and persona in allowed:
                # The same write with an invalid body: the owner reaches validation (422), is not turned away.
                invalid = _ask(browsers[persona], method, path, query, invalid_body)
                if invalid.status_code != 422 or _code(invalid) != "validation_failed":
                    problems.append(f"DENIED {persona} {'AB'[side]}: {method} {path} with an invalid body -> "
                                    f"{invalid.status_code} {_code(invalid)} (must reach validation, 422)")
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
