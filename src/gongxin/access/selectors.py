"""Reads of consents and inquiries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from gongxin.access.models import Consent, Inquiry
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock


def consent_active_for(*, subject_id: int, viewer: Viewer, at: datetime | None = None) -> Consent | None:
    """The consent (newest first) that lets ``viewer`` query ``subject_id`` now, if any.

    A consent names one requester: the viewer's account, its API client, or its department.
    """
    at = at or clock.now()
    grantee = Q()
    if viewer.user_id is not None:
        grantee |= Q(grantee_user_id=viewer.user_id)
    if viewer.client_id is not None:
        grantee |= Q(grantee_client_id=viewer.client_id)
    if viewer.department_id is not None:
        grantee |= Q(grantee_department_id=viewer.department_id)
    if not grantee:
        return None
    return (
        Consent.objects.filter(grantee, subject_id=subject_id, revoked_at__isnull=True, valid_from__lte=at,
                               valid_until__gt=at)
        .order_by("-granted_at")
        .first()
    )


def inquiries_of(*, subject_id: int) -> QuerySet[Inquiry]:
    """A subject's inquiry log, newest first (shown to the subject itself and to staff)."""
    return Inquiry.objects.filter(subject_id=subject_id).select_related("consent").order_by("-created_at", "-id")
