"""The credit office's pages of one subject and one record: what the platform holds (purpose staff, or audit for an
auditor — logged as an inquiry the subject sees, like every such read), each version with who wrote it, and where
what another platform sent came from (core.provenance: the exchange's node and package, decision 077).

Here, above the exchange, because these pages show what the exchange tells; the public pages (views.py) show the
issuing body as the record's source unit and nothing of packages.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gongxin.access.choices import Channel
from gongxin.access.shown import (
    profile_records_page,
    record_shown,
    record_versions,
    records_origin,
    subject_for_purpose,
    subject_origin,
)
from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.core.provenance import Provenance
from gongxin.exchange.selectors_provenance import node_shown
from gongxin.records.choices import ChangeKind, Purpose, RecordStatus

PAGE_SIZE = 50
CURSOR_MAX_LENGTH = 500


def _purpose(viewer: Viewer) -> str:
    return Purpose.STAFF if decides_for_office(viewer) else Purpose.AUDIT


def _label(choices: type[ChangeKind] | type[RecordStatus], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _origin_shown(origin: Provenance | None) -> dict[str, object] | None:
    """What a page says of a provenance: the node in words, the package, the time and the audit page's address."""
    if origin is None:
        return None
    return {"node": node_shown(code=origin.node, name=origin.node_name), "package": origin.package, "at": origin.at,
            "audit_url": origin.audit_url}


@require_safe
@page_requires(is_office)
def subject_office(request: HttpRequest, subject_id: int) -> HttpResponse:
    """A subject as the office sees it: its kind and region, whether a data exchange package registered it, and its
    records (newest decision first, paged), each marked when it came by exchange."""
    viewer = page_viewer(request)
    purpose = _purpose(viewer)
    subject = subject_for_purpose(subject_id=subject_id, viewer=viewer, purpose=purpose)
    page = profile_records_page(subject=subject, viewer=viewer, purpose=purpose, name="office",
                                cursor=request.GET.get("cursor", "")[:CURSOR_MAX_LENGTH] or None, size=PAGE_SIZE,
                                channel=Channel.PORTAL)
    origins = records_origin(record_ids=[r.record_id for r in page.records], purpose=purpose)
    rows = [{"record": r, "status": _label(RecordStatus, r.status), "origin": _origin_shown(origins.get(r.record_id))}
            for r in page.records]
    return render(request, "portal/office_subject.html", {
        "subject": subject, "exchanged": _origin_shown(subject_origin(subject_id=subject.pk, purpose=purpose)),
        "rows": rows, "page": page, "purpose_label": Purpose(purpose).label,
    })


@require_safe
@page_requires(is_office)
def record_office(request: HttpRequest, record_id: int) -> HttpResponse:
    """One record as the office sees it: its fields, where it came from, and every version with who wrote it."""
    viewer = page_viewer(request)
    purpose = _purpose(viewer)
    record = record_shown(record_id=record_id, viewer=viewer, purpose=purpose)
    versions = [{"version": v, "change": _label(ChangeKind, v.change), "status": _label(RecordStatus, v.status)}
                for v in record_versions(record_id=record_id, viewer=viewer, purpose=purpose)]
    return render(request, "portal/office_record.html", {
        "record": record, "status": _label(RecordStatus, record.status), "versions": versions,
        "origin": _origin_shown(records_origin(record_ids=[record_id], purpose=purpose).get(record_id)),
        "purpose_label": Purpose(purpose).label,
    })
