"""Writes of the access app: inquiries (append-only log of queries). Consents: see consents.py."""

from __future__ import annotations

from gongxin.access.models import Consent, Inquiry
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock


def inquiry_record(
    *,
    subject_id: int,
    viewer: Viewer,
    purpose: str,
    channel: str,
    consent: Consent | None = None,
    reason: str = "",
    records_shown: int = 0,
) -> Inquiry:
    """Log one query of a subject. Called by the disclosure layer, never skipped for non-public purposes."""
    return Inquiry.objects.create(
        subject_id=subject_id,
        viewer_label=viewer.label,
        viewer_user_id=viewer.user_id,
        viewer_client_id=viewer.client_id,
        viewer_department_id=viewer.department_id,
        purpose=purpose,
        reason=reason[:300],
        channel=channel,
        consent=consent,
        records_shown=records_shown,
        created_at=clock.now(),
    )
