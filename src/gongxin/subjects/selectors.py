"""Reads of the subjects app: lookups by code, public organization search, RIN disclosure.

Persons never leave through the public search; a person's plain RIN only through
``person_rin_reveal`` (the person itself, or credit office staff and administrators).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongxin.accounts.choices import Role
from gongxin.catalog.choices import SubjectKind
from gongxin.core.crypto import unseal
from gongxin.subjects.identifiers import (
    RIN_CONTEXT,
    USCC_ALPHABET,
    InvalidRin,
    alias_scheme_guess,
    identifier_normalize,
    rin_lookup_hash,
    rin_validate,
    uscc_is_valid,
    uscc_normalize,
)
from gongxin.subjects.models import Person, Subject, SubjectIdentifier

SEARCH_MAX_LIMIT = 100
# Roles that may see a person's plain RIN (their work needs it; the person itself always may).
RIN_REVEAL_ROLES = frozenset({Role.STAFF, Role.ADMIN})


def subject_by_uscc(uscc: str) -> Subject | None:
    """The organization with this USCC (normalized first), or ``None``."""
    code = uscc_normalize(uscc)
    if len(code) != 18:
        return None
    return (
        Subject.objects.select_related("organization")
        .filter(kind=SubjectKind.ORGANIZATION, organization__uscc=code)
        .first()
    )


def subject_by_code(code: str) -> Subject | None:
    """The organization a USCC or an older alias code (registration number, organization code ...)
    resolves to, or ``None``. An alias that two subjects share resolves to nothing."""
    normalized = identifier_normalize(code)
    if not normalized:
        return None
    if uscc_is_valid(normalized):
        subject = subject_by_uscc(normalized)
        if subject is not None:
            return subject
    aliases = SubjectIdentifier.objects.filter(value=normalized)
    scheme = alias_scheme_guess(code)
    if scheme is not None and aliases.filter(scheme=scheme).exists():
        aliases = aliases.filter(scheme=scheme)
    subject_ids = set(aliases.values_list("subject_id", flat=True)[:2])
    if len(subject_ids) != 1:
        return None
    return Subject.objects.select_related("organization").filter(pk=subject_ids.pop()).first()


def subject_by_rin(rin: str) -> Subject | None:
    """The person with this RIN, found by its keyed hash (the plain RIN is never queried)."""
    try:
        check = rin_validate(rin)
    except InvalidRin:
        return None
    return Subject.objects.select_related("person").filter(person__rin_hash=rin_lookup_hash(check.rin)).first()


# Deeper pages than this are not served: refine the query instead (also keeps 64-bit SQL integers safe).
SEARCH_MAX_OFFSET = 100_000


def organizations_search(*, q: str, limit: int = 20, offset: int = 0) -> tuple[list[Subject], int]:
    """Public search: organizations whose name contains ``q`` or whose USCC starts with it.

    Returns one page (at most 100) and the total. A blank query finds nothing. Persons are never
    returned, whatever the query.
    """
    term = " ".join((q or "").split())
    if not term:
        return [], 0
    limit = max(1, min(limit, SEARCH_MAX_LIMIT))
    offset = min(max(0, offset), SEARCH_MAX_OFFSET)
    condition = Q(name__icontains=term)
    code_prefix = uscc_normalize(term)
    if code_prefix and all(c in USCC_ALPHABET for c in code_prefix) and len(code_prefix) <= 18:
        condition |= Q(organization__uscc__startswith=code_prefix)
    matches = Subject.objects.filter(condition, kind=SubjectKind.ORGANIZATION, organization__isnull=False)
    total = matches.count()
    page = list(matches.select_related("organization").order_by("name", "pk")[offset:offset + limit])
    return page, total


def person_rin_reveal(*, person: Person, viewer: Any) -> str:
    """The plain RIN for the person itself, staff and administrators; the masked form for anyone else.

    ``viewer`` is an ``accounts.viewer.Viewer`` (or anything with ``role`` and ``subject_id``, such as
    a user; an anonymous user has neither and sees the masked form)."""
    if _is_self(viewer, person.subject_id) or getattr(viewer, "role", None) in RIN_REVEAL_ROLES:
        return unseal(person.rin_sealed, context=RIN_CONTEXT)
    return person.rin_masked


def subject_display_code(*, subject: Subject, viewer: Any) -> str:
    """The code to show for a subject: the USCC of an organization; a person's RIN masked, except
    to the person itself."""
    if subject.kind == SubjectKind.ORGANIZATION:
        return subject.organization.uscc
    person = subject.person
    if _is_self(viewer, subject.pk):
        return unseal(person.rin_sealed, context=RIN_CONTEXT)
    return person.rin_masked


def _is_self(viewer: Any, subject_id: int) -> bool:
    viewer_subject_id = getattr(viewer, "subject_id", None)
    return viewer_subject_id is not None and viewer_subject_id == subject_id
