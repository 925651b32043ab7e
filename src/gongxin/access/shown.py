"""What a viewer is shown of records: a subject's profile, one record, its history.

Every read here goes through the disclosure policy (access.disclosure); a profile read for a non-public
purpose is logged as an inquiry in the same call (access.services.inquiry_record). The record store
(``records``) keeps only the store-level reads that disclose nothing about one subject."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from gongxin.access.choices import Channel
from gongxin.access.disclosure import (
    LOGGED_PURPOSES,
    Viewer,
    fields_reader,
    fields_shown,
    purpose_check,
    records_visible,
)
from gongxin.access.services import inquiry_record
from gongxin.accounts.actors import actors_shown
from gongxin.accounts.choices import Role
from gongxin.catalog.models import CatalogItem
from gongxin.core.paging import Keyset, SortKey, keyset_page
from gongxin.core.provenance import Provenance, records_provenance, subjects_provenance
from gongxin.records.choices import Purpose
from gongxin.records.errors import RecordNotFound
from gongxin.records.models import Record, RecordVersion
from gongxin.records.packing import payload_unpack, text_of
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class ShownField:
    code: str
    label: str
    value: str


@dataclass(frozen=True)
class ShownRecord:
    record_id: int
    item_code: str
    item_name: str
    record_kind: str
    polarity: str
    severity: str
    source_unit_name: str
    legal_basis: str
    decision_date: date | None
    published: bool
    publicity_min_end: date | None
    publicity_max_end: date | None
    retention_end: date | None
    under_objection: bool
    repaired: bool
    status: str
    version: int
    fields: list[ShownField]


def _shown(record: Record, purpose: str) -> ShownRecord:
    version = record.current_version
    assert version is not None
    item = record.catalog_item
    return ShownRecord(
        record_id=record.pk,
        item_code=item.code,
        item_name=item.name_en if item.name_en and (get_language() or "").startswith("en") else item.name,
        record_kind=item.record_kind,
        polarity=version.polarity,
        severity=version.severity,
        source_unit_name=record.source_unit.department.name,
        legal_basis=version.legal_basis or item.legal_basis,
        decision_date=version.decision_date,
        published=version.published,
        publicity_min_end=version.publicity_min_end,
        publicity_max_end=version.publicity_max_end,
        retention_end=version.retention_end,
        under_objection=version.under_objection,
        repaired=version.repaired,
        status=version.status,
        version=version.number,
        fields=[ShownField(*f) for f in fields_shown(item=item, payload=version.payload, purpose=purpose)],
    )


# What a whole profile reads of each record, as plain values (``_shown_all``).
_COLUMNS = (
    "id", "catalog_item_id", "source_unit__department__name", "current_version__number", "current_version__polarity",
    "current_version__severity", "current_version__legal_basis_ref", "current_version__legal_basis_text",
    "current_version__decision_date",
    "current_version__published", "current_version__publicity_min_end", "current_version__publicity_max_end",
    "current_version__retention_end", "current_version__under_objection", "current_version__repaired",
    "current_version__status", "current_version__packed_payload",
)


def _shown_all(queryset: QuerySet[Record], purpose: str) -> list[ShownRecord]:
    """``_shown`` of every record of ``queryset``, set-based: the records as rows of plain values (no model
    instances of records, versions, items and units), the catalog items once (one more query), each item's
    fields read through one ``fields_reader``. A report of 500 records spent most of its reading in the model
    instances and in reading each record's item schema again (docs/decisions/046-reports-of-big-subjects.md)."""
    rows = list(queryset.values_list(*_COLUMNS))
    items = CatalogItem.objects.in_bulk({row[1] for row in rows})
    english = (get_language() or "").startswith("en")
    readers: dict[int, Any] = {}
    names: dict[int, str] = {}
    for item_id, item in items.items():
        readers[item_id] = fields_reader(item=item, purpose=purpose, english=english)
        names[item_id] = item.name_en if item.name_en and english else item.name
    shown = []
    for (record_id, item_id, unit, number, polarity, severity, basis_ref, basis_text, decision_date, published,
         min_end, max_end, retention_end, under_objection, repaired, status, packed) in rows:
        item = items[item_id]
        legal_basis = text_of(basis_ref) if basis_ref is not None else basis_text  # RecordVersion.legal_basis
        shown.append(ShownRecord(
            record_id=record_id, item_code=item.code, item_name=names[item_id], record_kind=item.record_kind,
            polarity=polarity, severity=severity, source_unit_name=unit, legal_basis=legal_basis or item.legal_basis,
            decision_date=decision_date, published=published, publicity_min_end=min_end, publicity_max_end=max_end,
            retention_end=retention_end, under_objection=under_objection, repaired=repaired, status=status,
            version=number, fields=[ShownField(*f) for f in readers[item_id](payload_unpack(packed))],
        ))
    return shown


def profile_records(
    *, subject: Subject, viewer: Viewer, purpose: str, channel: str = Channel.PORTAL, reason: str = ""
) -> list[ShownRecord]:
    """A subject's records as ``viewer`` may see them for ``purpose``, newest decision first.

    Queries for a non-public purpose are logged as an inquiry the subject can see (who, when, why,
    under which consent), in the same call: no caller can forget it.
    """
    grant = purpose_check(viewer=viewer, purpose=purpose, subject=subject)
    queryset = records_visible(viewer=viewer, purpose=purpose, subject=subject, grant=grant).order_by(
        "-current_version__decision_date", "-id"
    )
    shown = _shown_all(queryset, purpose)
    if purpose in LOGGED_PURPOSES:
        inquiry_record(subject_id=subject.pk, viewer=viewer, purpose=purpose, channel=channel,
                       consent=grant.consent, reason=reason, records_shown=len(shown))
    return shown


def profile_keyset(name: str) -> Keyset:
    """A profile's order, newest decision first, records without a decision date last, then the newest id; the
    ``name`` (one per group of a profile) salts the cursors, so a cursor of one group is refused by another."""
    return Keyset(name=f"profile.{name}", keys=(
        SortKey("current_version__decision_date", "date", nullable=True), SortKey("id", "int")))


@dataclass(frozen=True)
class ShownPage:
    """One page of a subject's records, with the cursors of its neighbours (None: there is none)."""

    records: list[ShownRecord]
    next_cursor: str | None
    previous_cursor: str | None


def profile_records_page(
    *, subject: Subject, viewer: Viewer, purpose: str, name: str, kinds: Collection[str] | None = None,
    other_than: Collection[str] = (), cursor: str | None = None, size: int = 10, channel: str = Channel.PORTAL,
    reason: str = "",
) -> ShownPage:
    """One page of ``profile_records``: the records of ``kinds`` (None: all but ``other_than``), keyset-paged in the
    profile's order (core.paging; a bad cursor raises ``CursorInvalid``). The same disclosure and the same
    inquiry log as the whole profile: a logged purpose logs each page it reads."""
    grant = purpose_check(viewer=viewer, purpose=purpose, subject=subject)
    queryset = records_visible(viewer=viewer, purpose=purpose, subject=subject, grant=grant)
    if kinds is not None:
        queryset = queryset.filter(catalog_item__record_kind__in=list(kinds))
    if other_than:
        queryset = queryset.exclude(catalog_item__record_kind__in=list(other_than))
    page = keyset_page(queryset, keyset=profile_keyset(name), cursor=cursor, size=size)
    shown = [_shown(record, purpose) for record in page.items]
    if purpose in LOGGED_PURPOSES:
        inquiry_record(subject_id=subject.pk, viewer=viewer, purpose=purpose, channel=channel,
                       consent=grant.consent, reason=reason, records_shown=len(shown))
    return ShownPage(records=shown, next_cursor=page.next_cursor, previous_cursor=page.previous_cursor)


def record_shown(*, record_id: int, viewer: Viewer, purpose: str) -> ShownRecord:
    record = Record.objects.select_related("subject").filter(pk=record_id).first()
    if record is None:
        raise RecordNotFound()
    visible = records_visible(viewer=viewer, purpose=purpose, subject=record.subject).filter(pk=record_id).first()
    if visible is None:
        raise RecordNotFound()
    return _shown(visible, purpose)


# Purposes that see who wrote each version and why (the platform's own people): the credit office and audit.
ACTOR_PURPOSES = frozenset({Purpose.STAFF, Purpose.AUDIT})


@dataclass(frozen=True)
class ShownVersion:
    """One version of a record's history as a viewer sees it. ``actor`` and ``reason`` are internal (a login's
    username, an operator's note): for every purpose but staff and audit the actor is the role-level name of
    ``accounts.actors`` (the source unit that wrote it, the credit office, the platform) and the reason is left
    out; the legal basis is always shown."""

    number: int
    change: str
    status: str
    created_at: datetime
    actor: str
    reason: str
    legal_basis: str
    source_unit_name: str
    content_hash: str
    severity: str
    under_objection: bool
    repaired: bool
    publicity_min_end: date | None
    publicity_max_end: date | None
    retention_end: date | None


def record_versions(*, record_id: int, viewer: Viewer, purpose: str) -> list[ShownVersion]:
    """The history of a record the viewer may see (same disclosure rule as the record itself)."""
    record = record_shown(record_id=record_id, viewer=viewer, purpose=purpose)
    internal = purpose in ACTOR_PURPOSES
    versions = list(RecordVersion.objects.filter(record_id=record_id).select_related("record__catalog_item")
                    .order_by("number"))
    # The purpose, not only the role, decides: the office asking for the public view gets the public view.
    shown_to = viewer if internal else replace(viewer, role=Role.PUBLIC)
    subject_id = versions[0].record.subject_id if versions else None
    actors = actors_shown(labels=(v.actor_label for v in versions), viewer=shown_to, subject_id=subject_id)
    return [
        ShownVersion(
            number=v.number, change=v.change, status=v.status, created_at=v.created_at,
            actor=actors[v.actor_label], reason=v.reason if internal else "",
            legal_basis=v.legal_basis or v.record.catalog_item.legal_basis, source_unit_name=record.source_unit_name,
            content_hash=v.content_hash, severity=v.severity, under_objection=v.under_objection,
            repaired=v.repaired, publicity_min_end=v.publicity_min_end, publicity_max_end=v.publicity_max_end,
            retention_end=v.retention_end,
        )
        for v in versions
    ]



def records_origin(*, record_ids: Collection[int], purpose: str) -> dict[int, Provenance]:
    """Where the records of ``record_ids`` came from when another platform sent them (core.provenance): for staff
    and audit only, like a version's actor; an empty dict for every other purpose. Call it with records the viewer
    was shown for ``purpose`` (the disclosure was checked there)."""
    return records_provenance(record_ids) if purpose in ACTOR_PURPOSES else {}


def subject_origin(*, subject_id: int, purpose: str) -> Provenance | None:
    """The package that registered the subject here (core.provenance), for staff and audit only; else None."""
    return subjects_provenance([subject_id]).get(subject_id) if purpose in ACTOR_PURPOSES else None


def subject_for_purpose(*, subject_id: int, viewer: Viewer, purpose: str) -> Subject:
    """The subject of ``subject_id`` if ``viewer`` may look at it for ``purpose`` (else ``SubjectNotFound`` or the
    purpose's refusal): the lookup and the permission in one place, for pages that name a subject by its id."""
    subject = Subject.objects.filter(pk=subject_id).first()
    if subject is None:
        raise SubjectNotFound()
    purpose_check(viewer=viewer, purpose=purpose, subject=subject)
    return subject
