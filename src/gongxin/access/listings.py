"""The black lists a subject is on today, as a viewer may see them: the banner at the top of a profile.

An entry is shown when the viewer may see its list record for the purpose (``records_visible``: the public
never sees a repaired entry, or one past its publicity) and the entry is in force today (``ListEntry``: active,
started, not ended). Each says which list, since when and until when, on what legal basis, and the way out:
the list's exit conditions (``ListType``, data) and, for lists whose records credit repair does not reach (the
``repair`` policy's ``not_repairable_record_kinds``: a court's judgment-debtor list), that removal comes from
the listing authority once the obligation is performed, not from repair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from gongxin.access.disclosure import Viewer, records_visible
from gongxin.catalog.choices import PolicyKind
from gongxin.catalog.errors import PolicyNotFound
from gongxin.catalog.policy import policy_select
from gongxin.core import clock
from gongxin.records.choices import ListKind
from gongxin.records.lists import entries_in_force_q
from gongxin.records.models import ListEntry
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class BlackListing:
    code: str
    name: str
    start_date: date
    end_date: date | None
    legal_basis: str  # the list's legal basis (by law or central policy)
    basis: str  # this entry's own basis (the listing decision's)
    exit_conditions: str
    repairable: bool  # False: removal by the listing authority (the court) after performance, not by repair
    record_id: int


def _not_repairable_kinds(day: date) -> frozenset[str]:
    try:
        policy = policy_select(kind=PolicyKind.REPAIR, day=day, jurisdiction=settings.GONGXIN_JURISDICTION)
    except PolicyNotFound:
        return frozenset()
    kinds = (policy.params or {}).get("not_repairable_record_kinds") or []
    return frozenset(str(kind) for kind in kinds)


def black_lists_current(*, subject: Subject, viewer: Viewer, purpose: str) -> list[BlackListing]:
    """The black lists ``subject`` is on today that ``viewer`` may see for ``purpose`` (one query, two with the
    repair policy when there is an entry)."""
    today = clock.today()
    visible = records_visible(viewer=viewer, purpose=purpose, subject=subject, today=today)
    entries = list(
        ListEntry.objects.filter(entries_in_force_q(today), subject=subject, list_type__kind=ListKind.BLACK,
                                 record__in=visible.order_by().values("pk"))
        .select_related("list_type", "record__catalog_item")
        .order_by("-start_date", "pk")
    )
    if not entries:
        return []
    not_repairable = _not_repairable_kinds(today)
    return [
        BlackListing(
            code=e.list_type.code, name=e.list_type.name, start_date=e.start_date, end_date=e.end_date,
            legal_basis=e.list_type.legal_basis, basis=e.basis, exit_conditions=e.list_type.exit_conditions,
            repairable=e.record.catalog_item.record_kind not in not_repairable, record_id=e.record_id,
        )
        for e in entries
    ]
