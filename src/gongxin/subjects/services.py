"""Writes of the subjects app: registering organizations and persons, adding aliases and relations.

Every write runs in one transaction with its outbox event (``subjects.subject.created``,
``subjects.identifier.added``, ``subjects.relation.added``). A person's RIN is stored only sealed
(AES-GCM), as a keyed lookup hash and masked; it never appears in an event payload.

The ``*_bulk`` functions are the set-based path for the demo and ingest: rows are validated, rows
whose USCC / RIN is already registered are skipped, and each batch is written with ``bulk_create``
and its events with ``events_emit_bulk`` in one transaction — so a re-run after a crash resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.core.crypto import seal
from gongxin.core.errors import GongxinError
from gongxin.core.events import IDENTIFIER_ADDED, RELATION_ADDED, RELATION_CORRECTED, RELATION_ENDED, SUBJECT_CREATED
from gongxin.core.outbox import EventDraft, event_emit, events_emit_bulk
from gongxin.subjects.choices import IdentifierScheme, OrganizationKind, OrganizationStatus, RelationKind
from gongxin.subjects.errors import IdentifierDuplicate, RelationDuplicate, SubjectConflict, SubjectInvalid
from gongxin.subjects.identifiers import (
    RIN_CONTEXT,
    identifier_normalize,
    rin_lookup_hash,
    rin_mask,
    rin_validate,
    uscc_org_kind_guess,
    uscc_validate,
)
from gongxin.subjects.models import (
    IDENTIFIER_VALUE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Organization,
    Person,
    Relation,
    Subject,
    SubjectIdentifier,
)
from gongxin.subjects.names import name_initials
from gongxin.subjects.selectors import CODE_RIN_HASH, CODE_USCC, subjects_by_codes

AGGREGATE = "subject"


@dataclass(frozen=True)
class OrganizationRow:
    """One organization for ``organizations_register_bulk``."""

    uscc: str
    name: str
    org_kind: str = OrganizationKind.ENTERPRISE
    region_code: str = ""
    industry: str = ""
    legal_representative: str = ""
    registration_date: date | None = None
    registered_capital_yuan: Decimal | None = None
    address: str = ""
    status: str = OrganizationStatus.ACTIVE
    needs_enrichment: bool = False


@dataclass(frozen=True)
class PersonRow:
    """One natural person for ``persons_register_bulk``."""

    rin: str
    name: str
    region_code: str = ""
    needs_enrichment: bool = False


# ---------------------------------------------------------------------------------------------------
# Single writes
# ---------------------------------------------------------------------------------------------------


def organization_register(
    *,
    uscc: str,
    name: str,
    org_kind: str,
    region_code: str = "",
    industry: str = "",
    legal_representative: str = "",
    registration_date: date | None = None,
    registered_capital_yuan: Decimal | None = None,
    address: str = "",
    status: str = OrganizationStatus.ACTIVE,
    needs_enrichment: bool = False,
    actor_label: str,
) -> Subject:
    """Register an organization by its USCC; ``SubjectConflict`` if the USCC is already registered."""
    row = _organization_row_clean(
        OrganizationRow(
            uscc=uscc, name=name, org_kind=org_kind, region_code=region_code, industry=industry,
            legal_representative=legal_representative, registration_date=registration_date,
            registered_capital_yuan=registered_capital_yuan, address=address, status=status,
            needs_enrichment=needs_enrichment,
        )
    )
    with transaction.atomic():
        if Organization.objects.filter(uscc=row.uscc).exists():
            raise _duplicate_uscc(row.uscc)
        try:
            with transaction.atomic():
                subject = Subject.objects.create(**_subject_fields(row, SubjectKind.ORGANIZATION))
                organization = Organization.objects.create(subject=subject, **_organization_fields(row))
        except IntegrityError as exc:  # registered concurrently since the check above
            raise _duplicate_uscc(row.uscc) from exc
        subject.organization = organization
        _emit(_organization_created_event(subject.pk, row, actor_label))
    return subject


def person_register(
    *,
    rin: str,
    name: str,
    region_code: str = "",
    needs_enrichment: bool = False,
    actor_label: str,
) -> Subject:
    """Register a natural person; the RIN is sealed, hashed and masked, never stored plain."""
    row, digest = _person_row_clean(PersonRow(rin=rin, name=name, region_code=region_code,
                                              needs_enrichment=needs_enrichment))
    with transaction.atomic():
        if Person.objects.filter(rin_hash=digest).exists():
            raise SubjectConflict(_("A person with this identity number is already registered."))
        try:
            with transaction.atomic():
                subject = Subject.objects.create(**_subject_fields(row, SubjectKind.PERSON))
                person = Person.objects.create(subject=subject, **_person_fields(row, digest))
        except IntegrityError as exc:
            raise SubjectConflict(_("A person with this identity number is already registered.")) from exc
        subject.person = person
        _emit(_person_created_event(subject.pk, row, actor_label))
    return subject


def identifier_add(*, subject: Subject, scheme: str, value: str, actor_label: str) -> SubjectIdentifier:
    """Attach an older code (registration number, organization code ...) to an organization.

    Adding the same code to the same subject again returns the existing row; the same code on another
    subject is an ``IdentifierDuplicate`` (a ``SubjectConflict``, ``subject.duplicate_identifier``).
    """
    if scheme not in IdentifierScheme.values:
        raise SubjectInvalid(_("Unknown identifier scheme."), details={"field": "scheme"})
    if subject.kind != SubjectKind.ORGANIZATION:
        raise SubjectInvalid(_("Only organizations have alias codes."), details={"field": "subject"})
    code = identifier_normalize(value)
    if not code or len(code) > IDENTIFIER_VALUE_MAX_LENGTH:
        raise SubjectInvalid(_("The code is empty or too long."), details={"field": "value"})
    with transaction.atomic():
        existing = SubjectIdentifier.objects.filter(scheme=scheme, value=code).first()
        if existing is not None:
            if existing.subject_id == subject.pk:
                return existing
            raise IdentifierDuplicate()
        identifier = SubjectIdentifier.objects.create(subject=subject, scheme=scheme, value=code)
        event_emit(
            topic=IDENTIFIER_ADDED,
            aggregate_type=AGGREGATE,
            aggregate_id=subject.pk,
            subject_id=subject.pk,
            payload={"identifier_id": identifier.pk, "scheme": scheme, "value": code, "actor": actor_label},
        )
    return identifier


def relation_add(
    *,
    from_subject: Subject,
    to_subject: Subject,
    kind: str,
    share_ratio: Decimal | None = None,
    start_date: date | None = None,
    actor_label: str,
) -> Relation:
    """Record that ``from_subject`` is the legal representative / shareholder / executive of, or has
    invested in, the organization ``to_subject``. ``share_ratio`` is a fraction (0.25 = 25 %)."""
    if kind not in RelationKind.values:
        raise SubjectInvalid(_("Unknown relation kind."), details={"field": "kind"})
    if from_subject.pk == to_subject.pk:
        raise SubjectInvalid(_("A subject cannot be related to itself."), details={"field": "to_subject"})
    if to_subject.kind != SubjectKind.ORGANIZATION:
        raise SubjectInvalid(_("Relations point at an organization."), details={"field": "to_subject"})
    if share_ratio is not None:
        share_ratio = Decimal(share_ratio)
        if not Decimal(0) <= share_ratio <= Decimal(1):
            raise SubjectInvalid(_("A share ratio lies between 0 and 1."), details={"field": "share_ratio"})
    with transaction.atomic():
        if Relation.objects.filter(from_subject=from_subject, to_subject=to_subject, kind=kind,
                                   record_ref__isnull=True).exists():
            raise RelationDuplicate()
        relation = Relation.objects.create(
            from_subject=from_subject, to_subject=to_subject, kind=kind, share_ratio=share_ratio,
            start_date=start_date,
        )
        event_emit(
            topic=RELATION_ADDED,
            aggregate_type=AGGREGATE,
            aggregate_id=from_subject.pk,
            subject_id=from_subject.pk,
            payload=_relation_payload(relation, actor_label=actor_label),
        )
    return relation


def subject_resolve_or_create(
    *, uscc: str | None = None, rin: str | None = None, name: str, actor_label: str
) -> Subject:
    """The subject a record names, registered on the fly when unknown (ingest and record submission).

    A USCC, when given, wins over a RIN. A subject created here is marked ``needs_enrichment``: its
    details come from a record, not a registry. The organization kind is guessed from the USCC.
    Safe under concurrency: losing a race to register the same code returns the winner's subject.
    """
    if uscc:
        code = uscc_validate(uscc)
        found = Subject.objects.select_related("organization").filter(organization__uscc=code).first()
        if found is not None:
            return found
        try:
            return organization_register(
                uscc=code, name=name, org_kind=uscc_org_kind_guess(code), needs_enrichment=True,
                actor_label=actor_label,
            )
        except SubjectConflict:
            return Subject.objects.select_related("organization").get(organization__uscc=code)
    if rin:
        check = rin_validate(rin)
        digest = rin_lookup_hash(check.rin)
        found = Subject.objects.select_related("person").filter(person__rin_hash=digest).first()
        if found is not None:
            return found
        try:
            return person_register(rin=check.rin, name=name, needs_enrichment=True, actor_label=actor_label)
        except SubjectConflict:
            return Subject.objects.select_related("person").get(person__rin_hash=digest)
    raise SubjectInvalid(_("Name the subject by its USCC or RIN."), details={"field": "uscc"})


# ---------------------------------------------------------------------------------------------------
# Set-based bulk writes
# ---------------------------------------------------------------------------------------------------


def organizations_register_bulk(
    rows: Iterable[OrganizationRow],
    *,
    actor_label: str,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Register many organizations; returns how many were inserted.

    Rows whose USCC is already registered (or repeated within the input) are skipped, so a re-run is
    safe. An invalid row raises (``InvalidUscc`` / ``SubjectInvalid`` with ``details["row"]``, its
    0-based position) after the batches before it were committed. ``progress`` gets the number of
    rows read after each batch.
    """
    inserted = 0
    for start, batch in _batches(rows, batch_size):
        cleaned: dict[str, OrganizationRow] = {}
        for offset, row in enumerate(batch):
            clean = _with_row_position(_organization_row_clean, row, start + offset)
            cleaned.setdefault(clean.uscc, clean)
        with transaction.atomic():
            existing = {code for code, _id in subjects_by_codes(scheme=CODE_USCC, codes=cleaned)}
            fresh = [row for uscc, row in cleaned.items() if uscc not in existing]
            if fresh:
                subjects = Subject.objects.bulk_create(
                    [Subject(**_subject_fields(row, SubjectKind.ORGANIZATION)) for row in fresh],
                    batch_size=batch_size,
                )
                Organization.objects.bulk_create(
                    [Organization(subject_id=s.pk, **_organization_fields(row))
                     for s, row in zip(subjects, fresh, strict=True)],
                    batch_size=batch_size,
                )
                events_emit_bulk(
                    (_organization_created_event(s.pk, row, actor_label) for s, row in zip(subjects, fresh,
                                                                                            strict=True)),
                    batch_size=batch_size,
                )
        inserted += len(fresh)
        if progress is not None:
            progress(start + len(batch))
    return inserted


def persons_register_bulk(
    rows: Iterable[PersonRow],
    *,
    actor_label: str,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Register many natural persons; returns how many were inserted. Same rules as
    ``organizations_register_bulk``, keyed by the RIN's lookup hash."""
    inserted = 0
    for start, batch in _batches(rows, batch_size):
        cleaned: dict[str, PersonRow] = {}
        for offset, row in enumerate(batch):
            clean, digest = _with_row_position(_person_row_clean, row, start + offset)
            cleaned.setdefault(digest, clean)
        with transaction.atomic():
            existing = {code for code, _id in subjects_by_codes(scheme=CODE_RIN_HASH, codes=cleaned)}
            fresh = [(digest, row) for digest, row in cleaned.items() if digest not in existing]
            if fresh:
                subjects = Subject.objects.bulk_create(
                    [Subject(**_subject_fields(row, SubjectKind.PERSON)) for _digest, row in fresh],
                    batch_size=batch_size,
                )
                Person.objects.bulk_create(
                    [Person(subject_id=s.pk, **_person_fields(row, digest))
                     for s, (digest, row) in zip(subjects, fresh, strict=True)],
                    batch_size=batch_size,
                )
                events_emit_bulk(
                    (_person_created_event(s.pk, row, actor_label)
                     for s, (_digest, row) in zip(subjects, fresh, strict=True)),
                    batch_size=batch_size,
                )
        inserted += len(fresh)
        if progress is not None:
            progress(start + len(batch))
    return inserted


# ---------------------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------------------


def _batches(rows: Iterable[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    if size < 1:
        raise ValueError("batch_size must be positive")
    iterator = iter(rows)
    start = 0
    while batch := list(islice(iterator, size)):
        yield start, batch
        start += len(batch)


def _with_row_position(clean: Callable[[Any], Any], row: Any, position: int) -> Any:
    """Run a row cleaner; an error says which input row (0-based) it is about."""
    try:
        return clean(row)
    except GongxinError as exc:
        exc.details = {**(exc.details if isinstance(exc.details, dict) else {}), "row": position}
        raise


def _emit(draft: EventDraft) -> None:
    event_emit(topic=draft.topic, aggregate_type=draft.aggregate_type, aggregate_id=draft.aggregate_id,
               subject_id=draft.subject_id, payload=draft.payload)


def _duplicate_uscc(uscc: str) -> SubjectConflict:
    return SubjectConflict(
        _("An organization with the code %(uscc)s is already registered.") % {"uscc": uscc},
        details={"uscc": uscc},
    )


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise SubjectInvalid(
            _("A subject needs a name of at most 200 characters."), details={"field": "name"}
        )
    return name


def _clean_region(region_code: str) -> str:
    region_code = (region_code or "").strip()
    if region_code and (len(region_code) != 6 or not region_code.isdigit()):
        raise SubjectInvalid(_("A region code has 6 digits."), details={"field": "region_code"})
    return region_code


def _organization_row_clean(row: OrganizationRow) -> OrganizationRow:
    uscc = uscc_validate(row.uscc)
    if row.org_kind not in OrganizationKind.values:
        raise SubjectInvalid(_("Unknown organization kind."), details={"field": "org_kind"})
    if row.status not in OrganizationStatus.values:
        raise SubjectInvalid(_("Unknown organization status."), details={"field": "status"})
    return OrganizationRow(
        uscc=uscc,
        name=_clean_name(row.name),
        org_kind=str(row.org_kind),
        # Without better knowledge, the division of the registering authority (USCC pos. 3-8).
        region_code=_clean_region(row.region_code) or uscc[2:8],
        industry=(row.industry or "").strip(),
        legal_representative=(row.legal_representative or "").strip(),
        registration_date=row.registration_date,
        registered_capital_yuan=row.registered_capital_yuan,
        address=(row.address or "").strip(),
        status=str(row.status),
        needs_enrichment=row.needs_enrichment,
    )


def _person_row_clean(row: PersonRow) -> tuple[PersonRow, str]:
    check = rin_validate(row.rin)
    clean = PersonRow(
        rin=check.rin,
        name=_clean_name(row.name),
        region_code=_clean_region(row.region_code) or check.area,
        needs_enrichment=row.needs_enrichment,
    )
    return clean, rin_lookup_hash(check.rin)


def _subject_fields(row: OrganizationRow | PersonRow, kind: str) -> dict[str, Any]:
    # ``name_initials`` is set here for ``bulk_create``, which bypasses ``Subject.save``.
    return {
        "kind": kind,
        "name": row.name,
        "name_initials": name_initials(row.name) if kind == SubjectKind.ORGANIZATION else "",
        "region_code": row.region_code,
        "created_at": clock.now(),
        "needs_enrichment": row.needs_enrichment,
    }


def _organization_fields(row: OrganizationRow) -> dict[str, Any]:
    return {
        "uscc": row.uscc,
        "org_kind": row.org_kind,
        "industry": row.industry,
        "legal_representative": row.legal_representative,
        "registration_date": row.registration_date,
        "registered_capital_yuan": row.registered_capital_yuan,
        "address": row.address,
        "status": row.status,
    }


def _person_fields(row: PersonRow, digest: str) -> dict[str, Any]:
    return {
        "rin_sealed": seal(row.rin, context=RIN_CONTEXT),
        "rin_hash": digest,
        "rin_masked": rin_mask(row.rin),
    }


def _organization_created_event(subject_id: int, row: OrganizationRow, actor_label: str) -> EventDraft:
    return EventDraft(
        topic=SUBJECT_CREATED,
        aggregate_type=AGGREGATE,
        aggregate_id=subject_id,
        subject_id=subject_id,
        payload={
            "kind": SubjectKind.ORGANIZATION.value,
            "uscc": row.uscc,
            "name": row.name,
            "org_kind": row.org_kind,
            "region_code": row.region_code,
            "needs_enrichment": row.needs_enrichment,
            "actor": actor_label,
        },
    )


def _person_created_event(subject_id: int, row: PersonRow, actor_label: str) -> EventDraft:
    # No name and no RIN: the outbox feeds webhooks and partner platforms.
    return EventDraft(
        topic=SUBJECT_CREATED,
        aggregate_type=AGGREGATE,
        aggregate_id=subject_id,
        subject_id=subject_id,
        payload={
            "kind": SubjectKind.PERSON.value,
            "region_code": row.region_code,
            "needs_enrichment": row.needs_enrichment,
            "actor": actor_label,
        },
    )


# ---------------------------------------------------------------------------------------------------
# The relation projection of registration-relation records (monitoring.relations keeps it)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelationState:
    """What a registration-relation record says now: ``from_subject_id`` is the ``kind`` of the organization
    ``to_subject_id`` from ``start_date`` until the day before ``end_date``. A revoked record arrives with
    ``end_date`` set (the day of revocation, or its own earlier end)."""

    record_ref: int
    from_subject_id: int
    to_subject_id: int
    kind: str
    share_ratio: Decimal | None
    start_date: date | None
    end_date: date | None


_RELATION_FIELDS = ("from_subject_id", "to_subject_id", "kind", "share_ratio", "start_date", "end_date")


def _relation_payload(relation: Relation, *, actor_label: str, changed: list[str] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "relation_id": relation.pk, "kind": relation.kind, "from_subject_id": relation.from_subject_id,
        "to_subject_id": relation.to_subject_id,
        "share_ratio": None if relation.share_ratio is None else str(relation.share_ratio),
        "start_date": None if relation.start_date is None else relation.start_date.isoformat(),
        "end_date": None if relation.end_date is None else relation.end_date.isoformat(),
        "record_id": relation.record_ref, "actor": actor_label,
    }
    if changed is not None:
        payload["changed"] = changed
    return payload


def relations_apply(states: Iterable[RelationState], *, actor_label: str) -> dict[str, int]:
    """Bring the projected relations in line with their records, set-based: one read of the rows the records
    project, one bulk insert, one bulk update and one bulk emit, in one transaction. Idempotent: a state equal to
    its row writes nothing. Events: ``subjects.relation.added`` for a new row, ``subjects.relation.ended`` when
    an end date appears (or moves), ``subjects.relation.corrected`` for any other change. Returns the counts."""
    wanted = {s.record_ref: s for s in states}
    counts = {"added": 0, "corrected": 0, "ended": 0, "unchanged": 0}
    if not wanted:
        return counts
    for state in wanted.values():
        if state.kind not in RelationKind.values:
            raise SubjectInvalid(_("Unknown relation kind."), details={"field": "kind"})
    with transaction.atomic():
        existing = {r.record_ref: r for r in Relation.objects.select_for_update()
                    .filter(record_ref__in=list(wanted)).order_by("pk") if r.record_ref is not None}
        new = [Relation(record_ref=ref, **{f: getattr(s, f) for f in _RELATION_FIELDS})
               for ref, s in wanted.items() if ref not in existing]
        Relation.objects.bulk_create(new, batch_size=1000)
        if any(r.pk is None for r in new):  # backends that return no keys from a bulk insert
            ids = dict(Relation.objects.filter(record_ref__in=[r.record_ref for r in new])
                       .values_list("record_ref", "pk"))
            for r in new:
                r.pk = ids[r.record_ref]
        drafts = [EventDraft(topic=RELATION_ADDED, aggregate_type=AGGREGATE, aggregate_id=r.from_subject_id,
                             subject_id=r.from_subject_id, payload=_relation_payload(r, actor_label=actor_label))
                  for r in new]
        counts["added"] = len(new)
        changed_rows = []
        for ref, row in existing.items():
            state = wanted[ref]
            changed = [f for f in _RELATION_FIELDS
                       if (getattr(row, f) != getattr(state, f)) and not (
                           f == "share_ratio" and row.share_ratio is not None and state.share_ratio is not None
                           and Decimal(row.share_ratio) == Decimal(state.share_ratio))]
            if not changed:
                counts["unchanged"] += 1
                continue
            for f in changed:
                setattr(row, f, getattr(state, f))
            changed_rows.append(row)
            if changed == ["end_date"] and row.end_date is not None:
                topic, key, extra = RELATION_ENDED, "ended", None
            else:
                topic, key, extra = RELATION_CORRECTED, "corrected", [f.removesuffix("_id") for f in changed]
            counts[key] += 1
            drafts.append(EventDraft(topic=topic, aggregate_type=AGGREGATE, aggregate_id=row.from_subject_id,
                                     subject_id=row.from_subject_id,
                                     payload=_relation_payload(row, actor_label=actor_label, changed=extra)))
        if changed_rows:
            Relation.objects.bulk_update(changed_rows, list(_RELATION_FIELDS), batch_size=1000)
        if drafts:
            events_emit_bulk(drafts)
    return counts
