"""What a delivery shows: the event's subject and aggregate as the one disclosure policy lets the client see them.

Webhooks and the change feed both call ``deliveries_content``, so they carry the same content. Content is
disclosed when it is sent or read — never stored, never the event's raw payload: a record that has since
left what the client may see (revoked, repaired, retention ended) arrives as ``"visible": false`` so the
client drops its copy. Personal fields are masked (sharing purpose); a person's RIN is always masked.

Non-public disclosures are logged as inquiries the subject can see (one per subject per webhook or page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from gongxin.access.choices import Channel
from gongxin.access.disclosure import LEVELS_SHOWN, LOGGED_PURPOSES, fields_shown, records_visible
from gongxin.access.services import inquiry_record
from gongxin.accounts.choices import Scope
from gongxin.accounts.models import ApiClient
from gongxin.accounts.viewer import Viewer, viewer_for_client
from gongxin.catalog.choices import SubjectKind
from gongxin.core.errors import PermissionDenied
from gongxin.records.choices import Purpose
from gongxin.sharing.models import Delivery
from gongxin.subjects.models import Subject

# The purposes a subscription reads with (client_purpose) and the catalog levels each may ever show: the
# disclosure policy's table, so the fan-out skips events of other items.
PURPOSE_LEVELS: dict[str, tuple[str, ...]] = {
    purpose: LEVELS_SHOWN[purpose] for purpose in (Purpose.SHARING, Purpose.PUBLIC)
}

# aggregate type -> function(ids, viewer, purpose) -> {id: content}. Apps whose events carry a subject
# (scores, measures ...) add theirs with ``content_provider_register``; events of other types are not shared.
ContentProvider = Callable[[Sequence[int], Viewer, str], dict[int, dict[str, Any]]]
_PROVIDERS: dict[str, ContentProvider] = {}


def content_provider_register(aggregate_type: str, provider: ContentProvider) -> None:
    _PROVIDERS[aggregate_type] = provider


def shared_aggregate_types() -> list[str]:
    return sorted(_PROVIDERS)


def client_purpose(client: ApiClient) -> str:
    """Government systems (records:share) see the sharing view; any other client the public one."""
    return Purpose.SHARING if Scope.RECORDS_SHARE in (client.scopes or []) else Purpose.PUBLIC


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def records_content(ids: Sequence[int], viewer: Viewer, purpose: str) -> dict[int, dict[str, Any]]:
    """The records (by id) ``viewer`` may see for ``purpose``, in the shape of the records API."""
    shown: dict[int, dict[str, Any]] = {}
    for record in records_visible(viewer=viewer, purpose=purpose).filter(pk__in=list(ids)):
        version = record.current_version
        assert version is not None
        item = record.catalog_item
        shown[record.pk] = {
            "record_id": record.pk,
            "item": item.code,
            "item_name": item.name,
            "record_kind": item.record_kind,
            "list_type": item.list_type_code or None,
            "version": version.number,
            "status": version.status,
            "polarity": version.polarity,
            "severity": version.severity,
            "source_unit": record.source_unit.department.name,
            "legal_basis": version.legal_basis or item.legal_basis,
            "decision_date": _iso(version.decision_date),
            "under_objection": version.under_objection,
            "repaired": version.repaired,
            "publicity_end": _iso(version.publicity_max_end),
            "retention_end": _iso(version.retention_end),
            "fields": [{"code": c, "label": label, "value": value}
                       for c, label, value in fields_shown(item=item, payload=version.payload, purpose=purpose)],
        }
    return shown


content_provider_register("record", records_content)


def _subjects(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Who a delivery is about: an organization by USCC, a person by the masked RIN only."""
    out: dict[int, dict[str, Any]] = {}
    for subject in Subject.objects.filter(pk__in=set(ids)).select_related("organization", "person"):
        is_org = subject.kind == SubjectKind.ORGANIZATION
        code = subject.organization.uscc if is_org else subject.person.rin_masked
        out[subject.pk] = {"id": subject.pk, "kind": subject.kind, "name": subject.name, "code": code}
    return out


def deliveries_content(
    deliveries: Sequence[Delivery], *, client: ApiClient, purpose: str, reason: str = "subscription"
) -> list[dict[str, Any]]:
    """The items of ``deliveries`` (in the given order) as ``client`` may see them now."""
    viewer = viewer_for_client(client)
    by_type: dict[str, set[int]] = {}
    for delivery in deliveries:
        by_type.setdefault(delivery.aggregate_type, set()).add(delivery.aggregate_id)
    contents: dict[str, dict[int, dict[str, Any]]] = {}
    for aggregate_type, ids in by_type.items():
        provider = _PROVIDERS.get(aggregate_type)
        try:
            contents[aggregate_type] = provider(sorted(ids), viewer, purpose) if provider is not None else {}
        except PermissionDenied:
            # The client lost the scope its subscription was made with: it sees nothing of it any more.
            contents[aggregate_type] = {}
    subjects = _subjects(d.subject_id for d in deliveries)
    items = []
    shown_per_subject: dict[int, int] = {}
    for delivery in deliveries:
        content = contents[delivery.aggregate_type].get(delivery.aggregate_id)
        if content is not None:
            shown_per_subject[delivery.subject_id] = shown_per_subject.get(delivery.subject_id, 0) + 1
        items.append({
            "sequence": delivery.pk,
            "subscription": delivery.subscription_id,
            "event_id": delivery.event_id,
            "topic": delivery.topic,
            "occurred_at": delivery.occurred_at.isoformat(),
            "subject": subjects.get(delivery.subject_id),
            "aggregate": {"type": delivery.aggregate_type, "id": delivery.aggregate_id},
            "visible": content is not None,
            "content": content,
        })
    if purpose in LOGGED_PURPOSES:
        for subject_id, count in shown_per_subject.items():
            inquiry_record(subject_id=subject_id, viewer=viewer, purpose=purpose, channel=Channel.API,
                           reason=reason, records_shown=count)
    return items


__all__ = [
    "PURPOSE_LEVELS", "client_purpose", "content_provider_register", "deliveries_content", "records_content",
    "shared_aggregate_types",
]
