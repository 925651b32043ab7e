"""Named capabilities: what a ``Viewer`` may do, each rule written once and named for what it allows.

This is the platform's one roles module: no other module names a set of roles or compares a role with
one (tests/security/test_roles_in_one_place.py fails the suite when one does). Services, selectors, the
API and the pages ask a capability; the disclosure policy (access.disclosure) asks them for its purposes.

Who is who:
- the **credit office** — staff, auditors and administrators signed in — oversees: it reads every unit's
  work (queues, statistics, logs, evaluations, alerts);
- of the office, **staff and administrators decide**: the office's writes (objection decisions, measures,
  scoring models, supervision rules, alerts, the lending fund, revoking reports and consents) and the
  personal data that deciding needs (RINs in clear, persons' reports);
- **auditors read, never write** (decision 030): they have the audit purpose and every oversight read,
  no decision and no RIN in clear;
- **source units** act through their operators and through their own systems holding ``records:write``.

API clients carry the role ``operator`` (they act for their department) but are not the unit's operators:
a client holds exactly the capabilities its scopes give it, so every capability here says what a client
needs besides its role, and none of the office's capabilities ever holds for a client.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongxin.accounts.choices import AgentCapability, Role, Scope
from gongxin.accounts.viewer import Viewer

# The credit office: staff, auditors and administrators (oversight of every unit's work).
OFFICE_ROLES = frozenset({Role.STAFF, Role.AUDITOR, Role.ADMIN})
# The office's deciders: staff and administrators (auditors only read).
DECIDER_ROLES = frozenset({Role.STAFF, Role.ADMIN})
# The office's auditors: auditors and administrators (the audit purpose of the disclosure policy).
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
# Government users signed in: the office and source units' operators.
GOVERNMENT_ROLES = frozenset({Role.OPERATOR, Role.STAFF, Role.AUDITOR, Role.ADMIN})
# Government users who share records for their work (the sharing purpose); auditors read on the audit purpose.
SHARING_ROLES = frozenset({Role.OPERATOR, Role.STAFF, Role.ADMIN})


def _signed_in_as(viewer: Any, roles: frozenset[str]) -> bool:
    # ``getattr``: a few callers pass a User or an anonymous user (subjects.selectors.rin_shown).
    return getattr(viewer, "client_id", None) is None and getattr(viewer, "role", None) in roles


def is_office(viewer: Viewer) -> bool:
    """A signed-in member of the credit office (staff, auditor, administrator); never an API client.

    What it allows: the office's oversight reads — every unit's queues (objections, repairs, commitments,
    batches), statistics, the inquiry log, evaluations and their runs, alerts and watches, the lending fund,
    and who acted under its login (accounts.actors). Never a write on its own: see ``decides_for_office``."""
    return _signed_in_as(viewer, OFFICE_ROLES)


def decides_for_office(viewer: Viewer) -> bool:
    """Credit office staff or an administrator, signed in: the office's writes.

    Accepting, forwarding and deciding objections; measures, business systems and matters; scoring models,
    runs and supervision rules; acknowledging and closing alerts, watching subjects; the lending fund;
    revoking reports and revoking a consent on a subject's behalf; issuing reports without the issue limits
    (their work issues many). Auditors never: they read, never write."""
    return _signed_in_as(viewer, DECIDER_ROLES)


def audits(viewer: Viewer) -> bool:
    """An auditor or an administrator, signed in: the audit purpose of the disclosure policy (reading any
    subject's records to audit the platform's work, logged as an inquiry the subject sees)."""
    return _signed_in_as(viewer, AUDIT_ROLES)


def reveals_rin(viewer: Any) -> bool:
    """Staff or an administrator signed in: sees any person's RIN in clear and opens any person's report and
    check certificate (they show the RIN). Deciding on a person's case needs the number; auditing does not,
    so auditors see the masked form. The person itself always sees its own (subjects.selectors.rin_shown).
    ``viewer`` may also be a User (or an anonymous user, who never does)."""
    return _signed_in_as(viewer, DECIDER_ROLES)


def looks_up_persons(viewer: Viewer) -> bool:
    """Staff or an administrator signed in: is entitled to look persons up by RIN, without the look-up limits
    (access.persons). Their work needs it, and their reads of records are logged as inquiries."""
    return _signed_in_as(viewer, DECIDER_ROLES)


def shares_records(viewer: Viewer) -> bool:
    """The sharing purpose of the disclosure policy: government users signed in who share records for their
    work (operators, staff, administrators) and clients holding ``records:share``. Auditors read on the audit
    purpose instead; a client without the scope never shares, whatever its department."""
    if viewer.client_id is not None:
        return Scope.RECORDS_SHARE in viewer.scopes
    return viewer.role in SHARING_ROLES


def is_official(viewer: Viewer) -> bool:
    """A government user signed in (a source unit's operator or a member of the credit office), never an API
    client: opens the workbench and the working pages every official shares (batches, data quality, the
    commitment and repair workbenches, the subscriptions pages), each of which then shows the official's own
    share (the office: everything, to read)."""
    return _signed_in_as(viewer, GOVERNMENT_ROLES)


def acts_for_source_unit(viewer: Viewer) -> bool:
    """A source unit's operator signed in, or one of the unit's systems holding ``records:write``: who works a
    unit's queues (repairs, commitments, objections forwarded to it) and sees the personal data in them.
    A client of a bank, a benefit provider or any department without ``records:write`` does not."""
    if viewer.department_id is None or viewer.role != Role.OPERATOR:
        return False
    return viewer.client_id is None or Scope.RECORDS_WRITE in viewer.scopes


def case_files_q(viewer: Viewer) -> Q:
    """Which case files about a subject handled by a source unit (repair applications, commitments) ``viewer``
    sees, as a filter on their ``source_unit_id`` and ``subject_id``: the office every one, a unit that
    ``acts_for_source_unit`` its own unit's, a subject its own, anyone else none (a filter that matches nothing
    and costs no query)."""
    if is_office(viewer):
        return Q()
    if acts_for_source_unit(viewer):
        return Q(source_unit_id=viewer.department_id)
    if viewer.subject_id is not None:
        return Q(subject_id=viewer.subject_id)
    return Q(pk__in=[])


def writes_for_unit(viewer: Viewer, *, source_unit_id: int) -> bool:
    """Writes a source unit's records (submits, corrects, revokes, decides its forwarded objections and repair
    applications): the unit's operators, its systems holding ``records:write``, and administrators."""
    if viewer.role == Role.ADMIN:
        return True
    if viewer.client_id is not None:
        return Scope.RECORDS_WRITE in viewer.scopes and viewer.department_id == source_unit_id
    return viewer.role == Role.OPERATOR and viewer.department_id == source_unit_id


def acts_for_organization(viewer: Viewer) -> bool:
    """An organization's agent signed in for its firm: authorizes lenders and sees the firm's loans. A person
    acting under the firm's mandate (accounts.agents) needs the mandate's ``lending`` capability."""
    return (viewer.client_id is None and viewer.subject_id is not None and viewer.role == Role.ORG_AGENT
            and _mandate_allows(viewer, AgentCapability.LENDING))


def _mandate_allows(viewer: Viewer, capability: str) -> bool:
    return viewer.agent_capabilities is None or capability in viewer.agent_capabilities


def acts_for_subject(viewer: Viewer, *, subject_id: int, capability: str) -> bool:
    """Signed in for the subject ``subject_id`` and may do ``capability`` (an ``AgentCapability``) for it:
    the subject's own accounts always; a person acting as a firm's agent only within its mandate (the mandate
    is checked again on every request, so a revoked or expired one stops at once). Never an API client.

    What it allows: the subject's own acts — issuing its own credit report (``reports``), filing objections
    (``objections``), applying for repair (``repairs``), signing commitments (``commitments``); authorizing
    lenders is ``acts_for_organization``. Reading the subject's own profile needs only ``viewer.subject_id``:
    an agent with any capability reads what it acts on."""
    return (viewer.client_id is None and viewer.user_id is not None and viewer.subject_id is not None
            and viewer.subject_id == subject_id and _mandate_allows(viewer, capability))


def needs_second_factor(viewer: Viewer) -> bool:
    """Signs in with a second factor (TOTP, decision 060) before any page or API call answers: government users
    — the credit office (staff, auditors, administrators) and source units' operators — who can see others'
    data. Persons and firms sign in through the unified identity service instead (docs/identity.md)."""
    return _signed_in_as(viewer, GOVERNMENT_ROLES)


def reads_supervision(viewer: Viewer) -> bool:
    """Organizations' supervision classes and inspection samples (tiered supervision, 分级分类监管): government
    users signed in, and government systems sharing records (``records:share``). Never lenders, benefit
    providers or clients without that scope: a grade rests on non-public records."""
    if viewer.client_id is not None:
        return Scope.RECORDS_SHARE in viewer.scopes
    return viewer.role in GOVERNMENT_ROLES
