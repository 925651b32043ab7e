"""The black lists a subject is on today, as a viewer may see them: the banner at the top of a profile.

An entry is shown when the viewer may see its list record for the purpose (``records_visible``: the public
never sees a repaired entry, or one past its publicity) and the entry is in force today (``ListEntry``: active,
started, not ended). Each says which list, since when and until when, on what legal basis, and the way out:
the list's exit conditions (``ListType``, data) and, for lists whose records credit repair does not reach
(``catalog.policy.removal_authorities``: a court's judgment-debtor list), that removal comes from the listing
authority once the obligation is performed, not from repair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gongxin.access.disclosure import Viewer, records_visible
from gongxin.catalog.policy import removal_authorities, removal_label
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
    removed_by: str  # who removes it instead of repair (catalog.choices.RemovedBy: "court"), or "" (repairable)
    record_id: int

    @property
    def repairable(self) -> bool:
        return not self.removed_by

    @property
    def removal(self) -> str:
        """What to say instead of offering repair ("Removed by the court after performance"), or ""."""
        return removal_label(self.removed_by) if self.removed_by else ""


def removals_today() -> dict[str, str]:
    """The record kinds credit repair does not reach today, each with what a page says instead ("Removed by the
    court after performance"): for the pages that would otherwise offer repair (catalog.policy, decision 048)."""
    return {kind: removal_label(authority) for kind, authority in removal_authorities(day=clock.today()).items()}


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
    removed_by = removal_authorities(day=today)
    return [
        BlackListing(
            code=e.list_type.code, name=e.list_type.name, start_date=e.start_date, end_date=e.end_date,
            legal_basis=e.list_type.legal_basis, basis=e.basis, exit_conditions=e.list_type.exit_conditions,
            removed_by=removed_by.get(e.record.catalog_item.record_kind, ""), record_id=e.record_id,
        )
        for e in entries
    ]
