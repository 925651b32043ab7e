"""Association analysis through the disclosure policy (关联分析): the access-checked reads of pages and the API.

``subjects.associations`` answers over the relation projection; this module decides who may ask and what each
viewer is shown, and logs every query of a subject as an inquiry the subject sees (``access.services``):

- the credit office (staff, auditors, administrators: the ``staff`` or ``audit`` purpose) sees every related
  subject, persons by name with their masked RIN;
- government sharing (``shares_records``: source units' operators and systems holding ``records:share``; the
  ``sharing`` purpose) sees organizations by name and USCC, natural persons only as "a natural person" (no name, no
  number, no id that could be asked about again);
- nobody else may ask (403): associations are not public. ``associations_public`` is the one public read, for a
  public view of an organization's links: organizations only, and only links that pass through no person
  (holdings between firms, branches) — natural persons never appear in it, neither as a subject nor on a path.

Results are the store's dataclasses turned into shown ones: ``PartyShown`` (a subject as this viewer may see it),
``HopShown`` (a step of a path), ``AssociationShown``, ``ControllerShown``, ``SharedShown``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from gongxin.access.services import inquiry_record
from gongxin.accounts.capabilities import decides_for_office, is_office, shares_records
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core.errors import PermissionDenied
from gongxin.records.choices import Purpose
from gongxin.subjects.associations import (
    DEFAULT_DEPTH,
    Association,
    Hop,
    related_subjects,
    shared_addresses,
    shared_legal_representatives,
    ultimate_controllers,
)
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Subject

__all__ = [
    "AssociationShown", "ControllerShown", "HopShown", "PartyShown", "SharedShown", "associations_controllers",
    "associations_may_read", "associations_party", "associations_public", "associations_related", "associations_shared",
]


@dataclass(frozen=True)
class PartyShown:
    """A subject as the viewer may see it. A natural person hidden from the viewer has no id, name or code."""

    subject_id: int | None
    kind: str  # "organization" or "person"
    name: str
    code: str = ""  # the USCC of an organization; the masked RIN of a person shown to the office

    @property
    def is_person(self) -> bool:
        return self.kind == SubjectKind.PERSON


@dataclass(frozen=True)
class HopShown:
    party: PartyShown  # the subject the step reaches
    kind: str  # the relation's kind (subjects.choices.RelationKind)
    kind_label: str
    direction: str  # "out": the subject the step starts at is the ``kind`` of ``party``; "in": the other way round
    share_percent: str | None = None  # a holding's share in per cent ("35.00"), else None
    relation_id: int | None = None

    @property
    def reads(self) -> str:
        """The step in words: "legal representative of" / "has as legal representative"."""
        if self.direction == "out":
            return _("is %(kind)s of") % {"kind": self.kind_label}
        return _("has as %(kind)s") % {"kind": self.kind_label}


@dataclass(frozen=True)
class AssociationShown:
    party: PartyShown
    depth: int
    path: list[HopShown]


@dataclass(frozen=True)
class ControllerShown:
    party: PartyShown
    share: Fraction  # exact integrated share (0 for a declared actual controller holding nothing)
    share_percent: str  # rounded to two places, for display
    declared: bool
    exact: bool
    paths: list[list[HopShown]] = field(default_factory=list)


@dataclass(frozen=True)
class SharedShown:
    party: PartyShown  # the other organization
    kind: str  # "legal_representative" or "address"
    via: PartyShown | None = None  # the shared legal representative
    address: str = ""


def _purpose(viewer: Viewer) -> str:
    """The purpose of the viewer's question; refused (403) for anyone without one."""
    if is_office(viewer):
        return Purpose.STAFF if decides_for_office(viewer) else Purpose.AUDIT
    if shares_records(viewer):
        return Purpose.SHARING
    raise PermissionDenied()


def associations_may_read(viewer: Viewer) -> bool:
    """Whether ``viewer`` may ask about a subject's associations (the pages' and the API's door)."""
    try:
        _purpose(viewer)
    except PermissionDenied:
        return False
    return True


def _percent(value: Decimal | Fraction | None) -> str | None:
    if value is None:
        return None
    exact = value if isinstance(value, Fraction) else Fraction(value)
    return f"{Decimal(exact.numerator) * 100 / Decimal(exact.denominator):.2f}"


def _parties(ids: Iterable[int], *, purpose: str) -> dict[int, PartyShown]:
    rows = (Subject.objects.filter(pk__in=set(ids))
            .values_list("pk", "kind", "name", "organization__uscc", "person__rin_masked"))
    shown: dict[int, PartyShown] = {}
    for pk, kind, name, uscc, masked in rows:
        if kind == SubjectKind.ORGANIZATION:
            shown[pk] = PartyShown(subject_id=pk, kind=kind, name=name, code=uscc or "")
        elif purpose in (Purpose.STAFF, Purpose.AUDIT):
            shown[pk] = PartyShown(subject_id=pk, kind=kind, name=name, code=masked or "")
        else:
            shown[pk] = PartyShown(subject_id=None, kind=kind, name=str(_("A natural person")))
    return shown


def _hop(hop: Hop, parties: dict[int, PartyShown]) -> HopShown:
    return HopShown(party=parties[hop.subject_id], kind=hop.kind, kind_label=str(RelationKind(hop.kind).label)
                    if hop.kind in RelationKind.values else hop.kind, direction=hop.direction,
                    share_percent=_percent(hop.share_ratio) if hop.kind in (
                        RelationKind.SHAREHOLDER, RelationKind.INVESTMENT) else None, relation_id=hop.relation_id)


def _asked(subject_id: int) -> Subject:
    found = Subject.objects.filter(pk=subject_id).first()
    if found is None:
        raise SubjectNotFound()
    return found


def _log(*, viewer: Viewer, subject_id: int, purpose: str, channel: str, what: str, shown: int) -> None:
    inquiry_record(subject_id=subject_id, viewer=viewer, purpose=purpose, channel=channel,
                   reason=f"association analysis: {what}", records_shown=shown)


def _shown(found: list[Association], purpose: str) -> list[AssociationShown]:
    ids = {a.subject_id for a in found} | {h.subject_id for a in found for h in a.path}
    parties = _parties(ids, purpose=purpose)
    return [AssociationShown(party=parties[a.subject_id], depth=a.depth, path=[_hop(h, parties) for h in a.path])
            for a in found if a.subject_id in parties]


def associations_party(*, viewer: Viewer, subject_id: int) -> PartyShown:
    """The subject asked about, as ``viewer`` may see it (the heading of its page; the page's queries log it)."""
    purpose = _purpose(viewer)
    _asked(subject_id)
    return _parties([subject_id], purpose=purpose)[subject_id]


def associations_related(*, viewer: Viewer, subject_id: int, channel: str, depth: int = DEFAULT_DEPTH,
                         kinds: Collection[str] | None = None, as_of: date | None = None) -> list[AssociationShown]:
    """The subjects related to ``subject_id`` within ``depth`` hops, each with its path; one inquiry logged."""
    purpose = _purpose(viewer)
    _asked(subject_id)
    found = related_subjects(subject_id=subject_id, depth=depth, kinds=kinds, as_of=as_of)
    shown = _shown(found, purpose)
    _log(viewer=viewer, subject_id=subject_id, purpose=purpose, channel=channel, what="related subjects",
         shown=len(shown))
    return shown


def associations_controllers(*, viewer: Viewer, subject_id: int, channel: str, as_of: date | None = None
                             ) -> list[ControllerShown]:
    """Who stands behind the organization ``subject_id``: ultimate controllers with exact shares and their holding
    chains; one inquiry logged. Asked about a person: nothing (a person is held by nobody)."""
    purpose = _purpose(viewer)
    asked = _asked(subject_id)
    found = ultimate_controllers(subject_id=subject_id, as_of=as_of) if not asked.is_person else []
    ids = {c.subject_id for c in found} | {h.subject_id for c in found for p in c.paths for h in p}
    parties = _parties(ids, purpose=purpose)
    shown = [ControllerShown(party=parties[c.subject_id], share=c.share, share_percent=_percent(c.share) or "0.00",
                             declared=c.declared, exact=c.exact,
                             paths=[[_hop(h, parties) for h in path] for path in c.paths])
             for c in found if c.subject_id in parties]
    _log(viewer=viewer, subject_id=subject_id, purpose=purpose, channel=channel, what="ultimate controllers",
         shown=len(shown))
    return shown


def associations_shared(*, viewer: Viewer, subject_id: int, channel: str, as_of: date | None = None
                        ) -> list[SharedShown]:
    """Other organizations sharing a legal representative or the registered address with ``subject_id``; one
    inquiry logged."""
    purpose = _purpose(viewer)
    asked = _asked(subject_id)
    reps = shared_legal_representatives(subject_id=subject_id, as_of=as_of)
    addresses = [] if asked.is_person else shared_addresses(subject_id=subject_id)
    ids = {s.subject_id for s in reps} | {s.via_subject_id for s in reps if s.via_subject_id} | {
        s.subject_id for s in addresses}
    parties = _parties(ids, purpose=purpose)
    shown = [SharedShown(party=parties[s.subject_id], kind=s.kind,
                         via=parties.get(s.via_subject_id) if s.via_subject_id else None)
             for s in reps if s.subject_id in parties]
    shown += [SharedShown(party=parties[s.subject_id], kind=s.kind, address=s.via_address)
              for s in addresses if s.subject_id in parties]
    _log(viewer=viewer, subject_id=subject_id, purpose=purpose, channel=channel, what="shared representatives",
         shown=len(shown))
    return shown


# Relations between organizations the public may see (registered holdings and branches are public registration
# data of firms); relations of persons never.
PUBLIC_KINDS = (RelationKind.SHAREHOLDER.value, RelationKind.INVESTMENT.value, RelationKind.BRANCH.value)


def associations_public(*, subject_id: int, depth: int = 1, as_of: date | None = None) -> list[AssociationShown]:
    """The public view of an organization's links: organizations only, over relations between organizations
    (holdings, branches) — no natural person as a subject or on a path. A person asked about: not found (the
    disclosure policy's rule). Public data: no inquiry is logged."""
    asked = _asked(subject_id)
    if asked.is_person:
        raise SubjectNotFound()
    found = related_subjects(subject_id=subject_id, depth=depth, kinds=PUBLIC_KINDS, as_of=as_of)
    kinds = dict(Subject.objects.filter(pk__in={h.subject_id for a in found for h in a.path}).values_list("pk", "kind"))
    kept = [a for a in found if all(kinds.get(h.subject_id) == SubjectKind.ORGANIZATION for h in a.path)]
    return _shown(kept, Purpose.PUBLIC)


def shown_as_dict(item: Any) -> Any:
    """A shown dataclass (or a list of them) as plain data for the API and CSV (fractions as text)."""
    from dataclasses import asdict, is_dataclass

    if isinstance(item, list):
        return [shown_as_dict(i) for i in item]
    if is_dataclass(item) and not isinstance(item, type):
        data = asdict(item)
        if isinstance(item, ControllerShown):
            data["share"] = f"{item.share.numerator}/{item.share.denominator}"
        return data
    return item
