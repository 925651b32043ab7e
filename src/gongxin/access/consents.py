"""Writes of consents: a subject grants a named requester a time-limited authorization to query its
non-public records for a purpose and a scope, and may revoke it at any time.

Each write runs in one transaction with its outbox event (``access.consent.granted``,
``access.consent.revoked``).
The disclosure policy (access.disclosure.purpose_check) reads consents through
``access.selectors.consent_active_for``; nothing else decides whether a consent is in force.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongxin.access.errors import (
    ConsentAlreadyRevoked,
    ConsentGranteeInvalid,
    ConsentGranteeIsSubject,
    ConsentNotSubject,
    ConsentPurposeRequired,
    ConsentScopeInvalid,
    ConsentValidityInvalid,
)
from gongxin.access.models import Consent
from gongxin.access.selectors import consent_grantee_kind
from gongxin.accounts.capabilities import acts_for_subject, decides_for_office, is_office
from gongxin.accounts.choices import AgentCapability
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.core.events import CONSENT_GRANTED, CONSENT_REVOKED
from gongxin.core.outbox import event_emit
from gongxin.subjects.models import Subject

AGGREGATE = "consent"

# The longest a consent may run, in calendar months from the moment it is granted. Authorizations for
# credit queries are given per matter (a loan, a tender, a tenancy) and renewed when needed; one year
# is the customary ceiling of such authorizations (e.g. credit-reference authorizations for lending).
# A policy choice of this platform, not a number of the law: change it here, with its reason.
CONSENT_MAX_MONTHS = 12

PURPOSE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 1000


def consent_latest_end(*, at: datetime | None = None) -> datetime:
    """The latest ``valid_until`` a consent granted at ``at`` (default: now) may have."""
    local = timezone.localtime(at or clock.now())
    end = clock.add_months(local.date(), CONSENT_MAX_MONTHS)
    return local.replace(year=end.year, month=end.month, day=end.day)


def _grantee_label(*, user: User | None, client: ApiClient | None, department: Department | None) -> str:
    if user is not None:
        return f"{user.display_name}（{user.username}）" if user.display_name else user.username
    if client is not None:
        return f"{client.name}（{client.department.name}）"
    assert department is not None
    return department.name


def consent_grantee_shown(*, consent: Consent, viewer: Viewer) -> str:
    """The requester as ``viewer`` may see it (accounts.actors): a client as its department, never its name; an
    account by its display name, as the subject named it (the office sees the stored label)."""
    if is_office(viewer):
        return consent.grantee_label
    client = consent.grantee_client
    if client is not None:
        return client.department.name
    return consent.grantee_label


# Scopes that name no catalog item: a consent for them lets the grantee ask what they say and opens no
# record (the disclosure layer filters records by the scope's item codes, and these match none).
SCOPE_ELIGIBILITY_ONLY = "benefits:eligibility"  # a benefit provider may check eligibility, nothing more
SCOPES_WITHOUT_RECORDS = frozenset({SCOPE_ELIGIBILITY_ONLY})


def _scope_clean(scope: list[str]) -> list[str]:
    codes = list(dict.fromkeys(str(code).strip() for code in scope if str(code).strip()))
    if not codes:
        return []
    known = set(items_current().filter(code__in=codes).values_list("code", flat=True)) | SCOPES_WITHOUT_RECORDS
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ConsentScopeInvalid(details={"unknown": unknown})
    return codes


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def consent_grant(
    *,
    subject: Subject,
    grantee_user: User | None = None,
    grantee_client: ApiClient | None = None,
    grantee_department: Department | None = None,
    purpose: str,
    scope: list[str],
    valid_until: datetime,
    actor: Viewer,
) -> Consent:
    """The subject authorizes one requester to query its non-public records until ``valid_until``.

    ``scope`` lists catalog item codes; empty means every item up to the authorized level. Only the
    subject itself (a person, or an agent of the organization) may grant; a person acting as a firm's agent only
    when its mandate covers authorizations (accounts.agents: ``lending``, "query and lending authorizations").
    """
    if not acts_for_subject(actor, subject_id=subject.pk, capability=AgentCapability.LENDING):
        raise ConsentNotSubject()
    grantees = [g for g in (grantee_user, grantee_client, grantee_department) if g is not None]
    if len(grantees) != 1:
        raise ConsentGranteeInvalid()
    if grantee_user is not None and grantee_user.subject_id == subject.pk:
        raise ConsentGranteeIsSubject()
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ConsentPurposeRequired()
    if len(purpose) > PURPOSE_MAX_LENGTH:
        raise ConsentPurposeRequired(details={"max_length": PURPOSE_MAX_LENGTH})
    now = clock.now()
    valid_until = _aware(valid_until)
    latest = consent_latest_end(at=now)
    if valid_until <= now or valid_until > latest:
        raise ConsentValidityInvalid(details={"latest": latest.isoformat()})
    codes = _scope_clean(scope)

    with transaction.atomic():
        consent = Consent.objects.create(
            subject=subject,
            grantee_user=grantee_user,
            grantee_client=grantee_client,
            grantee_department=grantee_department,
            grantee_label=_grantee_label(user=grantee_user, client=grantee_client, department=grantee_department),
            purpose=purpose,
            scope=codes,
            valid_from=now,
            valid_until=valid_until,
            granted_at=now,
            granted_by_id=actor.user_id,
        )
        event_emit(topic=CONSENT_GRANTED, aggregate_type=AGGREGATE, aggregate_id=consent.pk, subject_id=subject.pk,
                   payload=_payload(consent, actor=actor))
    return consent


def consent_revoke(*, consent: Consent, actor: Viewer, reason: str = "") -> Consent:
    """End a consent now. The subject itself may revoke, or credit office staff on its behalf.

    Queries already made under it stay in the inquiry log with the consent they relied on.
    """
    is_subject = actor.subject_id is not None and actor.subject_id == consent.subject_id
    # Staff may revoke on the subject's behalf (e.g. on a written request at the counter).
    if not is_subject and not decides_for_office(actor):
        raise ConsentNotSubject()
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_at is not None:
            raise ConsentAlreadyRevoked()
        locked.revoked_at = clock.now()
        locked.revoked_reason = (reason or "").strip()[:REASON_MAX_LENGTH]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        event_emit(topic=CONSENT_REVOKED, aggregate_type=AGGREGATE, aggregate_id=locked.pk,
                   subject_id=locked.subject_id,
                   payload={**_payload(locked, actor=actor), "revoked_at": locked.revoked_at.isoformat(),
                            "reason": locked.revoked_reason})
    consent.revoked_at = locked.revoked_at
    consent.revoked_reason = locked.revoked_reason
    return consent


def _payload(consent: Consent, *, actor: Viewer) -> dict[str, Any]:
    # No personal data: the grantee by kind and id, the subject only by its id (the event's subject_id).
    grantee_id = consent.grantee_user_id or consent.grantee_client_id or consent.grantee_department_id
    return {
        "grantee_kind": consent_grantee_kind(consent),
        "grantee_id": grantee_id,
        "grantee_label": consent.grantee_label,
        "purpose": consent.purpose,
        "scope": list(consent.scope),
        "valid_from": consent.valid_from.isoformat(),
        "valid_until": consent.valid_until.isoformat(),
        "actor": actor.label,
    }
