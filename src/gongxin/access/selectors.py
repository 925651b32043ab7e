"""Reads of consents and inquiries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from gongxin.access.choices import ConsentState, GranteeKind
from gongxin.access.errors import (
    ConsentGranteeInvalid,
    ConsentGranteeNotFound,
    ConsentNotFound,
    InquiriesNotAllowed,
)
from gongxin.access.models import Consent, Inquiry
from gongxin.accounts.capabilities import is_office
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock


def consent_active_for(*, subject_id: int, viewer: Viewer, at: datetime | None = None) -> Consent | None:
    """The consent (newest first) that lets ``viewer`` query ``subject_id`` now, if any.

    A consent names one requester: the viewer's account, its API client, or its department.
    """
    at = at or clock.now()
    grantee = _grantee_q(viewer)
    if not grantee:
        return None
    return (
        Consent.objects.filter(grantee, subject_id=subject_id, revoked_at__isnull=True, valid_from__lte=at,
                               valid_until__gt=at)
        .order_by("-granted_at")
        .first()
    )


def _grantee_q(viewer: Viewer) -> Q:
    """Consents naming ``viewer``: its account, its API client, or its department."""
    grantee = Q()
    if viewer.user_id is not None:
        grantee |= Q(grantee_user_id=viewer.user_id)
    if viewer.client_id is not None:
        grantee |= Q(grantee_client_id=viewer.client_id)
    if viewer.department_id is not None:
        grantee |= Q(grantee_department_id=viewer.department_id)
    return grantee


def inquiries_of(*, subject_id: int) -> QuerySet[Inquiry]:
    """A subject's inquiry log, newest first (shown to the subject itself and to staff)."""
    return Inquiry.objects.filter(subject_id=subject_id).select_related("consent").order_by("-created_at", "-id")


def consent_state(consent: Consent, *, at: datetime | None = None) -> str:
    """Where ``consent`` stands at ``at`` (default: now): active, pending, expired or revoked."""
    at = at or clock.now()
    if consent.revoked_at is not None and consent.revoked_at <= at:
        return ConsentState.REVOKED
    if consent.valid_until <= at:
        return ConsentState.EXPIRED
    if consent.valid_from > at:
        return ConsentState.PENDING
    return ConsentState.ACTIVE


def consent_grantee_kind(consent: Consent) -> str:
    """Which kind of requester a consent names: user, client or department."""
    if consent.grantee_user_id is not None:
        return GranteeKind.USER
    if consent.grantee_client_id is not None:
        return GranteeKind.CLIENT
    return GranteeKind.DEPARTMENT


def consents_of(*, subject_id: int) -> QuerySet[Consent]:
    """The consents a subject has granted, newest first (for the subject itself and staff)."""
    return (
        Consent.objects.filter(subject_id=subject_id)
        .select_related("grantee_user", "grantee_client", "grantee_department")
        .order_by("-granted_at", "-id")
    )


def consents_received(*, viewer: Viewer) -> QuerySet[Consent]:
    """The consents naming ``viewer`` as requester (its account, its API client or its department),
    newest first. An anonymous viewer has none."""
    grantee = _grantee_q(viewer)
    if not grantee:
        return Consent.objects.none()
    return (
        Consent.objects.filter(grantee)
        .select_related("subject__organization", "subject__person")
        .order_by("-granted_at", "-id")
    )


def consent_of_subject(*, consent_id: int, subject_id: int) -> Consent:
    """One of a subject's consents; another subject's consent is "not found", never "forbidden"."""
    consent = Consent.objects.filter(pk=consent_id, subject_id=subject_id).first()
    if consent is None:
        raise ConsentNotFound()
    return consent


def consent_by_id(*, consent_id: int) -> Consent:
    consent = Consent.objects.filter(pk=consent_id).first()
    if consent is None:
        raise ConsentNotFound()
    return consent


@dataclass(frozen=True)
class Grantee:
    """The requester a consent names: exactly one of the three is set."""

    user: User | None = None
    client: ApiClient | None = None
    department: Department | None = None


def consent_grantee_find(*, username: str = "", client_key_prefix: str = "", department_code: str = "") -> Grantee:
    """The requester named by a username, an API client's key prefix or a department code (exactly one).

    Inactive users and disabled API clients cannot be named: they could never use the consent.
    """
    given = [value.strip() for value in (username, client_key_prefix, department_code) if value and value.strip()]
    if len(given) != 1:
        raise ConsentGranteeInvalid()
    if username.strip():
        user = User.objects.filter(username=username.strip(), is_active=True).first()
        if user is None:
            raise ConsentGranteeNotFound()
        return Grantee(user=user)
    if client_key_prefix.strip():
        client = (
            ApiClient.objects.select_related("department")
            .filter(key_prefix=client_key_prefix.strip(), is_active=True)
            .first()
        )
        if client is None:
            raise ConsentGranteeNotFound()
        return Grantee(client=client)
    department = Department.objects.filter(code=department_code.strip()).first()
    if department is None:
        raise ConsentGranteeNotFound()
    return Grantee(department=department)


def inquiries_visible(*, viewer: Viewer, subject_id: int) -> QuerySet[Inquiry]:
    """A subject's inquiry log as ``viewer`` may read it: the subject itself, or staff and auditors."""
    if viewer.subject_id != subject_id and not is_office(viewer):
        raise InquiriesNotAllowed()
    return inquiries_of(subject_id=subject_id)
