"""The one disclosure policy: what a viewer may see of records, for a purpose.

Every output — portal, API, reports, exports, scores — asks this module. It answers in two parts:
``records_visible`` (which records: a queryset filter, so it works at any scale) and ``fields_shown``
(which fields of one record, masked or not). The rules, by purpose:

- public — anyone. Organizations only; public items; in effect and published; a negative record only
  inside its publicity window, not repaired, within retention. Personal fields removed.
- self — the subject itself (the person, or an agent of the organization). All its records in effect
  except internal items, within retention. Personal fields shown.
- sharing — government: API clients with ``records:share``, source unit operators, staff. Public and
  shared items in effect, within retention, not repaired. Personal fields masked.
- authorized — a requester holding the subject's consent (access.consents). Public,
  shared and authorized items, otherwise as sharing. Personal fields masked.
- staff — credit office staff and admins. Everything not archived, revoked included. Fields shown.
- audit — auditors and admins. Everything, archived included. Fields shown.

Archived records (retention ended, set by the daily clock job in records.expiry) are kept for audit
only: every purpose but audit requires a status other than archived — "in effect" for the outward
purposes, "not archived" for staff. A repaired record leaves the public and every sharing purpose
but stays in the subject's own view (and so in its own reports, marked 已修复).

Natural persons are never visible for the public purpose: asking for one is "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "ANONYMOUS", "LEVELS_SHOWN", "LOGGED_PURPOSES", "NON_PUBLIC_PURPOSES", "Grant", "Viewer", "fields_reader",
    "fields_shown", "purpose_check", "records_visible", "subject_grant", "subject_visible", "viewer_for_client",
    "viewer_for_user", "visibility_q",
]

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from gongxin.access.errors import ConsentRequired, PurposeNotAllowed
from gongxin.access.models import Consent
from gongxin.access.selectors import consent_active_for
from gongxin.accounts.capabilities import audits, decides_for_office, shares_records
from gongxin.accounts.viewer import ANONYMOUS, Viewer, viewer_for_client, viewer_for_user
from gongxin.catalog.choices import DisclosureLevel, Polarity, SubjectKind
from gongxin.catalog.models import CatalogItem
from gongxin.core import clock
from gongxin.core.errors import NotFound, PermissionDenied
from gongxin.identity.assurance import assurance_require
from gongxin.identity.choices import AssuredCapability
from gongxin.records.choices import Purpose, RecordStatus
from gongxin.records.counting import counts_q, within_publicity_q
from gongxin.records.models import Record
from gongxin.records.personal import value_unseal
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Subject

# Queries for these purposes are logged as inquiries, visible to the subject (access app).
LOGGED_PURPOSES = frozenset({Purpose.AUTHORIZED, Purpose.SHARING, Purpose.STAFF, Purpose.AUDIT})


@dataclass(frozen=True)
class Grant:
    """Why a viewer may look: the purpose, and for authorized queries the consent that allows it."""

    purpose: str
    consent: Consent | None = None

    @property
    def scope(self) -> list[str]:
        return list(self.consent.scope) if self.consent is not None else []


def purpose_check(*, viewer: Viewer, purpose: str, subject: Subject | None) -> Grant:
    """Raise unless ``viewer`` may look at ``subject``'s records for ``purpose``; say on what ground."""
    if purpose == Purpose.PUBLIC:
        if subject is not None and subject.kind == SubjectKind.PERSON:
            raise SubjectNotFound()
        return Grant(purpose)
    if purpose == Purpose.SELF:
        if subject is None or viewer.subject_id != subject.pk:
            raise PurposeNotAllowed()
        # A weakly verified sign-in does not read its own full profile (decision 055).
        assurance_require(viewer=viewer, capability=AssuredCapability.PROFILE_FULL)
        return Grant(purpose)
    if purpose == Purpose.SHARING:
        if shares_records(viewer):
            return Grant(purpose)
        raise PurposeNotAllowed()
    if purpose == Purpose.AUTHORIZED:
        consent = consent_active_for(subject_id=subject.pk, viewer=viewer) if subject is not None else None
        if consent is None:
            raise ConsentRequired()
        return Grant(purpose, consent)
    if purpose == Purpose.STAFF:
        if decides_for_office(viewer):
            return Grant(purpose)
        raise PurposeNotAllowed()
    if purpose == Purpose.AUDIT:
        if audits(viewer):
            return Grant(purpose)
        raise PurposeNotAllowed()
    raise PurposeNotAllowed()


# The grounds on which a viewer may see a subject beyond what the public sees, the most personal first.
NON_PUBLIC_PURPOSES = (Purpose.SELF, Purpose.STAFF, Purpose.AUDIT, Purpose.SHARING, Purpose.AUTHORIZED)


def subject_grant(
    *, viewer: Viewer, subject: Subject, purposes: tuple[str, ...] = NON_PUBLIC_PURPOSES,
) -> Grant | None:
    """The first of ``purposes`` on which ``viewer`` may look at ``subject``, or ``None``."""
    for purpose in purposes:
        try:
            return purpose_check(viewer=viewer, purpose=purpose, subject=subject)
        except (PermissionDenied, NotFound):
            continue
    return None


def subject_visible(
    *, viewer: Viewer, subject_id: int, purposes: tuple[str, ...] = NON_PUBLIC_PURPOSES,
) -> tuple[Subject, Grant]:
    """The subject ``subject_id`` and the ground on which ``viewer`` may see it, for pages and endpoints that
    take a subject's id. A subject the viewer may not see answers exactly as an id that does not exist
    (``SubjectNotFound``, "not found"), so ids cannot be enumerated to learn who is a subject."""
    subject = Subject.objects.select_related("organization", "person").filter(pk=subject_id).first()
    grant = subject_grant(viewer=viewer, subject=subject, purposes=purposes) if subject is not None else None
    if subject is None or grant is None:
        raise SubjectNotFound()
    return subject, grant


# The catalog disclosure levels each outward purpose may ever show (the subject itself sees every level but
# internal). The fan-out of webhooks (sharing) reads the same table, so a client never learns that a record of
# another level exists.
LEVELS_SHOWN: dict[str, tuple[str, ...]] = {
    Purpose.PUBLIC: (DisclosureLevel.PUBLIC,),
    Purpose.SHARING: (DisclosureLevel.PUBLIC, DisclosureLevel.SHARED),
    Purpose.AUTHORIZED: (DisclosureLevel.PUBLIC, DisclosureLevel.SHARED, DisclosureLevel.AUTHORIZED),
}


def visibility_q(*, purpose: str, today: date) -> Q:
    """The rule as a filter on ``Record`` (through its current version and catalog item).

    The outward purposes show what counts today (records.counting: in effect, within retention); the subject
    also sees its repaired records, the other purposes do not. Staff and audit see more on purpose."""
    if purpose == Purpose.PUBLIC:
        negative_in_window = (
            Q(current_version__published=True)
            & Q(current_version__publicity_ended=False)
            & Q(current_version__repaired=False)
            & within_publicity_q(day=today)
        )
        return (
            Q(subject__kind=SubjectKind.ORGANIZATION)
            & Q(catalog_item__disclosure_level__in=LEVELS_SHOWN[Purpose.PUBLIC])
            & Q(current_version__published=True)
            & (~Q(current_version__polarity=Polarity.NEGATIVE) | negative_in_window)
            & counts_q(day=today)
        )
    if purpose == Purpose.SELF:
        return ~Q(catalog_item__disclosure_level=DisclosureLevel.INTERNAL) & counts_q(day=today)
    if purpose in (Purpose.SHARING, Purpose.AUTHORIZED):
        return (Q(catalog_item__disclosure_level__in=LEVELS_SHOWN[purpose])
                & counts_q(day=today, repaired_counts=False))
    if purpose == Purpose.STAFF:
        return ~Q(current_version__status=RecordStatus.ARCHIVED)
    if purpose == Purpose.AUDIT:
        return Q()
    raise PurposeNotAllowed()


def records_visible(
    *, viewer: Viewer, purpose: str, subject: Subject | None = None, today: date | None = None,
    grant: Grant | None = None,
) -> QuerySet[Record]:
    """The records ``viewer`` may see for ``purpose`` (of one subject, or of all for public listings).

    Pass ``grant`` when the caller already checked the purpose (to log the inquiry with its consent).
    """
    if grant is None:
        grant = purpose_check(viewer=viewer, purpose=purpose, subject=subject)
    queryset = Record.objects.filter(
        visibility_q(purpose=purpose, today=today or clock.today()), current_version__isnull=False
    )
    if grant.scope:
        queryset = queryset.filter(catalog_item__code__in=grant.scope)
    if subject is not None:
        queryset = queryset.filter(subject=subject)
    return queryset.select_related(
        "current_version", "catalog_item", "source_unit__department", "subject"
    )


def mask_value(value: str) -> str:
    """Mask personal data: an 18-character ID keeps its last 4 only (decision 029), other values their ends."""
    text = str(value)
    if len(text) == 18:
        return "*" * 14 + text[-4:]
    if len(text) <= 2:
        return "*" * len(text)
    keep = max(1, len(text) // 4)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def _money(yuan: str) -> str:
    """An amount stored in yuan, shown in the unit of its label (万元) with the exact yuan beside it."""
    try:
        amount = Decimal(yuan)
    except InvalidOperation:
        return yuan
    wan = (amount / 10_000).normalize()
    return f"{wan:f} 万元（{amount:,.2f} 元）"


def _label(definition: dict[str, Any], *, english: bool | None = None) -> str:
    """The field's label in the language (``english`` None: the active one; Chinese unless English is known)."""
    if english is None:
        english = (get_language() or "").startswith("en")
    if english and definition.get("label_en"):
        return str(definition["label_en"])
    return str(definition.get("label", definition["code"]))


@dataclass(frozen=True)
class _FieldRule:
    """How one field of an item's schema is shown for a purpose: read once per item, applied per payload."""

    code: str
    label: str
    personal: bool
    mask: bool
    money: bool
    options: dict[Any, str]


def fields_reader(
    *, item: CatalogItem, purpose: str, codes: frozenset[str] | None = None, english: bool | None = None,
) -> Callable[[dict[str, Any]], list[tuple[str, str, str]]]:
    """``fields_shown`` of ``item`` for ``purpose`` as a function of the payload: the schema is read once (labels,
    kinds, options, which fields the purpose drops), so a reader of many records of one item — an export — pays
    it once. ``codes``: only those fields (in schema order); ``english``: the labels' language (None: the active
    one, read now)."""
    reveal_personal = purpose in {Purpose.SELF, Purpose.STAFF, Purpose.AUDIT}
    rules: list[_FieldRule] = []
    for definition in item.fields:
        code = definition["code"]
        personal = bool(definition.get("personal"))
        if (personal and purpose == Purpose.PUBLIC) or (codes is not None and code not in codes):
            continue  # never shown to the public, or not asked for
        options: dict[Any, str] = {}
        for option in definition.get("enum") or ():
            options.setdefault(option["code"], option["label"])  # the first option of a code wins
        rules.append(_FieldRule(code=code, label=_label(definition, english=english), personal=personal,
                                mask=personal and not reveal_personal,
                                money=definition.get("type") == "money_wan", options=options))

    def read(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
        shown: list[tuple[str, str, str]] = []
        for rule in rules:
            raw = payload.get(rule.code)
            if raw is None or raw == "":
                continue
            value = str(value_unseal(raw) if rule.personal else raw)
            if rule.money:
                value = _money(value)
            if rule.options:
                value = rule.options.get(value, value)
            if rule.mask:
                value = mask_value(value)
            shown.append((rule.code, rule.label, value))
        return shown

    return read


def fields_shown(*, item: CatalogItem, payload: dict[str, Any], purpose: str) -> list[tuple[str, str, str]]:
    """(code, label, value) of the fields ``purpose`` may see, in schema order, personal data handled."""
    return fields_reader(item=item, purpose=purpose)(payload)
